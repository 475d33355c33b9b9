/* run_net.c - parses `warren run`'s network flags as Docker spells them:
 * --network slirp[:mtu=N,allow_host_loopback=true,port_handler=slirp,bypass=false],
 * none,
 * host; -p [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp] with ranges; -P and
 * --expose; --dns, --dns-search, --add-host; a network made by network
 * create, also as Docker 25's name=NET,alias=A,ip=IP. Validates only: binds
 * nothing. */
#include "run_net.h"
#include "commands.h"
#include "network.h"
#include "cleanup.h"
#include "util.h"
#include "opts.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_net_slirp_opts(struct net_spec *net, const char *mode, const char *opts,
                              struct werr *err)
{
	_cleanup_free_ char *copy = strdup(opts);
	char *save = NULL;

	if (!copy)
		return werr_errno(err, ENOMEM, "--network");
	for (char *o = strtok_r(copy, ",", &save); o; o = strtok_r(NULL, ",", &save)) {
		char *v = strchr(o, '=');
		int b;
		if (!v)
			goto bad;
		*v++ = '\0';
		if (!strcmp(o, "mtu")) {
			char *end;
			long m = strtol(v, &end, 10);
			if (*end || end == v || m < 1280 || m > 65521)
				return werr_set(err, EINVAL,
				                "invalid --network %s: mtu=%s: use 1280 to 65521",
				                mode, v);
			net->mtu = (unsigned)m;
		} else if (!strcmp(o, "allow_host_loopback") && opts_parse_bool(v, &b) == 0) {
			net->allow_host_loopback = b;
		} else if (!strcmp(o, "enable_ipv6") && opts_parse_bool(v, &b) == 0) {
			net->no_ipv6 = !b;
		} else if (!strcmp(o, "bypass") && opts_parse_bool(v, &b) == 0) {
			net->no_bypass = !b;
		} else if (!strcmp(o, "port_handler") && !strcmp(v, "slirp4netns")) {
			net->port_handler = NET_PORTS_SLIRP;
		} else if (!strcmp(o, "port_handler") && !strcmp(v, "slirp")) {
			net->port_handler = NET_PORTS_SLIRP;
		} else if (!strcmp(o, "port_handler") &&
		           (!strcmp(v, "splice") || !strcmp(v, "rootlesskit"))) {
			net->port_handler = NET_PORTS_SPLICE;
		} else {
			goto bad;
		}
	}
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid --network %s: options are mtu=N, allow_host_loopback=true|false, "
	                "enable_ipv6=true|false, port_handler=splice|slirp, bypass=true|false",
	                mode);
}

static int run_net_mode(struct net_spec *net, const char *v, struct werr *err)
{
	size_t kl = strcspn(v, ":");

	if (net->mode == NET_MODE_BRIDGE &&
	    (strchr(v, ':') || !strcmp(v, "none") || !strcmp(v, "host") || !strcmp(v, "slirp")))
		return werr_set(err, EINVAL,
		                "--network %s conflicts with --network %s: a container on "
		                "networks made by network create joins no other kind",
		                v, net->bridge_net);

	if (!strcmp(v, "none")) {
		net->mode = NET_MODE_NONE;
		return 0;
	}
	if (!strcmp(v, "host")) {
		net->mode = NET_MODE_HOST;
		return 0;
	}
	if ((kl == 5 && !strncmp(v, "slirp", 5)) || (kl == 11 && !strncmp(v, "slirp4netns", 11))) {
		net->mode = NET_MODE_SLIRP;
		return v[kl] ? run_net_slirp_opts(net, v, v + kl + 1, err) : 0;
	}
	if (kl == 9 && !strncmp(v, "container", 9)) {
		if (!v[kl] || !v[kl + 1] || strlen(v + kl + 1) >= sizeof(net->join_ref))
			return werr_set(err, EINVAL,
			                "invalid --network \"%s\": use container:NAME or "
			                "container:ID",
			                v);
		net->mode = NET_MODE_CONTAINER;
		snprintf(net->join_ref, sizeof(net->join_ref), "%s", v + kl + 1);
		return 0;
	}
	if (!strchr(v, ':') && network_check_name(v, err) == 0) {
		json_t *found;
		if (network_inspect(cli_gopts(), v, &found, err) == -ENOENT)
			return werr_set(
			    err, ENOENT,
			    "invalid --network \"%s\": network %s not found (network ls "
			    "lists them; or use slirp[:OPTIONS], none, host or "
			    "container:NAME|ID)",
			    v, v);
		if (err->code)
			return -err->code;
		json_decref(found);
		/* Docker 25's repeated --network: the first is eth0, the rest eth1... */
		if (net->mode == NET_MODE_BRIDGE)
			return net_spec_add_network(net, v) < 0
			           ? werr_errno(err, ENOMEM, "--network")
			           : 0;
		net->mode = NET_MODE_BRIDGE;
		snprintf(net->bridge_net, sizeof(net->bridge_net), "%s", v);
		return 0;
	}
	return werr_set(err, EINVAL,
	                "invalid --network \"%s\": use slirp[:OPTIONS] (the default), none (only "
	                "lo), host or container:NAME|ID",
	                v);
}

/* "80" or "8000-8010" into [*lo, *hi]; empty allowed when @may_be_empty */
static int run_net_range(const char *s, size_t len, unsigned *lo, unsigned *hi)
{
	char buf[16], *end, *dash;
	unsigned long a, b;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	a = strtoul(buf, &end, 10);
	if (*end || a < 1 || a > 65535)
		return -EINVAL;
	b = a;
	if (dash) {
		if (dash[1] < '0' || dash[1] > '9')
			return -EINVAL;
		b = strtoul(dash + 1, &end, 10);
		if (*end || b < a || b > 65535)
			return -EINVAL;
	}
	*lo = (unsigned)a;
	*hi = (unsigned)b;
	return 0;
}

/* "[IP:][HOSTPORT:]CPORT[/proto]" into its parts (pointers into @buf) */
static int run_net_split_publish(char *buf, char **ip, char **hport, char **cport, char **proto)
{
	char *slash = strchr(buf, '/'), *last, *prev;

	*proto = "tcp";
	if (slash) {
		*slash = '\0';
		*proto = slash + 1;
	}
	*ip = *hport = NULL;
	last = strrchr(buf, ':');
	if (!last) {
		*cport = buf;
		return 0;
	}
	*last = '\0';
	*cport = last + 1;
	if (buf[0] == '[') {
		char *rb = strchr(buf, ']');
		if (!rb || rb[1] != ':')
			return -EINVAL;
		*rb = '\0';
		*ip = buf + 1;
		*hport = rb + 2;
		return 0;
	}
	prev = strrchr(buf, ':');
	if (!prev) {
		*hport = buf;
		return 0;
	}
	*prev = '\0';
	*ip = buf;
	*hport = prev + 1;
	return strchr(buf, ':') ? -EINVAL : 0; /* an IPv6 address needs brackets */
}

static int run_net_publish(struct net_spec *net, const char *v, struct werr *err)
{
	char buf[128], *ip, *hport, *cport, *proto;
	unsigned hlo = 0, hhi = 0, clo, chi;
	unsigned char a6[16];

	if (strlen(v) >= sizeof(buf) ||
	    (snprintf(buf, sizeof(buf), "%s", v),
	     run_net_split_publish(buf, &ip, &hport, &cport, &proto) < 0))
		goto bad;
	if (strcmp(proto, "tcp") && strcmp(proto, "udp"))
		return werr_set(err, EINVAL, "invalid -p \"%s\": the protocol is tcp or udp", v);
	if (run_net_range(cport, strlen(cport), &clo, &chi) < 0)
		goto bad;
	if (hport && *hport && run_net_range(hport, strlen(hport), &hlo, &hhi) < 0)
		goto bad;
	if (hlo && hhi - hlo != chi - clo)
		return werr_set(err, EINVAL,
		                "invalid -p \"%s\": the host and container ranges differ in length",
		                v);
	if (ip && *ip && inet_pton(AF_INET, ip, a6) != 1 && inet_pton(AF_INET6, ip, a6) != 1)
		return werr_set(err, EINVAL,
		                "invalid -p \"%s\": \"%s\" is not an IP address (IPv6 goes in "
		                "brackets: [::1]:8080:80)",
		                v, ip);
	for (unsigned c = clo; c <= chi; c++) {
		struct net_port p = { .container_port = (uint16_t)c,
			              .udp = !strcmp(proto, "udp"),
			              .fd = -1 };
		p.host_port = (uint16_t)(hlo ? hlo + (c - clo) : 0);
		snprintf(p.host_ip, sizeof(p.host_ip), "%s", ip ? ip : "");
		if (util_array_push(&net->ports, &net->n_ports, sizeof(p), &p) < 0)
			return werr_errno(err, ENOMEM, "-p");
	}
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid -p \"%s\": use [IP:][HOSTPORT:]CONTAINERPORT[/tcp|/udp], ports "
	                "1-65535 or ranges like 8000-8010:80-90",
	                v);
}

static int run_net_expose(struct net_spec *net, const char *v, struct werr *err)
{
	const char *slash = strchr(v, '/');
	const char *proto = slash ? slash + 1 : "tcp";
	unsigned lo, hi;

	if ((strcmp(proto, "tcp") && strcmp(proto, "udp")) ||
	    run_net_range(v, slash ? (size_t)(slash - v) : strlen(v), &lo, &hi) < 0)
		return werr_set(err, EINVAL, "invalid --expose \"%s\": use PORT[-PORT][/tcp|/udp]",
		                v);
	for (unsigned p = lo; p <= hi; p++)
		if (net_spec_expose(net, (uint16_t)p, !strcmp(proto, "udp")) < 0)
			return werr_errno(err, ENOMEM, "--expose");
	return 0;
}

static int run_net_add_host(struct net_spec *net, const char *v, struct werr *err)
{
	const char *sep = strpbrk(v, ":=");
	unsigned char a[16];

	if (!sep || sep == v)
		goto bad;
	if (strcmp(sep + 1, "host-gateway") && inet_pton(AF_INET, sep + 1, a) != 1 &&
	    inet_pton(AF_INET6, sep + 1, a) != 1)
		goto bad;
	if (*sep == '=') /* stored as NAME:IP */
		return werr_set(err, EINVAL, "invalid --add-host \"%s\": use NAME:IP", v);
	if (util_array_push(&net->add_hosts, &net->n_add_hosts, sizeof(char *), &v) < 0)
		return werr_errno(err, ENOMEM, "--add-host");
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid --add-host \"%s\": use NAME:IP (IPv4, IPv6 or host-gateway)", v);
}

/* --network-alias: a host name (RFC 1123 letters, digits, '-', '.', and
 * Docker's '_') */
static int run_net_alias(struct net_spec *net, const char *v, struct werr *err)
{
	size_t len = strlen(v);

	if (len == 0 || len > 253 ||
	    strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
	              "0123456789-_.") != len ||
	    v[0] == '.' || v[0] == '-')
		return werr_set(err, EINVAL,
		                "invalid --network-alias \"%s\": use a host name (letters, digits, "
		                "'-', '_' and '.')",
		                v);
	return util_array_push(&net->bridge_aliases, &net->n_bridge_aliases, sizeof(char *), &v) < 0
	           ? werr_errno(err, ENOMEM, "--network-alias")
	           : 0;
}

int run_net_defaults(struct net_spec *net, const char *opts, const char *from, struct werr *err)
{
	char what[PATH_MAX + 64];

	if (!opts || !*opts)
		return 0;
	snprintf(what, sizeof(what), "slirp:%s (slirp-options at %s)", opts, from);
	return run_net_slirp_opts(net, what, opts, err);
}

/* the values cut out of --network name=...,alias=... values: the spec points
 * at them as it points at argv's strings, so they live until exit */
static char **run_net_cut;
static size_t run_net_n_cut;

static const char *run_net_keep(const char *p, size_t len)
{
	char *copy = strndup(p, len);

	if (!copy || util_array_push(&run_net_cut, &run_net_n_cut, sizeof(char *), &copy) < 0) {
		free(copy);
		return NULL;
	}
	return copy;
}

/* the spec of network @name among @net's (the first, or one after it) */
static struct net_spec *run_net_find(struct net_spec *net, const char *name)
{
	if (net->mode != NET_MODE_BRIDGE)
		return NULL;
	if (!strcmp(net->bridge_net, name))
		return net;
	for (size_t i = 0; i < net->n_bridge_more; i++)
		if (!strcmp(net->bridge_more[i].bridge_net, name))
			return &net->bridge_more[i];
	return NULL;
}

/* Docker 25's --network name=NET[,alias=NAME]...[,ip=IPv4]: aliases and the
 * address of that one network */
static int run_net_fields(struct net_spec *net, const char *v, struct werr *err)
{
	static const char *const unsupported[] = { "ip6",        "mac-address", "link-local-ip",
		                                   "driver-opt", "gw-priority", NULL };
	const char *name = NULL;
	struct net_spec *target;
	int r;

	for (const char *p = v; *p; p += *p == ',') {
		size_t len = strcspn(p, ","), kl = strcspn(p, "=,");
		if (kl == len)
			goto bad;
		for (size_t i = 0; unsupported[i]; i++)
			if (strlen(unsupported[i]) == kl && !strncmp(p, unsupported[i], kl))
				return werr_set(
				    err, EINVAL,
				    "invalid --network \"%s\": warren does not set %.*s "
				    "(drop it; name=, alias= and ip= are supported)",
				    v, (int)kl, p);
		if (kl == 4 && !strncmp(p, "name", 4)) {
			if (name || !(name = run_net_keep(p + 5, len - 5)))
				goto bad;
		} else if (!((kl == 5 && !strncmp(p, "alias", 5)) ||
		             (kl == 2 && !strncmp(p, "ip", 2)))) {
			goto bad;
		}
		p += len;
	}
	if (!name || !*name)
		goto bad;
	if ((r = run_net_mode(net, name, err)) < 0)
		return r;
	target = run_net_find(net, name);
	for (const char *p = v; *p; p += *p == ',') {
		size_t len = strcspn(p, ","), kl = strcspn(p, "=");
		const char *val = run_net_keep(p + kl + 1, len - kl - 1);
		unsigned char a4[4];
		if (!val)
			return werr_errno(err, ENOMEM, "--network");
		p += len;
		if (kl == 4) /* name= */
			continue;
		if (!target)
			return werr_set(
			    err, EINVAL,
			    "invalid --network \"%s\": alias= and ip= need a network made "
			    "by network create",
			    v);
		if (kl == 5 && (r = run_net_alias(target, val, err)) < 0)
			return r;
		if (kl == 2 && inet_pton(AF_INET, val, a4) != 1)
			return werr_set(err, EINVAL,
			                "invalid --network \"%s\": ip=%s: use an IPv4 "
			                "address",
			                v, val);
		if (kl == 2)
			snprintf(target->bridge_want, sizeof(target->bridge_want), "%s", val);
	}
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid --network \"%s\": use NAME, or name=NAME[,alias=A][,ip=IPv4] "
	                "with each key once except alias",
	                v);
}

int run_net_option(struct net_spec *net, const char *name, const char *v, struct werr *err)
{
	unsigned char a[16];

	/* "key=..." before any ':' is Docker 25's form (slirp:mtu=N is not) */
	if ((!strcmp(name, "network") || !strcmp(name, "net")) && v[strcspn(v, ":=")] == '=')
		return run_net_fields(net, v, err);
	if (!strcmp(name, "network") || !strcmp(name, "net"))
		return run_net_mode(net, v, err);
	if (!strcmp(name, "publish"))
		return run_net_publish(net, v, err);
	if (!strcmp(name, "publish-all")) {
		net->publish_all = !strcmp(v, "true");
		return 0;
	}
	if (!strcmp(name, "expose"))
		return run_net_expose(net, v, err);
	if (!strcmp(name, "ip")) {
		unsigned char a4[4];
		if (inet_pton(AF_INET, v, a4) != 1)
			return werr_set(err, EINVAL, "invalid --ip \"%s\": use an IPv4 address", v);
		snprintf(net->bridge_want, sizeof(net->bridge_want), "%s", v);
		return 0;
	}
	if (!strcmp(name, "add-host"))
		return run_net_add_host(net, v, err);
	if (!strcmp(name, "network-alias"))
		return run_net_alias(net, v, err);
	if (!strcmp(name, "dns")) {
		if (inet_pton(AF_INET, v, a) != 1 && inet_pton(AF_INET6, v, a) != 1)
			return werr_set(err, EINVAL, "invalid --dns \"%s\": use an IP address", v);
		return util_array_push(&net->dns, &net->n_dns, sizeof(char *), &v) < 0
		           ? werr_errno(err, ENOMEM, "--dns")
		           : 0;
	}
	if (!strcmp(name, "dns-search")) {
		if (!*v || strchr(v, ' '))
			return werr_set(err, EINVAL, "invalid --dns-search \"%s\": use a domain",
			                v);
		return util_array_push(&net->dns_search, &net->n_dns_search, sizeof(char *), &v) < 0
		           ? werr_errno(err, ENOMEM, "--dns-search")
		           : 0;
	}
	return werr_set(err, EINVAL, "internal: unknown network flag %s", name);
}

int run_net_check(const struct net_spec *net, struct werr *err)
{
	static const char *const names[] = { "slirp", "none", "host", "container" };

	if (net->n_bridge_aliases && net->mode != NET_MODE_BRIDGE)
		return werr_set(err, EINVAL,
		                "--network-alias %s needs --network NAME (a network made by "
		                "network create): the default network has no names",
		                net->bridge_aliases[0]);
	if (net->bridge_want[0] && net->mode != NET_MODE_BRIDGE)
		return werr_set(err, EINVAL,
		                "--ip %s needs --network NAME (a network made by network create)",
		                net->bridge_want);
	if (net->mode != NET_MODE_SLIRP && net->mode != NET_MODE_BRIDGE &&
	    (net->n_ports > 0 || net->publish_all))
		return werr_set(err, EINVAL,
		                "-p/-P publish ports of a container's own network: they do not "
		                "work with --network %s yet (drop them, or use --network slirp)",
		                names[net->mode]);
	/* Docker's "conflicting options": the shared network has its own */
	if (net->mode == NET_MODE_CONTAINER &&
	    (net->n_dns || net->n_dns_search || net->n_add_hosts))
		return werr_set(err, EINVAL,
		                "--dns, --dns-search and --add-host conflict with --network "
		                "container:%s: the container shares that container's resolv.conf "
		                "and hosts (set them there)",
		                net->join_ref);
	return 0;
}
