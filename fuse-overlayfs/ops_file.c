/* ops_file.c - FUSE operations on open files: open (copy-up before any
 * write), read and write by splice where the kernel allows, fsync, fallocate,
 * lseek, copy_file_range. Locks are left to the kernel (local POSIX and flock
 * locks on the mount). A file handle is the layer file's own descriptor. */
#include "ovl.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

/* implements fuse_lowlevel_ops.open */
static void file_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino);
	int flags = fi->flags & ~(O_CREAT | O_EXCL | O_NOCTTY);
	int fd, r = 0;

	if ((flags & O_ACCMODE) != O_RDONLY || flags & O_TRUNC)
		r = ovl_copy_up(fs, n, !(flags & O_TRUNC));
	if (r < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	if (fs->has_upper) {
		/* the writeback cache reads pages in and appends by itself */
		if ((flags & O_ACCMODE) == O_WRONLY)
			flags = (flags & ~O_ACCMODE) | O_RDWR;
		flags &= ~O_APPEND;
	}
	fd = ovl_node_open(fs, n, flags | O_NOFOLLOW);
	if (fd < 0) {
		fuse_reply_err(req, -fd);
		return;
	}
	fi->fh = (uint64_t)fd;
	fi->keep_cache = 1;
	/* nothing to flush for a reader: spare the kernel a round trip per close */
	fi->noflush = (flags & O_ACCMODE) == O_RDONLY;
	if (fuse_reply_open(req, fi) == -ENOENT)
		close(fd);
}

#define READ_COPY_MAX (128 * 1024)

/* implements fuse_lowlevel_ops.read: small reads are one pread into a
 * per-thread buffer (cheaper than setting up a splice), large ones move by
 * splice without a copy through userspace */
static void file_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                      struct fuse_file_info *fi)
{
	static _Thread_local char small[READ_COPY_MAX];
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(size);

	if (size <= READ_COPY_MAX) {
		ssize_t n;
		do
			n = pread((int)fi->fh, small, size, off);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			fuse_reply_err(req, errno);
		else
			fuse_reply_buf(req, small, (size_t)n);
		return;
	}
	buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	buf.buf[0].fd = (int)fi->fh;
	buf.buf[0].pos = off;
	fuse_reply_data(req, &buf, FUSE_BUF_SPLICE_MOVE);
}

/* implements fuse_lowlevel_ops.write_buf */
static void file_write_buf(fuse_req_t req, fuse_ino_t ino, struct fuse_bufvec *in_buf, off_t off,
                           struct fuse_file_info *fi)
{
	struct fuse_bufvec out = FUSE_BUFVEC_INIT(fuse_buf_size(in_buf));
	ssize_t n;

	out.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
	out.buf[0].fd = (int)fi->fh;
	out.buf[0].pos = off;
	n = fuse_buf_copy(&out, in_buf, FUSE_BUF_SPLICE_NONBLOCK);
	if (n < 0)
		fuse_reply_err(req, (int)-n);
	else
		fuse_reply_write(req, (size_t)n);
}

/* implements fuse_lowlevel_ops.flush */
static void file_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

/* implements fuse_lowlevel_ops.release */
static void file_release(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	close((int)fi->fh);
	fuse_reply_err(req, 0);
}

/* implements fuse_lowlevel_ops.fsync */
static void file_fsync(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	int r = datasync ? fdatasync((int)fi->fh) : fsync((int)fi->fh);

	fuse_reply_err(req, r < 0 ? errno : 0);
}

/* implements fuse_lowlevel_ops.fallocate */
static void file_fallocate(fuse_req_t req, fuse_ino_t ino, int mode, off_t off, off_t len,
                           struct fuse_file_info *fi)
{
	int r = fallocate((int)fi->fh, mode, off, len);

	fuse_reply_err(req, r < 0 ? errno : 0);
}

/* implements fuse_lowlevel_ops.lseek (SEEK_DATA and SEEK_HOLE) */
static void file_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
                       struct fuse_file_info *fi)
{
	off_t r = lseek((int)fi->fh, off, whence);

	if (r < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_lseek(req, r);
}

/* implements fuse_lowlevel_ops.copy_file_range */
static void file_copy_file_range(fuse_req_t req, fuse_ino_t ino_in, off_t off_in,
                                 struct fuse_file_info *fi_in, fuse_ino_t ino_out, off_t off_out,
                                 struct fuse_file_info *fi_out, size_t len, int flags)
{
	ssize_t n = copy_file_range((int)fi_in->fh, &off_in, (int)fi_out->fh, &off_out, len,
	                            (unsigned)flags);

	if (n < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_write(req, (size_t)n);
}

void ovl_file_fill_ops(struct fuse_lowlevel_ops *ops)
{
	ops->open = file_open;
	ops->read = file_read;
	ops->write_buf = file_write_buf;
	ops->flush = file_flush;
	ops->release = file_release;
	ops->fsync = file_fsync;
	ops->fallocate = file_fallocate;
	ops->lseek = file_lseek;
	ops->copy_file_range = file_copy_file_range;
}
