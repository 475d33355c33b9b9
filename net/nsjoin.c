/* nsjoin.c - warren-net's side of the socket factory (factory.c): a small
 * separate program, run in a child, that joins the container's user and
 * network namespaces (setns needs a single-threaded process), makes the tap
 * there and then hands out sockets created in that namespace. */
#include "net.h"
#include "cleanup.h"
#include "util.h"

#define NSJOIN_FACTORY "warren-netns"

#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

/* one fd and a message ("ok" or an error text) over a SOCK_SEQPACKET */
static int nsjoin_send(int sock, int fd, const char *msg)
{
	return util_fd_send(sock, fd, msg, strlen(msg) + 1);
}

/* Return: the received fd, -1 with @msg filled when none came, or -errno */
static int nsjoin_recv(int sock, char *msg, size_t size)
{
	return util_fd_recv(sock, msg, size, NULL);
}

/* warren-netns next to us (a build tree) or in ../libexec/warren/ */
static int nsjoin_find_factory(char *out, size_t size, struct werr *err)
{
	if (util_find_program(NSJOIN_FACTORY, NULL, false, out, size) == 0)
		return 0;
	return werr_set(err, ENOENT,
	                NSJOIN_FACTORY
	                " not found next to warren-net or in its ../libexec/warren/: "
	                "reinstall warren (meson install)");
}

/* the child: fds 0-2 become the socket and the namespaces, the rest is
 * closed (warren-net's listeners, the ready pipe), then the factory runs */
__attribute__((noreturn)) static void nsjoin_child(const char *factory, int sock, int userns,
                                                   int netns, unsigned mtu)
{
	char arg[16], msg[WERR_MSG_MAX];
	char *argv[] = { (char *)NSJOIN_FACTORY, arg, NULL }, *envp[] = { NULL };

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	if (dup2(sock, 0) < 0 || dup2(userns, 1) < 0 || dup2(netns, 2) < 0)
		_exit(1);
	for (int fd = 0; fd < 3; fd++)
		fcntl(fd, F_SETFD, 0);
	close_range(3, ~0U, 0);
	snprintf(arg, sizeof(arg), "%u", mtu);
	execve(factory, argv, envp);
	snprintf(msg, sizeof(msg), "cannot run %s: %s", factory, strerror(errno));
	nsjoin_send(0, -1, msg);
	_exit(1);
}

int nsjoin_start(pid_t pid, unsigned mtu, int *tap_fd, int *factory_fd, pid_t *child,
                 struct werr *err)
{
	char path[64], msg[WERR_MSG_MAX], factory[PATH_MAX];
	_cleanup_close_ int userns = -1, netns = -1;
	int sp[2];
	int fd;

	if (nsjoin_find_factory(factory, sizeof(factory), err) < 0)
		return -err->code;
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0)
		return werr_errno(err, errno, "open %s", path);
	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	netns = open(path, O_RDONLY | O_CLOEXEC);
	if (netns < 0)
		return werr_errno(err, errno, "open %s", path);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return werr_errno(err, errno, "socketpair");
	*child = fork();
	if (*child < 0) {
		close(sp[0]);
		close(sp[1]);
		return werr_errno(err, errno, "fork");
	}
	if (*child == 0) {
		close(sp[0]);
		nsjoin_child(factory, sp[1], userns, netns, mtu);
	}
	close(sp[1]);
	fd = nsjoin_recv(sp[0], msg, sizeof(msg));
	if (fd == -1 && mtu == 0 && !strcmp(msg, "ok"))
		fd = -2; /* no tap asked for, none given */
	if (fd < 0 && fd != -2) {
		close(sp[0]);
		if (fd == -1)
			return werr_set(err, EPERM, "%s", msg);
		return werr_errno(err, -fd, "starting the container's network");
	}
	*tap_fd = fd < 0 ? -1 : fd;
	*factory_fd = sp[0];
	return 0;
}

int nsjoin_socket(int factory_fd, bool udp)
{
	return nsjoin_socket_of(factory_fd, udp ? 'u' : 't');
}

int nsjoin_socket_of(int factory_fd, char kind)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char msg[32];
	int fd;

	/* one request and its answer at a time: the TCP and UDP threads share it */
	pthread_mutex_lock(&lock);
	if (write(factory_fd, &kind, 1) != 1)
		fd = -errno;
	else
		fd = nsjoin_recv(factory_fd, msg, sizeof(msg));
	pthread_mutex_unlock(&lock);
	if (fd == -1)
		return -(msg[0] ? atoi(msg) : EIO);
	return fd;
}
