/* copyup.c - bringing a lower object into the upper layer before it changes:
 * built in workdir/work with its data (copy_file_range, so reflinks where the
 * filesystem has them), xattrs, owner, mode and times, then renamed into
 * place, so a crash never leaves a half-copied file visible. Never writes to
 * a lower layer. */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"

#define OVERRIDE_STAT_XATTR "user.containers.override_stat"

/**
 * ovl_tmpname() - a fresh name for a temporary entry in workdir/work.
 */
int ovl_tmpname(struct ovl_fs *fs, char *buf, size_t size)
{
	unsigned long long seq = atomic_fetch_add(&fs->tmpseq, 1);

	snprintf(buf, size, "#wo-%d-%llx", (int)getpid(), seq);
	return 0;
}

/**
 * ovl_upper_dirfd() - O_PATH fd of @dir in the upper layer (copy it up first).
 * Return: fd or -errno.
 */
int ovl_upper_dirfd(struct ovl_fs *fs, struct ovl_node *dir)
{
	char path[PATH_MAX];
	int r = ovl_node_path(fs, dir, path, sizeof(path));

	if (r < 0)
		return r;
	return ovl_open_at(fs, OVL_UPPER, path, O_PATH | O_DIRECTORY, 0);
}

/**
 * ovl_set_owner() - give the new upper entry @dfd/@name the owner the caller
 * sees as @uid/@gid: through the ID mapping with chown, or with
 * xattr_permissions=2 in user.containers.override_stat (the store cannot hold
 * that owner).
 * Return: 0 or -errno.
 */
int ovl_set_owner(struct ovl_fs *fs, int dfd, const char *name, uid_t uid, gid_t gid, mode_t mode)
{
	uid_t ou = ovl_idmap_to_outer(&fs->uidmap, uid);
	gid_t og = ovl_idmap_to_outer(&fs->gidmap, gid);

	if (fs->xattr_permissions) {
		char proc[PATH_MAX + 32], val[64];
		if (S_ISLNK(mode) || (ou == fs->euid && og == fs->egid))
			return 0;
		snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", dfd, name);
		int len = snprintf(val, sizeof(val), "%u:%u:0%o", (unsigned)uid, (unsigned)gid,
		                   (unsigned)(mode & 07777));
		return lsetxattr(proc, OVERRIDE_STAT_XATTR, val, len, 0) < 0 ? -errno : 0;
	}
	if (ou == fs->euid && og == fs->egid)
		return 0;
	return fchownat(dfd, name, ou, og, AT_SYMLINK_NOFOLLOW) < 0 ? -errno : 0;
}

static int copy_data(int src, int dst, off_t size)
{
	off_t done = 0;
	_cleanup_free_ char *buf = NULL;

	while (done < size) {
		ssize_t n = copy_file_range(src, NULL, dst, NULL, size - done, 0);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 &&
		    (errno == EXDEV || errno == ENOSYS || errno == EINVAL || errno == EOPNOTSUPP))
			break;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		done += n;
	}
	if (done >= size)
		return 0;
	buf = malloc(1 << 20);
	if (!buf)
		return -ENOMEM;
	for (;;) {
		ssize_t n = pread(src, buf, 1 << 20, done), w = 0;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? -errno : 0;
		while (w < n) {
			ssize_t k = pwrite(dst, buf + w, n - w, done + w);
			if (k < 0 && errno == EINTR)
				continue;
			if (k < 0)
				return -errno;
			w += k;
		}
		done += n;
	}
}

/**
 * ovl_copy_xattrs() - copy every xattr but the overlay's own from @src to
 * @dst (both paths, /proc/self/fd/N/NAME style; symlinks are not followed).
 */
int ovl_copy_xattrs(const char *src, const char *dst)
{
	char list[8192], val[65536];
	ssize_t n = llistxattr(src, list, sizeof(list));

	if (n < 0)
		return errno == ENOTSUP || errno == EPERM ? 0 : -errno;
	for (char *k = list; k < list + n; k += strlen(k) + 1) {
		if (ovl_xattr_hidden(k) && strcmp(k, OVERRIDE_STAT_XATTR) != 0)
			continue;
		ssize_t v = lgetxattr(src, k, val, sizeof(val));
		if (v < 0)
			continue;
		if (lsetxattr(dst, k, val, v, 0) < 0 && errno != ENOTSUP && errno != EPERM)
			return -errno;
	}
	return 0;
}

/* build the copy of @srcdfd/@name (stat @st) as workdir/work/@tmp */
static int copy_make(struct ovl_fs *fs, int srcdfd, const char *name, const struct stat *st,
                     const char *tmp, bool with_data)
{
	if (S_ISDIR(st->st_mode))
		return mkdirat(fs->workfd, tmp, 0700) < 0 ? -errno : 0;
	if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlinkat(srcdfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return -errno;
		target[n] = '\0';
		return symlinkat(target, fs->workfd, tmp) < 0 ? -errno : 0;
	}
	if (S_ISREG(st->st_mode)) {
		_cleanup_close_ int dst = -1, src = -1;
		dst = openat(fs->workfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (dst < 0)
			return -errno;
		if (!with_data || st->st_size == 0)
			return 0;
		src = openat(srcdfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
		if (src < 0)
			return -errno;
		return copy_data(src, dst, st->st_size);
	}
	return mknodat(fs->workfd, tmp, st->st_mode, st->st_rdev) < 0 ? -errno : 0;
}

/* metadata of the copy: xattrs, owner, mode, times, origin inode number
 * (*@origin: whether it could be recorded) */
static int copy_meta(struct ovl_fs *fs, struct ovl_node *n, int srcdfd, const char *name,
                     const struct stat *st, const char *tmp, bool *origin)
{
	char src[PATH_MAX + 32], dst[PATH_MAX + 32], ino[32];
	struct timespec ts[2] = { st->st_atim, st->st_mtim };
	int r;

	snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", srcdfd, name);
	snprintf(dst, sizeof(dst), "/proc/self/fd/%d/%s", fs->workfd, tmp);
	if (!S_ISLNK(st->st_mode) && (r = ovl_copy_xattrs(src, dst)) < 0)
		return r;
	/* an owner the namespace cannot map stays ours: the copy must not fail */
	if (fchownat(fs->workfd, tmp, st->st_uid, st->st_gid, AT_SYMLINK_NOFOLLOW) < 0 &&
	    errno != EPERM && errno != EINVAL)
		return -errno;
	if (!S_ISLNK(st->st_mode) && fchmodat(fs->workfd, tmp, st->st_mode & 07777, 0) < 0)
		return -errno;
	*origin = false;
	if (fs->upper_xattr && !S_ISLNK(st->st_mode)) {
		int len = snprintf(ino, sizeof(ino), "%llx", (unsigned long long)n->ino);
		*origin = lsetxattr(dst, "user.warren.origin", ino, len, 0) == 0;
	}
	if (utimensat(fs->workfd, tmp, ts, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (S_ISREG(st->st_mode) && st->st_nlink > 1) {
		/* lets the other names of this file find the copy (see entry.c);
		 * they count as its links until they are linked up */
		int len = snprintf(ino, sizeof(ino), "%lu", (unsigned long)(st->st_nlink - 1));
		if (fs->upper_xattr)
			lsetxattr(dst, OVL_LOWER_LINKS_XATTR, ino, (size_t)len, 0);
		snprintf(ino, sizeof(ino), "%llx", (unsigned long long)n->ino);
		linkat(fs->workfd, tmp, fs->indexfd, ino, 0);
	}
	return 0;
}

/* copy up @n whose parent is already in the upper layer; n->lock held */
static int copy_up_locked(struct ovl_fs *fs, struct ovl_node *n, bool with_data)
{
	char ppath[PATH_MAX], name[NAME_MAX + 1], tmp[64];
	_cleanup_close_ int srcdfd = -1, updfd = -1;
	struct stat st, ust;
	bool origin = false;
	int r;

	if ((r = ovl_node_parent_path(fs, n, ppath, sizeof(ppath), name, NULL)) < 0)
		return r;
	srcdfd = ovl_open_at(fs, n->layer, ppath, O_PATH | O_DIRECTORY, 0);
	if (srcdfd < 0)
		return srcdfd;
	updfd = ovl_open_at(fs, OVL_UPPER, ppath, O_PATH | O_DIRECTORY, 0);
	if (updfd < 0)
		return updfd;
	if (fstatat(srcdfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	ovl_tmpname(fs, tmp, sizeof(tmp));
	r = copy_make(fs, srcdfd, name, &st, tmp, with_data);
	if (r == 0)
		r = copy_meta(fs, n, srcdfd, name, &st, tmp, &origin);
	/* without its origin recorded, lookups of the copy must still find n */
	if (r == 0 && !origin && fstatat(fs->workfd, tmp, &ust, AT_SYMLINK_NOFOLLOW) == 0 &&
	    ovl_present_ino(fs, OVL_UPPER, ust.st_ino) != n->ino)
		ovl_node_set_upper_ino(fs, n, ovl_present_ino(fs, OVL_UPPER, ust.st_ino));
	if (r == 0 && renameat(fs->workfd, tmp, updfd, name) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(fs->workfd, tmp, S_ISDIR(st.st_mode) ? AT_REMOVEDIR : 0);
		return r;
	}
	n->lmask |= ovl_bit(OVL_UPPER);
	if (!S_ISDIR(st.st_mode))
		n->lmask = ovl_bit(OVL_UPPER);
	n->layer = OVL_UPPER;
	return 0;
}

/**
 * ovl_copy_up() - make @n (and its parents) exist in the upper layer.
 * @with_data: false when the caller truncates it to zero right after
 * Return: 0, -EROFS without an upper layer, or -errno.
 */
int ovl_copy_up(struct ovl_fs *fs, struct ovl_node *n, bool with_data)
{
	struct ovl_node *parent;
	int r;

	if (!fs->has_upper)
		return -EROFS;
	if (n->layer == OVL_UPPER || n->layer == OVL_WORK_LAYER || n->layer == OVL_INDEX_LAYER)
		return 0;
	if (n->gone)
		return -ENOENT; /* its name was removed: nothing may bring it back */
	parent = ovl_node_ref_parent(fs, n);
	if (!parent)
		return -ENOENT;
	r = ovl_copy_up(fs, parent, true);
	ovl_node_unref(fs, parent);
	if (r < 0)
		return r;
	pthread_mutex_lock(&n->lock);
	r = n->layer == OVL_UPPER ? 0 : copy_up_locked(fs, n, with_data);
	pthread_mutex_unlock(&n->lock);
	return r;
}

/**
 * ovl_copy_up_tree() - copy up @n and, for a directory, everything below it,
 * then mark the upper directory opaque: used before renaming a lower
 * directory, so that it moves as a whole without a redirect.
 */
int ovl_copy_up_tree(struct ovl_fs *fs, struct ovl_node *n)
{
	struct ovl_dirlist *list = NULL;
	int r = ovl_copy_up(fs, n, true);

	if (r < 0 || !S_ISDIR(n->type))
		return r;
	if (n->lmask == ovl_bit(OVL_UPPER))
		return 0;
	if ((r = ovl_dir_read(fs, n, &list)) < 0)
		return r;
	r = ovl_dirlist_each_child(fs, n, list, ovl_copy_up_tree);
	ovl_dirlist_free(list);
	if (r < 0)
		return r;
	{
		char ppath[PATH_MAX], name[NAME_MAX + 1];
		_cleanup_close_ int pfd = -1;
		if ((r = ovl_node_parent_path(fs, n, ppath, sizeof(ppath), name, NULL)) < 0)
			return r;
		if ((pfd = ovl_open_at(fs, OVL_UPPER, ppath, O_PATH | O_DIRECTORY, 0)) < 0)
			return pfd;
		if ((r = ovl_dir_make_opaque(fs, pfd, name)) < 0)
			return r;
	}
	n->lmask = ovl_bit(OVL_UPPER);
	return 0;
}
