/* push.c - pushes an image as stored: every layer blob (HEAD first, then a
 * cross-repository mount from where it was pulled, then an upload), the
 * config, and the manifest bytes unchanged under the destination's tag. */
#include "push.h"
#include "cleanup.h"
#include "image.h"
#include "reference.h"
#include "registry.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the repository on @domain this image came from, for a blob mount */
static const char *mount_source(json_t *rec, const char *domain, char *buf, size_t size)
{
	size_t i, dl = strlen(domain);
	json_t *v;

	json_array_foreach(json_object_get(rec, "digests"), i, v)
	{
		const char *d = json_string_value(v);
		const char *at = strchr(d, '@');
		if (at && !strncmp(d, domain, dl) && d[dl] == '/') {
			snprintf(buf, size, "%.*s", (int)(at - d - dl - 1), d + dl + 1);
			return buf;
		}
	}
	return NULL;
}

static int push_blob(struct store *s, struct registry *reg, const char *digest, const char *from,
                     const struct push_opts *o, struct werr *err)
{
	_cleanup_close_ int fd = store_blob_open(s, digest, err);
	struct stat st;
	int r;

	if (fd < 0)
		return werr_prefix(err, "push");
	if (fstat(fd, &st) < 0)
		return werr_errno(err, errno, "stat blob %s", digest);
	r = registry_blob_exists(reg, digest, err);
	if (r < 0)
		return r;
	if (r == 1) {
		if (o->progress)
			o->progress(o->ctx, digest, "skipped: already exists");
		return 0;
	}
	r = registry_push_blob(reg, digest, fd, (uint64_t)st.st_size, from, err);
	if (r < 0)
		return werr_prefix(err, "pushing blob %s", digest);
	if (o->progress)
		o->progress(o->ctx, digest, r == 1 ? "mounted" : "pushed");
	return 0;
}

int push_image(struct store *s, json_t *rec, const char *dest, const struct push_opts *o,
               char *digest, struct werr *err)
{
	struct image_loaded img;
	struct image_ref ref;
	struct registry reg = { 0 };
	char from_buf[REF_PATH_MAX];
	const char *from;
	int r = ref_parse(dest, &ref, NULL, err);

	if (r < 0)
		return r;
	r = image_load(s, rec, &img, err);
	if (r < 0)
		return r;
	r = registry_open(&reg, &ref, o->tls_verify, true, NULL, NULL, err);
	from = mount_source(rec, ref.domain, from_buf, sizeof(from_buf));
	for (size_t i = 0; r == 0 && i < img.m.n_layers; i++)
		r = push_blob(s, &reg, img.m.layers[i].digest, from, o, err);
	if (r == 0)
		r = push_blob(s, &reg, img.m.config.digest, from, o, err);
	if (r == 0) {
		digest_buf(img.manifest_bytes, img.manifest_len, digest);
		r = registry_put_manifest(&reg, ref.tag[0] ? ref.tag : ref.digest, img.m.media_type,
		                          img.manifest_bytes, img.manifest_len, err);
	}
	registry_close(&reg);
	image_loaded_free(&img);
	return r;
}
