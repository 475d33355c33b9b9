/* builder_layer.c - a build step's layer: its directories in staging (upper
 * over the stage's layers), the upper directory turned into a layer blob and
 * moved into the store as the layer's unpacked form, and the step cache
 * (store/build-cache/KEY: what a step made, keyed by parent and instruction).
 * Never writes outside the store. */
#include "builder_int.h"
#include "cleanup.h"
#include "manifest.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

void bnow(char *buf, size_t size)
{
	struct timespec ts;
	struct tm tm;
	char sec[24];

	/* to the nanosecond, as BuildKit writes it: images built within one
	 * second still order by before=/since= */
	clock_gettime(CLOCK_REALTIME, &ts);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", gmtime_r(&ts.tv_sec, &tm));
	snprintf(buf, size, "%s.%09ldZ", sec, ts.tv_nsec);
}

char *bstage_lowerdir(const struct bstage *sg)
{
	char *lower = calloc(sg->n_layers + 1, DIGEST_HEX_LEN + 6), *p = lower;

	for (size_t i = sg->n_layers; lower && i-- > 0;)
		p += sprintf(p, "%s%s/diff", i == sg->n_layers - 1 ? "" : ":",
		             digest_hex(sg->chain[i]));
	return lower;
}

static int lowerdir_make(struct builder *b, const struct bstage *sg, struct bstep_dir *d,
                         struct werr *err)
{
	if (sg->n_layers == 0) {
		/* FROM scratch: an empty lower directory in staging */
		if (mkdirat(b->st.fd, "empty", 0755) < 0 && errno != EEXIST)
			return werr_errno(err, errno, "create %s/empty", b->stdir);
		snprintf(d->lower_base, sizeof(d->lower_base), "%s", b->stdir);
		d->lowerdir = strdup("empty");
		return d->lowerdir ? 0 : werr_errno(err, ENOMEM, "lowerdir");
	}
	snprintf(d->lower_base, sizeof(d->lower_base), "%s/layers", b->s.root);
	d->lowerdir = bstage_lowerdir(sg);
	if (!d->lowerdir)
		return werr_errno(err, ENOMEM, "lowerdir");
	if (b->driver == ROOTFS_OVERLAY && strlen(d->lowerdir) + 2 * strlen(d->upper) + 64 >= 4096)
		return werr_set(
		    err, E2BIG,
		    "the image has too many layers (%zu) for one overlay mount: combine "
		    "RUN steps",
		    sg->n_layers);
	return 0;
}

int bstep_dir_new(struct builder *b, const struct bstage *sg, struct bstep_dir *d, struct werr *err)
{
	unsigned n = ++b->seq;
	char rel[64];

	memset(d, 0, sizeof(*d));
	snprintf(d->name, sizeof(d->name), "s%u", n);
	snprintf(d->upper, sizeof(d->upper), "%s/s%u/diff", b->stdir, n);
	snprintf(d->work, sizeof(d->work), "%s/w%u", b->stdir, n);
	snprintf(d->merged, sizeof(d->merged), "%s/m%u", b->stdir, n);
	snprintf(rel, sizeof(rel), "s%u", n);
	if (mkdirat(b->st.fd, rel, 0700) < 0)
		return werr_errno(err, errno, "create %s/%s", b->stdir, rel);
	if (mkdir(d->upper, 0755) < 0 || mkdir(d->work, 0700) < 0 || mkdir(d->merged, 0755) < 0)
		return werr_errno(err, errno, "create the step's directories in %s", b->stdir);
	return lowerdir_make(b, sg, d, err);
}

void bstep_dir_free(struct builder *b, struct bstep_dir *d)
{
	struct werr e;

	/* the work directory holds an overlay "work" entry only the namespace can remove */
	if (d->work[0] && access(d->work, F_OK) == 0)
		store_rm_tree(d->work, &b->plan, &e);
	if (d->merged[0]) {
		char from[sizeof(d->merged) + 8];
		snprintf(from, sizeof(from), "%s-from", d->merged);
		if (d->copied) {
			/* copies of the stage's trees: files of subordinate IDs */
			if (access(from, F_OK) == 0)
				store_rm_tree(from, &b->plan, &e);
			if (access(d->merged, F_OK) == 0)
				store_rm_tree(d->merged, &b->plan, &e);
			unlink(d->snapshot);
		}
		/* a --from copy's tree, copied for its cache key before the step */
		if (rmdir(from) < 0 && errno == ENOTEMPTY)
			store_rm_tree(from, &b->plan, &e);
		rmdir(d->merged);
	}
	free(d->lowerdir);
	d->lowerdir = NULL;
}

static int chain_next(const struct bstage *sg, const char *diff_id, char *out)
{
	char buf[2 * DIGEST_STR_LEN + 2];

	if (sg->n_layers == 0) {
		snprintf(out, DIGEST_STR_LEN + 1, "%s", diff_id);
		return 0;
	}
	snprintf(buf, sizeof(buf), "%s %s", sg->chain[sg->n_layers - 1], diff_id);
	return digest_buf(buf, strlen(buf), out);
}

int blayer_append(struct builder *b, struct bstage *sg, const char *diff_id, uint64_t size,
                  struct werr *err)
{
	char(*nc)[DIGEST_STR_LEN + 1] = realloc(sg->chain, (sg->n_layers + 1) * sizeof(*nc));
	json_t *rootfs = json_object_get(sg->cfg, "rootfs"), *ids;

	(void)b;
	if (!nc)
		return werr_errno(err, ENOMEM, "layers");
	sg->chain = nc;
	if (chain_next(sg, diff_id, nc[sg->n_layers]) < 0)
		return werr_errno(err, ENOMEM, "chain ID");
	sg->n_layers++;
	if (!rootfs) {
		json_object_set_new(sg->cfg, "rootfs",
		                    rootfs =
		                        json_pack("{s:s, s:[]}", "type", "layers", "diff_ids"));
	}
	ids = json_object_get(rootfs, "diff_ids");
	json_array_append_new(ids, json_string(diff_id));
	json_array_append_new(sg->layers, json_pack("{s:s, s:s, s:I}", "mediaType", MT_OCI_LAYER,
	                                            "digest", diff_id, "size", (json_int_t)size));
	return 0;
}

/* the layer tar @tar unpacked in staging directory @layer, as a pull does:
 * the store's form for every driver (an upper directory of warren-overlay
 * may hold ".wh." files and owners in xattrs) */
static int layer_unpacked(struct builder *b, const struct bstep_dir *d, const char *tar,
                          char *layer, size_t size, struct werr *err)
{
	char dir[PATH_MAX + 64];

	snprintf(layer, size, "%s-layer", d->name);
	snprintf(dir, sizeof(dir), "%s/%s/diff", b->stdir, layer);
	if (mkdirat(b->st.fd, layer, 0700) < 0 || mkdir(dir, 0755) < 0)
		return werr_errno(err, errno, "create %s", dir);
	return b->o->hooks.untar(b->o->hooks.ctx, tar, dir, true, NULL, err);
}

int blayer_commit(struct builder *b, struct bstage *sg, struct bstep_dir *d, char *diff_id,
                  uint64_t *size, struct werr *err)
{
	char tar[PATH_MAX + 64], rel[64], chain[DIGEST_STR_LEN + 1], text[32];
	char layer[64] = "";
	int r;

	snprintf(tar, sizeof(tar), "%s/%s.tar", b->stdir, d->name);
	r = b->o->hooks.layer_diff(b->o->hooks.ctx, d->upper, tar, diff_id, size, err);
	if (r == 0 && b->driver != ROOTFS_OVERLAY)
		r = layer_unpacked(b, d, tar, layer, sizeof(layer), err);
	if (r < 0)
		return r;
	snprintf(rel, sizeof(rel), "%s.tar", d->name);
	if (!store_blob_has(&b->s, diff_id) &&
	    store_blob_commit(&b->s, &b->st, rel, diff_id, err) < 0)
		return -err->code;
	snprintf(rel, sizeof(rel), "%s/size", layer[0] ? layer : d->name);
	snprintf(text, sizeof(text), "%llu", (unsigned long long)*size);
	r = util_write_file_atomic(b->st.fd, rel, text, strlen(text), 0644, err);
	if (r < 0)
		return r;
	if (chain_next(sg, diff_id, chain) < 0)
		return werr_errno(err, ENOMEM, "chain ID");
	/* the upper directory is the layer's unpacked form (whiteouts in overlay
	 * form) on the kernel overlay; on the other drivers the tar unpacked */
	if (!store_layer_has(&b->s, chain) &&
	    store_layer_commit(&b->s, &b->st, layer[0] ? layer : d->name, chain, err) < 0)
		return -err->code;
	return blayer_append(b, sg, diff_id, *size, err);
}

void bcache_key(struct bstage *sg, const char *text)
{
	struct strbuf sb = { 0 };

	strbuf_adds(&sb, sg->key);
	strbuf_addc(&sb, '\n');
	strbuf_adds(&sb, text ? text : "");
	digest_buf(sb.s ? sb.s : "", sb.len, sg->key);
	strbuf_free(&sb);
}

void bhistory_add(struct bstage *sg, const char *created, const char *created_by, bool empty)
{
	json_t *h = json_object_get(sg->cfg, "history");

	if (!json_is_array(h))
		json_object_set_new(sg->cfg, "history", h = json_array());
	json_array_append_new(
	    h, json_pack("{s:s, s:s}", "created", created, "created_by", created_by));
	if (!sg->ckeys)
		sg->ckeys = json_array();
	json_array_append_new(sg->ckeys, json_string(sg->key));
	if (empty)
		json_object_set_new(json_array_get(h, json_array_size(h) - 1), "empty_layer",
		                    json_true());
	json_object_set_new(sg->cfg, "created", json_string(created));
}

/* use cache entry @j (a local one, or a --cache-from one to be saved
 * locally when @save) when its layer is still in the store */
static int bcache_use(struct builder *b, struct bstage *sg, json_t *j, const char *created_by,
                      bool save, bool *hit, struct werr *err)
{
	char chain[DIGEST_STR_LEN + 1];
	json_t *layer = json_object_get(j, "layer");
	const char *diff_id = json_string_value(json_object_get(layer, "digest"));
	const char *created = json_string_value(json_object_get(j, "created"));
	uint64_t size = (uint64_t)json_integer_value(json_object_get(layer, "size"));
	int r = 0;

	if (!created || (layer && (!diff_id || !digest_valid(diff_id))))
		return 0;
	if (diff_id && (chain_next(sg, diff_id, chain) < 0 || !store_layer_has(&b->s, chain) ||
	                !store_blob_has(&b->s, diff_id)))
		return 0; /* removed since: build the step again */
	if (diff_id)
		r = blayer_append(b, sg, diff_id, size, err);
	if (r < 0)
		return r;
	bhistory_add(sg, created, created_by, !diff_id);
	*hit = true;
	return save ? bcache_save(b, sg, diff_id, size, created, err) : 0;
}

int bcache_lookup(struct builder *b, struct bstage *sg, const char *created_by, bool *hit,
                  struct werr *err)
{
	char path[128];
	_cleanup_free_ char *text = NULL;
	size_t len;
	json_t *j = NULL;
	int r;

	*hit = false;
	if (b->o->no_cache)
		return 0;
	snprintf(path, sizeof(path), STORE_BCACHE_DIR "/%s", digest_hex(sg->key));
	if (util_read_file(b->s.rootfd, path, 1 << 16, &text, &len, err) == 0)
		j = json_loadb(text, len, 0, NULL);
	r = bcache_use(b, sg, j, created_by, false, hit, err);
	json_decref(j);
	if (r < 0 || *hit)
		return r;
	return bcache_use(b, sg, json_object_get(b->cfrom, sg->key), created_by, true, hit, err);
}

int bcache_save(struct builder *b, const struct bstage *sg, const char *diff_id, uint64_t size,
                const char *created, struct werr *err)
{
	char path[128];
	json_t *j = json_pack("{s:s}", "created", created);
	_cleanup_free_ char *text = NULL;

	if (diff_id)
		json_object_set_new(
		    j, "layer",
		    json_pack("{s:s, s:I}", "digest", diff_id, "size", (json_int_t)size));
	/* the layer it made, else the stage's top one: while an image has it,
	 * the entry is in use (store_bcache.c) */
	if (sg->n_layers > 0)
		json_object_set_new(j, "chain", json_string(sg->chain[sg->n_layers - 1]));
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	if (!text)
		return werr_errno(err, ENOMEM, "cache entry");
	if (mkdirat(b->s.rootfd, STORE_BCACHE_DIR, 0700) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "create %s/" STORE_BCACHE_DIR, b->s.root);
	snprintf(path, sizeof(path), STORE_BCACHE_DIR "/%s", digest_hex(sg->key));
	return util_write_file_atomic(b->s.rootfd, path, text, strlen(text), 0600, err);
}
