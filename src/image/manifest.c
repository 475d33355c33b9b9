/* manifest.c - parsing of manifests, indexes and image configs with jansson,
 * and the derived values (platform choice, compression, chain IDs). Every
 * digest read from a document is validated; unknown media types are errors,
 * never guessed. */
#include "manifest.h"
#include "cleanup.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

static const char *jstr(json_t *o, const char *key)
{
	json_t *v = json_object_get(o, key);
	return json_is_string(v) ? json_string_value(v) : NULL;
}

static int descriptor_parse(json_t *o, struct descriptor *d, const char *what, struct werr *err)
{
	const char *mt = jstr(o, "mediaType"), *dg = jstr(o, "digest");
	json_t *size = json_object_get(o, "size"), *plat = json_object_get(o, "platform");

	memset(d, 0, sizeof(*d));
	if (!json_is_object(o))
		return werr_set(err, EINVAL, "malformed manifest: %s is not an object", what);
	if (!dg || !digest_valid(dg))
		return werr_set(err, EINVAL,
		                "malformed manifest: %s has no valid sha256 digest (got \"%s\")",
		                what, dg ? dg : "");
	if (!json_is_integer(size) || json_integer_value(size) < 0)
		return werr_set(err, EINVAL, "malformed manifest: %s has no valid size", what);
	snprintf(d->media_type, sizeof(d->media_type), "%s", mt ? mt : "");
	snprintf(d->digest, sizeof(d->digest), "%s", dg);
	d->size = json_integer_value(size);
	if (json_is_object(plat)) {
		const char *os = jstr(plat, "os"), *arch = jstr(plat, "architecture"),
		           *var = jstr(plat, "variant");
		snprintf(d->os, sizeof(d->os), "%s", os ? os : "");
		snprintf(d->arch, sizeof(d->arch), "%s", arch ? arch : "");
		snprintf(d->variant, sizeof(d->variant), "%s", var ? var : "");
	}
	return 0;
}

static int descriptor_array(json_t *arr, struct descriptor **out, size_t *n, const char *what,
                            struct werr *err)
{
	size_t i, cnt = json_array_size(arr);
	json_t *v;

	if (!json_is_array(arr))
		return werr_set(err, EINVAL, "malformed manifest: \"%s\" is not an array", what);
	if (cnt > MANIFEST_MAX_LAYERS)
		return werr_set(err, EINVAL, "malformed manifest: %zu %s (at most %d)", cnt, what,
		                MANIFEST_MAX_LAYERS);
	*out = calloc(cnt ? cnt : 1, sizeof(**out));
	if (!*out)
		return werr_errno(err, ENOMEM, "manifest");
	*n = cnt;
	json_array_foreach(arr, i, v)
	{
		char w[64];
		snprintf(w, sizeof(w), "%s[%zu]", what, i);
		if (descriptor_parse(v, &(*out)[i], w, err) < 0)
			return -EINVAL;
	}
	return 0;
}

static bool mt_index_p(const char *mt)
{
	return !strcmp(mt, MT_OCI_INDEX) || !strcmp(mt, MT_DOCKER_LIST);
}

static bool mt_manifest_p(const char *mt)
{
	return !strcmp(mt, MT_OCI_MANIFEST) || !strcmp(mt, MT_DOCKER_MANIFEST);
}

static int manifest_fill(json_t *root, const char *mt, struct manifest *m, struct werr *err)
{
	snprintf(m->media_type, sizeof(m->media_type), "%s", mt);
	if (mt_index_p(mt)) {
		m->kind = MANIFEST_INDEX;
		return descriptor_array(json_object_get(root, "manifests"), &m->manifests,
		                        &m->n_manifests, "manifests", err);
	}
	m->kind = MANIFEST_IMAGE;
	if (descriptor_parse(json_object_get(root, "config"), &m->config, "config", err) < 0)
		return -EINVAL;
	if (descriptor_array(json_object_get(root, "layers"), &m->layers, &m->n_layers, "layers",
	                     err) < 0)
		return -EINVAL;
	for (size_t i = 0; i < m->n_layers; i++) {
		enum layer_compression c;
		if (manifest_layer_compression(m->layers[i].media_type, &c, err) < 0)
			return werr_prefix(err, "layer %s", m->layers[i].digest);
	}
	return 0;
}

int manifest_parse(const char *buf, size_t len, const char *content_type, struct manifest *m,
                   struct werr *err)
{
	json_error_t je;
	json_t *root;
	const char *mt;
	int r;

	memset(m, 0, sizeof(*m));
	root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &je);
	if (!root)
		return werr_set(err, EINVAL, "malformed manifest JSON (line %d: %s)", je.line,
		                je.text);
	if (!json_is_object(root)) {
		json_decref(root);
		return werr_set(err, EINVAL, "malformed manifest JSON: not an object");
	}
	mt = jstr(root, "mediaType");
	if (!mt || !*mt) {
		/* OCI allows mediaType to be absent: the Content-Type, else the shape, says */
		if (content_type && *content_type && strcmp(content_type, "application/json"))
			mt = content_type;
		else
			mt = json_object_get(root, "manifests") ? MT_OCI_INDEX : MT_OCI_MANIFEST;
	}
	if (json_integer_value(json_object_get(root, "schemaVersion")) != 2) {
		json_decref(root);
		return werr_set(err, EPROTO,
		                "unsupported manifest: schemaVersion must be 2 (Docker schema1 "
		                "images are not supported; push the image again with a current "
		                "tool)");
	}
	if (!mt_index_p(mt) && !mt_manifest_p(mt)) {
		r = werr_set(err, EPROTO, "unknown manifest media type \"%s\"", mt);
		json_decref(root);
		return r;
	}
	r = manifest_fill(root, mt, m, err);
	json_decref(root);
	if (r < 0)
		manifest_free(m);
	return r;
}

void manifest_free(struct manifest *m)
{
	free(m->layers);
	free(m->manifests);
	m->layers = m->manifests = NULL;
	m->n_layers = m->n_manifests = 0;
}

void manifest_host_platform(const char **os, const char **arch, const char **variant)
{
	struct utsname u;
	static char machine[65];

	*os = "linux";
	*variant = "";
	uname(&u);
	snprintf(machine, sizeof(machine), "%s", u.machine);
	if (!strcmp(machine, "x86_64"))
		*arch = "amd64";
	else if (!strcmp(machine, "aarch64"))
		*arch = "arm64", *variant = "v8";
	else if (!strncmp(machine, "armv7", 5))
		*arch = "arm", *variant = "v7";
	else if (!strcmp(machine, "i686") || !strcmp(machine, "i386"))
		*arch = "386";
	else
		*arch = machine;
}

int manifest_parse_platform(const char *s, char *os, char *arch, char *variant, struct werr *err)
{
	const char *a = strchr(s, '/'), *v;

	if (!a || a == s || !a[1] || (a - s) >= 32)
		return werr_set(err, EINVAL, "invalid platform \"%s\": use os/arch[/variant]", s);
	v = strchr(a + 1, '/');
	snprintf(os, 32, "%.*s", (int)(a - s), s);
	snprintf(arch, 32, "%.*s", (int)(v ? v - a - 1 : (long)strlen(a + 1)), a + 1);
	snprintf(variant, 32, "%s", v ? v + 1 : "");
	if (!arch[0] || (v && !variant[0]))
		return werr_set(err, EINVAL, "invalid platform \"%s\": use os/arch[/variant]", s);
	return 0;
}

int manifest_select(const struct manifest *m, const char *os, const char *arch, const char *variant,
                    struct werr *err)
{
	char have[512] = "";
	int any = -1;

	for (size_t i = 0; i < m->n_manifests; i++) {
		const struct descriptor *d = &m->manifests[i];
		size_t l = strlen(have);
		if (!strcmp(d->os, os) && !strcmp(d->arch, arch)) {
			if (!variant || !*variant || !strcmp(d->variant, variant))
				return (int)i;
			if (!d->variant[0] && any < 0)
				any = (int)i;
		}
		if (l < sizeof(have) - 80)
			snprintf(have + l, sizeof(have) - l, "%s%s/%s%s%s", l ? ", " : "", d->os,
			         d->arch, d->variant[0] ? "/" : "", d->variant);
	}
	if (any >= 0)
		return any;
	return werr_set(err, ENOENT,
	                "no image for platform %s/%s%s%s in the index (it has: %s; choose one "
	                "with --platform)",
	                os, arch, variant && *variant ? "/" : "", variant ? variant : "",
	                have[0] ? have : "nothing");
}

int manifest_layer_compression(const char *mt, enum layer_compression *c, struct werr *err)
{
	static const struct {
		const char *mt;
		enum layer_compression c;
	} known[] = {
		{ MT_DOCKER_LAYER, LAYER_GZIP },
		{ "application/vnd.docker.image.rootfs.foreign.diff.tar.gzip", LAYER_GZIP },
		{ MT_OCI_LAYER, LAYER_TAR },
		{ MT_OCI_LAYER_GZIP, LAYER_GZIP },
		{ MT_OCI_LAYER_ZSTD, LAYER_ZSTD },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar", LAYER_TAR },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+gzip", LAYER_GZIP },
		{ "application/vnd.oci.image.layer.nondistributable.v1.tar+zstd", LAYER_ZSTD },
	};

	for (size_t i = 0; i < sizeof(known) / sizeof(known[0]); i++)
		if (!strcmp(mt, known[i].mt)) {
			*c = known[i].c;
			return 0;
		}
	return werr_set(err, EPROTO, "unknown layer media type \"%s\"", mt);
}

int config_parse(const char *buf, size_t len, struct image_config *c, struct werr *err)
{
	json_error_t je;
	json_t *ids;
	size_t i;
	json_t *v;
	const char *s;

	memset(c, 0, sizeof(*c));
	c->root = json_loadb(buf, len, 0, &je);
	if (!c->root || !json_is_object(c->root)) {
		config_free(c);
		return werr_set(err, EINVAL, "malformed image config JSON (line %d: %s)", je.line,
		                je.text);
	}
	ids = json_object_get(json_object_get(c->root, "rootfs"), "diff_ids");
	if (!json_is_array(ids) || json_array_size(ids) > MANIFEST_MAX_LAYERS) {
		config_free(c);
		return werr_set(err, EINVAL, "malformed image config: no rootfs.diff_ids array");
	}
	c->diff_ids = calloc(json_array_size(ids) + 1, sizeof(char *));
	if (!c->diff_ids) {
		config_free(c);
		return werr_errno(err, ENOMEM, "config");
	}
	json_array_foreach(ids, i, v)
	{
		if (!digest_valid(json_string_value(v))) {
			config_free(c);
			return werr_set(err, EINVAL,
			                "malformed image config: rootfs.diff_ids[%zu] is not a "
			                "sha256 digest",
			                i);
		}
		c->diff_ids[i] = (char *)json_string_value(v);
		c->n_diff_ids++;
	}
	s = jstr(c->root, "os");
	snprintf(c->os, sizeof(c->os), "%s", s ? s : "");
	s = jstr(c->root, "architecture");
	snprintf(c->arch, sizeof(c->arch), "%s", s ? s : "");
	s = jstr(c->root, "variant");
	snprintf(c->variant, sizeof(c->variant), "%s", s ? s : "");
	return 0;
}

void config_free(struct image_config *c)
{
	free(c->diff_ids);
	json_decref(c->root);
	c->diff_ids = NULL;
	c->root = NULL;
	c->n_diff_ids = 0;
}

char **config_string_array(const struct image_config *c, const char *key)
{
	json_t *a = json_object_get(json_object_get(c->root, "config"), key);
	char **v;
	size_t i, n = 0;
	json_t *e;

	if (json_is_object(a)) {
		/* Volumes and ExposedPorts are objects whose keys are the values */
		const char *k;
		v = calloc(json_object_size(a) + 1, sizeof(char *));
		if (!v)
			return NULL;
		json_object_foreach(a, k, e) v[n++] = strdup(k);
		return v;
	}
	if (!json_is_array(a))
		return NULL;
	v = calloc(json_array_size(a) + 1, sizeof(char *));
	if (!v)
		return NULL;
	json_array_foreach(a, i, e) if (json_is_string(e)) v[n++] = strdup(json_string_value(e));
	return v;
}

const char *config_string(const struct image_config *c, const char *key)
{
	return jstr(json_object_get(c->root, "config"), key);
}

void config_strv_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int manifest_chain_ids(char *const *diff_ids, size_t n, char (*out)[DIGEST_STR_LEN + 1])
{
	for (size_t i = 0; i < n; i++) {
		char buf[2 * DIGEST_STR_LEN + 2];
		if (i == 0) {
			memcpy(out[0], diff_ids[0], DIGEST_STR_LEN + 1);
			continue;
		}
		snprintf(buf, sizeof(buf), "%s %s", out[i - 1], diff_ids[i]);
		if (digest_buf(buf, strlen(buf), out[i]) < 0)
			return -ENOMEM;
	}
	return 0;
}
