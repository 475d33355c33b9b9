/* transfer_main.c - warren-transfer: the commands that move images in and
 * out (registry, archives), run by `warren` (see transfer.h). Users never
 * call it themselves; it keeps libcurl and libarchive out of `warren`. */
#include <stdio.h>
#include <string.h>

#include "cliutil.h"
#include "commands.h"
#include "werr.h"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static const struct command commands[] = {
	{ "pull", cmd_pull },
	{ "push", cmd_push },
	{ "save", cmd_save },
	{ "load", cmd_load },
	{ "import", cmd_import },
	{ "login", cmd_login },
	{ "logout", cmd_logout },
	{ "rootfs-copy", cmd_rootfs_copy },
	{ "cp", cmd_cp },
	{ "export", cmd_export },
	{ "diff", cmd_diff },
	{ "layer-diff", cmd_layer_diff },
	{ "untar", cmd_untar },
	{ "fetch", cmd_fetch },
	{ "commit", cmd_commit },
	{ "search", cmd_search },
	{ "build-output", cmd_build_output },
	{ NULL, NULL },
};

int main(int argc, char **argv)
{
	const char *root, *driver;
	struct werr err = { 0 };

	/* warren hands on its global options as arguments */
	if (gopts_parse(&argc, &argv, &root, &driver, &err) < 0 ||
	    cli_gopts_load(root, driver, &err) < 0) {
		werr_print(&err, "warren");
		return EXIT_WARREN;
	}
	for (const struct command *c = commands; argc >= 2 && c->name; c++)
		if (!strcmp(argv[1], c->name))
			return c->fn(argc - 1, argv + 1);
	fprintf(stderr,
	        "warren-transfer: unknown command \"%s\" (it is run by warren: use "
	        "'warren --help')\n",
	        argc >= 2 ? argv[1] : "");
	return EXIT_WARREN;
}
