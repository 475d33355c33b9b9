/* health.c - Docker's health check for a recorded container: the check's
 * command run once through exec with its output captured and a timeout,
 * and the status machine (starting, healthy after a success, unhealthy
 * after Retries failures in a row, failures inside the start period not
 * counted) kept in <record>/health.json with the StartedAt of the run it
 * belongs to, so a new start begins again at "starting". */
#include "health.h"
#include "cleanup.h"
#include "ctrrun.h"
#include "state.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define HEALTH_OUTPUT_MAX 4096 /* Docker keeps this much of a check's output */
#define HEALTH_LOG_MAX    5    /* and this many results */

static json_t *health_cfg(json_t *config)
{
	return json_object_get(json_object_get(config, "Config"), "Healthcheck");
}

bool health_configured_p(json_t *config)
{
	json_t *test = json_object_get(health_cfg(config), "Test");
	const char *t0 = json_string_value(json_array_get(test, 0));

	return t0 && strcmp(t0, "NONE") && json_array_size(test) > 1;
}

static long long cfg_ns(json_t *config, const char *key, long long def)
{
	long long v = json_integer_value(json_object_get(health_cfg(config), key));

	return v > 0 ? v : def;
}

long long health_interval_ns(json_t *config)
{
	return cfg_ns(config, "Interval", HEALTH_DEFAULT_NS);
}

/* health.json, when it belongs to the container's current (or last) run */
static json_t *health_load(const struct record *rec)
{
	char path[PATH_MAX + 16];
	const char *started = json_string_value(json_object_get(rec->state, "StartedAt"));
	json_t *h;

	snprintf(path, sizeof(path), "%s/health.json", rec->dir);
	h = json_load_file(path, 0, NULL);
	if (h && (!started ||
	          strcmp(started, json_string_value(json_object_get(h, "StartedAt")) ?: ""))) {
		json_decref(h);
		h = NULL;
	}
	return h;
}

const char *health_status(const struct record *rec)
{
	static char status[16];
	json_t *h;

	if (!health_configured_p(rec->config))
		return "none";
	h = health_load(rec);
	snprintf(status, sizeof(status), "%s",
	         json_string_value(json_object_get(h, "Status")) ?: "starting");
	json_decref(h);
	return status;
}

json_t *health_state(const struct record *rec)
{
	json_t *h;

	if (!health_configured_p(rec->config))
		return NULL;
	h = health_load(rec);
	if (!h)
		return json_pack("{s:s, s:i, s:[]}", "Status", "starting", "FailingStreak", 0,
		                 "Log");
	json_object_del(h, "StartedAt");
	return h;
}

/* the check's argv: CMD-SHELL runs its string with sh -c, CMD its words */
static char **health_argv(json_t *config)
{
	json_t *test = json_object_get(health_cfg(config), "Test");
	const char *t0 = json_string_value(json_array_get(test, 0));
	size_t n = json_array_size(test), k = 0;
	char **argv = calloc(n + 3, sizeof(char *));

	if (!argv)
		return NULL;
	if (!strcmp(t0, "CMD-SHELL")) {
		argv[k++] = "/bin/sh";
		argv[k++] = "-c";
	}
	for (size_t i = 1; i < n; i++)
		argv[k++] = (char *)json_string_value(json_array_get(test, i));
	return argv;
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

/* run the check: its exit code (-1 after the timeout) and output */
static int health_exec(struct record *rec, long long timeout_ns, int *code, char *out,
                       size_t *out_len, struct werr *err)
{
	_cleanup_free_ char **argv = health_argv(rec->config);
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	struct ctrrun_exec x = { 0 };
	struct container_stdio io = { -1, -1, -1, false, { 0 }, -1 };
	int p[2], st = 0, status, r;
	long long deadline = now_ns() + timeout_ns;
	bool timed_out = false;
	pid_t child;

	if (!argv || !argv[0])
		return werr_set(err, EINVAL, "container %.12s: its health check has no command",
		                rec->id);
	if (pipe2(p, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	x.argv = argv;
	io.in = null;
	io.out = io.err = p[1];
	r = ctrrun_exec(rec, &x, &io, &child, &status, err);
	close(p[1]);
	*out_len = 0;
	if (r < 0) {
		/* the command could not start: that is an unhealthy result */
		*code = status;
		*out_len = (size_t)snprintf(out, HEALTH_OUTPUT_MAX, "%s", err->msg);
		close(p[0]);
		err->code = 0;
		return 0;
	}
	for (;;) {
		long long left = deadline - now_ns();
		struct pollfd pf = { p[0], POLLIN, 0 };
		char buf[4096];
		ssize_t n;

		if (left <= 0) {
			timed_out = true;
			kill(child, SIGKILL);
			break;
		}
		r = poll(&pf, 1, (int)(left / 1000000 + 1));
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0)
			continue;
		n = read(p[0], buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		if (*out_len < HEALTH_OUTPUT_MAX) {
			size_t take = (size_t)n;
			if (take > HEALTH_OUTPUT_MAX - *out_len)
				take = HEALTH_OUTPUT_MAX - *out_len;
			memcpy(out + *out_len, buf, take);
			*out_len += take;
		}
	}
	close(p[0]);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR)
		;
	if (timed_out) {
		*code = -1;
		*out_len = (size_t)snprintf(out, HEALTH_OUTPUT_MAX,
		                            "Health check exceeded timeout (%llds)",
		                            timeout_ns / 1000000000LL);
	} else {
		*code = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
	}
	return 0;
}

/* the status after one result, Docker's rules */
static void health_update(json_t *h, json_t *config, const struct record *rec, int code,
                          bool in_start_period)
{
	long long retries = json_integer_value(json_object_get(health_cfg(config), "Retries"));
	long long streak = json_integer_value(json_object_get(h, "FailingStreak"));
	const char *status = json_string_value(json_object_get(h, "Status")) ?: "starting";

	(void)rec;
	if (retries <= 0)
		retries = HEALTH_DEFAULT_RETRIES;
	if (code == 0) {
		status = "healthy";
		streak = 0;
	} else if (!(in_start_period && !strcmp(status, "starting"))) {
		streak++;
		if (streak >= retries)
			status = "unhealthy";
	}
	json_object_set_new(h, "Status", json_string(status));
	json_object_set_new(h, "FailingStreak", json_integer(streak));
}

int health_run(struct record *rec, bool *healthy, struct werr *err)
{
	char start[40], end[40], out[HEALTH_OUTPUT_MAX + 1], path[PATH_MAX + 16];
	const char *started;
	_cleanup_free_ char *text = NULL;
	json_t *h, *log;
	size_t out_len = 0;
	int code = 0, lk;
	bool in_start;

	if (!health_configured_p(rec->config))
		return werr_set(err, EINVAL,
		                "container %.12s has no health check (create it with --health-cmd, "
		                "or from an image with a HEALTHCHECK)",
		                rec->id);
	if (strcmp(state_status(rec), "running"))
		return werr_set(err, EINVAL,
		                "container %.12s is not running: its health check runs only while "
		                "it runs (warren start %.12s)",
		                rec->id, rec->id);
	started = json_string_value(json_object_get(rec->state, "StartedAt"));
	state_now(start);
	in_start =
	    state_time_ns(start) - state_time_ns(started) < cfg_ns(rec->config, "StartPeriod", 0);
	if (health_exec(rec, cfg_ns(rec->config, "Timeout", HEALTH_DEFAULT_NS), &code, out,
	                &out_len, err) < 0)
		return -err->code;
	out[out_len] = '\0';
	state_now(end);

	lk = record_lock(rec, err);
	if (lk < 0)
		return lk;
	h = health_load(rec);
	if (!h)
		h = json_pack("{s:s, s:i, s:[]}", "Status", "starting", "FailingStreak", 0, "Log");
	json_object_set_new(h, "StartedAt", json_string(started ?: ""));
	health_update(h, rec->config, rec, code, in_start);
	log = json_object_get(h, "Log");
	if (!json_is_array(log)) {
		log = json_array();
		json_object_set_new(h, "Log", log);
	}
	json_array_append_new(log, json_pack("{s:s, s:s, s:i, s:s%}", "Start", start, "End", end,
	                                     "ExitCode", code, "Output", out, out_len));
	while (json_array_size(log) > HEALTH_LOG_MAX)
		json_array_remove(log, 0);
	*healthy = code == 0;
	text = json_dumps(h, JSON_COMPACT);
	json_decref(h);
	snprintf(path, sizeof(path), "%s/health.json", rec->dir);
	if (!text) {
		close(lk);
		return werr_errno(err, ENOMEM, "health.json");
	}
	if (util_write_file_atomic(AT_FDCWD, path, text, strlen(text), 0600, err) < 0) {
		close(lk);
		return -err->code;
	}
	close(lk);
	return 0;
}
