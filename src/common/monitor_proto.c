/* monitor_proto.c - the "--key=value" words warren and warren-monitor pass
 * each other across exec (see monitor_proto.h): one table of fields, read
 * and written by the same code on both sides. */
#include "monitor_proto.h"
#include "attach_proto.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

enum field_kind { F_STR, F_LL, F_INT, F_PID, F_FD, F_BOOL };

#define FIELD(name, kind, member)                                                                  \
	{                                                                                          \
		name, kind, offsetof(struct monitor_args, member)                                  \
	}
static const struct field {
	const char *name;
	enum field_kind kind;
	size_t off;
} fields[] = {
	FIELD("id", F_STR, id),
	FIELD("record", F_STR, record_dir),
	FIELD("warren", F_STR, warren),
	FIELD("log", F_STR, log_path),
	FIELD("log-max-size", F_LL, log_max_size),
	FIELD("log-max-file", F_INT, log_max_file),
	FIELD("pid", F_PID, pid),
	FIELD("net-pid", F_PID, net_pid),
	FIELD("overlay-pid", F_PID, overlay_pid),
	FIELD("lock-fd", F_FD, lock_fd),
	FIELD("listen-fd", F_FD, listen_fd),
	FIELD("out-fd", F_FD, out_fd),
	FIELD("err-fd", F_FD, err_fd),
	FIELD("in-fd", F_FD, in_fd),
	FIELD("log-fd", F_FD, log_fd),
	FIELD("tty", F_BOOL, tty),
	FIELD("restart", F_INT, restart),
	FIELD("restarts", F_INT, restarts),
	FIELD("stop-signal", F_INT, stop_signal),
	FIELD("stop-timeout", F_INT, stop_timeout),
	FIELD("health-interval", F_LL, health_interval_ms),
	FIELD("code", F_INT, code),
	FIELD("restarting", F_BOOL, restarting),
};
#undef FIELD

static int add_word(char *store, size_t size, size_t *used, char **argv, int *n, const char *name,
                    const char *value)
{
	int w = snprintf(store + *used, size - *used, "--%s=%s", name, value);

	if (w < 0 || (size_t)w >= size - *used || *n + 2 >= MONITOR_MAX_ARGS)
		return -E2BIG;
	argv[(*n)++] = store + *used;
	*used += (size_t)w + 1;
	return 0;
}

int monitor_args_format(const struct monitor_args *a, char *store, size_t size, char **argv,
                        int first)
{
	size_t used = 0;
	int n = first;
	char num[32];

	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		const void *p = (const char *)a + fields[i].off;
		const char *v = num;
		switch (fields[i].kind) {
		case F_STR: v = *(const char *const *)p; break;
		case F_LL: snprintf(num, sizeof(num), "%lld", *(const long long *)p); break;
		case F_INT:
		case F_FD: snprintf(num, sizeof(num), "%d", *(const int *)p); break;
		case F_PID: snprintf(num, sizeof(num), "%d", (int)*(const pid_t *)p); break;
		case F_BOOL: v = *(const bool *)p ? "1" : "0"; break;
		}
		if (v && add_word(store, size, &used, argv, &n, fields[i].name, v) < 0)
			return -E2BIG;
	}
	for (size_t i = 0; i < a->n_clients; i++) {
		snprintf(num, sizeof(num), "%d", a->clients[i]);
		if (add_word(store, size, &used, argv, &n, "client-fd", num) < 0)
			return -E2BIG;
	}
	argv[n] = NULL;
	return n;
}

static int parse_num(const char *v, long long min, long long max, long long *out)
{
	char *end;

	errno = 0;
	*out = strtoll(v, &end, 10);
	return errno || end == v || *end || *out < min || *out > max ? -EINVAL : 0;
}

static void set_cloexec(int fd, bool on)
{
	int fl = fd >= 0 ? fcntl(fd, F_GETFD) : -1;

	if (fl >= 0)
		fcntl(fd, F_SETFD, on ? fl | FD_CLOEXEC : fl & ~FD_CLOEXEC);
}

static void fds_cloexec(const struct monitor_args *a, bool on)
{
	const int fds[] = { a->lock_fd, a->listen_fd, a->out_fd, a->err_fd, a->in_fd, a->log_fd };

	for (size_t i = 0; i < ARRAY_SIZE(fds); i++)
		set_cloexec(fds[i], on);
	for (size_t i = 0; i < a->n_clients; i++)
		set_cloexec(a->clients[i], on);
}

static int parse_word(const char *w, struct monitor_args *a)
{
	const char *eq = strchr(w, '=');
	long long v;

	if (strncmp(w, "--", 2) || !eq)
		return -EINVAL;
	if (!strncmp(w + 2, "client-fd=", 10)) {
		if (a->n_clients == MONITOR_MAX_CLIENTS || parse_num(eq + 1, 0, INT_MAX, &v) < 0)
			return -EINVAL;
		a->clients[a->n_clients++] = (int)v;
		return 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(fields); i++) {
		void *p = (char *)a + fields[i].off;
		if (strlen(fields[i].name) != (size_t)(eq - w - 2) ||
		    strncmp(w + 2, fields[i].name, (size_t)(eq - w - 2)))
			continue;
		if (fields[i].kind == F_STR) {
			*(const char **)p = eq + 1;
			return 0;
		}
		if (parse_num(eq + 1, fields[i].kind == F_FD ? -1 : 0,
		              fields[i].kind == F_LL ? LLONG_MAX : INT_MAX, &v) < 0)
			return -EINVAL;
		switch (fields[i].kind) {
		case F_LL: *(long long *)p = v; break;
		case F_INT:
		case F_FD: *(int *)p = (int)v; break;
		case F_PID: *(pid_t *)p = (pid_t)v; break;
		case F_BOOL: *(bool *)p = v != 0; break;
		case F_STR: break;
		}
		return 0;
	}
	return -EINVAL;
}

int monitor_args_parse(int argc, char **argv, int first, struct monitor_args *a, struct werr *err)
{
	*a = (struct monitor_args){ .lock_fd = -1,
		                    .listen_fd = -1,
		                    .out_fd = -1,
		                    .err_fd = -1,
		                    .in_fd = -1,
		                    .log_fd = -1 };
	for (int i = first; i < argc; i++)
		if (parse_word(argv[i], a) < 0)
			return werr_set(err, EINVAL, "monitor: bad argument \"%s\"", argv[i]);
	if (!a->id || !a->record_dir || a->pid <= 0)
		return werr_set(err, EINVAL, "monitor: --id, --record and --pid are needed");
	fds_cloexec(a, true);
	return 0;
}

void monitor_args_inherit(const struct monitor_args *a)
{
	fds_cloexec(a, false);
}

void monitor_signals_block(sigset_t *set)
{
	sigemptyset(set);
	sigaddset(set, SIGCHLD);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigprocmask(SIG_BLOCK, set, NULL);
	signal(SIGPIPE, SIG_IGN);
}

void monitor_client_end(int fd, const void *msg, size_t len)
{
	char buf[ATTACH_MSG_MAX + 1];

	send(fd, msg, len, MSG_NOSIGNAL);
	while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
		;
	close(fd);
}
