/* netconnect.h - `network connect` and `network disconnect`: a container's
 * record gains or loses a user-defined network (Warren.Networks, so a
 * restart wires them all), its lease and names, and, while it runs, the
 * interface itself. */
#ifndef WARREN_NETCONNECT_H
#define WARREN_NETCONNECT_H

#include <stdbool.h>
#include <stddef.h>

#include "gopts.h"
#include "werr.h"

/* what `network connect` asks for besides the network and the container */
struct netconnect_opts {
	const char *ip; /* --ip, or NULL */
	char **aliases; /* --alias */
	size_t n_aliases;
};

/**
 * netconnect_connect() - put container @ctr on network @net: the next free
 * interface (eth1...), an address (@opts->ip or the first free), its names.
 * Return: 0, or a negative errno with a one-line @err (unknown container or
 * network, a container on no user-defined network, one on @net already,
 * --ip outside the subnet or in use); nothing is changed then.
 */
int netconnect_connect(const struct gopts *o, const char *net, const char *ctr,
                       const struct netconnect_opts *opts, struct werr *err);

/**
 * netconnect_disconnect() - take container @ctr off network @net: its
 * interface (while it runs), its lease and names, and the record's entry.
 * Return: 0, or a negative errno with a one-line @err (unknown container or
 * network, a container not on @net).
 */
int netconnect_disconnect(const struct gopts *o, const char *net, const char *ctr,
                          struct werr *err);

#endif
