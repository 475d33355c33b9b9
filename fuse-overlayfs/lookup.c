/* lookup.c - finding a name through the layers: whiteouts in every form
 * (0/0 character devices, .wh. files, overlay.whiteout xattrs), opaque
 * directories, merged directories, inode numbers that survive copy-up and
 * hard links that stay one inode. Never changes a lower layer. */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define ORIGIN_XATTR "user.warren.origin"

/**
 * ovl_name_reserved() - names the overlay keeps for itself (.wh.*).
 */
bool ovl_name_reserved(const char *name)
{
	return strncmp(name, OVL_WH_PREFIX, sizeof(OVL_WH_PREFIX) - 1) == 0;
}

/* the overlay's marks an object may carry, each as user. or trusted. xattr */
enum {
	XA_OPAQUE = 1,    /* overlay.opaque: "y" hides lower layers, "x" = has xattr whiteouts */
	XA_WHITEOUTS = 2, /* overlay.whiteouts: the directory may hold xattr whiteouts */
	XA_WHITEOUT = 4,  /* overlay.whiteout: this empty file is a whiteout */
};

/*
 * Which marks @dfd/@path ("" for @dfd itself) carries: one listxattr, which
 * on an object without xattrs (nearly every one in an image) answers at
 * once, instead of a getxattr per name. An fd without a path is asked
 * directly (no /proc walk); O_PATH fds cannot be, and go by /proc.
 */
static int xattr_marks(int dfd, const char *path)
{
	static const struct {
		const char *name;
		int mark;
	} known[] = {
		{ "user.overlay.opaque", XA_OPAQUE },
		{ "trusted.overlay.opaque", XA_OPAQUE },
		{ "user.overlay.whiteouts", XA_WHITEOUTS },
		{ "trusted.overlay.whiteouts", XA_WHITEOUTS },
		{ "user.overlay.whiteout", XA_WHITEOUT },
		{ "trusted.overlay.whiteout", XA_WHITEOUT },
	};
	char list[4096], proc[PATH_MAX + 32];
	ssize_t n = -1;
	int marks = 0;

	if (!*path)
		n = flistxattr(dfd, list, sizeof(list));
	if (n < 0 && (*path || errno == EBADF)) {
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dfd, *path ? path : ".");
		n = llistxattr(proc, list, sizeof(list));
	}
	if (n < 0 && errno == ERANGE)
		return XA_OPAQUE | XA_WHITEOUTS | XA_WHITEOUT; /* let the getxattrs decide */
	for (ssize_t off = 0; n > 0 && off < n; off += (ssize_t)strlen(list + off) + 1)
		for (size_t k = 0; k < sizeof(known) / sizeof(known[0]); k++)
			if (strcmp(list + off, known[k].name) == 0)
				marks |= known[k].mark;
	return marks;
}

/* the value of overlay.opaque on @dfd/@path: 'y', 'x', or 0 */
static char xattr_opaque_value(int dfd, const char *path)
{
	const char *names[] = { "user.overlay.opaque", "trusted.overlay.opaque" };
	char proc[PATH_MAX + 32], v[8];

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dfd, *path ? path : ".");
	for (int i = 0; i < 2; i++)
		if (lgetxattr(proc, names[i], v, sizeof(v)) == 1 && (v[0] == 'y' || v[0] == 'x'))
			return v[0];
	return 0;
}

/**
 * ovl_is_whiteout() - is the entry @st at @dfd/@name a whiteout? A 0/0
 * character device always is; an empty regular file is when it carries an
 * overlay.whiteout xattr (user. or trusted.) and @check_xattr says its
 * directory may hold such files.
 */
bool ovl_is_whiteout(const struct stat *st, int dfd, const char *name, bool check_xattr)
{
	if (S_ISCHR(st->st_mode))
		return st->st_rdev == makedev(0, 0);
	if (!check_xattr || !S_ISREG(st->st_mode) || st->st_size != 0)
		return false;
	return xattr_marks(dfd, name) & XA_WHITEOUT;
}

/**
 * ovl_dir_is_opaque() - does the directory @dfd/@name hide the layers below
 * it: overlay.opaque "y" (user. or trusted.) or a .wh..wh..opq entry.
 * Return: 1 opaque, 0 not.
 */
int ovl_dir_is_opaque(int dfd, const char *name)
{
	char p[PATH_MAX];
	struct stat st;

	if ((xattr_marks(dfd, name) & XA_OPAQUE) && xattr_opaque_value(dfd, name) == 'y')
		return 1;
	snprintf(p, sizeof(p), "%s%s" OVL_WH_OPAQUE, name, *name ? "/" : "");
	return fstatat(dfd, p, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/**
 * ovl_dir_has_xwhiteouts() - does the directory @dfd/@dirpath mark that it
 * may hold xattr whiteouts (the kernel's overlay.whiteouts rule, or
 * overlay.opaque "x")?
 */
bool ovl_dir_has_xwhiteouts(int dfd, const char *dirpath)
{
	int marks = xattr_marks(dfd, dirpath);

	if (marks & XA_WHITEOUTS)
		return true;
	return (marks & XA_OPAQUE) && xattr_opaque_value(dfd, dirpath) == 'x';
}

/* the inode number an upper entry had before copy-up, if recorded */
static bool origin_ino(struct ovl_fs *fs, int dfd, const char *path, uint64_t *ino)
{
	char proc[PATH_MAX + 32], buf[32];
	ssize_t r;

	if (!fs->upper_xattr)
		return false;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dfd, path);
	r = lgetxattr(proc, ORIGIN_XATTR, buf, sizeof(buf) - 1);
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
	uint64_t mask = dir->lmask, bottom_ino = 0, upper_origin = 0;
	int last = mask_last(mask), bottom_layer = -1, r;
	const char *path = name;
	bool found = false;

	if (ovl_name_reserved(name))
		return -ENOENT;
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
			if (!wh[0] &&
			    (r = lk_join(wh, sizeof(wh), dirpath, OVL_WH_PREFIX, name)) < 0)
				return r;
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
	if (f->layer == OVL_UPPER)
		ovl_fix_nlink(fs, &f->st, upper_origin ? upper_origin : f->st.st_ino);
	if (upper_origin && bottom_layer == OVL_UPPER)
		f->st.st_ino = upper_origin;
	else
		f->st.st_ino = ovl_present_ino(fs, bottom_layer, bottom_ino);
	return 0;
}

/* an index entry for a lower hard link copied up earlier: link it here */
static int lookup_index(struct ovl_fs *fs, struct ovl_node *dir, const char *name,
                        struct ovl_found *f)
{
	char idx[32];
	struct stat st;
	int dfd, r;

	snprintf(idx, sizeof(idx), "%llx", (unsigned long long)f->st.st_ino);
	if (fstatat(fs->indexfd, idx, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return 0;
	if ((r = ovl_copy_up(fs, dir, true)) < 0)
		return r;
	if ((dfd = ovl_upper_dirfd(fs, dir)) < 0)
		return dfd;
	r = linkat(fs->indexfd, idx, dfd, name, 0) < 0 && errno != EEXIST ? -errno : 0;
	close(dfd);
	if (r == 0) {
		f->layer = OVL_UPPER;
		f->lmask = ovl_bit(OVL_UPPER);
		st.st_ino = f->st.st_ino;
		f->st = st;
		f->presented = false;
	}
	return r;
}

/**
 * ovl_relink_hardlink() - @name in @dir is another name of @n, which was
 * copied up through a different name: give the upper copy this name too, so
 * every name keeps reading the same data (POSIX hard links).
 */
int ovl_relink_hardlink(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_node *n,
                        const char *name, const struct ovl_found *f)
{
	char path[PATH_MAX];
	int dfd, r;

	if (S_ISDIR(n->type) || n->layer != OVL_UPPER || f->layer == OVL_UPPER)
		return 0;
	if ((r = ovl_copy_up(fs, dir, true)) < 0)
		return r;
	if ((r = ovl_node_path(fs, n, path, sizeof(path))) < 0)
		return r;
	if ((dfd = ovl_upper_dirfd(fs, dir)) < 0)
		return dfd;
	r = linkat(fs->layers[OVL_UPPER].fd, path, dfd, name, 0) < 0 && errno != EEXIST ? -errno
	                                                                                : 0;
	close(dfd);
	return r;
}

/* /proc/self/fd/N/PATH of the entry @name of @dir found in @layer */
static void lookup_proc_path(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds, int layer,
                             const char *name, char *proc, size_t size)
{
	int lfd = dirfds ? dirfds[layer] : -1;

	if (lfd >= 0) {
		snprintf(proc, size, "/proc/self/fd/%d/%s", lfd, name);
		return;
	}
	proc[0] = '\0';
	if (ovl_node_path(fs, dir, ovl_pathbuf, sizeof(ovl_pathbuf)) == 0)
		snprintf(proc, size, "/proc/self/fd/%d/%s/%s", ovl_layer_fd(fs, layer), ovl_pathbuf,
		         name);
}

/**
 * ovl_found_present() - make @f's stat what the mount shows (ID mapping,
 * override_stat), for the entry @name of @dir (layer fds @dirfds, or NULL);
 * a lookup made ahead of time does this ahead too (readahead.c).
 */
void ovl_found_present(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds, const char *name,
                       struct ovl_found *f)
{
	char proc[PATH_MAX + 64];

	if (f->presented || !(fs->xattr_permissions || fs->uidmap.n || fs->gidmap.n))
		return;
	lookup_proc_path(fs, dir, dirfds, f->layer, name, proc, sizeof(proc));
	ovl_present_stat(fs, &f->st, proc[0] ? proc : NULL);
	f->presented = true;
}

/**
 * ovl_lookup_entry_found() - FUSE entry for @name in @dir, found as @f by
 * ovl_lookup_name() (now or ahead of time): a node with one more kernel
 * reference.
 * Return: 0 or -errno.
 */
int ovl_lookup_entry_found(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds,
                           const char *name, struct ovl_found *f, struct fuse_entry_param *e)
{
	struct ovl_node *n;
	int r;

	memset(e, 0, sizeof(*e));
	e->entry_timeout = fs->timeout;
	e->attr_timeout = fs->timeout;
	if (fs->has_upper && f->layer != OVL_UPPER && !S_ISDIR(f->st.st_mode) &&
	    f->st.st_nlink > 1 && (r = lookup_index(fs, dir, name, f)) < 0)
		return r;
	n = ovl_node_intern(fs, dir, name, f, true);
	if (!n)
		return -ENOMEM;
	if (n->layer < f->layer && (r = ovl_relink_hardlink(fs, dir, n, name, f)) < 0) {
		ovl_node_forget(fs, n, 1);
		return r;
	}
	e->ino = (fuse_ino_t)(uintptr_t)n;
	if (n->layer != f->layer) {
		if ((r = ovl_node_stat(fs, n, &e->attr)) < 0) {
			ovl_node_forget(fs, n, 1);
			return r;
		}
	} else {
		ovl_found_present(fs, dir, dirfds, name, f);
		e->attr = f->st;
	}
	ovl_dir_fix_nlink(fs, n, &e->attr);
	e->attr.st_ino = n->ino;
	return 0;
}

/**
 * ovl_lookup_entry() - FUSE entry for @name in @dir: a node with one more
 * kernel reference, or a negative entry (ino 0) the kernel may cache.
 * Return: 0 or -errno (not -ENOENT: that is a negative entry).
 */
int ovl_lookup_entry(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds, const char *name,
                     struct fuse_entry_param *e)
{
	struct ovl_found f;
	int r = ovl_lookup_name(fs, dir, dirfds, name, &f);

	if (r == -ENOENT) {
		memset(e, 0, sizeof(*e));
		e->entry_timeout = fs->timeout;
		e->attr_timeout = fs->timeout;
		return 0;
	}
	if (r < 0)
		return r;
	return ovl_lookup_entry_found(fs, dir, dirfds, name, &f, e);
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
