/* cmd_system.c - `warren system df` (what the store holds, shared layers
 * counted once, killed commands' staging), `warren system check` (every
 * blob re-hashed, every layer whole with its blob, every record's
 * references present, dead staging, a full filesystem; --repair removes
 * what is broken), `warren system prune` (Docker's scope and prompt, the
 * build cache too), and
 * the `image` and `system` command groups. */
#include "climage.h"
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "transfer.h"
#include "progress.h"
#include "prune.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct opt_def df_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

const struct cli_cmd cli_cmd_system_df = {
	"system df", "", "Show how much space the store uses.", df_opts, 0, -1, OPTS_INTERSPERSED
};

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
		return r < 0 ? cli_error_exit() : 0;
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
	/* staging killed commands left: space a prune gives back */
	progress_human_size(u.staging_bytes, sz, sizeof(sz));
	printf("%-12s %-8zu %-10s %-10s %s\n", "Staging", u.staging, sz, "-", "-");
	/* the entries and the layers they made; SHARED: what images use too */
	progress_human_size(u.bcache_bytes, sz, sizeof(sz));
	progress_human_size(u.bcache_shared, shared, sizeof(shared));
	printf("%-12s %-8zu %-10s %-10s %s\n", "Build Cache", u.bcache, sz, shared, "-");
	return 0;
}

static const struct opt_def check_opts[] = {
	{ "repair", 'r', OPT_FLAG, NULL,
	  "Remove what is damaged or incomplete (a pull of the image restores it)", IO_REPAIR },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
const struct cli_cmd cli_cmd_system_check = {
	"system check",
	"[OPTIONS]",
	"Check the store's consistency; --repair removes what is broken.",
	check_opts,
	0,
	0,
	OPTS_INTERSPERSED
};

static int system_check(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	_cleanup_free_ char *report = NULL;
	int repaired = 0, ind, r = img_parse(&cli_cmd_system_check, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	r = img_open(&s, &plan, &err);
	if (r == 0 && a.repair)
		r = store_lock(&s, &err);
	if (r == 0)
		r = store_check(&s, &plan, a.repair, &report, &repaired, &err);
	store_close(&s);
	if (r < 0)
		return img_fail(&err);
	if (r == 0) {
		printf("no damage found in %s\n", s.root);
		return 0;
	}
	fputs(report, stdout);
	if (a.repair && repaired == r) {
		printf("repaired %d problem(s) in %s: pull the images named above again\n", r,
		       s.root);
		return 0;
	}
	if (a.repair)
		fprintf(stderr, "warren: the store at %s has %d problem(s), %d repaired\n", s.root,
		        r, repaired);
	else
		fprintf(stderr,
		        "warren: the store at %s has %d problem(s): 'warren system check --repair' "
		        "removes what is broken, then pull the images named above again\n",
		        s.root, r);
	return 1;
}

const struct filter_key prune_keys[] = {
	{ "until", FILTER_TIME, NULL },
	{ "label", FILTER_LABEL, NULL },
	{ "label!", FILTER_LABEL, NULL },
	{ NULL, 0, NULL },
};

enum { SP_ALL = 1, SP_FORCE, SP_VOLUMES, SP_FILTER };

struct system_prune_cfg {
	bool all, force, volumes;
	struct filters filters;
	struct werr filter_err; /* a refused --filter: exit 1, not a flag error's 125 */
};

static const struct opt_def system_prune_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Remove all unused images, not only dangling ones", SP_ALL },
	{ "force", 'f', OPT_FLAG, NULL, "Do not prompt for confirmation", SP_FORCE },
	{ "volumes", 0, OPT_FLAG, NULL, "Also remove anonymous volumes no container uses",
	  SP_VOLUMES },
	{ "filter", 0, OPT_VALUE, "KEY=VALUE", "until=TIME, label=KEY[=VALUE], label!=KEY[=VALUE]",
	  SP_FILTER },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements opt_cb for system prune */
static int system_prune_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct system_prune_cfg *c = ctx;
	bool on = !strcmp(v, "true");

	(void)err;
	switch (def->id) {
	case SP_ALL: c->all = on; return 0;
	case SP_FORCE: c->force = on; return 0;
	case SP_VOLUMES: c->volumes = on; return 0;
	case SP_FILTER:
		if (!c->filter_err.code)
			filters_add(&c->filters, v, &c->filter_err);
		return 0;
	}
	return 0;
}

/* Docker's warning: what goes, then the filters */
static bool system_prune_confirm(const struct system_prune_cfg *c)
{
	char msg[2048];
	size_t len = 0;

	len += (size_t)snprintf(msg, sizeof(msg),
	                        "WARNING! This will remove:\n"
	                        "  - all stopped containers\n"
	                        "  - all networks not used by at least one container\n");
	if (c->volumes)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len,
		                        "  - all anonymous volumes not used by at least one "
		                        "container\n");
	len += (size_t)snprintf(msg + len, sizeof(msg) - len, "  - %s\n  - %s\n",
	                        c->all ? "all images without at least one container "
	                                 "associated to them"
	                               : "all dangling images",
	                        c->all ? "all build cache" : "unused build cache");
	if (c->filters.n)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len,
		                        "\n  Items to be pruned will be filtered with:\n");
	for (size_t i = 0; i < c->filters.n && len < sizeof(msg); i++)
		len += (size_t)snprintf(msg + len, sizeof(msg) - len, "  - %s=%s\n",
		                        c->filters.v[i].key->name, c->filters.v[i].value);
	if (len < sizeof(msg))
		snprintf(msg + len, sizeof(msg) - len, "\nAre you sure you want to continue?");
	return cli_confirm(msg);
}

/* `system prune`: stopped containers, the networks no container is on,
 * with --volumes unused anonymous volumes, dangling images (-a: every unused one) and the build cache no
 * image uses (-a: all of it), as Docker's */
const struct cli_cmd cli_cmd_system_prune = { "system prune",    "[OPTIONS]", "Remove unused data.",
	                                      system_prune_opts, 0,           0,
	                                      OPTS_INTERSPERSED };

static int system_prune(int argc, char **argv)
{
	struct system_prune_cfg c = { .filters = { .cmd = "system prune", .keys = prune_keys } };
	struct werr err = { 0 };
	uint64_t bytes = 0, images = 0, cache = 0;
	char size[16];
	int ind, r = cli_parse(&cli_cmd_system_prune, argc, argv, &ind, system_prune_opt, &c);

	if (r < 0 && c.filter_err.code)
		r = cli_fail(&c.filter_err);
	if (r < 0 && c.volumes && filters_has(&c.filters, "until")) {
		werr_set(&err, EINVAL, "the \"until\" filter is not supported with --volumes");
		r = cli_fail(&err);
	}
	if (r < 0 && !c.force && !system_prune_confirm(&c))
		r = 0; /* Docker: a no cancels, exit 0 */
	if (r < 0) {
		bytes += prune_containers(&c.filters);
		prune_networks(&c.filters);
		if (c.volumes)
			bytes += prune_volumes(false, &c.filters);
		r = prune_images(c.all, &c.filters, &images, &err) < 0 ? img_fail(&err) : 0;
		/* the cache has no labels or dates a filter could select by:
		 * Docker's filters select none of it */
		if (r == 0 && !c.filters.n && prune_build_cache(c.all, &cache, &err) < 0)
			r = img_fail(&err);
		progress_human_size(bytes + images + cache, size, sizeof(size));
		printf("Total reclaimed space: %s\n", size);
	}
	filters_free(&c.filters);
	return r;
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
		return argc < 2 ? cli_error_exit() : 0;
	}
	for (const struct sub *s = subs; s->name; s++)
		if (!strcmp(argv[1], s->name))
			return s->fn(argc - 1, argv + 1);
	fprintf(stderr, "warren: unknown command \"%s %s\" (see 'warren %s --help')\n", group,
	        argv[1], group);
	return cli_error_exit();
}

int cmd_system(int argc, char **argv)
{
	static const struct sub subs[] = {
		{ "df", system_df },
		{ "check", system_check },
		{ "prune", system_prune },
		{ "reset", cmd_system_reset },
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
