/* netports.c - published ports on the host side: -P expansion, binding (so
 * that a port in use or a privileged port fails before the container starts,
 * with the address and the fix), and ports.json in the state directory, the
 * file `warren port` and `ps` read. Never binds inside the container. */
#include "netsetup.h"
#include "cleanup.h"
#include "util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <jansson.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

/* -P: every exposed port not published yet gets a free host port */
static int netports_expand_all(struct net_spec *net, struct werr *err)
{
	for (size_t i = 0; net->publish_all && i < net->n_exposed; i++) {
		const struct net_expose *e = &net->exposed[i];
		struct net_port *p;
		bool done = false;
		for (size_t j = 0; j < net->n_ports; j++)
			done |=
			    net->ports[j].container_port == e->port && net->ports[j].udp == e->udp;
		if (done)
			continue;
		p = realloc(net->ports, (net->n_ports + 1) * sizeof(*p));
		if (!p)
			return werr_errno(err, ENOMEM, "-P");
		net->ports = p;
		p[net->n_ports++] =
		    (struct net_port){ .container_port = e->port, .udp = e->udp, .fd = -1 };
	}
	return 0;
}

static int netports_addr(const struct net_port *p, struct sockaddr_storage *ss, socklen_t *len,
                         struct werr *err)
{
	const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
	struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

	memset(ss, 0, sizeof(*ss));
	if (inet_pton(AF_INET, ip, &s4->sin_addr) == 1) {
		s4->sin_family = AF_INET;
		s4->sin_port = htons(p->host_port);
		*len = sizeof(*s4);
		return 0;
	}
	if (inet_pton(AF_INET6, ip, &s6->sin6_addr) == 1) {
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons(p->host_port);
		*len = sizeof(*s6);
		return 0;
	}
	return werr_set(err, EINVAL,
	                "invalid host address \"%s\" in -p: use an IPv4 or IPv6 address", ip);
}

static int netports_unprivileged_start(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/net/ipv4/ip_unprivileged_port_start", "re");
	int v = 1024;

	if (!f || fscanf(f, "%d", &v) != 1)
		return 1024;
	return v;
}

/* IPv6 on the host: /proc/net/if_inet6 lists its addresses (absent with
 * ipv6.disable=1, empty with every interface's disable_ipv6 set) */
static bool netports_host_has_ipv6(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/net/if_inet6", "re");

	return f && fgetc(f) != EOF;
}

/* whether @port of @p's protocol can be bound on @ip now (a probe, closed) */
static bool netports_free_p(const struct net_port *p, const char *ip, unsigned port)
{
	struct net_port probe = *p;
	struct sockaddr_storage ss;
	socklen_t len = 0;
	struct werr ignored;
	int one = 1;
	_cleanup_close_ int fd = -1;

	snprintf(probe.host_ip, sizeof(probe.host_ip), "%s", ip);
	probe.host_port = (uint16_t)port;
	if (netports_addr(&probe, &ss, &len, &ignored) < 0)
		return false;
	fd = socket(ss.ss_family, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return false;
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (!p->udp)
		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	return bind(fd, (struct sockaddr *)&ss, len) == 0;
}

/* the host port to suggest instead of @p's taken one: the next one that is
 * free where `-p PORT:...` would bind it (@ip, and [::] too for 0.0.0.0 and
 * [::] on a host with IPv6), found by binding; 0 when none is near */
static unsigned netports_free_near(const struct net_port *p, const char *ip)
{
	bool any = !strcmp(ip, "0.0.0.0") || !strcmp(ip, "::");
	bool v6 = any && netports_host_has_ipv6();

	for (unsigned port = p->host_port + 1u; port < 65536 && port <= p->host_port + 200u; port++)
		if (netports_free_p(p, ip, port) && (!any || netports_free_p(p, "0.0.0.0", port)) &&
		    (!v6 || netports_free_p(p, "::", port)))
			return port;
	return 0;
}

static int netports_bind_error(const struct net_port *p, int e, struct werr *err)
{
	const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
	const char *proto = p->udp ? "udp" : "tcp";
	bool v6 = strchr(ip, ':') != NULL;
	unsigned other = e == EADDRINUSE ? netports_free_near(p, ip) : 0;

	char eg[64] = "";
	int start;

	if (other)
		snprintf(eg, sizeof(eg), ", e.g. -p %u:%u", other, (unsigned)p->container_port);
	if (e == EADDRINUSE && p->dual)
		return werr_set(err, e,
		                "cannot publish port [::]:%u/%s: the address is already in use on "
		                "IPv6 (something else listens there): choose another host "
		                "port%s, or publish on IPv4 only: -p 0.0.0.0:%u:%u",
		                (unsigned)p->host_port, proto, eg, (unsigned)p->host_port,
		                (unsigned)p->container_port);
	if (e == EADDRINUSE)
		return werr_set(err, e,
		                "cannot publish port %s%s%s:%u/%s: the address is already in use "
		                "(something else listens there): choose another host port%s",
		                v6 ? "[" : "", ip, v6 ? "]" : "", (unsigned)p->host_port, proto,
		                eg);
	if (e == EACCES) {
		int suggest;
		start = netports_unprivileged_start();
		suggest = (int)p->host_port + 8000 >= start && p->host_port + 8000 < 65536
		              ? (int)p->host_port + 8000
		              : start;
		return werr_set(err, e,
		                "cannot publish port %s%s%s:%u/%s: ports below %d are privileged "
		                "(net.ipv4.ip_unprivileged_port_start=%d): use a host port of %d "
		                "or above, e.g. -p %d:%u, or as root: sysctl -w "
		                "net.ipv4.ip_unprivileged_port_start=%u",
		                v6 ? "[" : "", ip, v6 ? "]" : "", (unsigned)p->host_port, proto,
		                start, start, start, suggest, (unsigned)p->container_port,
		                (unsigned)p->host_port);
	}
	if (e == EADDRNOTAVAIL)
		return werr_set(err, e,
		                "cannot publish port %s:%u/%s: %s is not an address of this host",
		                ip, (unsigned)p->host_port, proto, ip);
	return werr_errno(err, e, "cannot publish port %s:%u/%s", ip, (unsigned)p->host_port,
	                  proto);
}

/* -p without an address publishes on 0.0.0.0 and, as Docker does, on [::]
 * too: else another user's listener on [::1]:PORT gets every client that
 * resolves localhost to ::1. The [::] entry follows its 0.0.0.0 twin. */
static int netports_expand_dual(struct net_spec *net, struct werr *err)
{
	bool v6 = netports_host_has_ipv6();

	for (size_t i = 0; i < net->n_ports; i++) {
		struct net_port *p;
		if (net->ports[i].host_ip[0])
			continue;
		snprintf(net->ports[i].host_ip, sizeof(net->ports[i].host_ip), "0.0.0.0");
		if (!v6)
			continue;
		p = realloc(net->ports, (net->n_ports + 1) * sizeof(*p));
		if (!p)
			return werr_errno(err, ENOMEM, "-p");
		net->ports = p;
		memmove(p + i + 2, p + i + 1, (net->n_ports - i - 1) * sizeof(*p));
		p[i + 1] = p[i];
		snprintf(p[i + 1].host_ip, sizeof(p[i + 1].host_ip), "::");
		p[i + 1].dual = true;
		net->n_ports++;
		i++;
	}
	return 0;
}

/* bind @p; with @keep the socket is kept for warren-net (and listens, for TCP) */
static int netports_bind_one(struct net_port *p, bool keep, struct werr *err)
{
	struct sockaddr_storage ss;
	socklen_t len;
	int one = 1;
	_cleanup_close_ int fd = -1;

	if (netports_addr(p, &ss, &len, err) < 0)
		return -err->code;
	fd = socket(ss.ss_family, (p->udp ? SOCK_DGRAM : SOCK_STREAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return werr_errno(err, errno, "socket");
	if (!p->udp && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0)
		return werr_errno(err, errno, "SO_REUSEADDR");
	if (ss.ss_family == AF_INET6)
		setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&ss, len) < 0)
		return netports_bind_error(p, errno, err);
	if (getsockname(fd, (struct sockaddr *)&ss, &len) < 0)
		return werr_errno(err, errno, "getsockname");
	p->host_port = ntohs(ss.ss_family == AF_INET6 ? ((struct sockaddr_in6 *)&ss)->sin6_port
	                                              : ((struct sockaddr_in *)&ss)->sin_port);
	if (keep) {
		if (!p->udp && listen(fd, 4096) < 0)
			return netports_bind_error(p, errno, err);
		p->fd = steal_fd(&fd);
	}
	return 0;
}

/* Docker's NetworkSettings.Ports: {"80/tcp":[{"HostIp":"0.0.0.0","HostPort":"8080"}]} */
static int netports_write_file(const struct net_spec *net, const char *state_dir, struct werr *err)
{
	json_t *root = json_object();
	_cleanup_free_ char *text = NULL;
	char key[32], port[8], path[4200];
	int r = 0;

	if (!root)
		return werr_errno(err, ENOMEM, "ports.json");
	for (size_t i = 0; r == 0 && i < net->n_ports; i++) {
		const struct net_port *p = &net->ports[i];
		json_t *arr;
		snprintf(key, sizeof(key), "%u/%s", (unsigned)p->container_port,
		         p->udp ? "udp" : "tcp");
		snprintf(port, sizeof(port), "%u", (unsigned)p->host_port);
		arr = json_object_get(root, key);
		if (!arr && json_object_set_new(root, key, arr = json_array()) < 0)
			r = -ENOMEM;
		if (r == 0 &&
		    json_array_append_new(arr, json_pack("{s:s, s:s}", "HostIp",
		                                         p->host_ip[0] ? p->host_ip : "0.0.0.0",
		                                         "HostPort", port)) < 0)
			r = -ENOMEM;
	}
	if (r == 0)
		text = json_dumps(root, JSON_SORT_KEYS | JSON_COMPACT);
	json_decref(root);
	if (!text)
		return werr_errno(err, ENOMEM, "ports.json");
	snprintf(path, sizeof(path), "%s/%s", state_dir, NETSETUP_PORTS_FILE);
	/* the runtime directory holds nothing else for a foreground container */
	if (util_mkdir_p(state_dir, 0700, err) < 0)
		return -err->code;
	return util_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0600, err);
}

/* whether warren keeps @p's socket for warren-net's own forwarder: always
 * with the splice handler, and for an IPv6 address with libslirp's too,
 * which cannot carry an IPv6 client to the container's IPv4 address */
static bool netports_keep_p(const struct net_spec *net, const struct net_port *p)
{
	return net->port_handler == NET_PORTS_SPLICE || strchr(p->host_ip, ':') != NULL;
}

/* @v4 and its [::] twin @v6 on one port; a free port (HOSTPORT 0) taken on
 * IPv6 by someone else is given up for another, a few times */
static int netports_bind_dual(const struct net_spec *net, struct net_port *v4, struct net_port *v6,
                              struct werr *err)
{
	uint16_t want = v4->host_port;
	int r = 0;

	for (int tries = 0; tries < 8; tries++) {
		v4->host_port = want;
		r = netports_bind_one(v4, netports_keep_p(net, v4), err);
		if (r < 0)
			return r;
		v6->host_port = v4->host_port;
		r = netports_bind_one(v6, netports_keep_p(net, v6), err);
		if (r == 0 || r != -EADDRINUSE || want != 0)
			return r;
		if (v4->fd >= 0)
			close(v4->fd);
		v4->fd = -1;
	}
	return r;
}

int netports_bind(struct net_spec *net, const char *state_dir, struct werr *err)
{
	int r = netports_expand_all(net, err);

	if (r == 0)
		r = netports_expand_dual(net, err);
	for (size_t i = 0; r == 0 && i < net->n_ports; i++) {
		struct net_port *p = &net->ports[i];
		if (i + 1 < net->n_ports && net->ports[i + 1].dual)
			r = netports_bind_dual(net, p, &net->ports[++i], err);
		else
			r = netports_bind_one(p, netports_keep_p(net, p), err);
	}
	if (r == 0 && net->n_ports)
		r = netports_write_file(net, state_dir, err);
	return r;
}
