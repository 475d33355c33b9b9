/* cmd_image_args.c - what every image command shares: its option callback,
 * the usage on --help, opening the store and the ID-map plan, and printing
 * an error. Linked by warren and warren-transfer. */
#include "climage.h"
#include "events.h"
#include "commands.h"
#include "image.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* implements opt_cb for every image command */
static int img_opt_cb(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct img_args *a = ctx;
	bool on = !strcmp(v, "true");
	char **nc;

	switch (def->id) {
	case IO_HELP: a->help = on; return 0;
	case IO_QUIET: a->quiet = on; return 0;
	case IO_ALL: a->all = on; return 0;
	case IO_FORCE: a->force = on; return 0;
	case IO_NO_TRUNC: a->no_trunc = on; return 0;
	case IO_FORMAT: a->format = v; return 0;
	case IO_FILTER:
		/* checked by the command (filters.h), which exits 1 as Docker's does */
		nc = realloc(a->filters, (a->n_filters + 1) * sizeof(char *));
		if (!nc)
			return werr_errno(err, ENOMEM, "--filter");
		a->filters = nc;
		a->filters[a->n_filters++] = (char *)v;
		return 0;
	case IO_PLATFORM: a->platform = v; return 0;
	case IO_TLS_VERIFY: a->tls_verify = on; return 0;
	case IO_OUTPUT: a->output = v; return 0;
	case IO_INPUT: a->input = v; return 0;
	case IO_USERNAME: a->username = v; return 0;
	case IO_PASSWORD: a->password = v; return 0;
	case IO_PASSWORD_STDIN: a->password_stdin = on; return 0;
	case IO_MESSAGE: a->message = v; return 0;
	case IO_REPAIR: a->repair = on; return 0;
	case IO_CHANGE:
		nc = realloc(a->changes, (a->n_changes + 1) * sizeof(char *));
		if (!nc)
			return werr_errno(err, ENOMEM, "--change");
		a->changes = nc;
		a->changes[a->n_changes++] = (char *)v;
		return 0;
	}
	return werr_set(err, EINVAL, "internal: unhandled option %s", def->long_name);
}

json_t *img_labels(struct store *s, json_t *rec)
{
	struct image_loaded img;
	struct werr ignored;
	json_t *labels = NULL;

	if (image_load(s, rec, &img, &ignored) == 0) {
		labels = json_object_get(json_object_get(img.cfg.root, "config"), "Labels");
		json_incref(labels);
		image_loaded_free(&img);
	}
	return json_is_object(labels) ? labels : (json_decref(labels), json_object());
}

int64_t img_created(json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "created"));
	struct tm tm = { 0 };

	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return (int64_t)timegm(&tm);
}

int64_t img_created_ns(json_t *rec)
{
	const char *s = json_string_value(json_object_get(rec, "created")), *end;
	struct tm tm = { 0 };
	int64_t frac = 0, scale = 1000000000;

	if (!s || !(end = strptime(s, "%Y-%m-%dT%H:%M:%S", &tm)))
		return 0;
	if (*end == '.')
		for (end++; *end >= '0' && *end <= '9'; end++)
			if (scale > 1) {
				scale /= 10;
				frac += (*end - '0') * scale;
			}
	return (int64_t)timegm(&tm) * 1000000000 + frac;
}

int img_fail(const struct werr *err)
{
	werr_print(err, "warren");
	return cli_error_exit();
}

int img_parse(const struct cli_cmd *cmd, int argc, char **argv, int *ind, struct img_args *a)
{
	struct werr err = { 0 };

	*ind = 1;
	if (a->tls_verify == 0)
		a->tls_verify = -1;
	if (opts_parse(cmd->opts, argc, argv, ind, cmd->mode, img_opt_cb, a, cmd->name, &err) < 0) {
		img_fail(&err);
		return -1;
	}
	if (a->help) {
		cli_print_help(cmd);
		return 0;
	}
	return 1;
}

int img_open(struct store *s, struct idmap_plan *plan, struct werr *err)
{
	int r = store_open(s, cli_gopts(), err);

	if (r < 0)
		return r;
	if (plan)
		return idmap_plan_make(plan, false, err);
	return 0;
}

void img_event(const char *action, const char *id, const char *name)
{
	/* Docker's familiar form: busybox:latest, not docker.io/library/... */
	if (name && !strncmp(name, "docker.io/library/", 18))
		name += 18;
	else if (name && !strncmp(name, "docker.io/", 10))
		name += 10;
	events_log(cli_gopts(), "image", action, id, json_pack("{s:s}", "name", name ? name : id));
}
