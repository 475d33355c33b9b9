/* builder_inline.c - the inline build cache, BuildKit's documented workflow
 * for sharing a cache through a registry: a build asked for it
 * (--build-arg BUILDKIT_INLINE_CACHE=1, --cache-to type=inline) writes into
 * the image config a private field listing each history entry's step cache
 * key; a build with --cache-from IMAGE reads that map and, where its own
 * cache misses a step whose key is there, reuses the image's layer and
 * history date as a local cache hit would. */
#include "builder_int.h"
#include "cleanup.h"
#include "image.h"
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* BUILDKIT_INLINE_CACHE's value as BuildKit reads it (Go's ParseBool) */
static bool inline_arg_true(const char *v)
{
	static const char *const yes[] = { "1", "t", "T", "true", "TRUE", "True" };

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++)
		if (!strcmp(v, yes[i]))
			return true;
	return false;
}

static bool inline_wanted(const struct build_opts *o)
{
	static const char arg[] = "BUILDKIT_INLINE_CACHE=";
	bool on = o->cache_inline;

	for (size_t i = 0; i < o->n_build_args; i++)
		if (!strncmp(o->build_args[i], arg, sizeof(arg) - 1))
			on = inline_arg_true(o->build_args[i] + sizeof(arg) - 1);
	return on || o->cache_inline;
}

int binline_write(const struct builder *b, struct bstage *sg, struct werr *err)
{
	json_t *h = json_object_get(sg->cfg, "history"), *map;
	size_t nh = json_array_size(h), nk = json_array_size(sg->ckeys);

	if (!inline_wanted(b->o))
		return 0;
	map = json_array();
	/* the base image's entries first: no key of this build */
	for (size_t i = 0; map && nk <= nh && i < nh; i++) {
		json_t *e = json_array_get(h, i);
		if (i < nh - nk) {
			json_array_append_new(map, json_null());
			continue;
		}
		json_array_append_new(
		    map, json_pack("{s:O, s:b}", "key", json_array_get(sg->ckeys, i - (nh - nk)),
		                   "empty_layer", json_is_true(json_object_get(e, "empty_layer"))));
	}
	if (!map || json_object_set_new(sg->cfg, BINLINE_FIELD, map) < 0)
		return werr_errno(err, ENOMEM, "inline cache");
	return 0;
}

/* the entries of the map of @img into @b->cfrom: the layer (a diff_id of
 * rootfs, counting the entries that are not empty) and the history date */
static void inline_read(struct builder *b, const struct image_loaded *img)
{
	json_t *h = json_object_get(img->cfg.root, "history");
	json_t *map = json_object_get(img->cfg.root, BINLINE_FIELD), *e;
	size_t li = 0, i;

	if (!json_is_array(map) || json_array_size(map) != json_array_size(h))
		return;
	json_array_foreach(h, i, e)
	{
		json_t *m = json_array_get(map, i), *entry;
		const char *key = json_string_value(json_object_get(m, "key"));
		const char *created = json_string_value(json_object_get(e, "created"));
		bool empty = json_is_true(json_object_get(e, "empty_layer"));
		if (!empty && li >= img->cfg.n_diff_ids)
			return;
		if (!key || !created || empty != json_is_true(json_object_get(m, "empty_layer")) ||
		    json_object_get(b->cfrom, key)) {
			li += !empty;
			continue;
		}
		entry = json_pack("{s:s}", "created", created);
		/* the layer as stored: uncompressed, its digest its diff_id */
		if (entry && !empty && li < img->m.n_layers &&
		    !strcmp(img->m.layers[li].digest, img->cfg.diff_ids[li]))
			json_object_set_new(entry, "layer",
			                    json_pack("{s:s, s:I}", "digest", img->cfg.diff_ids[li],
			                              "size", (json_int_t)img->m.layers[li].size));
		if (entry && (empty || json_object_get(entry, "layer")))
			json_object_set(b->cfrom, key, entry);
		json_decref(entry);
		li += !empty;
	}
}

int binline_load(struct builder *b, struct werr *err)
{
	if (b->o->n_cache_from == 0 || b->o->no_cache)
		return 0;
	b->cfrom = json_object();
	if (!b->cfrom)
		return werr_errno(err, ENOMEM, "--cache-from");
	for (size_t i = 0; i < b->o->n_cache_from; i++) {
		struct image_loaded img;
		struct werr e = { 0 };
		json_t *images, *rec = bimage_find(b, b->o->cache_from[i], false, &images, &e);
		int r = rec ? image_load(&b->s, rec, &img, &e) : -e.code;
		json_decref(images);
		/* as Docker: a cache that cannot be had is not an error */
		if (r < 0) {
			fprintf(stderr, "warning: --cache-from %s: %s (building without it)\n",
			        b->o->cache_from[i], e.msg);
			continue;
		}
		inline_read(b, &img);
		image_loaded_free(&img);
	}
	return 0;
}
