/* create.h - what `create` and `run` add to the runtime spec: the record
 * (name, labels, restart policy, log options, stop signal) and what happens
 * after it is written (print the ID, start detached, or start attached). */
#ifndef WARREN_CREATE_H
#define WARREN_CREATE_H

#include <stdbool.h>

#include "config.h"
#include "opts.h"

enum create_opt_id {
	CREATE_OPT_FIRST = 1000,
	C_DETACH = CREATE_OPT_FIRST,
	C_NAME,
	C_LABEL,
	C_RESTART,
	C_LOG_OPT,
	C_STOP_SIGNAL,
	C_STOP_TIMEOUT,
	C_DETACH_KEYS,
};

/* spliced into run's option table, so create and run share one table */
#define CREATE_OPT_TABLE                                                                                \
	{ "detach", 'd', OPT_FLAG, NULL, "Run in the background and print the container ID",            \
	  C_DETACH },                                                                                   \
	    { "name", 0, OPT_VALUE, "NAME", "Name the container", C_NAME },                             \
	    { "label", 'l', OPT_VALUE, "KEY=VALUE", "Set a label", C_LABEL },                           \
	    { "restart", 0, OPT_VALUE, "POLICY", "no, on-failure[:N], always, unless-stopped",          \
	      C_RESTART },                                                                              \
	    { "log-opt", 0, OPT_VALUE, "OPT", "max-size=SIZE, max-file=N (log rotation)", C_LOG_OPT },  \
	    { "stop-signal", 0, OPT_VALUE, "SIGNAL", "Signal that stops the container",                 \
	      C_STOP_SIGNAL },                                                                          \
	    { "stop-timeout", 0, OPT_VALUE, "SECONDS", "Wait before SIGKILL on stop", C_STOP_TIMEOUT }, \
	{                                                                                               \
		"detach-keys", 0, OPT_VALUE, "KEYS", "Keys that detach (default ctrl-p,ctrl-q)",        \
		    C_DETACH_KEYS                                                                       \
	}

#define CREATE_OPTS_INIT                                                                           \
	{                                                                                          \
		.stop_timeout = -1                                                                 \
	}

/** create_opt() - handle one option of CREATE_OPT_TABLE. */
int create_opt(struct create_opts *o, const struct opt_def *def, const char *v, struct werr *err);

/**
 * create_publish() - write the record for @spec (a one-line error printed
 * when it cannot be written).
 * Return: 0 or the exit code for the user.
 */
int create_publish(struct container_spec *spec, struct create_opts *o);

/**
 * create_launch() - after create_publish(): print the ID (@create_only),
 * start the container detached (-d) or start it attached.
 * Return: the exit code for the user.
 */
int create_launch(struct container_spec *spec, struct create_opts *o, bool create_only);

void create_opts_free(struct create_opts *o);

/** cli_attach_code() - attach to @id through @sock until exit; the exit code. */
int cli_attach(const char *id, int sock, bool stdin_open, bool tty, const char *detach_keys);

#endif
