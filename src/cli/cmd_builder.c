/* cmd_builder.c - `warren builder prune` (Docker's command, options and
 * prompt): the build cache entries no image uses go (-a: every entry), then
 * the layers only they named; the removal is shared with `system prune`
 * (prune.h). The `builder` command group. */
#include "climage.h"
#include "cliutil.h"
#include "commands.h"
#include "progress.h"
#include "prune.h"

#include <stdio.h>
#include <string.h>

static const struct opt_def builder_prune_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Remove all unused build cache, not just dangling ones",
	  IO_ALL },
	{ "force", 'f', OPT_FLAG, NULL, "Do not prompt for confirmation", IO_FORCE },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_builder_prune = {
	"builder prune",  "[OPTIONS]", "Remove build cache.", builder_prune_opts, 0, 0,
	OPTS_INTERSPERSED
};

/* Docker's wording */
#define BUILDER_PRUNE_WARNING                                                                      \
	"WARNING! This will remove all dangling build cache. Are you sure you want to continue?"
#define BUILDER_PRUNE_WARNING_ALL                                                                  \
	"WARNING! This will remove all build cache. Are you sure you want to continue?"

struct bcache_removed {
	bool header;
	uint64_t bytes;
};

/* implements store_bcache_removed_fn: Docker's "Deleted build cache objects:" */
static void bcache_removed_print(void *ctx, const char *key, uint64_t bytes)
{
	struct bcache_removed *c = ctx;

	if (!c->header)
		printf("Deleted build cache objects:\n");
	c->header = true;
	c->bytes += bytes;
	printf("%s\n", key);
}

int prune_build_cache(bool all, uint64_t *bytes, struct werr *err)
{
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct bcache_removed c = { false, 0 };
	struct idmap_plan plan;
	json_t *images = NULL;
	uint64_t before = 0, after;
	int r = img_open(&s, &plan, err);

	*bytes = 0;
	if (r == 0)
		r = store_lock(&s, err);
	if (r == 0)
		r = store_images_load(&s, &images, err);
	if (r == 0) {
		before = prune_store_bytes(&s, images);
		r = store_bcache_prune(&s, images, all, bcache_removed_print, &c, err);
	}
	if (c.header)
		printf("\n");
	/* the layers only the removed entries named */
	if (r == 0)
		r = store_gc(&s, images, &plan, err);
	if (r == 0) {
		after = prune_store_bytes(&s, images);
		*bytes = c.bytes + (before > after ? before - after : 0);
	}
	json_decref(images);
	store_close(&s);
	return r;
}

int cmd_builder_prune(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct werr err = { 0 };
	uint64_t bytes = 0;
	char size[16];
	int ind, r = img_parse(&cli_cmd_builder_prune, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? EXIT_WARREN : 0;
	/* Docker: a no cancels, exit 0 */
	if (!a.force && !cli_confirm(a.all ? BUILDER_PRUNE_WARNING_ALL : BUILDER_PRUNE_WARNING))
		return 0;
	if (prune_build_cache(a.all, &bytes, &err) < 0)
		return img_fail(&err);
	progress_human_size(bytes, size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	return 0;
}

int cmd_builder(int argc, char **argv)
{
	const char *verb = argc > 1 ? argv[1] : "";

	if (argc < 2 || !strcmp(verb, "--help") || !strcmp(verb, "-h")) {
		FILE *f = argc < 2 ? stderr : stdout;
		fprintf(f,
		        "Usage: warren builder COMMAND\n\nManage builds.\n\nCommands:\n"
		        "  %-10s %s\n\nRun 'warren builder COMMAND --help' for more information "
		        "on a command.\n",
		        "prune", cli_cmd_builder_prune.summary);
		return argc < 2 ? EXIT_WARREN : 0;
	}
	if (!strcmp(verb, "prune"))
		return cmd_builder_prune(argc - 1, argv + 1);
	fprintf(stderr, "warren: unknown command \"builder %s\" (see 'warren builder --help')\n",
	        verb);
	return EXIT_WARREN;
}
