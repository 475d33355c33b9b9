/* ops_file.c - FUSE operations on open files. Opens are zero-message: open
 * answers ENOSYS once and the kernel stops sending OPEN and RELEASE, so a
 * cat costs one round trip; each request opens the node's current copy
 * (after copy-up for a change). Files made by create keep their descriptor
 * (handle = fd + 1). Locks are left to the kernel. */
#include "ovl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define READ_COPY_MAX (128 * 1024)

/* a descriptor for one request: the handle's, or one opened now (*@own) */
static int file_fd(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi, bool write, bool *own)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino);
	int r;

	*own = false;
	if (fi && fi->fh)
		return (int)(fi->fh - 1);
	if (write && (r = ovl_copy_up(fs, n, true)) < 0)
		return r;
	*own = true;
	return ovl_node_open(fs, n, (write ? O_RDWR : O_RDONLY) | O_NOFOLLOW);
}

static void file_fd_done(int fd, bool own)
{
	if (own && fd >= 0)
		close(fd);
}

/* implements fuse_lowlevel_ops.open: see the file comment */
static void file_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, ENOSYS);
}

/* implements fuse_lowlevel_ops.read: a small file read ahead (fileahead.c)
 * is answered from memory; other small reads are one pread into a
 * per-thread buffer (cheaper than setting up a splice), large ones move by
 * splice without a copy through userspace */
static void file_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
	static _Thread_local char small[READ_COPY_MAX];
	struct ovl_fs *fs = ovl_fs_of(req);
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);
	bool own;
	int fd;

	if (off == 0 && fs->fa && !(fi && fi->fh)) {
		size_t len;
		char *ahead = ovl_fa_take(fs, ovl_node_get(fs, ino), &len);
		if (ahead) {
			fuse_reply_buf(req, ahead, len < size ? len : size);
			free(ahead);
			return;
		}
	}
	fd = file_fd(req, ino, fi, false, &own);
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	if (size <= READ_COPY_MAX) {
		ssize_t n;
		do
			n = pread(fd, small, size, off);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			fuse_reply_err(req, errno);
		else
			fuse_reply_buf(req, small, (size_t)n);
	} else {
		buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		buf.buf[0].fd = fd;
		buf.buf[0].pos = off;
		fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
	}
	file_fd_done(fd, own);
}

/* implements fuse_lowlevel_ops.write_buf */
static void file_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf, off_t off,
                           struct fuse_file_info *fi)
{
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in_buf));
	bool own;
	int fd = file_fd(req, ino, fi, true, &own);
	ssize_t n;

	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = fd;
	out.buf[0].pos = off;
	n = fuse_buf_copy(&out, in_buf, FUSE_BUF_SPLICE_NONBLOCK);
	file_fd_done(fd, own);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

/* implements fuse_lowlevel_ops.release (files made by create) */
static void file_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	if (fi->fh)
		close((int)(fi->fh - 1));
	fuse_reply_err(req, 0);
}

/* implements fuse_lowlevel_ops.fsync */
static void file_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino);
	bool own;
	int fd, r = 0;

	if (ovl_layer_is_lower(n->layer) && !(fi && fi->fh)) {
		fuse_reply_err(req, 0); /* nothing of it was ever written */
		return;
	}
	fd = file_fd(req, ino, fi, false, &own);
	if (fd < 0)
		r = -fd;
	else if ((datasync ? fdatasync(fd) : fsync(fd)) < 0)
		r = errno;
	file_fd_done(fd, own);
	fuse_reply_err(req, r);
}

/* implements fuse_lowlevel_ops.fallocate */
static void file_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
                           struct fuse_file_info *fi)
{
	bool own;
	int fd = file_fd(req, ino, fi, true, &own), r = 0;

	if (fd < 0)
		r = -fd;
	else if (fallocate(fd, mode, off, len) < 0)
		r = errno;
	file_fd_done(fd, own);
	fuse_reply_err(req, r);
}

/* implements fuse_lowlevel_ops.lseek (SEEK_DATA and SEEK_HOLE) */
static void file_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
                       struct fuse_file_info *fi)
{
	bool own;
	int fd = file_fd(req, ino, fi, false, &own);
	off_t r = fd < 0 ? -1 : lseek(fd, off, whence);
	int e = fd < 0 ? -fd : errno;

	file_fd_done(fd, own);
	if (r < 0)
		fuse_reply_err(req, e);
	else
		fuse_reply_lseek(req, r);
}

/* implements fuse_lowlevel_ops.copy_file_range */
static void file_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
                                 struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
                                 struct fuse_file_info *fi_out, size_t len, int flags)
{
	bool own_in, own_out;
	int in = file_fd(req, ino_in, fi_in, false, &own_in);
	int out = in < 0 ? in : file_fd(req, ino_out, fi_out, true, &own_out);
	ssize_t n = -1;
	int e = in < 0 ? -in : out < 0 ? -out : 0;

	if (e == 0) {
		n = copy_file_range(in, &off_in, out, &off_out, len, (unsigned)flags);
		e = errno;
	}
	if (out >= 0)
		file_fd_done(out, own_out);
	file_fd_done(in, own_in);
	if (n < 0)
		fuse_reply_err(req, e);
	else
		fuse_reply_write(req, (size_t)n);
}

void ovl_file_fill_ops(struct fuse_lowlevel_ops *ops)
{
	ops->open = file_open;
	ops->read = file_read;
	ops->write_buf = file_write_buf;
	/* no flush: the kernel then stops sending FLUSH at every close (it still
	 * writes dirty pages back itself first); locks are the kernel's own */
	ops->release = file_release;
	ops->fsync = file_fsync;
	ops->fallocate = file_fallocate;
	ops->lseek = file_lseek;
	ops->copy_file_range = file_copy_file_range;
}
