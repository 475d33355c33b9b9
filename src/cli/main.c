/* main.c - warren's entry point: one table of commands feeds the dispatcher
 * and --help. Commands live in cmd_*.c; those that move images in and out
 * are handed to warren-transfer (cmd_transfer, see transfer.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
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
	{ "image", cmd_image, "Manage images (ls, inspect, rm, prune, ...)" },
	{ "system", cmd_system, "Store usage (df), consistency (check), prune" },
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
