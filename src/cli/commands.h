/* commands.h - the command table's entry points, one per CLI verb. Each
 * returns the process exit code; only main() exits. */
#ifndef WARREN_COMMANDS_H
#define WARREN_COMMANDS_H

#include "gopts.h"

/**
 * cli_gopts_load() - decide the global options once (gopts_load()), for
 * main() of warren and of warren-transfer.
 */
int cli_gopts_load(const char *root, const char *driver, struct werr *err);

/**
 * cli_gopts() - the global options main() decided: the commands pass them
 * down to the libraries, which never look them up themselves.
 */
const struct gopts *cli_gopts(void);

int cmd_run(int argc, char **argv);
int cmd_info(int argc, char **argv);
int cmd_unshare(int argc, char **argv);
int cmd_system_reset(int argc, char **argv);

/* images (cmd_image.c, cmd_images.c, cmd_push.c, cmd_archive.c, cmd_login.c) */
int cmd_pull(int argc, char **argv);
int cmd_rootfs_copy(int argc, char **argv);
int cmd_push(int argc, char **argv);
int cmd_images(int argc, char **argv);
int cmd_rmi(int argc, char **argv);
int cmd_tag(int argc, char **argv);
int cmd_image_inspect(int argc, char **argv);
int cmd_image_prune(int argc, char **argv);
int cmd_history(int argc, char **argv);
int cmd_save(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_import(int argc, char **argv);
int cmd_login(int argc, char **argv);
int cmd_logout(int argc, char **argv);
int cmd_image(int argc, char **argv);
int cmd_system(int argc, char **argv);
/* builder prune (cmd_builder.c) */
int cmd_builder(int argc, char **argv);
int cmd_builder_prune(int argc, char **argv);
/* container lifecycle (cmd_container.c, cmd_ps.c, cmd_logs.c, ...) */
int cmd_create(int argc, char **argv);
int cmd_start(int argc, char **argv);
int cmd_stop(int argc, char **argv);
int cmd_restart(int argc, char **argv);
int cmd_kill(int argc, char **argv);
int cmd_wait(int argc, char **argv);
int cmd_rm(int argc, char **argv);
int cmd_rename(int argc, char **argv);
int cmd_container_prune(int argc, char **argv);
int cmd_pause(int argc, char **argv);
int cmd_unpause(int argc, char **argv);
int cmd_container(int argc, char **argv);
int cmd_ps(int argc, char **argv);
int cmd_logs(int argc, char **argv);
int cmd_attach(int argc, char **argv);
int cmd_inspect(int argc, char **argv);
int cmd_port(int argc, char **argv);
int cmd_exec(int argc, char **argv);
int cmd_top(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_update(int argc, char **argv);
int cmd_events(int argc, char **argv);
int cmd_search(int argc, char **argv);
int cmd_cp(int argc, char **argv);
int cmd_export(int argc, char **argv);
int cmd_diff(int argc, char **argv);
int cmd_volume(int argc, char **argv);
int cmd_network(int argc, char **argv);
int cmd_healthcheck(int argc, char **argv);
/* build (cmd_build.c; layer-diff in warren-transfer: cmd_layer.c) */
int cmd_build(int argc, char **argv);
int cmd_layer_diff(int argc, char **argv);
int cmd_commit(int argc, char **argv);
int cmd_untar(int argc, char **argv);
int cmd_build_output(int argc, char **argv);
int cmd_fetch(int argc, char **argv);

#endif
