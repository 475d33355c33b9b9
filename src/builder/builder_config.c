/* builder_config.c - the image config a stage builds up: the base image's
 * (or scratch's), then what each metadata instruction changes (ENV ARG
 * LABEL WORKDIR USER CMD ENTRYPOINT EXPOSE VOLUME STOPSIGNAL HEALTHCHECK
 * SHELL ONBUILD MAINTAINER), with Docker's rules. No filesystem access
 * beyond reading the store. */
#include "builder_int.h"
#include "cleanup.h"
#include "dockerignore.h"
#include "image.h"
#include "manifest.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

json_t *bconfig_get(struct bstage *sg)
{
	json_t *c = json_object_get(sg->cfg, "config");

	if (!json_is_object(c))
		json_object_set_new(sg->cfg, "config", c = json_object());
	return c;
}

static json_t *obj_get(json_t *c, const char *key)
{
	json_t *o = json_object_get(c, key);

	if (!json_is_object(o))
		json_object_set_new(c, key, o = json_object());
	return o;
}

/* KEY=VALUE into the config's Env (replacing KEY) and the expansion scope */
static int env_set(struct bstage *sg, const char *key, const char *value)
{
	json_t *c = bconfig_get(sg), *env = json_object_get(c, "Env"), *v;
	size_t kl = strlen(key), i;
	_cleanup_free_ char *kv = NULL;

	if (asprintf(&kv, "%s=%s", key, value) < 0)
		return -ENOMEM;
	if (!json_is_array(env))
		json_object_set_new(c, "Env", env = json_array());
	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);
		if (s && !strncmp(s, key, kl) && s[kl] == '=')
			return json_array_set_new(env, i, json_string(kv)),
			       shellex_scope_set(&sg->scope, key, value);
	}
	json_array_append_new(env, json_string(kv));
	return shellex_scope_set(&sg->scope, key, value);
}

void bconfig_scope_from_env(struct bstage *sg)
{
	json_t *env = json_object_get(bconfig_get(sg), "Env"), *v;
	size_t i;

	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v), *eq = s ? strchr(s, '=') : NULL;
		_cleanup_free_ char *k = eq ? strndup(s, (size_t)(eq - s)) : NULL;
		if (k)
			shellex_scope_set(&sg->scope, k, eq + 1);
	}
}

static int from_scratch(struct bstage *sg)
{
	const char *os, *arch, *var;

	manifest_host_platform(&os, &arch, &var);
	sg->cfg = json_pack("{s:s, s:s, s:{}, s:{s:s, s:[]}, s:[]}", "architecture", arch, "os", os,
	                    "config", "rootfs", "type", "layers", "diff_ids", "history");
	sg->layers = json_array();
	digest_buf("scratch", 7, sg->key);
	return sg->cfg && sg->layers ? 0 : -ENOMEM;
}

static int from_record(struct builder *b, struct bstage *sg, json_t *rec, struct werr *err)
{
	struct image_loaded img;
	const char *id = json_string_value(json_object_get(rec, "id"));
	char text[8 + DIGEST_STR_LEN];
	int r = image_load(&b->s, rec, &img, err);

	if (r < 0)
		return r;
	sg->cfg = json_deep_copy(img.cfg.root);
	sg->layers = json_array();
	sg->chain = calloc(img.n_layers + 1, sizeof(*sg->chain));
	if (!sg->cfg || !sg->layers || !sg->chain) {
		image_loaded_free(&img);
		return werr_errno(err, ENOMEM, "base image");
	}
	for (size_t i = 0; i < img.m.n_layers; i++)
		json_array_append_new(sg->layers, json_pack("{s:s, s:s, s:I}", "mediaType",
		                                            img.m.layers[i].media_type, "digest",
		                                            img.m.layers[i].digest, "size",
		                                            (json_int_t)img.m.layers[i].size));
	memcpy(sg->chain, img.chain, img.n_layers * sizeof(*sg->chain));
	sg->n_layers = img.n_layers;
	snprintf(text, sizeof(text), "FROM %s", id ? id : "");
	digest_buf(text, strlen(text), sg->key);
	image_loaded_free(&img);
	for (size_t i = 0; i < sg->n_layers; i++)
		if (!store_layer_has(&b->s, sg->chain[i]))
			return werr_set(err, ENOENT,
			                "layer %s of the base image is not in the store (pull it "
			                "again)",
			                sg->chain[i]);
	/* the base's inline cache map is its own: keys of its history only */
	json_object_del(sg->cfg, BINLINE_FIELD);
	/* a base's ONBUILD triggers run once, in this build, and are not inherited */
	{
		json_t *ob = json_object_get(bconfig_get(sg), "OnBuild"), *v;
		size_t i;
		json_array_foreach(ob, i, v) if (json_is_string(v))
		    strv_push(&sg->onbuild, json_string_value(v));
		json_object_del(bconfig_get(sg), "OnBuild");
		if (sg->onbuild.oom)
			return werr_errno(err, ENOMEM, "ONBUILD");
	}
	bconfig_scope_from_env(sg);
	return 0;
}

json_t *bimage_find(struct builder *b, const char *ref, bool again, json_t **images,
                    struct werr *err)
{
	char id[DIGEST_STR_LEN + 16];
	json_t *rec;

	*images = NULL;
	if (store_images_load(&b->s, images, err) < 0)
		return NULL;
	rec = store_image_find(*images, ref, err);
	if ((!rec && err->code == ENOENT) || (rec && again)) {
		json_decref(*images);
		*images = NULL;
		if (b->o->hooks.pull(b->o->hooks.ctx, ref, id, sizeof(id), err) < 0 ||
		    store_images_load(&b->s, images, err) < 0)
			return NULL;
		rec = store_image_find(*images, id, err);
	}
	return rec;
}

int bconfig_from_image(struct builder *b, struct bstage *sg, const char *ref, struct werr *err)
{
	json_t *images, *rec;
	int r;

	if (!strcmp(ref, "scratch"))
		return from_scratch(sg) < 0 ? werr_errno(err, ENOMEM, "scratch") : 0;
	/* --pull: the registry's version even when the store has one */
	rec = bimage_find(b, ref, b->o->pull, &images, err);
	r = rec ? from_record(b, sg, rec, err) : -err->code;
	if (r == 0)
		snprintf(sg->image, sizeof(sg->image), "%s",
		         json_string_value(json_object_get(rec, "id")));
	json_decref(images);
	return r;
}

/* shell form: SHELL (default /bin/sh -c) and the command line */
static json_t *exec_form(struct bstage *sg, const struct df_instr *x)
{
	json_t *shell = json_object_get(bconfig_get(sg), "Shell"), *a;

	if (x->json) {
		a = json_array();
		for (size_t i = 0; i < x->nargs; i++)
			json_array_append_new(a, json_string(x->args[i]));
		return a;
	}
	a = json_is_array(shell) && json_array_size(shell) ? json_deep_copy(shell)
	                                                   : json_pack("[s, s]", "/bin/sh", "-c");
	json_array_append_new(a, json_string(x->nargs ? x->args[0] : ""));
	return a;
}

static int set_workdir(struct bstage *sg, const char *dir)
{
	json_t *c = bconfig_get(sg);
	const char *cur = json_string_value(json_object_get(c, "WorkingDir"));
	_cleanup_free_ char *p = NULL;

	if (asprintf(&p, "%s/%s/", dir[0] == '/' ? "" : cur && *cur ? cur : "/", dir) < 0)
		return -ENOMEM;
	dockerignore_clean(p);
	json_object_set_new(c, "WorkingDir", json_string(p));
	return 0;
}

static void set_health(struct bstage *sg, const struct df_instr *x)
{
	json_t *h, *test;

	if (x->health.none) {
		json_object_set_new(bconfig_get(sg), "Healthcheck",
		                    json_pack("{s:[s]}", "Test", "NONE"));
		return;
	}
	test = x->json ? json_array() : json_pack("[s]", "CMD-SHELL");
	if (x->json)
		json_array_append_new(test, json_string("CMD"));
	for (size_t i = 0; i < x->nargs; i++)
		json_array_append_new(test, json_string(x->args[i]));
	h = json_pack("{s:o}", "Test", test);
	if (x->health.interval_ns)
		json_object_set_new(h, "Interval", json_integer(x->health.interval_ns));
	if (x->health.timeout_ns)
		json_object_set_new(h, "Timeout", json_integer(x->health.timeout_ns));
	if (x->health.start_period_ns)
		json_object_set_new(h, "StartPeriod", json_integer(x->health.start_period_ns));
	if (x->health.start_interval_ns)
		json_object_set_new(h, "StartInterval", json_integer(x->health.start_interval_ns));
	if (x->health.retries)
		json_object_set_new(h, "Retries", json_integer(x->health.retries));
	json_object_set_new(bconfig_get(sg), "Healthcheck", h);
}

/* ARG NAME[=default]: --build-arg wins, then the default, then a meta ARG
 * of the same name (the automatic platform ARGs are meta ARGs); without any
 * the name stays unset, expanding to an empty string, as Docker's */
static int set_arg(struct builder *b, struct bstage *sg, const struct df_kv *kv)
{
	size_t nl = strlen(kv->key);
	const char *v = kv->value;

	for (size_t i = 0; i < b->o->n_build_args; i++)
		if (!strncmp(b->o->build_args[i], kv->key, nl) && b->o->build_args[i][nl] == '=')
			v = b->o->build_args[i] + nl + 1;
	if (!v)
		v = shellex_scope_get(&b->meta, kv->key);
	strv_push(&sg->args, kv->key);
	if (sg->args.oom)
		return -ENOMEM;
	if (!v)
		return 0;
	return shellex_scope_set(&sg->scope, kv->key, v);
}

static void ports_add(json_t *c, const char *key, const char *word, bool port)
{
	char buf[256];

	snprintf(buf, sizeof(buf), "%s%s", word, port && !strchr(word, '/') ? "/tcp" : "");
	json_object_set_new(obj_get(c, key), buf, json_object());
}

/* EXPOSE START-END[/PROTO]: one port each, as Docker's port-spec parser
 * expands a range; the protocol lower-cased, tcp when not given */
static void expose_add(json_t *c, const char *word)
{
	const char *slash = strchr(word, '/');
	char proto[16] = "tcp", *end;
	unsigned long lo, hi;

	if (slash) {
		snprintf(proto, sizeof(proto), "%s", slash + 1);
		for (char *p = proto; *p; p++)
			*p = (char)tolower((unsigned char)*p);
	}
	errno = 0;
	lo = strtoul(word, &end, 10);
	if (end == word || *end != '-' || !isdigit((unsigned char)end[1]))
		goto plain;
	hi = strtoul(end + 1, &end, 10);
	if (errno || (*end && *end != '/') || lo == 0 || lo > hi || hi > 65535)
		goto plain;
	for (unsigned long p = lo; p <= hi; p++) {
		char buf[32];
		snprintf(buf, sizeof(buf), "%lu/%s", p, proto);
		json_object_set_new(obj_get(c, "ExposedPorts"), buf, json_object());
	}
	return;
plain:
	if (slash) {
		char buf[256];
		snprintf(buf, sizeof(buf), "%.*s/%s", (int)(slash - word), word, proto);
		ports_add(c, "ExposedPorts", buf, true);
	} else {
		ports_add(c, "ExposedPorts", word, true);
	}
}

int bconfig_apply(struct builder *b, struct bstage *sg, const struct df_instr *x, struct werr *err)
{
	json_t *c = bconfig_get(sg);
	int r = 0;

	switch (x->kind) {
	case DF_ENV:
		for (size_t i = 0; r == 0 && i < x->nkvs; i++)
			r = env_set(sg, x->kvs[i].key, x->kvs[i].value ? x->kvs[i].value : "");
		break;
	case DF_ARG:
		for (size_t i = 0; r == 0 && i < x->nkvs; i++)
			r = set_arg(b, sg, &x->kvs[i]);
		break;
	case DF_LABEL:
		for (size_t i = 0; i < x->nkvs; i++)
			json_object_set_new(obj_get(c, "Labels"), x->kvs[i].key,
			                    json_string(x->kvs[i].value ? x->kvs[i].value : ""));
		break;
	case DF_WORKDIR: r = set_workdir(sg, x->nargs ? x->args[0] : "/"); break;
	case DF_USER:
		json_object_set_new(c, "User", json_string(x->nargs ? x->args[0] : ""));
		break;
	case DF_CMD:
		json_object_set_new(c, "Cmd", exec_form(sg, x));
		sg->cmd_set = true;
		break;
	case DF_ENTRYPOINT:
		json_object_set_new(c, "Entrypoint", exec_form(sg, x));
		/* Docker: an ENTRYPOINT resets the CMD the base image gave */
		if (!sg->cmd_set)
			json_object_set_new(c, "Cmd", json_null());
		break;
	case DF_EXPOSE:
		for (size_t i = 0; i < x->nargs; i++)
			expose_add(c, x->args[i]);
		break;
	case DF_VOLUME:
		for (size_t i = 0; i < x->nargs; i++)
			ports_add(c, "Volumes", x->args[i], false);
		break;
	case DF_STOPSIGNAL:
		json_object_set_new(c, "StopSignal", json_string(x->nargs ? x->args[0] : ""));
		break;
	case DF_HEALTHCHECK: set_health(sg, x); break;
	case DF_SHELL: json_object_set_new(c, "Shell", exec_form(sg, x)); break;
	case DF_ONBUILD:
		if (!json_is_array(json_object_get(c, "OnBuild")))
			json_object_set_new(c, "OnBuild", json_array());
		json_array_append_new(json_object_get(c, "OnBuild"),
		                      json_string(x->nargs ? x->args[0] : ""));
		break;
	case DF_MAINTAINER:
		json_object_set_new(sg->cfg, "author", json_string(x->nargs ? x->args[0] : ""));
		break;
	default: break;
	}
	return r < 0 ? werr_errno(err, -r, "%s", x->original) : 0;
}

/* BuildKit's default PATH (the one runc and Docker use for Linux) */
#define BCONFIG_DEFAULT_PATH "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

int bconfig_default_path(struct bstage *sg)
{
	json_t *env = json_object_get(bconfig_get(sg), "Env"), *v;
	size_t i;

	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);
		if (s && !strncmp(s, "PATH=", 5))
			return 0;
	}
	return env_set(sg, "PATH", BCONFIG_DEFAULT_PATH);
}

char **bconfig_run_env(const struct bstage *sg)
{
	json_t *env = json_object_get(json_object_get(sg->cfg, "config"), "Env"), *v;
	struct strv out = { 0 };
	bool has_path = false;
	size_t i;

	json_array_foreach(env, i, v)
	{
		const char *s = json_string_value(v);
		if (s) {
			strv_push(&out, s);
			has_path |= !strncmp(s, "PATH=", 5);
		}
	}
	if (!has_path)
		strv_push(&out, "PATH=" BCONFIG_DEFAULT_PATH);
	/* build args reach RUN as environment variables, below ENV */
	for (size_t a = 0; a < sg->args.n; a++) {
		const char *name = sg->args.v[a], *val = shellex_scope_get(&sg->scope, name);
		size_t nl = strlen(name);
		bool shadowed = false;
		json_array_foreach(env, i, v)
		{
			const char *s = json_string_value(v);
			shadowed |= s && !strncmp(s, name, nl) && s[nl] == '=';
		}
		if (val && !shadowed) {
			_cleanup_free_ char *kv = NULL;
			if (asprintf(&kv, "%s=%s", name, val) >= 0)
				strv_push(&out, kv);
		}
	}
	if (out.oom) {
		strv_free(&out);
		return NULL;
	}
	return out.v ? out.v : calloc(1, sizeof(char *));
}

char *binstr_text(const struct df_instr *x)
{
	struct strbuf sb = { 0 };

	strbuf_adds(&sb, dockerfile_kind_name(x->kind));
	strbuf_adds(&sb, x->json ? " json" : " shell");
	for (size_t i = 0; i < x->nflags; i++) {
		strbuf_adds(&sb, "\x1f--");
		strbuf_adds(&sb, x->flags[i].name);
		strbuf_addc(&sb, '=');
		strbuf_adds(&sb, x->flags[i].value ? x->flags[i].value : "");
	}
	for (size_t i = 0; i < x->nargs; i++) {
		strbuf_addc(&sb, '\x1f');
		strbuf_adds(&sb, x->args[i]);
	}
	for (size_t i = 0; i < x->nkvs; i++) {
		strbuf_addc(&sb, '\x1e');
		strbuf_adds(&sb, x->kvs[i].key);
		strbuf_addc(&sb, '=');
		strbuf_adds(&sb, x->kvs[i].value ? x->kvs[i].value : "\x01");
	}
	for (size_t i = 0; i < x->nheredocs; i++) {
		strbuf_addc(&sb, '\x1d');
		strbuf_adds(&sb, x->heredocs[i].name);
		strbuf_addc(&sb, '\n');
		strbuf_adds(&sb, x->heredocs[i].content);
	}
	if (sb.oom) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

void bstage_free(struct bstage *sg)
{
	json_decref(sg->cfg);
	json_decref(sg->layers);
	json_decref(sg->ckeys);
	free(sg->chain);
	shellex_scope_free(&sg->scope);
	strv_free(&sg->args);
	strv_free(&sg->onbuild);
	memset(sg, 0, sizeof(*sg));
}
