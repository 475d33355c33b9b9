/* store.h - the content-addressed image store under the global --root (struct gopts):
 *   blobs/sha256/HEX       verified blobs (manifests, configs, layer tarballs)
 *   layers/HEX/diff        unpacked layers, HEX = chain ID, shared by images
 *   layers/HEX/size        bytes unpacked
 *   images/HEX.json        image records (HEX = config digest = image ID)
 *   containers/ID/         a container's record and writable layer (rootfs.h)
 *   tmp/HEX/               staging of one command (flock-held while in use)
 *   build-cache/KEY        a build step's cache entry (store_bcache.c)
 *   lock                   flock: record updates and garbage collection
 * Everything enters by rename from tmp/, so a killed command leaves only a
 * staging directory that no reader mistakes for content. */
#ifndef WARREN_STORE_H
#define WARREN_STORE_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "gopts.h"
#include "idmap.h"
#include "werr.h"

struct store {
	char root[PATH_MAX];
	int rootfd;
	int lockfd; /* held while >= 0 */
};

struct staging {
	int fd;        /* the directory, flock-held */
	char name[64]; /* "tmp/HEX", relative to the root */
};

#define STORE_BCACHE_DIR "build-cache"

struct store_usage {
	size_t images, layers, blobs, containers, staging;
	uint64_t layer_bytes, blob_bytes, images_bytes; /* images_bytes: sum per image */
	uint64_t staging_bytes;                         /* left in tmp/ by killed commands */
	size_t bcache, bcache_unused; /* build cache entries; those no image uses */
	/* the entries and the stored layers they made; of those, what images use */
	uint64_t bcache_bytes, bcache_shared;
};

/**
 * store_open() - open (and create) the user's store.
 * Return: 0 or a negative errno with @err set.
 */
int store_open(struct store *s, const struct gopts *o, struct werr *err);

void store_close(struct store *s);

/**
 * store_lock() - take the store lock (blocks while another warren holds it).
 */
int store_lock(struct store *s, struct werr *err);

void store_unlock(struct store *s);

/**
 * store_staging_new() - a private, locked staging directory for one command.
 */
int store_staging_new(struct store *s, struct staging *st, struct werr *err);

/**
 * store_staging_new_bare() - store_staging_new() without the reaping.
 */
int store_staging_new_bare(struct store *s, struct staging *st, struct werr *err);

/**
 * store_staging_reap() - move the staging directories of killed commands
 * (tmp/HEX without its flock) into @st, so they go with it.
 */
void store_staging_reap(struct store *s, struct staging *st);

/**
 * store_staging_done() - remove the staging directory (files owned by
 * subordinate IDs are removed inside the user namespace of @plan).
 */
void store_staging_done(struct store *s, struct staging *st, const struct idmap_plan *plan);

bool store_blob_has(struct store *s, const char *digest);

/**
 * store_blob_open() - open a stored blob read-only.
 * Return: the fd, or a negative errno with @err set.
 */
int store_blob_open(struct store *s, const char *digest, struct werr *err);

void store_blob_path(const struct store *s, const char *digest, char *buf, size_t size);

/**
 * store_blob_put() - store @len bytes; when @digest is given they must
 * match it (else -EBADMSG, nothing stored). *@out (may be NULL) gets the digest.
 */
int store_blob_put(struct store *s, const char *digest, const void *buf, size_t len, char *out,
                   struct werr *err);

/**
 * store_blob_read() - read a stored blob, verified against its digest.
 */
int store_blob_read(struct store *s, const char *digest, size_t max, char **buf, size_t *len,
                    struct werr *err);

/**
 * store_blob_commit() - move @name (in staging) to the blob @digest; the
 * caller has verified the digest while writing it.
 */
int store_blob_commit(struct store *s, struct staging *st, const char *name, const char *digest,
                      struct werr *err);

bool store_layer_has(struct store *s, const char *chain_id);

void store_layer_path(const struct store *s, const char *chain_id, char *buf, size_t size);

/**
 * store_layer_size() - bytes unpacked in layer @chain_id (0 when unknown).
 */
uint64_t store_layer_size(struct store *s, const char *chain_id);

/**
 * store_layer_commit() - move the unpacked layer directory @name (in
 * staging, holding diff/ and size) to layers/CHAIN. Another warren having
 * committed the same layer first is not an error.
 */
int store_layer_commit(struct store *s, struct staging *st, const char *name, const char *chain_id,
                       struct werr *err);

/**
 * store_images_load() - every image record, as a JSON array (caller decrefs).
 */
int store_images_load(struct store *s, json_t **images, struct werr *err);

/**
 * store_image_save() - write one record atomically (images/HEX.json).
 */
int store_image_save(struct store *s, json_t *rec, struct werr *err);

int store_image_delete(struct store *s, const char *id, struct werr *err);

/**
 * store_image_find() - the record @what names: a reference (a short name
 * also matches the same path on any registry), a full or unique short ID.
 * Return: the record (borrowed from @images) or NULL with @err set.
 */
json_t *store_image_find(json_t *images, const char *what, struct werr *err);

/**
 * store_name_remove() - drop the tag @name from every record in @images;
 * records changed are saved. Return: 0 or a negative errno.
 */
int store_name_remove(struct store *s, json_t *images, const char *name, struct werr *err);

/**
 * store_image_in_use() - whether a live container uses image @id.
 */
bool store_image_in_use(struct store *s, const char *id);

/**
 * store_gc() - with the lock held: remove blobs and layers no record
 * references, and stale staging and container directories. Layers are
 * moved to tmp/ and removed inside the user namespace of @plan.
 */
int store_gc(struct store *s, json_t *images, const struct idmap_plan *plan, struct werr *err);

/**
 * store_usage() - counts and sizes for `system df`.
 */
int store_usage(struct store *s, json_t *images, struct store_usage *u, struct werr *err);

/**
 * store_bcache_usage() - the build cache's part of @u: entries, those no
 * image of @images uses, their bytes with the stored layers they made.
 * Return: 0 or a negative errno with @err set.
 */
int store_bcache_usage(struct store *s, json_t *images, struct store_usage *u, struct werr *err);

/* called for each build cache entry @key removed, with its own @bytes */
typedef void (*store_bcache_removed_fn)(void *ctx, const char *key, uint64_t bytes);

/**
 * store_bcache_prune() - with the store lock held, remove the build cache
 * entries no image of @images uses (@all: every entry), calling @removed
 * for each; store_gc() then removes the layers only they named.
 * Return: 0 or a negative errno with @err set.
 */
int store_bcache_prune(struct store *s, json_t *images, bool all, store_bcache_removed_fn removed,
                       void *ctx, struct werr *err);

/**
 * store_check() - verify every blob against its digest, every layer
 * directory is whole, every record's blobs and layers are there, and find
 * the staging killed commands left. With @repair (store lock held), remove
 * what is broken so that a pull restores it (in @plan's namespace);
 * @report gets one line per problem found (caller frees), @repaired how
 * many of them went.
 * Return: the number of problems (0: no damage), or a negative errno.
 */
int store_check(struct store *s, const struct idmap_plan *plan, bool repair, char **report,
                int *repaired, struct werr *err);

/**
 * store_rm_tree() - remove @path (under the store) inside the user namespace
 * of @plan, so that files owned by subordinate IDs can go.
 */
int store_rm_tree(const char *path, const struct idmap_plan *plan, struct werr *err);

#endif
