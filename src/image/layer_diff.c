/* layer_diff.c - writes a directory in kernel-overlay upper form as an OCI
 * layer tar (libarchive, pax format): whiteouts and opaque directories in
 * the tar spelling (OCI image spec, layer.md "Whiteouts"), hard links kept,
 * names sorted. Reads only below the given directory fd, never follows a
 * symlink. */
#include "layer_diff.h"
#include "cleanup.h"
#include "unpack.h"
#include "userns_exec.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define LD_PATH_MAX 4096
#define LD_BUF      (256 * 1024)

struct ld_link {
	dev_t dev;
	ino_t ino;
	char *path;
};

struct ld_ctx {
	struct archive *a;
	int out_fd;
	struct digest_ctx dg;
	struct layer_diff_result *res;
	struct ld_link *links;
	size_t n_links;
	char *buf;
	struct werr *err;
	int write_errno;
	const struct layer_tar_opts *o;
	uint64_t root_mnt; /* merged: the mount ID of the top directory */
};

static const struct layer_tar_opts ld_layer_opts = { .uid = -1, .gid = -1 };

/* implements archive_write_callback: hash and write */
static la_ssize_t ld_write_cb(struct archive *a, void *p, const void *buf, size_t len)
{
	struct ld_ctx *c = p;

	(void)a;
	if (util_write_all(c->out_fd, buf, len) < 0) {
		c->write_errno = errno;
		return -1;
	}
	digest_update(&c->dg, buf, len);
	c->res->size += len;
	return (la_ssize_t)len;
}

static int ld_fail(struct ld_ctx *c, const char *path)
{
	if (c->write_errno)
		return werr_errno(c->err, c->write_errno, "writing the layer");
	return werr_set(c->err, EIO, "layer entry %s: %s", path, archive_error_string(c->a));
}

static int ld_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* sorted names of the directory @fd (read through a fresh open file
 * description: a dup would share, and move, @fd's directory offset) */
static int ld_list(int fd, char ***names, size_t *n, struct werr *err)
{
	int dfd = openat(fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = dfd >= 0 ? fdopendir(dfd) : NULL;
	struct dirent *de;
	size_t cap = 0;

	*names = NULL;
	*n = 0;
	if (!d) {
		if (dfd >= 0)
			close(dfd);
		return werr_errno(err, errno, "reading a directory");
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		if (*n == cap) {
			char **nn = realloc(*names, (cap = cap ? 2 * cap : 32) * sizeof(char *));
			if (!nn)
				goto oom;
			*names = nn;
		}
		if (!((*names)[*n] = strdup(de->d_name)))
			goto oom;
		(*n)++;
	}
	closedir(d);
	if (*n)
		qsort(*names, *n, sizeof(char *), ld_name_cmp);
	return 0;
oom:
	closedir(d);
	return werr_errno(err, ENOMEM, "reading a directory");
}

static void ld_names_free(char **names, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

static bool ld_xattr_is(int fd, const char *name, const char *user, const char *trusted)
{
	char v[8];
	ssize_t n = fgetxattr(fd, user, v, sizeof(v));

	if (n < 0)
		n = fgetxattr(fd, trusted, v, sizeof(v));
	(void)name;
	return n == 1 && v[0] == 'y';
}

/* xattrs worth keeping; overlay's own (the kernel's and warren-overlay's
 * copy-up origin) and the override are not content */
static bool ld_xattr_keep(const char *name)
{
	return strncmp(name, "user.overlay.", 13) && strncmp(name, "trusted.overlay.", 16) &&
	       strncmp(name, "user.warren.", 12) && strcmp(name, UNPACK_XATTR_OVERRIDE_STAT);
}

static void ld_xattrs(int fd, struct archive_entry *e, char *buf)
{
	char names[4096];
	ssize_t len = flistxattr(fd, names, sizeof(names));

	for (ssize_t off = 0; len > 0 && off < len; off += (ssize_t)strlen(names + off) + 1) {
		const char *n = names + off;
		ssize_t vl;
		if (!ld_xattr_keep(n))
			continue;
		vl = fgetxattr(fd, n, buf, LD_BUF);
		if (vl >= 0)
			archive_entry_xattr_add_entry(e, n, buf, (size_t)vl);
	}
}

/* owner and mode from override_stat ("UID:GID:MODE", mode octal) when set */
static void ld_override(int fd, struct stat *st)
{
	char v[64];
	ssize_t n = fgetxattr(fd, UNPACK_XATTR_OVERRIDE_STAT, v, sizeof(v) - 1);
	unsigned uid, gid, mode;

	if (n <= 0)
		return;
	v[n] = '\0';
	if (sscanf(v, "%u:%u:%o", &uid, &gid, &mode) != 3)
		return;
	st->st_uid = uid;
	st->st_gid = gid;
	st->st_mode = (st->st_mode & S_IFMT) | (mode & 07777);
}

static int ld_header(struct ld_ctx *c, struct archive_entry *e, const char *path)
{
	if (c->o->visit)
		return c->o->visit(c->o->visit_arg, path, archive_entry_stat(e), c->err);
	if (archive_write_header(c->a, e) < ARCHIVE_WARN)
		return ld_fail(c, path);
	c->res->entries++;
	return 0;
}

static int ld_whiteout(struct ld_ctx *c, const char *dir, const char *name)
{
	char path[LD_PATH_MAX];
	struct archive_entry *e = archive_entry_new();
	int r;

	snprintf(path, sizeof(path), "%s.wh.%s", dir, name);
	archive_entry_set_pathname(e, path);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0);
	archive_entry_set_size(e, 0);
	r = ld_header(c, e, path);
	archive_entry_free(e);
	return r;
}

static int ld_data(struct ld_ctx *c, int fd, const char *path)
{
	for (;;) {
		ssize_t n = read(fd, c->buf, LD_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return werr_errno(c->err, errno, "reading %s", path);
		if (n == 0)
			return 0;
		if (archive_write_data(c->a, c->buf, (size_t)n) < 0)
			return ld_fail(c, path);
	}
}

/* a hard link to an earlier entry: returns its path, or records this one */
static const char *ld_link_seen(struct ld_ctx *c, const struct stat *st, const char *path)
{
	struct ld_link *nl;

	for (size_t i = 0; i < c->n_links; i++)
		if (c->links[i].dev == st->st_dev && c->links[i].ino == st->st_ino)
			return c->links[i].path;
	nl = realloc(c->links, (c->n_links + 1) * sizeof(*nl));
	if (!nl)
		return NULL;
	c->links = nl;
	c->links[c->n_links] = (struct ld_link){ st->st_dev, st->st_ino, strdup(path) };
	if (c->links[c->n_links].path)
		c->n_links++;
	return NULL;
}

static int ld_dir(struct ld_ctx *c, int dfd, const char *prefix);

/* one_fs: whether @name in @dfd is another mount (a volume, /proc...): its
 * entry is written, its content is not */
static bool ld_mount_point(struct ld_ctx *c, int dfd, const char *name)
{
	struct statx stx;

	return c->o->one_fs && statx(dfd, name, AT_SYMLINK_NOFOLLOW, STATX_MNT_ID, &stx) == 0 &&
	       (stx.stx_mask & STATX_MNT_ID) && stx.stx_mnt_id != c->root_mnt;
}

/* one entry @name of the directory @dfd, whose tar path prefix is @dir, in
 * the tar as @as (NULL: @name) */
static int ld_entry(struct ld_ctx *c, int dfd, const char *dir, const char *name, const char *as)
{
	char path[LD_PATH_MAX], target[LD_PATH_MAX];
	struct archive_entry *e = NULL;
	_cleanup_close_ int fd = -1;
	const char *link = NULL;
	struct stat st;
	bool upper = !c->o->merged, mnt = ld_mount_point(c, dfd, name);
	int r = 0;

	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return werr_errno(c->err, errno, "layer entry %s%s", dir, name);
	if (upper && S_ISCHR(st.st_mode) && st.st_rdev == makedev(0, 0))
		return ld_whiteout(c, dir, name);
	if (snprintf(path, sizeof(path), "%s%s%s", dir, as ? as : name,
	             S_ISDIR(st.st_mode) ? "/" : "") >= (int)sizeof(path))
		return werr_set(c->err, ENAMETOOLONG, "layer entry %s%s: name too long", dir, name);
	if (S_ISREG(st.st_mode) || S_ISDIR(st.st_mode)) {
		fd = openat(dfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC | O_NOCTTY);
		if (fd < 0)
			return werr_errno(c->err, errno, "layer entry %s", path);
		if (upper && S_ISREG(st.st_mode) &&
		    ld_xattr_is(fd, name, "user.overlay.whiteout", "trusted.overlay.whiteout"))
			return ld_whiteout(c, dir, name);
		ld_override(fd, &st);
	}
	if (c->o->uid >= 0) {
		st.st_uid = (uid_t)c->o->uid;
		st.st_gid = (gid_t)c->o->gid;
	}
	if (mnt && S_ISREG(st.st_mode))
		st.st_size = 0;
	e = archive_entry_new();
	archive_entry_copy_stat(e, &st);
	archive_entry_set_pathname(e, path);
	archive_entry_set_uname(e, NULL);
	archive_entry_set_gname(e, NULL);
	/* reading changes atime, and ctime is not content: same tree, same tar */
	archive_entry_unset_atime(e);
	archive_entry_unset_ctime(e);
	archive_entry_unset_birthtime(e);
	if (fd >= 0 && !c->o->visit)
		ld_xattrs(fd, e, c->buf);
	if (S_ISLNK(st.st_mode)) {
		ssize_t n = readlinkat(dfd, name, target, sizeof(target) - 1);
		if (n < 0) {
			r = werr_errno(c->err, errno, "layer entry %s", path);
			goto out;
		}
		target[n] = '\0';
		archive_entry_set_symlink(e, target);
	} else if (S_ISREG(st.st_mode) && st.st_nlink > 1 && (link = ld_link_seen(c, &st, path))) {
		archive_entry_set_hardlink(e, link);
		archive_entry_set_size(e, 0);
	}
	r = ld_header(c, e, path);
	if (r == 0 && S_ISREG(st.st_mode) && !link && !mnt && !c->o->visit)
		r = ld_data(c, fd, path);
	if (r == 0 && S_ISDIR(st.st_mode) && !mnt) {
		if (upper && ld_xattr_is(fd, name, "user.overlay.opaque", "trusted.overlay.opaque"))
			r = ld_whiteout(c, path, ".wh..opq");
		if (r == 0)
			r = ld_dir(c, fd, path);
	}
out:
	archive_entry_free(e);
	return r;
}

static int ld_dir(struct ld_ctx *c, int dfd, const char *prefix)
{
	char **names;
	size_t n;
	int r = ld_list(dfd, &names, &n, c->err);

	for (size_t i = 0; r == 0 && i < n; i++)
		r = ld_entry(c, dfd, prefix, names[i], NULL);
	ld_names_free(names, n);
	return r;
}

int layer_diff_write(int dirfd, int out_fd, struct layer_diff_result *res, struct werr *err)
{
	return layer_tar_write(dirfd, NULL, &ld_layer_opts, out_fd, res, err);
}

/* diff's walk: the same entries, no tar */
static int ld_visit(struct ld_ctx *c, int dirfd, const char *name)
{
	return name ? ld_entry(c, dirfd, "", name, c->o->arcname) : ld_dir(c, dirfd, "");
}

int layer_tar_write(int dirfd, const char *name, const struct layer_tar_opts *o, int out_fd,
                    struct layer_diff_result *res, struct werr *err)
{
	struct ld_ctx c = { .out_fd = out_fd, .res = res, .err = err, .o = o };
	struct statx stx;
	int r;

	memset(res, 0, sizeof(*res));
	if (o->one_fs && statx(dirfd, name ? name : "", name ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH,
	                       STATX_MNT_ID, &stx) == 0)
		c.root_mnt = stx.stx_mnt_id;
	c.buf = malloc(LD_BUF);
	if (o->visit) {
		r = c.buf ? ld_visit(&c, dirfd, name) : werr_errno(err, ENOMEM, "walking a tree");
		free(c.buf);
		return r;
	}
	c.a = archive_write_new();
	if (!c.buf || !c.a || digest_init(&c.dg) < 0) {
		free(c.buf);
		if (c.a)
			archive_write_free(c.a);
		return werr_errno(err, ENOMEM, "writing a layer");
	}
	archive_write_set_format_pax_restricted(c.a);
	archive_write_add_filter_none(c.a);
	archive_write_set_bytes_in_last_block(c.a, 1);
	if (archive_write_open(c.a, &c, NULL, ld_write_cb, NULL) != ARCHIVE_OK)
		r = ld_fail(&c, "(start)");
	else
		r = ld_visit(&c, dirfd, name);
	if (r == 0 && archive_write_close(c.a) != ARCHIVE_OK)
		r = ld_fail(&c, "(end)");
	archive_write_free(c.a);
	if (r == 0)
		digest_final(&c.dg, res->digest);
	else
		digest_free(&c.dg);
	for (size_t i = 0; i < c.n_links; i++)
		free(c.links[i].path);
	free(c.links);
	free(c.buf);
	return r;
}

struct diff_arg {
	int dirfd, outfd;
};

/* runs in the user namespace */
static int diff_in_ns(void *arg, struct werr *err)
{
	struct diff_arg *a = arg;
	struct layer_diff_result res;

	return layer_diff_write(a->dirfd, a->outfd, &res, err);
}

int layer_diff_userns(const struct idmap_plan *plan, int dirfd, int out_fd, struct werr *err)
{
	struct diff_arg a = { dirfd, out_fd };

	return userns_exec(plan, diff_in_ns, &a, err);
}
