/* lifecycle.h - acting on a container record: start (through a monitor),
 * stop, kill, wait, remove. Every change of state happens under the record's
 * lock; waiting for a process never holds it. */
#ifndef WARREN_LIFECYCLE_H
#define WARREN_LIFECYCLE_H

#include <stdbool.h>
#include <sys/ioctl.h>
#include <sys/types.h>

#include "record.h"

/**
 * lifecycle_start() - start a created or exited container; a running one is
 * left alone. @client_fd: an attach client connected from the first byte
 * (-1: none); @ws: the initial terminal size (NULL: none).
 * Return: 0, or a negative errno with @err set and *@status the exit code.
 */
int lifecycle_start(struct record *rec, int client_fd, const struct winsize *ws, int *status,
                    struct werr *err);

/** lifecycle_signal_parse() - "TERM", "SIGTERM", "15" -> 15. */
int lifecycle_signal_parse(const char *s, int *sig, struct werr *err);

/** lifecycle_kill() - send @sig to a running container's first process. */
int lifecycle_kill(struct record *rec, int sig, struct werr *err);

/**
 * lifecycle_stop() - the stop signal (@sig, else the container's, else
 * SIGTERM), @timeout seconds (-1: the container's), then SIGKILL; returns
 * once the exit is recorded.
 */
int lifecycle_stop(struct record *rec, int sig, int timeout, struct werr *err);

/** lifecycle_wait() - block until the container is not running; its exit code. */
int lifecycle_wait(struct record *rec, int *code, struct werr *err);

/**
 * lifecycle_remove() - remove a container: a running one only with @force
 * (killed first); @volumes also removes its anonymous volumes.
 */
int lifecycle_remove(struct record *rec, bool force, bool volumes, struct werr *err);

/** lifecycle_reload() - re-read @rec and reconcile a lost monitor. */
int lifecycle_reload(struct record *rec, struct werr *err);

/** lifecycle_reload_locked() - lifecycle_reload() when the caller holds the lock. */
int lifecycle_reload_locked(struct record *rec, struct werr *err);

#endif
