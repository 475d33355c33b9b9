/* state.h - what a container is doing now: state.json's fields, whether its
 * monitor and first process are still alive (so that a killed monitor or a
 * wiped runtime directory shows as a clear state), and Docker's status text. */
#ifndef WARREN_STATE_H
#define WARREN_STATE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "record.h"

/**
 * state_rundir() - rundir_get()/containers/<id> into @buf (PATH_MAX);
 * created (with parents) when @create.
 */
int state_rundir(const char *id, char *buf, bool create, struct werr *err);

/** state_monitor_alive() - whether the monitor of @id holds its lock. */
bool state_monitor_alive(const char *id);

/** state_pid_start() - field 22 of /proc/@pid/stat (0 when gone). */
unsigned long long state_pid_start(pid_t pid);

/**
 * state_running_pid() - the host PID of the container's first process when
 * it is alive (checked against its recorded start time), else 0.
 */
pid_t state_running_pid(const struct record *rec);

/** state_status() - "created", "running", "exited", "restarting", "paused". */
const char *state_status(const struct record *rec);

/** state_int() - an integer field of state.json (0 when missing). */
long long state_int(const struct record *rec, const char *key);

/**
 * state_refresh() - reconcile a record whose monitor is gone: a running
 * first process stays "running" with an Error saying the monitor is lost;
 * otherwise it becomes "exited" (code 255, Error says why). Takes the lock.
 */
int state_refresh(struct record *rec, struct werr *err);

/**
 * state_reconcile() - state_refresh()'s decision and write, for a caller
 * that holds the record's lock and has just loaded @rec.
 */
int state_reconcile(struct record *rec, struct werr *err);

/** state_now() - the current time as RFC 3339 with nanoseconds, UTC. */
void state_now(char buf[40]);

/** state_time_ns() - parse state_now()'s format (0 when empty or bad). */
int64_t state_time_ns(const char *s);

/** state_human_duration() - Docker's "3 seconds", "About a minute"... */
void state_human_duration(int64_t secs, char *buf, size_t size);

/**
 * state_status_text() - ps's STATUS: "Up 3 seconds", "Exited (0) 2 minutes ago",
 * with " (network lost)" once the monitor found warren-net gone, " (monitor
 * lost)" for a running container whose monitor is gone.
 */
void state_status_text(const struct record *rec, char *buf, size_t size);

#endif
