/* builder.c - `warren build` from the top: checks the input (tags,
 * Dockerfile, context, build args, target) before anything runs, builds the
 * stages the target needs in order, one step at a time with its output, and
 * records the final image with its tags. Nothing is tagged on failure. */
#include "builder_int.h"
#include "cleanup.h"
#include "image.h"
#include "manifest.h"
#include "reference.h"
#include "rootfs.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void say(struct builder *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void say(struct builder *b, const char *fmt, ...)
{
	va_list ap;

	if (b->o->quiet)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	fflush(stdout);
}

/* FROM: another stage's result, or an image (pulled when missing) */
static int stage_from(struct builder *b, size_t idx, struct werr *err)
{
	struct bstage *sg = &b->stages[idx];
	_cleanup_free_ char *base = NULL;
	long other;
	int r = dockerfile_stage_base(b->df, idx, &b->meta, &base, err);

	if (r < 0)
		return r;
	other = dockerfile_stage_find_before(b->df, base, idx);
	if (other >= 0 && (size_t)other < idx && b->df->stages[other].name &&
	    !strcasecmp(b->df->stages[other].name, base)) {
		const struct bstage *o = &b->stages[other];
		sg->cfg = json_deep_copy(o->cfg);
		sg->layers = json_deep_copy(o->layers);
		sg->ckeys = o->ckeys ? json_deep_copy(o->ckeys) : NULL;
		sg->chain = calloc(o->n_layers + 1, sizeof(*sg->chain));
		if (!sg->cfg || !sg->layers || !sg->chain)
			return werr_errno(err, ENOMEM, "stage %s", base);
		memcpy(sg->chain, o->chain, o->n_layers * sizeof(*sg->chain));
		sg->n_layers = o->n_layers;
		memcpy(sg->key, o->key, sizeof(sg->key));
		memcpy(sg->image, o->image, sizeof(sg->image));
		bconfig_scope_from_env(sg);
		return 0;
	}
	r = bconfig_from_image(b, sg, base, err);
	if (r < 0)
		return werr_prefix(err, "%s:%u: FROM %s", b->df->filename, b->line, base);
	if (bconfig_default_path(sg) < 0)
		return werr_errno(err, ENOMEM, "FROM %s", base);
	return 0;
}

/* a metadata instruction: the config changes, the history gets an empty layer */
static int meta_step(struct builder *b, struct bstage *sg, const struct df_instr *x,
                     struct werr *err)
{
	_cleanup_free_ char *text = binstr_text(x);
	char created[32];
	bool hit;
	int r = bconfig_apply(b, sg, x, err);

	if (r < 0 || x->kind == DF_ARG)
		return r;
	if (!text)
		return werr_errno(err, ENOMEM, "%s", x->original);
	bcache_key(sg, text);
	r = bcache_lookup(b, sg, x->original, &hit, err);
	if (r < 0 || hit)
		return r < 0 ? r : 1;
	bnow(created, sizeof(created));
	bhistory_add(sg, created, x->original, true);
	return bcache_save(b, sg, NULL, 0, created, err);
}

static int step_run(struct builder *b, struct bstage *sg, const struct df_instr *in, int *status,
                    struct werr *err)
{
	struct df_instr *x = NULL;
	int r = 0;

	r = dockerfile_instr_expand(b->df, in, &sg->scope, &x, err);
	if (r < 0)
		return r;
	switch (x->kind) {
	case DF_RUN: r = brun_step(b, sg, x, status, err); break;
	case DF_COPY:
	case DF_ADD: r = bcopy_step(b, sg, x, err); break;
	case DF_WORKDIR: r = bworkdir_step(b, sg, x, err); break;
	default: r = meta_step(b, sg, x, err); break;
	}
	dockerfile_instr_free(x);
	if (r < 0)
		return r;
	if (bimage_step(b, sg, err) < 0)
		return -err->code;
	if (r == 1)
		say(b, "--> Using cache %s\n", digest_hex(sg->image));
	say(b, "--> %.12s\n", digest_hex(sg->image));
	return 0;
}

static int step(struct builder *b, struct bstage *sg, const struct df_instr *in, int *status,
                struct werr *err)
{
	b->line = in->line;
	say(b, "STEP %u/%u: %s\n", ++b->step, b->nsteps, in->original);
	return step_run(b, sg, in, status, err);
}

/* the base image's ONBUILD triggers, each parsed as a Dockerfile line */
static int onbuild_run(struct builder *b, struct bstage *sg, int *status, struct werr *err)
{
	for (size_t i = 0; i < sg->onbuild.n; i++) {
		_cleanup_free_ char *text = NULL;
		struct dockerfile *t = NULL;
		int r;
		if (asprintf(&text, "FROM scratch\n%s\n", sg->onbuild.v[i]) < 0)
			return werr_errno(err, ENOMEM, "ONBUILD");
		r = dockerfile_parse(text, strlen(text), "ONBUILD", &t, err);
		if (r == 0 && t->stages[0].ninstrs != 1)
			r = werr_set(err, EINVAL,
			             "ONBUILD trigger \"%s\" of the base image is not one "
			             "instruction",
			             sg->onbuild.v[i]);
		if (r == 0) {
			say(b, "--> Running ONBUILD trigger: %s\n", sg->onbuild.v[i]);
			r = step_run(b, sg, t->stages[0].instrs[0], status, err);
		}
		dockerfile_free(t);
		if (r < 0)
			return werr_prefix(err, "ONBUILD %s", sg->onbuild.v[i]);
	}
	return 0;
}

static int stage_build(struct builder *b, size_t idx, int *status, struct werr *err)
{
	const struct df_stage *ds = &b->df->stages[idx];
	struct bstage *sg = &b->stages[idx];
	int r;

	b->line = ds->from->line;
	say(b, "STEP %u/%u: %s\n", ++b->step, b->nsteps, ds->from->original);
	r = stage_from(b, idx, err);
	if (r == 0)
		r = onbuild_run(b, sg, status, err);
	for (size_t i = 0; r == 0 && i < ds->ninstrs; i++)
		r = step(b, sg, ds->instrs[i], status, err);
	if (r < 0)
		return werr_prefix(err, "STEP %u/%u", b->step, b->nsteps);
	sg->built = true;
	return 0;
}

/* --output: the final image's filesystem, as BuildKit's local and tar
 * exporters write it (the image is kept in the store too, as podman does) */
static int final_output(struct builder *b, const char *id, struct werr *err)
{
	char tree[PATH_MAX + 16];

	if (b->o->output == BUILD_OUTPUT_NONE)
		return 0;
	if (!b->o->hooks.rootfs_copy || !b->o->hooks.output)
		return werr_set(err, ENOTSUP, "--output: not available here");
	snprintf(tree, sizeof(tree), "%s/output", b->stdir);
	if (b->o->hooks.rootfs_copy(id, tree, &b->plan, err) < 0 ||
	    b->o->hooks.output(b->o->hooks.ctx, tree, err) < 0)
		return werr_prefix(err, "--output %s", b->o->output_dest);
	return 0;
}

/* the final image: --label, config and manifest blobs, the record, the tags */
static int final_commit(struct builder *b, struct bstage *sg, char **names, size_t n_names,
                        char *id, struct werr *err)
{
	int r = 0;

	for (size_t i = 0; i < b->o->n_labels; i++) {
		const char *eq = strchr(b->o->labels[i], '=');
		_cleanup_free_ char *k = strndup(
		    b->o->labels[i], eq ? (size_t)(eq - b->o->labels[i]) : strlen(b->o->labels[i]));
		json_t *c = bconfig_get(sg), *l = json_object_get(c, "Labels");
		if (!json_is_object(l))
			json_object_set_new(c, "Labels", l = json_object());
		json_object_set_new(l, k, json_string(eq ? eq + 1 : ""));
	}
	r = binline_write(b, sg, err);
	for (size_t i = 0; r == 0 && i < (n_names ? n_names : 1); i++)
		r = bimage_commit(b, sg, n_names ? names[i] : NULL, false, id, err);
	return r == 0 ? final_output(b, id, err) : r;
}

/* the tags, normalized ("domain/path:tag"), before anything is built */
static int tags_check(const struct build_opts *o, char **names, struct werr *err)
{
	for (size_t i = 0; i < o->n_tags; i++) {
		struct image_ref ref;
		if (ref_parse(o->tags[i], &ref, NULL, err) < 0)
			return werr_prefix(err, "-t %s", o->tags[i]);
		if (ref.digest[0])
			return werr_set(err, EINVAL, "-t %s: a tag cannot have a digest",
			                o->tags[i]);
		names[i] = malloc(REF_STR_MAX);
		if (!names[i])
			return werr_errno(err, ENOMEM, "tags");
		ref_format(&ref, names[i], REF_STR_MAX);
	}
	return 0;
}

static int dockerfile_load(struct builder *b, struct werr *err)
{
	const struct build_opts *o = b->o;
	_cleanup_free_ char *path = NULL, *text = NULL;
	const char *name;
	size_t len;

	if (o->dockerfile_text) /* -f -: read by the CLI from stdin */
		return dockerfile_parse(o->dockerfile_text, o->dockerfile_len, "Dockerfile", &b->df,
		                        err);
	if (o->dockerfile)
		path = strdup(o->dockerfile);
	else if (asprintf(&path, "%s/Dockerfile", o->context) < 0)
		path = NULL;
	if (!path)
		return werr_errno(err, ENOMEM, "Dockerfile");
	if (util_read_file(AT_FDCWD, path, 16 << 20, &text, &len, err) < 0)
		return werr_prefix(err, "cannot read the Dockerfile (give it with -f)");
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	return dockerfile_parse(text, len, name, &b->df, err);
}

/* --platform: RUN steps execute here, so only this machine's platform */
static int platform_check(const char *platform, struct werr *err)
{
	char os[32], arch[32], var[32];
	const char *hos, *harch, *hvar;

	if (!platform)
		return 0;
	if (manifest_parse_platform(platform, os, arch, var, err) < 0)
		return werr_prefix(err, "--platform");
	manifest_host_platform(&hos, &harch, &hvar);
	if (strcmp(os, hos) || strcmp(arch, harch))
		return werr_set(err, ENOTSUP,
		                "--platform %s: warren builds for this machine only (%s/%s): RUN "
		                "steps execute here",
		                platform, hos, harch);
	return 0;
}

/* the Dockerfile's own ignore file, DOCKERFILE.dockerignore next to it,
 * when there is one: BuildKit reads it instead of the context's */
static const char *own_ignore_file(const struct build_opts *o, char *buf, size_t size)
{
	struct stat st;

	if (o->dockerfile_text)
		return NULL;
	if (o->dockerfile)
		snprintf(buf, size, "%s.dockerignore", o->dockerfile);
	else
		snprintf(buf, size, "%s/Dockerfile.dockerignore", o->context);
	return stat(buf, &st) == 0 && S_ISREG(st.st_mode) ? buf : NULL;
}

/* BuildKit's automatic platform ARGs: the build and the target platform
 * are both this machine (platform_check() refuses any other) */
static int platform_args(struct strv *out)
{
	const char *os, *arch, *var;
	char plat[128];
	const char *names[] = { "BUILD", "TARGET" };

	manifest_host_platform(&os, &arch, &var);
	snprintf(plat, sizeof(plat), "%s/%s%s%s", os, arch, var && *var ? "/" : "", var ? var : "");
	for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
		char kv[192];
		snprintf(kv, sizeof(kv), "%sPLATFORM=%s", names[i], plat);
		strv_push(out, kv);
		snprintf(kv, sizeof(kv), "%sOS=%s", names[i], os);
		strv_push(out, kv);
		snprintf(kv, sizeof(kv), "%sARCH=%s", names[i], arch);
		strv_push(out, kv);
		snprintf(kv, sizeof(kv), "%sVARIANT=%s", names[i], var ? var : "");
		strv_push(out, kv);
	}
	return out->oom ? -ENOMEM : 0;
}

/* the input checks and the machinery: store, ID maps, driver, staging */
static int build_setup(struct builder *b, bool **needed, long *target, struct werr *err)
{
	struct rootfs_choice drv;
	struct strv auto_args = { 0 };
	char own_ignore[PATH_MAX + 16];
	int r = platform_check(b->o->platform, err);

	if (r == 0)
		r = dockerfile_load(b, err);
	/* BuildKit's checks that warn do not stop the build; stderr, as Docker */
	for (size_t i = 0; r == 0 && i < b->df->warnings.n; i++)
		fprintf(stderr, "WARN: %s\n", b->df->warnings.v[i]);
	if (r == 0)
		r = context_open(b->o->context,
		                 own_ignore_file(b->o, own_ignore, sizeof(own_ignore)), &b->ctx,
		                 err);
	if (r == 0 && platform_args(&auto_args) < 0)
		r = werr_errno(err, ENOMEM, "build arguments");
	if (r == 0)
		r = dockerfile_meta_scope_preset(b->df, auto_args.v, auto_args.n, b->o->build_args,
		                                 b->o->n_build_args, &b->meta, err);
	strv_free(&auto_args);
	if (r == 0 && !(*needed = calloc(b->df->nstages + 1, sizeof(bool))))
		r = werr_errno(err, ENOMEM, "stages");
	if (r < 0)
		return r;
	*target = dockerfile_stages_needed(b->df, b->o->target, &b->meta, *needed, err);
	if (*target < 0)
		return (int)*target;
	b->stages = calloc(b->df->nstages, sizeof(*b->stages));
	if (!b->stages)
		return werr_errno(err, ENOMEM, "stages");
	for (size_t i = 0; i < b->df->nstages; i++)
		if ((*needed)[i] && (size_t)*target >= i)
			b->nsteps += 1 + (unsigned)b->df->stages[i].ninstrs;
	r = store_open(&b->s, b->o->gopts, err);
	if (r == 0)
		r = idmap_plan_make(&b->plan, false, err);
	if (r == 0)
		r = rootfs_driver_choose(&b->s, b->o->gopts, &b->plan, &drv, err);
	if (r == 0)
		b->driver = drv.driver;
	if (r == 0)
		r = store_staging_new(&b->s, &b->st, err);
	if (r == 0)
		r = binline_load(b, err);
	if (r < 0)
		return r;
	snprintf(b->stdir, sizeof(b->stdir), "%s/%s", b->s.root, b->st.name);
	return 0;
}

static void build_free(struct builder *b)
{
	if (b->st.fd >= 0)
		store_staging_done(&b->s, &b->st, &b->plan);
	for (size_t i = 0; b->stages && i < b->df->nstages; i++)
		bstage_free(&b->stages[i]);
	free(b->stages);
	shellex_scope_free(&b->meta);
	json_decref(b->cfrom);
	context_close(b->ctx);
	dockerfile_free(b->df);
	store_close(&b->s);
}

int build_image(const struct build_opts *o, char *id, int *status, struct werr *err)
{
	struct builder b = { .o = o, .s = { .rootfd = -1, .lockfd = -1 }, .st = { .fd = -1 } };
	_cleanup_free_ bool *needed = NULL;
	char **names = calloc(o->n_tags + 1, sizeof(char *));
	long target = -1;
	int r = names ? tags_check(o, names, err) : werr_errno(err, ENOMEM, "tags");

	if (r == 0)
		r = build_setup(&b, &needed, &target, err);
	for (size_t i = 0; r == 0 && i <= (size_t)target; i++)
		if (needed[i])
			r = stage_build(&b, i, status, err);
	if (r == 0) {
		r = final_commit(&b, &b.stages[target], names, o->n_tags, id, err);
		if (r == 0) {
			say(&b, "COMMIT%s%s\n--> %.12s\n", o->n_tags ? " " : "",
			    o->n_tags ? names[0] : "", digest_hex(id));
			for (size_t i = 0; i < o->n_tags; i++)
				say(&b, "Successfully tagged %s\n", names[i]);
		}
	}
	/* a RUN whose command failed: 1, as Docker; anything else is ours */
	*status = r == 0 ? 0 : err->code == ECANCELED ? BUILD_EXIT_STEP : EXIT_WARREN;
	build_free(&b);
	for (size_t i = 0; names && i < o->n_tags; i++)
		free(names[i]);
	free(names);
	return r;
}
