/* netspec.h - building and freeing a container's network spec: the face of
 * the runtime's struct net_spec (netsetup.h) for cli, the builder and the
 * records. */
#ifndef WARREN_NETSPEC_H
#define WARREN_NETSPEC_H

#include <stdbool.h>
#include <stdint.h>

#include "netsetup.h"

/**
 * net_spec_expose() - declare an exposed port (from --expose or the image's
 * ExposedPorts); duplicates are ignored.
 * Return: 0 or -ENOMEM.
 */
int net_spec_expose(struct net_spec *net, uint16_t port, bool udp);

/**
 * net_spec_add_network() - one more user-defined network @name for @net
 * (already on its first): appended to @net->bridge_more with the next
 * interface (eth1...); a network it is on already is ignored.
 * Return: 0 or -ENOMEM.
 */
int net_spec_add_network(struct net_spec *net, const char *name);

/**
 * net_spec_free() - free what @net holds (the CLI's and the runtime's
 * allocations) and close its listeners.
 */
void net_spec_free(struct net_spec *net);

#endif
