/* config.h - a container's config.json: Docker-shaped fields (for inspect
 * and ps) plus a "Warren" section that holds the runtime spec exactly, so
 * that start, restart and exec rebuild the same container without the CLI. */
#ifndef WARREN_CONFIG_H
#define WARREN_CONFIG_H

#include <jansson.h>
#include <stdbool.h>

#include "container.h"
#include "werr.h"

enum restart_policy { RESTART_NO, RESTART_ON_FAILURE, RESTART_ALWAYS, RESTART_UNLESS_STOPPED };

/* what create/run fix beyond the runtime spec */
struct create_opts {
	const char *name;
	json_t *labels; /* object, owned */
	bool detach, tty, auto_remove;
	enum restart_policy restart;
	int restart_max;
	long long log_max_size; /* bytes; 0: no rotation */
	int log_max_file;
	const char *stop_signal;
	int stop_timeout;        /* seconds; -1: default 10 */
	const char *image;       /* Config.Image: as the user named it, or the --rootfs path */
	const char *image_id;    /* "sha256:HEX" of an image container, else NULL */
	const char *detach_keys; /* run -t: NULL for ctrl-p,ctrl-q */
	json_t *healthcheck;     /* Config.Healthcheck (owned), NULL: none */
	unsigned attach;         /* run -a: the ATTACH_* streams (run_flags.h); 0: the default */
	bool no_sig_proxy;       /* run --sig-proxy=false */
};

/**
 * config_from_spec() - the config.json of a new container.
 * Return: a new JSON object, NULL on allocation failure.
 */
json_t *config_from_spec(const struct container_spec *spec, const struct create_opts *o,
                         const char *name);

/**
 * config_to_spec() - rebuild the runtime spec from @config (whose strings
 * @spec then points into: keep @config alive), load its ID plan
 * (config_idmap()) and compile the seccomp filter again. Free with
 * config_spec_free().
 */
int config_to_spec(json_t *config, struct container_spec *spec, struct werr *err);
void config_spec_free(struct container_spec *spec);

/**
 * config_idmap() - the container's ID plan as stored at create
 * ("Warren"."IdMap"), checked: still the caller's, its subordinate IDs
 * still granted by /etc/subuid and /etc/subgid, its helpers found.
 * Return: 0, or a negative errno with @err a one-line message naming the
 * container (-EPERM: a range is no longer granted; the message says what
 * changed and the fix).
 */
int config_idmap(json_t *config, struct idmap_plan *plan, struct werr *err);

/** config_get() - a string at a dotted path ("Config.StopSignal"), or NULL. */
const char *config_get(json_t *config, const char *path);

/** config_get_int() - an integer at a dotted path, 0 when missing. */
long long config_get_int(json_t *config, const char *path);

/** config_restart_parse() - no | on-failure[:N] | always | unless-stopped. */
int config_restart_parse(const char *v, struct create_opts *o, struct werr *err);

/** config_log_opt_parse() - max-size=N[kmg] | max-file=N. */
int config_log_opt_parse(const char *v, struct create_opts *o, struct werr *err);

#endif
