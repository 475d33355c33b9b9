/* netsetup.h - a container's network as the runtime sees it: the mode, the
 * published ports, DNS and hosts entries, and warren-net's lifetime (started
 * after the ID maps are written, stopped when the container is gone).
 * Knows nothing of the CLI; warren-net's side lives in net/. */
#ifndef WARREN_NETSETUP_H
#define WARREN_NETSETUP_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "werr.h"

#define NETSETUP_MTU_DEFAULT 65520
#define NETSETUP_PORTS_FILE  "ports.json"

enum net_mode {
	NET_MODE_SLIRP = 0, /* own network namespace served by warren-net (default) */
	NET_MODE_NONE,      /* own network namespace with only lo */
	NET_MODE_HOST,      /* the host's network namespace */
	NET_MODE_CONTAINER, /* another container's network namespace (netjoin.h) */
	NET_MODE_BRIDGE,    /* own namespace on a user-defined network (netbridge.h) */
};

enum net_port_handler {
	NET_PORTS_SPLICE = 0, /* warren-net accepts on the host, splices to the container */
	NET_PORTS_SLIRP,      /* libslirp forwards: keeps the client's source address */
};

/* one published port; ranges are expanded by the CLI */
struct net_port {
	char host_ip[64];   /* "" = 0.0.0.0 and [::] (netports_bind() splits it) */
	uint16_t host_port; /* 0 = any free port, filled in by netsetup_prepare() */
	uint16_t container_port;
	bool udp;
	int fd;    /* socket warren bound for warren-net's forwarder (see netports_bind) */
	bool dual; /* the [::] twin of the entry before, for -p without an address */
};

/* a port the image (or --expose) declares; -P publishes them all */
struct net_expose {
	uint16_t port;
	bool udp;
};

/* built and freed above the runtime (container/netspec.h); the runtime
 * fills @ports for -P, @host_ip and the join_ fields, which net_spec_free()
 * frees with the rest */
struct net_spec {
	enum net_mode mode;
	enum net_port_handler port_handler;
	unsigned mtu; /* 0: NETSETUP_MTU_DEFAULT */
	bool allow_host_loopback;
	bool no_ipv6;
	bool no_bypass;   /* slirp:bypass=false: no socket switching */
	bool publish_all; /* -P */
	struct net_port *ports;
	size_t n_ports;
	struct net_expose *exposed;
	size_t n_exposed;
	char **dns, **dns_search, **add_hosts; /* add_hosts: "NAME:IP" */
	size_t n_dns, n_dns_search, n_add_hosts;
	pid_t helper;     /* warren-net while it runs, else 0 */
	char host_ip[64]; /* how the container reaches the host; "" if it cannot */
	/* --network container:REF: the name or ID as given, the full ID once
	 * looked up; the first process of that container and its start time
	 * (util_pid_start(), against PID reuse); its /etc/hosts and
	 * /etc/resolv.conf, read by netjoin_open() for this container's /etc */
	char join_ref[128];
	pid_t join_pid;
	unsigned long long join_start;
	char *join_hosts, *join_resolv;
	/* --network NAME: the network, its bridge in the per-user network
	 * namespace (whose holder is join_pid, join_start), the subnet, the
	 * gateway and this container's leased address (host byte order) */
	char bridge_net[129];
	char bridge_if[16];
	char bridge_want[16]; /* --ip as given, "" for any */
	uint32_t bridge_gw, bridge_ip;
	unsigned bridge_prefix;
	bool bridge_internal;
	/* the network's directory in the store, whose names/ the DNS
	 * responder answers from (netdns.h); --network-alias names */
	char bridge_dir[PATH_MAX];
	char **bridge_aliases;
	size_t n_bridge_aliases;
	/* the interface in the container ("": eth0), and whether the network
	 * is one more than the first (no default route through it) */
	char bridge_eth[16];
	bool bridge_extra;
	/* the networks after the first (--network A --network B, network
	 * connect): only their bridge_ fields are used */
	struct net_spec *bridge_more;
	size_t n_bridge_more;
};

/**
 * netports_bind() - publish @net's ports on the host: expand -P, split each
 * port without an address into 0.0.0.0 and [::] (where the host has IPv6),
 * bind the sockets warren-net's forwarder serves (every port with the splice
 * handler, IPv6 addresses with libslirp's too) or check that the port is free
 * (libslirp's forwardings), pick free ports for HOSTPORT 0 (the same on both
 * families), write @state_dir/ports.json.
 * Return: 0, or a negative errno with @err naming the address and port and
 * the fix (port in use, net.ipv4.ip_unprivileged_port_start).
 */
int netports_bind(struct net_spec *net, const char *state_dir, struct werr *err);

/**
 * netetc_write() - rewrite the resolv.conf and hosts in @dirfd (written by
 * etcfiles_write()) for @net: --dns/--dns-search, 10.0.2.3 for slirp,
 * --add-host and host.containers.internal (at @net->host_ip).
 * Return: 0 or a negative errno with @err set.
 */
int netetc_write(const struct net_spec *net, int dirfd, struct werr *err);

/**
 * netetc_host_address() - fill @net->host_ip, in the host's network
 * namespace: the gateway when it leads to the host's loopback, else the
 * host's first non-loopback IPv4 ("" if none; nothing for --network none).
 */
void netetc_host_address(struct net_spec *net);

/**
 * netsetup_prepare() - before the container's process exists, in the host's
 * namespaces: the host's address for /etc/hosts and the published ports
 * (@state_dir/ports.json, the directory made when there are ports).
 * Return: 0 or a negative errno with @err set.
 */
int netsetup_prepare(struct net_spec *net, const char *state_dir, struct werr *err);

/**
 * netsetup_bridge_ports_p() - whether @net is a container on a
 * user-defined network with published ports (-p/-P), which a warren-net
 * without a tap serves: it joins the container's namespace and connects to
 * the container's address on its network.
 */
bool netsetup_bridge_ports_p(const struct net_spec *net);

/**
 * netsetup_helper_p() - whether @net has a warren-net of the container's
 * own (slirp, or a network container's published ports)
 */
bool netsetup_helper_p(const struct net_spec *net);

/**
 * netsetup_tcp_ports_p() - whether @net has published TCP ports whose host
 * listeners warren-net's forwarder serves (bound by netports_bind()): the
 * ports socket switching can give to the container's own listeners.
 */
bool netsetup_tcp_ports_p(const struct net_spec *net);

/* a warren-net being started: the pipes of netsetup_begin() */
struct netsetup_pending {
	int go;      /* our end of --go-fd, -1 once sent */
	int ready;   /* our end of --ready-fd, -1 once read */
	bool bypass; /* socket switching: warren-net takes the TCP listeners */
};

/**
 * netsetup_begin() - for --network slirp (and a network container's
 * published ports): spawn warren-net for the container process @pid,
 * whose ID maps may still be being written: it execs and starts up, then
 * waits for netsetup_go() before it joins the container's namespaces.
 * @bypass_fd (or -1): socket switching's socket, handed to warren-net
 * (--bypass-fd), where the container's first process sends its filter's
 * listener. Nothing to do (@p's fds -1) for other networks.
 * Return: 0 or a negative errno with @err set.
 */
int netsetup_begin(struct net_spec *net, pid_t pid, int bypass_fd, struct netsetup_pending *p,
                   struct werr *err);

/**
 * netsetup_go() - tell the warren-net of @p that the ID maps are written.
 * Return: 0 or a negative errno with @err set (warren-net is stopped).
 */
int netsetup_go(struct net_spec *net, struct netsetup_pending *p, struct werr *err);

/**
 * netsetup_finish() - wait until the warren-net of @p has its tap up and
 * its ports served; with socket switching, then close our copies of the
 * TCP listeners (warren-net's alone can then be given up to the
 * container's bind). On failure it is stopped.
 * Return: 0 or a negative errno with @err carrying warren-net's reason.
 */
int netsetup_finish(struct net_spec *net, struct netsetup_pending *p, struct werr *err);

/**
 * netsetup_pending_close() - close what is left of @p (after a failure
 * elsewhere; netsetup_stop() stops warren-net itself).
 */
void netsetup_pending_close(struct netsetup_pending *p);

/**
 * netsetup_start() - netsetup_begin(), netsetup_go() and netsetup_finish()
 * at once, for a container process whose ID maps are written.
 * Return: 0 or a negative errno with @err carrying warren-net's reason.
 */
int netsetup_start(struct net_spec *net, pid_t pid, int bypass_fd, struct werr *err);

/**
 * netsetup_stop() - stop warren-net and close the listeners: nothing of the
 * container's network survives this call.
 */
void netsetup_stop(struct net_spec *net);

#endif
