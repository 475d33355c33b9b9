/* ops_xattr.c - extended attributes through the mount: read from the
 * topmost layer, written after copy-up. The overlay's own attributes
 * (overlay.*, warren.*, the override_stat record) are never shown or set. */
#include "ovl.h"

#include <stdio.h>
#include <string.h>
#include <sys/xattr.h>

#define XATTR_MAX 65536

/* a path for the xattr calls on @n in its topmost layer (ovl_xpath()) */
static int xattr_path(struct ovl_fs *fs, struct ovl_node *n, struct ovl_xpath *x)
{
	int r = ovl_node_path(fs, n, ovl_pathbuf, sizeof(ovl_pathbuf));

	x->fd = -1;
	if (r < 0)
		return r;
	ovl_xpath(x, ovl_layer_fd(fs, n->layer), ovl_pathbuf);
	return 0;
}

static void xattr_reply(fuse_req_t req, ssize_t n, size_t size, const char *buf)
{
	if (n < 0)
		fuse_reply_err(req, errno);
	else if (size == 0)
		fuse_reply_xattr(req, (size_t)n);
	else if ((size_t)n > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, buf, (size_t)n);
}

/* implements fuse_lowlevel_ops.getxattr */
static void xattr_get(fuse_req_t req, fuse_ino_t ino, const char *name, size_t size)
{
	static _Thread_local char buf[XATTR_MAX];
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_xpath x;
	int r;

	if (ovl_xattr_hidden(name)) {
		fuse_reply_err(req, ENODATA);
		return;
	}
	if ((r = xattr_path(fs, ovl_node_get(fs, ino), &x)) < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	xattr_reply(req, lgetxattr(x.buf, name, buf, sizeof(buf)), size, buf);
	ovl_xpath_done(&x);
}

/* implements fuse_lowlevel_ops.listxattr */
static void xattr_list(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	static _Thread_local char buf[XATTR_MAX], out[XATTR_MAX];
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_xpath x;
	size_t used = 0;
	ssize_t n;
	int r;

	if ((r = xattr_path(fs, ovl_node_get(fs, ino), &x)) < 0) {
		fuse_reply_err(req, -r);
		return;
	}
	n = llistxattr(x.buf, buf, sizeof(buf));
	ovl_xpath_done(&x);
	if (n < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	for (char *k = buf; k < buf + n; k += strlen(k) + 1) {
		size_t len = strlen(k) + 1;
		if (ovl_xattr_hidden(k))
			continue;
		memcpy(out + used, k, len);
		used += len;
	}
	xattr_reply(req, (ssize_t)used, size, out);
}

/* implements fuse_lowlevel_ops.setxattr */
static void xattr_set(fuse_req_t req, fuse_ino_t ino, const char *name, const char *value,
                      size_t size, int flags)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino);
	struct ovl_xpath x = { .fd = -1 };
	int r = ovl_xattr_hidden(name) ? -EPERM : ovl_copy_up(fs, n, true);

	if (r == 0)
		r = xattr_path(fs, n, &x);
	if (r == 0 && lsetxattr(x.buf, name, value, size, flags) < 0)
		r = -errno;
	ovl_xpath_done(&x);
	fuse_reply_err(req, -r);
}

/* implements fuse_lowlevel_ops.removexattr */
static void xattr_remove(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *n = ovl_node_get(fs, ino);
	struct ovl_xpath x = { .fd = -1 };
	int r = ovl_xattr_hidden(name) ? -ENODATA : ovl_copy_up(fs, n, true);

	if (r == 0)
		r = xattr_path(fs, n, &x);
	if (r == 0 && lremovexattr(x.buf, name) < 0)
		r = -errno;
	ovl_xpath_done(&x);
	fuse_reply_err(req, -r);
}

void ovl_xattr_fill_ops(struct fuse_lowlevel_ops *ops)
{
	ops->getxattr = xattr_get;
	ops->listxattr = xattr_list;
	ops->setxattr = xattr_set;
	ops->removexattr = xattr_remove;
}
