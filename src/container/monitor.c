/* monitor.c - the per-container monitor process. It must stay tiny and never
 * block on a client: one poll loop, no threads, no allocation per chunk. It
 * never prints: its stdio is /dev/null, errors go to state.json. */
#include "monitor.h"
#include "attach_proto.h"
#include "cleanup.h"
#include "config.h"
#include "logfile.h"
#include "state.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define MAX_CLIENTS 16

struct monitor {
	struct monitor_params *p;
	char rundir[PATH_MAX];
	int sigfd, listen_fd;
	int out_fd, err_fd; /* read ends (out_fd is the pty master with -t) */
	int in_fd;          /* write end of the container's stdin, or -1 */
	bool tty;
	pid_t pid;
	int clients[MAX_CLIENTS];
	size_t n_clients;
	struct logfile log;
	bool log_error_saved;
	char pending[ATTACH_MSG_MAX]; /* stdin bytes the container has not taken yet */
	size_t pending_len;
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

static void send_client(struct monitor *m, size_t i, char type, const void *data, size_t len)
{
	char buf[ATTACH_MSG_MAX + 1];

	buf[0] = type;
	if (len)
		memcpy(buf + 1, data, len);
	if (send(m->clients[i], buf, len + 1, MSG_NOSIGNAL) < 0) {
		/* gone or stuck for SO_SNDTIMEO: drop it, never the container */
		close(m->clients[i]);
		m->clients[i] = m->clients[--m->n_clients];
	}
}

static void broadcast(struct monitor *m, char type, const void *data, size_t len)
{
	for (size_t i = m->n_clients; i-- > 0;)
		send_client(m, i, type, data, len);
}

static void add_client(struct monitor *m, int fd)
{
	struct timeval tv = { 10, 0 };

	if (m->n_clients == MAX_CLIENTS) {
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	m->clients[m->n_clients++] = fd;
}

static void log_error_note(struct monitor *m)
{
	char msg[512];
	struct werr err;

	if (!m->log.error || m->log_error_saved)
		return;
	m->log_error_saved = true;
	snprintf(msg, sizeof(msg),
	         "writing the log %s: %s (the container keeps running; "
	         "output is dropped until there is room)",
	         m->log.path, strerror(m->log.error));
	/* the runtime directory is on another filesystem than a full store */
	util_write_file_atomic(AT_FDCWD, "log-error", msg, strlen(msg), 0600, &err);
	monitor_state_set(m, "LogError", json_string(msg));
	monitor_state_save(m, false);
}

/* container output: to the log and to every attached client */
static bool pump_output(struct monitor *m, int fd, char type)
{
	char buf[ATTACH_MSG_MAX];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) /* EOF, or EIO from a pty master once the slave is gone */
		return false;
	if (logfile_write(&m->log, type == ATTACH_STDOUT ? "stdout" : "stderr", buf, (size_t)n) < 0)
		log_error_note(m);
	broadcast(m, type, buf, (size_t)n);
	return true;
}

static void stdin_close(struct monitor *m)
{
	if (m->in_fd >= 0 && !m->tty)
		close(m->in_fd);
	if (!m->tty)
		m->in_fd = -1;
	m->pending_len = 0;
}

static void stdin_flush(struct monitor *m)
{
	while (m->pending_len > 0 && m->in_fd >= 0) {
		ssize_t w = write(m->in_fd, m->pending, m->pending_len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w < 0) {
			stdin_close(m);
			return;
		}
		memmove(m->pending, m->pending + w, m->pending_len - (size_t)w);
		m->pending_len -= (size_t)w;
	}
}

static void client_message(struct monitor *m, size_t i)
{
	char buf[ATTACH_MSG_MAX + 1];
	ssize_t n = recv(m->clients[i], buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		close(m->clients[i]);
		m->clients[i] = m->clients[--m->n_clients];
		return;
	}
	switch (buf[0]) {
	case ATTACH_STDIN:
		if (m->in_fd < 0 || (size_t)n - 1 > sizeof(m->pending) - m->pending_len)
			return;
		memcpy(m->pending + m->pending_len, buf + 1, (size_t)n - 1);
		m->pending_len += (size_t)n - 1;
		stdin_flush(m);
		return;
	case ATTACH_EOF:
		if (!m->tty)
			stdin_close(m);
		return;
	case ATTACH_RESIZE:
		if (m->tty && n == 5) {
			uint16_t rc[2];
			struct winsize ws = { 0 };
			memcpy(rc, buf + 1, sizeof(rc));
			ws.ws_row = rc[0];
			ws.ws_col = rc[1];
			ioctl(m->out_fd, TIOCSWINSZ, &ws);
		}
		return;
	}
}

/* poll until the first process exits and its output is drained.
 * Return: its exit code (128 + signal when killed). */
static int monitor_loop(struct monitor *m)
{
	struct pollfd pf[5 + MAX_CLIENTS];
	int code = -1, drain_rounds = 0;

	while (code < 0 || ((m->out_fd >= 0 || m->err_fd >= 0) && drain_rounds < 20)) {
		size_t n = 0, base;
		int r;

		pf[n++] = (struct pollfd){ m->sigfd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ m->listen_fd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ m->out_fd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ m->err_fd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ m->pending_len ? m->in_fd : -1, POLLOUT, 0 };
		base = n;
		for (size_t i = 0; i < m->n_clients; i++)
			pf[n++] = (struct pollfd){ m->pending_len ? -1 : m->clients[i], POLLIN, 0 };
		r = poll(pf, n, code < 0 ? -1 : 100);
		if (r < 0 && errno == EINTR)
			continue;
		if (code >= 0 && r == 0)
			drain_rounds++;
		if (pf[0].revents) {
			struct signalfd_siginfo si;
			int st;
			if (read(m->sigfd, &si, sizeof(si)) > 0 &&
			    waitpid(m->pid, &st, WNOHANG) == m->pid)
				code = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
		}
		if (pf[1].revents & POLLIN) {
			int c = accept4(m->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0)
				add_client(m, c);
		}
		if (pf[2].revents && !pump_output(m, m->out_fd, ATTACH_STDOUT)) {
			close(m->out_fd);
			if (m->tty)
				m->in_fd = -1;
			m->out_fd = -1;
		}
		if (pf[3].revents && !pump_output(m, m->err_fd, ATTACH_STDERR)) {
			close(m->err_fd);
			m->err_fd = -1;
		}
		if (pf[4].revents)
			stdin_flush(m);
		for (size_t i = n - base; i-- > 0;)
			if (pf[base + i].revents && i < m->n_clients)
				client_message(m, i);
	}
	return code;
}

/* pipes, or a pty, for one run of the container */
static int monitor_stdio(struct monitor *m, struct container_stdio *io, int child_fds[3],
                         struct werr *err)
{
	int out[2], er[2], in[2];

	child_fds[0] = child_fds[1] = child_fds[2] = -1;
	m->in_fd = -1;
	if (m->tty) {
		int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), slave;
		if (master < 0 || grantpt(master) < 0 || unlockpt(master) < 0)
			return werr_errno(err, errno, "allocating a pseudo-terminal");
		slave = open(ptsname(master), O_RDWR | O_NOCTTY | O_CLOEXEC);
		if (slave < 0)
			return werr_errno(err, errno, "opening the pseudo-terminal");
		if (m->p->ws.ws_row)
			ioctl(master, TIOCSWINSZ, &m->p->ws);
		m->out_fd = master;
		m->in_fd = dup(master);
		fcntl(m->in_fd, F_SETFD, FD_CLOEXEC);
		fcntl(m->in_fd, F_SETFL, O_NONBLOCK);
		m->err_fd = -1;
		*io = (struct container_stdio){ slave, slave, slave, true };
		child_fds[0] = slave;
		return 0;
	}
	if (pipe2(out, O_CLOEXEC) < 0 || pipe2(er, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	m->out_fd = out[0];
	m->err_fd = er[0];
	*io = (struct container_stdio){ -1, out[1], er[1], false };
	child_fds[1] = out[1];
	child_fds[2] = er[1];
	if (m->p->spec->keep_stdin) {
		if (pipe2(in, O_CLOEXEC) < 0)
			return werr_errno(err, errno, "pipe");
		fcntl(in[1], F_SETFL, O_NONBLOCK);
		io->in = in[0];
		child_fds[0] = in[0];
		m->in_fd = in[1];
	}
	return 0;
}

static void monitor_record_start(struct monitor *m, bool locked)
{
	char now[40];

	state_now(now);
	monitor_state_set(m, "Status", json_string("running"));
	monitor_state_set(m, "Pid", json_integer(m->pid));
	monitor_state_set(m, "PidStart", json_integer((json_int_t)state_pid_start(m->pid)));
	monitor_state_set(m, "MonitorPid", json_integer(getpid()));
	monitor_state_set(m, "StartedAt", json_string(now));
	monitor_state_set(m, "ExitCode", json_integer(0));
	json_object_del(m->p->rec->state, "Error");
	monitor_state_save(m, locked);
}

static void monitor_record_exit(struct monitor *m, int code, const char *error, bool restarting)
{
	char now[40];

	state_now(now);
	monitor_state_set(m, "Status", json_string(restarting ? "restarting" : "exited"));
	monitor_state_set(m, "Pid", json_integer(0));
	monitor_state_set(m, "ExitCode", json_integer(code));
	monitor_state_set(m, "FinishedAt", json_string(now));
	if (error)
		monitor_state_set(m, "Error", json_string(error));
	monitor_state_save(m, false);
}

static bool monitor_restart_p(struct monitor *m, int code, int restarts)
{
	json_t *pol =
	    json_object_get(json_object_get(m->p->rec->config, "HostConfig"), "RestartPolicy");
	const char *name = json_string_value(json_object_get(pol, "Name"));
	int max = (int)json_integer_value(json_object_get(pol, "MaximumRetryCount"));

	if (!name || access("stopping", F_OK) == 0)
		return false;
	if (!strcmp(name, "always") || !strcmp(name, "unless-stopped"))
		return true;
	return !strcmp(name, "on-failure") && code != 0 && (max == 0 || restarts < max);
}

/* run the container once; *@started tells whether it got to exec */
static int monitor_run_once(struct monitor *m, int ready_fd, int *status, struct werr *err)
{
	struct container_stdio io;
	int child_fds[3];
	int r = monitor_stdio(m, &io, child_fds, err);

	if (r == 0)
		r = container_create(m->p->spec, &io, &m->pid, status, err);
	for (int i = 0; i < 3; i++)
		if (child_fds[i] >= 0)
			close(child_fds[i]);
	if (r < 0)
		return r;
	monitor_record_start(m, true);
	if (ready_fd >= 0) {
		char msg[32];
		int n = snprintf(msg, sizeof(msg), "0 %d", (int)m->pid);
		util_write_all(ready_fd, msg, (size_t)n);
	}
	return 0;
}

static int monitor_setup(struct monitor *m, struct werr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	sigset_t set;
	int lk;
	char log[PATH_MAX + 16];

	if (chdir(m->rundir) < 0)
		return werr_errno(err, errno, "chdir %s", m->rundir);
	lk = open("monitor.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lk < 0 || flock(lk, LOCK_EX) < 0)
		return werr_errno(err, errno, "monitor lock");
	unlink("stopping");
	unlink("log-error");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	m->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "attach.sock");
	unlink(sa.sun_path);
	m->listen_fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (m->sigfd < 0 || m->listen_fd < 0 ||
	    bind(m->listen_fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    listen(m->listen_fd, 8) < 0)
		return werr_errno(err, errno, "attach socket");
	snprintf(log, sizeof(log), "%s/ctr.log", m->p->rec->dir);
	return logfile_open(
	    &m->log, log, config_get_int(m->p->rec->config, "HostConfig.LogConfig.Config.max-size"),
	    (int)config_get_int(m->p->rec->config, "HostConfig.LogConfig.Config.max-file"), err);
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

/* --rm, the runtime directory, and only then the exit code to the attached
 * clients: `run --rm` returns once nothing is left */
__attribute__((noreturn)) static void monitor_finish(struct monitor *m, int code)
{
	struct werr err;
	int32_t c32 = code;

	if (json_is_true(
	        json_object_get(json_object_get(m->p->rec->config, "HostConfig"), "AutoRemove"))) {
		int lk = record_lock(m->p->rec, &err);
		record_remove(m->p->rec, &err);
		if (lk >= 0)
			close(lk);
	}
	if (m->log.error) /* the log missed output: keep saying so after the exit */
		log_error_note(m);
	logfile_close(&m->log);
	util_rm_rf(m->rundir);
	/* the last one out leaves the runtime directory as it found it */
	*strrchr(m->rundir, '/') = '\0';
	rmdir(m->rundir);
	broadcast(m, ATTACH_EXIT, &c32, sizeof(c32));
	for (size_t i = 0; i < m->n_clients; i++)
		close(m->clients[i]);
	_exit(0);
}

__attribute__((noreturn)) static void monitor_main(struct monitor_params *p, int ready_fd)
{
	struct monitor m = {
		.p = p, .sigfd = -1, .listen_fd = -1, .out_fd = -1, .err_fd = -1, .in_fd = -1
	};
	struct werr err = { 0 };
	int status = EXIT_WARREN, code, restarts = 0, lk;
	int keep[2] = { ready_fd, p->client_fd };
	int null;

	monitor_close_fds(keep, 2);
	null = open("/dev/null", O_RDWR | O_CLOEXEC);
	for (int i = 0; i < 3; i++)
		dup2(null, i);
	close(null);
	m.tty = json_is_true(json_object_get(json_object_get(p->rec->config, "Config"), "Tty"));
	snprintf(m.rundir, sizeof(m.rundir), "%s", p->spec->state_dir);
	if (p->client_fd >= 0)
		add_client(&m, p->client_fd);
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
	malloc_trim(0); /* give back what the CLI allocated before the fork */
	for (;;) {
		bool again;
		code = monitor_loop(&m);
		container_helpers_stop(p->spec); /* warren-net and warren-overlay end with it */
		if (m.out_fd >= 0)
			close(m.out_fd);
		if (m.err_fd >= 0)
			close(m.err_fd);
		if (m.in_fd >= 0)
			close(m.in_fd);
		m.out_fd = m.err_fd = m.in_fd = -1;
		m.pending_len = 0;
		again = monitor_restart_p(&m, code, restarts);
		monitor_record_exit(&m, code, NULL, again);
		if (!again)
			break;
		monitor_backoff(restarts);
		restarts++;
		monitor_state_set(&m, "RestartCount", json_integer(restarts));
		/* under the lock: an rm -f marks "stopping" before it looks */
		lk = record_lock(p->rec, &err);
		if (access("stopping", F_OK) == 0 || monitor_run_once(&m, -1, &status, &err) < 0) {
			if (lk >= 0)
				close(lk);
			monitor_record_exit(&m, access("stopping", F_OK) == 0 ? code : status,
			                    err.code ? err.msg : NULL, false);
			break;
		}
		if (lk >= 0)
			close(lk);
	}
	monitor_finish(&m, code);
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
