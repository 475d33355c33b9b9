/* netwatch.c - warren-net's death while the container runs: warren-monitor
 * is its parent, so a SIGCHLD tells; the loss is recorded in state.json, the
 * published ports are forgotten (nothing listens on them any more, and any
 * user may take them) and the container is stopped as `warren stop` would.
 * Never restarts warren-net: the container's tap and connections are gone. */
#include "idle.h"
#include "statefile.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long netwatch_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

bool netwatch_reap(struct monitor *m, int *status)
{
	pid_t net = m->a->net_pid;

	if (net <= 0 || waitpid(net, status, WNOHANG) != net)
		return false;
	/* reaped: the cleanup must not signal or wait for it again */
	m->a->net_pid = 0;
	return true;
}

void netwatch_lost(struct monitor *m, int status)
{
	char how[64], msg[320], json[700];
	const struct statefile_field f[] = {
		{ "NetworkLost", "true" },
		{ "Error", json },
	};

	if (WIFSIGNALED(status))
		snprintf(how, sizeof(how), "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(how, sizeof(how), "exited with status %d", WEXITSTATUS(status));
	snprintf(msg, sizeof(msg),
	         "network lost: warren-net %s; the published ports were closed, so the "
	         "container is stopped ('warren start' gives it a new network)",
	         how);
	statefile_string(json, sizeof(json), msg);
	monitor_state_update(m, f, ARRAY_SIZE(f));
	/* ps, port and inspect read the ports from here while it runs */
	unlink("ports.json");
	kill(m->a->pid, m->a->stop_signal > 0 ? m->a->stop_signal : SIGTERM);
	m->kill_at_ms = netwatch_now_ms() + (long long)m->a->stop_timeout * 1000;
}

int netwatch_timeout(struct monitor *m)
{
	long long left;

	if (!m->kill_at_ms)
		return -1;
	left = m->kill_at_ms - netwatch_now_ms();
	if (left > 0)
		return left > 60000 ? 60000 : (int)left;
	/* the stop timeout passed: as `warren stop`, SIGKILL follows */
	kill(m->a->pid, SIGKILL);
	m->kill_at_ms = 0;
	return -1;
}
