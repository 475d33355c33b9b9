/* main.c - warren's entry point: one table of commands feeds the dispatcher
 * and --help. Commands live in cmd_*.c. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"

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
	{ "port", cmd_port, "List port mappings of a container" },
	{ "cp", cmd_cp, "Copy files between a container and the host" },
	{ "export", cmd_export, "Export a container's filesystem as a tar archive" },
	{ "pause", cmd_pause, "Pause all processes of containers" },
	{ "unpause", cmd_unpause, "Unpause all processes of containers" },
	{ "container", cmd_container, "Manage containers" },
	{ "volume", cmd_volume, "Manage volumes" },
	{ NULL, NULL, NULL },
};

static void usage(FILE *f)
{
	fprintf(f, "Usage: warren COMMAND [OPTIONS]\n\n"
	           "A rootless, daemonless container tool with Docker's commands.\n\n"
	           "Global options:\n"
	           "  --root DIR  the image and container store (default $XDG_DATA_HOME/warren)\n\n"
	           "Commands:\n");
	for (const struct command *c = commands; c->name; c++)
		fprintf(f, "  %-10s %s\n", c->name, c->summary);
	fprintf(f, "  %-10s %s\n", "version", "Show the version");
	fprintf(f, "\nRun 'warren COMMAND --help' for more information on a command.\n");
}

int main(int argc, char **argv)
{
	/* global options before the command: --root DIR (the store) */
	while (argc >= 2 && !strncmp(argv[1], "--root", 6) &&
	       (argv[1][6] == '\0' || argv[1][6] == '=')) {
		const char *dir = argv[1][6] == '=' ? argv[1] + 7 : argc >= 3 ? argv[2] : NULL;

		if (!dir || dir[0] != '/') {
			fprintf(stderr, "warren: --root needs an absolute directory\n");
			return 125;
		}
		int used = argv[1][6] == '=' ? 1 : 2;

		setenv("WARREN_ROOT", dir, 1);
		argc -= used;
		argv += used;
	}
	if (argc < 2) {
		usage(stderr);
		return 125;
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
	for (const struct command *c = commands; c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr, "warren: unknown command \"%s\" (see 'warren --help')\n", argv[1]);
	return 125;
}
