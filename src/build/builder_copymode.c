/* builder_copymode.c - build steps where the kernel overlay is not used
 * (--storage-driver fuse-overlay or vfs): a step works on a private copy of
 * the stage's image (merged/), and its layer is what differs from a second,
 * untouched copy (lower/): changed and new entries hard-linked into the
 * upper directory (owners, modes and xattrs kept), removed ones as ".wh."
 * whiteouts. The store's layer directory is then the layer tar unpacked, as
 * a pull makes it, so every driver can use it. */
#include "builder_int.h"
#include "cleanup.h"
#include "userns_exec.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define CM_DEPTH 256

int bcopymode_tree(struct builder *b, const struct bstage *sg, const char *dest, struct werr *err)
{
	if (sg->n_layers == 0 || !sg->image[0])
		return mkdir(dest, 0755) < 0 ? werr_errno(err, errno, "create %s", dest) : 0;
	return b->o->hooks.rootfs_copy(sg->image, dest, &b->plan, err);
}

int bcopymode_prepare(struct builder *b, const struct bstage *sg, struct bstep_dir *d,
                      struct werr *err)
{
	snprintf(d->lower_copy, sizeof(d->lower_copy), "%s/%s-lower", b->stdir, d->name);
	if (rmdir(d->merged) < 0)
		return werr_errno(err, errno, "remove %s", d->merged);
	d->copied = true;
	if (bcopymode_tree(b, sg, d->merged, err) < 0 ||
	    bcopymode_tree(b, sg, d->lower_copy, err) < 0)
		return werr_prefix(err, "a copy of the stage's image for the %s storage driver",
		                   rootfs_driver_name(b->driver));
	return 0;
}

struct cm_ctx {
	int c, l, u; /* the changed copy, the untouched one, the upper directory */
};

static bool cm_same(const struct stat *a, const struct stat *b)
{
	if (a->st_mode != b->st_mode || a->st_uid != b->st_uid || a->st_gid != b->st_gid)
		return false;
	if (S_ISDIR(a->st_mode))
		return true;
	if (S_ISCHR(a->st_mode) || S_ISBLK(a->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_ino == b->st_ino ||
	       (a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	        a->st_mtim.tv_nsec == b->st_mtim.tv_nsec);
}

/* directory @rel of the copy in the upper directory, with its owner and
 * mode (its parents first) */
static int cm_updir(struct cm_ctx *x, const char *rel, struct werr *err)
{
	char p[PATH_MAX];
	struct stat st;

	if (!*rel || fstatat(x->u, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	snprintf(p, sizeof(p), "%s", rel);
	if (strrchr(p, '/')) {
		*strrchr(p, '/') = '\0';
		if (cm_updir(x, p, err) < 0)
			return -err->code;
	}
	if (fstatat(x->c, rel, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return werr_errno(err, errno, "%s", rel);
	if (mkdirat(x->u, rel, 0700) < 0 ||
	    fchownat(x->u, rel, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) < 0 ||
	    fchmodat(x->u, rel, st.st_mode & 07777, 0) < 0)
		return werr_errno(err, errno, "the layer's directory %s", rel);
	return 0;
}

/* the times of upper directory @rel as in the copy, once its entries are in */
static void cm_uptimes(struct cm_ctx *x, const char *rel)
{
	struct stat st;

	if (*rel && fstatat(x->c, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    faccessat(x->u, rel, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		utimensat(x->u, rel, (struct timespec[]){ st.st_atim, st.st_mtim },
		          AT_SYMLINK_NOFOLLOW);
}

static int cm_walk(struct cm_ctx *x, const char *rel, bool whole, unsigned depth, struct werr *err);

/* entry @rel of the copy, new or changed: into the upper directory */
static int cm_take(struct cm_ctx *x, const char *rel, const struct stat *st, unsigned depth,
                   struct werr *err)
{
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", rel);
	*(strrchr(parent, '/') ? strrchr(parent, '/') : parent) = '\0';
	if (cm_updir(x, parent, err) < 0)
		return -err->code;
	if (S_ISDIR(st->st_mode))
		return cm_updir(x, rel, err) < 0 ? -err->code
		                                 : cm_walk(x, rel, true, depth + 1, err);
	if (linkat(x->c, rel, x->u, rel, 0) < 0)
		return werr_errno(err, errno, "the layer's %s", rel);
	return 0;
}

/* entry @rel of the lower copy is gone from the changed one: a whiteout */
static int cm_whiteout(struct cm_ctx *x, const char *dir, const char *name, struct werr *err)
{
	char p[PATH_MAX];
	int fd;

	if (cm_updir(x, dir, err) < 0)
		return -err->code;
	snprintf(p, sizeof(p), "%s%s.wh.%s", dir, *dir ? "/" : "", name);
	fd = openat(x->u, p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return werr_errno(err, errno, "whiteout %s", p);
	close(fd);
	return 0;
}

static int cm_each(int dirfd, const char *rel,
                   int (*fn)(struct cm_ctx *, const char *, const char *, unsigned, struct werr *),
                   struct cm_ctx *x, unsigned depth, struct werr *err)
{
	int fd = openat(dirfd, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return werr_errno(err, errno, "read %s", *rel ? rel : "/");
	}
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = fn(x, rel, de->d_name, depth, err);
	closedir(d);
	return r;
}

/* an entry of the changed copy: unchanged, changed, or new */
static int cm_changed(struct cm_ctx *x, const char *dir, const char *name, unsigned depth,
                      struct werr *err)
{
	char rel[PATH_MAX];
	struct stat cs, ls;
	bool in_lower;

	snprintf(rel, sizeof(rel), "%s%s%s", dir, *dir ? "/" : "", name);
	if (fstatat(x->c, rel, &cs, AT_SYMLINK_NOFOLLOW) < 0)
		return werr_errno(err, errno, "%s", rel);
	in_lower = fstatat(x->l, rel, &ls, AT_SYMLINK_NOFOLLOW) == 0;
	if (!in_lower || (cs.st_mode & S_IFMT) != (ls.st_mode & S_IFMT) || !S_ISDIR(cs.st_mode))
		return in_lower && cm_same(&cs, &ls) ? 0 : cm_take(x, rel, &cs, depth, err);
	if (!cm_same(&cs, &ls) && cm_updir(x, rel, err) < 0)
		return -err->code;
	return cm_walk(x, rel, false, depth + 1, err);
}

/* an entry of the untouched copy: still there, or a whiteout */
static int cm_removed(struct cm_ctx *x, const char *dir, const char *name, unsigned depth,
                      struct werr *err)
{
	char rel[PATH_MAX];
	struct stat st;

	(void)depth;
	snprintf(rel, sizeof(rel), "%s%s%s", dir, *dir ? "/" : "", name);
	if (fstatat(x->c, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	return cm_whiteout(x, dir, name, err);
}

/* the tree at @rel (@whole: all of it is new) */
static int cm_walk(struct cm_ctx *x, const char *rel, bool whole, unsigned depth, struct werr *err)
{
	int r;

	if (depth > CM_DEPTH)
		return werr_set(err, E2BIG, "%s: directories nested too deep", rel);
	if (whole) {
		struct cm_ctx all = { x->c, -1, x->u };
		r = cm_each(x->c, rel, cm_changed, &all, depth, err);
	} else {
		r = cm_each(x->c, rel, cm_changed, x, depth, err);
		if (r == 0)
			r = cm_each(x->l, rel, cm_removed, x, depth, err);
	}
	cm_uptimes(x, rel);
	return r;
}

struct cm_arg {
	const struct bstep_dir *d;
};

/* runs in the user namespace: the owners are the image's */
static int diff_in_ns(void *arg, struct werr *err)
{
	const struct bstep_dir *d = ((struct cm_arg *)arg)->d;
	_cleanup_close_ int c = open(d->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int l = open(d->lower_copy, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int u = open(d->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct cm_ctx x = { c, l, u };

	if (c < 0 || l < 0 || u < 0)
		return werr_errno(err, errno, "the step's copies in %s", d->upper);
	return cm_walk(&x, "", false, 0, err);
}

int bcopymode_diff(struct builder *b, const struct bstep_dir *d, struct werr *err)
{
	struct cm_arg a = { d };

	return userns_exec(&b->plan, diff_in_ns, &a, err);
}
