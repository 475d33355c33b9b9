/* fsnode.c - a new directory, FIFO or device node with its mode, set through
 * a descriptor of the node: never fchmodat(dirfd, name, mode, 0), which
 * follows a symlink that a container swaps in after the mknodat (issue 17:
 * `cp` into a running container could chmod the caller's own host files). */
#include "fsnode.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef SYS_fchmodat2
#define SYS_fchmodat2 452 /* the same number on every architecture */
#endif

int fsnode_chmod(int fd, mode_t perm)
{
	char proc[40];

	if (syscall(SYS_fchmodat2, fd, "", perm, AT_EMPTY_PATH) == 0)
		return 0;
	/* EPERM too: a seccomp filter that predates fchmodat2 may answer so;
	 * a real permission error comes back the same way below */
	if (errno != ENOSYS && errno != EPERM)
		return -errno;
	/* an fchmod(2) of an O_PATH descriptor is EBADF; the magic link of
	 * the descriptor leads to its inode whatever its name is now */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	/* fchmodat, not chmod: the one warren-overlay's seccomp filter allows */
	return fchmodat(AT_FDCWD, proc, perm, 0) < 0 ? -errno : 0;
}

int fsnode_chmodat(int dirfd, const char *name, mode_t perm)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;
	int r;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0)
		r = -errno;
	else
		r = S_ISLNK(st.st_mode) ? -ELOOP : fsnode_chmod(fd, perm);
	close(fd);
	return r;
}

int fsnode_open(int dirfd, const char *name, mode_t type)
{
	int fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	struct stat st;

	if (fd < 0)
		return -errno;
	if (fstat(fd, &st) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	if ((st.st_mode & S_IFMT) != (type & S_IFMT)) {
		close(fd);
		return S_ISLNK(st.st_mode) ? -ELOOP : -EAGAIN;
	}
	return fd;
}

int fsnode_make(int dirfd, const char *name, mode_t mode, dev_t dev)
{
	mode_t type = mode & S_IFMT;
	int fd, r;

	/* private until its mode is set: nobody opens it in between */
	if (type == S_IFDIR)
		r = mkdirat(dirfd, name, 0700);
	else if (type == S_IFIFO || type == S_IFCHR || type == S_IFBLK)
		r = mknodat(dirfd, name, type | 0600, dev);
	else
		return -EINVAL;
	if (r < 0)
		return -errno;
	fd = fsnode_open(dirfd, name, type);
	if (fd == -ELOOP)
		fd = -EAGAIN;
	if (fd < 0)
		return fd;
	r = fsnode_chmod(fd, mode & 07777);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}
