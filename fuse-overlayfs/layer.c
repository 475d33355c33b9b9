/* layer.c - the layers as the mount presents them: paths opened below a
 * layer root without leaving it, inode numbers, owners through the ID
 * mapping (or override_stat) and link counts. Never writes to a layer. */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/xattr.h>

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
 * ovl_fix_nlink() - an upper file that also has a workdir/index name (see
 * copyup.c) shows one link fewer: the index is ours, not the user's.
 * @st: stat of the upper file, st_ino still the real one
 * @ino: its presented inode number (the index name)
 */
void ovl_fix_nlink(struct ovl_fs *fs, struct stat *st, uint64_t ino)
{
	char idx[32];
	struct stat ist;

	if (!fs->has_upper || !S_ISREG(st->st_mode) || st->st_nlink < 2)
		return;
	snprintf(idx, sizeof(idx), "%llx", (unsigned long long)ino);
	if (fstatat(fs->indexfd, idx, &ist, AT_SYMLINK_NOFOLLOW) == 0 && ist.st_ino == st->st_ino &&
	    ist.st_dev == st->st_dev)
		st->st_nlink--;
}
