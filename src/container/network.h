/* network.h - user-defined networks in the store: <store>/networks/NAME/
 * network.json, Docker's `network inspect` object. Creating, listing and
 * removing records only; nothing here starts a process or touches the
 * host's interfaces. */
#ifndef WARREN_NETWORK_H
#define WARREN_NETWORK_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gopts.h"
#include "werr.h"

#define NETWORK_ID_LEN 64

/* what `network create` asks for */
struct network_opts {
	const char *name;
	const char *subnet;  /* NULL: the first free 10.89.N.0/24 */
	const char *gateway; /* NULL: the subnet's first address */
	bool internal;
	json_t *labels; /* an object of strings, or NULL */
};

/**
 * network_check_name() - Docker's rule for network names
 * ([a-zA-Z0-9][a-zA-Z0-9_.-]*), and not one of the names --network
 * already gives a meaning (none, host, bridge, slirp...).
 * Return: 0 or -EINVAL with a one-line @err.
 */
int network_check_name(const char *name, struct werr *err);

/**
 * network_create() - check @opts (name, subnet free among the store's
 * networks and the host's routes, gateway inside it) and publish the
 * network's record under the networks lock; *@id (NETWORK_ID_LEN + 1)
 * gets its ID.
 * Return: 0, or a negative errno with a one-line @err; nothing is
 * created then.
 */
int network_create(const struct gopts *o, const struct network_opts *opts, char *id,
                   struct werr *err);

/**
 * network_inspect() - the inspect object of the network @ref names (its
 * name, its ID or a unique prefix of it).
 * Return: 0 with *@out (a new reference), or -ENOENT ("network X not
 * found") or another negative errno with @err.
 */
int network_inspect(const struct gopts *o, const char *ref, json_t **out, struct werr *err);

/**
 * network_list() - the inspect objects of every network, by name.
 * Return: 0 with *@out (a new array), or a negative errno with @err.
 */
int network_list(const struct gopts *o, json_t **out, struct werr *err);

/**
 * network_in_use() - the name of a container whose record puts it on
 * network @name, or NULL.
 */
const char *network_in_use(const struct gopts *o, const char *name, char *buf, size_t size);

/**
 * network_remove() - remove the network @ref names; refused while a
 * container is on it. *@name (at least 256 bytes) gets its name.
 * Return: 0, or -ENOENT, -EBUSY or another negative errno with @err.
 */
int network_remove(const struct gopts *o, const char *ref, char *name, struct werr *err);

#endif
