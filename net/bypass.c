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
 * container asked, on libslirp's path.
 *
 * Inbound, the same filter hands over bind(): a TCP socket bound to a
 * published container port (on any address or the container's own) is
 * bound here instead, on the host's address and port that -p names, and
 * put in place of the container's. warren-net's own listener for that
 * port is closed first (the forwarder stops), so the container's
 * listen()/accept() work on the host socket: clients arrive through the
 * host kernel with their real address, and the port is free again once
 * the container closes it. A stand-in listener inside the namespace
 * carries what connects from inside the container to the host socket. */
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

/* a published TCP port's host listener, as warren bound it */
struct bypass_port {
	struct sockaddr_storage host; /* its address and host port */
	uint16_t container_port;
	bool given;                    /* closed: the port is the container's own now */
	struct sockaddr_storage asked; /* the container's last bind() on it */
};

static struct {
	int sock; /* --bypass-fd: the listener arrives here */
	int factory;
	const struct net_cfg *cfg;
	bool host_loopback;
	struct bypass_port ports[NET_MAX_PORTS]; /* cfg->listeners, in order */
	size_t n_ports;
	/* container ports that have a stand-in, IPv4 and IPv6 */
	uint8_t stand_in[65536 / 8], stand_in6[65536 / 8];
	struct seccomp_notif_sizes sizes;
	struct bypass_pending pending[BYPASS_MAX_PENDING];
	size_t n_pending;
} bypass = { .sock = -1, .factory = -1 };

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

/* the address argument of a connect() or bind() (args 1 and 2), read from
 * the process while its call is still the one notified */
static bool bypass_read_addr(int listener, const struct seccomp_notif *req,
                             struct sockaddr_storage *sa, size_t *lenp)
{
	size_t len = (size_t)req->data.args[2];
	struct iovec local = { sa, len }, remote = { (void *)(uintptr_t)req->data.args[1], len };

	memset(sa, 0, sizeof(*sa));
	*lenp = len;
	return len >= sizeof(sa_family_t) && len <= sizeof(*sa) &&
	       syscall(SYS_process_vm_readv, req->pid, &local, 1, &remote, 1, 0) == (ssize_t)len &&
	       ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) == 0 &&
	       (sa->ss_family != AF_INET || len >= sizeof(struct sockaddr_in)) &&
	       (sa->ss_family != AF_INET6 || len >= sizeof(struct sockaddr_in6));
}

static void bypass_connect(int listener, const struct seccomp_notif *req)
{
	struct sockaddr_storage sa;
	size_t len;
	int target = (int)req->data.args[0], mine, host, e;
	bool nonblock = false, cloexec;

	if (!bypass_read_addr(listener, req, &sa, &len) || !bypass_target(&sa) ||
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

/* the port of @sa (either family), host order */
static uint16_t bypass_port_of(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return ntohs(((const struct sockaddr_in *)sa)->sin_port);
}

static bool bypass_any_p(const struct sockaddr_storage *sa)
{
	if (sa->ss_family == AF_INET6)
		return IN6_IS_ADDR_UNSPECIFIED(&((const struct sockaddr_in6 *)sa)->sin6_addr);
	return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == htonl(INADDR_ANY);
}

/* whether a bind to @sa takes the container's published ports: any address,
 * or the container's own IPv4 address (where -p's clients arrive) */
static bool bypass_inbound_addr_p(const struct sockaddr_storage *sa)
{
	uint32_t own;

	if (bypass_any_p(sa))
		return true;
	if (sa->ss_family != AF_INET)
		return false;
	if (bypass.cfg->forward_only)
		own = bypass.cfg->forward_addr;
	else
		inet_pton(AF_INET, NET_GUEST, &own);
	return ((const struct sockaddr_in *)sa)->sin_addr.s_addr == own;
}

/* where the host side of a switched port listens, from a socket of @family
 * (@v6only) of the container: the published listeners of @cport (v4, v6:
 * indexes into bypass.ports or -1) it takes over are set in @cover.
 * Return: false when none fits (the port stays on the forwarder) */
static bool bypass_inbound_host(uint16_t cport, int family, bool *v6only,
                                struct sockaddr_storage *host, socklen_t *len, bool cover[2],
                                int idx[2])
{
	const struct sockaddr_in *v4 = NULL;
	const struct sockaddr_in6 *v6 = NULL;
	uint16_t hport = 0;

	idx[0] = idx[1] = -1;
	/* port_handler=slirp: libslirp has the port (its IPv6 twin aside) */
	for (size_t i = 0; i < bypass.cfg->n_hostfwds; i++)
		if (!bypass.cfg->hostfwds[i].udp && bypass.cfg->hostfwds[i].container_port == cport)
			return false;
	for (size_t i = 0; i < bypass.n_ports; i++) {
		const struct bypass_port *p = &bypass.ports[i];
		int f = p->host.ss_family == AF_INET6;
		if (p->container_port != cport)
			continue;
		/* one socket can take one host port, and one address a family */
		if ((hport && bypass_port_of(&p->host) != hport) || idx[f] >= 0)
			return false;
		hport = bypass_port_of(&p->host);
		idx[f] = (int)i;
	}
	if (idx[0] >= 0)
		v4 = (const struct sockaddr_in *)&bypass.ports[idx[0]].host;
	if (idx[1] >= 0)
		v6 = (const struct sockaddr_in6 *)&bypass.ports[idx[1]].host;
	memset(host, 0, sizeof(*host));
	cover[0] = cover[1] = false;
	if (family == AF_INET) {
		if (!v4)
			return false;
		memcpy(host, v4, sizeof(*v4));
		*len = sizeof(*v4);
		cover[0] = true;
		return true;
	}
	*len = sizeof(struct sockaddr_in6);
	if (v6 && (*v6only || !v4 || !IN6_IS_ADDR_UNSPECIFIED(&v6->sin6_addr) ||
	           v4->sin_addr.s_addr != htonl(INADDR_ANY))) {
		/* IPv6 only (a second address stays on the forwarder) */
		memcpy(host, v6, sizeof(*v6));
		*v6only = true;
		cover[1] = true;
		return true;
	}
	if (v6) {
		/* -p PORT:...: 0.0.0.0 and [::], both on one dual-stack socket */
		memcpy(host, v6, sizeof(*v6));
		cover[0] = cover[1] = true;
		return true;
	}
	if (!v4 || *v6only)
		return false;
	/* an IPv4 port for a dual-stack socket: its IPv4-mapped address, so
	 * that accept() gives the program the sockaddr_in6 it expects */
	{
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)host;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = v4->sin_port;
		s6->sin6_addr.s6_addr[10] = s6->sin6_addr.s6_addr[11] = 0xff;
		memcpy(&s6->sin6_addr.s6_addr[12], &v4->sin_addr, 4);
	}
	cover[0] = true;
	return true;
}

/* where a connection from inside the container to the switched port goes
 * on the host: the host socket's address, loopback for a wildcard */
static socklen_t bypass_stand_in_target(const struct sockaddr_storage *host, bool v6only,
                                        struct sockaddr_storage *to)
{
	const struct sockaddr_in6 *h6 = (const struct sockaddr_in6 *)host;
	struct sockaddr_in *t4 = (struct sockaddr_in *)to;

	memset(to, 0, sizeof(*to));
	if (host->ss_family == AF_INET6 && !IN6_IS_ADDR_V4MAPPED(&h6->sin6_addr) &&
	    (v6only || !IN6_IS_ADDR_UNSPECIFIED(&h6->sin6_addr))) {
		struct sockaddr_in6 *t6 = (struct sockaddr_in6 *)to;
		*t6 = *h6;
		if (IN6_IS_ADDR_UNSPECIFIED(&t6->sin6_addr))
			t6->sin6_addr = in6addr_loopback;
		return sizeof(*t6);
	}
	t4->sin_family = AF_INET;
	t4->sin_port = htons(bypass_port_of(host));
	if (host->ss_family == AF_INET)
		t4->sin_addr = ((const struct sockaddr_in *)host)->sin_addr;
	else
		memcpy(&t4->sin_addr, &h6->sin6_addr.s6_addr[12], 4);
	if (t4->sin_addr.s_addr == htonl(INADDR_ANY))
		t4->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sizeof(*t4);
}

/* a listener inside the namespace on @in (the container port), carried
 * by the forwarder to @to; Return: false when it cannot be made */
static bool bypass_stand_in_at(const struct sockaddr_storage *in, socklen_t in_len,
                               const struct sockaddr_storage *to, socklen_t to_len)
{
	int one = 1, fd = nsjoin_socket_of(bypass.factory, in->ss_family == AF_INET6 ? '6' : 't');

	if (fd < 0)
		return false;
	/* IPv6 beside the IPv4 one, never over it */
	if ((in->ss_family == AF_INET6 &&
	     setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, (const struct sockaddr *)in, in_len) < 0 || listen(fd, 4096) < 0 ||
	    portfwd_stand_in(fd, to, to_len) < 0) {
		close(fd);
		return false;
	}
	return true;
}

/* once per container port and family: listeners inside the namespace
 * (IPv4 on the address the program asked for, or any; for an IPv6
 * program also [::]) whose connections the forwarder carries to @host, so
 * that the container still reaches its own port; best effort */
static void bypass_stand_in(const struct sockaddr_storage *sa, const struct sockaddr_storage *host,
                            bool v6only, uint16_t cport)
{
	struct sockaddr_storage in = { 0 }, to;
	struct sockaddr_in *in4 = (struct sockaddr_in *)&in;
	struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&in;
	socklen_t to_len = bypass_stand_in_target(host, v6only, &to);
	uint8_t bit = (uint8_t)(1u << (cport % 8));

	if (!(bypass.stand_in[cport / 8] & bit)) {
		in4->sin_family = AF_INET;
		in4->sin_port = htons(cport);
		if (sa->ss_family == AF_INET)
			in4->sin_addr = ((const struct sockaddr_in *)sa)->sin_addr;
		if (bypass_stand_in_at(&in, sizeof(*in4), &to, to_len))
			bypass.stand_in[cport / 8] |= bit;
	}
	if (sa->ss_family == AF_INET6 && !(bypass.stand_in6[cport / 8] & bit)) {
		memset(&in, 0, sizeof(in));
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons(cport);
		if (bypass_stand_in_at(&in, sizeof(*in6), &to, to_len))
			bypass.stand_in6[cport / 8] |= bit;
	}
}

/* a bind(): on a published TCP port, the host's socket for it, bound where
 * -p says and put in place of the container's; anything else as asked */
static void bypass_bind(int listener, const struct seccomp_notif *req)
{
	struct sockaddr_storage sa, host_sa;
	size_t len;
	socklen_t host_len, l = sizeof(int);
	int target = (int)req->data.args[0], mine, host, one = 1, reuseport = 0, v6only = 0, idx[2];
	bool nonblock = false, only = false, cover[2];
	uint16_t cport;

	if (!bypass_read_addr(listener, req, &sa, &len) ||
	    (sa.ss_family != AF_INET && sa.ss_family != AF_INET6) ||
	    !(cport = bypass_port_of(&sa)) || !bypass_inbound_addr_p(&sa) ||
	    (mine = bypass_socket_of(req->pid, target, sa.ss_family, &nonblock)) < 0) {
		bypass_respond(listener, req->id, 0, true);
		return;
	}
	getsockopt(mine, SOL_SOCKET, SO_REUSEPORT, &reuseport, &l);
	if (sa.ss_family == AF_INET6)
		getsockopt(mine, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, &l);
	only = v6only;
	if (!bypass_inbound_host(cport, sa.ss_family, &only, &host_sa, &host_len, cover, idx) ||
	    (host = socket(host_sa.ss_family,
	                   SOCK_STREAM | SOCK_CLOEXEC | (nonblock ? SOCK_NONBLOCK : 0), 0)) < 0) {
		close(mine);
		bypass_respond(listener, req->id, 0, true);
		return;
	}
	bypass_copy_opts(mine, host);
	close(mine);
	v6only = only;
	/* SO_REUSEADDR as warren's own listener had it: the forwarder's last
	 * connections may still be in TIME_WAIT on the port */
	setsockopt(host, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (reuseport)
		setsockopt(host, SOL_SOCKET, SO_REUSEPORT, &one, sizeof(one));
	if (host_sa.ss_family == AF_INET6)
		setsockopt(host, IPPROTO_IPV6, IPV6_V6ONLY, &v6only, sizeof(v6only));
	for (int f = 0; f < 2; f++)
		if (cover[f]) {
			if (!bypass.ports[idx[f]].given)
				portfwd_drop((size_t)idx[f]);
			bypass.ports[idx[f]].given = true;
			bypass.ports[idx[f]].asked = sa;
		}
	if (bind(host, (struct sockaddr *)&host_sa, host_len) < 0) {
		/* in use: another of the container's sockets has the port, which
		 * is what the program would have heard inside its namespace */
		int e = errno;
		close(host);
		bypass_respond(listener, req->id, -e, false);
		return;
	}
	bypass_stand_in(&sa, &host_sa, v6only, cport);
	bypass_install(listener, req->id, host, target, bypass_cloexec(req->pid, target), 0);
}

/* the given port whose host socket has the local address @local, or NULL */
static const struct bypass_port *bypass_given_of(const struct sockaddr_storage *local)
{
	for (size_t i = 0; i < bypass.n_ports; i++) {
		const struct bypass_port *p = &bypass.ports[i];
		struct sockaddr_storage to;
		if (!p->given || bypass_port_of(&p->host) != bypass_port_of(local))
			continue;
		if (bypass_any_p(&p->host))
			return p;
		/* a specific address: compare them as IPv4 where one is */
		bypass_stand_in_target(&p->host, true, &to);
		if (local->ss_family == AF_INET && to.ss_family == AF_INET &&
		    ((const struct sockaddr_in *)local)->sin_addr.s_addr ==
		        ((struct sockaddr_in *)&to)->sin_addr.s_addr)
			return p;
		if (local->ss_family == AF_INET6 &&
		    IN6_IS_ADDR_V4MAPPED(&((const struct sockaddr_in6 *)local)->sin6_addr) &&
		    to.ss_family == AF_INET &&
		    !memcmp(&((const struct sockaddr_in6 *)local)->sin6_addr.s6_addr[12],
		            &((struct sockaddr_in *)&to)->sin_addr, 4))
			return p;
		if (local->ss_family == AF_INET6 && to.ss_family == AF_INET6 &&
		    !memcmp(&((const struct sockaddr_in6 *)local)->sin6_addr,
		            &((struct sockaddr_in6 *)&to)->sin6_addr, 16))
			return p;
	}
	return NULL;
}

/* what getsockname() of a switched socket says inside the container: the
 * bound one (listening or not yet), the address and port it asked for; a
 * connection accepted on it, the container's own address and the
 * container port, as if it had come through the container's interface */
static socklen_t bypass_container_view(const struct bypass_port *p, int fd,
                                       const struct sockaddr_storage *local,
                                       struct sockaddr_storage *out)
{
	struct sockaddr_storage peer;
	socklen_t l = sizeof(peer);
	uint32_t own;

	if (p->asked.ss_family == local->ss_family &&
	    getpeername(fd, (struct sockaddr *)&peer, &l) < 0 && errno == ENOTCONN) {
		*out = p->asked;
	} else {
		*out = *local;
		if (bypass.cfg->forward_only)
			own = bypass.cfg->forward_addr;
		else
			inet_pton(AF_INET, NET_GUEST, &own);
		if (out->ss_family == AF_INET)
			((struct sockaddr_in *)out)->sin_addr.s_addr = own;
		else if (IN6_IS_ADDR_V4MAPPED(&((struct sockaddr_in6 *)out)->sin6_addr))
			memcpy(&((struct sockaddr_in6 *)out)->sin6_addr.s6_addr[12], &own, 4);
	}
	if (out->ss_family == AF_INET6) {
		((struct sockaddr_in6 *)out)->sin6_port = htons(p->container_port);
		return sizeof(struct sockaddr_in6);
	}
	((struct sockaddr_in *)out)->sin_port = htons(p->container_port);
	return sizeof(struct sockaddr_in);
}

/* a getsockname() (only with published ports): a switched socket's is
 * told as the container would see it, not as the host's port; anything
 * else runs as it is */
static void bypass_getsockname(int listener, const struct seccomp_notif *req)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, req->pid, 0);
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int mem = -1;
	struct sockaddr_storage local, view;
	socklen_t ll = sizeof(local), vl, ul = 0, len;
	const struct bypass_port *p;
	char path[64];

	if (pidfd < 0 ||
	    (fd = (int)syscall(SYS_pidfd_getfd, pidfd, (int)req->data.args[0], 0)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&local, &ll) < 0 ||
	    (local.ss_family != AF_INET && local.ss_family != AF_INET6) ||
	    !(p = bypass_given_of(&local))) {
		bypass_respond(listener, req->id, 0, true);
		return;
	}
	vl = bypass_container_view(p, fd, &local, &view);
	/* the process's memory by a descriptor opened while its call is still
	 * the one notified (checked after the open): if it dies and its pid
	 * is reused before the writes, they fail instead of landing in the
	 * new process (seccomp_unotify(2)) */
	snprintf(path, sizeof(path), "/proc/%d/mem", (int)req->pid);
	mem = open(path, O_RDWR | O_CLOEXEC);
	if (mem < 0 || ioctl(listener, SECCOMP_IOCTL_NOTIF_ID_VALID, &req->id) < 0 ||
	    pread(mem, &ul, sizeof(ul), (off_t)req->data.args[2]) != (ssize_t)sizeof(ul)) {
		bypass_respond(listener, req->id, 0, true);
		return;
	}
	/* as the kernel does: the address cut to the caller's buffer, the
	 * length the whole one's */
	len = ul < vl ? ul : vl;
	if ((len && pwrite(mem, &view, len, (off_t)req->data.args[1]) != (ssize_t)len) ||
	    pwrite(mem, &vl, sizeof(vl), (off_t)req->data.args[2]) != (ssize_t)sizeof(vl)) {
		bypass_respond(listener, req->id, -EFAULT, false);
		return;
	}
	bypass_respond(listener, req->id, 0, false);
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
		if (req->data.nr == __NR_bind)
			bypass_bind(listener, req);
		else if (req->data.nr == __NR_getsockname)
			bypass_getsockname(listener, req);
		else if (req->data.nr == __NR_connect)
			bypass_connect(listener, req);
		else
			bypass_respond(listener, req->id, 0, true);
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

int bypass_start(const struct net_cfg *cfg, int factory_fd, struct werr *err)
{
	if (cfg->bypass_fd < 0)
		return 0;
	if (syscall(SYS_seccomp, SECCOMP_GET_NOTIF_SIZES, 0, &bypass.sizes) < 0)
		return werr_errno(err, errno, "socket switching: seccomp notification sizes");
	bypass.sock = cfg->bypass_fd;
	bypass.factory = factory_fd;
	bypass.cfg = cfg;
	bypass.host_loopback = cfg->allow_host_loopback;
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		struct bypass_port *p = &bypass.ports[bypass.n_ports];
		socklen_t l = sizeof(p->host);
		if (getsockname(cfg->listeners[i].fd, (struct sockaddr *)&p->host, &l) < 0)
			return werr_errno(err, errno,
			                  "socket switching: the published port's address");
		p->container_port = cfg->listeners[i].container_port;
		bypass.n_ports++;
	}
	return thread_start(bypass_main, err);
}
