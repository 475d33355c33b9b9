/* cmd_image.c - the image commands that change the store: tag, rmi,
 * image prune with Docker's prompt and filters (the option handling they
 * share is in cmd_image_args.c).
 * Validates arguments before touching the store; errors are one line and
 * exit 125. */
#include "climage.h"
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "image.h"
#include "progress.h"
#include "prune.h"
#include "record.h"
#include "reference.h"
#include "state.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct opt_def tag_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

const struct cli_cmd cli_cmd_tag = { "tag",
	                             "SOURCE_IMAGE TARGET_IMAGE[:TAG]",
	                             "Give an image another name.",
	                             tag_opts,
	                             0,
	                             -1,
	                             OPTS_INTERSPERSED };

int cmd_tag(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct werr err = { 0 };
	struct image_ref ref;
	char name[REF_STR_MAX];
	json_t *images = NULL, *rec;
	int ind, r = img_parse(&cli_cmd_tag, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
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
		if (r == 0)
			img_event("tag", json_string_value(json_object_get(rec, "id")), name);
		json_decref(rec);
	}
	json_decref(images);
	store_close(&s);
	return r < 0 ? img_fail(&err) : 0;
}

static const struct opt_def rmi_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "Remove the image even with several names", IO_FORCE },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* a container that uses image @id, named in @who: a running one first (a
 * foreground run holds its layer's lock; a recorded container has a live
 * first process), else a stopped one. Return: 0 none, 1 stopped, 2 running */
static int image_user(struct store *s, const char *id, char who[64])
{
	struct record *recs;
	size_t n;
	struct werr ignored;
	int found = 0;

	if (store_image_in_use(s, id)) {
		snprintf(who, 64, "a running foreground container");
		found = 2;
	}
	if (found || record_list(cli_gopts(), &recs, &n, &ignored) < 0)
		return found;
	for (size_t i = 0; i < n && found < 2; i++) {
		const char *img = json_string_value(json_object_get(recs[i].config, "Image"));
		int kind = state_running_pid(&recs[i]) ? 2 : 1;
		if (!img || strcmp(img, id) || kind <= found)
			continue;
		snprintf(who, 64, "%s container %.12s", kind == 2 ? "running" : "stopped",
		         recs[i].id);
		found = kind;
	}
	record_list_free(recs, n);
	return found;
}

static json_t *rec_by_id(json_t *images, const char *id, size_t *idx)
{
	json_t *rec;
	size_t i;

	json_array_foreach(images, i,
	                   rec) if (!strcmp(json_string_value(json_object_get(rec, "id")), id))
	{
		if (idx)
			*idx = i;
		return rec;
	}
	return NULL;
}

/* another image was built on @id (a build's next step) */
static bool has_child(json_t *images, const char *id)
{
	json_t *rec;
	size_t i;

	json_array_foreach(images, i, rec)
	{
		const char *p = json_string_value(json_object_get(rec, "parent"));
		if (p && !strcmp(p, id))
			return true;
	}
	return false;
}

/* delete image @id's record (and drop it from @images), then the build's
 * intermediate images under it that nothing else needs, as Docker removes
 * untagged parents */
static int image_delete_chain(struct store *s, json_t *images, const char *id, struct werr *err)
{
	char cur[DIGEST_STR_LEN + 1], who[64];
	size_t idx;
	json_t *rec;

	snprintf(cur, sizeof(cur), "%s", id);
	for (bool first = true;; first = false) {
		const char *p;
		rec = rec_by_id(images, cur, &idx);
		if (!first && (!rec || json_array_size(json_object_get(rec, "names")) ||
		               !json_is_true(json_object_get(rec, "intermediate")) ||
		               has_child(images, cur) || image_user(s, cur, who)))
			return 0;
		if (!first)
			printf("Deleted: %s\n", cur);
		if (store_image_delete(s, cur, err) < 0)
			return -err->code;
		p = rec ? json_string_value(json_object_get(rec, "parent")) : NULL;
		if (!p)
			return 0;
		snprintf(cur, sizeof(cur), "%s", p);
		json_array_remove(images, idx);
	}
}

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
	char who[64];
	int user;

	if (!rec)
		return -ENOENT;
	id = json_string_value(json_object_get(rec, "id"));
	names = json_object_get(rec, "names");
	if (ref_parse(what, &ref, NULL, err) == 0 && !ref.digest[0]) {
		ref_format(&ref, name, sizeof(name));
		json_array_foreach(names, i, v) if (!strcmp(json_string_value(v), name)) by_name =
		    true;
	}
	if (by_name && (json_array_size(names) > 1 || has_child(images, id))) {
		/* an image another was built on stays, untagged, as Docker does */
		printf("Untagged: %s\n", name);
		if (json_array_size(names) == 1 && json_object_get(rec, "parent"))
			json_object_set_new(rec, "intermediate", json_true());
		int r = store_name_remove(s, images, name, err);
		if (r == 0)
			img_event("untag", id, name);
		return r;
	}
	if (has_child(images, id))
		return werr_set(err, EBUSY,
		                "unable to delete image %.19s: other images were built on it (the "
		                "steps of a build): remove those first",
		                id);
	if (!by_name && json_array_size(names) > 1 && !force)
		return werr_set(err, EBUSY,
		                "image %.19s has several names: remove them one by one or use "
		                "rmi -f",
		                id);
	user = image_user(s, id, who);
	if (user == 2)
		return werr_set(err, EBUSY,
		                "unable to delete image %s (cannot be forced): it is being used by "
		                "%s: stop and remove the container first",
		                what, who);
	if (user == 1 && !force)
		return werr_set(err, EBUSY,
		                "unable to delete image %s: it is being used by %s: remove the "
		                "container first, or use rmi -f (the container keeps its layers)",
		                what, who);
	json_array_foreach(names, i, v) printf("Untagged: %s\n", json_string_value(v));
	printf("Deleted: %s\n", id);
	/* the record may go with the chain: keep what the events name */
	json_t *gone = json_deep_copy(names);
	char del[DIGEST_STR_LEN + 1];
	snprintf(del, sizeof(del), "%s", id);
	int r = image_delete_chain(s, images, del, err);
	if (r == 0) {
		json_array_foreach(gone, i, v) img_event("untag", del, json_string_value(v));
		img_event("delete", del, NULL);
	}
	json_decref(gone);
	return r;
}

const struct cli_cmd cli_cmd_rmi = { "rmi", "[OPTIONS] IMAGE...", "Remove images.", rmi_opts, 0,
	                             -1,    OPTS_INTERSPERSED };

int cmd_rmi(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	json_t *images = NULL;
	int ind, failed = 0, r = img_parse(&cli_cmd_rmi, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
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
	return failed ? cli_error_exit() : 0;
}

uint64_t prune_store_bytes(struct store *s, json_t *images)
{
	struct store_usage u;
	struct werr ignored;

	if (store_usage(s, images, &u, &ignored) < 0)
		return 0;
	return u.layer_bytes + u.blob_bytes;
}

/* image prune's choice for one image; @f: until=, label=, label!= */
static bool prune_image_p(struct store *s, json_t *images, json_t *rec, bool all,
                          const struct filters *f)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	bool dangling = json_array_size(json_object_get(rec, "names")) == 0, ok;
	char who[64];
	json_t *labels;

	if ((!dangling && !all) || has_child(images, id) || image_user(s, id, who) ||
	    !filters_until_p(f, img_created(rec)))
		return false;
	if (!filters_has(f, "label") && !filters_has(f, "label!"))
		return true;
	labels = img_labels(s, rec);
	ok = filters_labels_p(f, labels);
	json_decref(labels);
	return ok;
}

/* delete @rec, with Docker's lines ("untagged: NAME", "deleted: ID") */
static int prune_image_one(struct store *s, json_t *rec, bool *header, struct werr *err)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	json_t *v;
	size_t k;

	if (store_image_delete(s, id, err) < 0)
		return -err->code;
	if (!*header)
		printf("Deleted Images:\n");
	*header = true;
	json_array_foreach(json_object_get(rec, "names"), k, v)
	    printf("untagged: %s\n", json_string_value(v));
	printf("deleted: %s\n", id);
	return 0;
}

int prune_images(bool all, const struct filters *f, uint64_t *bytes, struct werr *err)
{
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	json_t *images = NULL, *rec;
	uint64_t before = 0;
	bool header = false;
	size_t i;
	int r = img_open(&s, &plan, err);

	if (r == 0)
		r = store_lock(&s, err);
	if (r == 0)
		r = store_images_load(&s, &images, err);
	if (r == 0)
		before = prune_store_bytes(&s, images);
	/* leaves first: a build's intermediate images go once nothing is built on them */
	for (bool again = true; r == 0 && again;) {
		again = false;
		for (i = json_array_size(images); r == 0 && i-- > 0;) {
			rec = json_array_get(images, i);
			if (!prune_image_p(&s, images, rec, all, f))
				continue;
			r = prune_image_one(&s, rec, &header, err);
			json_array_remove(images, i);
			again = true;
		}
	}
	if (header)
		printf("\n");
	json_decref(images);
	images = NULL;
	if (r == 0)
		r = store_images_load(&s, &images, err);
	if (r == 0)
		r = store_gc(&s, images, &plan, err);
	if (r == 0) {
		uint64_t after = prune_store_bytes(&s, images);
		*bytes = before > after ? before - after : 0;
	}
	json_decref(images);
	store_close(&s);
	return r;
}

static const struct opt_def prune_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Remove every image no container uses", IO_ALL },
	{ "force", 'f', OPT_FLAG, NULL, "Do not prompt for confirmation", IO_FORCE },
	{ "filter", 0, OPT_VALUE, "KEY=VALUE", "until=TIME, label=KEY[=VALUE], label!=KEY[=VALUE]",
	  IO_FILTER },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* Docker's wording */
#define IMAGE_PRUNE_WARNING                                                                        \
	"WARNING! This will remove all dangling images.\nAre you sure you want to continue?"
#define IMAGE_PRUNE_WARNING_ALL                                                                    \
	"WARNING! This will remove all images without at least one container associated to "       \
	"them.\nAre you sure you want to continue?"

const struct cli_cmd cli_cmd_image_prune = { "image prune",    "[OPTIONS]", "Remove unused images.",
	                                     prune_opts,       0,           0,
	                                     OPTS_INTERSPERSED };

int cmd_image_prune(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct werr err = { 0 };
	struct filters f = { .cmd = "image prune", .keys = prune_keys };
	uint64_t bytes = 0;
	char size[16];
	int ind, r = img_parse(&cli_cmd_image_prune, argc, argv, &ind, &a);

	for (size_t i = 0; r > 0 && i < a.n_filters; i++)
		if (filters_add(&f, a.filters[i], &err) < 0)
			r = -2;
	free(a.filters);
	if (r <= 0) {
		filters_free(&f);
		return r == -2 ? cli_fail(&err) : r < 0 ? cli_error_exit() : 0;
	}
	/* Docker: a no cancels, exit 0 */
	if (!a.force && !cli_confirm(a.all ? IMAGE_PRUNE_WARNING_ALL : IMAGE_PRUNE_WARNING)) {
		filters_free(&f);
		return 0;
	}
	r = prune_images(a.all, &f, &bytes, &err);
	filters_free(&f);
	if (r < 0)
		return img_fail(&err);
	progress_human_size(bytes, size, sizeof(size));
	printf("Total reclaimed space: %s\n", size);
	return 0;
}
