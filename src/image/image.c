/* image.c - image records: what pull, load and import commit (blobs, record,
 * tag move, under the store lock) and how run, save and push read them back
 * (every blob verified). Never prints. */
#include "image.h"
#include "cleanup.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static json_t *layers_json(const struct image_new *n, char (*chain)[DIGEST_STR_LEN + 1])
{
	json_t *arr = json_array();

	for (size_t i = 0; i < n->m->n_layers; i++)
		json_array_append_new(arr, json_pack("{s:s, s:s, s:s, s:s, s:I}", "digest",
		                                     n->m->layers[i].digest, "diff_id",
		                                     n->cfg->diff_ids[i], "chain_id", chain[i],
		                                     "media_type", n->m->layers[i].media_type,
		                                     "size", (json_int_t)n->m->layers[i].size));
	return arr;
}

static void array_add_unique(json_t *rec, const char *key, const char *v)
{
	json_t *a = json_object_get(rec, key);
	size_t i;
	json_t *e;

	if (!v)
		return;
	if (!json_is_array(a)) {
		a = json_array();
		json_object_set_new(rec, key, a);
	}
	json_array_foreach(a, i, e) if (!strcmp(json_string_value(e), v)) return;
	json_array_append_new(a, json_string(v));
}

static json_t *record_new(const struct image_new *n, const char *id, const char *mdigest,
                          char (*chain)[DIGEST_STR_LEN + 1])
{
	const char *created = json_string_value(json_object_get(n->cfg->root, "created"));
	json_t *rec = json_pack("{s:s, s:s, s:s, s:s, s:I, s:[], s:[]}", "id", id, "manifest",
	                        mdigest, "config", id, "created", created ? created : "", "pulled",
	                        (json_int_t)time(NULL), "names", "digests");

	if (!rec)
		return NULL;
	json_object_set_new(rec, "layers", layers_json(n, chain));
	json_object_set_new(rec, "manifest_type", json_string(n->m->media_type));
	if (n->index)
		json_object_set_new(rec, "index", json_string(n->index));
	if (n->parent && strcmp(n->parent, id))
		json_object_set_new(rec, "parent", json_string(n->parent));
	if (n->intermediate)
		json_object_set_new(rec, "intermediate", json_true());
	return rec;
}

int image_commit(struct store *s, const struct image_new *n, char *id, struct werr *err)
{
	char mdigest[DIGEST_STR_LEN + 1];
	_cleanup_free_ char(*chain)[DIGEST_STR_LEN + 1] = NULL;
	json_t *images = NULL, *rec;
	size_t i;
	int r;

	if (n->cfg->n_diff_ids != n->m->n_layers)
		return werr_set(err, EINVAL,
		                "malformed image: the manifest has %zu layers, the config %zu "
		                "diff_ids",
		                n->m->n_layers, n->cfg->n_diff_ids);
	chain = calloc(n->m->n_layers + 1, sizeof(*chain));
	if (!chain || manifest_chain_ids(n->cfg->diff_ids, n->m->n_layers, chain) < 0)
		return werr_errno(err, ENOMEM, "chain IDs");
	r = store_blob_put(s, n->m->config.digest[0] ? n->m->config.digest : NULL, n->config,
	                   n->config_len, id, err);
	if (r < 0)
		return werr_prefix(err, "image config");
	r = store_blob_put(s, NULL, n->manifest, n->manifest_len, mdigest, err);
	if (r < 0)
		return werr_prefix(err, "image manifest");
	r = store_lock(s, err);
	if (r < 0)
		return r;
	r = store_images_load(s, &images, err);
	if (r < 0)
		goto out;
	if (n->name && (r = store_name_remove(s, images, n->name, err)) < 0)
		goto out;
	rec = NULL;
	json_array_foreach(
	    images, i, rec) if (!strcmp(json_string_value(json_object_get(rec, "id")), id)) break;
	if (i == json_array_size(images)) {
		rec = record_new(n, id, mdigest, chain);
		if (!rec) {
			r = werr_errno(err, ENOMEM, "image record");
			goto out;
		}
		json_array_append_new(images, rec);
	} else {
		/* same config, maybe another manifest (recompressed): keep the newest */
		json_object_set_new(rec, "manifest", json_string(mdigest));
		json_object_set_new(rec, "manifest_type", json_string(n->m->media_type));
		json_object_set_new(rec, "layers", layers_json(n, chain));
		if (!n->intermediate)
			json_object_del(rec, "intermediate");
	}
	array_add_unique(rec, "names", n->name);
	array_add_unique(rec, "digests", n->repo_digest);
	r = store_image_save(s, rec, err);
out:
	json_decref(images);
	store_unlock(s);
	return r;
}

int image_load(struct store *s, json_t *rec, struct image_loaded *img, struct werr *err)
{
	const char *md = json_string_value(json_object_get(rec, "manifest"));
	const char *cd = json_string_value(json_object_get(rec, "config"));
	int r;

	memset(img, 0, sizeof(*img));
	if (!md || !cd)
		return werr_set(err, EINVAL, "damaged image record (run warren system check)");
	r = store_blob_read(s, md, MANIFEST_MAX_BYTES, &img->manifest_bytes, &img->manifest_len,
	                    err);
	if (r == 0)
		r = store_blob_read(s, cd, 32 << 20, &img->config_bytes, &img->config_len, err);
	if (r == 0)
		r = manifest_parse(img->manifest_bytes, img->manifest_len,
		                   json_string_value(json_object_get(rec, "manifest_type")),
		                   &img->m, err);
	if (r == 0)
		r = config_parse(img->config_bytes, img->config_len, &img->cfg, err);
	if (r == 0 && img->cfg.n_diff_ids != img->m.n_layers)
		r = werr_set(err, EINVAL, "image %s: manifest and config disagree on the layers",
		             cd);
	if (r == 0) {
		img->n_layers = img->m.n_layers;
		img->chain = calloc(img->n_layers + 1, sizeof(*img->chain));
		if (!img->chain || manifest_chain_ids(img->cfg.diff_ids, img->n_layers, img->chain))
			r = werr_errno(err, ENOMEM, "chain IDs");
	}
	if (r < 0)
		image_loaded_free(img);
	return r;
}

void image_loaded_free(struct image_loaded *img)
{
	free(img->manifest_bytes);
	free(img->config_bytes);
	manifest_free(&img->m);
	config_free(&img->cfg);
	free(img->chain);
	memset(img, 0, sizeof(*img));
}

void image_short_id(const char *id, char *buf)
{
	snprintf(buf, 13, "%s", !strncmp(id, "sha256:", 7) ? id + 7 : id);
}
