/* cdi.h - Container Device Interface: a fully qualified device name
 * (vendor.com/class=name, or =all) resolved from the CDI specs (JSON or
 * YAML, cdiVersion 0.3.0 to 0.8.0) in the spec directories, into edits of
 * the container: device nodes and mounts as binds, environment variables,
 * and createContainer/startContainer hooks. Reads specs; never writes. */
#ifndef WARREN_CDI_H
#define WARREN_CDI_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "container.h"
#include "werr.h"

/* the CDI specification's default spec directories; a later one overrides
 * an earlier one's devices of the same name */
#define CDI_SPEC_DIRS_DEFAULT "/etc/cdi:/var/run/cdi"

struct cdi_edits {
	char **env; /* KEY=VALUE, owned */
	size_t n_env;
	struct mount_spec *mounts; /* device nodes and mounts, binds with owned strings */
	size_t n_mounts;
	struct hook_spec *hooks; /* owned */
	size_t n_hooks;
};

/** cdi_name_p() - whether @s has the shape of a CDI name (a '/' before a '='). */
bool cdi_name_p(const char *s);

/**
 * cdi_resolve() - add the edits of CDI device @name (vendor/class=name or
 * vendor/class=all) to @e, from the specs in @dirs (colon-separated; NULL:
 * CDI_SPEC_DIRS_DEFAULT). The device nodes are checked as --device's are.
 * Return: 0, or a negative errno with @err set to one line: a bad name, an
 * unknown device (naming a broken spec where one is), a broken spec that
 * holds the device, a node the user cannot open.
 */
int cdi_resolve(const char *dirs, const char *name, struct cdi_edits *e, struct werr *err);

/**
 * cdi_kind_present() - whether a readable spec in @dirs declares @kind
 * (e.g. "nvidia.com/gpu"), for --gpus.
 */
bool cdi_kind_present(const char *dirs, const char *kind);

/** cdi_edits_free() - free what @e holds. */
void cdi_edits_free(struct cdi_edits *e);

/**
 * cdi_yaml_parse() - a YAML document (@len bytes of @text) as JSON.
 * Return: a new reference, or NULL with @why (one line) set.
 */
json_t *cdi_yaml_parse(const char *text, size_t len, char *why, size_t why_size);

#endif
