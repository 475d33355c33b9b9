/* image.h - an image as the store records it: recording a pulled, loaded
 * or imported image (blobs + record + tag move, under the store lock), and
 * reading one back (manifest, config, layer chain) for run, save, push. */
#ifndef WARREN_IMAGE_H
#define WARREN_IMAGE_H

#include <jansson.h>
#include <stdbool.h>

#include "manifest.h"
#include "store.h"
#include "werr.h"

struct image_new {
	const char *manifest; /* bytes as received (their digest is the image's) */
	size_t manifest_len;
	const char *config;
	size_t config_len;
	const struct manifest *m;
	const struct image_config *cfg;
	const char *name;        /* "domain/path:tag" or NULL */
	const char *repo_digest; /* "domain/path@sha256:..." or NULL */
	const char *index;       /* index digest pulled through, or NULL */
	const char *parent;      /* the image this one was built on (ID), or NULL */
	bool intermediate;       /* a build step's image: hidden from `images` until tagged */
};

/**
 * image_commit() - store the manifest and config blobs and the image's
 * record; the layers must be in the store already. Takes the store lock;
 * @n->name moves to this image from any other. An image already recorded
 * keeps its parent; committed again as not @n->intermediate, it stops being
 * one (a build's last step becomes its result).
 * @id: the image ID ("sha256:…" of the config), DIGEST_STR_LEN + 1 bytes
 * Return: 0 or a negative errno with @err set.
 */
int image_commit(struct store *s, const struct image_new *n, char *id, struct werr *err);

/**
 * image_load() - the manifest, config and chain IDs of record @rec, verified.
 * Free with image_loaded_free().
 */
struct image_loaded {
	char *manifest_bytes, *config_bytes;
	size_t manifest_len, config_len;
	struct manifest m;
	struct image_config cfg;
	char (*chain)[DIGEST_STR_LEN + 1];
	size_t n_layers;
};

int image_load(struct store *s, json_t *rec, struct image_loaded *img, struct werr *err);

void image_loaded_free(struct image_loaded *img);

/**
 * image_short_id() - the 12 hex digits Docker shows.
 */
void image_short_id(const char *id, char *buf);

#endif
