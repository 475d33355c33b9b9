/* cmd_update.c - `warren update [LIMITS] CONTAINER...`: new resource limits
 * for containers, written into a running one's cgroup at once and into its
 * record for the next start (Docker's update, limits only). */
#include "cliutil.h"
#include "commands.h"
#include "ctrcgroup.h"
#include "lifecycle.h"
#include "run_limits.h"
#include "state.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

static const struct opt_def update_opts[] = {
	RUN_LIMITS_OPT_TABLE,
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_update = { "update",
	                                "[OPTIONS] CONTAINER [CONTAINER...]",
	                                "Update the resource limits of one or more containers.",
	                                update_opts,
	                                1,
	                                -1,
	                                OPTS_INTERSPERSED };

/* implements opt_cb for update */
static int update_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	return run_limits_opt(ctx, def, v, err);
}

static int update_one(const char *ref, const struct cgroup_limits *l, struct werr *err)
{
	struct record rec;
	int lk, r;

	if (record_lookup(cli_gopts(), ref, &rec, err) < 0)
		return -err->code;
	lk = record_lock(&rec, err);
	r = lk < 0 ? lk : lifecycle_reload_locked(&rec, err);
	if (r == 0)
		r = ctrcgroup_update(&rec, l, err);
	if (lk >= 0)
		close(lk);
	record_free(&rec);
	return r;
}

int cmd_update(int argc, char **argv)
{
	struct run_limits rl = { 0 };
	struct werr err = { 0 };
	int ind, rc = 0, r = cli_parse(&cli_cmd_update, argc, argv, &ind, update_opt, &rl);

	if (r >= 0)
		return r;
	if (!cgroup_limits_any(&rl.l)) {
		werr_set(&err, EINVAL,
		         "no limit given: use update --memory, --cpus, --pids-limit... CONTAINER");
		return cli_error(&err);
	}
	if (run_limits_check(&rl, true, &err) < 0)
		return cli_error(&err);
	for (int i = ind; i < argc; i++) {
		if (update_one(argv[i], &rl.l, &err) < 0)
			rc = cli_error(&err);
		else
			printf("%s\n", argv[i]);
	}
	return rc;
}
