/* whiteout.c - the marks the upper layer uses to hide lower entries: 0/0
 * character-device whiteouts where the filesystem allows them (else .wh.
 * files, as OCI layers have them) and opaque directories. Only ever touches
 * the upper layer. */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

/**
 * ovl_whiteout_make() - hide lower entries named @name in the upper
 * directory @dfd.
 * Return: 0 or -errno.
 */
int ovl_whiteout_make(struct ovl_fs *fs, int dfd, const char *name)
{
	char wh[NAME_MAX + 8];
	int fd;

	if (fs->wh_chardev) {
		if (mknodat(dfd, name, S_IFCHR | 0600, makedev(0, 0)) == 0 || errno == EEXIST)
			return 0;
		if (errno != EPERM)
			return -errno;
	}
	snprintf(wh, sizeof(wh), OVL_WH_PREFIX "%s", name);
	fd = openat(dfd, wh, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/**
 * ovl_whiteout_clear() - remove a whiteout for @name (either form) from the
 * upper directory @dfd, before something new takes that name.
 * @was_whiteout: set when one was there (the lower entry stays hidden)
 * Return: 0 or -errno.
 */
int ovl_whiteout_clear(struct ovl_fs *fs, int dfd, const char *name, bool *was_whiteout)
{
	char wh[NAME_MAX + 8];
	struct stat st;

	*was_whiteout = false;
	if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	    ovl_is_whiteout(&st, dfd, name, true)) {
		if (unlinkat(dfd, name, 0) < 0)
			return -errno;
		*was_whiteout = true;
	}
	snprintf(wh, sizeof(wh), OVL_WH_PREFIX "%s", name);
	if (unlinkat(dfd, wh, 0) == 0)
		*was_whiteout = true;
	else if (errno != ENOENT)
		return -errno;
	return 0;
}

/**
 * ovl_dir_make_opaque() - make the upper directory @dfd/@name hide whatever
 * lower layers hold at its path.
 * Return: 0 or -errno.
 */
int ovl_dir_make_opaque(struct ovl_fs *fs, int dfd, const char *name)
{
	char p[PATH_MAX + 32];
	int fd;

	if (fs->upper_xattr) {
		snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", dfd, name);
		return lsetxattr(p, "user.overlay.opaque", "y", 1, 0) < 0 ? -errno : 0;
	}
	snprintf(p, sizeof(p), "%s/" OVL_WH_OPAQUE, name);
	fd = openat(dfd, p, O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}
