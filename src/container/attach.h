/* attach.h - the client side of a monitor's attach socket: the user's stdio
 * to and from the container, signals proxied, the terminal size followed. */
#ifndef WARREN_ATTACH_H
#define WARREN_ATTACH_H

#include <signal.h>
#include <stdbool.h>
#include <sys/types.h>

#include "term.h"
#include "werr.h"

struct attach_opts {
	bool stdin_open;   /* forward our stdin */
	bool tty;          /* raw mode, resizes, detach keys */
	pid_t sig_pid;     /* proxy our signals to this process (0: none) */
	bool no_sig_proxy; /* --sig-proxy=false: a signal acts on us, not the container */
	bool drop_stdout, drop_stderr; /* -a without that stream: not shown */
	struct detach_keys keys;
};

/**
 * attach_signals_block() - from now on, hold the signals attach_run() will
 * proxy (a signal sent while the container starts is not lost).
 */
void attach_signals_block(sigset_t *set, sigset_t *old);

/** attach_connect() - connect to the monitor of container @id. */
int attach_connect(const char *id, int *sock, struct werr *err);

/**
 * attach_run() - pump until the container exits (*@code set), the user
 * detaches (*@detached), or the monitor goes away (-EPIPE).
 */
int attach_run(int sock, struct attach_opts *o, int *code, bool *detached, struct werr *err);

#endif
