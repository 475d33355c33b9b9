/* sqsh_save.h - `warren save --format squashfs`: an image's flattened root
 * in one SquashFS file, with its config after it (sqsh.h). */
#ifndef WARREN_SQSH_SAVE_H
#define WARREN_SQSH_SAVE_H

#include <jansson.h>

#include "idmap.h"
#include "store.h"
#include "werr.h"

/**
 * sqsh_save() - write image @rec's root filesystem (its layers applied,
 * whiteouts resolved, owners, modes, xattrs, hard links and symlinks
 * as a container sees them) as the SquashFS file @out, made by
 * tar2sqfs (squashfs-tools-ng) from a tar of the tree read in the user
 * namespace of @plan. The file appears by rename when whole; on failure
 * nothing is left.
 * Return: 0 or a negative errno with @err set.
 */
int sqsh_save(struct store *s, json_t *rec, const struct idmap_plan *plan, const char *out,
              struct werr *err);

#endif
