/* marks.c - reading the overlay's own marks in any layer: whiteouts in every
 * form (0/0 character devices, .wh. files, overlay.whiteout xattrs), opaque
 * directories (reserved names and private xattrs: inline in ovl.h). Never
 * writes anything. */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>

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
	char list[4096];
	struct ovl_xpath x;
	ssize_t n = -1;
	int marks = 0;

	if (!*path)
		n = flistxattr(dfd, list, sizeof(list));
	if (n < 0 && (*path || errno == EBADF)) {
		n = llistxattr(ovl_xpath(&x, dfd, path), list, sizeof(list));
		ovl_xpath_done(&x);
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
	const char *xp;
	struct ovl_xpath x;
	char v[8], found = 0;

	xp = ovl_xpath(&x, dfd, path);
	for (int i = 0; i < 2 && !found; i++)
		if (lgetxattr(xp, names[i], v, sizeof(v)) == 1 && (v[0] == 'y' || v[0] == 'x'))
			found = v[0];
	ovl_xpath_done(&x);
	return found;
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
