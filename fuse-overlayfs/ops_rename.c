/* ops_rename.c - rename and exchange in the merged tree. Lower files are
 * copied up, lower directories copied up whole and made opaque, so a rename
 * never fails with EXDEV; the old name gets a whiteout when a lower layer
 * still holds it. Never writes below the upper layer. */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

struct rename_side {
	struct ovl_node *dir, *node; /* node: temporary reference or NULL */
	const char *name;
	struct ovl_found f;
	bool lower; /* a lower layer holds the name */
	int dfd;    /* upper directory */
	/* the file replaced at the destination: what holds it afterwards */
	enum ovl_keep keep;
	bool drop_index;
};

static int rename_copy_up(struct ovl_fs *fs, struct rename_side *s)
{
	if (S_ISDIR(s->f.st.st_mode))
		return ovl_copy_up_tree(fs, s->node);
	return ovl_copy_up(fs, s->node, true);
}

/* checks rename(2) makes on the merged view, before anything changes */
static int rename_check(struct ovl_fs *fs, struct rename_side *src, struct rename_side *dst,
                        unsigned flags)
{
	int r = 0;

	if (ovl_name_reserved(dst->name))
		return -EPERM;
	if (!dst->node)
		return flags & RENAME_EXCHANGE ? -ENOENT : 0;
	if (flags & RENAME_NOREPLACE)
		return -EEXIST;
	if (flags & RENAME_EXCHANGE || src->node == dst->node)
		return 0;
	if (S_ISDIR(dst->f.st.st_mode) && !S_ISDIR(src->f.st.st_mode))
		return -EISDIR;
	if (!S_ISDIR(dst->f.st.st_mode) && S_ISDIR(src->f.st.st_mode))
		return -ENOTDIR;
	if (S_ISDIR(dst->f.st.st_mode) && !ovl_dir_is_empty(fs, dst->node, &r))
		return r ? r : -ENOTEMPTY;
	return 0;
}

/* make the upper side ready: copies up, opaque directories, old whiteouts */
static int rename_prepare(struct ovl_fs *fs, struct rename_side *src, struct rename_side *dst,
                          unsigned flags)
{
	bool wh;
	int r;

	if ((r = rename_copy_up(fs, src)) < 0)
		return r;
	/* a lower file of several names replaced: up first, as for unlink */
	if (dst->node && ovl_layer_is_lower(dst->f.layer) && S_ISREG(dst->f.st.st_mode) &&
	    dst->f.st.st_nlink > 1 && !(flags & RENAME_EXCHANGE)) {
		if ((r = ovl_copy_up(fs, dst->node, true)) < 0 ||
		    (r = ovl_index_link_up(fs, dst->dir, dst->name, &dst->f)) < 0)
			return r;
	}
	if (flags & RENAME_EXCHANGE && (r = rename_copy_up(fs, dst)) < 0)
		return r;
	if ((r = ovl_copy_up(fs, dst->dir, true)) < 0)
		return r;
	if ((src->dfd = ovl_upper_dirfd(fs, src->dir)) < 0)
		return src->dfd;
	if ((dst->dfd = ovl_upper_dirfd(fs, dst->dir)) < 0)
		return dst->dfd;
	src->lower = ovl_lower_has(fs, src->dir, src->name);
	dst->lower = ovl_lower_has(fs, dst->dir, dst->name);
	/* a directory arriving where a lower layer has the name must hide it */
	if (S_ISDIR(src->f.st.st_mode) && dst->lower &&
	    (r = ovl_dir_make_opaque(fs, src->dfd, src->name)) < 0)
		return r;
	if (flags & RENAME_EXCHANGE) {
		if (S_ISDIR(dst->f.st.st_mode) && src->lower &&
		    (r = ovl_dir_make_opaque(fs, dst->dfd, dst->name)) < 0)
			return r;
		return 0;
	}
	if (dst->node && S_ISDIR(dst->f.st.st_mode) && dst->f.layer == OVL_UPPER &&
	    (r = util_rm_rf_at(dst->dfd, dst->name)) < 0)
		return r;
	/* a file replaced: its other names, or the kernel, may still hold it */
	if (dst->node && !S_ISDIR(dst->f.st.st_mode) && dst->f.layer == OVL_UPPER &&
	    (r = ovl_index_prepare(fs, dst->node, dst->dir, dst->dfd, dst->name, false, &dst->keep,
	                           &dst->drop_index)) < 0)
		return r;
	/* a 0/0 whiteout cannot be replaced by a directory: remove it first */
	if (S_ISDIR(src->f.st.st_mode) &&
	    (r = ovl_whiteout_clear(fs, dst->dfd, dst->name, &wh)) < 0)
		return r;
	return 0;
}

static int rename_do(struct ovl_fs *fs, struct rename_side *src, struct rename_side *dst,
                     unsigned flags)
{
	unsigned kflags = flags & (RENAME_EXCHANGE | RENAME_NOREPLACE);
	char wh[NAME_MAX + 8];
	bool whiteout = src->lower && !(flags & RENAME_EXCHANGE);

	if (renameat2(src->dfd, src->name, dst->dfd, dst->name,
	              kflags | (whiteout ? RENAME_WHITEOUT : 0)) < 0) {
		if (!(errno == EINVAL && whiteout))
			return -errno;
		if (renameat2(src->dfd, src->name, dst->dfd, dst->name, kflags) < 0)
			return -errno;
		int r = ovl_whiteout_make(fs, src->dfd, src->name);
		if (r < 0)
			return r;
	}
	snprintf(wh, sizeof(wh), OVL_WH_PREFIX "%s", dst->name);
	unlinkat(dst->dfd, wh, 0);
	return 0;
}

/* implements fuse_lowlevel_ops.rename */
void ovl_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                const char *newname, unsigned int flags)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct rename_side src = { .dir = ovl_node_get(fs, parent), .name = name, .dfd = -1 };
	struct rename_side dst = { .dir = ovl_node_get(fs, newparent), .name = newname, .dfd = -1 };
	int r, derr;

	if (flags & ~(RENAME_EXCHANGE | RENAME_NOREPLACE)) {
		fuse_reply_err(req, EINVAL);
		return;
	}
	src.node = ovl_lookup_child(fs, src.dir, name, &src.f, &r);
	if (src.node) {
		dst.node = ovl_lookup_child(fs, dst.dir, newname, &dst.f, &derr);
		if (!dst.node && derr != -ENOENT)
			r = derr;
	}
	if (r == 0)
		r = rename_check(fs, &src, &dst, flags);
	if (r == 0 && src.node != dst.node)
		r = rename_prepare(fs, &src, &dst, flags);
	if (r == 0 && src.node != dst.node)
		r = rename_do(fs, &src, &dst, flags);
	if (r == 0 && src.node != dst.node) {
		ovl_node_rename(fs, src.node, src.dir, name, dst.dir, newname);
		if (dst.node && flags & RENAME_EXCHANGE)
			ovl_node_rename(fs, dst.node, dst.dir, newname, src.dir, name);
		else if (dst.node)
			ovl_node_drop_name(fs, dst.node, dst.dir, newname, dst.keep);
		if (dst.node && dst.drop_index)
			ovl_index_drop(fs, dst.node);
	}
	ovl_dir_changed(src.dir);
	ovl_dir_changed(dst.dir);
	if (src.dfd >= 0)
		close(src.dfd);
	if (dst.dfd >= 0)
		close(dst.dfd);
	if (src.node)
		ovl_node_unref(fs, src.node);
	if (dst.node)
		ovl_node_unref(fs, dst.node);
	fuse_reply_err(req, -r);
}
