/* store_bcache.c - the build cache as the store sees it (build-cache/KEY,
 * written by the builder's step cache, builder_layer.c): which entries an
 * image still uses, their count and size for `system df`, and their removal
 * for `builder prune` and `system prune`. The layers an entry names are
 * the store's; they go with gc once no image uses them. */
#include "store.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* a layer of an image in @images has @field (chain_id, diff_id) @value */
static bool bcache_image_layer_p(json_t *images, const char *field, const char *value)
{
	size_t i, j;
	json_t *rec, *l;

	json_array_foreach(images, i, rec)
	{
		json_array_foreach(json_object_get(rec, "layers"), j, l)
		{
			const char *v = json_string_value(json_object_get(l, field));
			if (v && !strcmp(v, value))
				return true;
		}
	}
	return false;
}

/* one entry: @e its JSON (NULL when unreadable); *@chain the layer it
 * names or the stage's top layer (NULL: none, or an entry older than the
 * "chain" member) */
static bool bcache_used_p(json_t *images, json_t *e, const char **chain)
{
	const char *diff_id =
	    json_string_value(json_object_get(json_object_get(e, "layer"), "digest"));

	*chain = json_string_value(json_object_get(e, "chain"));
	if (*chain && digest_valid(*chain))
		return bcache_image_layer_p(images, "chain_id", *chain);
	*chain = NULL;
	/* written before entries named their chain: by the layer's content */
	return diff_id && bcache_image_layer_p(images, "diff_id", diff_id);
}

/* the entry @name: its JSON (caller decrefs, NULL if unreadable) and bytes */
static json_t *bcache_entry_load(int dfd, const char *name, uint64_t *bytes)
{
	_cleanup_free_ char *text = NULL;
	struct werr ignored;
	struct stat st;
	size_t len;

	*bytes =
	    fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? (uint64_t)st.st_blocks * 512 : 0;
	if (util_read_file(dfd, name, 1 << 16, &text, &len, &ignored) < 0)
		return NULL;
	return json_loadb(text, len, 0, NULL);
}

/* calls @fn for each entry @key of build-cache/ (open as @dfd) with its
 * JSON and whether an image uses it; a negative return ends the walk */
typedef int (*bcache_fn)(void *ctx, int dfd, const char *key, json_t *e, bool used,
                         const char *chain, uint64_t bytes);

static int bcache_walk(struct store *s, json_t *images, bcache_fn fn, void *ctx, struct werr *err)
{
	int fd = openat(s->rootfd, STORE_BCACHE_DIR, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (fd < 0)
		return errno == ENOENT
		           ? 0
		           : werr_errno(err, errno, "open %s/" STORE_BCACHE_DIR, s->root);
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return werr_errno(err, errno, "open %s/" STORE_BCACHE_DIR, s->root);
	}
	while (r == 0 && (de = readdir(d))) {
		const char *chain = NULL;
		uint64_t bytes;
		json_t *e;
		bool used;

		/* entries are written as temporary dot files and renamed */
		if (de->d_name[0] == '.')
			continue;
		e = bcache_entry_load(dirfd(d), de->d_name, &bytes);
		used = e && bcache_used_p(images, e, &chain);
		r = fn(ctx, dirfd(d), de->d_name, e, used, chain, bytes);
		json_decref(e);
	}
	closedir(d);
	return r;
}

struct bcache_usage_ctx {
	struct store *s;
	struct store_usage *u;
	json_t *seen; /* the layers counted, each once */
};

/* implements bcache_fn for store_bcache_usage() */
static int bcache_usage_fn(void *ctx, int dfd, const char *key, json_t *e, bool used,
                           const char *chain, uint64_t bytes)
{
	struct bcache_usage_ctx *c = ctx;

	(void)dfd;
	(void)key;
	c->u->bcache++;
	c->u->bcache_bytes += bytes;
	c->u->bcache_unused += !used;
	/* a layer the entry made, still stored: what the cache holds */
	if (!chain || !json_object_get(e, "layer") || json_object_get(c->seen, chain) ||
	    !store_layer_has(c->s, chain))
		return 0;
	json_object_set_new(c->seen, chain, json_true());
	c->u->bcache_bytes += store_layer_size(c->s, chain);
	if (used)
		c->u->bcache_shared += store_layer_size(c->s, chain);
	return 0;
}

int store_bcache_usage(struct store *s, json_t *images, struct store_usage *u, struct werr *err)
{
	struct bcache_usage_ctx c = { s, u, json_object() };
	int r;

	if (!c.seen)
		return werr_errno(err, ENOMEM, "build cache");
	r = bcache_walk(s, images, bcache_usage_fn, &c, err);
	json_decref(c.seen);
	return r;
}

struct bcache_prune_ctx {
	struct store *s;
	bool all;
	store_bcache_removed_fn removed;
	void *removed_ctx;
	struct werr *err;
};

/* implements bcache_fn for store_bcache_prune() */
static int bcache_prune_fn(void *ctx, int dfd, const char *key, json_t *e, bool used,
                           const char *chain, uint64_t bytes)
{
	struct bcache_prune_ctx *c = ctx;

	(void)e;
	(void)chain;
	if (used && !c->all)
		return 0;
	if (unlinkat(dfd, key, 0) < 0 && errno != ENOENT)
		return werr_errno(c->err, errno, "remove %s/" STORE_BCACHE_DIR "/%s", c->s->root,
		                  key);
	if (c->removed)
		c->removed(c->removed_ctx, key, bytes);
	return 0;
}

int store_bcache_prune(struct store *s, json_t *images, bool all, store_bcache_removed_fn removed,
                       void *ctx, struct werr *err)
{
	struct bcache_prune_ctx c = { s, all, removed, ctx, err };

	return bcache_walk(s, images, bcache_prune_fn, &c, err);
}
