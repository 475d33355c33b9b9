/* factory.c - warren-netns, the socket factory: a small program (libc only,
 * static with musl where available) that warren-net execs with fd 0 its
 * socket, 1 and 2 the container's user and network namespaces. It joins
 * them, makes the tap there and then hands out sockets created in that
 * namespace. It keeps no capability and never reads data from the
 * container. Usage: warren-netns MTU (0: no tap, sockets only) */
#include "bpf.h"
#include "net.h"
#include "util.h"

#include <linux/capability.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FACTORY_SOCK   0
#define FACTORY_USERNS 1
#define FACTORY_NETNS  2

/* requests, sockets, replies */
static const long factory_syscalls[] = {
	SYS_read,  SYS_write, SYS_socket,     SYS_sendmsg,      SYS_recvmsg,
	SYS_close, SYS_exit,  SYS_exit_group, SYS_rt_sigreturn,
};

/* one fd and a message ("ok", an errno number or an error text) */
static int factory_send(int fd, const char *msg)
{
	return util_fd_send(FACTORY_SOCK, fd, msg, strlen(msg) + 1);
}

static int factory_drop_caps(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* join the namespaces, make the tap, confine ourselves: the tap or -1 */
static int factory_setup(unsigned mtu, struct werr *err)
{
	int tap;

	if (setns(FACTORY_USERNS, CLONE_NEWUSER) < 0)
		return werr_errno(err, errno, "joining the container's user namespace");
	if (setns(FACTORY_NETNS, CLONE_NEWNET) < 0)
		return werr_errno(err, errno, "joining the container's network namespace");
	close(FACTORY_USERNS);
	close(FACTORY_NETNS);
	tap = mtu ? tap_create(mtu, err) : -1;
	if (tap < 0 && mtu)
		return tap;
	if (factory_drop_caps() < 0) {
		if (tap >= 0)
			close(tap);
		return werr_errno(err, errno, "dropping capabilities");
	}
	if (bpf_install_allowlist(factory_syscalls, sizeof(factory_syscalls) / sizeof(long), false,
	                          err) < 0) {
		if (tap >= 0)
			close(tap);
		return -err->code;
	}
	return tap;
}

int main(int argc, char **argv)
{
	struct werr err = { 0 };
	char *end = NULL, req;
	unsigned long mtu = argc == 2 ? strtoul(argv[1], &end, 10) : 0;
	int tap;

	if (!end || *end || (mtu != 0 && (mtu < NET_MTU_MIN || mtu > NET_MTU_MAX))) {
		factory_send(-1, "usage: warren-netns MTU (run by warren-net)");
		return 1;
	}
	tap = factory_setup((unsigned)mtu, &err);
	if (tap < 0 && (mtu || err.code)) {
		factory_send(-1, err.msg);
		return 1;
	}
	if (factory_send(tap, "ok") < 0)
		_exit(1);
	if (tap >= 0)
		close(tap);
	while (read(FACTORY_SOCK, &req, 1) == 1) {
		/* 't' TCP, 'u' UDP, '6' TCP over IPv6 (a switched port's stand-in) */
		int type = req == 'u' ? SOCK_DGRAM : SOCK_STREAM;
		int fd =
		    socket(req == '6' ? AF_INET6 : AF_INET, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
		char msg[32];
		snprintf(msg, sizeof(msg), "%d", fd < 0 ? errno : 0);
		factory_send(fd, msg);
		if (fd >= 0)
			close(fd);
	}
	/* _exit: exit-time handlers (a sanitizer's leak scan) would only meet
	 * the seccomp filter */
	_exit(0);
}
