/* main.c - warren's entry point: one table of commands feeds the dispatcher
 * and --help. Commands live in cmd_*.c; those that move images in and out
 * are handed to warren-transfer (cmd_transfer, see transfer.h). */
#include "starttrace.h"
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cliutil.h"
#include "commands.h"
#include "gopts.h"
#include "transfer.h"

#ifndef WARREN_VERSION
#define WARREN_VERSION "0.1.0"
#endif

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *summary;
};

static const struct command commands[] = {
	{ "run", cmd_run, "Run a command in a new container" },
	{ "pull", cmd_transfer, "Pull an image from a registry" },
	{ "push", cmd_transfer, "Push an image to a registry" },
	{ "images", cmd_images, "List images" },
	{ "rmi", cmd_rmi, "Remove images" },
	{ "tag", cmd_tag, "Give an image another name" },
	{ "history", cmd_history, "Show the history of an image" },
	{ "save", cmd_transfer, "Save images to a tar archive" },
	{ "load", cmd_transfer, "Load images from a tar archive" },
	{ "import", cmd_transfer, "Make an image from a root filesystem tarball" },
	{ "login", cmd_transfer, "Log in to a registry" },
	{ "logout", cmd_transfer, "Log out of a registry" },
	{ "search", cmd_transfer, "Search a registry for images" },
	{ "image", cmd_image, "Manage images (ls, inspect, rm, prune, ...)" },
	{ "info", cmd_info, "What warren uses on this machine (storage driver, IDs) and why" },
	{ "system", cmd_system, "Store usage (df), consistency (check), prune, reset" },
	{ "unshare", cmd_unshare, "Run a command in the store's user namespace" },
	{ "create", cmd_create, "Create a new container" },
	{ "start", cmd_start, "Start one or more stopped containers" },
	{ "stop", cmd_stop, "Stop one or more running containers" },
	{ "restart", cmd_restart, "Restart one or more containers" },
	{ "kill", cmd_kill, "Send a signal to running containers" },
	{ "wait", cmd_wait, "Wait for containers to stop; print exit codes" },
	{ "rm", cmd_rm, "Remove one or more containers" },
	{ "rename", cmd_rename, "Rename a container" },
	{ "ps", cmd_ps, "List containers" },
	{ "logs", cmd_logs, "Fetch the logs of a container" },
	{ "attach", cmd_attach, "Attach to a running container" },
	{ "exec", cmd_exec, "Run a command in a running container" },
	{ "inspect", cmd_inspect, "Low-level information on containers and volumes" },
	{ "top", cmd_top, "Show the processes of a container" },
	{ "stats", cmd_stats, "Resource usage of containers" },
	{ "update", cmd_update, "Update the resource limits of containers" },
	{ "events", cmd_events, "Real time events from containers, images and volumes" },
	{ "port", cmd_port, "List port mappings of a container" },
	{ "cp", cmd_transfer, "Copy files between a container and the host" },
	{ "export", cmd_transfer, "Export a container's filesystem as a tar archive" },
	{ "diff", cmd_transfer, "Changes to files in a container's filesystem" },
	{ "pause", cmd_pause, "Pause all processes of containers" },
	{ "unpause", cmd_unpause, "Unpause all processes of containers" },
	{ "container", cmd_container, "Manage containers" },
	{ "volume", cmd_volume, "Manage volumes" },
	{ "network", cmd_network, "Manage networks" },
	{ "healthcheck", cmd_healthcheck, "Run a container's health check" },
	{ "build", cmd_build, "Build an image from a Dockerfile" },
	{ "builder", cmd_builder, "Manage builds (prune the build cache)" },
	{ "commit", cmd_transfer, "Make an image from a container's changes" },
	{ NULL, NULL, NULL },
};

/* Docker's CLI: these commands exit 125 when warren fails, the rest 1 */
static bool fails_with_125(const char *name)
{
	return !strcmp(name, "run") || !strcmp(name, "create") || !strcmp(name, "exec") ||
	       !strcmp(name, "build");
}

/* the config file's unknown keys, one "warren: warning:" line each */
static void print_conf_warnings(const char *w)
{
	while (*w) {
		size_t n = strcspn(w, "\n");
		fprintf(stderr, "warren: warning: %.*s\n", (int)n, w);
		w += n + (w[n] == '\n');
	}
}

static void usage(FILE *f)
{
	fprintf(f, "Usage: warren COMMAND [OPTIONS]\n\n"
	           "A rootless, daemonless container tool with Docker's commands.\n\n"
	           "Global options:\n");
	gopts_help(f);
	fprintf(f, "\nCommands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "  %-10s %s\n", "version", "Show the version");
	fprintf(f, "\nRun 'warren COMMAND --help' for more information on a command.\n");
}

int main(int argc, char **argv)
{
	const char *root, *driver;
	struct werr err = { 0 };
	int rc;

	starttrace_init("main");
	if (gopts_parse(&argc, &argv, &root, &driver, &err) < 0) {
		werr_print(&err, "warren");
		return EXIT_WARREN;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_WARREN;
	}
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help")) {
		usage(stdout);
		return 0;
	}
	if (!strcmp(argv[1], "version") || !strcmp(argv[1], "--version") ||
	    !strcmp(argv[1], "-v")) {
		printf("warren version %s\n", WARREN_VERSION);
		return 0;
	}
	for (const struct command *c = commands; c->name; c++) {
		if (strcmp(argv[1], c->name))
			continue;
		if (cli_gopts_load(root, driver, &err) < 0) {
			werr_print(&err, "warren");
			return fails_with_125(c->name) ? EXIT_WARREN : 1;
		}
		print_conf_warnings(cli_gopts()->conf_warnings);
		if (cli_gopts()->root_warning[0])
			fprintf(stderr, "warren: warning: %s\n", cli_gopts()->root_warning);
		rc = c->fn(argc - 1, argv + 1);
		starttrace_mark("exit");
		starttrace_flush();
		return rc;
	}
	if (argv[1][0] == '-') { /* Docker's CLI: a flag error, 125 */
		fprintf(stderr, "warren: unknown flag: %s (see 'warren --help')\n", argv[1]);
		return EXIT_WARREN;
	}
	fprintf(stderr, "warren: unknown command \"%s\" (see 'warren --help')\n", argv[1]);
	return 1; /* Docker's CLI: not a docker command, exit 1 */
}
