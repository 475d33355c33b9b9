/* ctrrun.h - the one entry into running a container, for cli and the
 * builder: a foreground run that warren waits for itself (no record, no
 * monitor), a recorded container (ctrrun_create(), then lifecycle_start()
 * through its monitor), and another process in a running one (exec). The
 * runtime spec's types reach the callers through this header; they call no
 * runtime function, so a run-time feature is wired here once. */
#ifndef WARREN_CTRRUN_H
#define WARREN_CTRRUN_H

#include <stddef.h>
#include <sys/types.h>

#include "config.h"
#include "container.h"
#include "record.h"
#include "werr.h"

/**
 * ctrrun_foreground() - run @spec in the foreground: create it, forward
 * signals to it, wait for it, remove what it left in the runtime directory.
 * No record and no monitor: the fast path of `run` and a build's RUN step.
 * Return: 0 with *@status the exit code to hand back to the user (the
 * container's, 128+signal, or 125/126/127 for our own failures with @err
 * set and status not 0), or a negative errno with @err set. Afterwards
 * @spec->overlay_died tells whether warren-overlay was killed under it.
 */
int ctrrun_foreground(struct container_spec *spec, int *status, struct werr *err);

/**
 * ctrrun_create() - the record of a new container for @spec, in the store
 * of @g: its config.json with @o's name (else a free adjective_animal one),
 * labels, restart and log options; start it with lifecycle_start().
 * Return: 0, or a negative errno with @err set (-EEXIST: the name is taken).
 */
int ctrrun_create(const struct gopts *g, const struct container_spec *spec, struct create_opts *o,
                  struct werr *err);

/* what `exec` adds to the running container's own spec */
struct ctrrun_exec {
	char **argv;
	const char *const *env; /* KEY=VALUE over the container's, or KEY: the caller's value */
	size_t n_env;
	const char *user;    /* NULL: the container's user */
	const char *workdir; /* NULL: the container's working directory */
};

/**
 * ctrrun_exec() - start @x in the running container @rec: the process joins
 * every namespace of its first process and gets the same capabilities,
 * no_new_privs and seccomp filter; it is a child of the caller. With
 * @stdio->tty it opens a terminal in the container and @stdio->master is
 * the master, the caller's to close.
 * Return: 0 with *@child set, or a negative errno with @err set and
 * *@status the exit code for the user (125, 126 or 127).
 */
int ctrrun_exec(const struct record *rec, const struct ctrrun_exec *x,
                struct container_stdio *stdio, pid_t *child, int *status, struct werr *err);

#endif
