/* netref.h - --network container:REF as the records see it: which
 * container REF names, whether it runs, and what the new container takes
 * from it (its host name, as Docker does). */
#ifndef WARREN_NETREF_H
#define WARREN_NETREF_H

#include <stdbool.h>
#include <stddef.h>

#include "netsetup.h"
#include "gopts.h"
#include "werr.h"

/**
 * netref_resolve() - look up @net->join_ref (a name, ID or ID prefix) and
 * replace it by the full ID; copy that container's host name into
 * @hostname (@size bytes; NULL: not wanted). With @running, the container
 * must run: @net->join_pid and @net->join_start then name its first process.
 * Return: 0, or a negative errno with a one-line @err (unknown container,
 * not running, or sharing the host's network).
 */
int netref_resolve(const struct gopts *o, struct net_spec *net, bool running, char *hostname,
                   size_t size, struct werr *err);

#endif
