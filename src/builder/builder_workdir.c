/* builder_workdir.c - the WORKDIR step as BuildKit runs it: the directory
 * is made at the instruction (mkdir -p, mode 0755, the new directories
 * owned by the stage's USER as the image's /etc/passwd names it), through
 * the image's symlinks, dangling ones included. Paths are walked one name at
 * a time below the image's root: nothing outside it is ever touched. */
#include "builder_int.h"
#include "cleanup.h"
#include "fsnode.h"
#include "ovlmount.h"
#include "resolve.h"
#include "userns_exec.h"
#include "userspec.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/* as the kernel's limit on symlinks followed in one lookup */
#define WORKDIR_MAX_LINKS 40

struct workdir_job {
	const struct bstep_dir *d;
	const char *path; /* absolute, cleaned */
	const char *user; /* the config's User, or "" */
	bool overlay;     /* the kernel overlay mounted at d->merged, else copy mode */
	int *fds;         /* copy mode: d->upper, then the stage's layers, top first */
	size_t nfds;
};

static bool numeric_p(const char *s, size_t n)
{
	if (!n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* one missing directory @name in @dirfd, 0755 whatever the umask, owned;
 * in single-ID mode the owner cannot be represented (EINVAL) and the
 * directory stays the namespace's root's, as the runtime would make it */
static int workdir_make(int dirfd, const char *name, uid_t uid, gid_t gid)
{
	_cleanup_close_ int fd = fsnode_make(dirfd, name, S_IFDIR | 0755, 0);

	if (fd < 0)
		return fd;
	if ((uid || gid) && fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0 && errno != EINVAL)
		return -errno;
	return 0;
}

/* the stage's tree as a stack of directories, top first: with the kernel
 * overlay one, the mounted tree; in copy mode (fuse-overlay, vfs) the step's
 * upper directory over the stage's layers, merged here as overlayfs does
 * (whiteouts, opaque directories) without copying the tree. What is made
 * goes into fds[0]. */
struct workdir_view {
	int *fds;
	size_t n;
};

/* @dir's directory in layer @i, walked one name at a time without following
 * a symlink: 1 with *@fd open (O_RDONLY) when the layer has it; 0 when it
 * lacks a component; -ENOENT when a component is not a directory there (a
 * whiteout, a file or a symlink: what lower layers hold is hidden); and
 * whether a directory on the way is opaque (the lower layers hidden) */
static int workdir_layer_dir(const struct workdir_view *v, size_t i, const char *dir, int *fd,
                             bool *opaque)
{
	_cleanup_close_ int cur = fcntl(v->fds[i], F_DUPFD_CLOEXEC, 3);
	const char *p = dir;

	if (cur < 0)
		return -errno;
	while (*(p += strspn(p, "/"))) {
		char name[NAME_MAX + 1], val[4];
		size_t n = strcspn(p, "/");
		struct stat st;
		int next;
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		p += n;
		if (fstatat(cur, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? 0 : -errno;
		if (!S_ISDIR(st.st_mode))
			return -ENOENT;
		next = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0)
			return -errno;
		close(cur);
		cur = next;
		/* "y": opaque; "x" only says the directory holds xattr whiteouts */
		if ((fgetxattr(cur, "user.overlay.opaque", val, sizeof(val)) == 1 ||
		     fgetxattr(cur, "trusted.overlay.opaque", val, sizeof(val)) == 1) &&
		    val[0] == 'y')
			*opaque = true;
	}
	*fd = cur;
	cur = -1;
	return 1;
}

/* an overlay whiteout: a 0/0 character device, or a file with the xattr */
static bool workdir_whiteout_p(int dfd, const char *name, const struct stat *st)
{
	_cleanup_close_ int fd = -1;
	char v[4];

	if (S_ISCHR(st->st_mode))
		return st->st_rdev == makedev(0, 0);
	if (!S_ISREG(st->st_mode) || st->st_size != 0)
		return false;
	fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	return fd >= 0 && fgetxattr(fd, "user.overlay.whiteout", v, sizeof(v)) >= 0;
}

/* @dir/@name (@dir resolved, "" the root) as the merged tree shows it: 0
 * with its stat and *@pfd its directory in the layer that holds it (the
 * caller closes it), or -ENOENT */
static int workdir_lookup(const struct workdir_view *v, const char *dir, const char *name,
                          struct stat *st, int *pfd)
{
	for (size_t i = 0; i < v->n; i++) {
		bool opaque = false;
		_cleanup_close_ int fd = -1;
		int r = workdir_layer_dir(v, i, dir, &fd, &opaque);
		if (r < 0)
			return r;
		if (r == 1 && fstatat(fd, name, st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (workdir_whiteout_p(fd, name, st))
				return -ENOENT;
			*pfd = fd;
			fd = -1;
			return 0;
		}
		if (r == 1 && errno != ENOENT)
			return -errno;
		if (opaque)
			return -ENOENT;
	}
	return -ENOENT;
}

/* @dir's directory in fds[0], made where only a lower layer holds it with
 * its mode and owner (what overlayfs's copy-up does), so a new directory
 * has its parents in the step's layer: its descriptor, or -errno */
static int workdir_copy_up(const struct workdir_view *v, const char *dir, struct werr *err)
{
	_cleanup_close_ int cur = fcntl(v->fds[0], F_DUPFD_CLOEXEC, 3);
	char part[PATH_MAX] = "";
	const char *p = dir;

	if (cur < 0)
		return werr_errno(err, errno, "WORKDIR");
	while (*(p += strspn(p, "/"))) {
		char name[NAME_MAX + 1];
		size_t n = strcspn(p, "/");
		struct stat st;
		int next;
		snprintf(name, sizeof(name), "%.*s", (int)n, p);
		p += n;
		next = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (next < 0 && errno == ENOENT) {
			_cleanup_close_ int lfd = -1, made = -1;
			if (workdir_lookup(v, part, name, &st, &lfd) < 0 || !S_ISDIR(st.st_mode))
				return werr_set(err, ENOENT, "%s/%s in the image: not a directory",
				                part, name);
			made = fsnode_make(cur, name, S_IFDIR | (st.st_mode & 07777), 0);
			if (made < 0)
				return werr_errno(err, -made, "copy up %s/%s", part, name);
			if (fchownat(made, "", st.st_uid, st.st_gid, AT_EMPTY_PATH) < 0 &&
			    errno != EINVAL)
				return werr_errno(err, errno, "copy up %s/%s", part, name);
			fsnode_chmod(made, st.st_mode & 07777);
			next = openat(cur, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		}
		if (next < 0)
			return werr_errno(err, errno, "%s/%s in the image", part, name);
		close(cur);
		cur = next;
		if (strlen(part) + n + 2 > sizeof(part))
			return werr_errno(err, ENAMETOOLONG, "WORKDIR %s", dir);
		strcat(strcat(part, "/"), name);
	}
	return steal_fd(&cur);
}

/* the owner of the directories made: USER resolved in the image's own
 * passwd and group; a user without a group gets its passwd group when named,
 * its own number when numeric (BuildKit's file operation's rule) */
static int workdir_owner(const struct workdir_view *v, const char *user, uid_t *uid, gid_t *gid,
                         struct werr *err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	const char *names[2] = { "passwd", "group" };
	char **bufs[2] = { &passwd, &group };
	struct userspec us;
	size_t len;

	*uid = 0;
	*gid = 0;
	if (!user || !*user)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		_cleanup_close_ int pfd = -1, fd = -1;
		struct stat st;
		if (workdir_lookup(v, "/etc", names[i], &st, &pfd) < 0 || !S_ISREG(st.st_mode))
			continue;
		fd = openat(pfd, names[i], O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0 && util_read_fd_all(fd, 4 << 20, bufs[i], &len, err) < 0)
			return -err->code;
	}
	if (userspec_resolve(user, passwd, group, &us, err) < 0)
		return werr_prefix(err, "USER %s", user);
	*uid = us.uid;
	*gid = strchr(user, ':') || !numeric_p(user, strlen(user)) ? us.gid : (gid_t)us.uid;
	return 0;
}

/* mkdir -p @path in the view: a symlink on the way is followed inside the
 * root (an absolute target from the root), and where its target is missing
 * the target is what gets made, as BuildKit's resolution in the root does */
static int workdir_mkdir_p(const struct workdir_view *v, const char *path, uid_t uid, gid_t gid,
                           struct werr *err)
{
	_cleanup_free_ char *rest = strdup(path);
	char cur[PATH_MAX] = ""; /* resolved so far, no symlink in it; "" is the root */
	const char *p = rest;
	unsigned links = 0;

	if (!rest)
		return werr_errno(err, ENOMEM, "WORKDIR");
	for (;;) {
		char name[NAME_MAX + 1], target[PATH_MAX];
		_cleanup_close_ int pfd = -1;
		struct stat st;
		size_t n;
		ssize_t tl;
		int r;

		p += strspn(p, "/");
		if (!*p)
			return 0;
		n = strcspn(p, "/");
		if (n > NAME_MAX)
			return werr_errno(err, ENAMETOOLONG, "WORKDIR %s", path);
		memcpy(name, p, n);
		name[n] = '\0';
		p += n;
		if (!strcmp(name, "."))
			continue;
		if (!strcmp(name, "..")) {
			char *sl = strrchr(cur, '/');
			if (sl)
				*sl = '\0';
			continue;
		}
		if (strlen(cur) + n + 2 > sizeof(cur))
			return werr_errno(err, ENAMETOOLONG, "WORKDIR %s", path);
		r = workdir_lookup(v, cur, name, &st, &pfd);
		if (r == -ENOENT) {
			_cleanup_close_ int dfd = workdir_copy_up(v, cur, err);
			if (dfd < 0)
				return dfd;
			r = workdir_make(dfd, name, uid, gid);
			if (r < 0)
				return werr_errno(err, -r, "mkdir %s/%s in the image", cur, name);
			strcat(strcat(cur, "/"), name);
			continue;
		}
		if (r < 0)
			return werr_errno(err, -r, "%s/%s in the image", cur, name);
		if (S_ISDIR(st.st_mode)) {
			strcat(strcat(cur, "/"), name);
			continue;
		}
		if (!S_ISLNK(st.st_mode))
			return werr_set(err, ENOTDIR,
			                "WORKDIR %s: %s/%s in the image is not a directory", path,
			                cur, name);
		if (++links > WORKDIR_MAX_LINKS)
			return werr_errno(err, ELOOP, "WORKDIR %s", path);
		{
			char *next = NULL;
			tl = readlinkat(pfd, name, target, sizeof(target) - 1);
			if (tl < 0)
				return werr_errno(err, errno, "readlink %s/%s in the image", cur,
				                  name);
			target[tl] = '\0';
			if (asprintf(&next, "%s/%s", target, p) < 0)
				return werr_errno(err, ENOMEM, "WORKDIR");
			if (target[0] == '/')
				cur[0] = '\0';
			free(rest);
			rest = next;
			p = rest;
		}
	}
}

/* implements userns_exec()'s fn: the view of the stage's tree, the path made */
static int workdir_in_ns(void *arg, struct werr *err)
{
	const struct workdir_job *j = arg;
	const struct bstep_dir *d = j->d;
	struct workdir_view v = { j->fds, 0 };
	_cleanup_close_ int rootfd = -1;
	uid_t uid;
	gid_t gid;
	int r;

	if (j->overlay) {
		if (unshare(CLONE_NEWNS) < 0 ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return werr_errno(err, errno, "a private mount namespace");
		r = ovlmount_mount(d->lower_base, d->lowerdir, d->upper, d->work, d->merged, err);
		if (r < 0)
			return r;
		rootfd = open(d->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (rootfd < 0)
			return werr_errno(err, errno, "open %s", d->merged);
		j->fds[0] = rootfd;
		v.n = 1;
	} else {
		v.n = j->nfds;
	}
	/* the owner from the image's passwd: through the merged view's fds[0]
	 * with the overlay; in copy mode read from the layer that has it */
	r = workdir_owner(&v, j->user, &uid, &gid, err);
	return r < 0 ? r : workdir_mkdir_p(&v, j->path, uid, gid, err);
}

static bool dir_empty_p(const char *path)
{
	DIR *dir = opendir(path);
	struct dirent *e;
	bool empty = true;

	if (!dir)
		return false;
	while (empty && (e = readdir(dir)))
		empty = !strcmp(e->d_name, ".") || !strcmp(e->d_name, "..");
	closedir(dir);
	return empty;
}

/* the descriptors of the view: a slot for the mounted tree with the
 * overlay; else the step's upper directory and the stage's layers */
static int workdir_fds_open(struct builder *b, const struct bstage *sg, const struct bstep_dir *d,
                            struct workdir_job *j, struct werr *err)
{
	size_t n = j->overlay ? 1 : sg->n_layers + 1;

	j->fds = malloc(n * sizeof(int));
	if (!j->fds)
		return werr_errno(err, ENOMEM, "WORKDIR");
	for (j->nfds = 0; j->nfds < n; j->nfds++) {
		char p[PATH_MAX + 200];
		size_t i = j->nfds;
		if (j->overlay) {
			j->fds[i] = -1;
			continue;
		}
		if (i == 0)
			snprintf(p, sizeof(p), "%s", d->upper);
		else
			snprintf(p, sizeof(p), "%s/layers/%s/diff", b->s.root,
			         digest_hex(sg->chain[sg->n_layers - i]));
		j->fds[i] = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (j->fds[i] < 0)
			return werr_errno(err, errno, "open %s", p);
	}
	return 0;
}

int bworkdir_step(struct builder *b, struct bstage *sg, const struct df_instr *x, struct werr *err)
{
	_cleanup_free_ char *text = binstr_text(x), *key = NULL;
	json_t *c;
	const char *wd, *user;
	struct bstep_dir d = { 0 };
	struct workdir_job j = { .d = &d };
	char diff_id[DIGEST_STR_LEN + 1], created[32];
	uint64_t size = 0;
	bool hit, empty = true;
	int r = bconfig_apply(b, sg, x, err);

	if (r < 0)
		return r;
	c = bconfig_get(sg);
	wd = json_string_value(json_object_get(c, "WorkingDir"));
	user = json_string_value(json_object_get(c, "User"));
	/* the directories' owner is part of what the step makes */
	if (!text || asprintf(&key, "%s\x1f%s", text, user ? user : "") < 0)
		return werr_errno(err, ENOMEM, "%s", x->original);
	bcache_key(sg, key);
	r = bcache_lookup(b, sg, x->original, &hit, err);
	if (r < 0 || hit)
		return r < 0 ? r : 1;
	j.path = wd ? wd : "/";
	j.user = user ? user : "";
	if (strcmp(j.path, "/")) {
		r = bstep_dir_new(b, sg, &d, err);
		/* fuse-overlay and vfs: no copy of the stage's tree, its layers are
		 * read as the overlay would merge them */
		j.overlay = b->driver == ROOTFS_OVERLAY;
		if (r == 0)
			r = workdir_fds_open(b, sg, &d, &j, err);
		if (r == 0)
			r = userns_exec(&b->plan, workdir_in_ns, &j, err);
		for (size_t i = 0; i < j.nfds; i++)
			if (j.fds[i] >= 0)
				close(j.fds[i]);
		free(j.fds);
		/* nothing made (it was there): no layer, as BuildKit leaves none */
		if (r == 0 && !(empty = dir_empty_p(d.upper)))
			r = blayer_commit(b, sg, &d, diff_id, &size, err);
		bstep_dir_free(b, &d);
		if (r < 0)
			return werr_prefix(err, "%s:%u: %s", b->df->filename, b->line, x->original);
	}
	bnow(created, sizeof(created));
	bhistory_add(sg, created, x->original, empty);
	return bcache_save(b, sg, empty ? NULL : diff_id, size, created, err);
}
