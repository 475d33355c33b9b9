/* console.c - the container's terminal for -t: opened in the container's
 * own devpts (so that `tty` and ttyname() name a /dev/pts/N that exists
 * there), never on the host's. Runs in the container's process before exec. */
#include "console.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#ifndef TIOCGPTPEER
#define TIOCGPTPEER _IO('T', 0x41)
#endif

/* the pty multiplexer is char device 5:2 in every devpts instance; anything
 * else at the path (the container may have replaced it for an exec) is
 * refused rather than handed to warren as a terminal */
static bool console_is_ptmx(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && S_ISCHR(st.st_mode) && major(st.st_rdev) == 5 &&
	       minor(st.st_rdev) == 2;
}

/* the slave through the master itself (Linux 4.13), so that no path is
 * looked up twice; by its name on older kernels */
static int console_open_slave(int master)
{
	char name[64];
	int fd = ioctl(master, TIOCGPTPEER, O_RDWR | O_NOCTTY | O_CLOEXEC);

	if (fd >= 0 || (errno != EINVAL && errno != ENOTTY))
		return fd;
	if (ptsname_r(master, name, sizeof(name)) != 0)
		return -1;
	return open(name, O_RDWR | O_NOCTTY | O_CLOEXEC);
}

int console_setup(const struct winsize *ws, int sock, struct werr *err)
{
	_cleanup_close_ int master = -1, slave = -1;
	int r;

	master = open("/dev/pts/ptmx", O_RDWR | O_NOCTTY | O_CLOEXEC);
	if (master < 0)
		return werr_errno(err, errno, "opening /dev/pts/ptmx in the container");
	if (!console_is_ptmx(master))
		return werr_set(err, ENOTTY,
		                "/dev/pts/ptmx in the container is not the pty "
		                "multiplexer (a devpts must be mounted at /dev/pts)");
	if (unlockpt(master) < 0)
		return werr_errno(err, errno, "unlocking the pseudo-terminal");
	slave = console_open_slave(master);
	if (slave < 0)
		return werr_errno(err, errno, "opening the pseudo-terminal's slave");
	if (ws && ws->ws_row && ioctl(slave, TIOCSWINSZ, ws) < 0)
		return werr_errno(err, errno, "setting the terminal's size");
	/* a new session whose controlling terminal it is: ^C reaches the command */
	if (setsid() < 0)
		return werr_errno(err, errno, "setsid");
	if (ioctl(slave, TIOCSCTTY, 0) < 0)
		return werr_errno(err, errno, "making the pty the controlling terminal");
	for (int i = 0; i < 3; i++)
		if (dup2(slave, i) < 0)
			return werr_errno(err, errno, "the terminal as fd %d", i);
	r = util_fd_send(sock, master, "t", 1);
	if (r < 0)
		return werr_errno(err, -r, "sending the terminal to warren");
	return 0;
}

int console_receive(int sock)
{
	char b[4]; /* room to see a longer word as one */
	size_t n = 0;
	int fd = util_fd_recv(sock, b, sizeof(b), &n);

	/* checked again on this side: the process that sent it ran in the
	 * container's namespaces */
	if (fd >= 0 && (n != 1 || b[0] != 't' || !console_is_ptmx(fd))) {
		close(fd);
		return -1;
	}
	return fd < 0 ? -1 : fd;
}
