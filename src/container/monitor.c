/* monitor.c - the per-container monitor, warren's half: a double-forked,
 * setsid process that starts the container, then execs warren-monitor (the
 * small idle half, monitor/) in the same process; at the exit warren-monitor
 * execs `warren container cleanup` back into this file, which stops
 * warren-net and warren-overlay, honours --restart (start again, exec the
 * idle half again) and --rm. Its stdio is /dev/null: errors go to state.json. */
#include "monitor.h"
#include "network.h"
#include "ctrevents.h"
#include "ctrcgroup.h"
#include "attach_proto.h"
#include "cleanup.h"
#include "config.h"
#include "health.h"
#include "lifecycle.h"
#include "monitor_proto.h"
#include "state.h"
#include "util.h"
#include "volume.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

struct monitor {
	struct monitor_params *p;
	char rundir[PATH_MAX];
	struct monitor_args a; /* what the idle half is handed */
	char warren[PATH_MAX], idle[PATH_MAX + 32], log_path[PATH_MAX + 16];
};

/* keep only @keep open: the CLI's terminal, its record lock and whatever bats
 * or a shell left open must not live on in a long-running process */
static void monitor_close_fds(const int *keep, size_t n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int dfd = d ? dirfd(d) : -1;

	if (!d)
		return;
	while ((de = readdir(d))) {
		int fd = atoi(de->d_name);
		bool kept = fd == dfd || de->d_name[0] == '.';
		for (size_t i = 0; i < n && !kept; i++)
			kept = keep[i] == fd;
		if (!kept && fd > 2)
			close(fd);
	}
	closedir(d);
}

static void monitor_state_set(struct monitor *m, const char *key, json_t *v)
{
	json_object_set_new(m->p->rec->state, key, v);
}

/* write state.json; @locked: the caller holds the record lock already */
static void monitor_state_save(struct monitor *m, bool locked)
{
	struct werr err;
	int lk = locked ? -1 : record_lock(m->p->rec, &err);

	record_save_state(m->p->rec, &err);
	if (lk >= 0)
		close(lk);
}

/* warren itself, and warren-monitor found as warren's other helpers are */
static int monitor_programs(struct monitor *m, struct werr *err)
{
	ssize_t n = readlink("/proc/self/exe", m->warren, sizeof(m->warren) - 1);

	if (n < 0)
		return werr_errno(err, errno, "finding warren's own path");
	m->warren[n] = '\0';
	if (util_find_program(MONITOR_PROG, "monitor", false, m->idle, sizeof(m->idle)) == 0)
		return 0;
	return werr_set(err, ENOENT,
	                "%s is missing: warren is not completely installed (expected next to %s "
	                "or in ../libexec/warren/; reinstall with meson install)",
	                MONITOR_PROG, m->warren);
}

static int monitor_log_open(struct monitor *m, struct werr *err)
{
	json_t *cfg = m->p->rec->config;

	snprintf(m->log_path, sizeof(m->log_path), "%s/ctr.log", m->p->rec->dir);
	m->a.log_path = m->log_path;
	m->a.log_max_size = config_get_int(cfg, "HostConfig.LogConfig.Config.max-size");
	m->a.log_max_file = (int)config_get_int(cfg, "HostConfig.LogConfig.Config.max-file");
	m->a.log_fd = open(m->log_path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (m->a.log_fd < 0)
		return werr_errno(err, errno, "open the log %s", m->log_path);
	return 0;
}

/* whether the idle half records a coming exit as "restarting" */
static enum monitor_restart monitor_restart_mode(struct monitor *m)
{
	json_t *pol =
	    json_object_get(json_object_get(m->p->rec->config, "HostConfig"), "RestartPolicy");
	const char *name = json_string_value(json_object_get(pol, "Name"));
	int max = (int)json_integer_value(json_object_get(pol, "MaximumRetryCount"));

	if (name && (!strcmp(name, "always") || !strcmp(name, "unless-stopped")))
		return MONITOR_RESTART_ALWAYS;
	if (name && !strcmp(name, "on-failure") && (max == 0 || m->a.restarts < max))
		return MONITOR_RESTART_ON_FAILURE;
	return MONITOR_RESTART_NO;
}

/* how the idle half stops the container when its network is lost: as
 * `warren stop` does, with the container's StopSignal and StopTimeout */
static void monitor_stop_mode(struct monitor *m)
{
	const char *s = config_get(m->p->rec->config, "Config.StopSignal");
	struct werr ignored;

	m->a.stop_signal = SIGTERM;
	if (s && *s && lifecycle_signal_parse(s, &m->a.stop_signal, &ignored) < 0)
		m->a.stop_signal = SIGTERM;
	m->a.stop_timeout = (int)config_get_int(m->p->rec->config, "Config.StopTimeout");
	if (m->a.stop_timeout < 0)
		m->a.stop_timeout = 10;
	m->a.health_interval_ms = health_configured_p(m->p->rec->config)
	                              ? health_interval_ns(m->p->rec->config) / 1000000
	                              : 0;
}

/* pipes, or -t, for one run of the container */
static int monitor_stdio(struct monitor *m, struct container_stdio *io, int child_fds[3],
                         struct werr *err)
{
	int out[2], er[2], in[2];

	child_fds[0] = child_fds[1] = child_fds[2] = -1;
	m->a.in_fd = -1;
	if (m->a.tty) {
		/* the container's process opens it in its devpts: see console.h */
		*io = (struct container_stdio){ -1, -1, -1, true, m->p->ws, -1 };
		return 0;
	}
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	m->a.out_fd = out[0];
	m->a.err_fd = er[0];
	*io = (struct container_stdio){ -1, out[1], er[1], false, { 0 }, -1 };
	child_fds[1] = out[1];
	child_fds[2] = er[1];
	if (m->p->spec->keep_stdin) {
		if (pipe2(in, O_CLOEXEC) < 0)
			return werr_errno(err, errno, "pipe");
		fcntl(in[1], F_SETFL, O_NONBLOCK);
		io->in = in[0];
		child_fds[0] = in[0];
		m->a.in_fd = in[1];
	}
	return 0;
}

/* the restart delay: Docker's doubling from 100 ms, at most a minute */
static void monitor_backoff(int restarts)
{
	long ms = 100L << (restarts < 10 ? restarts : 10);
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	if (ms > 60000)
		ts = (struct timespec){ 60, 0 };
	nanosleep(&ts, NULL);
}

static void monitor_record_start(struct monitor *m)
{
	char now[40];

	state_now(now);
	monitor_state_set(m, "Status", json_string("running"));
	monitor_state_set(m, "Pid", json_integer(m->a.pid));
	monitor_state_set(m, "PidStart", json_integer((json_int_t)state_pid_start(m->a.pid)));
	monitor_state_set(m, "MonitorPid", json_integer(getpid()));
	monitor_state_set(m, "StartedAt", json_string(now));
	monitor_state_set(m, "ExitCode", json_integer(0));
	monitor_state_set(m, "RestartCount", json_integer(m->a.restarts));
	json_object_del(m->p->rec->state, "Error");
	json_object_del(m->p->rec->state, "NetworkLost");
	json_object_del(m->p->rec->state, "OverlayLost");
	json_object_del(m->p->rec->state, "OOMKilled");
	monitor_state_save(m, true);
}

static void monitor_record_exit(struct monitor *m, int code, const char *error)
{
	char now[40];

	state_now(now);
	monitor_state_set(m, "Status", json_string("exited"));
	monitor_state_set(m, "Pid", json_integer(0));
	monitor_state_set(m, "ExitCode", json_integer(code));
	monitor_state_set(m, "FinishedAt", json_string(now));
	if (error)
		monitor_state_set(m, "Error", json_string(error));
	monitor_state_save(m, false);
}

/* run the container once, the record's lock held by the caller */
static int monitor_run_once(struct monitor *m, int ready_fd, int *status, struct werr *err)
{
	struct container_stdio io;
	int child_fds[3];
	int r = monitor_log_open(m, err);

	if (r == 0)
		r = monitor_stdio(m, &io, child_fds, err);
	if (r == 0)
		r = container_create(m->p->spec, &io, &m->a.pid, status, err);
	for (int i = 0; i < 3; i++)
		if (child_fds[i] >= 0)
			close(child_fds[i]);
	if (r < 0)
		return r;
	if (m->a.tty) {
		/* the idle half reads the master and writes what is typed to a dup */
		m->a.out_fd = io.master;
		m->a.in_fd = fcntl(io.master, F_DUPFD_CLOEXEC, 3);
		if (m->a.in_fd < 0) {
			kill(m->a.pid, SIGKILL);
			return werr_errno(err, errno, "dup of the terminal's master");
		}
		fcntl(m->a.in_fd, F_SETFL, O_NONBLOCK);
		m->a.err_fd = -1;
	}
	m->a.net_pid = m->p->spec->net.helper;
	m->a.overlay_pid = m->p->spec->overlay_daemon;
	m->a.restart = monitor_restart_mode(m);
	monitor_stop_mode(m);
	monitor_record_start(m);
	if (ready_fd >= 0) {
		char msg[32];
		int n = snprintf(msg, sizeof(msg), "0 %d", (int)m->a.pid);
		util_write_all(ready_fd, msg, (size_t)n);
	}
	return 0;
}

static int monitor_setup(struct monitor *m, struct werr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	sigset_t set;
	int r;

	if (chdir(m->rundir) < 0)
		return werr_errno(err, errno, "chdir %s", m->rundir);
	m->a.lock_fd = open("monitor.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (m->a.lock_fd < 0 || flock(m->a.lock_fd, LOCK_EX) < 0)
		return werr_errno(err, errno, "monitor lock");
	unlink("stopping");
	unlink("log-error");
	unlink("state-error");
	/* blocked from now on, and across the execs: an exit is never missed */
	monitor_signals_block(&set);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "attach.sock");
	unlink(sa.sun_path);
	m->a.listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->a.listen_fd < 0 || bind(m->a.listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(m->a.listen_fd, 8) < 0)
		return werr_errno(err, errno, "attach socket");
	r = monitor_programs(m, err);
	return r;
}

/* the runtime directory goes, but for what state.json could not take (a
 * full store): ps and rm read it from there */
static void monitor_rundir_remove(struct monitor *m)
{
	char *lost = NULL, path[PATH_MAX + 16];
	size_t len;
	struct werr err;

	util_read_file(AT_FDCWD, "state-error", 4096, &lost, &len, &err);
	util_rm_rf(m->rundir);
	/* (unless --rm took the record) */
	if (lost && m->p->rec->dir[0] && access(m->p->rec->dir, F_OK) == 0 &&
	    util_mkdir_p(m->rundir, 0700, &err) == 0) {
		snprintf(path, sizeof(path), "%s/state-error", m->rundir);
		util_write_file_atomic(AT_FDCWD, path, lost, len, 0600, &err);
		free(lost);
		return;
	}
	free(lost);
	/* the last one out leaves the runtime directory as it found it */
	*strrchr(m->rundir, '/') = '\0';
	rmdir(m->rundir);
}

/* --rm, the runtime directory, and only then the exit code to the attached
 * clients: `run --rm` returns once nothing is left */
__attribute__((noreturn)) static void monitor_finish(struct monitor *m, int code)
{
	struct werr err;
	int32_t c32 = code;
	char msg[1 + sizeof(c32)] = { ATTACH_EXIT };

	if (m->p->rec->config &&
	    json_is_true(
	        json_object_get(json_object_get(m->p->rec->config, "HostConfig"), "AutoRemove"))) {
		int lk = record_lock(m->p->rec, &err);
		struct gopts store;
		/* Docker's --rm takes the container's anonymous volumes too */
		record_store(m->p->rec, &store);
		volume_remove_anonymous(&store, m->p->rec->config, m->p->rec->id);
		network_release_config(&store, m->p->rec->config, m->p->rec->id);
		if (record_remove(m->p->rec, &err) == 0)
			ctrevents_record(m->p->rec, "destroy", NULL);
		if (lk >= 0)
			close(lk);
	} else if (m->p->rec->config) {
		/* Docker's DNS answers for running containers only; under the
		 * record's lock, and not when a start came first (restart) */
		int lk = record_lock(m->p->rec, &err);
		struct gopts store;
		struct record now;
		record_store(m->p->rec, &store);
		if (lk >= 0 && record_load_dir(m->p->rec->dir, &now, &err) == 0) {
			const char *st = state_status(&now);
			if (strcmp(st, "running") && strcmp(st, "restarting"))
				network_unname_config(&store, now.config, now.id);
			record_free(&now);
		}
		if (lk >= 0)
			close(lk);
	}
	monitor_rundir_remove(m);
	memcpy(msg + 1, &c32, sizeof(c32));
	for (size_t i = 0; i < m->a.n_clients; i++)
		monitor_client_end(m->a.clients[i], msg, sizeof(msg));
	_exit(0);
}

/* become warren-monitor; if that fails, end the container and say why */
__attribute__((noreturn)) static void monitor_exec_idle(struct monitor *m)
{
	static char store[16384];
	char *argv[MONITOR_MAX_ARGS + 2], msg[PATH_MAX + 128];

	m->a.id = m->p->rec->id;
	m->a.record_dir = m->p->rec->dir;
	m->a.warren = m->warren;
	argv[0] = m->idle;
	errno = E2BIG;
	if (monitor_args_format(&m->a, store, sizeof(store), argv, 1) >= 0) {
		monitor_args_inherit(&m->a);
		execv(m->idle, argv);
	}
	snprintf(msg, sizeof(msg), "running %s: %s", m->idle, strerror(errno));
	kill(m->a.pid, SIGKILL);
	while (waitpid(m->a.pid, NULL, 0) < 0 && errno == EINTR)
		;
	container_helpers_stop(m->p->spec);
	monitor_record_exit(m, EXIT_WARREN, msg);
	monitor_finish(m, EXIT_WARREN);
}

__attribute__((noreturn)) static void monitor_main(struct monitor_params *p, int ready_fd)
{
	struct monitor m = { .p = p };
	struct werr err = { 0 };
	int status = EXIT_WARREN;
	int keep[2] = { ready_fd, p->client_fd };
	int null;

	monitor_close_fds(keep, 2);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 3; i++)
		dup2(null, i);
	close(null);
	m.a = (struct monitor_args){ .lock_fd = -1,
		                     .listen_fd = -1,
		                     .out_fd = -1,
		                     .err_fd = -1,
		                     .in_fd = -1,
		                     .log_fd = -1 };
	m.a.tty = json_is_true(json_object_get(json_object_get(p->rec->config, "Config"), "Tty"));
	snprintf(m.rundir, sizeof(m.rundir), "%s", p->spec->state_dir);
	if (p->client_fd >= 0)
		m.a.clients[m.a.n_clients++] = p->client_fd;
	if (monitor_setup(&m, &err) < 0 || monitor_run_once(&m, ready_fd, &status, &err) < 0) {
		char msg[WERR_MSG_MAX + 16];
		int n = snprintf(msg, sizeof(msg), "%d %s", status, err.msg);
		util_write_all(ready_fd, msg,
		               (size_t)(n < (int)sizeof(msg) ? n : (int)sizeof(msg) - 1));
		/* the caller holds the lock and records the failure */
		util_rm_rf(m.rundir);
		_exit(EXIT_WARREN);
	}
	close(ready_fd);
	monitor_exec_idle(&m);
}

/* --restart: start it again under the record's lock (an rm -f marks
 * "stopping" under it before it looks) */
static void monitor_restart(struct monitor *m)
{
	struct werr err = { 0 };
	int status = EXIT_WARREN, lk;

	monitor_backoff(m->a.restarts);
	lk = record_lock(m->p->rec, &err);
	if (lk < 0)
		return;
	record_free(m->p->rec);
	if (record_load_dir(m->a.record_dir, m->p->rec, &err) < 0) {
		close(lk);
		return;
	}
	if (access("stopping", F_OK) == 0) {
		close(lk);
		monitor_record_exit(m, m->a.code, NULL);
		return;
	}
	m->a.restarts++;
	if (config_to_spec(m->p->rec->config, m->p->spec, &err) == 0) {
		snprintf(m->p->spec->state_dir, sizeof(m->p->spec->state_dir), "%s", m->rundir);
		if (monitor_programs(m, &err) == 0 && monitor_run_once(m, -1, &status, &err) == 0) {
			close(lk);
			monitor_exec_idle(m);
		}
	}
	close(lk);
	monitor_record_exit(m, status, err.msg);
	m->a.code = status;
}

int monitor_cleanup(int argc, char **argv)
{
	struct container_spec spec;
	struct record rec = { 0 };
	struct monitor_params p = { &rec, &spec, -1, { 0 } };
	struct monitor m = { .p = &p };
	struct werr err = { 0 };

	if (monitor_args_parse(argc, argv, 1, &m.a, &err) < 0 ||
	    !getcwd(m.rundir, sizeof(m.rundir)))
		return EXIT_WARREN;
	/* warren-net and warren-overlay end with the container */
	memset(&spec, 0, sizeof(spec));
	spec.net.helper = m.a.net_pid;
	spec.overlay_daemon = m.a.overlay_pid;
	container_helpers_stop(&spec);
	m.a.net_pid = m.a.overlay_pid = 0;
	if (record_load_dir(m.a.record_dir, &rec, &err) == 0) {
		/* OOMKilled, and no cgroup left behind (a restart makes a new one) */
		ctrcgroup_exited(&rec);
		ctrevents_record(&rec, "die",
		                 json_pack("{s:o}", "exitCode", json_sprintf("%d", m.a.code)));
	}
	if (rec.config && m.a.restarting)
		monitor_restart(&m);
	monitor_finish(&m, m.a.code);
}

/* the caller's side: "0 PID" once the container runs, "CODE message" if not */
static int monitor_wait_ready(int fd, pid_t *pid, int *status, struct werr *err)
{
	char buf[WERR_MSG_MAX + 32];
	size_t got = 0;
	char *sp;

	got = container_read_report(fd, buf, sizeof(buf));
	if (got == 0) {
		*status = EXIT_WARREN;
		return werr_set(err, EIO, "the container's monitor died while starting it");
	}
	*status = atoi(buf);
	sp = strchr(buf, ' ');
	if (*status == 0) {
		*pid = sp ? atoi(sp + 1) : 0;
		return 0;
	}
	return werr_set(err, EPERM, "%s", sp ? sp + 1 : buf);
}

int monitor_start(struct monitor_params *p, pid_t *pid, int *status, struct werr *err)
{
	int ready[2];
	pid_t mid;
	int st, r;

	*status = EXIT_WARREN;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	fflush(NULL);
	mid = fork();
	if (mid < 0) {
		close(ready[0]);
		close(ready[1]);
		return werr_errno(err, errno, "fork");
	}
	if (mid == 0) {
		close(ready[0]);
		if (setsid() < 0)
			_exit(EXIT_WARREN);
		mid = fork();
		if (mid < 0)
			_exit(EXIT_WARREN);
		if (mid == 0)
			monitor_main(p, ready[1]);
		_exit(0);
	}
	close(ready[1]);
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	r = monitor_wait_ready(ready[0], pid, status, err);
	close(ready[0]);
	return r;
}
