/* bypass.c - socket switching: the container's processes run under a
 * seccomp filter that hands every connect() to this thread (user
 * notification; the listener fd arrives from the container's first process
 * over --bypass-fd before it execs). A TCP connect to an address outside the
 * container's own network is made here instead, by a socket in the host's
 * network namespace, which then replaces the container's socket under the
 * same fd number (SECCOMP_IOCTL_NOTIF_ADDFD): the bytes flow through the
 * host kernel, never through libslirp. Anything else (UDP, Unix sockets,
 * loopback, the container's own addresses, a socket the program bound
 * itself, anything this thread cannot read or prove) continues as the
 * container asked, on libslirp's path. */
#include "net.h"
#include "cleanup.h"
#include "util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/seccomp.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#define BYPASS_MAX_PENDING 256

/* a blocking connect() whose host socket is still connecting */
struct bypass_pending {
	uint64_t id;
	int host_fd;
	int target_fd; /* the fd number in the container's process */
	bool cloexec;
};

static struct {
	int sock; /* --bypass-fd: the listener arrives here */
	bool host_loopback;
	struct seccomp_notif_sizes sizes;
	struct bypass_pending pending[BYPASS_MAX_PENDING];
	size_t n_pending;
} bypass = { .sock = -1 };

static void bypass_respond(int listener, uint64_t id, int error, bool cont)
{
	struct seccomp_notif_resp *resp = calloc(1, bypass.sizes.seccomp_notif_resp);

	if (!resp)
		return;
	resp->id = id;
	resp->error = error;
	resp->flags = cont ? SECCOMP_USER_NOTIF_FLAG_CONTINUE : 0;
	/* ENOENT: the process is gone, or the call was interrupted */
	ioctl(listener, SECCOMP_IOCTL_NOTIF_SEND, resp);
	free(resp);
}

/* put @host_fd in place of @target_fd in the process, then answer 0 or
 * @error (a non-blocking connect's -EINPROGRESS) */
static void bypass_install(int listener, uint64_t id, int host_fd, int target_fd, bool cloexec,
                           int error)
{
	struct seccomp_notif_addfd add = {
		.id = id,
		.flags = SECCOMP_ADDFD_FLAG_SETFD,
		.srcfd = (uint32_t)host_fd,
		.newfd = (uint32_t)target_fd,
		.newfd_flags = cloexec ? O_CLOEXEC : 0,
	};

	if (ioctl(listener, SECCOMP_IOCTL_NOTIF_ADDFD, &add) < 0)
		bypass_respond(listener, id, 0, true); /* as asked, on libslirp's path */
	else
		bypass_respond(listener, id, error, false);
	close(host_fd);
}

/* where a connect to @sa goes from the host, or false: stays on libslirp's
 * path (the container's own network, loopback, what this cannot map) */
static bool bypass_target(struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)sa;
		uint32_t a = ntohl(s4->sin_addr.s_addr), net, gw;
		inet_pton(AF_INET, NET_NETWORK, &net);
		inet_pton(AF_INET, NET_GATEWAY, &gw);
		if (a == 0 || (a >> 24) == 127 || a == 0xffffffffu || (a >> 28) == 0xe)
			return false;
		if ((a & 0xffffff00u) == ntohl(net)) {
			if (a != ntohl(gw) || !bypass.host_loopback)
				return false;
			s4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
		}
		return true;
	}
	if (sa->ss_family == AF_INET6) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)sa;
		struct in6_addr prefix, gw6;
		inet_pton(AF_INET6, NET_PREFIX6, &prefix);
		inet_pton(AF_INET6, NET_GATEWAY6, &gw6);
		if (IN6_IS_ADDR_UNSPECIFIED(&s6->sin6_addr) ||
		    IN6_IS_ADDR_LOOPBACK(&s6->sin6_addr) || IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr) ||
		    IN6_IS_ADDR_MULTICAST(&s6->sin6_addr) || IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr))
			return false;
		if (!memcmp(&s6->sin6_addr, &prefix, 8)) {
			if (memcmp(&s6->sin6_addr, &gw6, sizeof(gw6)) || !bypass.host_loopback)
				return false;
			s6->sin6_addr = in6addr_loopback;
		}
		return true;
	}
	return false;
}

/* the close-on-exec flag of fd @fd of @pid, from its fdinfo */
static bool bypass_cloexec(pid_t pid, int fd)
{
	char path[64], buf[256], *f;
	_cleanup_close_ int in = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "/proc/%d/fdinfo/%d", (int)pid, fd);
	in = open(path, O_RDONLY | O_CLOEXEC);
	if (in < 0 || (n = read(in, buf, sizeof(buf) - 1)) <= 0)
		return false;
	buf[n] = '\0';
	f = strstr(buf, "flags:");
	return f && (strtoul(f + 6, NULL, 8) & O_CLOEXEC);
}

/* a dup of the container's socket, if it is a TCP socket of @family that
 * its program has not bound itself; *@nonblock gets its O_NONBLOCK */
static int bypass_socket_of(pid_t pid, int fd, int family, bool *nonblock)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct sockaddr_storage local;
	socklen_t ll = sizeof(local);
	int dup, v[3], fl;
	socklen_t l = sizeof(int);

	if (pidfd < 0)
		return -1;
	dup = (int)syscall(SYS_pidfd_getfd, pidfd, fd, 0);
	if (dup < 0)
		return -1;
	if (getsockopt(dup, SOL_SOCKET, SO_DOMAIN, &v[0], &l) < 0 ||
	    getsockopt(dup, SOL_SOCKET, SO_TYPE, &v[1], &l) < 0 ||
	    getsockopt(dup, SOL_SOCKET, SO_PROTOCOL, &v[2], &l) < 0 || v[0] != family ||
	    v[1] != SOCK_STREAM || v[2] != IPPROTO_TCP ||
	    getsockname(dup, (struct sockaddr *)&local, &ll) < 0 || (fl = fcntl(dup, F_GETFL)) < 0)
		goto no;
	/* bound by the program (a source port or address of its choice) */
	if (local.ss_family == AF_INET && ((struct sockaddr_in *)&local)->sin_port)
		goto no;
	if (local.ss_family == AF_INET6 && ((struct sockaddr_in6 *)&local)->sin6_port)
		goto no;
	*nonblock = fl & O_NONBLOCK;
	return dup;
no:
	close(dup);
	return -1;
}

/* the options a program commonly sets before connect(), copied over */
static void bypass_copy_opts(int from, int to)
{
	static const int opts[][2] = { { IPPROTO_TCP, TCP_NODELAY },
		                       { SOL_SOCKET, SO_KEEPALIVE },
		                       { IPPROTO_TCP, TCP_KEEPIDLE },
		                       { IPPROTO_TCP, TCP_KEEPINTVL },
		                       { IPPROTO_TCP, TCP_KEEPCNT } };
	struct linger lg;
	socklen_t l = sizeof(lg);

	for (size_t i = 0; i < sizeof(opts) / sizeof(opts[0]); i++) {
		int v;
		socklen_t vl = sizeof(v);
		if (getsockopt(from, opts[i][0], opts[i][1], &v, &vl) == 0)
			setsockopt(to, opts[i][0], opts[i][1], &v, vl);
	}
	if (getsockopt(from, SOL_SOCKET, SO_LINGER, &lg, &l) == 0 && lg.l_onoff)
		setsockopt(to, SOL_SOCKET, SO_LINGER, &lg, l);
}

static void bypass_connect(int listener, const struct seccomp_notif *req)
{
	struct sockaddr_storage sa = { 0 };
	size_t len = (size_t)req->data.args[2];
	struct iovec local = { &sa, len }, remote = { (void *)(uintptr_t)req->data.args[1], len };
	int target = (int)req->data.args[0], mine, host, e;
	bool nonblock = false, cloexec;

	if (len < sizeof(sa_family_t) || len > sizeof(sa) ||
	    syscall(SYS_process_vm_readv, req->pid, &local, 1, &remote, 1, 0) != (ssize_t)len ||
	    ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0 ||
	    (sa.ss_family == AF_INET && len < sizeof(struct sockaddr_in)) ||
	    (sa.ss_family == AF_INET6 && len < sizeof(struct sockaddr_in6)) ||
	    !bypass_target(&sa) ||
	    (mine = bypass_socket_of(req->pid, target, sa.ss_family, &nonblock)) < 0) {
		bypass_respond(listener, req->id, 0, true);
		return;
	}
	cloexec = bypass_cloexec(req->pid, target);
	host = socket(sa.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	if (host < 0) {
		close(mine);
		bypass_respond(listener, req->id, 0, true);
		return;
	}
	bypass_copy_opts(mine, host);
	close(mine);
	e = connect(host, (struct sockaddr *)&sa, (socklen_t)len) == 0 ? 0 : errno;
	if (e != 0 && e != EINPROGRESS) {
		/* refused at once: the container's socket stays as it was */
		close(host);
		bypass_respond(listener, req->id, -e, false);
		return;
	}
	if (nonblock || e == 0) {
		if (!nonblock)
			fcntl(host, F_SETFL, fcntl(host, F_GETFL) & ~O_NONBLOCK);
		bypass_install(listener, req->id, host, target, cloexec, e ? -EINPROGRESS : 0);
		return;
	}
	if (bypass.n_pending == BYPASS_MAX_PENDING) {
		close(host);
		bypass_respond(listener, req->id, -EAGAIN, false);
		return;
	}
	/* a blocking connect: answered once the host socket is connected */
	bypass.pending[bypass.n_pending++] =
	    (struct bypass_pending){ req->id, host, target, cloexec };
}

/* a pending connect's host socket is writable: connected, or failed */
static void bypass_finish(int listener, size_t i)
{
	struct bypass_pending p = bypass.pending[i];
	socklen_t l = sizeof(int);
	int e = 0;

	bypass.pending[i] = bypass.pending[--bypass.n_pending];
	if (getsockopt(p.host_fd, SOL_SOCKET, SO_ERROR, &e, &l) < 0)
		e = errno;
	if (e) {
		close(p.host_fd);
		bypass_respond(listener, p.id, -e, false);
		return;
	}
	fcntl(p.host_fd, F_SETFL, fcntl(p.host_fd, F_GETFL) & ~O_NONBLOCK);
	bypass_install(listener, p.id, p.host_fd, p.target_fd, p.cloexec, 0);
}

static void bypass_serve(int listener)
{
	struct seccomp_notif *req = malloc(bypass.sizes.seccomp_notif);
	struct pollfd fds[1 + BYPASS_MAX_PENDING];

	if (!req)
		return;
	for (;;) {
		size_t n = bypass.n_pending;
		fds[0] = (struct pollfd){ .fd = listener, .events = POLLIN };
		for (size_t i = 0; i < n; i++)
			fds[1 + i] =
			    (struct pollfd){ .fd = bypass.pending[i].host_fd, .events = POLLOUT };
		if (poll(fds, n + 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		for (size_t i = n; i-- > 0;)
			if (fds[1 + i].revents)
				bypass_finish(listener, i);
		if (fds[0].revents & (POLLHUP | POLLERR | POLLNVAL))
			break; /* every process of the container is gone */
		if (!(fds[0].revents & POLLIN))
			continue;
		memset(req, 0, bypass.sizes.seccomp_notif);
		if (ioctl(listener, SECCOMP_IOCTL_NOTIF_RECV, req) < 0)
			continue; /* ENOENT: its process went between poll and here */
		bypass_connect(listener, req);
	}
	free(req);
}

static void *bypass_main(void *arg)
{
	char b[8];
	int listener;

	(void)arg;
	listener = util_fd_recv(bypass.sock, b, sizeof(b), NULL);
	close(bypass.sock);
	if (listener >= 0) {
		bypass_serve(listener);
		close(listener);
	}
	return NULL;
}

int bypass_start(const struct net_cfg *cfg, struct werr *err)
{
	if (cfg->bypass_fd < 0)
		return 0;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &bypass.sizes) < 0)
		return werr_errno(err, errno, "socket switching: seccomp notification sizes");
	bypass.sock = cfg->bypass_fd;
	bypass.host_loopback = cfg->allow_host_loopback;
	return thread_start(bypass_main, err);
}
