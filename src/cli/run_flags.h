/* run_flags.h - the run/create flags beyond the runtime's basics that a
 * Docker user types: --cidfile, --sysctl, --shm-size, --group-add,
 * --platform, --pull, the --health-* family, -a/--attach and --sig-proxy.
 * Parsed and checked here (one line, exit 125, before anything exists),
 * then applied to the container spec, the image lookup and the record. */
#ifndef WARREN_RUN_FLAGS_H
#define WARREN_RUN_FLAGS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "ctrrun.h"
#include "opts.h"
#include "run_image.h"

enum run_flag_id {
	RUN_FLAG_FIRST = 2000,
	RF_CIDFILE = RUN_FLAG_FIRST,
	RF_SYSCTL,
	RF_SHM_SIZE,
	RF_GROUP_ADD,
	RF_PLATFORM,
	RF_PULL,
	RF_HEALTH_CMD,
	RF_HEALTH_INTERVAL,
	RF_HEALTH_TIMEOUT,
	RF_HEALTH_RETRIES,
	RF_HEALTH_START,
	RF_NO_HEALTHCHECK,
	RF_ATTACH,
	RF_SIG_PROXY,
};

enum run_attach { ATTACH_IN = 1, ATTACH_OUT = 2, ATTACH_ERR = 4 };

struct run_flags {
	const char *cidfile;
	int cid_fd; /* the file made (O_EXCL) before anything else; -1: none */
	char **sysctls;
	size_t n_sysctls;
	char **groups;
	size_t n_groups;
	long long shm_size;
	const char *platform;
	json_t *health; /* Config.Healthcheck from the flags (owned), NULL: none given */
	bool no_healthcheck;
	unsigned attach; /* ATTACH_* given with -a; 0: none given */
	bool sig_proxy;
};

#define RUN_FLAGS_INIT                                                                             \
	{                                                                                          \
		.cid_fd = -1, .sig_proxy = true                                                    \
	}

/**
 * run_flags_size_parse() - Docker's RAMInBytes: a number, an optional unit
 * b, k, m, g, t (binary), an optional "i" and "b".
 * Return: 0 with *@out set, -EINVAL or -ERANGE.
 */
int run_flags_size_parse(const char *v, long long *out);

/** run_flags_opt() - handle one option of RUN_FLAGS_OPT_TABLE. */
int run_flags_opt(struct run_flags *f, struct run_image *ri, const struct opt_def *def,
                  const char *v, struct werr *err);

/**
 * run_flags_check() - what needs every option: net.* sysctls need a network
 * namespace of the container's own (@own_netns), --no-healthcheck no other
 * --health-* flag, -a not -d; then the --cidfile is made (it must not exist).
 */
int run_flags_check(struct run_flags *f, bool own_netns, bool detach, struct werr *err);

/** run_flags_apply() - the spec's sysctls, groups and /dev/shm size (borrowed from @f). */
void run_flags_apply(const struct run_flags *f, struct container_spec *spec);

/**
 * run_flags_health() - Config.Healthcheck: the image's @image_hc (may be
 * NULL) with the flags' fields over it, Docker's rule.
 * Return: a new reference, or NULL when the container has no check.
 */
json_t *run_flags_health(const struct run_flags *f, json_t *image_hc);

/** run_flags_cid_write() - the container's ID into the --cidfile, if any. */
int run_flags_cid_write(struct run_flags *f, const char *id, struct werr *err);

/** run_flags_free() - free @f; a --cidfile never written is removed. */
void run_flags_free(struct run_flags *f);

#endif
