/* manifest.h - Docker schema2 and OCI image manifests, manifest lists / OCI
 * indexes, and image configs: parsing (jansson), platform selection, layer
 * compression from media types, chain IDs. Never trusts sizes or digests
 * it has not validated. */
#ifndef WARREN_MANIFEST_H
#define WARREN_MANIFEST_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "digest.h"
#include "werr.h"

#define MT_DOCKER_MANIFEST "application/vnd.docker.distribution.manifest.v2+json"
#define MT_DOCKER_LIST     "application/vnd.docker.distribution.manifest.list.v2+json"
#define MT_DOCKER_CONFIG   "application/vnd.docker.container.image.v1+json"
#define MT_DOCKER_LAYER    "application/vnd.docker.image.rootfs.diff.tar.gzip"
#define MT_OCI_MANIFEST    "application/vnd.oci.image.manifest.v1+json"
#define MT_OCI_INDEX       "application/vnd.oci.image.index.v1+json"
#define MT_OCI_CONFIG      "application/vnd.oci.image.config.v1+json"
#define MT_OCI_LAYER       "application/vnd.oci.image.layer.v1.tar"
#define MT_OCI_LAYER_GZIP  "application/vnd.oci.image.layer.v1.tar+gzip"
#define MT_OCI_LAYER_ZSTD  "application/vnd.oci.image.layer.v1.tar+zstd"
/* what a registry is asked for: every manifest kind warren reads */
#define MT_ACCEPT_ALL MT_OCI_INDEX ", " MT_OCI_MANIFEST ", " MT_DOCKER_LIST ", " MT_DOCKER_MANIFEST

#define MANIFEST_MAX_LAYERS 256
#define MANIFEST_MAX_BYTES  (4 << 20)

enum manifest_kind { MANIFEST_IMAGE, MANIFEST_INDEX };
enum layer_compression { LAYER_TAR, LAYER_GZIP, LAYER_ZSTD };

struct descriptor {
	char media_type[128];
	char digest[DIGEST_STR_LEN + 1];
	int64_t size;
	char os[32], arch[32], variant[32]; /* index entries only */
};

struct manifest {
	enum manifest_kind kind;
	char media_type[128];
	struct descriptor config;  /* image manifests */
	struct descriptor *layers; /* image manifests */
	size_t n_layers;
	struct descriptor *manifests; /* indexes */
	size_t n_manifests;
};

struct image_config {
	json_t *root; /* the whole config, owned */
	char **diff_ids;
	size_t n_diff_ids;
	char os[32], arch[32], variant[32];
};

/**
 * manifest_parse() - parse a manifest or index. @content_type (may be NULL
 * or empty) is the registry's Content-Type; the document's own mediaType
 * wins when present.
 * Return: 0 or -EINVAL/-EPROTO with @err saying what is malformed or which
 * media type is unknown.
 */
int manifest_parse(const char *buf, size_t len, const char *content_type, struct manifest *m,
                   struct werr *err);

void manifest_free(struct manifest *m);

/**
 * manifest_select() - the entry of index @m for @os/@arch[/@variant]
 * (variant NULL or "" matches any).
 * Return: the index, or -ENOENT with @err listing the platforms there are.
 */
int manifest_select(const struct manifest *m, const char *os, const char *arch, const char *variant,
                    struct werr *err);

/**
 * manifest_host_platform() - this machine's os/arch/variant as OCI names them.
 */
void manifest_host_platform(const char **os, const char **arch, const char **variant);

/**
 * manifest_parse_platform() - split "os/arch[/variant]" into the buffers.
 * Return: 0 or -EINVAL with @err set.
 */
int manifest_parse_platform(const char *s, char *os, char *arch, char *variant, struct werr *err);

/**
 * manifest_layer_compression() - the compression a layer media type says.
 * Return: 0 or -EPROTO with @err naming the unknown media type.
 */
int manifest_layer_compression(const char *media_type, enum layer_compression *c, struct werr *err);

/**
 * config_parse() - parse an image config; needs rootfs.diff_ids.
 * Return: 0 or -EINVAL with @err set.
 */
int config_parse(const char *buf, size_t len, struct image_config *c, struct werr *err);

void config_free(struct image_config *c);

/**
 * config_string_array() - a NULL-terminated copy of the string array at
 * config.@key (e.g. "Cmd"), or NULL when absent. Free with config_strv_free().
 */
char **config_string_array(const struct image_config *c, const char *key);

/**
 * config_string() - config.@key as a string, or NULL.
 */
const char *config_string(const struct image_config *c, const char *key);

void config_strv_free(char **v);

/**
 * manifest_chain_ids() - chain IDs from diff IDs (OCI image spec, "Layer
 * ChainID"): chain[0] = diff[0], chain[n] = sha256(chain[n-1] + " " + diff[n]).
 * @out: n strings of DIGEST_STR_LEN + 1
 */
int manifest_chain_ids(char *const *diff_ids, size_t n, char (*out)[DIGEST_STR_LEN + 1]);

#endif
