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

struct net_spec;

/**
 * network_attach_spec() - fill @net (mode NET_MODE_BRIDGE, bridge_net
 * set) from its network's record, and lease it an address for container
 * @id: @want (NULL: the first free one; the same one again for a
 * container that holds a lease already). Leases are files
 * <store>/networks/NAME/leases/ADDRESS holding the container's ID, made
 * with O_EXCL, so two containers never get one address; the lease of a
 * container that has no record and no holder is taken back. With @hold
 * (a run without a record), *@hold gets an fd holding the lease until it
 * is closed (-1 if it could not). The container's names (@name, NULL for
 * none, @net->bridge_aliases and its ID) go to the network's name table
 * (netnames.h) and @net->bridge_dir names the network's directory.
 * Return: 0, or a negative errno with a one-line @err (unknown network,
 * --ip outside the subnet or in use, the subnet full).
 */
int network_attach_spec(const struct gopts *o, struct net_spec *net, const char *id,
                        const char *name, const char *want, int *hold, struct werr *err);

/**
 * network_attach_all() - network_attach_spec() of @net's first network
 * (with @hold) and of each of @net->bridge_more, with their --ip.
 * Return: 0, or a negative errno with a one-line @err.
 */
int network_attach_all(const struct gopts *o, struct net_spec *net, const char *id,
                       const char *name, int *hold, struct werr *err);

/**
 * network_release_config() - give back the leases of container @id on the
 * networks its @config (a record's config.json) names.
 */
void network_release_config(const struct gopts *o, json_t *config, const char *id);

/**
 * network_rename_config() - the name of container @id made @name in the
 * name tables of the networks its @config names (rename).
 */
void network_rename_config(const struct gopts *o, json_t *config, const char *id, const char *name);

/**
 * network_unname_config() - take the names of container @id (which has
 * stopped) out of the name tables of the networks its @config names; its
 * leases stay, and its next start writes the names again.
 */
void network_unname_config(const struct gopts *o, json_t *config, const char *id);

/**
 * network_endpoints() - Docker's NetworkSettings.Networks for the
 * networks @config names: each one's NetworkID, Gateway, and the address
 * container @id holds (IPAddress, IPPrefixLen; "" and 0 without a lease).
 * Return: a new object (empty for a container on no network).
 */
json_t *network_endpoints(const struct gopts *o, json_t *config, const char *id);

/** network_release() - give back the lease of container @id on @name. */
void network_release(const struct gopts *o, const char *name, const char *id);

/**
 * network_leases_count() - the leases of network @name (-1: no such
 * network).
 */
int network_leases_count(const struct gopts *o, const char *name);

#endif
