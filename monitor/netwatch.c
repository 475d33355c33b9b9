/* netwatch.c - the death of a helper while the container runs: warren-net
 * or warren-overlay; warren-monitor is their parent, so a SIGCHLD tells. The
 * loss is recorded in state.json (NetworkLost or OverlayLost, and Error) and
 * the container is stopped as `warren stop` would: without warren-net its
 * published ports are forgotten (nothing listens on them any more, and any
 * user may take them); without warren-overlay its files are unreachable.
 * Never restarts a helper: the container's tap, connections or mount are
 * gone with it. */
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

/* reap the helper *@pid if it ended; then it is 0: the cleanup must not
 * signal or wait for it again */
static bool netwatch_reap_pid(pid_t *pid, int *status)
{
	if (*pid <= 0 || waitpid(*pid, status, WNOHANG) != *pid)
		return false;
	*pid = 0;
	return true;
}

bool netwatch_reap(struct monitor *m, int *status)
{
	return netwatch_reap_pid(&m->a->net_pid, status);
}

bool netwatch_reap_overlay(struct monitor *m, int *status)
{
	return netwatch_reap_pid(&m->a->overlay_pid, status);
}

/* "was killed by signal N" or "exited with status N" */
static void netwatch_how(int status, char *buf, size_t size)
{
	if (WIFSIGNALED(status))
		snprintf(buf, size, "was killed by signal %d", WTERMSIG(status));
	else
		snprintf(buf, size, "exited with status %d", WEXITSTATUS(status));
}

/* record @flag and the Error @msg; with @stop, stop the container */
static void netwatch_record(struct monitor *m, const char *flag, const char *msg, bool stop)
{
	char json[700];
	const struct statefile_field f[] = {
		{ flag, "true" },
		{ "Error", statefile_string(json, sizeof(json), msg) },
	};

	monitor_state_update(m, f, ARRAY_SIZE(f));
	if (!stop)
		return;
	kill(m->a->pid, m->a->stop_signal > 0 ? m->a->stop_signal : SIGTERM);
	m->kill_at_ms = netwatch_now_ms() + (long long)m->a->stop_timeout * 1000;
}

void netwatch_lost(struct monitor *m, int status)
{
	char how[64], msg[320];

	netwatch_how(status, how, sizeof(how));
	snprintf(msg, sizeof(msg),
	         "network lost: warren-net %s; the published ports were closed, so the "
	         "container is stopped ('warren start' gives it a new network)",
	         how);
	/* ps, port and inspect read the ports from here while it runs */
	unlink("ports.json");
	netwatch_record(m, "NetworkLost", msg, true);
}

void netwatch_overlay_lost(struct monitor *m, int status, bool running)
{
	char how[64], msg[320];

	netwatch_how(status, how, sizeof(how));
	snprintf(msg, sizeof(msg),
	         "overlay lost: warren-overlay, which served the container's files, %s; they "
	         "were unreachable from then on, so the container is stopped ('warren start' "
	         "mounts them again)",
	         how);
	netwatch_record(m, "OverlayLost", msg, running);
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
