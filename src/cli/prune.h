/* prune.h - what the prune commands share with `system prune`: each
 * command's removal without its prompt, Docker's filter keys for prunes,
 * and the prompt's wording. The removals live with their command group
 * (cmd_container.c, cmd_image.c, cmd_volume.c, cmd_builder.c, cmd_network.c). */
#ifndef WARREN_PRUNE_H
#define WARREN_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "filters.h"
#include "store.h"

/* until=, label=, label!= (Docker's prune filters) */
extern const struct filter_key prune_keys[];

/**
 * prune_containers() - remove the stopped containers @f selects, printing
 * Docker's "Deleted Containers:" section when any goes.
 * Return: the bytes their records and writable layers held.
 */
uint64_t prune_containers(const struct filters *f);

/**
 * prune_images() - remove the dangling images (@all: every image no
 * container uses) @f selects, with Docker's "Deleted Images:" section.
 * Return: 0 with *@bytes the store space freed, or a negative errno.
 */
int prune_images(bool all, const struct filters *f, uint64_t *bytes, struct werr *err);

/**
 * prune_build_cache() - remove the build cache entries no image uses
 * (@all: every entry) and the layers only they named, with Docker's
 * "Deleted build cache objects:" section (cmd_builder.c).
 * Return: 0 with *@bytes the space freed, or a negative errno.
 */
int prune_build_cache(bool all, uint64_t *bytes, struct werr *err);

/** prune_store_bytes() - the bytes of the layers and blobs the store holds. */
uint64_t prune_store_bytes(struct store *s, json_t *images);

/**
 * prune_volumes() - remove the volumes no container uses (@all: named
 * ones too, else anonymous only) @f selects, with Docker's "Deleted
 * Volumes:" section. Return: the bytes their files held.
 */
uint64_t prune_volumes(bool all, const struct filters *f);

/**
 * prune_networks() - remove the networks no container is on that @f
 * selects, with Docker's "Deleted Networks:" section (cmd_network.c).
 */
void prune_networks(const struct filters *f);

#endif
