/* prune.h - what the prune commands share with `system prune`: each
 * command's removal without its prompt, Docker's filter keys for prunes,
 * and the prompt's wording. The removals live with their command group
 * (cmd_container.c, cmd_image.c, cmd_volume.c). */
#ifndef WARREN_PRUNE_H
#define WARREN_PRUNE_H

#include <stdbool.h>
#include <stdint.h>

#include "filters.h"

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
 * prune_volumes() - remove the volumes no container uses (@all: named
 * ones too, else anonymous only) @f selects, with Docker's "Deleted
 * Volumes:" section. Return: the bytes their files held.
 */
uint64_t prune_volumes(bool all, const struct filters *f);

#endif
