/* cmd_reset.c - `warren system reset [-f]`, Podman's command of that name:
 * every container removed (running ones killed), then the whole store and
 * the runtime directory deleted from inside the store's user namespace,
 * where files owned by subordinate IDs can be removed; after Docker's kind
 * of prompt unless -f. It touches nothing outside those two directories. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>
#include <stdio.h>
#include <string.h>

#include "cliutil.h"
#include "cmdtab.h"
#include "commands.h"
#include "idmap.h"
#include "lifecycle.h"
#include "record.h"
#include "rundir.h"
#include "userns_exec.h"
#include "util.h"

static const struct opt_def reset_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "Do not prompt for confirmation", 1 },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements opt_cb */
static int reset_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	(void)def, (void)err;
	*(bool *)ctx = !strcmp(v, "true");
	return 0;
}

/* implements userns_exec's fn: both trees, as root of the namespace */
static int reset_trees(void *arg, struct werr *err)
{
	char *const *dirs = arg;

	for (int i = 0; i < 2; i++)
		if (dirs[i][0] && util_rm_rf(dirs[i]) < 0 && errno != ENOENT)
			return werr_errno(err, errno, "removing %s", dirs[i]);
	return 0;
}

/* a --root that names some other folder (a home, "/") is never removed:
 * the store must hold one of warren's own entries, or nothing */
static int reset_check_store(const char *store, struct werr *err)
{
	static const char *const own[] = { "containers", "images", "layers", "blobs", "volumes" };
	struct dirent *e;
	bool ours = false, empty = true;
	DIR *d = opendir(store);

	if (!d)
		return errno == ENOENT ? 0 : werr_errno(err, errno, "system reset: %s", store);
	for (size_t i = 0; i < sizeof(own) / sizeof(own[0]) && !ours; i++)
		ours = faccessat(dirfd(d), own[i], F_OK, AT_SYMLINK_NOFOLLOW) == 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			empty = false;
	closedir(d);
	if (ours || empty)
		return 0;
	return werr_set(err, ENOTDIR,
	                "system reset: %s does not look like a warren store (none of its folders); "
	                "nothing removed (check --root)",
	                store);
}

/* every container, running ones killed; Return: how many could not go */
static int reset_containers(void)
{
	struct record *recs;
	struct werr err = { 0 };
	size_t n;
	int left = 0;

	if (record_list(cli_gopts(), &recs, &n, &err) < 0)
		return 0; /* no records to remove: the trees go anyway */
	for (size_t i = 0; i < n; i++) {
		err.code = 0;
		if (lifecycle_remove(&recs[i], true, true, &err) < 0) {
			werr_print(&err, "warren");
			left++;
		}
	}
	record_list_free(recs, n);
	return left;
}

const struct cli_cmd cli_cmd_system_reset = {
	"system reset",
	"[OPTIONS]",
	"Remove every container, image, volume and the build cache: the whole store",
	reset_opts,
	0,
	0,
	OPTS_INTERSPERSED
};

int cmd_system_reset(int argc, char **argv)
{
	char store[PATH_MAX], run[PATH_MAX] = "", warning[3 * PATH_MAX];
	char *dirs[] = { store, run };
	struct idmap_plan plan;
	struct werr err = { 0 };
	bool force = false;
	int ind, r = cli_parse(&cli_cmd_system_reset, argc, argv, &ind, reset_opt, &force);

	if (r >= 0)
		return r;
	snprintf(store, sizeof(store), "%s", cli_gopts()->root);
	if (reset_check_store(store, &err) < 0)
		return cli_fail(&err);
	if (rundir_get(run, sizeof(run), &err) < 0)
		run[0] = 0; /* none to remove */
	snprintf(warning, sizeof(warning),
	         "WARNING! This will remove:\n - all containers\n - all images\n - all volumes\n"
	         " - all build cache\n - the store: %s\n - the runtime directory: %s\n"
	         "Are you sure you want to continue?",
	         store, run[0] ? run : "(none)");
	if (!force && !cli_confirm(warning))
		return 0;
	if (reset_containers() > 0) {
		werr_set(&err, EBUSY,
		         "system reset: some containers could not be removed; the store is "
		         "kept (remove them with warren rm -f, then reset again)");
		return cli_fail(&err);
	}
	if (idmap_plan_make(&plan, false, &err) < 0 ||
	    userns_exec(&plan, reset_trees, dirs, &err) < 0)
		return cli_fail(&err);
	return 0;
}
