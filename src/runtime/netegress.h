/* netegress.h - the way out of the per-user network namespace of
 * user-defined networks: its nftables rules and its warren-net. An
 * --internal network gets neither. */
#ifndef WARREN_NETEGRESS_H
#define WARREN_NETEGRESS_H

#include <sys/types.h>

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

/* a warren-net being started for the namespace (netegress_begin()) */
struct netegress {
	pid_t pid; /* 0: none started */
	int ready; /* its ready pipe, -1 once read */
	char path[4096 + 32];
};

/**
 * netegress_begin() - for a container on a non-internal network (@net or
 * one of @net->bridge_more), under
 * the network lock: if no warren-net serves the namespace of holder
 * @net->join_pid (the first container, or after a crash), start one (a
 * tap there, the default route, libslirp with the host's loopback at
 * 10.0.2.2) without waiting for it, so that it starts while the container
 * is made and wired. It leaves with the holder.
 * Return: 0 (then netegress_finish() or netegress_abort()), or a negative
 * errno with @err set.
 */
int netegress_begin(const struct net_spec *net, struct netegress *eg, struct werr *err);

/**
 * netegress_finish() - wait for the warren-net netegress_begin() started,
 * if any, and record it (netegress.pid in the runtime directory).
 * Return: 0, or a negative errno with @err carrying its reason (it is
 * gone then).
 */
int netegress_finish(const struct net_spec *net, struct netegress *eg, struct werr *err);

/** netegress_abort() - kill the warren-net netegress_begin() started, if any. */
void netegress_abort(struct netegress *eg);

#endif
