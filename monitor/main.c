/* main.c - warren-monitor: takes over a started container from warren in
 * the same process (exec keeps the children and the fds named on the
 * command line), runs the idle loop, records the exit in state.json and
 * execs `warren container cleanup` for the rest. Linked with libc only, so
 * that an idle container costs little more than its own processes. Its
 * stdio is /dev/null: it never prints; errors go to state.json. */
#include "idle.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

static void monitor_record_exit(struct monitor *m, int code, bool restarting)
{
	char now[40], stamp[48], num[16];
	const struct statefile_field f[] = {
		{ "Status", restarting ? "\"restarting\"" : "\"exited\"" },
		{ "Pid", "0" },
		{ "ExitCode", num },
		{ "FinishedAt", stamp },
	};

	util_now_rfc3339(now);
	snprintf(stamp, sizeof(stamp), "\"%s\"", now);
	snprintf(num, sizeof(num), "%d", code);
	monitor_state_update(m, f, ARRAY_SIZE(f));
}

/* warren could not be run: do what little the cleanup must, end alone */
static void monitor_cleanup_alone(struct monitor *m, int code, int e)
{
	char msg[256], json[600], cwd[PATH_MAX];
	int32_t c32 = code;
	char last[1 + sizeof(c32)];
	pid_t helpers[2] = { m->a->net_pid, m->a->overlay_pid };

	snprintf(msg, sizeof(msg), "running %s for the cleanup: %s", m->a->warren, strerror(e));
	monitor_state_update(
	    m, &(struct statefile_field){ "Error", statefile_string(json, sizeof(json), msg) }, 1);
	for (int i = 0; i < 2; i++)
		if (helpers[i] > 0 && kill(helpers[i], SIGTERM) == 0)
			while (waitpid(helpers[i], NULL, 0) < 0 && errno == EINTR)
				;
	if (getcwd(cwd, sizeof(cwd)))
		util_rm_rf(cwd);
	last[0] = ATTACH_EXIT;
	memcpy(last + 1, &c32, sizeof(c32));
	for (size_t i = 0; i < m->a->n_clients; i++)
		monitor_client_end(m->a->clients[i], last, sizeof(last));
	m->a->n_clients = 0;
}

static void monitor_exec_cleanup(struct monitor *m)
{
	static char store[16384];
	char *argv[MONITOR_MAX_ARGS + 4];

	argv[0] = (char *)m->a->warren;
	argv[1] = "container";
	argv[2] = "cleanup";
	if (monitor_args_format(m->a, store, sizeof(store), argv, 3) < 0)
		return;
	monitor_args_inherit(m->a);
	execv(m->a->warren, argv);
}

int main(int argc, char **argv)
{
	struct monitor_args a;
	struct monitor m = { .a = &a, .sigfd = -1 };
	struct werr err;
	sigset_t set;
	bool restarting;
	int code;

	if (monitor_args_parse(argc, argv, 1, &a, &err) < 0) {
		fprintf(stderr, "%s: %s\n", MONITOR_PROG, err.msg);
		return EXIT_WARREN;
	}
	monitor_signals_block(&set);
	m.sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	logwrite_init(&m.log, a.log_fd, a.log_path ? a.log_path : "ctr.log", a.log_max_size,
	              a.log_max_file);
	a.log_fd = -1; /* the writer's now: rotation replaces it */
	code = idle_loop(&m);
	close(m.sigfd);
	if (m.log.fd >= 0)
		close(m.log.fd);
	for (size_t i = 0; i < 3; i++) {
		int *fd = i == 0 ? &a.out_fd : i == 1 ? &a.err_fd : &a.in_fd;
		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
	restarting = access("stopping", F_OK) != 0 &&
	             (a.restart == MONITOR_RESTART_ALWAYS ||
	              (a.restart == MONITOR_RESTART_ON_FAILURE && code != 0));
	monitor_record_exit(&m, code, restarting);
	a.code = code;
	a.restarting = restarting;
	monitor_exec_cleanup(&m);
	monitor_cleanup_alone(&m, code, errno);
	return 0;
}
