/* netetc.c - the network's part of the container's /etc/resolv.conf and
 * /etc/hosts (files on the tmpfs that mounts.c binds in): nameservers,
 * search domains, --add-host and host.containers.internal. Reads the host's
 * resolv.conf; writes only inside the directory it is given. */
#include "netsetup.h"
#include "netdns.h"
#include "cleanup.h"
#include "util.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NETETC_GATEWAY "10.0.2.2"
#define NETETC_DNS     "10.0.2.3"

/* append printf output to a fixed buffer; Return: -ENOSPC when it is full */
static int netetc_add(char *buf, size_t size, size_t *len, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int netetc_add(char *buf, size_t size, size_t *len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf + *len, size - *len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= size - *len)
		return -ENOSPC;
	*len += (size_t)n;
	return 0;
}

/* the lines of the host's resolv.conf that start with @key, values only */
static void netetc_host_lines(const char *host, const char *key, char *buf, size_t size,
                              size_t *len)
{
	size_t kl = strlen(key);

	for (const char *p = host; p && *p;) {
		size_t l = strcspn(p, "\n");
		if (l > kl && !strncmp(p, key, kl) && (p[kl] == ' ' || p[kl] == '\t'))
			netetc_add(buf, size, len, "%.*s\n", (int)l, p);
		p += l + (p[l] ? 1 : 0);
	}
}

/* the host's search lines from @mark on (in @buf, *@len long) made one
 * line that starts with NETDNS_DOMAIN */
static void netetc_bridge_search(char *buf, size_t size, size_t mark, size_t *len)
{
	char host[8192];
	size_t hl = *len - mark;

	memcpy(host, buf + mark, hl);
	host[hl] = '\0';
	*len = mark;
	netetc_add(buf, size, len, "search " NETDNS_DOMAIN);
	for (char *p = host, *nl; *p; p = nl + 1) {
		nl = strchr(p, '\n');
		*nl = '\0';
		netetc_add(buf, size, len, "%s", p + strlen("search"));
	}
	netetc_add(buf, size, len, "\n");
}

static int netetc_resolv(const struct net_spec *net, int dirfd, struct werr *err)
{
	_cleanup_free_ char *host = NULL;
	char buf[8192];
	size_t len = 0, hl;
	struct werr ignored;

	if (net->mode != NET_MODE_SLIRP && net->mode != NET_MODE_BRIDGE && net->n_dns == 0 &&
	    net->n_dns_search == 0)
		return 0; /* etcfiles.c's copy of the host's file stays */
	if (util_read_file(AT_FDCWD, "/etc/resolv.conf", 65536, &host, &hl, &ignored) < 0)
		host = NULL;
	for (size_t i = 0; i < net->n_dns; i++)
		netetc_add(buf, sizeof(buf), &len, "nameserver %s\n", net->dns[i]);
	if (net->n_dns == 0 && net->mode == NET_MODE_SLIRP)
		netetc_add(buf, sizeof(buf), &len, "nameserver %s\n", NETETC_DNS);
	else if (net->n_dns == 0 && net->mode == NET_MODE_BRIDGE) /* netdns.c, as aardvark */
		netetc_add(buf, sizeof(buf), &len, "nameserver %u.%u.%u.%u\n", net->bridge_gw >> 24,
		           (net->bridge_gw >> 16) & 255, (net->bridge_gw >> 8) & 255,
		           net->bridge_gw & 255);
	else if (net->n_dns == 0)
		netetc_host_lines(host, "nameserver", buf, sizeof(buf), &len);
	if (net->n_dns_search > 0) {
		bool any = false;
		for (size_t i = 0; i < net->n_dns_search; i++)
			any |= strcmp(net->dns_search[i], ".") != 0;
		if (any)
			netetc_add(buf, sizeof(buf), &len, "search");
		for (size_t i = 0; any && i < net->n_dns_search; i++)
			if (strcmp(net->dns_search[i], "."))
				netetc_add(buf, sizeof(buf), &len, " %s", net->dns_search[i]);
		if (any)
			netetc_add(buf, sizeof(buf), &len, "\n");
	} else if (net->mode == NET_MODE_BRIDGE && net->n_dns == 0) {
		/* podman's (aardvark's) domain first, then the host's */
		size_t mark = len;
		netetc_host_lines(host, "search", buf, sizeof(buf), &len);
		netetc_bridge_search(buf, sizeof(buf), mark, &len);
	} else {
		netetc_host_lines(host, "search", buf, sizeof(buf), &len);
	}
	netetc_host_lines(host, "options", buf, sizeof(buf), &len);
	/* Docker's embedded DNS: a dotted name is tried as it is first */
	if (net->mode == NET_MODE_BRIDGE && net->n_dns == 0)
		netetc_add(buf, sizeof(buf), &len, "options ndots:0\n");
	return util_write_file_atomic(dirfd, "resolv.conf", buf, len, 0644, err);
}

void netetc_host_address(struct net_spec *net)
{
	struct ifaddrs *ifa = NULL;
	char *out = net->host_ip;
	size_t size = sizeof(net->host_ip);
	bool found = false;

	out[0] = '\0';
	if (net->mode == NET_MODE_NONE || net->mode == NET_MODE_CONTAINER ||
	    (net->mode == NET_MODE_BRIDGE && net->bridge_internal))
		return;
	if (net->mode == NET_MODE_BRIDGE) { /* netegress.c's warren-net maps it */
		snprintf(out, size, "%s", NETETC_GATEWAY);
		return;
	}
	if (net->mode == NET_MODE_HOST) {
		snprintf(out, size, "127.0.0.1");
		return;
	}
	if (net->allow_host_loopback) {
		snprintf(out, size, "%s", NETETC_GATEWAY);
		return;
	}
	if (getifaddrs(&ifa) < 0)
		return;
	for (struct ifaddrs *i = ifa; i && !found; i = i->ifa_next)
		if (i->ifa_addr && i->ifa_addr->sa_family == AF_INET &&
		    !(i->ifa_flags & IFF_LOOPBACK) && (i->ifa_flags & IFF_UP))
			found = inet_ntop(AF_INET, &((struct sockaddr_in *)i->ifa_addr)->sin_addr,
			                  out, (socklen_t)size) != NULL;
	freeifaddrs(ifa);
	if (!found)
		out[0] = '\0';
}

static int netetc_hosts(const struct net_spec *net, int dirfd, struct werr *err)
{
	_cleanup_free_ char *old = NULL;
	char add[8192];
	const char *host_ip = net->host_ip;
	size_t len = 0, ol;
	bool have_host = host_ip[0] != '\0';
	int r;

	for (size_t i = 0; i < net->n_add_hosts; i++) {
		const char *colon = strchr(net->add_hosts[i], ':');
		const char *ip = colon + 1;
		if (!strcmp(ip, "host-gateway")) {
			if (!have_host)
				return werr_set(err, EINVAL,
				                "--add-host %s: no address reaches the host from "
				                "this network",
				                net->add_hosts[i]);
			ip = host_ip;
		}
		netetc_add(add, sizeof(add), &len, "%s\t%.*s\n", ip,
		           (int)(colon - net->add_hosts[i]), net->add_hosts[i]);
	}
	if (have_host && (net->mode == NET_MODE_SLIRP || net->mode == NET_MODE_BRIDGE))
		netetc_add(add, sizeof(add), &len,
		           "%s\thost.containers.internal host.docker.internal\n", host_ip);
	if (len == 0)
		return 0;
	r = util_read_file(dirfd, "hosts", 1 << 20, &old, &ol, err);
	if (r < 0)
		return r;
	{
		_cleanup_free_ char *text = malloc(ol + len + 1);
		if (!text)
			return werr_errno(err, ENOMEM, "hosts");
		memcpy(text, old, ol);
		memcpy(text + ol, add, len);
		return util_write_file_atomic(dirfd, "hosts", text, ol + len, 0644, err);
	}
}

/* --network container: the other container's files, as Docker shares them */
static int netetc_joined(const struct net_spec *net, int dirfd, struct werr *err)
{
	int r = 0;

	if (net->join_hosts)
		r = util_write_file_atomic(dirfd, "hosts", net->join_hosts, strlen(net->join_hosts),
		                           0644, err);
	if (r == 0 && net->join_resolv)
		r = util_write_file_atomic(dirfd, "resolv.conf", net->join_resolv,
		                           strlen(net->join_resolv), 0644, err);
	return r;
}

int netetc_write(const struct net_spec *net, int dirfd, struct werr *err)
{
	int r;

	if (net->mode == NET_MODE_CONTAINER)
		return netetc_joined(net, dirfd, err);
	r = netetc_resolv(net, dirfd, err);

	return r < 0 ? r : netetc_hosts(net, dirfd, err);
}
