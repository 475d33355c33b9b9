/* netbridge.h - containers on user-defined networks (--network NAME). One
 * network namespace per user, in a user namespace of its own mapped as the
 * user's containers are, holds a bridge per network; each container is
 * made in that user namespace with a network namespace of its own and gets
 * a veth onto its network's bridge. The kernel refuses to move a veth
 * between namespaces of sibling user namespaces, hence the shared one. A
 * small holder process keeps the namespaces and leaves with the last veth. */
#ifndef WARREN_NETBRIDGE_H
#define WARREN_NETBRIDGE_H

#include <stdbool.h>
#include <sys/types.h>

#include "idmap.h"
#include "netsetup.h"
#include "werr.h"

/* a container's MAC address on a network: 02:42 and its IPv4 address (host
 * byte order), as Docker made them */
#define NETBRIDGE_MAC(ip)                                                                          \
	0x02, 0x42, (uint8_t)((ip) >> 24), (uint8_t)((ip) >> 16), (uint8_t)((ip) >> 8),            \
	    (uint8_t)(ip)

/**
 * netbridge_holder() - take the user's network lock (<rundir>/netns.lock)
 * and find the holder of the per-user network namespace, or start one with
 * @plan's ID maps; its PID and start time go to @net->join_pid and
 * @net->join_start.
 * *@fresh says whether it was started now (with no container yet).
 * Return: the lock's fd (held until closed: the holder does not leave while
 * it is held), or a negative errno with @err set.
 */
int netbridge_holder(struct net_spec *net, const struct idmap_plan *plan, bool *fresh,
                     struct werr *err);

/**
 * netbridge_attach() - wire container process @pid (in the holder's user
 * namespace, @holder_pidfd, with a network namespace of its own) onto
 * @net's bridge: the bridge made if missing (the gateway's address, up), a
 * veth with the container's end as eth0 holding @net->bridge_ip, and the
 * default route via the gateway unless the network is internal.
 * Return: 0, or a negative errno with @err set (nothing left behind).
 */
int netbridge_attach(const struct net_spec *net, int holder_pidfd, pid_t pid, struct werr *err);

/**
 * netbridge_attach_all() - netbridge_attach() of @net, then of each of
 * @net->bridge_more (their own interfaces; the default route via the
 * first network that is not --internal).
 * Return: 0, or a negative errno with @err set.
 */
int netbridge_attach_all(const struct net_spec *net, int holder_pidfd, pid_t pid, struct werr *err);

/**
 * netbridge_detach() - remove interface @eth of container process @pid (in
 * the holder's user namespace, @holder_pidfd): its veth goes with it, and
 * with it the default route if that went through @eth; then, when @gw is not
 * 0, the default route via @gw (host order) where none is left.
 * Return: 0, or a negative errno with @err set.
 */
int netbridge_detach(int holder_pidfd, pid_t pid, const char *eth, uint32_t gw, struct werr *err);

#endif
