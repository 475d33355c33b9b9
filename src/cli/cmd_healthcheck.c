/* cmd_healthcheck.c - `warren healthcheck run CONTAINER` (Podman's
 * command): run a container's health check once, record the result, exit
 * 0 when healthy and 1 when not; 125 when the check cannot run at all. */
#include "cliutil.h"
#include "commands.h"
#include "health.h"
#include "state.h"

#include <stdio.h>
#include <string.h>

static const struct opt_def healthcheck_run_opts[] = {
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_healthcheck_run = {
	"healthcheck run",
	"CONTAINER",
	"Run a container's health check once (exit 0: healthy, 1: unhealthy).",
	healthcheck_run_opts,
	1,
	1,
	OPTS_INTERSPERSED
};

/* implements opt_cb: only --help, which cli_parse() handles */
static int healthcheck_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	(void)ctx;
	(void)v;
	return werr_set(err, EINVAL, "internal: unhandled option %s", def->long_name);
}

static int healthcheck_run(int argc, char **argv)
{
	struct record rec;
	struct werr err = { 0 };
	bool healthy = false;
	int ind, r;

	/* 1 means unhealthy: an error is podman's 125, so that scripts can
	 * tell the two apart */
	cli_error_exit_set(EXIT_WARREN);
	r = cli_parse(&cli_cmd_healthcheck_run, argc, argv, &ind, healthcheck_opt, NULL);
	if (r >= 0)
		return r;
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0 || state_refresh(&rec, &err) < 0)
		return cli_error(&err);
	r = health_run(&rec, &healthy, &err);
	record_free(&rec);
	if (r < 0)
		return cli_error(&err);
	if (!healthy)
		printf("unhealthy\n");
	return healthy ? 0 : 1;
}

int cmd_healthcheck(int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "Usage: warren healthcheck COMMAND\n\nCommands:\n  run\n");
		return argc < 2 ? EXIT_WARREN : 0;
	}
	if (!strcmp(argv[1], "run"))
		return healthcheck_run(argc - 1, argv + 1);
	fprintf(stderr,
	        "warren: unknown command \"healthcheck %s\" (see 'warren healthcheck --help')\n",
	        argv[1]);
	return EXIT_WARREN;
}
