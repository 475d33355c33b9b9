/* lookup.c - finding a name through the layers: whiteouts and opaque
 * directories (marks.c) stop it, directories merge, inode numbers survive
 * copy-up; and the nodes of the names found. Never changes a layer (entry.c
 * links hard links up). */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "dirlist.h"

#define ORIGIN_XATTR "user.warren.origin"

/* the inode number an upper entry had before copy-up, if recorded */
static bool origin_ino(struct ovl_fs *fs, int dfd, const char *path, uint64_t *ino)
{
	struct ovl_xpath x;
	char buf[32];
	ssize_t r;

	if (!fs->upper_xattr)
		return false;
	r = lgetxattr(ovl_xpath(&x, dfd, path), ORIGIN_XATTR, buf, sizeof(buf) - 1);
	ovl_xpath_done(&x);
	if (r <= 0)
		return false;
	buf[r] = '\0';
	*ino = strtoull(buf, NULL, 16);
	return *ino != 0;
}

/* @dirpath/@prefix@name into @buf ("" @dirpath: just @prefix@name) */
static int lk_join(char *buf, size_t size, const char *dirpath, const char *prefix,
                   const char *name)
{
	size_t d = strlen(dirpath), p = strlen(prefix), n = strlen(name), at = 0;

	if (d + 1 + p + n + 1 > size)
		return -ENAMETOOLONG;
	if (d) {
		memcpy(buf, dirpath, d);
		buf[d] = '/';
		at = d + 1;
	}
	memcpy(buf + at, prefix, p);
	memcpy(buf + at + p, name, n + 1);
	return 0;
}

/* highest layer index in @mask */
static int mask_last(uint64_t mask)
{
	return 63 - __builtin_clzll(mask);
}

/**
 * ovl_lookup_name() - find @name in the merged directory @dir.
 * @dirfds: open directory fds per layer (from a readdir), or NULL to resolve
 *          by path from the layer roots
 * Return: 0 with @f filled, -ENOENT, or another -errno.
 */
int ovl_lookup_name(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds, const char *name,
                    struct ovl_found *f)
{
	/* the same path below every layer: NAME from a layer's directory fd,
	 * else DIRPATH/NAME from its root; the whiteout's only when needed */
	static _Thread_local char dirpath[PATH_MAX], pathbuf[PATH_MAX], wh[PATH_MAX];
	uint64_t mask = dir->lmask, bottom_ino = 0, upper_origin = 0, ino;
	int last = mask_last(mask), bottom_layer = -1, r;
	const char *path = name;
	bool found = false;

	if (ovl_name_reserved(name))
		return -ENOENT;
	if (strlen(name) > fs->name_max)
		return -ENAMETOOLONG;
	for (int l = 0; dirfds && l <= last; l++)
		if ((mask & ovl_bit(l)) && dirfds[l] < 0)
			dirfds = NULL;
	dirpath[0] = '\0';
	if (!dirfds) {
		r = ovl_node_path(fs, dir, dirpath, sizeof(dirpath));
		if (r < 0)
			return r;
		if (strcmp(dirpath, ".") == 0)
			dirpath[0] = '\0';
		if ((r = lk_join(pathbuf, sizeof(pathbuf), dirpath, "", name)) < 0)
			return r;
		path = pathbuf;
	}
	wh[0] = '\0';
	for (int l = 0; l <= last; l++) {
		int fd = dirfds ? dirfds[l] : fs->layers[l].fd;
		struct stat st;
		if (!(mask & ovl_bit(l)))
			continue;
		if (fstatat(fd, path, &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno != ENOENT && errno != ENOTDIR)
				return -errno;
			if (l == last)
				continue;
			/* a .wh. name longer than a path can be is no whiteout */
			if (!wh[0] && lk_join(wh, sizeof(wh), dirpath, OVL_WH_PREFIX, name) < 0)
				continue;
			if (fstatat(fd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0)
				break;
			continue;
		}
		if ((S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0)) &&
		    ovl_is_whiteout(&st, fd, path,
		                    S_ISREG(st.st_mode) && ovl_dir_has_xwhiteouts(fd, dirpath)))
			break;
		if (found && !S_ISDIR(st.st_mode))
			break;
		if (!found) {
			found = true;
			f->st = st;
			f->layer = l;
			f->lmask = ovl_bit(l);
			f->presented = false;
			if (l == OVL_UPPER && fs->has_upper)
				origin_ino(fs, fd, path, &upper_origin);
		}
		f->lmask |= ovl_bit(l);
		bottom_ino = st.st_ino;
		bottom_layer = l;
		if (!S_ISDIR(st.st_mode) || l == last || ovl_dir_is_opaque(fd, path))
			break;
	}
	if (!found)
		return -ENOENT;
	if (!S_ISDIR(f->st.st_mode))
		f->lmask = ovl_bit(f->layer);
	if (upper_origin && bottom_layer == OVL_UPPER) {
		ino = upper_origin;
	} else {
		ino = ovl_present_ino(fs, bottom_layer, bottom_ino);
		/* copied up here without a record of its origin: the node's */
		if (bottom_layer == OVL_UPPER)
			ino = ovl_node_map_upper_ino(fs, ino);
	}
	if (f->layer == OVL_UPPER)
		ovl_fix_nlink(fs, &f->st, ino, OVL_UPPER);
	f->st.st_ino = ino;
	return 0;
}

/* a path for the xattr calls on the entry @name of @dir found in @layer
 * (see ovl_xpath()), or NULL */
static const char *lookup_xpath(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds,
                                int layer, const char *name, struct ovl_xpath *x)
{
	int lfd = dirfds ? dirfds[layer] : -1;
	size_t len;

	x->fd = -1;
	if (lfd >= 0)
		return ovl_xpath(x, lfd, name);
	if (ovl_node_path(fs, dir, ovl_pathbuf, sizeof(ovl_pathbuf)) < 0)
		return NULL;
	len = strcmp(ovl_pathbuf, ".") == 0 ? 0 : strlen(ovl_pathbuf);
	if (len + 1 + strlen(name) >= sizeof(ovl_pathbuf))
		return NULL;
	if (len)
		ovl_pathbuf[len++] = '/';
	strcpy(ovl_pathbuf + len, name);
	return ovl_xpath(x, ovl_layer_fd(fs, layer), ovl_pathbuf);
}

/**
 * ovl_found_present() - make @f's stat what the mount shows (ID mapping,
 * override_stat), for the entry @name of @dir (layer fds @dirfds, or NULL);
 * a lookup made ahead of time does this ahead too (readahead.c).
 */
void ovl_found_present(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds, const char *name,
                       struct ovl_found *f)
{
	struct ovl_xpath x;

	if (f->presented || !(fs->xattr_permissions || fs->uidmap.n || fs->gidmap.n))
		return;
	ovl_present_stat(fs, &f->st, lookup_xpath(fs, dir, dirfds, f->layer, name, &x));
	ovl_xpath_done(&x);
	f->presented = true;
}

/**
 * ovl_lower_has() - does a lower layer of @dir hold @name (hidden or not)?
 * Then removing or renaming it away must leave a whiteout.
 */
bool ovl_lower_has(struct ovl_fs *fs, struct ovl_node *dir, const char *name)
{
	char path[PATH_MAX], *p;
	size_t len;
	struct stat st;

	if (ovl_node_path(fs, dir, path, sizeof(path)) < 0)
		return true;
	len = strcmp(path, ".") == 0 ? 0 : strlen(path);
	if (len + strlen(name) + 2 > sizeof(path))
		return true;
	p = path + len;
	if (len)
		*p++ = '/';
	strcpy(p, name);
	for (int l = 1; l < fs->nlayers; l++)
		if ((dir->lmask & ovl_bit(l)) &&
		    fstatat(fs->layers[l].fd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
			return true;
	return false;
}

/**
 * ovl_lookup_child() - the node now known as @dir/@name with a temporary
 * reference (ovl_node_unref() it), or NULL with *@err set.
 */
struct ovl_node *ovl_lookup_child(struct ovl_fs *fs, struct ovl_node *dir, const char *name,
                                  struct ovl_found *f, int *err)
{
	struct ovl_node *n;

	*err = ovl_lookup_name(fs, dir, NULL, name, f);
	if (*err < 0)
		return NULL;
	n = ovl_node_intern(fs, dir, name, f, false);
	if (!n)
		*err = -ENOMEM;
	return n;
}

/**
 * ovl_dirlist_each_child() - call @fn on the node of every entry of @l (a
 * snapshot of @dir), each held by a temporary reference.
 * Return: 0 or the first negative value.
 */
int ovl_dirlist_each_child(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_dirlist *l,
                           int (*fn)(struct ovl_fs *, struct ovl_node *))
{
	for (size_t i = 2; i < l->n; i++) {
		struct ovl_found f;
		struct ovl_node *n;
		int r;
		if (l->ents[i].type == DT_HIDDEN)
			continue;
		r = ovl_lookup_name(fs, dir, ovl_dirlist_fds(l, dir), ovl_dirent_name(l, i), &f);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		n = ovl_node_intern(fs, dir, ovl_dirent_name(l, i), &f, false);
		if (!n)
			return -ENOMEM;
		r = fn(fs, n);
		ovl_node_unref(fs, n);
		if (r < 0)
			return r;
	}
	return 0;
}
