/* ops_inode.c - FUSE operations on one inode: lookup, forget, getattr,
 * setattr (copy-up first), readlink, statfs, and the session's init (what we
 * ask the kernel to cache). Changes only ever reach the upper layer. */
#include "ovl.h"
#include "fsnode.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/statvfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* implements fuse_lowlevel_ops.init */
static void inode_init(void *userdata, struct fuse_conn_info *conn)
{
	struct ovl_fs *fs = userdata;
	unsigned want = FUSE_CAP_EXPORT_SUPPORT | FUSE_CAP_SPLICE_WRITE | FUSE_CAP_SPLICE_MOVE |
	                FUSE_CAP_READDIRPLUS | FUSE_CAP_PARALLEL_DIROPS | FUSE_CAP_CACHE_SYMLINKS |
	                FUSE_CAP_ASYNC_READ | FUSE_CAP_ATOMIC_O_TRUNC;

	if (fs->has_upper)
		want |= FUSE_CAP_WRITEBACK_CACHE;
	conn->want |= want & conn->capable;
	/* the kernel keeps POSIX and flock locks itself when we do not take them */
	conn->want &= ~(FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS | FUSE_CAP_AUTO_INVAL_DATA);
	/* splicing every request in from /dev/fuse costs two more syscalls for
	 * each small one: measured slower on metadata-heavy work */
	conn->want &= ~FUSE_CAP_SPLICE_READ;
	/* opens reach us once (see ops_file.c): O_TRUNC must come as a setattr */
	conn->want &= ~FUSE_CAP_ATOMIC_O_TRUNC;
	/* always readdirplus: a walk then needs no lookup per entry */
	conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
	conn->max_write = 1 << 20;
	conn->max_readahead = 1 << 20;
	conn->max_background = 64;
	conn->congestion_threshold = 48;
	conn->time_gran = 1;
}

/* implements fuse_lowlevel_ops.lookup */
static void inode_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct fuse_entry_param e;
	int r = ovl_lookup_entry(fs, ovl_node_get(fs, parent), NULL, name, &e);

	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_entry(req, &e);
}

/* implements fuse_lowlevel_ops.forget */
static void inode_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct ovl_fs *fs = ovl_fs_of(req);

	ovl_node_forget(fs, ovl_node_get(fs, ino), nlookup);
	fuse_reply_none(req);
}

/* implements fuse_lowlevel_ops.forget_multi */
static void inode_forget_multi(fuse_req_t req, size_t count, struct fuse_forget_data *forgets)
{
	struct ovl_fs *fs = ovl_fs_of(req);

	for (size_t i = 0; i < count; i++)
		ovl_node_forget(fs, ovl_node_get(fs, forgets[i].ino), forgets[i].nlookup);
	fuse_reply_none(req);
}

/* implements fuse_lowlevel_ops.getattr */
static void inode_getattr(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino);
	struct stat st;
	int r = ovl_node_stat(fs, n, &st);

	if (r == -ENOENT && fi && fi->fh && fstat((int)(fi->fh - 1), &st) == 0) {
		/* an open file whose name is gone */
		ovl_present_stat(fs, &st, NULL);
		st.st_ino = n->ino;
		r = 0;
	}
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, fs->timeout);
}

/* chown or chmod of the upper copy at @path, honouring xattr_permissions */
static int inode_set_owner_mode(struct ovl_fs *fs, struct ovl_node *n, const char *path, int valid,
                                const struct stat *attr)
{
	int ufd = ovl_layer_fd(fs, n->layer);
	struct stat cur;
	int r;

	if (fs->xattr_permissions) {
		struct ovl_xpath x;
		char val[64];
		if ((r = ovl_node_stat(fs, n, &cur)) < 0)
			return r;
		uid_t uid = valid & FUSE_SET_ATTR_UID ? attr->st_uid : cur.st_uid;
		gid_t gid = valid & FUSE_SET_ATTR_GID ? attr->st_gid : cur.st_gid;
		mode_t mode = valid & FUSE_SET_ATTR_MODE ? attr->st_mode : cur.st_mode;
		if (S_ISLNK(cur.st_mode))
			return 0;
		int len = snprintf(val, sizeof(val), "%u:%u:0%o", (unsigned)uid, (unsigned)gid,
		                   (unsigned)(mode & 07777));
		r = lsetxattr(ovl_xpath(&x, ufd, path), "user.containers.override_stat", val, len,
		              0);
		r = r < 0 ? -errno : 0;
		ovl_xpath_done(&x);
		if (r < 0)
			return r;
		/* the real mode stays usable by us whatever the container asks */
		if (valid & FUSE_SET_ATTR_MODE)
			return fsnode_chmodat(ufd, path,
			                      (mode & 07777) | (S_ISDIR(mode) ? 0700 : 0600));
		return 0;
	}
	if (valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) {
		uid_t uid = valid & FUSE_SET_ATTR_UID
		                ? ovl_idmap_to_outer(&fs->uidmap, attr->st_uid)
		                : (uid_t)-1;
		gid_t gid = valid & FUSE_SET_ATTR_GID
		                ? ovl_idmap_to_outer(&fs->gidmap, attr->st_gid)
		                : (gid_t)-1;
		if (fchownat(ufd, path, uid, gid, AT_SYMLINK_NOFOLLOW) < 0)
			return -errno;
	}
	/* never by a name that a rename may have made a symlink to a host file */
	if (valid & FUSE_SET_ATTR_MODE)
		return fsnode_chmodat(ufd, path, attr->st_mode & 07777);
	return 0;
}

static int inode_truncate(struct ovl_fs *fs, int layer, const char *path, off_t size,
                          struct fuse_file_info *fi)
{
	int fd;

	if (fi && fi->fh && ftruncate((int)(fi->fh - 1), size) == 0)
		return 0;
	fd = ovl_open_at(fs, layer, path, O_WRONLY | O_NOFOLLOW, 0);
	if (fd < 0)
		return fd;
	int r = ftruncate(fd, size) < 0 ? -errno : 0;
	close(fd);
	return r;
}

/* implements fuse_lowlevel_ops.setattr */
static void inode_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr, int valid,
                          struct fuse_file_info *fi)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino);
	char path[PATH_MAX];
	struct stat st;
	int r;

	r = ovl_copy_up(fs, n, !(valid & FUSE_SET_ATTR_SIZE && attr->st_size == 0));
	if (r == 0)
		r = ovl_node_path(fs, n, path, sizeof(path));
	if (r == 0 && valid & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID))
		r = inode_set_owner_mode(fs, n, path, valid, attr);
	if (r == 0 && valid & FUSE_SET_ATTR_SIZE)
		r = inode_truncate(fs, n->layer, path, attr->st_size, fi);
	if (r == 0 && valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
		struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
		if (valid & FUSE_SET_ATTR_ATIME_NOW)
			ts[0].tv_nsec = UTIME_NOW;
		else if (valid & FUSE_SET_ATTR_ATIME)
			ts[0] = attr->st_atim;
		if (valid & FUSE_SET_ATTR_MTIME_NOW)
			ts[1].tv_nsec = UTIME_NOW;
		else if (valid & FUSE_SET_ATTR_MTIME)
			ts[1] = attr->st_mtim;
		if (utimensat(ovl_layer_fd(fs, n->layer), path, ts, AT_SYMLINK_NOFOLLOW) < 0)
			r = -errno;
	}
	/* a change of nothing but the ctime (chown -1:-1; the kernel says
	 * FUSE_SET_ATTR_CTIME for regular files, nothing for the others): one
	 * that sets it */
	if (r == 0 &&
	    !(valid & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID |
	               FUSE_SET_ATTR_SIZE | FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) &&
	    fchownat(ovl_layer_fd(fs, n->layer), path, (uid_t)-1, (gid_t)-1, AT_SYMLINK_NOFOLLOW) <
	        0)
		r = -errno;
	if (r == 0)
		r = ovl_node_stat(fs, n, &st);
	if (r < 0)
		fuse_reply_err(req, -r);
	else
		fuse_reply_attr(req, &st, fs->timeout);
}

/* implements fuse_lowlevel_ops.readlink */
static void inode_readlink(fuse_req_t req, fuse_ino_t ino)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino);
	char target[PATH_MAX];
	int r = ovl_node_path(fs, n, ovl_pathbuf, sizeof(ovl_pathbuf));
	ssize_t len;

	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	len = readlinkat(ovl_layer_fd(fs, n->layer), ovl_pathbuf, target, sizeof(target) - 1);
	if (len < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	target[len] = '\0';
	fuse_reply_readlink(req, target);
}

/* implements fuse_lowlevel_ops.statfs */
static void inode_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct statvfs sv;
	int layer = fs->has_upper ? OVL_UPPER : 1;

	if (fstatvfs(fs->layers[layer].fd, &sv) < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	sv.f_namemax = fs->name_max; /* see fs_name_max() */
	fuse_reply_statfs(req, &sv);
}

void ovl_inode_fill_ops(struct fuse_lowlevel_ops *ops)
{
	ops->init = inode_init;
	ops->lookup = inode_lookup;
	ops->forget = inode_forget;
	ops->forget_multi = inode_forget_multi;
	ops->getattr = inode_getattr;
	ops->setattr = inode_setattr;
	ops->readlink = inode_readlink;
	ops->statfs = inode_statfs;
}
