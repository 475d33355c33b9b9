/* idle.h - warren-monitor, the idle half of a container's monitor: warren
 * starts the container and execs this small program (libc only) in the same
 * process, which keeps the container's stdio, writes the log, serves attach
 * clients and waits for the exit; then it records the exit and execs warren
 * again for the heavy cleanup (see src/common/monitor_proto.h). */
#ifndef WARREN_MONITOR_IDLE_H
#define WARREN_MONITOR_IDLE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "attach_proto.h"
#include "logwrite.h"
#include "monitor_proto.h"

struct monitor {
	struct monitor_args *a; /* fds, pids and clients, handed on to the cleanup */
	int sigfd;
	struct logwrite log;
	bool log_error_saved;
	char pending[ATTACH_MSG_MAX]; /* stdin bytes the container has not taken yet */
	size_t pending_len;
	long long kill_at_ms;   /* CLOCK_MONOTONIC: SIGKILL the container then; 0: never */
	long long health_at_ms; /* CLOCK_MONOTONIC: the next health check; 0: none */
	pid_t health_pid;       /* the health check running, else 0 */
};

/**
 * idle_loop() - poll until the container's first process exits and its
 * output is drained: log it, pass it to attach clients, pass their input on.
 * Return: its exit code (128 + signal when killed).
 */
int idle_loop(struct monitor *m);

struct statefile_field;

/* netwatch.c: warren-net and warren-overlay */
/**
 * netwatch_reap() - reap warren-net if it ended (its status into @status).
 * Return: whether it did; then the cleanup will not stop it again.
 */
bool netwatch_reap(struct monitor *m, int *status);
/**
 * netwatch_lost() - warren-net ended (@status) while the container runs:
 * record it, forget the published ports, stop the container (its stop
 * signal now, SIGKILL after its stop timeout: see netwatch_timeout()).
 */
void netwatch_lost(struct monitor *m, int status);
/** netwatch_reap_overlay() - netwatch_reap() for warren-overlay. */
bool netwatch_reap_overlay(struct monitor *m, int *status);
/**
 * netwatch_overlay_lost() - warren-overlay ended (@status) before the
 * container: record it; while the container runs (@running), stop it as
 * netwatch_lost() does.
 */
void netwatch_overlay_lost(struct monitor *m, int status, bool running);
/**
 * netwatch_timeout() - send the pending SIGKILL once its time has come.
 * Return: poll's timeout until then in ms, or -1 when none is pending.
 */
int netwatch_timeout(struct monitor *m);

/* healthtimer.c */
/** healthtimer_init() - the first health check an interval from now, if any. */
void healthtimer_init(struct monitor *m);
/**
 * healthtimer_timeout() - start the health check once its time has come.
 * Return: poll's timeout until the next in ms, or -1 when there is none.
 */
int healthtimer_timeout(struct monitor *m);
/** healthtimer_reap() - after a SIGCHLD: reap the health check if it ended. */
void healthtimer_reap(struct monitor *m);
/** healthtimer_stop() - no more checks; kill and reap the one running. */
void healthtimer_stop(struct monitor *m);

/* state.c */
void monitor_state_update(struct monitor *m, const struct statefile_field *f, size_t n);
/** monitor_log_error() - say, once, in state.json and log-error, that the log misses output. */
void monitor_log_error(struct monitor *m);

#endif
