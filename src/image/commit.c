/* commit.c - records an image from staged blobs: layer unpack workers, then
 * the blobs, layers and record enter the store. Used by load and import;
 * nothing reaches the store before every layer unpacked. */
#include "commit.h"
#include "cleanup.h"
#include "image.h"
#include "layer.h"
#include "manifest.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int commit_verify_file(struct staging *st, const char *name, const char *digest, struct werr *err)
{
	_cleanup_close_ int fd = openat(st->fd, name, O_RDONLY | O_CLOEXEC);
	char got[DIGEST_STR_LEN + 1];

	if (fd < 0)
		return werr_errno(err, errno, "open %s", name);
	if (digest_fd(fd, got, NULL, err) < 0)
		return werr_prefix(err, "%s", name);
	if (strcmp(got, digest))
		return werr_set(err, EBADMSG, "%s does not match its digest %s (it hashes to %s)",
		                name, digest, got);
	return 0;
}

/* unpack every layer not stored yet; all workers are reaped before returning */
static int unpack_all(struct store *s, struct staging *st, const struct idmap_plan *plan,
                      const struct staged_image *si, const struct manifest *m,
                      char (*chain)[DIGEST_STR_LEN + 1], struct layer_job *jobs, struct werr *err)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	size_t running = 0, max = ncpu > 0 ? (size_t)ncpu + 1 : 2, next_wait = 0;
	int ret = 0;

	for (size_t i = 0; i <= m->n_layers; i++) {
		while (next_wait < i && (running >= max || i == m->n_layers)) {
			if (jobs[next_wait].pid > 0) {
				if (layer_unpack_wait(&jobs[next_wait]) < 0 && ret == 0) {
					ret = jobs[next_wait].ret;
					*err = jobs[next_wait].err;
				}
				running--;
			}
			next_wait++;
		}
		if (i == m->n_layers || ret < 0 || store_layer_has(s, chain[i]))
			continue;
		snprintf(jobs[i].blob, sizeof(jobs[i].blob), "%s", m->layers[i].digest);
		snprintf(jobs[i].blob_file, sizeof(jobs[i].blob_file), "%s",
		         si->layer_files[i] ? si->layer_files[i] : "");
		snprintf(jobs[i].name, sizeof(jobs[i].name), "layer-%zu", i);
		if (layer_unpack_start(s, st, plan, &jobs[i], err) < 0) {
			ret = -err->code;
			continue;
		}
		running++;
	}
	return ret;
}

static int move_in(struct store *s, struct staging *st, const struct staged_image *si,
                   const struct manifest *m, char (*chain)[DIGEST_STR_LEN + 1],
                   struct layer_job *jobs, struct werr *err)
{
	for (size_t i = 0; i < m->n_layers; i++) {
		if (si->layer_files[i] && !store_blob_has(s, m->layers[i].digest) &&
		    store_blob_commit(s, st, si->layer_files[i], m->layers[i].digest, err) < 0)
			return -err->code;
		if (jobs[i].name[0] && store_layer_commit(s, st, jobs[i].name, chain[i], err) < 0)
			return -err->code;
	}
	return 0;
}

int commit_staged(struct store *s, struct staging *st, const struct idmap_plan *plan,
                  const struct staged_image *si, char *id, struct werr *err)
{
	struct manifest m;
	struct image_config cfg;
	_cleanup_free_ char(*chain)[DIGEST_STR_LEN + 1] = NULL;
	_cleanup_free_ struct layer_job *jobs = NULL;
	int r = manifest_parse(si->manifest, si->manifest_len, NULL, &m, err);

	if (r < 0)
		return r;
	if (m.kind != MANIFEST_IMAGE) {
		manifest_free(&m);
		return werr_set(err, EINVAL, "expected an image manifest, not an index");
	}
	r = config_parse(si->config, si->config_len, &cfg, err);
	if (r < 0) {
		manifest_free(&m);
		return r;
	}
	if (cfg.n_diff_ids != m.n_layers)
		r = werr_set(err, EINVAL, "malformed image: %zu layers but %zu diff_ids",
		             m.n_layers, cfg.n_diff_ids);
	chain = calloc(m.n_layers + 1, sizeof(*chain));
	jobs = calloc(m.n_layers + 1, sizeof(*jobs));
	if (r == 0 && (!chain || !jobs || manifest_chain_ids(cfg.diff_ids, m.n_layers, chain)))
		r = werr_errno(err, ENOMEM, "image");
	if (r == 0)
		r = unpack_all(s, st, plan, si, &m, chain, jobs, err);
	if (r == 0)
		r = move_in(s, st, si, &m, chain, jobs, err);
	for (size_t i = 0; r == 0 && i < (si->n_names ? si->n_names : 1); i++) {
		struct image_new n = { si->manifest,
			               si->manifest_len,
			               si->config,
			               si->config_len,
			               &m,
			               &cfg,
			               si->n_names ? si->names[i] : NULL,
			               NULL,
			               NULL,
			               NULL,
			               false };
		r = image_commit(s, &n, id, err);
	}
	manifest_free(&m);
	config_free(&cfg);
	return r;
}
