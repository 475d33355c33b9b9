/* image_archive.c - docker-archive and oci-archive: writing a tar of stored
 * images, and loading one through a staging directory (only regular files
 * with plain names are taken from the tar; every blob is verified) into
 * commit_staged(). */
#include "image_archive.h"
#include "cleanup.h"
#include "commit.h"
#include "image.h"
#include "manifest.h"
#include "reference.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define ARCHIVE_META_MAX (16 << 20)

/* where entries go: a tar stream, or files under a directory (oci-dir) */
struct sink {
	struct archive *a;
	const char *dir; /* NULL for a tar stream */
};

/* @name as the entry's path: itself in a tar, DIR/NAME on disk */
static void sink_path(const struct sink *k, struct archive_entry *e, const char *name)
{
	char p[PATH_MAX + 200];

	if (!k->dir) {
		archive_entry_set_pathname(e, name);
		return;
	}
	snprintf(p, sizeof(p), "%s/%s", k->dir, name);
	archive_entry_set_pathname(e, p);
}

static int tar_err(struct archive *a, struct werr *err, const char *what)
{
	return werr_set(err, EIO, "%s: %s", what, archive_error_string(a));
}

static int tar_add_buf(struct sink *k, const char *name, const void *buf, size_t len,
                       struct werr *err)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	sink_path(k, e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(k->a, e) != ARCHIVE_OK ||
	    (len && archive_write_data(k->a, buf, len) != (la_ssize_t)len))
		r = tar_err(k->a, err, name);
	archive_entry_free(e);
	return r;
}

static int tar_add_dir(struct sink *k, const char *name, struct werr *err)
{
	struct archive_entry *e = archive_entry_new();
	int r = 0;

	sink_path(k, e, name);
	archive_entry_set_filetype(e, AE_IFDIR);
	archive_entry_set_perm(e, 0755);
	if (archive_write_header(k->a, e) != ARCHIVE_OK)
		r = tar_err(k->a, err, name);
	archive_entry_free(e);
	return r;
}

static int tar_add_fd(struct sink *k, const char *name, int fd, struct werr *err)
{
	struct archive_entry *e = archive_entry_new();
	struct stat st;
	char buf[1 << 16];
	int r = 0;

	if (fstat(fd, &st) < 0 || lseek(fd, 0, SEEK_SET) < 0) {
		archive_entry_free(e);
		return werr_errno(err, errno, "%s", name);
	}
	sink_path(k, e, name);
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_perm(e, 0644);
	archive_entry_set_size(e, st.st_size);
	if (archive_write_header(k->a, e) != ARCHIVE_OK)
		r = tar_err(k->a, err, name);
	while (r == 0) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			r = werr_errno(err, errno, "read %s", name);
		if (n <= 0)
			break;
		if (archive_write_data(k->a, buf, (size_t)n) != n)
			r = tar_err(k->a, err, name);
	}
	archive_entry_free(e);
	return r;
}

/* the uncompressed layer of blob @digest into a temp file; its digest (the
 * diff ID) must be @diff_id */
static int layer_decompress(struct store *s, const char *digest, const char *diff_id, int out,
                            struct werr *err)
{
	_cleanup_close_ int in = store_blob_open(s, digest, err);
	struct archive *a;
	struct archive_entry *e;
	struct digest_ctx dg;
	char buf[1 << 16], got[DIGEST_STR_LEN + 1];
	int r = 0;

	if (in < 0)
		return in;
	a = archive_read_new();
	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (digest_init(&dg) < 0) {
		archive_read_free(a);
		return werr_errno(err, ENOMEM, "sha256");
	}
	if (archive_read_open_fd(a, in, sizeof(buf)) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		r = tar_err(a, err, digest);
	while (r == 0) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
		if (n < 0)
			r = tar_err(a, err, digest);
		if (n <= 0)
			break;
		digest_update(&dg, buf, (size_t)n);
		if (util_write_all(out, buf, (size_t)n) < 0)
			r = werr_errno(err, errno, "writing layer %s", digest);
	}
	archive_read_free(a);
	digest_final(&dg, got);
	if (r == 0 && strcmp(got, diff_id))
		r = werr_set(err, EBADMSG, "layer %s uncompresses to %s, not its diff ID %s",
		             digest, got, diff_id);
	return r;
}

static int save_docker_one(struct store *s, struct sink *k, struct staging *st,
                           const struct image_loaded *img, const char *name, json_t *manifest,
                           struct werr *err)
{
	json_t *layers = json_array(), *tags = json_array();
	char cfgname[80];
	int r = 0;

	snprintf(cfgname, sizeof(cfgname), "%s.json", digest_hex(img->m.config.digest));
	r = tar_add_buf(k, cfgname, img->config_bytes, img->config_len, err);
	for (size_t i = 0; r == 0 && i < img->n_layers; i++) {
		char lname[80];
		_cleanup_close_ int fd = -1;
		snprintf(lname, sizeof(lname), "%s.tar", digest_hex(img->cfg.diff_ids[i]));
		json_array_append_new(layers, json_string(lname));
		fd = openat(st->fd, lname, O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (fd < 0) {
			r = werr_errno(err, errno, "create %s", lname);
			break;
		}
		r = layer_decompress(s, img->m.layers[i].digest, img->cfg.diff_ids[i], fd, err);
		if (r == 0)
			r = tar_add_fd(k, lname, fd, err);
		unlinkat(st->fd, lname, 0);
	}
	if (name)
		json_array_append_new(tags, json_string(name));
	json_array_append_new(manifest, json_pack("{s:s, s:o, s:o}", "Config", cfgname, "RepoTags",
	                                          tags, "Layers", layers));
	return r;
}

static int save_oci_one(struct store *s, struct sink *k, json_t *rec,
                        const struct image_loaded *img, const char *name, json_t *index,
                        struct werr *err)
{
	const char *blobs[MANIFEST_MAX_LAYERS + 2];
	char mdigest[DIGEST_STR_LEN + 1];
	size_t n = 0;
	int r = 0;
	json_t *desc;

	digest_buf(img->manifest_bytes, img->manifest_len, mdigest);
	blobs[n++] = img->m.config.digest;
	for (size_t i = 0; i < img->n_layers && n < ARRAY_SIZE(blobs); i++)
		blobs[n++] = img->m.layers[i].digest;
	for (size_t i = 0; r == 0 && i < n; i++) {
		char bname[100];
		_cleanup_close_ int fd = store_blob_open(s, blobs[i], err);
		if (fd < 0)
			return fd;
		snprintf(bname, sizeof(bname), "blobs/sha256/%s", digest_hex(blobs[i]));
		r = tar_add_fd(k, bname, fd, err);
	}
	if (r == 0) {
		char bname[100];
		snprintf(bname, sizeof(bname), "blobs/sha256/%s", digest_hex(mdigest));
		r = tar_add_buf(k, bname, img->manifest_bytes, img->manifest_len, err);
	}
	desc = json_pack("{s:s, s:s, s:I}", "mediaType", img->m.media_type, "digest", mdigest,
	                 "size", (json_int_t)img->manifest_len);
	if (name)
		json_object_set_new(desc, "annotations",
		                    json_pack("{s:s}", "org.opencontainers.image.ref.name", name));
	json_array_append_new(json_object_get(index, "manifests"), desc);
	return r;
}

int archive_save(struct store *s, json_t **recs, const char **names, size_t n,
                 enum archive_kind kind, int fd, const char *dir, struct werr *err)
{
	struct archive *a = dir ? archive_write_disk_new() : archive_write_new();
	struct sink k = { a, dir };
	struct staging st = { -1, "" };
	json_t *meta = kind == ARCHIVE_DOCKER
	                   ? json_array()
	                   : json_pack("{s:i, s:[]}", "schemaVersion", 2, "manifests");
	int r = store_staging_new(s, &st, err);

	if (dir) {
		archive_write_disk_set_options(a, ARCHIVE_EXTRACT_SECURE_NODOTDOT |
		                                      ARCHIVE_EXTRACT_SECURE_SYMLINKS);
		if (r == 0 && util_mkdir_p(dir, 0755, err) < 0)
			r = -err->code;
	} else {
		archive_write_set_format_pax_restricted(a);
		if (r == 0 && archive_write_open_fd(a, fd) != ARCHIVE_OK)
			r = tar_err(a, err, "writing the archive");
	}
	if (r == 0 && kind == ARCHIVE_OCI) {
		static const char layout[] = "{\"imageLayoutVersion\":\"1.0.0\"}";
		r = tar_add_buf(&k, "oci-layout", layout, strlen(layout), err);
		if (r == 0)
			r = tar_add_dir(&k, "blobs/", err);
		if (r == 0)
			r = tar_add_dir(&k, "blobs/sha256/", err);
	}
	for (size_t i = 0; r == 0 && i < n; i++) {
		struct image_loaded img;
		r = image_load(s, recs[i], &img, err);
		if (r < 0)
			break;
		if (kind == ARCHIVE_DOCKER)
			r = save_docker_one(s, &k, &st, &img, names ? names[i] : NULL, meta, err);
		else
			r = save_oci_one(s, &k, recs[i], &img, names ? names[i] : NULL, meta, err);
		image_loaded_free(&img);
	}
	if (r == 0) {
		char *text = json_dumps(meta, JSON_COMPACT);
		r = text ? tar_add_buf(&k, kind == ARCHIVE_DOCKER ? "manifest.json" : "index.json",
		                       text, strlen(text), err)
		         : werr_errno(err, ENOMEM, "archive");
		free(text);
	}
	if (r == 0 && archive_write_close(a) != ARCHIVE_OK)
		r = tar_err(a, err, "writing the archive");
	archive_write_free(a);
	json_decref(meta);
	store_staging_done(s, &st, NULL);
	return r;
}
