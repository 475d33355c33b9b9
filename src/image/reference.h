/* reference.h - image references as Docker writes them
 * ([DOMAIN/]PATH[:TAG][@DIGEST]), short-name expansion and the user's
 * registries.conf (aliases, unqualified-search registries). Pure parsing:
 * no network, no store. */
#ifndef WARREN_REFERENCE_H
#define WARREN_REFERENCE_H

#include <stdbool.h>
#include <stddef.h>

#include "digest.h"
#include "werr.h"

#define REF_DOMAIN_MAX 256
#define REF_PATH_MAX   256
#define REF_TAG_MAX    129
#define REF_STR_MAX    (REF_DOMAIN_MAX + REF_PATH_MAX + REF_TAG_MAX + DIGEST_STR_LEN + 4)
#define REF_SEARCH_MAX 8

struct image_ref {
	char domain[REF_DOMAIN_MAX]; /* "docker.io", "127.0.0.1:5000" */
	char path[REF_PATH_MAX];     /* "library/busybox" */
	char tag[REF_TAG_MAX];       /* "latest"; "" when only a digest is given */
	char digest[DIGEST_STR_LEN + 1];
};

/**
 * ref_parse() - parse @s into @ref. A name without a domain gets "docker.io"
 * (and "library/" for one component) and *@short_name is set (when not
 * NULL); a name without tag or digest gets "latest".
 * Return: 0 or -EINVAL with @err naming what is wrong with the reference.
 */
int ref_parse(const char *s, struct image_ref *ref, bool *short_name, struct werr *err);

/**
 * ref_format() - "DOMAIN/PATH:TAG" (or "DOMAIN/PATH@DIGEST" without a tag).
 */
void ref_format(const struct image_ref *ref, char *buf, size_t size);

/**
 * ref_repo() - "DOMAIN/PATH".
 */
void ref_repo(const struct image_ref *ref, char *buf, size_t size);

/**
 * ref_registry_host() - the host to talk to for @domain: "docker.io" is
 * served by "registry-1.docker.io".
 */
const char *ref_registry_host(const char *domain);

/**
 * ref_candidates() - where a reference is looked for: a fully qualified one
 * as it is; a short name through registries.conf: an alias if there is one,
 * else each unqualified-search registry in order (docker.io when none).
 * @input: what the user typed; @out: up to REF_SEARCH_MAX references
 * Files read: $CONTAINERS_REGISTRIES_CONF, else
 * $XDG_CONFIG_HOME/containers/registries.conf (~/.config/...), else
 * /etc/containers/registries.conf, plus /etc/containers/registries.conf.d/.
 * Return: the number of candidates (>= 1), or a negative errno with @err set.
 */
int ref_candidates(const char *input, struct image_ref *out, struct werr *err);

/**
 * ref_conf_parse() - read aliases and unqualified-search registries from a
 * registries.conf text (the subset of TOML it uses). Exposed for tests.
 * @alias_of: short name to look up; *@alias (size REF_STR_MAX) set when found
 * @search: filled with up to REF_SEARCH_MAX registries; *@n_search set when
 * the file has the key
 */
void ref_conf_parse(const char *text, const char *alias_of, char *alias, bool *have_alias,
                    char search[][REF_DOMAIN_MAX], size_t *n_search, bool *have_search);

#endif
