/* image_archive_load.c - `warren load`: the tar is unpacked into a staging
 * directory as flat files (only regular files with plain relative names are
 * taken, so nothing can land elsewhere), then read as an OCI layout
 * (oci-layout, index.json, blobs/) or a docker-archive (manifest.json), each
 * blob verified, and every image handed to commit_staged(). */
#include "image_archive.h"
#include "cleanup.h"
#include "commit.h"
#include "manifest.h"
#include "reference.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define META_MAX (16 << 20)

struct load_ctx {
	struct store *s;
	struct staging st;
	const struct idmap_plan *plan;
	void (*loaded)(void *ctx, const char *id, const char *name);
	void *ctx;
	json_t *moved; /* docker-archive file → its layer descriptor, once in the store */
};

/* "blobs/sha256/x" → "in-blobs%sha256%x"; false for a name we do not take */
static bool flat_name(const char *name, char *out, size_t size)
{
	int depth = 0;

	while (!strncmp(name, "./", 2))
		name += 2;
	if (!*name || strlen(name) + 4 >= size)
		return false;
	for (const char *p = name; *p; p++) {
		bool ok = (*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		          (*p >= '0' && *p <= '9') || *p == '.' || *p == '_' || *p == '-' ||
		          *p == '/' || *p == ':';
		if (!ok)
			return false;
		if (*p == '/')
			depth++;
	}
	if (depth > 3 || strstr(name, "..") || name[0] == '/' || strstr(name, "//"))
		return false;
	snprintf(out, size, "in-%s", name);
	for (char *p = out; *p; p++)
		if (*p == '/')
			*p = '%';
	return true;
}

static int extract(struct load_ctx *c, int fd, struct werr *err)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	char buf[1 << 16];
	int r = 0, h;

	archive_read_support_filter_all(a);
	archive_read_support_format_tar(a);
	if (archive_read_open_fd(a, fd, sizeof(buf)) != ARCHIVE_OK) {
		r = werr_set(err, EINVAL, "not a tar archive: %s", archive_error_string(a));
		archive_read_free(a);
		return r;
	}
	while (r == 0 && (h = archive_read_next_header(a, &e)) == ARCHIVE_OK) {
		char name[300];
		_cleanup_close_ int out = -1;
		if (archive_entry_filetype(e) != AE_IFREG ||
		    !flat_name(archive_entry_pathname(e), name, sizeof(name)))
			continue; /* directories, links and odd names carry nothing we read */
		out = openat(c->st.fd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
		if (out < 0) {
			r = werr_errno(err, errno, "create %s", name);
			break;
		}
		for (;;) {
			la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
			if (n < 0)
				r = werr_set(err, EINVAL, "reading the archive: %s",
				             archive_error_string(a));
			if (n <= 0)
				break;
			if (util_write_all(out, buf, (size_t)n) < 0) {
				r = werr_errno(err, errno, "write %s", name);
				break;
			}
		}
	}
	if (r == 0 && h != ARCHIVE_EOF)
		r = werr_set(err, EINVAL, "reading the archive: %s", archive_error_string(a));
	archive_read_free(a);
	return r;
}

static int read_staged(struct load_ctx *c, const char *tar_name, char **buf, size_t *len,
                       struct werr *err)
{
	char name[300];

	if (!flat_name(tar_name, name, sizeof(name)))
		return werr_set(err, EINVAL, "bad file name \"%s\" in the archive", tar_name);
	if (util_read_file(c->st.fd, name, META_MAX, buf, len, err) < 0)
		return werr_prefix(err, "the archive has no usable %s", tar_name);
	return 0;
}

static const char *layer_media_type(int dirfd, const char *name)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	unsigned char m[4] = { 0 };

	if (fd < 0 || read(fd, m, 4) != 4)
		return MT_OCI_LAYER;
	if (m[0] == 0x1f && m[1] == 0x8b)
		return MT_OCI_LAYER_GZIP;
	if (m[0] == 0x28 && m[1] == 0xb5 && m[2] == 0x2f && m[3] == 0xfd)
		return MT_OCI_LAYER_ZSTD;
	return MT_OCI_LAYER;
}

/* the OCI descriptor of layer file @name; uncompressed, it must hash to @diff_id */
static int layer_descriptor(struct load_ctx *c, const char *name, const char *diff_id, size_t i,
                            json_t **desc, struct werr *err)
{
	_cleanup_close_ int fd = openat(c->st.fd, name, O_RDONLY | O_CLOEXEC);
	char dg[DIGEST_STR_LEN + 1];
	uint64_t size;
	const char *mt;

	if (fd < 0)
		return werr_set(err, EINVAL, "layer %zu of the archive is missing", i);
	if (digest_fd(fd, dg, &size, err) < 0)
		return -err->code;
	mt = layer_media_type(c->st.fd, name);
	if (!strcmp(mt, MT_OCI_LAYER) && strcmp(dg, diff_id))
		return werr_set(err, EBADMSG,
		                "layer %zu of the archive does not match its diff ID %s", i,
		                diff_id);
	*desc =
	    json_pack("{s:s, s:s, s:I}", "mediaType", mt, "digest", dg, "size", (json_int_t)size);
	return *desc ? 0 : werr_errno(err, ENOMEM, "layer");
}

/* one entry of manifest.json: an OCI manifest is made for its files */
static int load_docker_one(struct load_ctx *c, json_t *item, struct werr *err)
{
	const char *cfgname = json_string_value(json_object_get(item, "Config"));
	json_t *layers = json_object_get(item, "Layers"), *tags = json_object_get(item, "RepoTags");
	size_t nl = json_array_size(layers), i;
	_cleanup_free_ char *config = NULL, *mtext = NULL;
	_cleanup_free_ char **files = calloc(nl + 1, sizeof(char *));
	_cleanup_free_ const char **names = calloc(json_array_size(tags) + 1, sizeof(char *));
	char cdigest[DIGEST_STR_LEN + 1], id[DIGEST_STR_LEN + 1];
	struct image_config cfg;
	json_t *m = NULL, *mlayers = json_array(), *v;
	size_t clen, n_names = 0;
	char(*refs)[REF_STR_MAX] = calloc(json_array_size(tags) + 1, REF_STR_MAX);
	int r;

	if (!cfgname || !json_is_array(layers) || !files || !names || !refs) {
		r = werr_set(err, EINVAL, "malformed manifest.json in the archive");
		goto out;
	}
	r = read_staged(c, cfgname, &config, &clen, err);
	if (r == 0)
		r = config_parse(config, clen, &cfg, err);
	if (r < 0)
		goto out;
	if (cfg.n_diff_ids != nl)
		r = werr_set(err, EINVAL, "%s lists %zu layers, manifest.json %zu", cfgname,
		             cfg.n_diff_ids, nl);
	for (i = 0; r == 0 && i < nl; i++) {
		char name[300];
		json_t *desc;
		if (!flat_name(json_string_value(json_array_get(layers, i)) ?: "", name,
		               sizeof(name))) {
			r = werr_set(err, EINVAL, "layer %zu of the archive has a bad name", i);
			break;
		}
		desc = json_object_get(c->moved, name);
		if (desc) {
			/* an earlier image of this archive moved it into the store */
			json_array_append(mlayers, desc);
			continue;
		}
		r = layer_descriptor(c, name, cfg.diff_ids[i], i, &desc, err);
		if (r < 0)
			break;
		files[i] = strdup(name);
		json_array_append_new(mlayers, desc);
	}
	digest_buf(config, clen, cdigest);
	m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType",
	              MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG, "digest", cdigest,
	              "size", (json_int_t)clen, "layers", mlayers);
	mtext = m ? json_dumps(m, JSON_COMPACT) : NULL;
	json_array_foreach(tags, i, v)
	{
		struct image_ref ref;
		struct werr ignored;
		if (ref_parse(json_string_value(v) ?: "", &ref, NULL, &ignored) == 0 &&
		    ref.tag[0]) {
			ref_format(&ref, refs[n_names], REF_STR_MAX);
			names[n_names] = refs[n_names];
			n_names++;
		}
	}
	if (r == 0 && !mtext)
		r = werr_errno(err, ENOMEM, "manifest");
	if (r == 0) {
		struct staged_image si = {
			mtext, strlen(mtext), config, clen, (const char *const *)files,
			names, n_names
		};
		r = commit_staged(c->s, &c->st, c->plan, &si, id, err);
	}
	for (i = 0; r == 0 && i < nl; i++)
		if (files[i])
			json_object_set(c->moved, files[i], json_array_get(mlayers, i));
	for (i = 0; r == 0 && i < (n_names ? n_names : 1); i++)
		c->loaded(c->ctx, id, n_names ? names[i] : NULL);
	config_free(&cfg);
out:
	for (i = 0; files && i < nl; i++)
		free(files[i]);
	free(refs);
	json_decref(m);
	json_decref(mlayers);
	return r;
}

/* the JSON document @tar_name of the archive; NULL with @err set */
static json_t *read_staged_json(struct load_ctx *c, const char *tar_name, struct werr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	json_t *j;

	if (read_staged(c, tar_name, &text, &len, err) < 0)
		return NULL;
	j = json_loadb(text, len, 0, NULL);
	if (!j)
		werr_set(err, EINVAL, "malformed %s in the archive", tar_name);
	return j;
}

static int load_docker(struct load_ctx *c, struct werr *err)
{
	json_t *arr = read_staged_json(c, "manifest.json", err), *item;
	size_t i;
	int r = 0;

	if (!arr)
		return -err->code;
	if (!json_is_array(arr)) {
		json_decref(arr);
		return werr_set(err, EINVAL, "malformed manifest.json in the archive");
	}
	json_array_foreach(arr, i, item) if (r == 0) r = load_docker_one(c, item, err);
	json_decref(arr);
	return r;
}

/* the verified bytes of blob @digest from the archive */
static int read_blob(struct load_ctx *c, const char *digest, char **buf, size_t *len,
                     struct werr *err)
{
	char tar_name[100], got[DIGEST_STR_LEN + 1];

	if (!digest_valid(digest))
		return werr_set(err, EINVAL, "invalid digest \"%s\" in index.json", digest);
	snprintf(tar_name, sizeof(tar_name), "blobs/sha256/%s", digest_hex(digest));
	if (read_staged(c, tar_name, buf, len, err) < 0)
		return -err->code;
	digest_buf(*buf, *len, got);
	if (strcmp(got, digest)) {
		free(*buf);
		*buf = NULL;
		return werr_set(err, EBADMSG, "blob %s in the archive hashes to %s", digest, got);
	}
	return 0;
}

/* an index entry of the layout: through a nested index to this platform */
static int oci_manifest(struct load_ctx *c, json_t *desc, char **mtext, size_t *mlen,
                        struct manifest *m, struct werr *err)
{
	int r = read_blob(c, json_string_value(json_object_get(desc, "digest")) ?: "", mtext, mlen,
	                  err);

	if (r == 0)
		r = manifest_parse(*mtext, *mlen, NULL, m, err);
	if (r == 0 && m->kind == MANIFEST_INDEX) {
		const char *os, *arch, *var;
		char want[DIGEST_STR_LEN + 1];
		int sel;
		manifest_host_platform(&os, &arch, &var);
		sel = manifest_select(m, os, arch, var, err);
		if (sel < 0)
			return sel;
		memcpy(want, m->manifests[sel].digest, sizeof(want));
		manifest_free(m);
		free(*mtext);
		*mtext = NULL;
		r = read_blob(c, want, mtext, mlen, err);
		if (r == 0)
			r = manifest_parse(*mtext, *mlen, NULL, m, err);
		if (r == 0 && m->kind != MANIFEST_IMAGE)
			r = werr_set(err, EINVAL, "nested indexes are not supported");
	}
	return r;
}

static int load_oci_one(struct load_ctx *c, json_t *desc, struct werr *err)
{
	_cleanup_free_ char *mtext = NULL, *config = NULL;
	size_t mlen = 0, clen = 0;
	struct manifest m = { 0 };
	char files[MANIFEST_MAX_LAYERS][128], ref_s[REF_STR_MAX], id[DIGEST_STR_LEN + 1];
	const char *fp[MANIFEST_MAX_LAYERS], *name = NULL;
	json_t *anns = json_object_get(desc, "annotations");
	/* Docker 25+ puts the full name in containerd's key, the tag in OCI's */
	const char *ann =
	    json_string_value(json_object_get(anns, "io.containerd.image.name"))
	        ?: json_string_value(json_object_get(anns, "org.opencontainers.image.ref.name"));
	struct image_ref ref;
	int r = oci_manifest(c, desc, &mtext, &mlen, &m, err);

	if (r == 0)
		r = read_blob(c, m.config.digest, &config, &clen, err);
	for (size_t i = 0; r == 0 && i < m.n_layers; i++) {
		fp[i] = NULL;
		if (store_blob_has(c->s, m.layers[i].digest))
			continue;
		snprintf(files[i], sizeof(files[i]), "in-blobs%%sha256%%%s",
		         digest_hex(m.layers[i].digest));
		r = commit_verify_file(&c->st, files[i], m.layers[i].digest, err);
		fp[i] = files[i];
	}
	/* a ref name that is only a tag names no repository: the image stays unnamed */
	if (ann && (strchr(ann, '/') || strchr(ann, ':'))) {
		struct werr ignored;
		if (ref_parse(ann, &ref, NULL, &ignored) == 0 && ref.tag[0]) {
			ref_format(&ref, ref_s, sizeof(ref_s));
			name = ref_s;
		}
	}
	if (r == 0) {
		struct staged_image si = { mtext, mlen, config, clen, fp, &name, name ? 1 : 0 };
		r = commit_staged(c->s, &c->st, c->plan, &si, id, err);
	}
	if (r == 0)
		c->loaded(c->ctx, id, name);
	manifest_free(&m);
	return r;
}

static int load_oci(struct load_ctx *c, struct werr *err)
{
	json_t *idx = read_staged_json(c, "index.json", err), *desc;
	size_t i;
	int r = 0;

	if (!idx)
		return -err->code;
	if (!json_is_array(json_object_get(idx, "manifests"))) {
		json_decref(idx);
		return werr_set(err, EINVAL, "malformed index.json in the archive");
	}
	json_array_foreach(json_object_get(idx, "manifests"), i, desc) if (r == 0) r =
	    load_oci_one(c, desc, err);
	json_decref(idx);
	return r;
}

/* copy regular files of the layout directory @dfd (prefix @rel) into staging */
static int stage_dir(struct load_ctx *c, int dfd, const char *rel, int depth, struct werr *err)
{
	int fd = dup(dfd);
	DIR *d = fd >= 0 ? fdopendir(fd) : NULL;
	struct dirent *de;
	int r = 0;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return werr_errno(err, errno, "read the layout directory");
	}
	while (r == 0 && (de = readdir(d))) {
		char name[300], flat[300];
		struct stat st;
		if (de->d_name[0] == '.')
			continue;
		snprintf(name, sizeof(name), "%s%s%s", rel, *rel ? "/" : "", de->d_name);
		if (fstatat(dfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode) && depth < 3) {
			_cleanup_close_ int sub = openat(
			    dfd, de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			r = sub < 0 ? werr_errno(err, errno, "open %s", name)
			            : stage_dir(c, sub, name, depth + 1, err);
		} else if (S_ISREG(st.st_mode) && flat_name(name, flat, sizeof(flat))) {
			_cleanup_close_ int in =
			    openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
			_cleanup_close_ int out =
			    openat(c->st.fd, flat, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
			char buf[1 << 16];
			ssize_t n;
			if (in < 0 || out < 0) {
				r = werr_errno(err, errno, "copy %s", name);
				break;
			}
			while ((n = read(in, buf, sizeof(buf))) > 0)
				if (util_write_all(out, buf, (size_t)n) < 0)
					break;
			if (n != 0)
				r = werr_errno(err, errno, "copy %s", name);
		}
	}
	closedir(d);
	return r;
}

static int load_staged(struct load_ctx *c, struct werr *err)
{
	if (faccessat(c->st.fd, "in-oci-layout", F_OK, 0) == 0)
		return load_oci(c, err);
	if (faccessat(c->st.fd, "in-manifest.json", F_OK, 0) == 0)
		return load_docker(c, err);
	return werr_set(err, EINVAL,
	                "the archive is neither a docker-archive (manifest.json) nor an OCI "
	                "layout (oci-layout, index.json)");
}

int archive_load(struct store *s, const struct idmap_plan *plan, int fd,
                 void (*loaded)(void *ctx, const char *id, const char *name), void *ctx,
                 struct werr *err)
{
	struct load_ctx c = { s, { -1, "" }, plan, loaded, ctx, json_object() };
	struct stat st;
	int r = store_staging_new(s, &c.st, err);

	/* a directory is an OCI layout (or an unpacked docker-archive) */
	if (r == 0 && fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		r = stage_dir(&c, fd, "", 0, err);
	else if (r == 0)
		r = extract(&c, fd, err);
	if (r == 0)
		r = load_staged(&c, err);
	store_staging_done(s, &c.st, plan);
	json_decref(c.moved);
	return r;
}
