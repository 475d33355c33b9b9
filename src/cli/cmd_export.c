/* cmd_export.c - `warren export`: the container's whole filesystem as a
 * tar, running or stopped; of a stopped one what lies under its volumes
 * (as Docker's export), of a running one other mounts, such as volumes and
 * /proc, as empty entries. Run by warren-transfer: the tar walk is layer_diff.c's. It
 * never changes the container. */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "ctrroot.h"
#include "layer_diff.h"
#include "state.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum { X_OUTPUT = 1 };

static const struct opt_def export_opts[] = {
	{ "output", 'o', OPT_VALUE, "FILE", "Write to a file, instead of STDOUT", X_OUTPUT },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements opt_cb for export */
static int export_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	(void)def;
	if (!*v)
		return werr_set(err, EINVAL, "--output needs a file name");
	*(const char **)ctx = v;
	return 0;
}

/* implements ctrroot_fn: the whole tree as a tar */
static int export_fn(int rootfd, void *arg, struct werr *err)
{
	struct layer_tar_opts o = { .merged = true, .one_fs = true, .uid = -1, .gid = -1 };
	struct layer_diff_result res;

	return layer_tar_write(rootfd, NULL, &o, *(int *)arg, &res, err);
}

static int export_run(const struct record *rec, int fd, struct werr *err)
{
	struct ctrroot_job job = { .child_close = { -1, -1, -1, -1 }, .no_volumes = true };
	int r = ctrroot_start(rec, export_fn, &fd, &job, err);

	return r < 0 ? r : ctrroot_finish(&job, err);
}

const struct cli_cmd cli_cmd_export = { "export",
	                                "[OPTIONS] CONTAINER",
	                                "Export a container's filesystem as a tar archive",
	                                export_opts,
	                                1,
	                                1,
	                                OPTS_INTERSPERSED };

int cmd_export(int argc, char **argv)
{
	const char *output = NULL;
	struct werr err = { 0 };
	struct record rec;
	int ind, fd = STDOUT_FILENO, lock = -1,
	         r = cli_parse(&cli_cmd_export, argc, argv, &ind, export_opt, &output);

	if (r >= 0)
		return r;
	if (!output && isatty(STDOUT_FILENO)) {
		werr_set(&err, EINVAL,
		         "cowardly refusing to save to a terminal. Use the -o flag "
		         "or redirect");
		return cli_error(&err);
	}
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0)
		return cli_error(&err);
	r = state_refresh(&rec, &err);
	if (r == 0 && !state_running_pid(&rec))
		r = lock = record_lock(&rec, &err);
	if (r >= 0 && output) {
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			r = werr_errno(&err, errno, "%s", output);
	}
	if (r >= 0)
		r = export_run(&rec, fd, &err);
	if (output && fd >= 0) {
		if (close(fd) < 0 && r >= 0)
			r = werr_errno(&err, errno, "%s", output);
		if (r < 0)
			unlink(output);
	}
	if (lock >= 0)
		close(lock);
	record_free(&rec);
	return r < 0 ? cli_error(&err) : 0;
}
