/* reserve.c - the store's reserve (see reserve.h). A container can fill the
 * store's filesystem; without room the exit cannot be recorded and nothing
 * that writes first can remove it. Never holds data; never blocks. */
#include "reserve.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

bool reserve_keep(int rootfd)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (faccessat(rootfd, RESERVE_NAME, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	/* O_EXCL: of two commands making it, one does; the other sees it */
	fd = openat(rootfd, RESERVE_NAME, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST;
	/* allocated, not sparse: its blocks are what a full filesystem gets back */
	r = posix_fallocate(fd, 0, RESERVE_BYTES);
	if (r != 0) {
		unlinkat(rootfd, RESERVE_NAME, 0);
		return false;
	}
	return true;
}

bool reserve_release(int dirfd, const char *store)
{
	char path[4096];

	if (snprintf(path, sizeof(path), "%s/%s", store, RESERVE_NAME) >= (int)sizeof(path))
		return false;
	return unlinkat(dirfd, path, 0) == 0;
}

bool reserve_full_p(int code)
{
	return code == ENOSPC || code == EDQUOT;
}

int reserve_write_file_atomic(int dirfd, const char *store, const char *path, const void *buf,
                              size_t len, mode_t mode, struct werr *err)
{
	int r = util_write_file_atomic(dirfd, path, buf, len, mode, err);

	if (r < 0 && reserve_full_p(err->code) && reserve_release(dirfd, store))
		r = util_write_file_atomic(dirfd, path, buf, len, mode, err);
	return r;
}
