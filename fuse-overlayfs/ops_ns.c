/* ops_ns.c - FUSE operations that change names: create, mknod, mkdir,
 * symlink, link, unlink, rmdir, rename. Each copies the directories up,
 * replaces a whiteout atomically where one holds the name, and leaves a
 * whiteout where a lower entry must stay hidden. Never writes below upper. */
#include "ovl.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

/* where a new entry is made: straight in the upper directory, or (when a
 * whiteout holds the name) in workdir first and then moved over it */
struct ns_target {
	int dfd; /* upper directory */
	const char *name;
	bool chr_wh, dot_wh; /* a 0/0 whiteout / a .wh.NAME file holds the name */
	char tmp[64];
	int at_fd; /* where to create: dfd or fs->workfd */
	const char *at_name;
};

static int ns_begin(struct ovl_fs *fs, struct ovl_node *dir, const char *name, struct ns_target *t)
{
	char wh[NAME_MAX + 8];
	struct stat st;
	int r;

	memset(t, 0, sizeof(*t));
	t->dfd = -1;
	if (ovl_name_reserved(name))
		return -EPERM;
	if (strlen(name) > fs->name_max)
		return -ENAMETOOLONG;
	if ((r = ovl_copy_up(fs, dir, true)) < 0)
		return r;
	if ((t->dfd = ovl_upper_dirfd(fs, dir)) < 0)
		return t->dfd;
	t->name = name;
	/* only where a lower layer shows through can a whiteout hold the name */
	if (dir->lmask != ovl_bit(OVL_UPPER)) {
		t->chr_wh = fstatat(t->dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
		            ovl_is_whiteout(&st, t->dfd, name, true);
		snprintf(wh, sizeof(wh), OVL_WH_PREFIX "%s", name);
		t->dot_wh = fstatat(t->dfd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0;
	}
	t->at_fd = t->dfd;
	t->at_name = name;
	if (t->chr_wh || t->dot_wh) {
		ovl_tmpname(fs, t->tmp, sizeof(t->tmp));
		t->at_fd = fs->workfd;
		t->at_name = t->tmp;
	}
	return 0;
}

/* move a new entry built in workdir over the whiteout holding its name */
static int ns_commit(struct ovl_fs *fs, struct ns_target *t, bool is_dir)
{
	char wh[NAME_MAX + 8];
	int r = 0;

	if (t->at_fd == t->dfd)
		return 0;
	if (is_dir && (r = ovl_dir_make_opaque(fs, fs->workfd, t->tmp)) < 0)
		goto fail;
	if (is_dir && t->chr_wh) {
		if (renameat2(fs->workfd, t->tmp, t->dfd, t->name, RENAME_EXCHANGE) < 0) {
			r = -errno;
			goto fail;
		}
		unlinkat(fs->workfd, t->tmp, 0);
	} else if (renameat(fs->workfd, t->tmp, t->dfd, t->name) < 0) {
		r = -errno;
		goto fail;
	}
	snprintf(wh, sizeof(wh), OVL_WH_PREFIX "%s", t->name);
	if (t->dot_wh)
		unlinkat(t->dfd, wh, 0);
	return 0;
fail:
	unlinkat(fs->workfd, t->tmp, is_dir ? AT_REMOVEDIR : 0);
	return r;
}

static void ns_end(struct ns_target *t)
{
	if (t->dfd >= 0)
		close(t->dfd);
}

/* the owner of a new entry: the caller, or the directory's group when setgid */
static int ns_owner(struct ovl_fs *fs, fuse_req_t req, struct ovl_node *dir, struct ns_target *t,
                    mode_t mode)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	gid_t gid = ctx->gid;
	struct stat dst;
	int r = fs->xattr_permissions ? ovl_node_stat(fs, dir, &dst)
	                              : (fstat(t->dfd, &dst) < 0 ? -errno : 0);

	if (r == 0 && dst.st_mode & S_ISGID)
		gid = fs->xattr_permissions ? dst.st_gid
		                            : ovl_idmap_to_inner(&fs->gidmap, dst.st_gid);
	return ovl_set_owner(fs, t->at_fd, t->at_name, ctx->uid, gid, mode);
}

/* the entry of what was just made at @t: no lookup through the layers needed,
 * it is in the upper layer and hides everything below */
static int ns_entry_new(struct ovl_fs *fs, struct ovl_node *dir, struct ns_target *t,
                        struct fuse_entry_param *e)
{
	struct ovl_found f = { .layer = OVL_UPPER, .lmask = ovl_bit(OVL_UPPER) };
	char proc[PATH_MAX + 32];
	struct ovl_node *n;

	memset(e, 0, sizeof(*e));
	if (fstatat(t->dfd, t->name, &f.st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	f.st.st_ino = ovl_present_ino(fs, OVL_UPPER, f.st.st_ino);
	n = ovl_node_intern(fs, dir, t->name, &f, true);
	if (!n)
		return -ENOMEM;
	e->ino = (fuse_ino_t)(uintptr_t)n;
	e->attr = f.st;
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d/%s", t->dfd, t->name);
	ovl_present_stat(fs, &e->attr, fs->xattr_permissions ? proc : NULL);
	e->attr.st_ino = n->ino;
	e->entry_timeout = e->attr_timeout = fs->timeout;
	return 0;
}

/* mknod, mkdir and symlink: make the entry, give it its owner, move it in */
static void ns_make(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev,
                    const char *link)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *dir = ovl_node_get(fs, parent);
	struct fuse_entry_param e;
	struct ns_target t;
	int r = ns_begin(fs, dir, name, &t);

	if (r == 0) {
		if (S_ISDIR(mode))
			r = mkdirat(t.at_fd, t.at_name, mode & 07777);
		else if (S_ISLNK(mode))
			r = symlinkat(link, t.at_fd, t.at_name);
		else
			r = mknodat(t.at_fd, t.at_name, mode, rdev);
		r = r < 0 ? -errno : 0;
		if (r == 0 && (r = ns_owner(fs, req, dir, &t, mode)) < 0)
			unlinkat(t.at_fd, t.at_name, S_ISDIR(mode) ? AT_REMOVEDIR : 0);
		if (r == 0)
			r = ns_commit(fs, &t, S_ISDIR(mode));
	}
	if (r == 0)
		r = ns_entry_new(fs, dir, &t, &e);
	ns_end(&t);
	ovl_dir_changed(dir);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

/* implements fuse_lowlevel_ops.mknod */
static void ns_mknod(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode, dev_t rdev)
{
	/* a 0/0 character device is a whiteout in every layer: refused, as the
	 * kernel overlay refuses it, rather than made and then hidden */
	if (S_ISCHR(mode) && rdev == makedev(0, 0)) {
		fuse_reply_err(req, EPERM);
		return;
	}
	ns_make(req, parent, name, mode, rdev, NULL);
}

/* implements fuse_lowlevel_ops.mkdir */
static void ns_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode)
{
	ns_make(req, parent, name, S_IFDIR | mode, 0, NULL);
}

/* implements fuse_lowlevel_ops.symlink */
static void ns_symlink(fuse_req_t req, const char *link, fuse_ino_t parent, const char *name)
{
	ns_make(req, parent, name, S_IFLNK | 0777, 0, link);
}

/* implements fuse_lowlevel_ops.create */
static void ns_create(fuse_req_t req, fuse_ino_t parent, const char *name, mode_t mode,
                      struct fuse_file_info *fi)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *dir = ovl_node_get(fs, parent);
	struct fuse_entry_param e;
	struct ns_target t;
	int fd = -1, flags = fi->flags & ~(O_NOCTTY | O_APPEND);
	int r = ns_begin(fs, dir, name, &t);

	if ((flags & O_ACCMODE) == O_WRONLY)
		flags = (flags & ~O_ACCMODE) | O_RDWR; /* the writeback cache reads too */
	if (r == 0) {
		fd = openat(t.at_fd, t.at_name, flags | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW,
		            mode & 07777);
		r = fd < 0 ? -errno : ns_owner(fs, req, dir, &t, S_IFREG | mode);
		if (r == 0)
			r = ns_commit(fs, &t, false);
		else if (fd >= 0)
			unlinkat(t.at_fd, t.at_name, 0);
	}
	if (r == 0)
		r = ns_entry_new(fs, dir, &t, &e);
	ns_end(&t);
	ovl_dir_changed(dir);
	if (r < 0) {
		if (fd >= 0)
			close(fd);
		fuse_reply_err(req, -r);
		return;
	}
	fi->fh = (uint64_t)fd + 1; /* 0 means "no handle" (see ops_file.c) */
	fi->keep_cache = 1;
	if (fuse_reply_create(req, &e, fi) == -ENOENT)
		close(fd);
}

/* implements fuse_lowlevel_ops.link */
static void ns_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent, const char *newname)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino), *dir = ovl_node_get(fs, newparent);
	struct fuse_entry_param e = { .entry_timeout = fs->timeout, .attr_timeout = fs->timeout };
	struct ovl_found f = { .layer = OVL_UPPER, .lmask = ovl_bit(OVL_UPPER) };
	char path[PATH_MAX];
	struct ns_target t = { .dfd = -1 };
	int r = ovl_copy_up(fs, n, true);

	if (r == 0)
		r = ns_begin(fs, dir, newname, &t);
	if (r == 0)
		r = ovl_node_path(fs, n, path, sizeof(path));
	/* from where the file is now: its name, or the index name that holds
	 * it after its other names went */
	if (r == 0 && linkat(ovl_layer_fd(fs, n->layer), path, t.at_fd, t.at_name, 0) < 0)
		r = -errno;
	if (r == 0)
		r = ns_commit(fs, &t, false);
	ns_end(&t);
	ovl_dir_changed(dir);
	f.st.st_ino = n->ino;
	/* the new name is one of the node's: its removal must know the others */
	if (r == 0 && ovl_node_intern(fs, dir, newname, &f, true) != n)
		r = -EIO;
	if (r == 0 && (r = ovl_node_stat(fs, n, &e.attr)) < 0)
		ovl_node_forget(fs, n, 1);
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	e.ino = (fuse_ino_t)(uintptr_t)n;
	fuse_reply_entry(req, &e);
}

/* empty the removed directory workdir/work/@tmp, keeping it for its open users */
static int ns_empty_dir(struct ovl_fs *fs, const char *tmp)
{
	int fd = openat(fs->workfd, tmp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return -errno;
	}
	while ((de = readdir(d)) && r == 0)
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = util_rm_rf_at(dirfd(d), de->d_name);
	closedir(d);
	return r;
}

/* remove @name (a directory when @is_dir) from @dir, leaving a whiteout */
static int ns_remove(struct ovl_fs *fs, struct ovl_node *dir, const char *name, bool is_dir)
{
	struct ovl_found f;
	int lerr = 0;
	struct ovl_node *n = ovl_lookup_child(fs, dir, name, &f, &lerr);
	_cleanup_close_ int dfd = -1;
	enum ovl_keep keep = OVL_KEEP_NONE;
	char tmp[64];
	bool wh, parked = false, drop_index = false;
	int r = 0;

	if (!n)
		return lerr;
	if (is_dir != S_ISDIR(f.st.st_mode))
		r = is_dir ? -ENOTDIR : -EISDIR;
	if (r == 0 && is_dir && !ovl_dir_is_empty(fs, n, &r))
		r = r ? r : -ENOTEMPTY;
	wh = ovl_lower_has(fs, dir, name);
	/* a lower file of several names comes up first: the names left below
	 * then count its links, and an open one shows the removal */
	if (r == 0 && ovl_layer_is_lower(f.layer) && S_ISREG(f.st.st_mode) && f.st.st_nlink > 1 &&
	    (r = ovl_copy_up(fs, n, true)) == 0)
		r = ovl_index_link_up(fs, dir, name, &f); /* copied up by another name */
	if (r == 0)
		r = ovl_copy_up(fs, dir, true);
	if (r == 0 && (dfd = ovl_upper_dirfd(fs, dir)) < 0)
		r = dfd;
	if (r == 0 && f.layer == OVL_UPPER && !is_dir)
		r = ovl_index_prepare(fs, n, dir, dfd, name, true, &keep, &drop_index);
	if (r == 0 && f.layer == OVL_UPPER) {
		unsigned flags = wh ? RENAME_WHITEOUT : 0;
		ovl_tmpname(fs, tmp, sizeof(tmp));
		r = renameat2(dfd, name, fs->workfd, tmp, flags);
		if (r < 0 && errno == EINVAL && flags) /* no RENAME_WHITEOUT here */
			r = renameat2(dfd, name, fs->workfd, tmp, flags = 0);
		if (r < 0) {
			r = -errno;
		} else {
			wh = wh && !flags;
			/* an open file or directory lives on in workdir (the
			 * directory without the whiteouts that emptied it) */
			parked = keep == OVL_KEEP_NONE && (!is_dir || ns_empty_dir(fs, tmp) == 0) &&
			         ovl_node_park(fs, n, dir, name, tmp);
			if (!parked)
				r = util_rm_rf_at(fs->workfd, tmp);
			if (drop_index)
				ovl_index_drop(fs, n);
		}
	}
	if (r == 0 && wh)
		r = ovl_whiteout_make(fs, dfd, name);
	if (r == 0 && !parked)
		ovl_node_drop_name(fs, n, dir, name, keep);
	ovl_dir_changed(dir);
	ovl_node_unref(fs, n);
	return r;
}

/* implements fuse_lowlevel_ops.unlink */
static void ns_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ovl_fs *fs = ovl_fs_of(req);

	fuse_reply_err(req, -ns_remove(fs, ovl_node_get(fs, parent), name, false));
}

/* implements fuse_lowlevel_ops.rmdir */
static void ns_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ovl_fs *fs = ovl_fs_of(req);

	fuse_reply_err(req, -ns_remove(fs, ovl_node_get(fs, parent), name, true));
}

void ovl_ns_fill_ops(struct fuse_lowlevel_ops *ops)
{
	ops->mknod = ns_mknod;
	ops->mkdir = ns_mkdir;
	ops->symlink = ns_symlink;
	ops->create = ns_create;
	ops->link = ns_link;
	ops->unlink = ns_unlink;
	ops->rmdir = ns_rmdir;
	ops->rename = ovl_rename;
}
