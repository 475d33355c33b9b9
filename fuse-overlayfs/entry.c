/* entry.c - the FUSE entry of a name found (LOOKUP and READDIRPLUS
 * replies): a node with a kernel reference, and hard links that stay one
 * inode (a lower link copied up earlier is linked into the upper layer). */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

/**
 * ovl_index_link_up() - @name in @dir, found as @f in a lower layer, is a
 * hard link of a file copied up earlier through another name (its index
 * entry exists): link the copy here too, and make @f say so.
 * Return: 0 (also when there is no index entry) or -errno.
 */
int ovl_index_link_up(struct ovl_fs *fs, struct ovl_node *dir, const char *name,
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
	r = linkat(fs->indexfd, idx, dfd, name, 0) < 0 ? -errno : 0;
	close(dfd);
	if (r == 0)
		ovl_index_lower_linked(fs, idx);
	else if (r == -EEXIST)
		r = 0;
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
	    f->st.st_nlink > 1 && (r = ovl_index_link_up(fs, dir, name, f)) < 0)
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
