/* cmdtab.h - the documented command tree: every command's struct cli_cmd
 * (defined next to its code, the table its parser and --help use) and the
 * tree of groups, aliases and operand kinds that the man pages and shell
 * completions are generated from (docgen.c). Nothing here runs a command. */
#ifndef WARREN_CMDTAB_H
#define WARREN_CMDTAB_H

#include "cliutil.h"

/* what a command's operands are, for completion */
enum cli_operand {
	CLI_ARG_NONE,      /* nothing worth completing */
	CLI_ARG_FILE,      /* host paths: the shell's own completion */
	CLI_ARG_CONTAINER, /* every container's name */
	CLI_ARG_RUNNING,   /* running containers' names */
	CLI_ARG_IMAGE,     /* image names (REPOSITORY:TAG) */
	CLI_ARG_VOLUME,    /* volume names */
	CLI_ARG_NETWORK,   /* network names */
	CLI_ARG_ANY,       /* containers and volumes (inspect) */
};

struct cli_node {
	const char *name;
	const struct cli_cmd *cmd;   /* NULL for a group */
	const struct cli_node *subs; /* a group's commands, ending with a NULL name */
	const char *summary;         /* a group's; a command's is cmd->summary */
	const char *aliases;         /* other names, space-separated, or NULL */
	enum cli_operand operand;
};

/* the top level, in `warren --help` order, ending with a NULL name */
extern const struct cli_node cli_tree[];

/* the commands of warren (linked into warren) */
extern const struct cli_cmd cli_cmd_run, cli_cmd_create, cli_cmd_images, cli_cmd_rmi, cli_cmd_tag,
    cli_cmd_history, cli_cmd_image_inspect, cli_cmd_image_prune, cli_cmd_info, cli_cmd_system_df,
    cli_cmd_system_check, cli_cmd_start, cli_cmd_stop, cli_cmd_restart, cli_cmd_kill, cli_cmd_wait,
    cli_cmd_rm, cli_cmd_rename, cli_cmd_container_prune, cli_cmd_pause, cli_cmd_unpause, cli_cmd_ps,
    cli_cmd_logs, cli_cmd_attach, cli_cmd_exec, cli_cmd_inspect, cli_cmd_port, cli_cmd_top,
    cli_cmd_events, cli_cmd_stats, cli_cmd_update, cli_cmd_volume_create, cli_cmd_volume_ls,
    cli_cmd_volume_inspect, cli_cmd_volume_rm, cli_cmd_volume_prune, cli_cmd_network_create,
    cli_cmd_network_ls, cli_cmd_network_inspect, cli_cmd_network_rm, cli_cmd_network_prune,
    cli_cmd_network_connect, cli_cmd_network_disconnect, cli_cmd_build, cli_cmd_builder_prune,
    cli_cmd_system_prune, cli_cmd_system_reset, cli_cmd_unshare, cli_cmd_healthcheck_run;
/* the commands warren hands to warren-transfer (linked into warren-transfer) */
extern const struct cli_cmd cli_cmd_pull, cli_cmd_push, cli_cmd_save, cli_cmd_load, cli_cmd_import,
    cli_cmd_login, cli_cmd_logout, cli_cmd_search, cli_cmd_cp, cli_cmd_export, cli_cmd_diff,
    cli_cmd_commit;

#endif
