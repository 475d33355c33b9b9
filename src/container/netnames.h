/* netnames.h - a network's name table in the store: <store>/networks/NAME/
 * names/ADDRESS, one file per container holding a lease, with its ID, its
 * name and its --network-alias names, one a line. Written and removed
 * under the networks lock with the lease; read by the DNS responder
 * (runtime/netdns.c) at each query. */
#ifndef WARREN_NETNAMES_H
#define WARREN_NETNAMES_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>

#include "werr.h"

/**
 * netnames_write() - the names of container @id (@name, NULL for none, and
 * @aliases[@n]) at address @addr (host byte order) of the network whose
 * store directory is @netdir, replacing what was there.
 * Return: 0 or a negative errno with @err set.
 */
int netnames_write(const char *netdir, uint32_t addr, const char *id, const char *name,
                   char *const *aliases, size_t n, struct werr *err);

/**
 * netnames_rename() - the name of the container at @addr of @netdir made
 * @name (its ID and aliases kept); nothing when it has no names there.
 * Return: 0 or a negative errno with @err set.
 */
int netnames_rename(const char *netdir, uint32_t addr, const char *name, struct werr *err);

/** netnames_remove() - the names at address @addr of @netdir, gone. */
void netnames_remove(const char *netdir, uint32_t addr);

/**
 * netnames_aliases() - the aliases recorded for the container at @addr of
 * @netdir (its third line on), as a JSON array (new reference; empty when
 * there are none).
 */
json_t *netnames_aliases(const char *netdir, uint32_t addr);

#endif
