/* cmdtab.c - the documented command tree (cmdtab.h): which commands and
 * groups warren has, their aliases and what their operands are. Only the
 * man page and completion generator links it; it must list every command
 * that main.c and the group dispatchers accept, and only those. */
#include "cmdtab.h"

#include <stddef.h>

#define LEAF(n, c, arg)                                                                            \
	{                                                                                          \
		n, &c, NULL, NULL, NULL, arg                                                       \
	}
#define ALIASED(n, c, a, arg)                                                                      \
	{                                                                                          \
		n, &c, NULL, NULL, a, arg                                                          \
	}
#define GROUP(n, subs, summary)                                                                    \
	{                                                                                          \
		n, NULL, subs, summary, NULL, CLI_ARG_NONE                                         \
	}
#define NODES_END                                                                                  \
	{                                                                                          \
		NULL, NULL, NULL, NULL, NULL, CLI_ARG_NONE                                         \
	}

static const struct cli_node image_subs[] = {
	ALIASED("ls", cli_cmd_images, "list", CLI_ARG_IMAGE),
	LEAF("inspect", cli_cmd_image_inspect, CLI_ARG_IMAGE),
	LEAF("rm", cli_cmd_rmi, CLI_ARG_IMAGE),
	LEAF("prune", cli_cmd_image_prune, CLI_ARG_NONE),
	LEAF("pull", cli_cmd_pull, CLI_ARG_IMAGE),
	LEAF("push", cli_cmd_push, CLI_ARG_IMAGE),
	LEAF("tag", cli_cmd_tag, CLI_ARG_IMAGE),
	LEAF("history", cli_cmd_history, CLI_ARG_IMAGE),
	LEAF("save", cli_cmd_save, CLI_ARG_IMAGE),
	LEAF("load", cli_cmd_load, CLI_ARG_NONE),
	LEAF("import", cli_cmd_import, CLI_ARG_FILE),
	NODES_END,
};

static const struct cli_node system_subs[] = {
	LEAF("df", cli_cmd_system_df, CLI_ARG_NONE),
	LEAF("check", cli_cmd_system_check, CLI_ARG_NONE),
	LEAF("prune", cli_cmd_system_prune, CLI_ARG_NONE),
	LEAF("reset", cli_cmd_system_reset, CLI_ARG_NONE),
	NODES_END,
};

static const struct cli_node builder_subs[] = {
	LEAF("prune", cli_cmd_builder_prune, CLI_ARG_NONE),
	NODES_END,
};

static const struct cli_node container_subs[] = {
	LEAF("create", cli_cmd_create, CLI_ARG_IMAGE),
	LEAF("run", cli_cmd_run, CLI_ARG_IMAGE),
	LEAF("start", cli_cmd_start, CLI_ARG_CONTAINER),
	LEAF("stop", cli_cmd_stop, CLI_ARG_RUNNING),
	LEAF("restart", cli_cmd_restart, CLI_ARG_CONTAINER),
	LEAF("kill", cli_cmd_kill, CLI_ARG_RUNNING),
	LEAF("wait", cli_cmd_wait, CLI_ARG_CONTAINER),
	ALIASED("rm", cli_cmd_rm, "remove", CLI_ARG_CONTAINER),
	LEAF("rename", cli_cmd_rename, CLI_ARG_CONTAINER),
	LEAF("prune", cli_cmd_container_prune, CLI_ARG_NONE),
	ALIASED("ls", cli_cmd_ps, "list ps", CLI_ARG_NONE),
	LEAF("logs", cli_cmd_logs, CLI_ARG_CONTAINER),
	LEAF("inspect", cli_cmd_inspect, CLI_ARG_CONTAINER),
	LEAF("exec", cli_cmd_exec, CLI_ARG_RUNNING),
	LEAF("attach", cli_cmd_attach, CLI_ARG_RUNNING),
	LEAF("top", cli_cmd_top, CLI_ARG_RUNNING),
	LEAF("stats", cli_cmd_stats, CLI_ARG_RUNNING),
	LEAF("update", cli_cmd_update, CLI_ARG_CONTAINER),
	LEAF("cp", cli_cmd_cp, CLI_ARG_CONTAINER),
	LEAF("export", cli_cmd_export, CLI_ARG_CONTAINER),
	LEAF("diff", cli_cmd_diff, CLI_ARG_CONTAINER),
	LEAF("pause", cli_cmd_pause, CLI_ARG_RUNNING),
	LEAF("unpause", cli_cmd_unpause, CLI_ARG_RUNNING),
	LEAF("port", cli_cmd_port, CLI_ARG_CONTAINER),
	NODES_END,
};

static const struct cli_node volume_subs[] = {
	LEAF("create", cli_cmd_volume_create, CLI_ARG_NONE),
	ALIASED("ls", cli_cmd_volume_ls, "list", CLI_ARG_NONE),
	LEAF("inspect", cli_cmd_volume_inspect, CLI_ARG_VOLUME),
	ALIASED("rm", cli_cmd_volume_rm, "remove", CLI_ARG_VOLUME),
	LEAF("prune", cli_cmd_volume_prune, CLI_ARG_NONE),
	NODES_END,
};

static const struct cli_node network_subs[] = {
	LEAF("create", cli_cmd_network_create, CLI_ARG_NONE),
	ALIASED("ls", cli_cmd_network_ls, "list", CLI_ARG_NONE),
	LEAF("inspect", cli_cmd_network_inspect, CLI_ARG_NETWORK),
	ALIASED("rm", cli_cmd_network_rm, "remove", CLI_ARG_NETWORK),
	LEAF("prune", cli_cmd_network_prune, CLI_ARG_NONE),
	LEAF("connect", cli_cmd_network_connect, CLI_ARG_NETWORK),
	LEAF("disconnect", cli_cmd_network_disconnect, CLI_ARG_NETWORK),
	NODES_END,
};

static const struct cli_node healthcheck_subs[] = {
	LEAF("run", cli_cmd_healthcheck_run, CLI_ARG_RUNNING),
	NODES_END,
};

const struct cli_node cli_tree[] = {
	LEAF("run", cli_cmd_run, CLI_ARG_IMAGE),
	LEAF("pull", cli_cmd_pull, CLI_ARG_IMAGE),
	LEAF("push", cli_cmd_push, CLI_ARG_IMAGE),
	LEAF("images", cli_cmd_images, CLI_ARG_IMAGE),
	LEAF("rmi", cli_cmd_rmi, CLI_ARG_IMAGE),
	LEAF("tag", cli_cmd_tag, CLI_ARG_IMAGE),
	LEAF("history", cli_cmd_history, CLI_ARG_IMAGE),
	LEAF("save", cli_cmd_save, CLI_ARG_IMAGE),
	LEAF("load", cli_cmd_load, CLI_ARG_NONE),
	LEAF("import", cli_cmd_import, CLI_ARG_FILE),
	LEAF("login", cli_cmd_login, CLI_ARG_NONE),
	LEAF("logout", cli_cmd_logout, CLI_ARG_NONE),
	LEAF("search", cli_cmd_search, CLI_ARG_NONE),
	GROUP("image", image_subs, "Manage images."),
	LEAF("info", cli_cmd_info, CLI_ARG_NONE),
	GROUP("system", system_subs, "Store usage (df), consistency (check), prune, reset."),
	LEAF("unshare", cli_cmd_unshare, CLI_ARG_NONE),
	LEAF("create", cli_cmd_create, CLI_ARG_IMAGE),
	LEAF("start", cli_cmd_start, CLI_ARG_CONTAINER),
	LEAF("stop", cli_cmd_stop, CLI_ARG_RUNNING),
	LEAF("restart", cli_cmd_restart, CLI_ARG_CONTAINER),
	LEAF("kill", cli_cmd_kill, CLI_ARG_RUNNING),
	LEAF("wait", cli_cmd_wait, CLI_ARG_CONTAINER),
	LEAF("rm", cli_cmd_rm, CLI_ARG_CONTAINER),
	LEAF("rename", cli_cmd_rename, CLI_ARG_CONTAINER),
	LEAF("ps", cli_cmd_ps, CLI_ARG_NONE),
	LEAF("logs", cli_cmd_logs, CLI_ARG_CONTAINER),
	LEAF("attach", cli_cmd_attach, CLI_ARG_RUNNING),
	LEAF("exec", cli_cmd_exec, CLI_ARG_RUNNING),
	LEAF("inspect", cli_cmd_inspect, CLI_ARG_ANY),
	LEAF("top", cli_cmd_top, CLI_ARG_RUNNING),
	LEAF("stats", cli_cmd_stats, CLI_ARG_RUNNING),
	LEAF("update", cli_cmd_update, CLI_ARG_CONTAINER),
	LEAF("events", cli_cmd_events, CLI_ARG_NONE),
	LEAF("port", cli_cmd_port, CLI_ARG_CONTAINER),
	LEAF("cp", cli_cmd_cp, CLI_ARG_CONTAINER),
	LEAF("export", cli_cmd_export, CLI_ARG_CONTAINER),
	LEAF("diff", cli_cmd_diff, CLI_ARG_CONTAINER),
	LEAF("pause", cli_cmd_pause, CLI_ARG_RUNNING),
	LEAF("unpause", cli_cmd_unpause, CLI_ARG_RUNNING),
	GROUP("container", container_subs, "Manage containers."),
	GROUP("volume", volume_subs, "Manage volumes."),
	GROUP("network", network_subs, "Manage networks."),
	GROUP("healthcheck", healthcheck_subs, "Run a container's health check."),
	LEAF("build", cli_cmd_build, CLI_ARG_FILE),
	GROUP("builder", builder_subs, "Manage builds: prune the build cache."),
	LEAF("commit", cli_cmd_commit, CLI_ARG_CONTAINER),
	NODES_END,
};
