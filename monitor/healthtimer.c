/* healthtimer.c - a container's periodic health check (Config.Healthcheck):
 * every interval the monitor forks `warren --root STORE healthcheck run ID`,
 * which runs the check in the container and records the result (the check
 * needs warren's code: exec into the namespaces), and reaps it. One check at
 * a time; the first an interval after the start, as Docker's; none once the
 * container has exited. */
#include "idle.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static long long healthtimer_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

void healthtimer_init(struct monitor *m)
{
	m->health_pid = 0;
	m->health_at_ms =
	    m->a->health_interval_ms > 0 ? healthtimer_now_ms() + m->a->health_interval_ms : 0;
}

/* in the child: the store is the record directory's grandparent */
static void healthtimer_exec(struct monitor *m)
{
	char store[PATH_MAX];
	char *slash;
	sigset_t none;
	int null = open("/dev/null", O_RDWR);

	snprintf(store, sizeof(store), "%s", m->a->record_dir);
	for (int i = 0; i < 2; i++) {
		slash = strrchr(store, '/');
		if (slash)
			*slash = '\0';
	}
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	signal(SIGPIPE, SIG_DFL);
	execl(m->a->warren, m->a->warren, "--root", store, "healthcheck", "run", m->a->id,
	      (char *)NULL);
	_exit(127);
}

int healthtimer_timeout(struct monitor *m)
{
	long long left;

	if (!m->health_at_ms)
		return -1;
	left = m->health_at_ms - healthtimer_now_ms();
	if (left > 0)
		return left > 60000 ? 60000 : (int)left;
	/* due: start the check unless the last one still runs, then wait again */
	if (m->health_pid <= 0) {
		pid_t pid = fork();
		if (pid == 0)
			healthtimer_exec(m);
		if (pid > 0)
			m->health_pid = pid;
	}
	m->health_at_ms = healthtimer_now_ms() + m->a->health_interval_ms;
	return m->a->health_interval_ms > 60000 ? 60000 : (int)m->a->health_interval_ms;
}

void healthtimer_reap(struct monitor *m)
{
	if (m->health_pid > 0 && waitpid(m->health_pid, NULL, WNOHANG) == m->health_pid)
		m->health_pid = 0;
}

void healthtimer_stop(struct monitor *m)
{
	m->health_at_ms = 0;
	if (m->health_pid <= 0)
		return;
	kill(m->health_pid, SIGKILL);
	while (waitpid(m->health_pid, NULL, 0) < 0 && errno == EINTR)
		;
	m->health_pid = 0;
}
