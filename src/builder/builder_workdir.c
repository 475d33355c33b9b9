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
#include <unistd.h>

/* as the kernel's limit on symlinks followed in one lookup */
#define WORKDIR_MAX_LINKS 40

struct workdir_job {
	const struct bstep_dir *d;
	const char *path; /* absolute, cleaned */
	const char *user; /* the config's User, or "" */
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

/* the owner of the directories made: USER resolved in the image's own
 * passwd and group; a user without a group gets its passwd group when named,
 * its own number when numeric (BuildKit's file operation's rule) */
static int workdir_owner(int rootfd, const char *user, uid_t *uid, gid_t *gid, struct werr *err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	const char *files[2] = { "/etc/passwd", "/etc/group" };
	char **bufs[2] = { &passwd, &group };
	struct userspec us;
	size_t len;

	*uid = 0;
	*gid = 0;
	if (!user || !*user)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		_cleanup_close_ int fd = resolve_open(rootfd, files[i], O_RDONLY, RESOLVE_IN_ROOT);
		if (fd >= 0 && util_read_fd_all(fd, 4 << 20, bufs[i], &len, err) < 0)
			return -err->code;
	}
	if (userspec_resolve(user, passwd, group, &us, err) < 0)
		return werr_prefix(err, "USER %s", user);
	*uid = us.uid;
	*gid = strchr(user, ':') || !numeric_p(user, strlen(user)) ? us.gid : (gid_t)us.uid;
	return 0;
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

/* mkdir -p @path below @rootfd: a symlink on the way is followed inside the
 * root (an absolute target from the root), and where its target is missing
 * the target is what gets made, as BuildKit's resolution in the root does */
static int workdir_mkdir_p(int rootfd, const char *path, uid_t uid, gid_t gid, struct werr *err)
{
	_cleanup_free_ char *rest = strdup(path);
	char cur[PATH_MAX] = ""; /* resolved so far, no symlink in it; "" is the root */
	const char *p = rest;
	unsigned links = 0;

	if (!rest)
		return werr_errno(err, ENOMEM, "WORKDIR");
	for (;;) {
		char name[NAME_MAX + 1], target[PATH_MAX];
		_cleanup_close_ int dfd = -1;
		struct stat st;
		size_t n;
		ssize_t tl;

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
		dfd = resolve_open(rootfd, *cur ? cur : "/", O_PATH | O_DIRECTORY,
		                   RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
		if (dfd < 0)
			return werr_errno(err, errno, "%s in the image", *cur ? cur : "/");
		if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			int r = errno == ENOENT ? workdir_make(dfd, name, uid, gid) : -errno;
			if (r < 0 && r != -EEXIST)
				return werr_errno(err, -r, "mkdir %s/%s in the image", cur, name);
			if (r == -EEXIST) /* made meanwhile: look again */
				p -= n;
			else if (strlen(cur) + n + 2 > sizeof(cur))
				return werr_errno(err, ENAMETOOLONG, "WORKDIR %s", path);
			else
				strcat(strcat(cur, "/"), name);
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			if (strlen(cur) + n + 2 > sizeof(cur))
				return werr_errno(err, ENAMETOOLONG, "WORKDIR %s", path);
			strcat(strcat(cur, "/"), name);
			continue;
		}
		if (!S_ISLNK(st.st_mode))
			return werr_set(err, ENOTDIR,
			                "WORKDIR %s: %s/%s in the image is not a directory", path,
			                cur, name);
		if (++links > WORKDIR_MAX_LINKS)
			return werr_errno(err, ELOOP, "WORKDIR %s", path);
		tl = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (tl < 0)
			return werr_errno(err, errno, "readlink %s/%s in the image", cur, name);
		target[tl] = '\0';
		{
			char *next = NULL;
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

/* implements userns_exec()'s fn: mount the step's overlay, make the path */
static int workdir_in_ns(void *arg, struct werr *err)
{
	const struct workdir_job *j = arg;
	const struct bstep_dir *d = j->d;
	_cleanup_close_ int rootfd = -1;
	uid_t uid;
	gid_t gid;
	int r;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return werr_errno(err, errno, "a private mount namespace");
	/* copy mode: @merged is a copy of the stage's tree already */
	r = d->copied
	        ? 0
	        : ovlmount_mount(d->lower_base, d->lowerdir, d->upper, d->work, d->merged, err);
	if (r < 0)
		return r;
	rootfd = open(d->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return werr_errno(err, errno, "open %s", d->merged);
	r = workdir_owner(rootfd, j->user, &uid, &gid, err);
	return r < 0 ? r : workdir_mkdir_p(rootfd, j->path, uid, gid, err);
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
		/* fuse-overlay and vfs: the step writes into a copy of the stage's tree */
		if (r == 0 && b->driver != ROOTFS_OVERLAY)
			r = bcopymode_prepare(b, sg, &d, err);
		if (r == 0)
			r = userns_exec(&b->plan, workdir_in_ns, &j, err);
		if (r == 0 && d.copied)
			r = bcopymode_diff(b, &d, err);
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
