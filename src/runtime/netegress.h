/* netegress.h - the way out of the per-user network namespace of
 * user-defined networks: its nftables rules and its warren-net. An
 * --internal network gets neither. */
#ifndef WARREN_NETEGRESS_H
#define WARREN_NETEGRESS_H

#include "netsetup.h"
#include "werr.h"

/**
 * netegress_rules() - in the holder's network namespace (with its user
 * namespace's capabilities), when @net's bridge is made: forwarding on,
 * the "ip warren" table (forwarding dropped but from a non-internal
 * network's bridge to warren-net's tap, and the answers; masquerade out of
 * the tap) made if missing, and @net's bridge let out unless internal.
 * Without libnftables an internal network gets nothing (forwarding stays
 * off, so it is isolated) and any other is refused.
 * Return: 0, or a negative errno with @err set.
 */
int netegress_rules(const struct net_spec *net, struct werr *err);

/**
 * netegress_start() - for a container on non-internal network @net, under
 * the network lock: make sure a warren-net serves the namespace of holder
 * @net->join_pid (a tap there, the default route, libslirp with the
 * host's loopback at 10.0.2.2), starting one if none does (the first
 * container, or after a crash). It leaves with the holder.
 * Return: 0, or a negative errno with @err set.
 */
int netegress_start(const struct net_spec *net, struct werr *err);

#endif
