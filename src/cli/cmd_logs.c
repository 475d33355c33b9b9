/* cmd_logs.c - `warren logs`: the container's log file, stdout to stdout
 * and stderr to stderr, with Docker's --tail, --since, --until, -t and -f.
 * Says so (on stderr) when the monitor could not write part of the log. */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "logfile.h"
#include "state.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

enum { L_FOLLOW = 1, L_TAIL, L_SINCE, L_UNTIL, L_TIMESTAMPS };

static const struct opt_def logs_opts[] = {
	{ "follow", 'f', OPT_FLAG, NULL, "Follow log output", L_FOLLOW },
	{ "tail", 'n', OPT_VALUE, "N", "Number of lines from the end (default all)", L_TAIL },
	{ "since", 0, OPT_VALUE, "TIME", "Since a timestamp or a relative time (10m)", L_SINCE },
	{ "until", 0, OPT_VALUE, "TIME", "Until a timestamp or a relative time", L_UNTIL },
	{ "timestamps", 't', OPT_FLAG, NULL, "Show timestamps", L_TIMESTAMPS },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* RFC 3339 (with or without seconds' fraction or zone Z), a date, Unix
 * seconds, or a duration back from now */
static int logs_time(const char *v, int64_t *ns, struct werr *err)
{
	char now[40], *end;
	double secs;
	struct tm tm = { 0 };
	const char *p;

	errno = 0;
	secs = strtod(v, &end);
	if (!*end && end != v && !errno) {
		*ns = (int64_t)(secs * 1e9);
		return 0;
	}
	p = strptime(v, "%Y-%m-%dT%H:%M:%S", &tm);
	if (p && (*p == '\0' || *p == 'Z' || *p == '.')) {
		*ns = state_time_ns(v);
		return 0;
	}
	p = strptime(v, "%Y-%m-%d", &tm);
	if (p && !*p) {
		*ns = (int64_t)timegm(&tm) * 1000000000LL;
		return 0;
	}
	if (cli_parse_duration(v, &secs, err) < 0)
		return werr_set(err, EINVAL,
		                "invalid time \"%s\": use RFC 3339 (2024-01-02T15:04:05Z), Unix "
		                "seconds, or a duration such as 10m",
		                v);
	state_now(now);
	*ns = state_time_ns(now) - (int64_t)(secs * 1e9);
	return 0;
}

/* implements opt_cb for logs */
static int logs_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct logs_opts *o = ctx;

	switch (def->id) {
	case L_FOLLOW: o->follow = !strcmp(v, "true"); return 0;
	case L_TIMESTAMPS: o->timestamps = !strcmp(v, "true"); return 0;
	case L_TAIL:
		if (!strcmp(v, "all")) {
			o->tail = -1;
			return 0;
		}
		{
			long n;
			int r = cli_parse_int(v, -1, 1L << 40, &n, "--tail", err);
			o->tail = n;
			return r;
		}
	case L_SINCE: return logs_time(v, &o->since_ns, err);
	case L_UNTIL: return logs_time(v, &o->until_ns, err);
	}
	return 0;
}

/* implements logfile_print's done(): the container stopped (or lost its monitor) */
static bool logs_done(void *ctx)
{
	return !state_monitor_alive(ctx);
}

static void logs_warn(struct record *rec)
{
	char dir[PATH_MAX], path[PATH_MAX + 16];
	_cleanup_free_ char *text = NULL;
	size_t len;
	struct werr ignored;
	const char *msg = json_string_value(json_object_get(rec->state, "LogError"));

	if (state_rundir(rec->id, dir, false, &ignored) == 0 &&
	    snprintf(path, sizeof(path), "%s/log-error", dir) > 0 &&
	    util_read_file(AT_FDCWD, path, 4096, &text, &len, &ignored) == 0)
		msg = text;
	if (msg)
		fprintf(stderr, "warren: warning: the log of %s is incomplete: %s\n",
		        record_name(rec), msg);
}

const struct cli_cmd cli_cmd_logs = {
	"logs", "[OPTIONS] CONTAINER", "Fetch the logs of a container.", logs_opts, 1,
	1,      OPTS_INTERSPERSED
};

int cmd_logs(int argc, char **argv)
{
	struct logs_opts o = { .tail = -1 };
	struct record rec;
	struct werr err = { 0 };
	char path[PATH_MAX + 16];
	int ind, r = cli_parse(&cli_cmd_logs, argc, argv, &ind, logs_opt, &o);

	if (r >= 0)
		return r;
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0)
		return cli_error(&err);
	snprintf(path, sizeof(path), "%s/ctr.log", rec.dir);
	fflush(stdout);
	r = logfile_print(path, &o, STDOUT_FILENO, STDERR_FILENO, logs_done, rec.id, &err);
	logs_warn(&rec);
	record_free(&rec);
	return r < 0 ? cli_error(&err) : 0;
}
