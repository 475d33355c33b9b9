/* layer.c - the layers as the mount presents them: paths opened below a
 * layer root without leaving it, inode numbers, owners through the ID
 * mapping (or override_stat) and link counts. Never writes to a layer. */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "resolve.h"

_Thread_local char ovl_pathbuf[PATH_MAX];

/**
 * ovl_open_at() - open @path below the root of @layer without leaving it and
 * without following any symlink (the layers are trees we walk ourselves).
 * Return: a file descriptor or -errno.
 */
int ovl_open_at(struct ovl_fs *fs, int layer, const char *path, int flags, mode_t mode)
{
	return resolve_openat(ovl_layer_fd(fs, layer), path, flags, mode,
	                      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
}

/**
 * ovl_present_ino() - the inode number shown for @ino of @layer: the real one
 * when all layers share a filesystem (as the kernel overlay does), else the
 * filesystem's index in the top bits (the kernel's "xino").
 */
uint64_t ovl_present_ino(struct ovl_fs *fs, int layer, ino_t ino)
{
	if (!fs->xino)
		return ino;
	return ((uint64_t)ino & ((UINT64_C(1) << 56) - 1)) |
	       ((uint64_t)fs->layers[layer].fsidx << 56);
}

/**
 * ovl_idmap_to_inner() - the ID the mount shows for @id stored in the layers.
 * Return: @id without a mapping, 65534 when @m does not map it.
 */
uint32_t ovl_idmap_to_inner(const struct ovl_idmap *m, uint32_t id)
{
	if (m->n == 0)
		return id;
	for (int i = 0; i < m->n; i++)
		if (id >= m->ext[i].outer && id - m->ext[i].outer < m->ext[i].len)
			return m->ext[i].inner + (id - m->ext[i].outer);
	return 65534; /* the overflow id, as the kernel shows unmapped owners */
}

/**
 * ovl_idmap_to_outer() - the ID stored in the layers for @id seen through
 * the mount. Return: @id without a mapping, 65534 when @m does not map it.
 */
uint32_t ovl_idmap_to_outer(const struct ovl_idmap *m, uint32_t id)
{
	if (m->n == 0)
		return id;
	for (int i = 0; i < m->n; i++)
		if (id >= m->ext[i].inner && id - m->ext[i].inner < m->ext[i].len)
			return m->ext[i].outer + (id - m->ext[i].inner);
	return 65534;
}

/**
 * ovl_parse_idmap() - parse fuse-overlayfs's "STORED:SHOWN:LEN[:...]"
 * (triples separated by ':' or ',').
 * Return: 0 or -EINVAL.
 */
int ovl_parse_idmap(struct ovl_idmap *m, const char *spec)
{
	unsigned long v[3];
	const char *p = spec;

	m->n = 0;
	while (*p) {
		for (int k = 0; k < 3; k++) {
			char *end;
			errno = 0;
			v[k] = strtoul(p, &end, 10);
			if (errno || end == p || v[k] > UINT32_MAX)
				return -EINVAL;
			p = end;
			if (k < 2 && *p != ':')
				return -EINVAL;
			if (*p == ':' || *p == ',')
				p++;
		}
		if (m->n == OVL_MAX_IDMAP || v[2] == 0 || v[0] + v[2] - 1 > UINT32_MAX ||
		    v[1] + v[2] - 1 > UINT32_MAX)
			return -EINVAL;
		/* as fuse-overlayfs: the ID in the layers first, the one shown second */
		m->ext[m->n++] = (struct ovl_idmap_ext){ .inner = (uint32_t)v[1],
			                                 .outer = (uint32_t)v[0],
			                                 .len = (uint32_t)v[2] };
	}
	return m->n ? 0 : -EINVAL;
}

#define OVERRIDE_STAT_XATTR "user.containers.override_stat"

/**
 * ovl_present_stat() - turn a layer's stat into what the mount shows: ID
 * mapping, and with xattr_permissions=2 the owner and mode kept in
 * user.containers.override_stat ("UID:GID:MODE[:TYPE]", MODE in octal).
 * @proc_path: path of the object (a /proc/self/fd/N/NAME form) for the xattr
 */
void ovl_present_stat(struct ovl_fs *fs, struct stat *st, const char *proc_path)
{
	if (fs->xattr_permissions && proc_path && !S_ISLNK(st->st_mode)) {
		char buf[128];
		ssize_t r = lgetxattr(proc_path, OVERRIDE_STAT_XATTR, buf, sizeof(buf) - 1);
		unsigned uid, gid, mode;
		if (r > 0) {
			buf[r] = '\0';
			if (sscanf(buf, "%u:%u:%o", &uid, &gid, &mode) == 3) {
				st->st_uid = uid;
				st->st_gid = gid;
				st->st_mode = (st->st_mode & S_IFMT) | (mode & 07777);
				return;
			}
		}
	}
	st->st_uid = ovl_idmap_to_inner(&fs->uidmap, st->st_uid);
	st->st_gid = ovl_idmap_to_inner(&fs->gidmap, st->st_gid);
}

/**
 * ovl_index_name() - the name in workdir/index of the file presented as @ino.
 */
void ovl_index_name(char *buf, size_t size, uint64_t ino)
{
	snprintf(buf, size, "%llx", (unsigned long long)ino);
}

/**
 * ovl_fix_nlink() - the link count of a non-directory as the user counts
 * it: the names of ours that hold it (its workdir/index name, see links.c
 * and copyup.c, and the workdir/work name of a removed file still open) are
 * not counted.
 * @st: stat of the object in @layer, st_ino still the real one
 * @ino: its presented inode number (the index name)
 */
void ovl_fix_nlink(struct ovl_fs *fs, struct stat *st, uint64_t ino, int layer)
{
	char idx[32];
	struct stat ist;

	if (S_ISDIR(st->st_mode) && layer == OVL_WORK_LAYER)
		st->st_nlink = 0; /* removed while open */
	if (!fs->has_upper || S_ISDIR(st->st_mode) || st->st_nlink == 0)
		return;
	if (layer == OVL_INDEX_LAYER) {
		st->st_nlink--; /* reached by its index name */
		return;
	}
	if (layer == OVL_WORK_LAYER)
		st->st_nlink--;
	if (layer != OVL_UPPER && layer != OVL_WORK_LAYER)
		return;
	if (st->st_nlink < 1 + (layer == OVL_UPPER))
		return;
	ovl_index_name(idx, sizeof(idx), ino);
	if (fstatat(fs->indexfd, idx, &ist, AT_SYMLINK_NOFOLLOW) == 0 && ist.st_ino == st->st_ino &&
	    ist.st_dev == st->st_dev)
		st->st_nlink += ovl_index_lower_left(fs, idx) - 1;
}

/**
 * ovl_index_lower_left() - how many names of the lower file that the index
 * entry @idx was copied up from are not linked up yet (each counts as a
 * link of the upper copy); kept in an xattr of the copy, 0 without one.
 */
nlink_t ovl_index_lower_left(struct ovl_fs *fs, const char *idx)
{
	char proc[64], buf[24];
	ssize_t n;

	if (!fs->upper_xattr)
		return 0;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", fs->indexfd, idx);
	n = lgetxattr(proc, OVL_LOWER_LINKS_XATTR, buf, sizeof(buf) - 1);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	return (nlink_t)strtoul(buf, NULL, 10);
}

/**
 * ovl_xpath() - a path for the l*xattr calls that names @path below @dfd
 * even when "/proc/self/fd/N/@path" would be longer than PATH_MAX (a path
 * of the mount up to PATH_MAX - 1 bytes is legal): then the parent of
 * @path is opened (without leaving @dfd) and named instead.
 * Return: the path in @x ("" when it cannot be named: the calls then fail
 * with ENOENT), valid until ovl_xpath_done(@x).
 */
const char *ovl_xpath(struct ovl_xpath *x, int dfd, const char *path)
{
	const char *slash;
	char parent[PATH_MAX];
	int n;

	x->fd = -1;
	n = snprintf(x->buf, sizeof(x->buf), "/proc/self/fd/%d/%s", dfd, *path ? path : ".");
	if (n < (int)sizeof(x->buf))
		return x->buf;
	/* never a cut path: it could name another file */
	x->buf[0] = '\0';
	if (!(slash = strrchr(path, '/')))
		return x->buf;
	memcpy(parent, path, (size_t)(slash - path));
	parent[slash - path] = '\0';
	x->fd = resolve_openat(dfd, parent, O_PATH | O_DIRECTORY, 0,
	                       RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (x->fd >= 0)
		snprintf(x->buf, sizeof(x->buf), "/proc/self/fd/%d/%s", x->fd, slash + 1);
	return x->buf;
}

/**
 * ovl_xpath_done() - close what ovl_xpath() opened.
 */
void ovl_xpath_done(struct ovl_xpath *x)
{
	if (x->fd >= 0)
		close(x->fd);
	x->fd = -1;
}
