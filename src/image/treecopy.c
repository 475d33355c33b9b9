/* treecopy.c - a recursive copy for volume initialisation: every source is
 * opened relative to its parent's fd with O_NOFOLLOW, the root of the copy
 * with openat2(RESOLVE_IN_ROOT); never follows a link out of the tree. */
#include "treecopy.h"
#include "cleanup.h"
#include "resolve.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define TREECOPY_MAX_DEPTH 128

/* the copy's owner: the source's, except one this user namespace cannot
 * map (EINVAL: a SquashFS image read in single-ID mode shows unmapped
 * owners as the overflow ID), which stays the namespace root's, as a
 * single-ID unpack leaves every file. @name "" with AT_EMPTY_PATH: @dfd */
static int tc_chown(int dfd, const char *name, const struct stat *st, int flags)
{
	if (fchownat(dfd, name, st->st_uid, st->st_gid, flags) == 0 || errno == EINVAL)
		return 0;
	return -1;
}

static int copy_file(int sfd, int dfd, const char *name, const struct stat *st, struct werr *err)
{
	_cleanup_close_ int in = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	_cleanup_close_ int out = -1;
	char buf[1 << 16];

	if (in < 0)
		return werr_errno(err, errno, "open %s", name);
	out = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (out < 0)
		return werr_errno(err, errno, "create %s", name);
	for (;;) {
		ssize_t n = read(in, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return werr_errno(err, errno, "read %s", name);
		if (n == 0)
			break;
		if (util_write_all(out, buf, (size_t)n) < 0)
			return werr_errno(err, errno, "write %s", name);
	}
	if (tc_chown(out, "", st, AT_EMPTY_PATH) < 0 || fchmod(out, st->st_mode & 07777) < 0)
		return werr_errno(err, errno, "owner and mode of %s", name);
	return 0;
}

static int copy_dir(int sfd, int dfd, int depth, struct werr *err);

static int copy_entry(int sfd, int dfd, const char *name, int depth, struct werr *err)
{
	struct stat st;
	struct timespec times[2];
	int r = 0;

	if (fstatat(sfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return werr_errno(err, errno, "stat %s", name);
	if (S_ISREG(st.st_mode)) {
		r = copy_file(sfd, dfd, name, &st, err);
	} else if (S_ISLNK(st.st_mode)) {
		char target[4096];
		ssize_t n = readlinkat(sfd, name, target, sizeof(target) - 1);
		if (n < 0)
			return werr_errno(err, errno, "readlink %s", name);
		target[n] = '\0';
		if (symlinkat(target, dfd, name) < 0 ||
		    tc_chown(dfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return werr_errno(err, errno, "symlink %s", name);
	} else if (S_ISDIR(st.st_mode)) {
		_cleanup_close_ int s2 = -1, d2 = -1;
		if (mkdirat(dfd, name, 0700) < 0)
			return werr_errno(err, errno, "mkdir %s", name);
		s2 = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		d2 = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (s2 < 0 || d2 < 0)
			return werr_errno(err, errno, "open %s", name);
		r = copy_dir(s2, d2, depth + 1, err);
		if (r == 0 && (tc_chown(d2, "", &st, AT_EMPTY_PATH) < 0 ||
		               fchmod(d2, st.st_mode & 07777) < 0))
			r = werr_errno(err, errno, "owner and mode of %s", name);
	} else {
		return 0; /* devices, fifos, sockets: not volume content */
	}
	times[0] = st.st_atim;
	times[1] = st.st_mtim;
	if (r == 0)
		utimensat(dfd, name, times, AT_SYMLINK_NOFOLLOW);
	return r;
}

static int copy_dir(int sfd, int dfd, int depth, struct werr *err)
{
	int fd = dup(sfd);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (depth > TREECOPY_MAX_DEPTH)
		return werr_set(err, ELOOP, "directory tree deeper than %d levels",
		                TREECOPY_MAX_DEPTH);
	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		return werr_errno(err, errno, "read directory");
	}
	while (r == 0 && (de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			r = copy_entry(sfd, dfd, de->d_name, depth, err);
	closedir(d);
	return r;
}

int treecopy_from_root(int rootfd, const char *path, int dstfd, struct werr *err)
{
	_cleanup_close_ int src = -1;
	struct stat st;

	while (*path == '/')
		path++;
	src = resolve_open(rootfd, path, O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT);
	if (src < 0)
		return src == -ENOENT || src == -ENOTDIR ? 0
		                                         : werr_errno(err, -src, "open %s", path);
	if (fstat(src, &st) < 0)
		return werr_errno(err, errno, "stat %s", path);
	if (copy_dir(src, dstfd, 0, err) < 0)
		return werr_prefix(err, "filling the volume from the image's /%s", path);
	/* the volume's root takes the image directory's owner and mode */
	if (tc_chown(dstfd, "", &st, AT_EMPTY_PATH) < 0 || fchmod(dstfd, st.st_mode & 07777) < 0)
		return werr_errno(err, errno, "owner and mode of the volume for /%s", path);
	return 0;
}
