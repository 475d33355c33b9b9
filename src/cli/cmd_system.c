/* cmd_system.c - `warren system df` (what the store holds, shared layers
 * counted once), `warren system check` (every blob re-hashed, every record's
 * references present), and the `image` and `system` command groups. */
#include "climage.h"
#include "cleanup.h"
#include "commands.h"
#include "transfer.h"
#include "progress.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct opt_def df_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

const struct cli_cmd cli_cmd_system_df = { "system df", "", "Show how much space the store uses.",
	                                   df_opts,     0,  -1 };

static int system_df(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct store_usage u;
	struct werr err = { 0 };
	json_t *images = NULL;
	char sz[16], shared[16], blobs[16];
	int ind, r = img_parse(&cli_cmd_system_df, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? EXIT_WARREN : 0;
	r = img_open(&s, NULL, &err);
	if (r == 0)
		r = store_images_load(&s, &images, &err);
	if (r == 0)
		r = store_usage(&s, images, &u, &err);
	json_decref(images);
	store_close(&s);
	if (r < 0)
		return img_fail(&err);
	progress_human_size(u.layer_bytes, sz, sizeof(sz));
	/* what images share: the sum over images minus what is stored */
	progress_human_size(u.images_bytes > u.layer_bytes ? u.images_bytes - u.layer_bytes : 0,
	                    shared, sizeof(shared));
	progress_human_size(u.blob_bytes, blobs, sizeof(blobs));
	printf("%-12s %-8s %-10s %-10s %s\n", "TYPE", "TOTAL", "SIZE", "SHARED", "BLOBS");
	printf("%-12s %-8zu %-10s %-10s %s\n", "Images", u.images, sz, shared, blobs);
	printf("%-12s %-8zu %-10s %-10s %s\n", "Layers", u.layers, sz, "-", "-");
	printf("%-12s %-8zu %-10s %-10s %s\n", "Containers", u.containers, "-", "-", "-");
	return 0;
}

const struct cli_cmd cli_cmd_system_check = { "system check", "", "Check the store's consistency.",
	                                      df_opts,        0,  -1 };

static int system_check(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct werr err = { 0 };
	_cleanup_free_ char *report = NULL;
	int ind, r = img_parse(&cli_cmd_system_check, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? EXIT_WARREN : 0;
	r = img_open(&s, NULL, &err);
	if (r == 0)
		r = store_check(&s, &report, &err);
	store_close(&s);
	if (r < 0)
		return img_fail(&err);
	if (r > 0) {
		fputs(report, stdout);
		fprintf(stderr,
		        "warren: the store at %s has %d problem(s): remove the damaged images "
		        "(warren rmi -f) and pull them again\n",
		        s.root, r);
		return EXIT_WARREN;
	}
	printf("no damage found in %s\n", s.root);
	return 0;
}

struct sub {
	const char *name;
	int (*fn)(int argc, char **argv);
};

static int dispatch(const struct sub *subs, const char *group, int argc, char **argv)
{
	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f, "Usage: warren %s COMMAND\n\nCommands:\n", group);
		for (const struct sub *s = subs; s->name; s++)
			fprintf(f, "  %s\n", s->name);
		return argc < 2 ? EXIT_WARREN : 0;
	}
	for (const struct sub *s = subs; s->name; s++)
		if (!strcmp(argv[1], s->name))
			return s->fn(argc - 1, argv + 1);
	fprintf(stderr, "warren: unknown command \"%s %s\" (see 'warren %s --help')\n", group,
	        argv[1], group);
	return EXIT_WARREN;
}

int cmd_system(int argc, char **argv)
{
	static const struct sub subs[] = {
		{ "df", system_df },
		{ "check", system_check },
		{ "prune", cmd_image_prune },
		{ NULL, NULL },
	};

	return dispatch(subs, "system", argc, argv);
}

int cmd_image(int argc, char **argv)
{
	static const struct sub subs[] = {
		{ "ls", cmd_images },
		{ "list", cmd_images },
		{ "inspect", cmd_image_inspect },
		{ "rm", cmd_rmi },
		{ "prune", cmd_image_prune },
		{ "pull", cmd_transfer },
		{ "push", cmd_transfer },
		{ "tag", cmd_tag },
		{ "history", cmd_history },
		{ "save", cmd_transfer },
		{ "load", cmd_transfer },
		{ "import", cmd_transfer },
		{ NULL, NULL },
	};

	return dispatch(subs, "image", argc, argv);
}
