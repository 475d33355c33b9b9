/* commit.h - recording an image whose blobs sit in a staging directory
 * (load, import): unpack the missing layers in parallel workers, then move
 * blobs and layers into the store and write the record, or change nothing. */
#ifndef WARREN_COMMIT_H
#define WARREN_COMMIT_H

#include <stddef.h>

#include "idmap.h"
#include "store.h"
#include "werr.h"

struct staged_image {
	const char *manifest; /* bytes; their digest becomes the image's manifest digest */
	size_t manifest_len;
	const char *config;
	size_t config_len;
	const char *const *layer_files; /* per layer: file in staging, or NULL if stored */
	const char *const *names;       /* "domain/path:tag", may be empty */
	size_t n_names;
};

/**
 * commit_staged() - verify and record @si (staged in @st).
 * @id: the image ID (DIGEST_STR_LEN + 1)
 * Return: 0 or a negative errno with @err set; on failure the store is as
 * it was (the staging directory is the caller's to remove).
 */
int commit_staged(struct store *s, struct staging *st, const struct idmap_plan *plan,
                  const struct staged_image *si, char *id, struct werr *err);

/**
 * commit_verify_file() - whether staging file @name hashes to @digest.
 * Return: 0, -EBADMSG with @err naming both digests, or another negative errno.
 */
int commit_verify_file(struct staging *st, const char *name, const char *digest, struct werr *err);

#endif
