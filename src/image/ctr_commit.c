/* ctr_commit.c - a container's writable layer recorded as a new image: the
 * upper directory written as a layer tar in staging (in the user namespace,
 * so owners come out as the container sees them), the image's config and
 * manifest extended by it, and commit_staged() unpacking and recording it.
 * Never writes into the container's own directory. */
#include "ctr_commit.h"
#include "cleanup.h"
#include "commit.h"
#include "image.h"
#include "import.h"
#include "layer_diff.h"
#include "manifest.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* upper/ written to staging file "layer.tar"; its digest and size */
static int write_layer(const struct ctr_commit_opts *o, struct staging *st, char *digest,
                       uint64_t *size, struct werr *err)
{
	char upper[PATH_MAX + 16];
	struct {
		int dirfd, outfd;
	} a;
	int r;

	snprintf(upper, sizeof(upper), "%s/upper", o->ctr_dir);
	a.dirfd = open(upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (a.dirfd < 0)
		return werr_errno(err, errno,
		                  "%s (only a container made from an image on the overlay or "
		                  "fuse-overlay driver has a writable layer to commit)",
		                  upper);
	a.outfd = openat(st->fd, "layer.tar", O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (a.outfd < 0) {
		close(a.dirfd);
		return werr_errno(err, errno, "create layer.tar");
	}
	r = layer_diff_userns(o->ctr_idmap, a.dirfd, a.outfd, err);
	if (r == 0 && lseek(a.outfd, 0, SEEK_SET) < 0)
		r = werr_errno(err, errno, "layer.tar");
	if (r == 0)
		r = digest_fd(a.outfd, digest, size, err);
	close(a.dirfd);
	close(a.outfd);
	return r;
}

/* the image's config with the new layer and a history entry */
static int config_extend(const struct ctr_commit_opts *o, json_t *cfg, const char *diff_id,
                         struct werr *err)
{
	json_t *rootfs = json_object_get(cfg, "rootfs"), *hist = json_object_get(cfg, "history"),
	       *h;
	char now[32];
	time_t t = time(NULL);

	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	json_array_append_new(json_object_get(rootfs, "diff_ids"), json_string(diff_id));
	if (!json_is_array(hist))
		json_object_set_new(cfg, "history", hist = json_array());
	h = json_pack("{s:s, s:s}", "created", now, "created_by", "warren commit");
	if (o->message)
		json_object_set_new(h, "comment", json_string(o->message));
	if (o->author) {
		json_object_set_new(h, "author", json_string(o->author));
		json_object_set_new(cfg, "author", json_string(o->author));
	}
	json_array_append_new(hist, h);
	json_object_set_new(cfg, "created", json_string(now));
	return 0;
}

static json_t *manifest_extend(const struct image_loaded *img, const char *cdigest, size_t clen,
                               const char *digest, uint64_t size)
{
	json_t *layers = json_array();

	for (size_t i = 0; i < img->m.n_layers; i++)
		json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType",
		                                        img->m.layers[i].media_type, "digest",
		                                        img->m.layers[i].digest, "size",
		                                        (json_int_t)img->m.layers[i].size));
	json_array_append_new(layers, json_pack("{s:s, s:s, s:I}", "mediaType", MT_OCI_LAYER,
	                                        "digest", digest, "size", (json_int_t)size));
	return json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:o}", "schemaVersion", 2, "mediaType",
	                 MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG, "digest", cdigest,
	                 "size", (json_int_t)clen, "layers", layers);
}

/* the container's image, from the "image" file of its directory */
static int image_of(struct store *s, const char *ctr_dir, struct image_loaded *img,
                    struct werr *err)
{
	char path[PATH_MAX + 16];
	_cleanup_free_ char *id = NULL;
	size_t len;
	json_t *images = NULL, *rec;
	int r;

	snprintf(path, sizeof(path), "%s/image", ctr_dir);
	if (util_read_file(AT_FDCWD, path, 256, &id, &len, err) < 0)
		return werr_set(err, EINVAL,
		                "the container was not made from an image (a --rootfs container "
		                "has no layer to commit)");
	id[strcspn(id, "\n")] = '\0';
	if (id[0] == '/')
		return werr_set(err, EINVAL,
		                "the container runs the SquashFS file %s, not an image of the "
		                "store: commit needs one (warren cp or export its files instead)",
		                id);
	r = store_images_load(s, &images, err);
	if (r == 0 && !(rec = store_image_find(images, id, err)))
		r = werr_prefix(err, "the container's image");
	if (r == 0)
		r = image_load(s, rec, img, err);
	json_decref(images);
	return r;
}

int ctr_commit(struct store *s, const struct idmap_plan *plan, const struct ctr_commit_opts *o,
               char *id, struct werr *err)
{
	struct image_loaded img;
	struct staging st = { -1, "" };
	char digest[DIGEST_STR_LEN + 1], cdigest[DIGEST_STR_LEN + 1];
	_cleanup_free_ char *ctext = NULL, *mtext = NULL;
	_cleanup_free_ const char **files = NULL;
	json_t *cfg = NULL, *m = NULL;
	uint64_t size = 0;
	int r = image_of(s, o->ctr_dir, &img, err);

	if (r < 0)
		return r;
	files = calloc(img.m.n_layers + 1, sizeof(char *));
	cfg = json_deep_copy(img.cfg.root);
	if (!files || !cfg)
		r = werr_errno(err, ENOMEM, "commit");
	if (r == 0 && !json_is_object(json_object_get(cfg, "config")))
		json_object_set_new(cfg, "config", json_object());
	/* the changes first: a bad one fails before any work */
	for (size_t i = 0; r == 0 && i < o->n_changes; i++)
		r = import_change(json_object_get(cfg, "config"), o->changes[i], err);
	if (r == 0)
		r = store_staging_new(s, &st, err);
	if (r == 0)
		r = write_layer(o, &st, digest, &size, err);
	if (r == 0)
		r = config_extend(o, cfg, digest, err);
	if (r == 0 && !(ctext = json_dumps(cfg, JSON_COMPACT)))
		r = werr_errno(err, ENOMEM, "config");
	if (r == 0) {
		digest_buf(ctext, strlen(ctext), cdigest);
		m = manifest_extend(&img, cdigest, strlen(ctext), digest, size);
		if (!m || !(mtext = json_dumps(m, JSON_COMPACT)))
			r = werr_errno(err, ENOMEM, "manifest");
	}
	if (r == 0) {
		files[img.m.n_layers] = store_blob_has(s, digest) ? NULL : "layer.tar";
		struct staged_image si = { mtext, strlen(mtext), ctext,          strlen(ctext),
			                   files, &o->name,      o->name ? 1 : 0 };
		r = commit_staged(s, &st, plan, &si, id, err);
	}
	json_decref(cfg);
	json_decref(m);
	image_loaded_free(&img);
	if (st.fd >= 0)
		store_staging_done(s, &st, plan);
	return r;
}
