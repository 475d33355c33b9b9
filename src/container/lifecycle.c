/* lifecycle.c - start, stop, kill, wait and remove, for the short-lived CLI.
 * Never holds a record lock while it waits for a process: the monitor needs
 * the lock to record the exit. */
#include "lifecycle.h"
#include "network.h"
#include "ctrevents.h"
#include "ctrcgroup.h"
#include "cleanup.h"
#include "config.h"
#include "monitor.h"
#include "netref.h"
#include "state.h"
#include "util.h"
#include "volume.h"

#include <ctype.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

static const struct {
	const char *name;
	int sig;
} signal_names[] = {
	{ "HUP", SIGHUP },       { "INT", SIGINT },   { "QUIT", SIGQUIT },     { "ILL", SIGILL },
	{ "TRAP", SIGTRAP },     { "ABRT", SIGABRT }, { "IOT", SIGIOT },       { "BUS", SIGBUS },
	{ "FPE", SIGFPE },       { "KILL", SIGKILL }, { "USR1", SIGUSR1 },     { "SEGV", SIGSEGV },
	{ "USR2", SIGUSR2 },     { "PIPE", SIGPIPE }, { "ALRM", SIGALRM },     { "TERM", SIGTERM },
	{ "STKFLT", SIGSTKFLT }, { "CHLD", SIGCHLD }, { "CONT", SIGCONT },     { "STOP", SIGSTOP },
	{ "TSTP", SIGTSTP },     { "TTIN", SIGTTIN }, { "TTOU", SIGTTOU },     { "URG", SIGURG },
	{ "XCPU", SIGXCPU },     { "XFSZ", SIGXFSZ }, { "VTALRM", SIGVTALRM }, { "PROF", SIGPROF },
	{ "WINCH", SIGWINCH },   { "IO", SIGIO },     { "PWR", SIGPWR },       { "SYS", SIGSYS },
};

int lifecycle_signal_parse(const char *s, int *sig, struct werr *err)
{
	const char *n = s;
	char *end;
	long v;

	if (isdigit((unsigned char)*s)) {
		errno = 0;
		v = strtol(s, &end, 10);
		if (!errno && !*end && v >= 1 && v <= SIGRTMAX) {
			*sig = (int)v;
			return 0;
		}
	} else {
		if (!strncasecmp(n, "SIG", 3))
			n += 3;
		for (size_t i = 0; i < ARRAY_SIZE(signal_names); i++)
			if (!strcasecmp(n, signal_names[i].name)) {
				*sig = signal_names[i].sig;
				return 0;
			}
		if (!strncasecmp(n, "RTMIN+", 6) || !strncasecmp(n, "RTMAX-", 6)) {
			v = strtol(n + 6, &end, 10);
			if (!*end && v >= 0 && SIGRTMIN + v <= SIGRTMAX) {
				*sig = toupper((unsigned char)n[4]) == 'I' ? SIGRTMIN + (int)v
				                                           : SIGRTMAX - (int)v;
				return 0;
			}
		}
	}
	return werr_set(err, EINVAL,
	                "invalid signal \"%s\": use a name such as TERM, SIGKILL or a number "
	                "from 1 to %d",
	                s, SIGRTMAX);
}

/* Return: -ENOENT when the record is gone; another error when what was
 * found could not be recorded (rec->state is up to date even so) */
static int reload(struct record *rec, bool locked, struct werr *err)
{
	struct record fresh;
	int r = record_load_dir(rec->dir, &fresh, err);

	if (r < 0)
		return werr_set(err, ENOENT, "no such container: %.12s", rec->id);
	record_free(rec);
	*rec = fresh;
	return locked ? state_reconcile(rec, err) : state_refresh(rec, err);
}

int lifecycle_reload(struct record *rec, struct werr *err)
{
	return reload(rec, false, err);
}

int lifecycle_reload_locked(struct record *rec, struct werr *err)
{
	return reload(rec, true, err);
}

int lifecycle_start(struct record *rec, int client_fd, const struct winsize *ws, int *status,
                    struct werr *err)
{
	struct container_spec spec;
	struct monitor_params p = { rec, &spec, client_fd, { 0 } };
	_cleanup_close_ int lk = -1;
	struct gopts store;
	pid_t pid;
	int r;

	*status = EXIT_WARREN;
	lk = record_lock(rec, err);
	if (lk < 0)
		return lk;
	r = lifecycle_reload_locked(rec, err);
	if (r < 0)
		return r;
	if (!strcmp(state_status(rec), "running") || !strcmp(state_status(rec), "restarting")) {
		*status = 0;
		return 0;
	}
	if (ws)
		p.ws = *ws;
	r = config_to_spec(rec->config, &spec, err);
	if (r < 0) {
		/* nothing was started (a stored ID plan /etc/subuid no longer
		 * grants, a record that cannot be read): the record stays as it is */
		config_spec_free(&spec);
		return r;
	}
	if (spec.net.mode == NET_MODE_CONTAINER) {
		record_store(rec, &store);
		r = netref_resolve(&store, &spec.net, true, NULL, 0, err);
	} else if (spec.net.mode == NET_MODE_BRIDGE) {
		record_store(rec, &store);
		r = network_attach_all(&store, &spec.net, rec->id, record_name(rec), NULL, err);
	}
	if (r == 0)
		r = state_rundir(rec->id, spec.state_dir, true, err);
	if (r == 0)
		r = monitor_start(&p, &pid, status, err);
	if (r == 0)
		ctrevents_record(rec, "start", NULL);
	if (r < 0 && *status != 0) {
		/* Docker keeps the container, with the reason, in "created"/"exited" */
		struct werr ignored;
		json_object_set_new(rec->state, "Status", json_string("exited"));
		json_object_set_new(rec->state, "ExitCode", json_integer(*status));
		json_object_set_new(rec->state, "Error", json_string(err->msg));
		record_save_state(rec, &ignored);
	}
	config_spec_free(&spec);
	return r;
}

static void mark_stopping(const struct record *rec)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	struct werr ignored;
	int fd;

	if (state_rundir(rec->id, dir, false, &ignored) < 0)
		return;
	snprintf(path, sizeof(path), "%s/stopping", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
}

static int pidfd_of(pid_t pid)
{
	return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* true when @pidfd's process is gone within @ms (-1: forever) */
static bool pid_gone(int pidfd, int ms)
{
	struct pollfd pf = { pidfd, POLLIN, 0 };
	int r;

	if (pidfd < 0)
		return true;
	do
		r = poll(&pf, 1, ms);
	while (r < 0 && errno == EINTR);
	return r > 0;
}

/* true when the monitor of @rec is gone (its lock free) within @ms; woken
 * by its pidfd, not by polling the lock */
static bool monitor_gone(const struct record *rec, int ms)
{
	pid_t mpid = (pid_t)state_int(rec, "MonitorPid");
	_cleanup_close_ int pidfd = mpid > 0 ? pidfd_of(mpid) : -1;
	struct timespec t0, t;

	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (state_monitor_alive(rec->id)) {
		long spent;
		clock_gettime(CLOCK_MONOTONIC, &t);
		spent = (t.tv_sec - t0.tv_sec) * 1000 + (t.tv_nsec - t0.tv_nsec) / 1000000;
		if (spent >= ms)
			return false;
		/* a reused MonitorPid never signals: look at the lock now and then */
		if (pidfd < 0 || pid_gone(pidfd, 100))
			usleep(pidfd < 0 ? 10000 : 1000);
	}
	return true;
}

/* a stop's reload of @rec: a record gone since the caller found it was a
 * --rm container removed as it stopped, which Docker reports as stopped.
 * Return: 0, 1 when gone, or a negative errno with @err set */
static int reload_stopping(struct record *rec, struct werr *err)
{
	int r = lifecycle_reload(rec, err);

	if (r != -ENOENT)
		return r;
	*err = (struct werr){ 0 };
	return 1;
}

/* the monitor records the exit and goes away; then the record is final */
static int wait_recorded(struct record *rec, struct werr *err)
{
	int r;

	monitor_gone(rec, 10000);
	r = reload_stopping(rec, err);
	return r < 0 ? r : 0;
}

int lifecycle_kill(struct record *rec, int sig, struct werr *err)
{
	pid_t pid;
	int r = lifecycle_reload(rec, err);

	if (r < 0)
		return r;
	pid = state_running_pid(rec);
	if (!pid)
		return werr_set(err, EINVAL, "container %s is not running", record_name(rec));
	if (sig == SIGKILL || sig == SIGTERM || sig == SIGINT)
		mark_stopping(rec);
	/* logged first: the monitor's die must come after it */
	ctrevents_record(rec, "kill", json_pack("{s:o}", "signal", json_sprintf("%d", sig)));
	if (kill(pid, sig) < 0)
		return werr_errno(err, errno, "sending signal %d to container %s", sig,
		                  record_name(rec));
	return 0;
}

int lifecycle_stop(struct record *rec, int sig, int timeout, struct werr *err)
{
	_cleanup_close_ int pidfd = -1;
	pid_t pid;
	int r = reload_stopping(rec, err);

	if (r != 0)
		return r < 0 ? r : 0;
	if (!sig) {
		const char *s = config_get(rec->config, "Config.StopSignal");
		sig = SIGTERM;
		if (s && lifecycle_signal_parse(s, &sig, err) < 0)
			return r;
	}
	if (timeout < 0)
		timeout = (int)config_get_int(rec->config, "Config.StopTimeout");
	mark_stopping(rec);
	pid = state_running_pid(rec);
	if (!pid)
		return wait_recorded(rec, err);
	pidfd = pidfd_of(pid);
	/* Docker's order: kill (each signal), die (the monitor), stop */
	ctrevents_record(rec, "kill", json_pack("{s:o}", "signal", json_sprintf("%d", sig)));
	if (kill(pid, sig) < 0 && errno != ESRCH)
		return werr_errno(err, errno, "stopping container %s", record_name(rec));
	if (!pid_gone(pidfd, timeout * 1000)) {
		ctrevents_record(rec, "kill", json_pack("{s:s}", "signal", "9"));
		kill(pid, SIGKILL);
		pid_gone(pidfd, -1);
	}
	r = wait_recorded(rec, err);
	if (r == 0)
		ctrevents_record(rec, "stop", NULL);
	return r;
}

int lifecycle_wait(struct record *rec, int *code, struct werr *err)
{
	for (;;) {
		pid_t pid;
		_cleanup_close_ int pidfd = -1;
		int r = lifecycle_reload(rec, err);

		if (r < 0)
			return r;
		if (!strcmp(state_status(rec), "exited") || !strcmp(state_status(rec), "created")) {
			*code = (int)state_int(rec, "ExitCode");
			return 0;
		}
		pid = state_running_pid(rec);
		if (pid) {
			pidfd = pidfd_of(pid);
			pid_gone(pidfd, 500);
		} else {
			usleep(20000);
		}
	}
}

/* under the lock: a starting monitor is done starting (start holds the
 * lock) and a restarting one sees "stopping" before it starts again */
static int remove_locked(struct record *rec, bool volumes, struct werr *err)
{
	char dir[PATH_MAX];
	struct gopts store;
	int r;

	record_store(rec, &store);
	if (volumes)
		volume_remove_anonymous(&store, rec->config, rec->id);
	network_release_config(&store, rec->config, rec->id);
	if (state_rundir(rec->id, dir, false, err) == 0)
		util_rm_rf(dir);
	ctrcgroup_remove(rec->id);
	r = record_remove(rec, err);
	if (r == 0)
		ctrevents_record(rec, "destroy", NULL);
	return r;
}

int lifecycle_remove(struct record *rec, bool force, bool volumes, struct werr *err)
{
	for (int round = 0;; round++) {
		_cleanup_close_ int lk = record_lock(rec, err), pidfd = -1;
		pid_t pid;
		int r = lk < 0 ? lk : lifecycle_reload_locked(rec, err);

		/* --rm: the monitor removed it while we waited */
		if (r == -ENOENT)
			return round > 0
			           ? 0
			           : werr_set(err, ENOENT, "no such container: %.12s", rec->id);
		if (lk < 0)
			return lk;
		/* any other failure is recording a lost monitor's exit on a full
		 * store: the state in memory is right, and the record is going */
		pid = state_running_pid(rec);
		if (!pid && !state_monitor_alive(rec->id))
			return remove_locked(rec, volumes, err);
		if (!force)
			return werr_set(err, EBUSY,
			                "container %s is running: stop it first, or use rm -f to "
			                "kill and remove it",
			                record_name(rec));
		mark_stopping(rec);
		if (pid) {
			pidfd = pidfd_of(pid);
			kill(pid, SIGKILL);
		}
		if (round >= 2 && state_monitor_alive(rec->id)) /* hung after 20 s */
			kill((pid_t)state_int(rec, "MonitorPid"), SIGKILL);
		/* the monitor needs the lock to record the exit */
		close(lk);
		lk = -1;
		pid_gone(pidfd, 10000);
		monitor_gone(rec, 10000);
	}
}
