/* nsjoin.c - the socket factory: a small process that joins the container's
 * user and network namespaces (setns needs a single-threaded process), makes
 * the tap there and then hands out sockets created in that namespace. It
 * keeps no capability and never reads data from the container. */
#include "net.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <sched.h>
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

static int nsjoin_drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* the factory's life: join, make the tap, then one socket per request */
__attribute__((noreturn)) static void nsjoin_child(int sock, int userns, int netns, unsigned mtu)
{
	struct werr err = { 0 };
	int tap;
	char req;

	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	/* keep nothing of warren-net's (listeners, the ready pipe): fds 0-2 become
	 * ours, the rest is closed; errors travel over @sock only */
	if (dup2(sock, 0) < 0 || dup2(userns, 1) < 0 || dup2(netns, 2) < 0)
		_exit(1);
	sock = 0;
	userns = 1;
	netns = 2;
	close_range(3, ~0U, 0);
	if (setns(userns, CLONE_NEWUSER) < 0) {
		werr_errno(&err, errno, "joining the container's user namespace");
		goto fail;
	}
	if (setns(netns, CLONE_NEWNET) < 0) {
		werr_errno(&err, errno, "joining the container's network namespace");
		goto fail;
	}
	close(userns);
	close(netns);
	tap = tap_create(mtu, &err);
	if (tap < 0)
		goto fail;
	if (nsjoin_drop_caps() < 0 || prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		werr_errno(&err, errno, "dropping capabilities");
		goto fail;
	}
	if (netseccomp_install(true, &err) < 0)
		goto fail;
	if (nsjoin_send(sock, tap, "ok") < 0)
		_exit(1);
	close(tap);
	while (read(sock, &req, 1) == 1) {
		int type = req == 'u' ? SOCK_DGRAM : SOCK_STREAM;
		int fd = socket(AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		char msg[32];
		snprintf(msg, sizeof(msg), "%d", fd < 0 ? errno : 0);
		nsjoin_send(sock, fd, msg);
		if (fd >= 0)
			close(fd);
	}
	_exit(0);
fail:
	nsjoin_send(sock, -1, err.msg);
	_exit(1);
}

int nsjoin_start(pid_t pid, unsigned mtu, int *tap_fd, int *factory_fd, pid_t *child,
                 struct werr *err)
{
	char path[64], msg[WERR_MSG_MAX];
	_cleanup_close_ int userns = -1, netns = -1;
	int sp[2];
	int fd;

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
		nsjoin_child(sp[1], userns, netns, mtu);
	}
	close(sp[1]);
	fd = nsjoin_recv(sp[0], msg, sizeof(msg));
	if (fd < 0) {
		close(sp[0]);
		if (fd == -1)
			return werr_set(err, EPERM, "%s", msg);
		return werr_errno(err, -fd, "starting the container's network");
	}
	*tap_fd = fd;
	*factory_fd = sp[0];
	return 0;
}

int nsjoin_socket(int factory_fd, bool udp)
{
	static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	char msg[32];
	int fd;

	/* one request and its answer at a time: the TCP and UDP threads share it */
	pthread_mutex_lock(&lock);
	if (write(factory_fd, udp ? "u" : "t", 1) != 1)
		fd = -errno;
	else
		fd = nsjoin_recv(factory_fd, msg, sizeof(msg));
	pthread_mutex_unlock(&lock);
	if (fd == -1)
		return -(msg[0] ? atoi(msg) : EIO);
	return fd;
}
