/* cmd_image.c - the image commands that change the store: pull, tag, rmi,
 * image prune, and the shared option handling of every image command.
 * Validates arguments before touching the store; errors are one line and
 * exit 125. */
#include "climage.h"
#include "cleanup.h"
#include "commands.h"
#include "image.h"
#include "progress.h"
#include "pull.h"
#include "reference.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

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
		if (strncmp(v, "reference=", 10) && strncmp(v, "dangling=", 9))
			return werr_set(err, EINVAL,
			                "invalid filter \"%s\": use reference=PATTERN or "
			                "dangling=true|false",
			                v);
		a->filter = v;
		return 0;
	case IO_PLATFORM: a->platform = v; return 0;
	case IO_TLS_VERIFY: a->tls_verify = on; return 0;
	case IO_OUTPUT: a->output = v; return 0;
	case IO_INPUT: a->input = v; return 0;
	case IO_USERNAME: a->username = v; return 0;
	case IO_PASSWORD: a->password = v; return 0;
	case IO_PASSWORD_STDIN: a->password_stdin = on; return 0;
	case IO_MESSAGE: a->message = v; return 0;
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

int img_fail(const struct werr *err)
{
	werr_print(err, "warren");
	return 125;
}

int img_parse(const struct opt_def *defs, int argc, char **argv, int *ind, struct img_args *a,
              const char *cmd, const char *usage)
{
	struct werr err = { 0 };

	*ind = 1;
	if (a->tls_verify == 0)
		a->tls_verify = -1;
	if (opts_parse(defs, argc, argv, ind, img_opt_cb, a, cmd, &err) < 0) {
		img_fail(&err);
		return -1;
	}
	if (a->help) {
		printf("Usage: warren %s %s\n\nOptions:\n", cmd, usage);
		opts_print_help(stdout, defs);
		return 0;
	}
	return 1;
}

int img_open(struct store *s, struct idmap_plan *plan, struct werr *err)
{
	int r = store_open(s, err);

	if (r < 0)
		return r;
	if (plan)
		return idmap_plan_make(plan, false, err);
	return 0;
}

int img_pull(struct store *s, const struct idmap_plan *plan, const char *ref, bool quiet,
             bool tls_verify, const char *platform, char *id, struct werr *err)
{
	struct progress p;
	struct pull_opts o = { .tls_verify = tls_verify,
		               .platform = platform,
		               .progress = progress_pull_event,
		               .ctx = &p };
	unsigned skipped = 0;
	int r;

	progress_init(&p, quiet);
	r = pull_image(s, ref, plan, &o, id, &skipped, err);
	progress_finish(&p);
	if (r == 0 && skipped && !quiet)
		fprintf(stderr,
		        "warren: warning: %u device node(s) in the image were skipped (an "
		        "unprivileged user cannot create them)\n",
		        skipped);
	return r;
}

static const struct opt_def pull_opts[] = {
	{ "quiet", 'q', OPT_FLAG, NULL, "Print only the image ID", IO_QUIET },
	{ "platform", 0, OPT_VALUE, "OS/ARCH[/VARIANT]", "Pull this platform from an index",
	  IO_PLATFORM },
	{ "tls-verify", 0, OPT_FLAG, NULL, "Verify TLS (false also allows plain http)",
	  IO_TLS_VERIFY },
	OPT_HELP_ROW,
	OPT_END_ROW,
};

int cmd_pull(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	char id[DIGEST_STR_LEN + 1];
	int ind, r = img_parse(pull_opts, argc, argv, &ind, &a, "pull", "[OPTIONS] IMAGE");

	if (r <= 0)
		return r < 0 ? 125 : 0;
	if (argc - ind != 1) {
		werr_set(&err, EINVAL,
		         "pull needs exactly one image reference (see 'warren pull --help')");
		return img_fail(&err);
	}
	if (img_open(&s, &plan, &err) < 0 ||
	    img_pull(&s, &plan, argv[ind], a.quiet, a.tls_verify != 0, a.platform, id, &err) < 0) {
		store_close(&s);
		return img_fail(&err);
	}
	printf("%s\n", id + 7);
	store_close(&s);
	return 0;
}

static const struct opt_def tag_opts[] = { OPT_HELP_ROW, OPT_END_ROW };

int cmd_tag(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct werr err = { 0 };
	struct image_ref ref;
	char name[REF_STR_MAX];
	json_t *images = NULL, *rec;
	int ind,
	    r = img_parse(tag_opts, argc, argv, &ind, &a, "tag", "SOURCE_IMAGE TARGET_IMAGE[:TAG]");

	if (r <= 0)
		return r < 0 ? 125 : 0;
	if (argc - ind < 2) {
		werr_set(&err, EINVAL, "tag needs a source image and at least one new name");
		return img_fail(&err);
	}
	for (int i = ind + 1; i < argc; i++) {
		if (ref_parse(argv[i], &ref, NULL, &err) < 0)
			return img_fail(&err);
		if (ref.digest[0]) {
			werr_set(&err, EINVAL, "cannot tag with a digest: %s (give NAME[:TAG])",
			         argv[i]);
			return img_fail(&err);
		}
	}
	r = img_open(&s, NULL, &err);
	if (r == 0)
		r = store_lock(&s, &err);
	if (r == 0)
		r = store_images_load(&s, &images, &err);
	if (r == 0 && !(rec = store_image_find(images, argv[ind], &err)))
		r = -ENOENT;
	for (int i = ind + 1; r == 0 && i < argc; i++) {
		json_t *names;
		ref_parse(argv[i], &ref, NULL, &err);
		ref_format(&ref, name, sizeof(name));
		json_incref(rec);
		r = store_name_remove(&s, images, name, &err);
		names = json_object_get(rec, "names");
		if (r == 0) {
			json_array_append_new(names, json_string(name));
			r = store_image_save(&s, rec, &err);
		}
		json_decref(rec);
	}
	json_decref(images);
	store_close(&s);
	return r < 0 ? img_fail(&err) : 0;
}

static const struct opt_def rmi_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "Remove the image even with several names", IO_FORCE },
	OPT_HELP_ROW,
	OPT_END_ROW,
};

/* remove one image (by name: untag; the last name or by ID: delete) */
static int rmi_one(struct store *s, json_t *images, const char *what, bool force, struct werr *err)
{
	json_t *rec = store_image_find(images, what, err), *names;
	const char *id;
	char name[REF_STR_MAX];
	struct image_ref ref;
	bool by_name = false;
	size_t i;
	json_t *v;

	if (!rec)
		return -ENOENT;
	id = json_string_value(json_object_get(rec, "id"));
	names = json_object_get(rec, "names");
	if (ref_parse(what, &ref, NULL, err) == 0 && !ref.digest[0]) {
		ref_format(&ref, name, sizeof(name));
		json_array_foreach(names, i, v) if (!strcmp(json_string_value(v), name)) by_name =
		    true;
	}
	if (by_name && json_array_size(names) > 1) {
		printf("Untagged: %s\n", name);
		return store_name_remove(s, images, name, err);
	}
	if (!by_name && json_array_size(names) > 1 && !force)
		return werr_set(err, EBUSY,
		                "image %.19s has several names: remove them one by one or use "
		                "rmi -f",
		                id);
	if (store_image_in_use(s, id))
		return werr_set(err, EBUSY,
		                "image %s is in use by a running container: stop it first", what);
	json_array_foreach(names, i, v) printf("Untagged: %s\n", json_string_value(v));
	printf("Deleted: %s\n", id);
	return store_image_delete(s, id, err);
}

int cmd_rmi(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	json_t *images = NULL;
	int ind, failed = 0,
	         r = img_parse(rmi_opts, argc, argv, &ind, &a, "rmi", "[OPTIONS] IMAGE...");

	if (r <= 0)
		return r < 0 ? 125 : 0;
	if (argc - ind < 1) {
		werr_set(&err, EINVAL, "rmi needs at least one image");
		return img_fail(&err);
	}
	if (img_open(&s, &plan, &err) < 0 || store_lock(&s, &err) < 0) {
		store_close(&s);
		return img_fail(&err);
	}
	for (int i = ind; i < argc; i++) {
		json_decref(images);
		images = NULL;
		if (store_images_load(&s, &images, &err) < 0 ||
		    rmi_one(&s, images, argv[i], a.force, &err) < 0) {
			img_fail(&err);
			failed = 1;
		}
	}
	json_decref(images);
	if (store_images_load(&s, &images, &err) == 0 && store_gc(&s, images, &plan, &err) < 0) {
		img_fail(&err);
		failed = 1;
	}
	json_decref(images);
	store_close(&s);
	return failed ? 125 : 0;
}

static const struct opt_def prune_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Remove every image no container uses", IO_ALL },
	{ "force", 'f', OPT_FLAG, NULL, "Do not ask (warren never asks)", IO_FORCE },
	OPT_HELP_ROW,
	OPT_END_ROW,
};

int cmd_image_prune(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	json_t *images = NULL, *rec;
	size_t i;
	int ind, r = img_parse(prune_opts, argc, argv, &ind, &a, "image prune", "[OPTIONS]");

	if (r <= 0)
		return r < 0 ? 125 : 0;
	r = img_open(&s, &plan, &err);
	if (r == 0)
		r = store_lock(&s, &err);
	if (r == 0)
		r = store_images_load(&s, &images, &err);
	json_array_foreach(images, i, rec)
	{
		const char *id = json_string_value(json_object_get(rec, "id"));
		bool dangling = json_array_size(json_object_get(rec, "names")) == 0;
		if (r < 0 || (!dangling && !a.all) || store_image_in_use(&s, id))
			continue;
		r = store_image_delete(&s, id, &err);
		if (r == 0)
			printf("%s\n", id);
	}
	json_decref(images);
	images = NULL;
	if (r == 0)
		r = store_images_load(&s, &images, &err);
	if (r == 0)
		r = store_gc(&s, images, &plan, &err);
	json_decref(images);
	store_close(&s);
	return r < 0 ? img_fail(&err) : 0;
}
