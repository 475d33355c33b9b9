/* ctr_commit.h - `warren commit`: a container's writable layer (the
 * overlay upper directory in containers/ID, see rootfs.h) becomes one more
 * layer on top of its image's, with --change instructions and a message. */
#ifndef WARREN_CTR_COMMIT_H
#define WARREN_CTR_COMMIT_H

#include <stddef.h>

#include "idmap.h"
#include "store.h"
#include "werr.h"

struct ctr_commit_opts {
	const char *ctr_dir;                /* <store>/containers/ID */
	const struct idmap_plan *ctr_idmap; /* the container's own, from its record */
	char *const *changes;               /* "CMD ...", "ENV K=V", ... (import_change()) */
	size_t n_changes;
	const char *message; /* history comment, or NULL */
	const char *author;  /* or NULL */
	const char *name;    /* "domain/path:tag", or NULL */
};

/**
 * ctr_commit() - record the image: the container's image's layers plus its
 * upper directory written as a layer tar (inside a user namespace with the
 * container's maps, @o->ctr_idmap) and unpacked into the store with the
 * store's, @plan; the config is the image's with
 * @o->changes applied and a history entry.
 * @id: the new image ID (DIGEST_STR_LEN + 1)
 * Return: 0 or a negative errno with @err set; the store is unchanged on failure.
 */
int ctr_commit(struct store *s, const struct idmap_plan *plan, const struct ctr_commit_opts *o,
               char *id, struct werr *err);

#endif
