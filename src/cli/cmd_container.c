/* cmd_container.c - the container verbs that change state: start, stop,
 * kill, restart, wait, rm, rename, container prune, pause/unpause, and the
 * `warren container VERB` group. The work is in src/container/lifecycle.c. */
#include "cleanup.h"
#include "attach.h"
#include "cliutil.h"
#include "commands.h"
#include "ctrcgroup.h"
#include "create.h"
#include "lifecycle.h"
#include "network.h"
#include "progress.h"
#include "prune.h"
#include "monitor.h"
#include "state.h"
#include "term.h"
#include "transfer.h"
#include "util.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/statfs.h>
#include <unistd.h>

enum { O_ATTACH = 1, O_INTERACTIVE, O_TIME, O_SIGNAL, O_FORCE, O_VOLUMES, O_DKEYS, O_FILTER };

struct verb_cfg {
	bool attach, interactive, force, volumes;
	int timeout; /* -1: the container's */
	int sig;
	const char *detach_keys;
	struct filters filters; /* container prune */
	struct werr filter_err; /* a refused --filter: exit 1, not a flag error's 125 */
};

/* implements opt_cb for every table of this file */
static int verb_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct verb_cfg *c = ctx;
	long n;

	switch (def->id) {
	case O_ATTACH: c->attach = !strcmp(v, "true"); return 0;
	case O_INTERACTIVE: c->interactive = !strcmp(v, "true"); return 0;
	case O_FORCE: c->force = !strcmp(v, "true"); return 0;
	case O_VOLUMES: c->volumes = !strcmp(v, "true"); return 0;
	case O_TIME:
		if (cli_parse_int(v, 0, 86400 * 365, &n, "--time", err) < 0)
			return -err->code;
		c->timeout = (int)n;
		return 0;
	case O_SIGNAL: return lifecycle_signal_parse(v, &c->sig, err);
	case O_FILTER:
		if (!c->filter_err.code)
			filters_add(&c->filters, v, &c->filter_err);
		return 0;
	case O_DKEYS: {
		struct detach_keys d;
		c->detach_keys = v;
		return term_detach_parse(v, &d, err);
	}
	}
	return 0;
}

static const struct opt_def start_opts[] = {
	{ "attach", 'a', OPT_FLAG, NULL, "Attach stdout/stderr and wait for the exit", O_ATTACH },
	{ "interactive", 'i', OPT_FLAG, NULL, "Attach stdin", O_INTERACTIVE },
	{ "detach-keys", 0, OPT_VALUE, "KEYS", "Keys that detach (default ctrl-p,ctrl-q)",
	  O_DKEYS },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def stop_opts[] = {
	{ "time", 't', OPT_VALUE, "SECONDS", "Seconds to wait before SIGKILL (default 10)",
	  O_TIME },
	{ "signal", 's', OPT_VALUE, "SIGNAL", "Signal to send first (default: the stop signal)",
	  O_SIGNAL },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def kill_opts[] = {
	{ "signal", 's', OPT_VALUE, "SIGNAL", "Signal to send (default KILL)", O_SIGNAL },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def rm_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "Kill and remove a running container", O_FORCE },
	{ "volumes", 'v', OPT_FLAG, NULL, "Remove its anonymous volumes", O_VOLUMES },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def prune_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "Do not prompt for confirmation", O_FORCE },
	{ "filter", 0, OPT_VALUE, "KEY=VALUE", "until=TIME, label=KEY[=VALUE], label!=KEY[=VALUE]",
	  O_FILTER },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def plain_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

static int do_start(struct record *rec, void *ctx, struct werr *err)
{
	struct verb_cfg *c = ctx;
	int status, sv[2] = { -1, -1 }, r;
	bool tty = json_is_true(json_object_get(json_object_get(rec->config, "Config"), "Tty"));
	struct winsize ws, *wsp = NULL;
	sigset_t set, old;

	if (!c->attach)
		return lifecycle_start(rec, -1, NULL, &status, err);
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return werr_errno(err, errno, "socketpair");
	if (tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		wsp = &ws;
	attach_signals_block(&set, &old);
	r = lifecycle_start(rec, sv[1], wsp, &status, err);
	close(sv[1]);
	if (r == 0)
		c->sig = cli_attach(rec->id, sv[0], c->interactive, tty, c->detach_keys);
	else
		c->sig = status;
	close(sv[0]);
	return r;
}

const struct cli_cmd cli_cmd_start = { "start",
	                               "[OPTIONS] CONTAINER [CONTAINER...]",
	                               "Start one or more stopped containers.",
	                               start_opts,
	                               1,
	                               -1,
	                               OPTS_INTERSPERSED };

int cmd_start(int argc, char **argv)
{
	struct verb_cfg c = { 0 };
	int ind, r = cli_parse(&cli_cmd_start, argc, argv, &ind, verb_opt, &c);

	if (r >= 0)
		return r;
	if (c.attach) {
		if (argc - ind != 1) {
			fprintf(stderr, "warren: start -a takes one container\n");
			return cli_error_exit();
		}
		r = cli_each(1, argv + ind, false, do_start, &c);
		return r ? r : c.sig;
	}
	return cli_each(argc - ind, argv + ind, true, do_start, &c);
}

static int do_stop(struct record *rec, void *ctx, struct werr *err)
{
	struct verb_cfg *c = ctx;

	return lifecycle_stop(rec, c->sig, c->timeout, err);
}

const struct cli_cmd cli_cmd_stop = { "stop",
	                              "[OPTIONS] CONTAINER [CONTAINER...]",
	                              "Stop one or more running containers.",
	                              stop_opts,
	                              1,
	                              -1,
	                              OPTS_INTERSPERSED };

int cmd_stop(int argc, char **argv)
{
	struct verb_cfg c = { .timeout = -1 };
	int ind, r = cli_parse(&cli_cmd_stop, argc, argv, &ind, verb_opt, &c);

	return r >= 0 ? r : cli_each(argc - ind, argv + ind, true, do_stop, &c);
}

static int do_restart(struct record *rec, void *ctx, struct werr *err)
{
	struct idmap_plan plan;
	int status;
	/* a container that could not start again is not stopped */
	int r = config_idmap(rec->config, &plan, err);

	if (r == 0)
		r = do_stop(rec, ctx, err);
	return r < 0 ? r : lifecycle_start(rec, -1, NULL, &status, err);
}

const struct cli_cmd cli_cmd_restart = { "restart",
	                                 "[OPTIONS] CONTAINER [CONTAINER...]",
	                                 "Restart one or more containers.",
	                                 stop_opts,
	                                 1,
	                                 -1,
	                                 OPTS_INTERSPERSED };

int cmd_restart(int argc, char **argv)
{
	struct verb_cfg c = { .timeout = -1 };
	int ind, r = cli_parse(&cli_cmd_restart, argc, argv, &ind, verb_opt, &c);

	return r >= 0 ? r : cli_each(argc - ind, argv + ind, true, do_restart, &c);
}

static int do_kill(struct record *rec, void *ctx, struct werr *err)
{
	struct verb_cfg *c = ctx;

	return lifecycle_kill(rec, c->sig, err);
}

const struct cli_cmd cli_cmd_kill = { "kill",
	                              "[OPTIONS] CONTAINER [CONTAINER...]",
	                              "Send a signal to one or more running containers.",
	                              kill_opts,
	                              1,
	                              -1,
	                              OPTS_INTERSPERSED };

int cmd_kill(int argc, char **argv)
{
	struct verb_cfg c = { .sig = SIGKILL };
	int ind, r = cli_parse(&cli_cmd_kill, argc, argv, &ind, verb_opt, &c);

	return r >= 0 ? r : cli_each(argc - ind, argv + ind, true, do_kill, &c);
}

static int do_wait(struct record *rec, void *ctx, struct werr *err)
{
	int code;
	int r = lifecycle_wait(rec, &code, err);

	(void)ctx;
	if (r == 0) {
		printf("%d\n", code);
		fflush(stdout);
	}
	return r;
}

const struct cli_cmd cli_cmd_wait = { "wait",
	                              "CONTAINER [CONTAINER...]",
	                              "Block until containers stop, then print their exit codes.",
	                              plain_opts,
	                              1,
	                              -1,
	                              OPTS_INTERSPERSED };

int cmd_wait(int argc, char **argv)
{
	int ind, r = cli_parse(&cli_cmd_wait, argc, argv, &ind, verb_opt, NULL);

	return r >= 0 ? r : cli_each(argc - ind, argv + ind, false, do_wait, NULL);
}

static int do_rm(struct record *rec, void *ctx, struct werr *err)
{
	struct verb_cfg *c = ctx;

	return lifecycle_remove(rec, c->force, c->volumes, err);
}

const struct cli_cmd cli_cmd_rm = { "rm",
	                            "[OPTIONS] CONTAINER [CONTAINER...]",
	                            "Remove one or more containers.",
	                            rm_opts,
	                            1,
	                            -1,
	                            OPTS_INTERSPERSED };

int cmd_rm(int argc, char **argv)
{
	struct verb_cfg c = { 0 };
	int ind, r = cli_parse(&cli_cmd_rm, argc, argv, &ind, verb_opt, &c);

	if (r >= 0)
		return r;
	ctrcgroup_gc();
	return cli_each(argc - ind, argv + ind, true, do_rm, &c);
}

static int do_rename(struct record *rec, void *ctx, struct werr *err)
{
	_cleanup_close_ int lk = -1;
	const char *name = ctx;
	int r = record_check_name(name, err);

	if (r < 0)
		return r;
	lk = record_lock(rec, err);
	if (lk < 0)
		return lk;
	r = lifecycle_reload_locked(rec, err);
	if (r == 0 && (r = record_rename(rec, name, err)) == 0)
		network_rename_config(cli_gopts(), rec->config, rec->id, name);
	return r;
}

const struct cli_cmd cli_cmd_rename = {
	"rename", "CONTAINER NEW_NAME", "Rename a container.", plain_opts, 2, 2, OPTS_INTERSPERSED
};

int cmd_rename(int argc, char **argv)
{
	int ind, r = cli_parse(&cli_cmd_rename, argc, argv, &ind, verb_opt, NULL);

	return r >= 0 ? r : cli_each(1, argv + ind, false, do_rename, argv[ind + 1]);
}

uint64_t prune_containers(const struct filters *f)
{
	struct record *recs;
	size_t n;
	struct werr err = { 0 };
	uint64_t bytes = 0;
	bool header = false;

	if (record_list(cli_gopts(), &recs, &n, &err) < 0)
		return 0;
	for (size_t i = 0; i < n; i++) {
		struct record *rec = &recs[i];
		int64_t ns =
		    state_time_ns(json_string_value(json_object_get(rec->config, "Created")));
		uint64_t size;
		state_refresh(rec, &err);
		if ((strcmp(state_status(rec), "exited") && strcmp(state_status(rec), "created")) ||
		    !filters_until_p(f, ns / 1000000000LL) ||
		    !filters_labels_p(
		        f, json_object_get(json_object_get(rec->config, "Config"), "Labels")))
			continue;
		size = cli_tree_size(rec->dir);
		if (lifecycle_remove(rec, false, false, &err) < 0)
			continue;
		if (!header)
			printf("Deleted Containers:\n");
		header = true;
		printf("%s\n", rec->id);
		bytes += size;
	}
	if (header)
		printf("\n");
	record_list_free(recs, n);
	return bytes;
}

const struct cli_cmd cli_cmd_container_prune = {
	"container prune", "[OPTIONS]", "Remove all stopped containers.", prune_opts, 0, 0,
	OPTS_INTERSPERSED
};

int cmd_container_prune(int argc, char **argv)
{
	struct verb_cfg c = { .filters = { .cmd = "container prune", .keys = prune_keys } };
	char size[16];
	int ind, r = cli_parse(&cli_cmd_container_prune, argc, argv, &ind, verb_opt, &c);

	if (r < 0 && c.filter_err.code)
		r = cli_fail(&c.filter_err);
	/* Docker: a no cancels, exit 0 */
	if (r < 0 && (c.force || cli_confirm("WARNING! This will remove all stopped containers.\n"
	                                     "Are you sure you want to continue?"))) {
		progress_human_size(prune_containers(&c.filters), size, sizeof(size));
		printf("Total reclaimed space: %s\n", size);
	}
	filters_free(&c.filters);
	return r < 0 ? 0 : r;
}

/* pause needs a cgroup of the container's own with the v2 freezer in it */
static int do_pause(struct record *rec, void *ctx, struct werr *err)
{
	struct statfs sfs;
	int r = lifecycle_reload(rec, err);

	(void)ctx;
	if (r < 0)
		return r;
	if (!state_running_pid(rec))
		return werr_set(err, EINVAL, "container %s is not running", record_name(rec));
	if (statfs("/sys/fs/cgroup", &sfs) < 0 || sfs.f_type != 0x63677270 /* CGROUP2 */)
		return werr_set(
		    err, ENOTSUP,
		    "cannot pause %s: pausing needs the cgroup v2 freezer, and this "
		    "machine mounts cgroup v1 (or hybrid) at /sys/fs/cgroup; boot with "
		    "systemd.unified_cgroup_hierarchy=1 and delegate a cgroup to your user",
		    record_name(rec));
	return werr_set(err, ENOTSUP,
	                "cannot pause %s: no cgroup is delegated to your user, so the container "
	                "has no cgroup of its own to freeze (as root: enable systemd's "
	                "user@.service Delegate=yes, then log in again)",
	                record_name(rec));
}

const struct cli_cmd cli_cmd_pause = { "pause",
	                               "CONTAINER [CONTAINER...]",
	                               "Pause all processes within containers.",
	                               plain_opts,
	                               1,
	                               -1,
	                               OPTS_INTERSPERSED };

int cmd_pause(int argc, char **argv)
{
	int ind, r = cli_parse(&cli_cmd_pause, argc, argv, &ind, verb_opt, NULL);

	return r >= 0 ? r : cli_each(argc - ind, argv + ind, true, do_pause, NULL);
}

const struct cli_cmd cli_cmd_unpause = { "unpause",
	                                 "CONTAINER [CONTAINER...]",
	                                 "Unpause all processes within containers.",
	                                 plain_opts,
	                                 1,
	                                 -1,
	                                 OPTS_INTERSPERSED };

int cmd_unpause(int argc, char **argv)
{
	int ind, r = cli_parse(&cli_cmd_unpause, argc, argv, &ind, verb_opt, NULL);

	return r >= 0 ? r : cli_each(argc - ind, argv + ind, true, do_pause, NULL);
}

/* `warren container VERB ...`: Docker's management-command spelling */
int cmd_container(int argc, char **argv)
{
	static const struct {
		const char *name;
		int (*fn)(int, char **);
	} verbs[] = {
		{ "create", cmd_create },
		{ "run", cmd_run },
		{ "start", cmd_start },
		{ "stop", cmd_stop },
		{ "restart", cmd_restart },
		{ "kill", cmd_kill },
		{ "wait", cmd_wait },
		{ "rm", cmd_rm },
		{ "remove", cmd_rm },
		{ "rename", cmd_rename },
		{ "prune", cmd_container_prune },
		{ "ls", cmd_ps },
		{ "list", cmd_ps },
		{ "ps", cmd_ps },
		{ "logs", cmd_logs },
		{ "inspect", cmd_inspect },
		{ "exec", cmd_exec },
		{ "attach", cmd_attach },
		{ "top", cmd_top },
		{ "stats", cmd_stats },
		{ "update", cmd_update },
		{ "cp", cmd_transfer },
		{ "export", cmd_transfer },
		{ "diff", cmd_transfer },
		{ "pause", cmd_pause },
		{ "unpause", cmd_unpause },
		{ "port", cmd_port },
	};

	/* internal, not listed: what warren-monitor execs when a container exits */
	if (argc >= 2 && !strcmp(argv[1], "cleanup"))
		return monitor_cleanup(argc - 1, argv + 1);
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		printf("Usage: warren container COMMAND\n\nManage containers.\n\nCommands:\n");
		for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
			printf("  %s\n", verbs[i].name);
		return argc < 2 ? cli_error_exit() : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(verbs); i++)
		if (!strcmp(argv[1], verbs[i].name))
			return verbs[i].fn(argc - 1, argv + 1);
	fprintf(stderr,
	        "warren: unknown command \"container %s\" (see 'warren container --help')\n",
	        argv[1]);
	return cli_error_exit();
}
