/* import.h - `warren import`: a root filesystem tarball (plain, gzip or
 * zstd) becomes a one-layer image, with Dockerfile-like --change
 * instructions (CMD, ENTRYPOINT, ENV, WORKDIR, USER, EXPOSE, VOLUME). */
#ifndef WARREN_IMPORT_H
#define WARREN_IMPORT_H

#include <jansson.h>
#include <stddef.h>

#include "idmap.h"
#include "store.h"
#include "werr.h"

/**
 * import_change() - apply one --change instruction to the config object
 * @cfg ("config" of an image config).
 * Return: 0 or -EINVAL with @err naming the instruction.
 */
int import_change(json_t *cfg, const char *change, struct werr *err);

/**
 * import_tarball() - read the tarball on @fd and record it as an image.
 * @name: "domain/path:tag" or NULL
 * Return: 0 with @id set, or a negative errno with @err set.
 */
int import_tarball(struct store *s, const struct idmap_plan *plan, int fd, const char *name,
                   char *const *changes, size_t n_changes, const char *message, char *id,
                   struct werr *err);

#endif
