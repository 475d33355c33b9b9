/* push.h - `warren push`: the stored manifest, config and layer blobs of an
 * image sent to a registry unchanged (so digests stay), skipping blobs the
 * registry has and mounting from the image's source repository. */
#ifndef WARREN_PUSH_H
#define WARREN_PUSH_H

#include <jansson.h>
#include <stdbool.h>

#include "store.h"
#include "werr.h"

struct push_opts {
	bool tls_verify;
	void (*progress)(void *ctx, const char *digest, const char *what); /* "skipped", "pushed" */
	void *ctx;
};

/**
 * push_image() - push record @rec as @dest ("domain/path:tag").
 * @digest: the manifest digest pushed (DIGEST_STR_LEN + 1)
 * Return: 0 or a negative errno with @err set.
 */
int push_image(struct store *s, json_t *rec, const char *dest, const struct push_opts *o,
               char *digest, struct werr *err);

#endif
