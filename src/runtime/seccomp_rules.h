/* seccomp_rules.h - the in-memory form of a seccomp profile, shared by the
 * JSON loader and the compiled-in default profile (seccomp_default.c). */
#ifndef WARREN_SECCOMP_RULES_H
#define WARREN_SECCOMP_RULES_H

#include <seccomp.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "seccomp_profile.h"

#define SC_MAX_ARGS 6

struct sc_arg {
	unsigned int index;
	uint64_t value, value_two;
	enum scmp_compare op;
};

struct sc_rule {
	const char *const *names; /* NULL-terminated */
	uint32_t action;          /* libseccomp action, errno included */
	struct sc_arg args[SC_MAX_ARGS];
	size_t n_args;
	caps_mask_t caps_all;  /* applies only when all of these are held */
	caps_mask_t caps_none; /* skipped when any of these is held */
	int min_kernel;        /* major * 1000 + minor; 0 = any */
};

struct sc_profile {
	uint32_t default_action;
	const struct sc_rule *rules;
	size_t n_rules;
	uint32_t arches[8]; /* extra architectures beside the native one */
	size_t n_arches;
};

/**
 * seccomp_default_profile() - the compiled-in profile with the semantics of
 * Docker's default (an allow-list; EPERM for the rest).
 */
const struct sc_profile *seccomp_default_profile(void);

#endif
