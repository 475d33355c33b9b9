/* builder_copymode.c - build steps where the kernel overlay is not used
 * (--storage-driver fuse-overlay or vfs): a step works on a private copy of
 * the stage's image (merged/), and its layer is what differs from the stat
 * of every entry taken before (sN.snap): changed and new entries hard-linked
 * into the upper directory (owners, modes and xattrs kept), removed ones as
 * ".wh." whiteouts. The store's layer directory is then the layer tar unpacked, as
 * a pull makes it, so every driver can use it. */
#include "builder_int.h"
#include "cleanup.h"
#include "fsnode.h"
#include "userns_exec.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdint.h>
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

/* one entry of the tree before the step (what its stat said) */
struct cm_rec {
	uint64_t ino, size;
	int64_t mtime, mtime_ns, ctime, ctime_ns;
	uint32_t mode, uid, gid;
	uint16_t len; /* the path's length; the path follows */
};

struct cm_snap {
	char *buf;
	size_t len;
	struct cm_rec **v; /* sorted by cm_cmp */
	size_t n;
};

struct cm_ctx {
	int c, u;  /* the changed copy, the upper directory */
	FILE *out; /* snapshot: the records written */
	struct cm_snap *snap;
	bool whole; /* a new directory: every entry below is new */
};

static const char *cm_path(const struct cm_rec *r)
{
	return (const char *)(r + 1);
}

static int cm_rank(char c)
{
	return c == '\0' ? 0 : c == '/' ? 1 : (unsigned char)c + 1;
}

/* path order with "/" first, so that a directory's entries follow it */
static int cm_pathcmp(const char *a, const char *b)
{
	for (; *a && *a == *b; a++, b++)
		;
	return cm_rank(*a) - cm_rank(*b);
}

static int cm_cmp(const void *a, const void *b)
{
	return cm_pathcmp(cm_path(*(struct cm_rec *const *)a), cm_path(*(struct cm_rec *const *)b));
}

static const struct cm_rec *cm_find(const struct cm_snap *s, const char *rel)
{
	size_t lo = 0, hi = s->n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = cm_pathcmp(cm_path(s->v[mid]), rel);
		if (c == 0)
			return s->v[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

/* unchanged since the snapshot: same inode, owner, mode, times */
static bool cm_same(const struct stat *a, const struct cm_rec *b)
{
	if (a->st_mode != b->mode || a->st_uid != b->uid || a->st_gid != b->gid)
		return false;
	if (S_ISDIR(a->st_mode))
		return true;
	return a->st_ino == b->ino && (uint64_t)a->st_size == b->size &&
	       a->st_mtim.tv_sec == b->mtime && a->st_mtim.tv_nsec == b->mtime_ns &&
	       a->st_ctim.tv_sec == b->ctime && a->st_ctim.tv_nsec == b->ctime_ns;
}

/* directory @rel of the copy in the upper directory, with its owner and
 * mode (its parents first) */
static int cm_updir(struct cm_ctx *x, const char *rel, struct werr *err)
{
	_cleanup_close_ int fd = -1;
	char p[PATH_MAX];
	struct stat st;
	int r;

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
	fd = fsnode_make(x->u, rel, S_IFDIR | (st.st_mode & 07777), 0);
	if (fd < 0)
		return werr_errno(err, -fd, "the layer's directory %s", rel);
	if (fchownat(fd, "", st.st_uid, st.st_gid, AT_EMPTY_PATH) < 0)
		return werr_errno(err, errno, "the layer's directory %s", rel);
	r = fsnode_chmod(fd, st.st_mode & 07777);
	return r < 0 ? werr_errno(err, -r, "the layer's directory %s", rel) : 0;
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

static int cm_walk(struct cm_ctx *x, const char *rel, unsigned depth, struct werr *err);

/* entry @rel of the copy, new or changed: into the upper directory */
static int cm_take(struct cm_ctx *x, const char *rel, const struct stat *st, unsigned depth,
                   struct werr *err)
{
	char parent[PATH_MAX];

	snprintf(parent, sizeof(parent), "%s", rel);
	*(strrchr(parent, '/') ? strrchr(parent, '/') : parent) = '\0';
	if (cm_updir(x, parent, err) < 0)
		return -err->code;
	if (S_ISDIR(st->st_mode)) {
		struct cm_ctx all = { x->c, x->u, NULL, x->snap, true };
		return cm_updir(x, rel, err) < 0 ? -err->code : cm_walk(&all, rel, depth + 1, err);
	}
	if (linkat(x->c, rel, x->u, rel, 0) < 0)
		return werr_errno(err, errno, "the layer's %s", rel);
	return 0;
}

/* entry @rel is gone from the copy: a whiteout in its directory @dir */
static int cm_whiteout(struct cm_ctx *x, const char *rel, struct werr *err)
{
	char dir[PATH_MAX], p[PATH_MAX + 8];
	const char *name = strrchr(rel, '/') ? strrchr(rel, '/') + 1 : rel;
	int fd;

	snprintf(dir, sizeof(dir), "%.*s", (int)(name > rel ? name - rel - 1 : 0), rel);
	if (cm_updir(x, dir, err) < 0)
		return -err->code;
	snprintf(p, sizeof(p), "%s%s.wh.%s", dir, *dir ? "/" : "", name);
	fd = openat(x->u, p, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return werr_errno(err, errno, "whiteout %s", p);
	close(fd);
	return 0;
}

/* an entry of the copy: recorded (snapshot), or unchanged, changed, new */
static int cm_entry(struct cm_ctx *x, const char *rel, unsigned depth, struct werr *err)
{
	const struct cm_rec *was;
	struct stat cs;

	if (fstatat(x->c, rel, &cs, AT_SYMLINK_NOFOLLOW) < 0)
		return werr_errno(err, errno, "%s", rel);
	if (x->out) {
		struct cm_rec r = { (uint64_t)cs.st_ino, (uint64_t)cs.st_size,
			            cs.st_mtim.tv_sec,   cs.st_mtim.tv_nsec,
			            cs.st_ctim.tv_sec,   cs.st_ctim.tv_nsec,
			            cs.st_mode,          cs.st_uid,
			            cs.st_gid,           (uint16_t)strlen(rel) };
		static const char pad[8];
		size_t npad = (8 - (r.len + 1) % 8) % 8;
		if (fwrite(&r, sizeof(r), 1, x->out) != 1 ||
		    fwrite(rel, r.len + 1, 1, x->out) != 1 ||
		    (npad && fwrite(pad, npad, 1, x->out) != 1))
			return werr_errno(err, errno ? errno : EIO, "the tree's snapshot");
		return S_ISDIR(cs.st_mode) ? cm_walk(x, rel, depth + 1, err) : 0;
	}
	was = x->whole ? NULL : cm_find(x->snap, rel);
	if (!was || (cs.st_mode & S_IFMT) != (was->mode & S_IFMT) || !S_ISDIR(cs.st_mode))
		return was && cm_same(&cs, was) ? 0 : cm_take(x, rel, &cs, depth, err);
	if (!cm_same(&cs, was) && cm_updir(x, rel, err) < 0)
		return -err->code;
	return cm_walk(x, rel, depth + 1, err);
}

/* the entries of directory @rel of the copy */
static int cm_walk(struct cm_ctx *x, const char *rel, unsigned depth, struct werr *err)
{
	int fd = openat(x->c, *rel ? rel : ".", O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r = 0;

	if (depth > CM_DEPTH)
		r = werr_set(err, E2BIG, "%s: directories nested too deep", rel);
	if (!d) {
		if (fd >= 0)
			close(fd);
		return r < 0 ? r : werr_errno(err, errno, "read %s", *rel ? rel : "/");
	}
	while (r == 0 && (de = readdir(d))) {
		char p[PATH_MAX];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if ((size_t)snprintf(p, sizeof(p), "%s%s%s", rel, *rel ? "/" : "", de->d_name) >=
		    sizeof(p))
			r = werr_set(err, ENAMETOOLONG, "%s/%s: path too long", rel, de->d_name);
		else
			r = cm_entry(x, p, depth, err);
	}
	closedir(d);
	if (!x->out)
		cm_uptimes(x, rel);
	return r;
}

/* the entries of the snapshot the copy no longer has: whiteouts, the
 * topmost only (the snapshot's order puts a directory's entries after it) */
static int cm_removed(struct cm_ctx *x, struct werr *err)
{
	const char *skip = NULL;
	size_t skip_len = 0;

	for (size_t i = 0; i < x->snap->n; i++) {
		const char *p = cm_path(x->snap->v[i]);
		struct stat st;
		bool gone;
		if (skip && !strncmp(p, skip, skip_len) && p[skip_len] == '/')
			continue;
		gone = fstatat(x->c, p, &st, AT_SYMLINK_NOFOLLOW) < 0;
		if (gone && cm_whiteout(x, p, err) < 0)
			return -err->code;
		if (gone || !S_ISDIR(st.st_mode)) {
			skip = p;
			skip_len = strlen(p);
		}
	}
	return 0;
}

struct cm_arg {
	const struct bstep_dir *d;
};

/* runs in the user namespace: the stat of every entry of the copy */
static int snap_in_ns(void *arg, struct werr *err)
{
	const struct bstep_dir *d = ((struct cm_arg *)arg)->d;
	_cleanup_close_ int c = open(d->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	FILE *out = fopen(d->snapshot, "wxe");
	struct cm_ctx x = { c, -1, out, NULL, false };
	int r;

	if (c < 0 || !out) {
		if (out)
			fclose(out);
		return werr_errno(err, errno, "the snapshot %s", d->snapshot);
	}
	r = cm_walk(&x, "", 0, err);
	if (fclose(out) != 0 && r == 0)
		r = werr_errno(err, errno, "write %s", d->snapshot);
	return r;
}

static int snap_load(const char *path, struct cm_snap *s, struct werr *err)
{
	size_t cap = 0;

	if (util_read_file(AT_FDCWD, path, (size_t)1 << 34, &s->buf, &s->len, err) < 0)
		return -err->code;
	for (size_t off = 0; off + sizeof(struct cm_rec) <= s->len;) {
		struct cm_rec *r = (struct cm_rec *)(s->buf + off);
		if (s->n == cap) {
			struct cm_rec **nv =
			    realloc(s->v, (cap = cap ? 2 * cap : 1024) * sizeof(*nv));
			if (!nv)
				return werr_errno(err, ENOMEM, "the snapshot");
			s->v = nv;
		}
		s->v[s->n++] = r;
		off += sizeof(*r) + r->len + 1;
		off = (off + 7) & ~(size_t)7;
	}
	if (s->n) /* FROM scratch: nothing before the step, and no array */
		qsort(s->v, s->n, sizeof(*s->v), cm_cmp);
	return 0;
}

int bcopymode_prepare(struct builder *b, const struct bstage *sg, struct bstep_dir *d,
                      struct werr *err)
{
	struct cm_arg a = { d };

	snprintf(d->snapshot, sizeof(d->snapshot), "%s/%s.snap", b->stdir, d->name);
	if (rmdir(d->merged) < 0)
		return werr_errno(err, errno, "remove %s", d->merged);
	d->copied = true;
	if (bcopymode_tree(b, sg, d->merged, err) < 0)
		return werr_prefix(err, "a copy of the stage's image for the %s storage driver",
		                   rootfs_driver_name(b->driver));
	return userns_exec(&b->plan, snap_in_ns, &a, err);
}

/* runs in the user namespace: the owners are the image's */
static int diff_in_ns(void *arg, struct werr *err)
{
	const struct bstep_dir *d = ((struct cm_arg *)arg)->d;
	_cleanup_close_ int c = open(d->merged, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int u = open(d->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	struct cm_snap s = { 0 };
	struct cm_ctx x = { c, u, NULL, &s, false };
	int r;

	if (c < 0 || u < 0)
		return werr_errno(err, errno, "the step's copy in %s", d->merged);
	r = snap_load(d->snapshot, &s, err);
	if (r == 0)
		r = cm_walk(&x, "", 0, err);
	if (r == 0)
		r = cm_removed(&x, err);
	free(s.v);
	free(s.buf);
	return r;
}

int bcopymode_diff(struct builder *b, const struct bstep_dir *d, struct werr *err)
{
	struct cm_arg a = { d };

	return userns_exec(&b->plan, diff_in_ns, &a, err);
}
