/* cmd_volume.c - `warren volume create|ls|inspect|rm|prune`, with Docker's
 * filters and prompt. Volumes live in the store (src/container/volume.c); a
 * volume in use is never removed unless asked with -f. */
#include "cliutil.h"
#include "cmdtab.h"
#include "commands.h"
#include "filters.h"
#include "format.h"
#include "progress.h"
#include "prune.h"
#include "util.h"
#include "volume.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { V_QUIET = 1, V_FORMAT, V_FORCE, V_LABEL, V_ALL, V_DRIVER, V_FILTER };

struct volume_cfg {
	bool quiet, force, all;
	const char *format;
	json_t *labels;
	struct filters filters;
	struct werr filter_err; /* a refused --filter: exit 1, not a flag error's 125 */
};

static const struct filter_key ls_keys[] = {
	{ "dangling", FILTER_BOOL, NULL },
	{ "name", FILTER_REGEX, NULL },
	{ "label", FILTER_LABEL, NULL },
	{ "driver", FILTER_TEXT, NULL },
	{ NULL, 0, NULL },
};
/* Docker's volume prune has no until= */
static const struct filter_key volume_prune_keys[] = {
	{ "label", FILTER_LABEL, NULL },
	{ "label!", FILTER_LABEL, NULL },
	{ NULL, 0, NULL },
};

/* implements opt_cb for the volume verbs */
static int volume_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct volume_cfg *c = ctx;
	bool on = !strcmp(v, "true");

	switch (def->id) {
	case V_QUIET: c->quiet = on; return 0;
	case V_FORCE: c->force = on; return 0;
	case V_ALL: c->all = on; return 0;
	case V_FORMAT: c->format = v; return format_check(v, err);
	case V_FILTER:
		if (!c->filter_err.code)
			filters_add(&c->filters, v, &c->filter_err);
		return 0;
	case V_DRIVER:
		if (strcmp(v, "local"))
			return werr_set(err, EINVAL,
			                "volume driver \"%s\" is not supported: use local", v);
		return 0;
	case V_LABEL: {
		const char *eq = strchr(v, '=');
		char key[256];
		if (eq == v)
			return werr_set(err, EINVAL, "invalid --label \"%s\": use KEY=VALUE", v);
		snprintf(key, sizeof(key), "%.*s", (int)(eq ? eq - v : (long)strlen(v)), v);
		json_object_set_new(c->labels, key, json_string(eq ? eq + 1 : ""));
		return 0;
	}
	}
	return 0;
}

static const struct opt_def create_opts[] = {
	{ "label", 'l', OPT_VALUE, "KEY=VALUE", "Set a label", V_LABEL },
	{ "driver", 'd', OPT_VALUE, "NAME", "Only local", V_DRIVER },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def ls_opts[] = {
	{ "quiet", 'q', OPT_FLAG, NULL, "Only show names", V_QUIET },
	{ "format", 0, OPT_VALUE, "FORMAT", "json or a Go template", V_FORMAT },
	{ "filter", 'f', OPT_VALUE, "KEY=VALUE",
	  "dangling=true|false, name=NAME, label=KEY[=VALUE], driver=local", V_FILTER },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def inspect_opts[] = {
	{ "format", 'f', OPT_VALUE, "FORMAT", "json or a Go template", V_FORMAT },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def rm_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "Remove even while a container uses it", V_FORCE },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def prune_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Also named volumes (default: anonymous only)", V_ALL },
	{ "force", 'f', OPT_FLAG, NULL, "Do not prompt for confirmation", V_FORCE },
	{ "filter", 0, OPT_VALUE, "KEY=VALUE", "label=KEY[=VALUE], label!=KEY[=VALUE]", V_FILTER },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* Docker's volume ls filters on one inspect object */
static bool volume_match(const struct filters *f, json_t *v)
{
	const char *name = json_string_value(json_object_get(v, "Name")) ?: "";
	const char *driver = json_string_value(json_object_get(v, "Driver")) ?: "local";
	const struct filter *fl;
	char user[160];
	size_t i = 0;
	bool seen = false, ok = false;

	if (!filters_regex_p(f, "name", name) || !filters_labels_p(f, json_object_get(v, "Labels")))
		return false;
	while ((fl = filters_next(f, "driver", &i))) {
		seen = true;
		ok |= !strcmp(fl->value, driver);
	}
	if (seen && !ok)
		return false;
	for (i = 0, seen = ok = false; (fl = filters_next(f, "dangling", &i));) {
		/* dangling: no container, running or not, mounts it */
		bool dangling = !volume_in_use(cli_gopts(), name, user, sizeof(user));
		seen = true;
		ok |= (fl->num != 0) == dangling;
	}
	return !seen || ok;
}

const struct cli_cmd cli_cmd_volume_ls = { "volume ls", "[OPTIONS]", "List volumes.",  ls_opts,
	                                   0,           0,           OPTS_INTERSPERSED };

static int volume_ls(int argc, char **argv, struct volume_cfg *c)
{
	static const char *const heads[] = { "Driver", "DRIVER", "Name", "VOLUME NAME", NULL };
	struct werr err = { 0 };
	struct format fo;
	json_t *all, *v;
	size_t i;
	int ind, r;

	c->filters = (struct filters){ .cmd = "volume ls", .keys = ls_keys };
	r = cli_parse(&cli_cmd_volume_ls, argc, argv, &ind, volume_opt, c);
	if (r < 0 && c->filter_err.code)
		r = cli_fail(&c->filter_err);
	if (r >= 0)
		return r;
	if (volume_list(cli_gopts(), &all, &err) < 0)
		return cli_error(&err);
	if (!c->quiet &&
	    format_begin(&fo, stdout, c->format, "table {{.Driver}}\t{{.Name}}", heads, &err) < 0) {
		json_decref(all);
		return cli_error(&err);
	}
	json_array_foreach(all, i, v)
	{
		json_object_del(v, "Anonymous");
		if (!json_object_get(v, "Driver"))
			json_object_set_new(v, "Driver", json_string("local"));
		if (!volume_match(&c->filters, v))
			continue;
		if (c->quiet)
			printf("%s\n", json_string_value(json_object_get(v, "Name")));
		else if (format_object(&fo, v, &err) < 0)
			break;
	}
	if (!c->quiet)
		format_end(&fo);
	json_decref(all);
	return err.code ? cli_error(&err) : 0;
}

uint64_t prune_volumes(bool all_named, const struct filters *f)
{
	struct werr err = { 0 };
	char user[160];
	uint64_t bytes = 0;
	json_t *all, *v;
	size_t i;
	bool header = false;

	if (volume_list(cli_gopts(), &all, &err) < 0)
		return 0;
	json_array_foreach(all, i, v)
	{
		const char *name = json_string_value(json_object_get(v, "Name"));
		const char *dir = json_string_value(json_object_get(v, "Mountpoint"));
		uint64_t size;
		if (!all_named && !json_is_true(json_object_get(v, "Anonymous")))
			continue;
		if (!filters_labels_p(f, json_object_get(v, "Labels")) ||
		    volume_in_use(cli_gopts(), name, user, sizeof(user)))
			continue;
		size = dir ? cli_tree_size(dir) : 0;
		if (volume_remove(cli_gopts(), name, false, &err) < 0)
			continue;
		if (!header)
			printf("Deleted Volumes:\n");
		header = true;
		printf("%s\n", name);
		bytes += size;
	}
	if (header)
		printf("\n");
	json_decref(all);
	return bytes;
}

/* Docker's wording: anonymous volumes unless -a */
#define VOLUME_PRUNE_WARNING                                                                       \
	"WARNING! This will remove anonymous local volumes not used by at least one "              \
	"container.\nAre you sure you want to continue?"
#define VOLUME_PRUNE_WARNING_ALL                                                                   \
	"WARNING! This will remove all local volumes not used by at least one container.\n"        \
	"Are you sure you want to continue?"

const struct cli_cmd cli_cmd_volume_prune = {
	"volume prune",   "[OPTIONS]", "Remove unused volumes (anonymous ones unless -a).",
	prune_opts,       0,           0,
	OPTS_INTERSPERSED
};

static int volume_prune(int argc, char **argv, struct volume_cfg *c)
{
	char size[16];
	int ind, r;

	c->filters = (struct filters){ .cmd = "volume prune", .keys = volume_prune_keys };
	r = cli_parse(&cli_cmd_volume_prune, argc, argv, &ind, volume_opt, c);
	if (r < 0 && c->filter_err.code)
		r = cli_fail(&c->filter_err);
	if (r >= 0)
		return r;
	if (!c->force && !cli_confirm(c->all ? VOLUME_PRUNE_WARNING_ALL : VOLUME_PRUNE_WARNING))
		return 0; /* Docker: a no cancels, exit 0 */
	progress_human_size(prune_volumes(c->all, &c->filters), size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	return 0;
}

static int volume_each(int argc, char **argv, struct volume_cfg *c, const char *verb)
{
	struct werr err = { 0 };
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		json_t *v = NULL;
		char name[65], path[PATH_MAX];
		if (!strcmp(verb, "create")) {
			if (volume_create(cli_gopts(), argv[i], c->labels, name, path, &err) < 0) {
				rc = cli_error(&err);
				continue;
			}
			printf("%s\n", name);
		} else if (!strcmp(verb, "rm")) {
			if (volume_remove(cli_gopts(), argv[i], c->force, &err) < 0)
				rc = cli_error(&err);
			else
				printf("%s\n", argv[i]);
		} else if (volume_inspect(cli_gopts(), argv[i], &v, &err) < 0) {
			rc = cli_error(&err);
		} else {
			json_object_del(v, "Anonymous");
			if (c->format) {
				struct format fo;
				if (format_begin(&fo, stdout, c->format, NULL, NULL, &err) < 0 ||
				    format_object(&fo, v, &err) < 0)
					rc = cli_error(&err);
				format_end(&fo);
			} else {
				char *s;
				format_sort_maps(v);
				s = json_dumps(v, JSON_INDENT(4));
				printf("[\n%s\n]\n", s ? s : "{}");
				free(s);
			}
			json_decref(v);
		}
	}
	return rc;
}

/* `warren volume --help`: the subcommands, with the summaries their own
 * --help prints */
static int volume_usage(FILE *f, int rc)
{
	static const struct cli_cmd *const subs[] = {
		&cli_cmd_volume_create, &cli_cmd_volume_inspect, &cli_cmd_volume_ls,
		&cli_cmd_volume_prune,  &cli_cmd_volume_rm,
	};

	fprintf(f, "Usage: warren volume COMMAND\n\nManage volumes.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		fprintf(f, "  %-10s %s\n", subs[i]->name + strlen("volume "), subs[i]->summary);
	fprintf(f, "\nRun 'warren volume COMMAND --help' for more information on a command.\n");
	return rc;
}

const struct cli_cmd cli_cmd_volume_rm = {
	"volume rm",      "[OPTIONS] VOLUME [VOLUME...]", "Remove volumes.", rm_opts, 1, -1,
	OPTS_INTERSPERSED
};

const struct cli_cmd cli_cmd_volume_inspect = { "volume inspect",
	                                        "[OPTIONS] VOLUME [VOLUME...]",
	                                        "Information on volumes.",
	                                        inspect_opts,
	                                        1,
	                                        -1,
	                                        OPTS_INTERSPERSED };

const struct cli_cmd cli_cmd_volume_create = {
	"volume create",  "[OPTIONS] [VOLUME]", "Create a volume.", create_opts, 0, 1,
	OPTS_INTERSPERSED
};

int cmd_volume(int argc, char **argv)
{
	struct volume_cfg c = { .labels = json_object() };
	const struct cli_cmd *cmd = NULL;
	const char *verb = argc > 1 ? argv[1] : "";
	int ind, r;

	if (argc < 2 || !strcmp(verb, "--help") || !strcmp(verb, "-h")) {
		json_decref(c.labels);
		return volume_usage(argc < 2 ? stderr : stdout, argc < 2 ? cli_error_exit() : 0);
	}
	if (!strcmp(verb, "ls") || !strcmp(verb, "list"))
		r = volume_ls(argc - 1, argv + 1, &c);
	else if (!strcmp(verb, "prune"))
		r = volume_prune(argc - 1, argv + 1, &c);
	else {
		if (!strcmp(verb, "create"))
			cmd = &cli_cmd_volume_create;
		else if (!strcmp(verb, "inspect"))
			cmd = &cli_cmd_volume_inspect;
		else if (!strcmp(verb, "rm") || !strcmp(verb, "remove"))
			cmd = &cli_cmd_volume_rm;
		if (!cmd) {
			fprintf(stderr,
			        "warren: unknown command \"volume %s\" (see 'warren volume "
			        "--help')\n",
			        verb);
			json_decref(c.labels);
			return cli_error_exit();
		}
		r = cli_parse(cmd, argc - 1, argv + 1, &ind, volume_opt, &c);
		if (r < 0) {
			if (cmd == &cli_cmd_volume_create && argc - 1 - ind == 0) {
				char name[65], path[PATH_MAX];
				struct werr err = { 0 };
				r = volume_create(cli_gopts(), NULL, c.labels, name, path, &err) < 0
				        ? cli_error(&err)
				        : (printf("%s\n", name), 0);
			} else {
				r = volume_each(argc - 1 - ind, argv + 1 + ind, &c,
				                cmd == &cli_cmd_volume_create ? "create"
				                : cmd == &cli_cmd_volume_rm   ? "rm"
				                                              : "inspect");
			}
		}
	}
	json_decref(c.labels);
	filters_free(&c.filters);
	return r;
}
