/* cmd_images.c - the image commands that only read the store: images
 * (Docker's columns, -q, --format json or a template, Docker's filters),
 * image inspect (Docker-shaped JSON) and history. */
#include "climage.h"
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "filters.h"
#include "format.h"
#include "image.h"
#include "progress.h"
#include "reference.h"
#include "util.h"

#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static time_t parse_time(const char *s)
{
	struct tm tm = { 0 };

	if (!s || !strptime(s, "%Y-%m-%dT%H:%M:%S", &tm))
		return 0;
	return timegm(&tm);
}

static void since(time_t t, char *buf, size_t size)
{
	long long d = (long long)(time(NULL) - t);

	if (t == 0)
		snprintf(buf, size, "N/A");
	else if (d < 60)
		snprintf(buf, size, "%lld seconds ago", d < 0 ? 0 : d);
	else if (d < 3600)
		snprintf(buf, size, "%lld minutes ago", d / 60);
	else if (d < 86400 * 2)
		snprintf(buf, size, "%lld hours ago", d / 3600);
	else if (d < 86400 * 30)
		snprintf(buf, size, "%lld days ago", d / 86400);
	else if (d < 86400 * 365)
		snprintf(buf, size, "%lld months ago", d / (86400 * 30));
	else
		snprintf(buf, size, "%lld years ago", d / (86400 * 365));
}

static int newer_first(const void *a, const void *b)
{
	json_int_t ta = json_integer_value(json_object_get(*(json_t *const *)a, "pulled"));
	json_int_t tb = json_integer_value(json_object_get(*(json_t *const *)b, "pulled"));

	return ta < tb ? 1 : ta > tb ? -1 : 0;
}

/* Docker lists the newest images first */
static void sort_newest_first(json_t *images)
{
	size_t n = json_array_size(images), i;
	json_t **v = calloc(n + 1, sizeof(json_t *)), *rec;

	if (!v)
		return;
	json_array_foreach(images, i, rec) v[i] = json_incref(rec);
	qsort(v, n, sizeof(*v), newer_first);
	json_array_clear(images);
	for (i = 0; i < n; i++)
		json_array_append_new(images, v[i]);
	free(v);
}

/* print @j indented, as Docker does, and drop it */
static void print_json(json_t *j)
{
	char *t;

	format_sort_maps(j);
	t = json_dumps(j, JSON_INDENT(4));
	if (t)
		printf("%s\n", t);
	free(t);
	json_decref(j);
}

static uint64_t image_size(struct store *s, json_t *rec)
{
	uint64_t sum = 0;
	size_t i;
	json_t *l;

	json_array_foreach(json_object_get(rec, "layers"), i, l) sum +=
	    store_layer_size(s, json_string_value(json_object_get(l, "chain_id")));
	return sum;
}

/* "domain/path:tag" → repository and tag */
static void split_name(const char *name, char *repo, size_t rsize, const char **tag)
{
	const char *colon = strrchr(name, ':');
	const char *slash = strrchr(name, '/');

	if (colon && (!slash || colon > slash)) {
		snprintf(repo, rsize, "%.*s", (int)(colon - name), name);
		*tag = colon + 1;
	} else {
		snprintf(repo, rsize, "%s", name);
		*tag = "<none>";
	}
}

/* Docker's reference=PATTERN: a glob on the name, its repository, or
 * their short forms */
static bool reference_match(const char *pat, const char *name)
{
	char repo[REF_STR_MAX], shortn[REF_STR_MAX];
	const char *tag;

	split_name(name, repo, sizeof(repo), &tag);
	/* docker.io/library/x is "x" to users */
	snprintf(shortn, sizeof(shortn), "%s",
	         !strncmp(name, "docker.io/library/", 18) ? name + 18
	         : !strncmp(name, "docker.io/", 10)       ? name + 10
	                                                  : name);
	if (!fnmatch(pat, name, 0) || !fnmatch(pat, repo, 0) || !fnmatch(pat, shortn, 0))
		return true;
	split_name(shortn, repo, sizeof(repo), &tag);
	return !fnmatch(pat, repo, 0);
}

struct row {
	const char *repo, *tag, *id, *digest;
	char created[40], size[16];
	time_t t;
	uint64_t bytes;
};

/* Docker's images listing: its columns, and the keys of --format's objects */
#define IMAGES_TABLE "table {{.Repository}}\t{{.Tag}}\t{{.ID}}\t{{.CreatedSince}}\t{{.Size}}"
static const char *const images_heads[] = { "Repository",   "REPOSITORY", "Tag",       "TAG",
	                                    "ID",           "IMAGE ID",   "Digest",    "DIGEST",
	                                    "CreatedSince", "CREATED",    "CreatedAt", "CREATED AT",
	                                    "Size",         "SIZE",       NULL };

/* one listing row as Docker's --format sees it */
static json_t *image_row(const struct row *r)
{
	char at[64];
	struct tm tm;

	gmtime_r(&r->t, &tm);
	strftime(at, sizeof(at), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "Containers",
	                 "N/A", "CreatedAt", at, "CreatedSince", r->created, "Digest", r->digest,
	                 "ID", r->id, "Repository", r->repo, "SharedSize", "N/A", "Size", r->size,
	                 "Tag", r->tag, "UniqueSize", "N/A", "VirtualSize", r->size);
}

/* what `images` shows: its --filter and operand, with before=/since=
 * resolved to creation times */
struct images_sel {
	struct filters f;
	int64_t before, since; /* in ns; INT64_MAX, INT64_MIN: not given */
};

static const struct filter_key images_keys[] = {
	{ "dangling", FILTER_BOOL, NULL },
	{ "reference", FILTER_TEXT, NULL },
	{ "label", FILTER_LABEL, NULL },
	{ "before", FILTER_TEXT, NULL },
	{ "since", FILTER_TEXT, NULL },
	{ "until", FILTER_TIME, NULL },
	{ NULL, 0, NULL },
};

/* the image-wide filters: dangling, times, labels (Docker's rules) */
static bool image_selected_p(struct store *s, json_t *rec, const struct images_sel *sel)
{
	bool dangling = json_array_size(json_object_get(rec, "names")) == 0, ok = false;
	bool seen = false;
	int64_t ns = img_created_ns(rec);
	const struct filter *fl;
	size_t i = 0;
	json_t *labels;

	if (ns >= sel->before || ns <= sel->since || !filters_until_p(&sel->f, ns / 1000000000))
		return false;
	while ((fl = filters_next(&sel->f, "dangling", &i))) {
		seen = true;
		ok |= (fl->num != 0) == dangling;
	}
	if (seen && !ok)
		return false;
	if (!filters_has(&sel->f, "label"))
		return true;
	labels = img_labels(s, rec);
	ok = filters_labels_p(&sel->f, labels);
	json_decref(labels);
	return ok;
}

/* one of the image's names passes reference= (any of them; none given: all) */
static bool name_selected_p(const char *name, const struct images_sel *sel)
{
	const struct filter *fl;
	size_t i = 0;
	bool seen = false;

	while ((fl = filters_next(&sel->f, "reference", &i))) {
		seen = true;
		if (name && reference_match(fl->value, name))
			return true;
	}
	return !seen;
}

/* the repository and tag a row shows for @name (NULL: an untagged image) */
static void row_names(struct row *r, const char *name, const char *digest, char *repo, size_t size)
{
	if (name) {
		split_name(name, repo, size, &r->tag);
		r->repo = repo;
	} else if (digest && strchr(digest, '@')) {
		/* pulled by digest: the repository is known, the tag is not */
		snprintf(repo, size, "%.*s", (int)(strchr(digest, '@') - digest), digest);
		r->repo = repo;
		r->tag = "<none>";
	} else {
		r->repo = r->tag = "<none>";
	}
}

/* the rows of one image (one per name, or one "<none>"); Return: -1 when
 * the template failed */
static int image_rows(struct store *s, json_t *rec, const struct img_args *a,
                      const struct images_sel *sel, struct format *fo, struct werr *err)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	json_t *names = json_object_get(rec, "names");
	char sid[13], repo[REF_STR_MAX];
	const char *digest = json_string_value(json_array_get(json_object_get(rec, "digests"), 0));
	struct row r = { .id = sid };
	size_t i, n = json_array_size(names);

	if (!a->all && n == 0 && json_is_true(json_object_get(rec, "intermediate")))
		return 0; /* a build step's image: images -a */
	if (!image_selected_p(s, rec, sel))
		return 0;
	image_short_id(id, sid);
	if (a->no_trunc)
		r.id = id;
	r.t = (time_t)img_created(rec);
	since(r.t, r.created, sizeof(r.created));
	r.bytes = image_size(s, rec);
	progress_human_size(r.bytes, r.size, sizeof(r.size));
	r.digest = digest && strchr(digest, '@') ? strchr(digest, '@') + 1 : "<none>";
	for (i = 0; i < (n ? n : 1); i++) {
		const char *name = n ? json_string_value(json_array_get(names, i)) : NULL;
		json_t *o;
		int rc;
		if (!name_selected_p(name, sel))
			continue;
		row_names(&r, name, digest, repo, sizeof(repo));
		if (a->quiet) {
			printf("%s\n", r.id);
			return 0; /* one line per image */
		}
		o = image_row(&r);
		rc = format_object(fo, o, err);
		json_decref(o);
		if (rc < 0)
			return -1;
	}
	return 0;
}

static const struct opt_def images_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Show all images, with the intermediate ones of builds",
	  IO_ALL },
	{ "quiet", 'q', OPT_FLAG, NULL, "Only show image IDs", IO_QUIET },
	{ "format", 0, OPT_VALUE, "FORMAT", "json, or a template like {{.Repository}}:{{.Tag}}",
	  IO_FORMAT },
	{ "filter", 'f', OPT_VALUE, "KEY=VALUE",
	  "dangling=true|false, reference=PATTERN, label=KEY[=VALUE], before=IMAGE, "
	  "since=IMAGE, until=TIME",
	  IO_FILTER },
	{ "no-trunc", 0, OPT_FLAG, NULL, "Show full image IDs", IO_NO_TRUNC },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* check the filters and the REPOSITORY[:TAG] operand (Docker's reference=)
 * before the store is opened; Return: 0, or -EINVAL with @err set */
static int images_filters(const struct img_args *a, const char *operand, struct images_sel *sel,
                          struct werr *err)
{
	char ref[REF_STR_MAX + 16];

	for (size_t i = 0; i < a->n_filters; i++)
		if (filters_add(&sel->f, a->filters[i], err) < 0)
			return -EINVAL;
	if (operand) {
		snprintf(ref, sizeof(ref), "reference=%s", operand);
		if (filters_add(&sel->f, ref, err) < 0)
			return -EINVAL;
		/* the filter keeps a pointer: to argv's text, not to @ref */
		sel->f.v[sel->f.n - 1].value = operand;
	}
	return 0;
}

/* before=IMAGE, since=IMAGE as creation times; Return: 0, or -ENOENT */
static int images_times(json_t *images, struct images_sel *sel, struct werr *err)
{
	const struct filter *fl;
	size_t i;

	for (i = 0; (fl = filters_next(&sel->f, "before", &i));) {
		json_t *rec = store_image_find(images, fl->value, err);
		if (!rec)
			return -ENOENT;
		sel->before = img_created_ns(rec) < sel->before ? img_created_ns(rec) : sel->before;
	}
	for (i = 0; (fl = filters_next(&sel->f, "since", &i));) {
		json_t *rec = store_image_find(images, fl->value, err);
		if (!rec)
			return -ENOENT;
		sel->since = img_created_ns(rec) > sel->since ? img_created_ns(rec) : sel->since;
	}
	return 0;
}

const struct cli_cmd cli_cmd_images = {
	"images",         "[OPTIONS] [REPOSITORY[:TAG]]", "List images.", images_opts, 0, 1,
	OPTS_INTERSPERSED
};

int cmd_images(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct werr err = { 0 };
	struct format fo = { 0 };
	struct images_sel sel = { { "images", images_keys, NULL, 0 }, INT64_MAX, INT64_MIN };
	json_t *images = NULL, *rec;
	size_t i;
	int ind, rc = 0, r = img_parse(&cli_cmd_images, argc, argv, &ind, &a);

	if (r <= 0) {
		free(a.filters);
		return r < 0 ? cli_error_exit() : 0;
	}
	if (argc - ind > 1) {
		werr_set(&err, EINVAL,
		         "\"warren images\" takes at most 1 argument: [OPTIONS] "
		         "[REPOSITORY[:TAG]]");
		rc = -1;
	}
	if (rc == 0 && images_filters(&a, argc > ind ? argv[ind] : NULL, &sel, &err) < 0)
		rc = -1;
	if (rc == 0 && (img_open(&s, NULL, &err) < 0 || store_images_load(&s, &images, &err) < 0))
		rc = -2;
	if (rc == 0 && images_times(images, &sel, &err) < 0)
		rc = -1;
	if (rc == 0 && !a.quiet &&
	    format_begin(&fo, stdout, a.format, IMAGES_TABLE, images_heads, &err) < 0)
		rc = -1;
	if (rc == 0) {
		sort_newest_first(images);
		json_array_foreach(
		    images, i, rec) if ((rc = image_rows(&s, rec, &a, &sel, &fo, &err)) < 0) break;
		if (!a.quiet)
			format_end(&fo);
	}
	json_decref(images);
	store_close(&s);
	filters_free(&sel.f);
	free(a.filters);
	/* the user's mistakes exit 1, as Docker's `images`; the store's 125 */
	return rc == -1 ? cli_fail(&err) : rc < 0 ? img_fail(&err) : 0;
}

/* Docker's inspect shape for one image */
static json_t *inspect_one(struct store *s, json_t *rec, struct werr *err)
{
	struct image_loaded img;
	json_t *o, *cfg, *diff = json_array();
	const char *id = json_string_value(json_object_get(rec, "id"));

	if (image_load(s, rec, &img, err) < 0) {
		json_decref(diff);
		return NULL;
	}
	for (size_t i = 0; i < img.cfg.n_diff_ids; i++)
		json_array_append_new(diff, json_string(img.cfg.diff_ids[i]));
	cfg = json_object_get(img.cfg.root, "config");
	o = json_pack("{s:s, s:O, s:O, s:s, s:s, s:s, s:I, s:O, s:{s:s, s:o}, s:s, s:s}", "Id", id,
	              "RepoTags", json_object_get(rec, "names"), "RepoDigests",
	              json_object_get(rec, "digests"), "Created",
	              json_string_value(json_object_get(rec, "created")), "Architecture",
	              img.cfg.arch, "Os", img.cfg.os, "Size", (json_int_t)image_size(s, rec),
	              "Config", cfg ? cfg : json_object(), "RootFS", "Type", "layers", "Layers",
	              diff, "Digest", json_string_value(json_object_get(rec, "manifest")),
	              "ManifestMediaType", img.m.media_type);
	if (o && json_object_get(img.cfg.root, "author"))
		json_object_set(o, "Author", json_object_get(img.cfg.root, "author"));
	if (o && json_object_get(img.cfg.root, "history"))
		json_object_set(o, "History", json_object_get(img.cfg.root, "history"));
	image_loaded_free(&img);
	return o;
}

json_t *img_inspect(const char *ref, struct werr *err)
{
	struct store s = { .rootfd = -1, .lockfd = -1 };
	json_t *images = NULL, *rec, *o = NULL;

	if (img_open(&s, NULL, err) == 0 && store_images_load(&s, &images, err) == 0 &&
	    (rec = store_image_find(images, ref, err)))
		o = inspect_one(&s, rec, err);
	json_decref(images);
	store_close(&s);
	return o;
}

static const struct opt_def inspect_opts[] = {
	{ "format", 'f', OPT_VALUE, "FORMAT", "json (the default) or a template like {{.Id}}",
	  IO_FORMAT },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_image_inspect = { "image inspect",
	                                       "[OPTIONS] IMAGE...",
	                                       "Low-level information on images.",
	                                       inspect_opts,
	                                       0,
	                                       -1,
	                                       OPTS_INTERSPERSED };

int cmd_image_inspect(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct werr err = { 0 };
	json_t *images = NULL, *out = json_array();
	int ind, failed = 0, r = img_parse(&cli_cmd_image_inspect, argc, argv, &ind, &a);

	if (r <= 0) {
		json_decref(out);
		return r < 0 ? cli_error_exit() : 0;
	}
	if (argc - ind < 1) {
		json_decref(out);
		werr_set(&err, EINVAL, "image inspect needs at least one image");
		return img_fail(&err);
	}
	if (img_open(&s, NULL, &err) < 0 || store_images_load(&s, &images, &err) < 0) {
		json_decref(out);
		store_close(&s);
		return img_fail(&err);
	}
	for (int i = ind; i < argc; i++) {
		json_t *rec = store_image_find(images, argv[i], &err), *o;
		if (!rec || !(o = inspect_one(&s, rec, &err))) {
			img_fail(&err);
			failed = 1;
			continue;
		}
		json_array_append_new(out, o);
	}
	if (a.format) {
		struct format fo;
		size_t k;
		json_t *o;
		if (format_begin(&fo, stdout, a.format, NULL, NULL, &err) < 0)
			failed = img_fail(&err);
		else
			json_array_foreach(out, k, o) if (format_object(&fo, o, &err) < 0)
			{
				failed = img_fail(&err);
				break;
			}
		format_end(&fo);
		json_decref(out);
	} else {
		print_json(out);
	}
	json_decref(images);
	store_close(&s);
	return failed ? cli_error_exit() : 0;
}

static const struct opt_def history_opts[] = {
	{ "quiet", 'q', OPT_FLAG, NULL, "Only show image IDs", IO_QUIET },
	{ "no-trunc", 0, OPT_FLAG, NULL, "Do not truncate the commands", IO_NO_TRUNC },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* the history entries of the image's config in @id (0 when unreadable) */
static size_t history_len(struct store *s, const char *id)
{
	_cleanup_free_ char *text = NULL;
	size_t len, n = 0;
	json_t *c;
	struct werr ignored;

	if (store_blob_read(s, id, 16 << 20, &text, &len, &ignored) < 0)
		return 0;
	c = json_loadb(text, len, 0, NULL);
	n = json_array_size(json_object_get(c, "history"));
	json_decref(c);
	return n;
}

/* the ID of the image each of @n history entries ends, "<missing>" when no
 * image in the store does: the image itself, then its parents (a build's
 * steps, its base) */
static void history_ids(struct store *s, json_t *images, json_t *rec, size_t n, char (*ids)[13])
{
	const char *p = json_string_value(json_object_get(rec, "parent"));

	for (size_t k = 0; k < n; k++)
		snprintf(ids[k], sizeof(ids[k]), "<missing>");
	if (n)
		image_short_id(json_string_value(json_object_get(rec, "id")), ids[n - 1]);
	for (unsigned hops = 0; p && hops < 4096; hops++) {
		json_t *prec = NULL, *v;
		size_t i, h;
		json_array_foreach(images, i,
		                   v) if (!strcmp(json_string_value(json_object_get(v, "id")), p))
		    prec = v;
		if (!prec)
			break;
		h = history_len(s, p);
		if (h > 0 && h <= n && !strcmp(ids[h - 1], "<missing>"))
			image_short_id(p, ids[h - 1]);
		p = json_string_value(json_object_get(prec, "parent"));
	}
}

static void history_print(struct store *s, json_t *images, json_t *rec,
                          const struct image_loaded *img, const struct img_args *a)
{
	json_t *hist = json_object_get(img->cfg.root, "history"), *h;
	size_t n = json_array_size(hist), layer = 0;
	_cleanup_free_ char(*ids)[13] = calloc(n + 1, sizeof(*ids));

	if (!ids)
		return;
	history_ids(s, images, rec, n, ids);
	if (!a->quiet)
		printf("%-14s %-16s %-45s %-10s %s\n", "IMAGE", "CREATED", "CREATED BY", "SIZE",
		       "COMMENT");
	/* newest first; each non-empty entry owns the next layer from the bottom */
	for (size_t k = 0; k < n; k++) {
		h = json_array_get(hist, k);
		if (!json_is_true(json_object_get(h, "empty_layer")))
			layer++;
	}
	for (size_t k = n; k-- > 0;) {
		const char *by, *comment;
		char created[40], size[16] = "0B";
		h = json_array_get(hist, k);
		by = json_string_value(json_object_get(h, "created_by"));
		comment = json_string_value(json_object_get(h, "comment"));
		if (!json_is_true(json_object_get(h, "empty_layer")) && layer > 0) {
			layer--;
			if (layer < img->n_layers)
				progress_human_size(store_layer_size(s, img->chain[layer]), size,
				                    sizeof(size));
		}
		if (a->quiet) {
			printf("%s\n", ids[k]);
			continue;
		}
		since(parse_time(json_string_value(json_object_get(h, "created"))), created,
		      sizeof(created));
		printf("%-14s %-16s %-45.*s %-10s %s\n", ids[k], created, a->no_trunc ? 4096 : 45,
		       by ? by : "", size, comment ? comment : "");
	}
}

const struct cli_cmd cli_cmd_history = {
	"history", "[OPTIONS] IMAGE", "Show the history of an image.", history_opts, 0,
	-1,        OPTS_INTERSPERSED
};

int cmd_history(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct werr err = { 0 };
	struct image_loaded img;
	json_t *images = NULL, *rec;
	int ind, r = img_parse(&cli_cmd_history, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	if (argc - ind != 1) {
		werr_set(&err, EINVAL, "history needs exactly one image");
		return img_fail(&err);
	}
	r = img_open(&s, NULL, &err);
	if (r == 0)
		r = store_images_load(&s, &images, &err);
	if (r == 0 && !(rec = store_image_find(images, argv[ind], &err)))
		r = -ENOENT;
	if (r == 0)
		r = image_load(&s, rec, &img, &err);
	if (r == 0) {
		history_print(&s, images, rec, &img, &a);
		image_loaded_free(&img);
	}
	json_decref(images);
	store_close(&s);
	return r < 0 ? img_fail(&err) : 0;
}
