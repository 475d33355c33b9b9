/* rtnl.h - the few rtnetlink requests a bridge network needs, made in the
 * network namespace the calling thread is in: a bridge, a veth pair whose
 * peer goes into another namespace, addresses, a default route, links up.
 * Raw NETLINK_ROUTE, one request and its acknowledgement at a time; no
 * ip(8) or iptables binaries. */
#ifndef WARREN_RTNL_H
#define WARREN_RTNL_H

#include <stdbool.h>
#include <stdint.h>

#include "werr.h"

struct rtnl {
	int fd;
	uint32_t seq;
};

/**
 * rtnl_open() - a NETLINK_ROUTE socket of the current network namespace.
 * Return: 0, or a negative errno with @err set.
 */
int rtnl_open(struct rtnl *nl, struct werr *err);

/** rtnl_close() - close @nl's socket. */
void rtnl_close(struct rtnl *nl);

/**
 * rtnl_link_index() - the index of interface @name.
 * Return: the index (> 0), or -ENODEV (no message).
 */
int rtnl_link_index(struct rtnl *nl, const char *name);

/** rtnl_bridge_add() - create bridge @name (-EEXIST when it is there). */
int rtnl_bridge_add(struct rtnl *nl, const char *name, struct werr *err);

/**
 * rtnl_veth_add() - create veth @name here and its peer @peer in the
 * network namespace @peer_netns_fd (-1: here too), both down.
 */
int rtnl_veth_add(struct rtnl *nl, const char *name, const char *peer, int peer_netns_fd,
                  struct werr *err);

/**
 * rtnl_link_set_mac() - set the hardware address of link @ifindex (down).
 * Return: 0 or a negative errno with @err set.
 */
int rtnl_link_set_mac(struct rtnl *nl, int ifindex, const uint8_t mac[6], struct werr *err);

/**
 * rtnl_link_set() - set link @ifindex up (or down), and its bridge to
 * @master (0: leave it); @mtu 0: leave it.
 */
int rtnl_link_set(struct rtnl *nl, int ifindex, bool up, int master, unsigned mtu,
                  struct werr *err);

/** rtnl_link_del() - delete link @ifindex (a veth takes its peer along). */
int rtnl_link_del(struct rtnl *nl, int ifindex, struct werr *err);

/** rtnl_addr_add() - IPv4 address @addr/@prefix (host order) on @ifindex. */
int rtnl_addr_add(struct rtnl *nl, int ifindex, uint32_t addr, unsigned prefix, struct werr *err);

/** rtnl_route_default() - the IPv4 default route via @gw (host order). */
int rtnl_route_default(struct rtnl *nl, uint32_t gw, struct werr *err);

#endif
