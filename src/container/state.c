/* state.c - reading a container's live state: the monitor's lock, the first
 * process's PID checked against its start time (PIDs are reused), and the
 * texts ps shows. Writes state.json only to record a monitor that died. */
#include "state.h"
#include "cleanup.h"
#include "health.h"
#include "rundir.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

int state_rundir(const char *id, char *buf, bool create, struct werr *err)
{
	char base[PATH_MAX];
	int r = rundir_get(base, sizeof(base), err);

	if (r < 0)
		return r;
	if (snprintf(buf, PATH_MAX, "%s/containers/%s", base, id) >= PATH_MAX)
		return werr_set(err, ENAMETOOLONG, "runtime path too long");
	return create ? util_mkdir_p(buf, 0700, err) : 0;
}

bool state_monitor_alive(const char *id)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct werr ignored;
	_cleanup_close_ int fd = -1;

	if (state_rundir(id, dir, false, &ignored) < 0)
		return false;
	snprintf(path, sizeof(path), "%s/monitor.lock", dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return false;
	return flock(fd, LOCK_SH | LOCK_NB) < 0 && errno == EWOULDBLOCK;
}

unsigned long long state_pid_start(pid_t pid)
{
	return util_pid_start(pid);
}

long long state_int(const struct record *rec, const char *key)
{
	return json_integer_value(json_object_get(rec->state, key));
}

const char *state_status(const struct record *rec)
{
	const char *s = json_string_value(json_object_get(rec->state, "Status"));

	return s ? s : "created";
}

pid_t state_running_pid(const struct record *rec)
{
	pid_t pid = (pid_t)state_int(rec, "Pid");
	unsigned long long start = (unsigned long long)state_int(rec, "PidStart");

	if (pid <= 0 || strcmp(state_status(rec), "running"))
		return 0;
	return state_pid_start(pid) == start ? pid : 0;
}

static bool state_active_p(const struct record *rec)
{
	const char *s = state_status(rec);

	return !strcmp(s, "running") || !strcmp(s, "restarting") || !strcmp(s, "paused");
}

/* why a dead monitor's container has no exit code: what the monitor could
 * not write (state-error, in the runtime directory), else a kill or reboot */
static const char *state_lost_why(const struct record *rec, char *buf, size_t size)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	_cleanup_free_ char *text = NULL;
	size_t len;
	struct werr ignored;

	if (state_rundir(rec->id, dir, false, &ignored) == 0 &&
	    snprintf(path, sizeof(path), "%s/state-error", dir) > 0 &&
	    util_read_file(AT_FDCWD, path, 1024, &text, &len, &ignored) == 0) {
		snprintf(buf, size, "exit code unknown: the monitor could not record it (%s)",
		         text);
		return buf;
	}
	return "exit code unknown: the monitor was killed or the machine restarted while the "
	       "container ran";
}

int state_reconcile(struct record *rec, struct werr *err)
{
	char now[40], msg[1400];

	if (!state_active_p(rec) || state_monitor_alive(rec->id))
		return 0;
	if (state_running_pid(rec)) {
		snprintf(msg, sizeof(msg),
		         "the monitor (pid %lld) is gone: no more logs or exit code will be "
		         "recorded; 'warren rm -f' removes the container",
		         state_int(rec, "MonitorPid"));
		json_object_set_new(rec->state, "Error", json_string(msg));
		return 0;
	}
	state_now(now);
	json_object_set_new(rec->state, "Status", json_string("exited"));
	json_object_set_new(rec->state, "ExitCode", json_integer(255));
	json_object_set_new(rec->state, "FinishedAt", json_string(now));
	json_object_set_new(rec->state, "Pid", json_integer(0));
	json_object_set_new(rec->state, "Error",
	                    json_string(state_lost_why(rec, msg, sizeof(msg))));
	return record_save_state(rec, err);
}

int state_refresh(struct record *rec, struct werr *err)
{
	_cleanup_close_ int lk = -1;
	json_t *fresh;

	if (!state_active_p(rec) || state_monitor_alive(rec->id))
		return 0;
	lk = record_lock(rec, err);
	if (lk < 0)
		return lk;
	/* the monitor may have written the exit just now: decide on the file */
	{
		struct record again;
		if (record_load_dir(rec->dir, &again, err) < 0)
			return -err->code;
		fresh = json_incref(again.state);
		record_free(&again);
	}
	json_decref(rec->state);
	rec->state = fresh;
	return state_reconcile(rec, err);
}

void state_now(char buf[40])
{
	util_now_rfc3339(buf); /* warren-monitor writes the same format */
}

int64_t state_time_ns(const char *s)
{
	struct tm tm = { 0 };
	const char *p;
	int64_t ns = 0, scale = 100000000;

	if (!s || !*s)
		return 0;
	p = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm);
	if (!p)
		return 0;
	if (*p == '.')
		for (p++; *p >= '0' && *p <= '9'; p++, scale /= 10)
			ns += (*p - '0') * scale;
	return (int64_t)timegm(&tm) * 1000000000LL + ns;
}

void state_human_duration(int64_t secs, char *buf, size_t size)
{
	int64_t m = secs / 60, h = m / 60, d = h / 24;

	if (secs < 1)
		snprintf(buf, size, "Less than a second");
	else if (secs == 1)
		snprintf(buf, size, "1 second");
	else if (secs < 60)
		snprintf(buf, size, "%lld seconds", (long long)secs);
	else if (m == 1)
		snprintf(buf, size, "About a minute");
	else if (m < 60)
		snprintf(buf, size, "%lld minutes", (long long)m);
	else if (h == 1)
		snprintf(buf, size, "About an hour");
	else if (h < 48)
		snprintf(buf, size, "%lld hours", (long long)h);
	else if (d < 14)
		snprintf(buf, size, "%lld days", (long long)d);
	else if (d < 7 * 8)
		snprintf(buf, size, "%lld weeks", (long long)(d / 7));
	else if (d < 365 * 2)
		snprintf(buf, size, "%lld months", (long long)(d / 30));
	else
		snprintf(buf, size, "%lld years", (long long)(d / 365));
}

static int64_t state_age(const struct record *rec, const char *key)
{
	char now[40];
	int64_t t = state_time_ns(json_string_value(json_object_get(rec->state, key)));

	state_now(now);
	return t ? (state_time_ns(now) - t) / 1000000000LL : 0;
}

void state_status_text(const struct record *rec, char *buf, size_t size)
{
	const char *s = state_status(rec);
	/* the monitor found warren-net or warren-overlay gone and stops the
	 * container (or did) */
	bool net_lost = json_is_true(json_object_get(rec->state, "NetworkLost"));
	bool ovl_lost = json_is_true(json_object_get(rec->state, "OverlayLost"));
	const char *lost = net_lost ? " (network lost)" : ovl_lost ? " (overlay lost)" : "";
	char d[64];

	if (!strcmp(s, "running") || !strcmp(s, "paused")) {
		state_human_duration(state_age(rec, "StartedAt"), d, sizeof(d));
		if (!*lost && json_object_get(rec->state, "Error"))
			lost = " (monitor lost)";
		const char *h = health_status(rec);
		snprintf(buf, size, "Up %s%s%s%s%s%s", d, !strcmp(s, "paused") ? " (Paused)" : "",
		         lost,
		         !strcmp(h, "none")       ? ""
		         : !strcmp(h, "starting") ? " (health: "
		                                  : " (",
		         !strcmp(h, "none") ? "" : h, !strcmp(h, "none") ? "" : ")");
	} else if (!strcmp(s, "restarting")) {
		state_human_duration(state_age(rec, "FinishedAt"), d, sizeof(d));
		snprintf(buf, size, "Restarting (%lld) %s ago%s", state_int(rec, "ExitCode"), d,
		         lost);
	} else if (!strcmp(s, "exited")) {
		state_human_duration(state_age(rec, "FinishedAt"), d, sizeof(d));
		snprintf(buf, size, "Exited (%lld) %s ago%s", state_int(rec, "ExitCode"), d, lost);
	} else {
		snprintf(buf, size, "Created");
	}
}
