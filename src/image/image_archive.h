/* image_archive.h - image archives: `save` writes docker-archive (as docker save
 * and podman save write it: manifest.json, CONFIG.json, uncompressed
 * DIFFID.tar layers) or oci-archive (an OCI image layout in a tar, the
 * stored blobs unchanged); `load` reads either. Tar I/O through libarchive. */
#ifndef WARREN_IMAGE_ARCHIVE_H
#define WARREN_IMAGE_ARCHIVE_H

#include <jansson.h>
#include <stdbool.h>

#include "idmap.h"
#include "store.h"
#include "werr.h"

enum archive_kind { ARCHIVE_DOCKER, ARCHIVE_OCI };

/**
 * archive_save() - write the images @recs (with the names in @names, one per
 * record, may be NULL) as a tar to @fd, or, with @dir, as files under @dir
 * (an OCI image layout directory with ARCHIVE_OCI).
 * Return: 0 or a negative errno with @err set.
 */
int archive_save(struct store *s, json_t **recs, const char **names, size_t n,
                 enum archive_kind kind, int fd, const char *dir, struct werr *err);

/**
 * archive_load() - load every image in the tar on @fd (kind detected), or,
 * when @fd is a directory, in that OCI layout (or unpacked docker-archive).
 * @loaded: called with each image's ID and name (name may be NULL)
 * Return: 0 or a negative errno with @err set; the store is unchanged on failure.
 */
int archive_load(struct store *s, const struct idmap_plan *plan, int fd,
                 void (*loaded)(void *ctx, const char *id, const char *name), void *ctx,
                 struct werr *err);

#endif
