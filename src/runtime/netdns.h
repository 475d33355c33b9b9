/* netdns.h - the DNS responder of user-defined networks, served by the
 * holder of the per-user network namespace (netbridge.c) for exactly as
 * long as it lives: port 53 on every gateway there answers the names,
 * aliases and short IDs of the containers on that gateway's network, PTR
 * for their addresses, and forwards the rest to the host's resolvers. */
#ifndef WARREN_NETDNS_H
#define WARREN_NETDNS_H

#include <limits.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdint.h>
#include <time.h>

#include "werr.h"

#define NETDNS_PENDING 64
#define NETDNS_DIR     "netdns"     /* in the runtime directory: GATEWAY -> network dir */
#define NETDNS_NAMES   "names"      /* in a network's store directory: ADDRESS files */
#define NETDNS_DOMAIN  "dns.podman" /* podman's search domain for container names */

/* a query forwarded to the host's resolver, waiting for its answer */
struct netdns_pending {
	uint16_t id, client_id;
	time_t at;
	int tcp; /* the client's connection, or -1: a UDP client */
	struct sockaddr_in client;
	struct in_addr local; /* the gateway it asked */
	struct sockaddr_storage server;
	socklen_t server_len;
};

struct netdns {
	int up4, up6; /* made in the host's network namespace (-1: none) */
	int udp, tcp; /* port 53 in the holder's namespace */
	char table[PATH_MAX];
	uint16_t next_id;
	struct netdns_pending pending[NETDNS_PENDING];
	size_t n_pending;
};

/**
 * netdns_init_host() - the sockets to the host's resolvers, made in the
 * host's network namespace, before the holder leaves it (so a stub resolver
 * on the host's loopback is reachable); @rundir's NETDNS_DIR is where the
 * gateways' name tables are found.
 */
void netdns_init_host(struct netdns *d, const char *rundir);

/**
 * netdns_listen() - in the holder's namespace: UDP and TCP port 53 on
 * every address (the gateways, made later, included).
 * Return: 0 or a negative errno.
 */
int netdns_listen(struct netdns *d);

/** netdns_pollfds() - the fds to poll (@fds: 4 at least). Return: how many. */
int netdns_pollfds(const struct netdns *d, struct pollfd *fds);

/** netdns_serve() - handle whatever @fds (as netdns_pollfds() made them) have. */
void netdns_serve(struct netdns *d, const struct pollfd *fds, int n);

/** netdns_timeout() - the poll timeout in ms: -1 with nothing pending. */
int netdns_timeout(const struct netdns *d);

/**
 * netdns_register() - point the responder at the names of network
 * directory @netdir (its NETDNS_NAMES) for queries to gateway @gw (host
 * byte order), in @rundir's NETDNS_DIR.
 * Return: 0 or a negative errno with @err set.
 */
int netdns_register(const char *rundir, uint32_t gw, const char *netdir, struct werr *err);

/**
 * netdns_filter() - the holder's seccomp filter, once its sockets are open:
 * polling, sockets it has, name tables read, its lock; EPERM for the rest
 * (no exec, no file written, no new socket but netlink). Sets no_new_privs.
 * Return: 0 or a negative errno.
 */
int netdns_filter(void);

/** netdns_forget() - remove @rundir's NETDNS_DIR (the holder's last act). */
void netdns_forget(const char *rundir);

#endif
