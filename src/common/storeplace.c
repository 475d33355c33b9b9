/* storeplace.c - decides whether a path's filesystem can hold the image
 * store, and finds a local one when it cannot. Must never make or use a
 * directory another user could have made first, and never create anything
 * on a path it has only been asked to check. */
#include "storeplace.h"
#include "cleanup.h"
#include "rundir.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/xattr.h>
#include <unistd.h>

/* statfs f_type values (linux/magic.h and the filesystems' own headers:
 * Lustre's and GPFS's are not in the kernel tree) */
static const struct {
	unsigned long magic;
	const char *name;
	enum storeplace_fs kind;
} storeplace_magics[] = {
	{ 0x6969UL, "nfs", STOREPLACE_NETWORK },
	{ 0x0BD00BD0UL, "lustre", STOREPLACE_NETWORK },
	{ 0x47504653UL, "gpfs", STOREPLACE_NETWORK },
	{ 0xFF534D42UL, "cifs", STOREPLACE_NETWORK },
	{ 0xFE534D42UL, "smb2", STOREPLACE_NETWORK },
	{ 0x517BUL, "smb", STOREPLACE_NETWORK },
	{ 0x5346414FUL, "afs", STOREPLACE_NETWORK },
	{ 0x65735546UL, "fuse", STOREPLACE_FUSE },
};

enum storeplace_fs storeplace_classify(unsigned long magic, const char **name)
{
	for (size_t i = 0; i < sizeof(storeplace_magics) / sizeof(storeplace_magics[0]); i++)
		if (storeplace_magics[i].magic == (magic & 0xFFFFFFFFUL)) {
			*name = storeplace_magics[i].name;
			return storeplace_magics[i].kind;
		}
	*name = "";
	return STOREPLACE_LOCAL;
}

/* @path, or its nearest existing parent, into @buf; its stat in @st */
static int storeplace_existing(const char *path, char *buf, size_t size, struct stat *st)
{
	if (snprintf(buf, size, "%s", path) >= (int)size)
		return -ENAMETOOLONG;
	for (;;) {
		char *slash;

		if (stat(buf, st) == 0)
			return 0;
		if (errno != ENOENT && errno != ENOTDIR)
			return -errno;
		slash = strrchr(buf, '/');
		if (!slash)
			return -ENOENT;
		if (slash == buf)
			slash[1] = '\0';
		else
			*slash = '\0';
	}
}

/* the cached verdict's file for @dir on device @dev: RUNDIR/store-probe-HEX */
static int storeplace_cache_path(const char *dir, dev_t dev, char *buf, size_t size)
{
	char rd[PATH_MAX];
	struct werr ignored;
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	if (rundir_get(rd, sizeof(rd), &ignored) < 0)
		return -ENOENT;
	for (const char *p = dir; *p; p++)
		h = (h ^ (unsigned char)*p) * 1099511628211ULL;
	h = (h ^ (uint64_t)dev) * 1099511628211ULL;
	if (snprintf(buf, size, "%s/store-probe-%016llx", rd, (unsigned long long)h) >= (int)size)
		return -ENAMETOOLONG;
	return 0;
}

/* a file made in @dir, given a user xattr and chowned to ourselves: 1 when
 * all work, 0 with @why filled when one is refused, -errno when the file
 * cannot be made (no verdict: the store's own checks say why) */
static int storeplace_probe(const char *dir, const char *fsname, char *why, size_t size)
{
	char name[PATH_MAX], hex[17];
	_cleanup_close_ int fd = -1;
	int r = 1;

	if (util_random_hex(hex, 16) < 0 ||
	    snprintf(name, sizeof(name), "%s/.warren-probe-%s", dir, hex) >= (int)sizeof(name))
		return -EINVAL;
	fd = open(name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0)
		return -errno;
	if (fsetxattr(fd, "user.warren.probe", "1", 1, 0) < 0) {
		snprintf(why, size, "%s: no extended attributes (%s)", fsname, strerror(errno));
		r = 0;
	} else if (fchown(fd, getuid(), getgid()) < 0) {
		snprintf(why, size, "%s: chown refused (%s)", fsname, strerror(errno));
		r = 0;
	}
	unlink(name);
	return r;
}

/* a FUSE mount's verdict: cached, else probed and cached */
static int storeplace_fuse(const char *dir, dev_t dev, char *why, size_t size)
{
	char cache[PATH_MAX] = "", text[512];
	struct werr ignored;
	_cleanup_free_ char *got = NULL;
	size_t len;
	int r;

	if (storeplace_cache_path(dir, dev, cache, sizeof(cache)) == 0 &&
	    util_read_file(AT_FDCWD, cache, 4096, &got, &len, &ignored) == 0 && len > 0) {
		got[len - (got[len - 1] == '\n')] = '\0';
		if (got[0] == '1')
			return 1;
		snprintf(why, size, "%s", got + (got[1] == ' ' ? 2 : 1));
		return 0;
	}
	r = storeplace_probe(dir, "fuse", why, size);
	if (r < 0)
		return 1; /* cannot even make a file: storeplace_check() says so */
	snprintf(text, sizeof(text), "%d %s\n", r, r ? "" : why);
	if (cache[0])
		util_write_file_atomic(AT_FDCWD, cache, text, strlen(text), 0600, &ignored);
	return r;
}

int storeplace_verdict(const char *path, char *why, size_t size)
{
	char dir[PATH_MAX];
	struct statfs fs;
	struct stat st;
	const char *name;

	if (storeplace_existing(path, dir, sizeof(dir), &st) < 0 || statfs(dir, &fs) < 0)
		return 1; /* nothing to look at: storeplace_check() says why */
	switch (storeplace_classify((unsigned long)fs.f_type, &name)) {
	case STOREPLACE_NETWORK:
		snprintf(why, size,
		         "%s: the kernel overlay refuses it as an upper layer and chown to "
		         "subordinate IDs fails there",
		         name);
		return 0;
	case STOREPLACE_FUSE: return storeplace_fuse(dir, st.st_dev, why, size);
	case STOREPLACE_LOCAL: break;
	}
	return 1;
}

/* @path: a directory of ours closed to others, made 0700 if missing */
static bool storeplace_private_p(const char *path)
{
	struct stat st;

	if (mkdir(path, 0700) < 0 && errno != EEXIST)
		return false;
	return lstat(path, &st) == 0 && S_ISDIR(st.st_mode) && st.st_uid == getuid() &&
	       !(st.st_mode & 077);
}

/* @dir is on a filesystem that is not a network or FUSE one */
static bool storeplace_local_p(const char *dir)
{
	struct statfs fs;
	const char *name;

	return statfs(dir, &fs) == 0 &&
	       storeplace_classify((unsigned long)fs.f_type, &name) == STOREPLACE_LOCAL;
}

int storeplace_local(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	struct stat st;
	unsigned uid = (unsigned)getuid();

	if (xdg && xdg[0] == '/' && lstat(xdg, &st) == 0 && S_ISDIR(st.st_mode) &&
	    st.st_uid == getuid() && storeplace_local_p(xdg) &&
	    snprintf(buf, size, "%s/warren-store", xdg) < (int)size)
		return 0;
	if (storeplace_local_p("/var/tmp") &&
	    snprintf(buf, size, "/var/tmp/warren-%u", uid) < (int)size && storeplace_private_p(buf))
		return 0;
	if (storeplace_local_p("/tmp") &&
	    snprintf(buf, size, "/tmp/warren-%u-store", uid) < (int)size &&
	    storeplace_private_p(buf))
		return 0;
	buf[0] = '\0';
	return -ENOENT;
}

int storeplace_check(const char *root, const char *from, struct werr *err)
{
	char dir[PATH_MAX], by[PATH_MAX + 16] = "";
	struct stat st;
	int r = storeplace_existing(root, dir, sizeof(dir), &st);

	if (from && from[0])
		snprintf(by, sizeof(by), " (set by %s)", from);
	if (r < 0)
		return werr_errno(err, -r, "store %s%s", root, by);
	if (!S_ISDIR(st.st_mode))
		return werr_set(err, ENOTDIR,
		                "store %s%s: %s is not a directory (choose another store with "
		                "--root, WARREN_ROOT or root = in warren.conf)",
		                root, by, dir);
	if (access(dir, W_OK | X_OK) == 0)
		return 0;
	if (!strcmp(dir, root))
		return werr_set(err, EACCES,
		                "store %s%s is not writable by you (make it writable, or choose "
		                "another store with --root, WARREN_ROOT or root = in warren.conf)",
		                root, by);
	return werr_set(err, EACCES,
	                "store %s%s does not exist and cannot be made: %s is not writable by "
	                "you (create it, or choose another store with --root, WARREN_ROOT or "
	                "root = in warren.conf)",
	                root, by, dir);
}
