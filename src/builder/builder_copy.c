/* builder_copy.c - COPY and ADD steps: the sources (from the context, a
 * heredoc, another stage or an image) written into a fresh upper directory
 * through an overlay of the stage's layers, inside the user namespace so
 * that owners (root, or --chown resolved in the image's /etc/passwd) map
 * as the container sees them. Every path in the image is resolved with
 * RESOLVE_IN_ROOT; sources never leave the context (context.c). */
#include "builder_int.h"
#include "cleanup.h"
#include "fsnode.h"
#include "resolve.h"
#include "context_int.h"
#include "dockerignore.h"
#include "manifest.h"
#include "ovlmount.h"
#include "userns_exec.h"
#include "userspec.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <unistd.h>

/* a file of several links, copied once: its other names in the same source
 * become links to it (each source is a copy of its own, as in BuildKit) */
struct copy_link {
	size_t source;
	dev_t dev;
	ino_t ino;
	char *target; /* where it was copied (absolute in the image) */
};

struct copy_job {
	struct builder *b;
	const struct bstep_dir *d;
	const struct df_instr *x;
	struct bstage *sg;
	const struct bstage *from; /* --from stage or image, else NULL (the context) */
	char from_mnt[PATH_MAX + 16];
	const char *dest; /* absolute, cleaned */
	bool dest_dir;
	char **heredocs; /* per source: the expanded body of a heredoc source, or NULL */
	char **srcs;     /* the sources that are not heredocs */
	size_t nsrcs;
	struct context_list list; /* context sources, resolved by the parent */
	bool *archive;            /* ADD: per entry of @list, a local archive to extract */
	bool any_archive;
	struct strv url_files, url_names; /* ADD URL: downloaded file, its name */
	bool *url_archive;            /* ADD --unpack URL: per download, an archive to extract */
	int unpack;                   /* ADD --unpack: -1 not given (local archives only), 0, 1 */
	struct dockerignore *exclude; /* --exclude patterns, or NULL */
	bool parents;                 /* --parents: sources keep their directories */
	struct copy_link *links;      /* the files copied so far that have hard links */
	size_t nlinks;
	const char *chown, *chmod;
	uid_t uid;
	gid_t gid;
	mode_t mode; /* (mode_t)-1: keep the source's */
	int rootfd;
	char *from_hex;  /* --from: the hash of what is copied (MAP_SHARED, 65 bytes) */
	uint32_t *owner; /* ADD --chown of archives: uid, gid as resolved (MAP_SHARED) */
	char *dest_real; /* ADD of archives: DEST, its symlinks resolved (MAP_SHARED) */
};

#define COPY_DEST_REAL_SIZE (PATH_MAX + 2)

/* open @path (absolute in the image) under @rootfd, creating missing
 * directories owned by the copy's owner */
static int open_dir_p(struct copy_job *j, const char *path, struct werr *err)
{
	_cleanup_free_ char *p = strdup(path);
	int fd = resolve_open(j->rootfd, path, O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT);

	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : werr_errno(err, errno, "%s in the image", path);
	if (!p)
		return werr_errno(err, ENOMEM, "path");
	for (char *s = strchr(p + 1, '/');; s = strchr(s + 1, '/')) {
		char save = s ? *s : 0;
		if (s)
			*s = '\0';
		fd = resolve_open(j->rootfd, p, O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT);
		if (fd < 0 && errno == ENOENT) {
			char *slash = strrchr(p, '/');
			_cleanup_close_ int pfd = -1;
			*slash = '\0';
			pfd = resolve_open(j->rootfd, *p ? p : "/", O_RDONLY | O_DIRECTORY,
			                   RESOLVE_IN_ROOT);
			*slash = '/';
			if (pfd < 0 || (mkdirat(pfd, slash + 1, 0755) < 0 && errno != EEXIST) ||
			    fchownat(pfd, slash + 1, j->uid, j->gid, AT_SYMLINK_NOFOLLOW) < 0)
				return werr_errno(err, errno, "mkdir %s in the image", p);
			fd = resolve_open(j->rootfd, p, O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT);
		}
		if (fd < 0)
			return werr_errno(err, errno, "%s in the image", p);
		if (!s)
			return fd;
		close(fd);
		*s = save;
	}
}

/* the parent directory of @path (created) and its last component */
static int open_parent(struct copy_job *j, const char *path, const char **base, struct werr *err)
{
	const char *slash = strrchr(path, '/');
	_cleanup_free_ char *dir = strndup(path, (size_t)(slash - path));

	*base = slash + 1;
	if (!dir)
		return werr_errno(err, ENOMEM, "path");
	return open_dir_p(j, *dir ? dir : "/", err);
}

static int write_file(uid_t uid, gid_t gid, int pfd, const char *base, int src, mode_t mode,
                      struct werr *err)
{
	struct stat st;
	_cleanup_close_ int out = -1;

	if (unlinkat(pfd, base, 0) < 0 && errno != ENOENT && errno != EISDIR)
		return werr_errno(err, errno, "replace %s", base);
	out = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return werr_errno(err, errno, "create %s", base);
	if (src >= 0 && fstat(src, &st) == 0) {
		for (off_t left = st.st_size; left > 0;) {
			ssize_t n = sendfile(out, src, NULL, (size_t)left);
			if (n < 0 && errno == EINTR)
				continue;
			if (n <= 0)
				return werr_errno(err, n < 0 ? errno : EIO, "copy to %s", base);
			left -= n;
		}
		struct timespec ts[2] = { st.st_atim, st.st_mtim };
		futimens(out, ts);
	}
	if (fchown(out, uid, gid) < 0 || fchmod(out, mode) < 0)
		return werr_errno(err, errno, "owner and mode of %s", base);
	return 0;
}

/* a second name of a file already copied from the same source: a hard
 * link to the copy, as BuildKit makes it (*@done when so) */
static int copy_hardlink(struct copy_job *j, const struct context_entry *e, int pfd,
                         const char *base, const char *target, bool *done, struct werr *err)
{
	const char *fbase;
	_cleanup_close_ int fpfd = -1;
	struct copy_link *l;

	*done = false;
	if (!S_ISREG(e->mode) || e->nlink < 2)
		return 0;
	for (size_t i = 0; i < j->nlinks; i++) {
		if (j->links[i].source != e->source || j->links[i].dev != e->dev ||
		    j->links[i].ino != e->ino)
			continue;
		fpfd = open_parent(j, j->links[i].target, &fbase, err);
		if (fpfd < 0)
			return fpfd;
		if (unlinkat(pfd, base, 0) < 0 && errno != ENOENT)
			return werr_errno(err, errno, "replace %s", target);
		if (linkat(fpfd, fbase, pfd, base, 0) < 0)
			return werr_errno(err, errno, "link %s to %s", target, j->links[i].target);
		*done = true;
		return 0;
	}
	l = realloc(j->links, (j->nlinks + 1) * sizeof(*l));
	if (!l)
		return werr_errno(err, ENOMEM, "COPY");
	j->links = l;
	l[j->nlinks] = (struct copy_link){ e->source, e->dev, e->ino, strdup(target) };
	if (!l[j->nlinks].target)
		return werr_errno(err, ENOMEM, "COPY");
	j->nlinks++;
	return 0;
}

static int copy_entry(struct copy_job *j, int srcdir, const struct context_entry *e,
                      const char *target, struct werr *err)
{
	const char *base;
	_cleanup_close_ int pfd = open_parent(j, target, &base, err);
	mode_t mode = j->mode != (mode_t)-1 ? j->mode : e->mode & 07777;
	/* BuildKit: a copy from a stage or an image keeps its owners; one from
	 * the context belongs to root; --chown decides for both */
	bool keep = j->from && !j->chown;
	uid_t uid = keep ? e->uid : j->uid;
	gid_t gid = keep ? e->gid : j->gid;
	bool linked;

	if (pfd < 0)
		return pfd;
	if (S_ISDIR(e->mode)) {
		_cleanup_close_ int fd = -1;
		struct stat st;
		int r;
		if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) == 0 && !S_ISDIR(st.st_mode))
			unlinkat(pfd, base, 0);
		fd = fsnode_make(pfd, base, S_IFDIR | mode, 0);
		if (fd == -EEXIST)
			fd = fsnode_open(pfd, base, S_IFDIR);
		if (fd < 0)
			return werr_errno(err, -fd, "mkdir %s", target);
		if (fchownat(fd, "", uid, gid, AT_EMPTY_PATH) < 0)
			return werr_errno(err, errno, "owner of %s", target);
		r = fsnode_chmod(fd, mode);
		return r < 0 ? werr_errno(err, -r, "mode of %s", target) : 0;
	}
	if (S_ISLNK(e->mode)) {
		if (unlinkat(pfd, base, 0) < 0 && errno != ENOENT)
			return werr_errno(err, errno, "replace %s", target);
		if (symlinkat(e->link, pfd, base) < 0 ||
		    fchownat(pfd, base, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return werr_errno(err, errno, "symlink %s", target);
		return 0;
	}
	if (!S_ISREG(e->mode))
		return 0; /* devices, fifos and sockets are not copied */
	if (copy_hardlink(j, e, pfd, base, target, &linked, err) < 0 || linked)
		return linked ? 0 : -err->code;
	{
		_cleanup_close_ int src =
		    resolve_open(srcdir, e->path, O_RDONLY, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		if (src < 0)
			return werr_errno(err, errno, "open %s", e->path);
		return write_file(uid, gid, pfd, base, src, mode, err) < 0
		           ? werr_prefix(err, "%s", target)
		           : 0;
	}
}

/* where entry @e of @list goes: below DEST for a directory destination, a
 * directory source or a DEST the image has as a directory, else DEST itself */
static char *entry_target(struct copy_job *j, const struct context_list *list,
                          const struct context_entry *e)
{
	struct stat st;
	char *t = NULL;
	_cleanup_close_ int fd = -1;

	if (!j->dest_dir && !list->dir_source && e->dst && !strchr(e->dst, '/')) {
		fd = resolve_open(j->rootfd, j->dest, O_PATH, RESOLVE_IN_ROOT);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISDIR(st.st_mode))
			return strdup(j->dest);
	}
	if (!e->dst || !*e->dst)
		return strdup(j->dest);
	if (asprintf(&t, "%s/%s", strcmp(j->dest, "/") ? j->dest : "", e->dst) < 0)
		return NULL;
	return t;
}

static int owner_resolve(struct copy_job *j, struct werr *err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	struct userspec us;
	size_t len;
	const char *files[2] = { "/etc/passwd", "/etc/group" };
	char **bufs[2] = { &passwd, &group };

	j->uid = 0;
	j->gid = 0;
	if (!j->chown)
		return 0;
	for (size_t i = 0; i < 2; i++) {
		_cleanup_close_ int fd =
		    resolve_open(j->rootfd, files[i], O_RDONLY, RESOLVE_IN_ROOT);
		if (fd >= 0 && util_read_fd_all(fd, 4 << 20, bufs[i], &len, err) < 0)
			return -err->code;
	}
	if (userspec_resolve(j->chown, passwd, group, &us, err) < 0)
		return werr_prefix(err, "--chown=%s", j->chown);
	/* Docker: a user without a group gets the same number as its group */
	j->uid = us.uid;
	j->gid = strchr(j->chown, ':') ? us.gid : (gid_t)us.uid;
	if (j->owner) {
		j->owner[0] = (uint32_t)j->uid;
		j->owner[1] = (uint32_t)j->gid;
	}
	return 0;
}

/* the sources of a --from copy, resolved in that stage's root (mounted) */
static int from_sources(struct copy_job *j, struct context_list *list, int *srcfd, struct werr *err)
{
	const struct bstage *f = j->from;
	struct context fctx = { .dir = "the source stage",
		                .root = j->from_mnt,
		                .stage_root = true };
	char layers[PATH_MAX + 16];
	int r;

	snprintf(layers, sizeof(layers), "%s/layers", j->b->s.root);
	if (f->n_layers == 0)
		return werr_set(err, ENOENT, "the source stage has no files");
	if (j->b->driver != ROOTFS_OVERLAY && f->n_layers > 1) {
		/* copied by copy_from_hash, the overlay being the kernel's */
		snprintf(j->from_mnt, sizeof(j->from_mnt), "%s-from", j->d->merged);
	} else if (f->n_layers == 1) {
		snprintf(j->from_mnt, sizeof(j->from_mnt), "%s/%s/diff", layers,
		         digest_hex(f->chain[0]));
	} else {
		_cleanup_free_ char *lower = bstage_lowerdir(f);
		if (!lower)
			return werr_errno(err, ENOMEM, "lowerdir");
		snprintf(j->from_mnt, sizeof(j->from_mnt), "%s-from", j->d->merged);
		if (mkdir(j->from_mnt, 0755) < 0 && errno != EEXIST)
			return werr_errno(err, errno, "mkdir %s", j->from_mnt);
		if (ovlmount_mount(layers, lower, NULL, NULL, j->from_mnt, err) < 0)
			return -err->code;
	}
	*srcfd = open(j->from_mnt, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (*srcfd < 0)
		return werr_errno(err, errno, "open %s", j->from_mnt);
	fctx.dirfd = *srcfd;
	r = context_resolve_sources(&fctx, j->srcs, j->nsrcs, list, err);
	if (r == 0)
		bcopy_exclude(j->exclude, list);
	return r < 0 || !j->parents ? r : bcopy_parents(j->srcs, list, err);
}

/* runs in the user namespace: the hash of the --from sources into
 * @j->from_hex, as context_hash_sources() keys a copy from the context */
static int from_hash_in_ns(void *arg, struct werr *err)
{
	struct copy_job *j = arg;
	struct context_list list = { 0 };
	_cleanup_close_ int srcfd = -1;
	int r;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return werr_errno(err, errno, "a private mount namespace");
	r = from_sources(j, &list, &srcfd, err);
	if (r == 0) {
		struct context fctx = { .dir = "the source stage",
			                .root = j->from_mnt,
			                .dirfd = srcfd,
			                .stage_root = true };
		r = context_hash_sources(&fctx, &list, j->chown, j->chmod, j->from_hex, err);
	}
	context_list_free(&list);
	return r;
}

/* a COPY --from is keyed by what it copies, not by the whole source stage
 * (a change elsewhere in it does not rebuild this step): the step's
 * directories @d are made now, with the copy of a source stage of several
 * layers the drivers other than overlay read it from */
static int copy_from_hash(struct builder *b, struct bstage *sg, struct copy_job *j,
                          struct bstep_dir *d, struct werr *err)
{
	char from[sizeof(d->merged) + 8];
	int r;

	j->from_hex = mmap(NULL, 65, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (j->from_hex == MAP_FAILED) {
		j->from_hex = NULL;
		return werr_errno(err, errno, "mmap");
	}
	j->d = d;
	r = bstep_dir_new(b, sg, d, err);
	if (r == 0 && b->driver != ROOTFS_OVERLAY && j->from->n_layers > 1) {
		snprintf(from, sizeof(from), "%s-from", d->merged);
		r = bcopymode_tree(b, j->from, from, err);
	}
	if (r == 0)
		r = userns_exec(&b->plan, from_hash_in_ns, j, err);
	return r < 0 ? werr_prefix(err, "%s:%u: %s", b->df->filename, b->line, j->x->original) : 0;
}

/* ADD URL: the downloaded file, mode 0600 as Docker gives it */
static int copy_url(struct copy_job *j, size_t i, struct werr *err)
{
	_cleanup_free_ char *t = NULL;
	_cleanup_close_ int src = open(j->url_files.v[i], O_RDONLY | O_CLOEXEC), pfd = -1;
	const char *base;

	if (src < 0)
		return werr_errno(err, errno, "open %s", j->url_files.v[i]);
	if (asprintf(&t, "%s%s%s", strcmp(j->dest, "/") ? j->dest : "", j->dest_dir ? "/" : "",
	             j->dest_dir ? j->url_names.v[i] : "") < 0)
		return werr_errno(err, ENOMEM, "path");
	pfd = open_parent(j, t, &base, err);
	if (pfd < 0)
		return pfd;
	return write_file(j->uid, j->gid, pfd, base, src, j->mode != (mode_t)-1 ? j->mode : 0600,
	                  err);
}

/* COPY <<NAME DEST: the body written as a file (mode 0644 unless --chmod) */
static int copy_heredoc(struct copy_job *j, size_t i, struct werr *err)
{
	const struct df_heredoc *hd = dockerfile_instr_heredoc(j->x, j->x->args[i]);
	_cleanup_free_ char *t = NULL;
	_cleanup_close_ int pfd = -1, mfd = -1;
	const char *base;

	if (!hd)
		return 0;
	if (asprintf(&t, "%s%s%s", j->dest, j->dest_dir ? "/" : "", j->dest_dir ? hd->name : "") <
	    0)
		return werr_errno(err, ENOMEM, "path");
	pfd = open_parent(j, t, &base, err);
	if (pfd < 0)
		return pfd;
	mfd = memfd_create("heredoc", MFD_CLOEXEC);
	if (mfd < 0 || util_write_all(mfd, j->heredocs[i], strlen(j->heredocs[i])) < 0 ||
	    lseek(mfd, 0, SEEK_SET) < 0)
		return werr_errno(err, errno, "heredoc %s", hd->name);
	return write_file(j->uid, j->gid, pfd, base, mfd, j->mode != (mode_t)-1 ? j->mode : 0644,
	                  err);
}

/* runs in the user namespace: mount the step's overlay and copy */
static int copy_in_ns(void *arg, struct werr *err)
{
	struct copy_job *j = arg;
	const struct bstep_dir *d = j->d;
	struct context_list flist = { 0 }, *list = j->from ? &flist : &j->list;
	_cleanup_close_ int srcfd = -1;
	int r;

	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return werr_errno(err, errno, "a private mount namespace");
	/* copy mode: @merged is a copy of the stage's tree already */
	r = d->copied
	        ? 0
	        : ovlmount_mount(d->lower_base, d->lowerdir, d->upper, d->work, d->merged, err);
	if (r < 0)
		return r;
	j->rootfd = open(d->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j->rootfd < 0)
		return werr_errno(err, errno, "open %s", d->merged);
	/* this process's own copy of the job: the destination as resolved */
	{
		char *dest = bcopy_dest_follow(j->rootfd, j->dest, err), *slashed = NULL;
		if (!dest)
			return -err->code;
		if (j->dest_dir && strcmp(dest, "/") && asprintf(&slashed, "%s/", dest) < 0)
			slashed = NULL;
		free((char *)j->dest);
		j->dest = slashed ? slashed : dest;
		if (slashed)
			free(dest);
		if (j->dest_real)
			snprintf(j->dest_real, COPY_DEST_REAL_SIZE, "%s", j->dest);
	}
	r = owner_resolve(j, err);
	if (r == 0 && j->from && j->nsrcs)
		r = from_sources(j, list, &srcfd, err);
	/* Docker: a directory source's content goes into DEST, made a
	 * directory even when the source holds one file or none */
	if (r == 0 && (j->dest_dir || list->n > 1 || j->any_archive || list->dir_source)) {
		_cleanup_close_ int dfd = open_dir_p(j, j->dest, err);
		struct stat st;
		r = dfd < 0 ? dfd : 0;
		/* an archive is extracted into the upper directory itself: copy the
		 * destination up (a chmod to its own mode does) so it is there */
		if (r == 0 && j->any_archive &&
		    (fstat(dfd, &st) < 0 || fchmod(dfd, st.st_mode & 07777) < 0))
			r = werr_errno(err, errno, "%s in the image", j->dest);
	}
	for (size_t i = 0; r == 0 && i < j->url_files.n; i++)
		if (!j->url_archive || !j->url_archive[i])
			r = copy_url(j, i, err);
	for (size_t i = 0; r == 0 && i < list->n; i++) {
		_cleanup_free_ char *t = NULL;
		if (j->archive && j->archive[i])
			continue;
		t = entry_target(j, list, &list->v[i]);
		r = t ? copy_entry(j, j->from ? srcfd : j->b->ctx->dirfd, &list->v[i], t, err)
		      : werr_errno(err, ENOMEM, "path");
	}
	for (size_t i = 0; r == 0 && i < j->x->nargs - 1; i++)
		r = copy_heredoc(j, i, err);
	context_list_free(&flist);
	return r;
}

/* the stage or image COPY --from names (an image is loaded into @tmp) */
static int copy_from(struct builder *b, const char *from, struct bstage *tmp,
                     const struct bstage **out, struct werr *err)
{
	long idx = dockerfile_stage_find(b->df, from);

	if (idx >= 0) {
		if (!b->stages[idx].built)
			return werr_set(
			    err, EINVAL,
			    "%s:%u: COPY --from=%s names a stage that is not built before "
			    "this one",
			    b->df->filename, b->line, from);
		*out = &b->stages[idx];
		return 0;
	}
	/* a plain word is a stage name, mistyped: an image name would be pulled */
	if (!strpbrk(from, "/:.@"))
		return werr_set(err, ENOENT,
		                "%s:%u: COPY --from=%s: no stage is named %s (name one defined "
		                "with FROM ... AS NAME, its index, or an image)",
		                b->df->filename, b->line, from, from);
	if (bconfig_from_image(b, tmp, from, err) < 0)
		return werr_prefix(err, "%s:%u: COPY --from=%s", b->df->filename, b->line, from);
	*out = tmp;
	return 0;
}

static bool is_url(const char *s)
{
	return !strncmp(s, "http://", 7) || !strncmp(s, "https://", 8);
}

/* ADD URL: downloaded into staging now (its content is part of the key) */
static int fetch_url(struct builder *b, struct copy_job *j, const char *url, struct werr *err)
{
	char out[PATH_MAX + 32];
	const char *p = strstr(url, "://") + 3, *slash = strchr(p, '/');
	_cleanup_free_ char *name = NULL;
	size_t n;

	snprintf(out, sizeof(out), "%s/url%u", b->stdir, ++b->seq);
	if (b->o->hooks.fetch(b->o->hooks.ctx, url, out, err) < 0)
		return -err->code;
	if (badd_checksum_verify(j->x, url, out, err) < 0)
		return -err->code;
	/* the file's name: the last component of the URL's path */
	p = slash ? slash : "/";
	n = strcspn(p, "?#");
	while (n > 1 && p[n - 1] == '/')
		n--;
	name = strndup(p, n);
	if (!name)
		return werr_errno(err, ENOMEM, "ADD");
	if (!strrchr(name, '/')[1])
		return werr_set(err, EINVAL,
		                "ADD %s: the URL names no file: give a destination file", url);
	strv_push(&j->url_files, out);
	strv_push(&j->url_names, strrchr(name, '/') + 1);
	return j->url_files.oom || j->url_names.oom ? werr_errno(err, ENOMEM, "ADD") : 0;
}

/* whether the context file @path is an archive ADD extracts: tar (plain,
 * gzip, bzip2, xz or zstd compressed), by its magic bytes */
static bool archive_p(int dirfd, const char *path)
{
	_cleanup_close_ int fd =
	    resolve_open(dirfd, path, O_RDONLY, path[0] == '/' ? 0 : RESOLVE_BENEATH);
	unsigned char h[512];
	ssize_t n = fd >= 0 ? pread(fd, h, sizeof(h), 0) : -1;

	if (n >= 2 && h[0] == 0x1f && h[1] == 0x8b)
		return true;
	if (n >= 3 && !memcmp(h, "BZh", 3))
		return true;
	if (n >= 6 && !memcmp(h,
	                      "\xfd"
	                      "7zXZ\0",
	                      6))
		return true;
	if (n >= 4 && !memcmp(h, "\x28\xb5\x2f\xfd", 4))
		return true;
	return n >= 262 && !memcmp(h + 257, "ustar", 5);
}

/* ADD: the entries that are local archives named as sources themselves
 * (directly, through a symlink or by a wildcard; not files inside a
 * directory source) are extracted instead of copied, unless --unpack=false;
 * with --unpack, so are downloaded ones */
static int archives_mark(struct builder *b, struct copy_job *j, struct werr *err)
{
	j->archive = calloc(j->list.n + 1, sizeof(bool));
	j->url_archive = calloc(j->url_files.n + 1, sizeof(bool));
	if (!j->archive || !j->url_archive)
		return werr_errno(err, ENOMEM, "ADD");
	for (size_t i = 0; j->unpack != 0 && i < j->list.n; i++) {
		const struct context_entry *e = &j->list.v[i];
		if (S_ISREG(e->mode) && e->named && archive_p(b->ctx->dirfd, e->path))
			j->archive[i] = j->any_archive = true;
	}
	for (size_t i = 0; j->unpack == 1 && i < j->url_files.n; i++)
		if (archive_p(AT_FDCWD, j->url_files.v[i]))
			j->url_archive[i] = j->any_archive = true;
	return 0;
}

/* after the copy: extract the archives into the step's upper directory */
/* @path, its symbolic links resolved, is @root or below it */
static bool path_inside(const char *path, const char *root)
{
	_cleanup_free_ char *p = realpath(path, NULL), *r = realpath(root, NULL);
	size_t n = r ? strlen(r) : 0;

	return p && r && !strncmp(p, r, n) && (p[n] == '\0' || p[n] == '/');
}

static int archives_extract(struct builder *b, struct copy_job *j, const struct bstep_dir *d,
                            struct werr *err)
{
	size_t nl = j->archive ? j->list.n : 0, nu = j->url_archive ? j->url_files.n : 0;
	const char *dest = j->dest_real && *j->dest_real ? j->dest_real : j->dest;
	char owner[32];

	/* BuildKit (v0.23 on): --chown owns what an archive holds too */
	if (j->owner)
		snprintf(owner, sizeof(owner), "%u:%u", j->owner[0], j->owner[1]);
	for (size_t i = 0; i < nl + nu; i++) {
		_cleanup_free_ char *file = NULL, *dir = NULL;
		const char *name = i < nl ? j->list.v[i].path : j->url_names.v[i - nl];
		if (i < nl ? !j->archive[i] : !j->url_archive[i - nl])
			continue;
		if ((i < nl ? asprintf(&file, "%s/%s", b->ctx->root, name)
		            : asprintf(&file, "%s", j->url_files.v[i - nl])) < 0 ||
		    asprintf(&dir, "%s%s", d->copied ? d->merged : d->upper, dest) < 0)
			return werr_errno(err, ENOMEM, "ADD");
		if (d->copied && !path_inside(dir, d->merged))
			return werr_set(err, ENOTSUP,
			                "ADD %s: the destination %s goes through a symbolic link "
			                "out of the image: give the path it points to",
			                name, dest);
		if (b->o->hooks.untar(b->o->hooks.ctx, file, dir, false, j->owner ? owner : NULL,
		                      err) < 0)
			return -err->code;
	}
	return 0;
}

/* the sources, heredoc bodies, destination, owner and mode of @j */
static int copy_prepare(struct builder *b, struct bstage *sg, struct copy_job *j, struct werr *err)
{
	const struct df_instr *x = j->x;
	const char *wd = json_string_value(json_object_get(bconfig_get(sg), "WorkingDir"));
	_cleanup_free_ char *dest = NULL;
	int r = 0;

	if (x->nargs < 2)
		return werr_set(err, EINVAL, "%s:%u: %s needs a source and a destination",
		                b->df->filename, b->line, dockerfile_kind_name(x->kind));
	j->heredocs = calloc(x->nargs, sizeof(char *));
	j->srcs = calloc(x->nargs, sizeof(char *));
	if (!j->heredocs || !j->srcs)
		return werr_errno(err, ENOMEM, "COPY");
	for (size_t i = 0; r == 0 && i + 1 < x->nargs; i++) {
		const struct df_heredoc *hd = dockerfile_instr_heredoc(x, x->args[i]);
		if (!hd && x->kind == DF_ADD && is_url(x->args[i]))
			r = fetch_url(b, j, x->args[i], err);
		else if (!hd)
			j->srcs[j->nsrcs++] = x->args[i];
		else if (dockerfile_heredoc_expand(b->df, x, hd, &sg->scope, &j->heredocs[i], err) <
		         0)
			return -err->code;
	}
	if (r < 0)
		return werr_prefix(err, "%s:%u", b->df->filename, b->line);
	if (j->chmod) {
		char *end;
		unsigned long m = strtoul(j->chmod, &end, 8);
		if (!*j->chmod || *end || m > 07777)
			return werr_set(err, EINVAL,
			                "%s:%u: --chmod=%s: use an octal mode like 0755",
			                b->df->filename, b->line, j->chmod);
		j->mode = (mode_t)m;
	}
	r = context_copy_dest(wd && *wd ? wd : "/", x->args[x->nargs - 1], x->nargs - 1, &dest,
	                      &j->dest_dir, err);
	if (r < 0)
		return werr_prefix(err, "%s:%u", b->df->filename, b->line);
	dockerignore_clean(dest);
	j->dest = steal_ptr(&dest);
	if (!j->from && j->nsrcs) {
		if (context_resolve_sources(b->ctx, j->srcs, j->nsrcs, &j->list, err) < 0)
			return werr_prefix(err, "%s:%u: %s", b->df->filename, b->line, x->original);
		bcopy_exclude(j->exclude, &j->list);
		if (j->parents && bcopy_parents(j->srcs, &j->list, err) < 0)
			return -err->code;
	}
	return x->kind == DF_ADD && !j->from ? archives_mark(b, j, err) : 0;
}

/* a boolean flag: -1 absent, else 0 or 1 (the parser took only these) */
static int flag_bool(const struct df_instr *x, const char *name)
{
	const struct df_flag *f = dockerfile_instr_flag(x, name);

	return !f ? -1 : !f->value || !strcmp(f->value, "true");
}

/* --exclude, --parents, --unpack, --link and --keep-git-dir of @j->x */
static int copy_flags(struct builder *b, struct copy_job *j, struct werr *err)
{
	const struct df_instr *x = j->x;
	struct strbuf text = { 0 };
	int r = 0;

	if (flag_bool(x, "keep-git-dir") == 1)
		return werr_set(err, ENOTSUP,
		                "%s:%u: ADD --keep-git-dir: warren does not add git repositories "
		                "(clone it into the build context, or in a RUN step)",
		                b->df->filename, b->line);
	/* --link: the tree BuildKit makes is the one a plain copy makes (the
	 * step is a layer of its own here anyway) */
	j->parents = flag_bool(x, "parents") == 1;
	j->unpack = flag_bool(x, "unpack");
	for (size_t i = 0; i < x->nflags; i++)
		if (!strcmp(x->flags[i].name, "exclude") && x->flags[i].value) {
			strbuf_adds(&text, x->flags[i].value);
			strbuf_addc(&text, '\n');
		}
	if (text.oom)
		r = werr_errno(err, ENOMEM, "--exclude");
	else if (text.s)
		r = dockerignore_parse(text.s, text.len, "--exclude", &j->exclude, err);
	strbuf_free(&text);
	return r < 0 ? werr_prefix(err, "%s:%u", b->df->filename, b->line) : 0;
}

/* the cache key's text: instruction, workdir, and what the sources hold */
static char *copy_key(struct builder *b, struct copy_job *j, struct werr *err)
{
	_cleanup_free_ char *text = binstr_text(j->x);
	char hex[65] = "";
	char *out = NULL;

	if (!text)
		return NULL;
	struct strbuf urls = { 0 };

	if (!j->from && j->list.n &&
	    context_hash_sources(b->ctx, &j->list, j->chown, j->chmod, hex, err) < 0)
		return NULL;
	for (size_t i = 0; i < j->url_files.n; i++) {
		_cleanup_close_ int fd = open(j->url_files.v[i], O_RDONLY | O_CLOEXEC);
		char dg[DIGEST_STR_LEN + 1];
		if (fd < 0 || digest_fd(fd, dg, NULL, err) < 0) {
			strbuf_free(&urls);
			return NULL;
		}
		strbuf_adds(&urls, dg);
	}
	if (asprintf(&out, "%s\n%s\n%s\n%s", text, j->dest, j->from_hex ? j->from_hex : hex,
	             urls.s ? urls.s : "") < 0)
		out = NULL;
	strbuf_free(&urls);
	return out;
}

int bcopy_step(struct builder *b, struct bstage *sg, const struct df_instr *x, struct werr *err)
{
	const struct df_flag *from = dockerfile_instr_flag(x, "from");
	const struct df_flag *chown = dockerfile_instr_flag(x, "chown");
	const struct df_flag *chmod = dockerfile_instr_flag(x, "chmod");
	struct copy_job j = { .b = b, .x = x, .sg = sg, .mode = (mode_t)-1 };
	struct bstage tmp = { 0 };
	struct bstep_dir d = { 0 };
	_cleanup_free_ char *key = NULL;
	char diff_id[DIGEST_STR_LEN + 1], created[32];
	uint64_t size = 0;
	bool hit = false;
	int r = 0;

	j.chown = chown ? chown->value : NULL;
	j.chmod = chmod ? chmod->value : NULL;
	r = copy_flags(b, &j, err);
	if (r == 0 && j.chown && x->kind == DF_ADD) {
		j.owner = mmap(NULL, 2 * sizeof(uint32_t), PROT_READ | PROT_WRITE,
		               MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (j.owner == MAP_FAILED) {
			j.owner = NULL;
			r = werr_errno(err, errno, "mmap");
		}
	}
	if (r == 0)
		r = badd_checksum_check(b, x, err);
	if (r == 0 && from && from->value)
		r = copy_from(b, from->value, &tmp, &j.from, err);
	if (r == 0)
		r = copy_prepare(b, sg, &j, err);
	if (r == 0 && j.any_archive) {
		j.dest_real = mmap(NULL, COPY_DEST_REAL_SIZE, PROT_READ | PROT_WRITE,
		                   MAP_SHARED | MAP_ANONYMOUS, -1, 0);
		if (j.dest_real == MAP_FAILED) {
			j.dest_real = NULL;
			r = werr_errno(err, errno, "mmap");
		}
	}
	if (r == 0 && j.from && j.nsrcs)
		r = copy_from_hash(b, sg, &j, &d, err);
	if (r == 0 && !(key = copy_key(b, &j, err)))
		r = err->code ? -err->code : werr_errno(err, ENOMEM, "COPY");
	if (r == 0) {
		bcache_key(sg, key);
		r = bcache_lookup(b, sg, x->original, &hit, err);
	}
	if (r == 0 && !hit) {
		if (!j.d) {
			j.d = &d;
			r = bstep_dir_new(b, sg, &d, err);
		}
		/* fuse-overlay and vfs: the step writes into a copy of the stage's tree */
		if (r == 0 && b->driver != ROOTFS_OVERLAY)
			r = bcopymode_prepare(b, sg, &d, err);
		if (r == 0)
			r = userns_exec(&b->plan, copy_in_ns, &j, err);
		if (r == 0)
			r = archives_extract(b, &j, &d, err);
		if (r == 0 && d.copied)
			r = bcopymode_diff(b, &d, err);
		if (r < 0)
			werr_prefix(err, "%s:%u: %s", b->df->filename, b->line, x->original);
		if (r == 0)
			r = blayer_commit(b, sg, &d, diff_id, &size, err);
		bstep_dir_free(b, &d);
		j.d = NULL;
		if (r == 0) {
			bnow(created, sizeof(created));
			bhistory_add(sg, created, x->original, false);
			r = bcache_save(b, sg, diff_id, size, created, err);
		}
	}
	if (j.d) /* a --from copy's, hashed and found in the cache */
		bstep_dir_free(b, &d);
	if (j.from_hex)
		munmap(j.from_hex, 65);
	if (j.owner)
		munmap(j.owner, 2 * sizeof(uint32_t));
	if (j.dest_real)
		munmap(j.dest_real, COPY_DEST_REAL_SIZE);
	for (size_t i = 0; i < j.nlinks; i++)
		free(j.links[i].target);
	free(j.links);
	free(j.url_archive);
	dockerignore_free(j.exclude);
	for (size_t i = 0; j.heredocs && i < x->nargs; i++)
		free(j.heredocs[i]);
	free(j.heredocs);
	free(j.srcs);
	free((char *)j.dest);
	context_list_free(&j.list);
	free(j.archive);
	strv_free(&j.url_files);
	strv_free(&j.url_names);
	bstage_free(&tmp);
	return r < 0 ? r : hit;
}
