/* pull.h - `warren pull`: resolve a reference (short names through
 * registries.conf), fetch the manifest (choosing from an index by
 * platform), download the missing layer blobs in parallel, unpack each as it
 * arrives, and record the image. Progress goes to a callback: the CLI prints. */
#ifndef WARREN_PULL_H
#define WARREN_PULL_H

#include <stdbool.h>
#include <stdint.h>

#include "idmap.h"
#include "store.h"
#include "werr.h"

enum pull_event_kind {
	PULL_EV_RESOLVED, /* @ref: the reference being pulled */
	PULL_EV_LAYER,    /* @idx/@n, @digest, @got/@size, @state */
	PULL_EV_WRITING,  /* writing the manifest and record */
};

enum pull_layer_state {
	PULL_LAYER_EXISTS,
	PULL_LAYER_WAITING,
	PULL_LAYER_DOWNLOADING,
	PULL_LAYER_EXTRACTING,
	PULL_LAYER_DONE,
};

struct pull_event {
	enum pull_event_kind kind;
	const char *ref;
	const char *digest;
	size_t idx, n;
	uint64_t got, size;
	enum pull_layer_state state;
};

struct pull_opts {
	bool tls_verify;
	const char *platform; /* "os/arch[/variant]" or NULL for this machine */
	int parallel;         /* downloads at once; 0: 3 */
	void (*progress)(void *ctx, const struct pull_event *ev);
	void *ctx;
};

/**
 * pull_image() - pull @input into the store.
 * @id: the image ID on success (DIGEST_STR_LEN + 1 bytes)
 * @warnings: set to a count of device nodes skipped while unpacking
 * Return: 0 or a negative errno with @err set; the store keeps only
 * verified, complete content either way.
 */
int pull_image(struct store *s, const char *input, const struct idmap_plan *plan,
               const struct pull_opts *o, char *id, unsigned *skipped_devices, struct werr *err);

#endif
