/* netjoin.h - --network container:REF in the runtime: the new container
 * enters the user and network namespaces of a running container (a network
 * namespace can only be joined from the user namespace that owns it) and
 * makes its own mount, PID, UTS, IPC and cgroup namespaces there. */
#ifndef WARREN_NETJOIN_H
#define WARREN_NETJOIN_H

#include <sys/types.h>

#include "idmap.h"
#include "netsetup.h"
#include "werr.h"

/**
 * netjoin_open() - open a pidfd for @net->join_pid, check that it is still
 * the process started at @net->join_start and maps IDs as @plan does (its
 * user namespace becomes ours), and read its /etc/hosts and
 * /etc/resolv.conf into @net (inside its root, never following a link out).
 * Return: the pidfd, or a negative errno with @err naming the container and
 * the fix.
 */
int netjoin_open(struct net_spec *net, const struct idmap_plan *plan, struct werr *err);

/**
 * netjoin_clone() - like clone(@flags | SIGCHLD) for a container that
 * shares @net's network: an intermediate process joins the user and network
 * namespaces through @pidfd (from netjoin_open()), unshares @flags' other namespaces and clones
 * the container's first process into a new PID namespace as the caller's
 * child (CLONE_PARENT).
 * Return: the child's PID in the caller, 0 in the child, or a negative
 * errno with @err set.
 */
pid_t netjoin_clone(const struct net_spec *net, int pidfd, unsigned long flags, struct werr *err);

#endif
