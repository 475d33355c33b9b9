/* security.h - a container's confinement from Docker's options (--cap-add,
 * --cap-drop, --privileged, --security-opt): its capabilities, no_new_privs
 * and compiled seccomp filter in the runtime spec. Every container gets it
 * from here: run, create and a build's RUN steps. */
#ifndef WARREN_SECURITY_H
#define WARREN_SECURITY_H

#include <stdbool.h>

#include "container.h"
#include "werr.h"

struct security_opts {
	bool privileged;
	caps_mask_t cap_add, cap_drop;
	bool seccomp_unconfined;
	const char *seccomp_file; /* --security-opt seccomp=FILE; NULL: Docker's default */
	int nnp;                  /* -1 default, 0/1 from --security-opt no-new-privileges */
	bool fake_chown_off;      /* --security-opt fake-chown=false */
};

#define SECURITY_OPTS_INIT                                                                         \
	{                                                                                          \
		.nnp = -1                                                                          \
	}

/**
 * security_option() - apply one option, named by its long name ("cap-add",
 * "cap-drop", "privileged", "security-opt"), to @o; @value stays referenced.
 * Return: 0, or a negative errno with @err naming the bad value and the
 * accepted forms.
 */
int security_option(struct security_opts *o, const char *name, const char *value, struct werr *err);

/**
 * security_apply() - set @spec's capabilities, no_new_privs and seccomp
 * filter (compiled, or taken from the per-user cache) from @o; the
 * profile's text is kept in @spec for the record. Free with
 * security_release().
 * Return: 0, or a negative errno with @err naming the option at fault.
 */
int security_apply(struct container_spec *spec, const struct security_opts *o, struct werr *err);

/** security_release() - free what security_apply() put in @spec. */
void security_release(struct container_spec *spec);

#endif
