/* pull.c - the pull pipeline: candidates → manifest (index → platform) →
 * config → parallel blob downloads → an unpack worker per layer that reads
 * its blob as it arrives (or once it is complete, when all workers are busy)
 * → every digest checked → layers committed by chain ID → record.
 * A killed pull leaves a staging directory and verified blobs, never a
 * layer or record that looks complete and is not. */
#include "pull.h"
#include "cleanup.h"
#include "image.h"
#include "layer.h"
#include "manifest.h"
#include "reference.h"
#include "registry.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>

struct pull_ctx {
	struct store *s;
	struct staging st;
	const struct idmap_plan *plan;
	const struct pull_opts *o;
	char refstr[REF_STR_MAX];
	struct manifest m;
	struct image_config cfg;
	char (*chain)[DIGEST_STR_LEN + 1];
	struct layer_job *jobs;
	enum pull_layer_state *state;
	struct blob_fetch *fetch;
	size_t n_fetch;
	size_t running, max_running;
	int ret;
	struct werr err;
};

static void emit_layer(struct pull_ctx *c, size_t i, uint64_t got)
{
	struct pull_event ev = { .kind = PULL_EV_LAYER,
		                 .ref = c->refstr,
		                 .digest = c->m.layers[i].digest,
		                 .idx = i,
		                 .n = c->m.n_layers,
		                 .got = got,
		                 .size = (uint64_t)c->m.layers[i].size,
		                 .state = c->state[i] };

	if (c->o->progress)
		c->o->progress(c->o->ctx, &ev);
}

static void fail(struct pull_ctx *c, int ret, const struct werr *e)
{
	if (c->ret == 0) {
		c->ret = ret;
		c->err = *e;
	}
}

/* reap one worker: the first started still running, or with @nowait only
 * one that has finished (its result is in its pipe) */
static bool reap_one(struct pull_ctx *c, bool nowait)
{
	for (size_t i = 0; i < c->m.n_layers; i++) {
		struct layer_job *j = &c->jobs[i];
		struct pollfd pfd = { .fd = j->res_fd, .events = POLLIN };
		if (j->pid <= 0 || (nowait && poll(&pfd, 1, 0) <= 0))
			continue;
		if (layer_unpack_wait(j) < 0)
			fail(c, j->ret, &j->err);
		if (j->follow)
			close(j->follow_fd);
		j->follow = false;
		c->state[i] = PULL_LAYER_DONE;
		emit_layer(c, i, (uint64_t)c->m.layers[i].size);
		c->running--;
		return true;
	}
	return false;
}

/* start layer @i's worker on @blob_file ("": the stored blob); @follow: on
 * the blob while it downloads. With @nowait, only if a worker slot is free
 * now: a download callback must not wait for a worker that may itself be
 * waiting for a download. Return: whether it started. */
static bool start_unpack(struct pull_ctx *c, size_t i, const char *blob_file, bool follow,
                         bool nowait)
{
	struct layer_job *j = &c->jobs[i];
	struct werr e = { 0 };

	if (c->ret < 0 || j->name[0])
		return false;
	while (c->running >= c->max_running)
		if (!reap_one(c, nowait) && nowait)
			return false;
	if (follow && (j->follow_fd = eventfd(0, EFD_CLOEXEC)) < 0)
		return false; /* it starts once the blob is complete */
	j->follow = follow;
	j->follow_size = (uint64_t)c->m.layers[i].size;
	snprintf(j->blob, sizeof(j->blob), "%s", c->m.layers[i].digest);
	snprintf(j->name, sizeof(j->name), "layer-%zu", i);
	snprintf(j->blob_file, sizeof(j->blob_file), "%s", blob_file);
	if (layer_unpack_start(c->s, &c->st, c->plan, j, &e) < 0) {
		if (follow)
			close(j->follow_fd);
		j->follow = false;
		fail(c, -e.code, &e);
		return false;
	}
	c->running++;
	if (!follow)
		c->state[i] = PULL_LAYER_EXTRACTING;
	emit_layer(c, i, (uint64_t)c->m.layers[i].size);
	return true;
}

/* tell the workers following blob @b what happened: more bytes, or its end */
static void follow_notify(struct pull_ctx *c, const struct blob_fetch *b)
{
	uint64_t v = b->state == BLOB_FAILED ? UNPACK_FOLLOW_ABORT : 1;

	for (size_t i = 0; i < c->m.n_layers; i++)
		if (c->jobs[i].follow && !strcmp(c->m.layers[i].digest, b->digest))
			(void)!write(c->jobs[i].follow_fd, &v, sizeof(v));
}

/* implements blob_progress_fn: progress lines; a layer's worker starts on
 * its first bytes (it follows the file as it grows) when a worker slot is
 * free, else once the blob is complete. Blobs and layers enter the store
 * only when the whole image has arrived and every digest checked, so a
 * failed pull leaves the store as it was */
static void on_blob(void *ctx, struct blob_fetch *b, size_t idx)
{
	struct pull_ctx *c = ctx;
	char name[32];

	snprintf(name, sizeof(name), "blob-%zu", idx);
	for (size_t i = 0; i < c->m.n_layers; i++) {
		if (strcmp(c->m.layers[i].digest, b->digest) || c->state[i] == PULL_LAYER_EXISTS)
			continue;
		if (b->state == BLOB_RUNNING) {
			c->state[i] = PULL_LAYER_DOWNLOADING;
			if (c->m.layers[i].size > 0)
				start_unpack(c, i, name, true, true);
			emit_layer(c, i, b->got);
		} else if (b->state == BLOB_DONE && c->jobs[i].follow) {
			c->state[i] = PULL_LAYER_EXTRACTING;
			emit_layer(c, i, b->got);
		}
	}
	follow_notify(c, b);
	if (b->state != BLOB_DONE)
		return;
	for (size_t i = 0; i < c->m.n_layers; i++)
		if (!strcmp(c->m.layers[i].digest, b->digest) && c->state[i] != PULL_LAYER_EXISTS)
			start_unpack(c, i, name, false, true);
}

static bool fetch_listed(struct pull_ctx *c, const char *digest)
{
	for (size_t k = 0; k < c->n_fetch; k++)
		if (!strcmp(c->fetch[k].digest, digest))
			return true;
	return false;
}

/* decide per layer: present, unpack from a stored blob, or download */
static int plan_layers(struct pull_ctx *c, struct werr *err)
{
	size_t n = c->m.n_layers;

	c->chain = calloc(n + 1, sizeof(*c->chain));
	c->jobs = calloc(n + 1, sizeof(*c->jobs));
	c->state = calloc(n + 1, sizeof(*c->state));
	c->fetch = calloc(n + 1, sizeof(*c->fetch));
	if (!c->chain || !c->jobs || !c->state || !c->fetch ||
	    manifest_chain_ids(c->cfg.diff_ids, n, c->chain) < 0)
		return werr_errno(err, ENOMEM, "pull");
	for (size_t i = 0; i < n; i++) {
		c->jobs[i].res_fd = -1;
		c->state[i] =
		    store_layer_has(c->s, c->chain[i]) ? PULL_LAYER_EXISTS : PULL_LAYER_WAITING;
		emit_layer(c, i, 0);
		/* a stored layer whose blob is gone (a store partly deleted by
		 * hand) gets its blob again, not unpacked: push and save need it */
		if (store_blob_has(c->s, c->m.layers[i].digest) ||
		    fetch_listed(c, c->m.layers[i].digest))
			continue;
		{
			struct blob_fetch *f = &c->fetch[c->n_fetch];
			char name[32];
			snprintf(name, sizeof(name), "blob-%zu", c->n_fetch);
			f->digest = c->m.layers[i].digest;
			f->size = (uint64_t)c->m.layers[i].size;
			f->fd = openat(c->st.fd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
			if (f->fd < 0)
				return werr_errno(err, errno, "create %s/%s/%s", c->s->root,
				                  c->st.name, name);
			c->n_fetch++;
		}
	}
	return 0;
}

/* the staging file blob @digest is downloaded to, or NULL: in the store */
static const char *fetch_file(struct pull_ctx *c, const char *digest, char *name, size_t size)
{
	for (size_t k = 0; k < c->n_fetch; k++)
		if (!strcmp(c->fetch[k].digest, digest)) {
			snprintf(name, size, "blob-%zu", k);
			return c->fetch[k].state == BLOB_DONE ? name : NULL;
		}
	return store_blob_has(c->s, digest) ? "" : NULL;
}

static int fetch_and_unpack(struct pull_ctx *c, struct registry *reg, struct werr *err)
{
	int r;

	/* layers whose blobs are stored already start unpacking at once */
	for (size_t i = 0; i < c->m.n_layers; i++)
		if (c->state[i] == PULL_LAYER_WAITING &&
		    store_blob_has(c->s, c->m.layers[i].digest))
			start_unpack(c, i, "", false, false);
	r = registry_fetch_blobs(reg, c->fetch, c->n_fetch, c->o->parallel ? c->o->parallel : 3,
	                         on_blob, c, err);
	/* a worker still following a blob that did not arrive whole stops */
	for (size_t k = 0; k < c->n_fetch; k++)
		if (c->fetch[k].state != BLOB_DONE) {
			c->fetch[k].state = BLOB_FAILED;
			follow_notify(c, &c->fetch[k]);
		}
	/* the layers that found no free worker while downloading */
	for (size_t i = 0; r == 0 && i < c->m.n_layers; i++) {
		char name[32];
		const char *file = fetch_file(c, c->m.layers[i].digest, name, sizeof(name));
		if (c->state[i] != PULL_LAYER_EXISTS && !c->jobs[i].name[0] && file)
			start_unpack(c, i, file, false, false);
	}
	while (c->running > 0)
		reap_one(c, false);
	for (size_t k = 0; k < c->n_fetch; k++)
		if (c->fetch[k].fd >= 0)
			close(c->fetch[k].fd);
	if (r < 0)
		return r;
	if (c->ret < 0) {
		*err = c->err;
		return c->ret;
	}
	return 0;
}

/* everything arrived and unpacked: blobs and layers enter the store */
static int commit_content(struct pull_ctx *c, struct werr *err)
{
	for (size_t k = 0; k < c->n_fetch; k++) {
		char name[32];
		int r;
		snprintf(name, sizeof(name), "blob-%zu", k);
		r = store_blob_commit(c->s, &c->st, name, c->fetch[k].digest, err);
		if (r < 0)
			return r;
	}
	for (size_t i = 0; i < c->m.n_layers; i++) {
		int r;
		if (c->state[i] == PULL_LAYER_EXISTS)
			continue;
		r = store_layer_commit(c->s, &c->st, c->jobs[i].name, c->chain[i], err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* the manifest for this platform, through an index if there is one */
static int resolve_manifest(struct pull_ctx *c, struct registry *reg, const struct image_ref *ref,
                            struct http_resp *resp, char *mdigest, char *index, struct werr *err)
{
	int r =
	    registry_get_manifest(reg, ref->digest[0] ? ref->digest : ref->tag, resp, mdigest, err);

	if (r < 0)
		return r;
	r = manifest_parse(resp->body, resp->len, resp->content_type, &c->m, err);
	if (r < 0)
		return werr_prefix(err, "%s", c->refstr);
	if (c->m.kind == MANIFEST_INDEX) {
		char os[32], arch[32], variant[32];
		const char *hos, *harch, *hvar;
		int sel;
		if (c->o->platform) {
			if (manifest_parse_platform(c->o->platform, os, arch, variant, err) < 0)
				return -EINVAL;
		} else {
			manifest_host_platform(&hos, &harch, &hvar);
			snprintf(os, sizeof(os), "%s", hos);
			snprintf(arch, sizeof(arch), "%s", harch);
			snprintf(variant, sizeof(variant), "%s", hvar);
		}
		sel = manifest_select(&c->m, os, arch, variant, err);
		if (sel < 0)
			return werr_prefix(err, "%s", c->refstr);
		memcpy(index, mdigest, DIGEST_STR_LEN + 1);
		{
			char want[DIGEST_STR_LEN + 1];
			memcpy(want, c->m.manifests[sel].digest, sizeof(want));
			manifest_free(&c->m);
			http_resp_free(resp);
			r = registry_get_manifest(reg, want, resp, mdigest, err);
		}
		if (r < 0)
			return r;
		r = manifest_parse(resp->body, resp->len, resp->content_type, &c->m, err);
		if (r == 0 && c->m.kind != MANIFEST_IMAGE)
			r = werr_set(err, EPROTO, "an index inside an index is not supported");
		if (r < 0)
			return werr_prefix(err, "%s", c->refstr);
	}
	return 0;
}

static int fetch_config(struct pull_ctx *c, struct registry *reg, char **buf, size_t *len,
                        struct werr *err)
{
	struct http_resp resp = { 0 };
	int r;

	if (store_blob_has(c->s, c->m.config.digest))
		return store_blob_read(c->s, c->m.config.digest, 32 << 20, buf, len, err);
	r = registry_get_blob(reg, c->m.config.digest, 32 << 20, &resp, err);
	if (r < 0) {
		http_resp_free(&resp);
		return werr_prefix(err, "image config");
	}
	*buf = resp.body ? resp.body : strdup("");
	*len = resp.len;
	return 0;
}

/* open the first candidate that has the image */
static int open_candidate(struct pull_ctx *c, const char *input, struct registry *reg,
                          struct image_ref *ref, struct werr *err)
{
	struct image_ref cand[REF_SEARCH_MAX];
	int n = ref_candidates(input, cand, err), r = -ENOENT;

	for (int i = 0; i < n; i++) {
		struct http_resp resp = { 0 };
		char d[DIGEST_STR_LEN + 1];
		*ref = cand[i];
		ref_format(ref, c->refstr, sizeof(c->refstr));
		r = registry_open(reg, ref, c->o->tls_verify, false, NULL, NULL, err);
		if (r == 0 && n > 1)
			r = registry_get_manifest(reg, ref->digest[0] ? ref->digest : ref->tag,
			                          &resp, d, err);
		http_resp_free(&resp);
		if (r == 0)
			return 0;
		registry_close(reg);
		if (i + 1 < n && (r == -ENOENT || r == -ECONNREFUSED))
			continue;
		return r;
	}
	return n < 0 ? n : r;
}

static int pull_run(struct pull_ctx *c, const char *input, char *id, struct werr *err)
{
	struct registry reg = { 0 };
	struct image_ref ref;
	struct http_resp mresp = { 0 };
	char mdigest[DIGEST_STR_LEN + 1], index[DIGEST_STR_LEN + 1] = "";
	char repo_digest[REF_STR_MAX + DIGEST_STR_LEN + 2], repo[REF_STR_MAX];
	_cleanup_free_ char *config = NULL;
	size_t config_len = 0;
	int r = open_candidate(c, input, &reg, &ref, err);

	if (r < 0)
		return r;
	if (c->o->progress) {
		struct pull_event ev = { .kind = PULL_EV_RESOLVED, .ref = c->refstr };
		c->o->progress(c->o->ctx, &ev);
	}
	r = resolve_manifest(c, &reg, &ref, &mresp, mdigest, index, err);
	if (r == 0)
		r = fetch_config(c, &reg, &config, &config_len, err);
	if (r == 0) {
		r = config_parse(config, config_len, &c->cfg, err);
		if (r == 0 && c->cfg.n_diff_ids != c->m.n_layers)
			r = werr_set(
			    err, EINVAL,
			    "malformed image %s: %zu layers but %zu diff_ids in the config",
			    c->refstr, c->m.n_layers, c->cfg.n_diff_ids);
	}
	if (r == 0)
		r = store_staging_new(c->s, &c->st, err);
	if (r == 0)
		r = plan_layers(c, err);
	if (r == 0)
		r = fetch_and_unpack(c, &reg, err);
	if (r == 0)
		r = commit_content(c, err);
	if (r == 0) {
		struct image_new n = { mresp.body,
			               mresp.len,
			               config,
			               config_len,
			               &c->m,
			               &c->cfg,
			               ref.tag[0] ? c->refstr : NULL,
			               repo_digest,
			               index[0] ? index : NULL,
			               NULL,
			               false };
		ref_repo(&ref, repo, sizeof(repo));
		snprintf(repo_digest, sizeof(repo_digest), "%s@%s", repo,
		         index[0] ? index : mdigest);
		if (c->o->progress) {
			struct pull_event ev = { .kind = PULL_EV_WRITING, .ref = c->refstr };
			c->o->progress(c->o->ctx, &ev);
		}
		r = image_commit(c->s, &n, id, err);
	}
	http_resp_free(&mresp);
	registry_close(&reg);
	return r;
}

int pull_image(struct store *s, const char *input, const struct idmap_plan *plan,
               const struct pull_opts *o, char *id, unsigned *skipped_devices, struct werr *err)
{
	struct pull_ctx c = { .s = s, .st = { -1, "" }, .plan = plan, .o = o };
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	int r;

	c.max_running = ncpu > 0 ? (size_t)ncpu + 1 : 2;
	r = pull_run(&c, input, id, err);
	if (skipped_devices) {
		*skipped_devices = 0;
		for (size_t i = 0; c.jobs && i < c.m.n_layers; i++)
			*skipped_devices += c.jobs[i].skipped_devices;
	}
	store_staging_done(s, &c.st, plan);
	manifest_free(&c.m);
	config_free(&c.cfg);
	free(c.chain);
	free(c.jobs);
	free(c.state);
	free(c.fetch);
	return r;
}
