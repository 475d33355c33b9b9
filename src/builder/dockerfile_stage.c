/* dockerfile_stage.c - what the builder asks of a parsed Dockerfile: the
 * meta-ARG scope, expanded FROM bases, stage lookup, the stages a --target
 * needs, and per-instruction variable expansion with Docker's rules.
 * Nothing here builds, pulls or reads files. */
#include "dockerfile_int.h"
#include "cleanup.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

/* the value --build-arg gives @name, or NULL */
static const char *build_arg_get(char *const *build_args, size_t nbuild_args, const char *name,
                                 size_t nl)
{
	const char *given = NULL;

	for (size_t b = 0; b < nbuild_args; b++)
		if (strncmp(build_args[b], name, nl) == 0 && build_args[b][nl] == '=')
			given = build_args[b] + nl + 1;
	return given;
}

int dockerfile_meta_scope(const struct dockerfile *df, char *const *build_args, size_t nbuild_args,
                          struct shellex_scope *scope, struct werr *err)
{
	return dockerfile_meta_scope_preset(df, NULL, 0, build_args, nbuild_args, scope, err);
}

int dockerfile_meta_scope_preset(const struct dockerfile *df, char *const *preset, size_t npreset,
                                 char *const *build_args, size_t nbuild_args,
                                 struct shellex_scope *scope, struct werr *err)
{
	memset(scope, 0, sizeof(*scope));
	for (size_t i = 0; i < npreset; i++) {
		const char *eq = strchr(preset[i], '=');
		_cleanup_free_ char *name =
		    eq ? strndup(preset[i], (size_t)(eq - preset[i])) : NULL;
		const char *given;
		if (!name || !*name) {
			shellex_scope_free(scope);
			return werr_errno(err, name ? EINVAL : ENOMEM, "build arguments");
		}
		given = build_arg_get(build_args, nbuild_args, name, strlen(name));
		if (shellex_scope_set(scope, name, given ? given : eq + 1) < 0) {
			shellex_scope_free(scope);
			return werr_errno(err, ENOMEM, "build arguments");
		}
	}
	for (size_t i = 0; i < df->nmeta_args; i++) {
		const struct df_instr *in = df->meta_args[i];
		for (size_t k = 0; k < in->nkvs; k++) {
			const char *name = in->kvs[k].key, *given = NULL;
			_cleanup_free_ char *value = NULL;
			size_t nl = strlen(name);
			int r;

			given = build_arg_get(build_args, nbuild_args, name, nl);
			if (!given && in->kvs[k].value) {
				r = shellex_expand(in->kvs[k].value, scope, df->escape, &value,
				                   err);
				if (r < 0) {
					shellex_scope_free(scope);
					return werr_prefix(err, "%s:%u", df->filename, in->line);
				}
				given = value;
			}
			if (given && shellex_scope_set(scope, name, given) < 0) {
				shellex_scope_free(scope);
				return werr_errno(err, ENOMEM, "build arguments");
			}
		}
	}
	return 0;
}

int dockerfile_stage_base(const struct dockerfile *df, size_t index,
                          const struct shellex_scope *meta, char **out, struct werr *err)
{
	const struct df_stage *st = &df->stages[index];
	struct shellex_result res;
	int r;

	*out = NULL;
	r = shellex_process(st->base, meta, df->escape, 0, &res, err);
	if (r < 0)
		return werr_prefix(err, "%s:%u", df->filename, st->from->line);
	if (!*res.word) {
		if (res.unset)
			r = werr_set(
			    err, EINVAL,
			    "%s:%u: base name (%.80s) should not be blank: build arg %.60s "
			    "has no value (pass --build-arg %.60s=IMAGE or give the ARG a "
			    "default)",
			    df->filename, st->from->line, st->base, res.unset, res.unset);
		else
			r = werr_set(err, EINVAL, "%s:%u: base name (%.80s) should not be blank",
			             df->filename, st->from->line, st->base);
		shellex_result_free(&res);
		return r;
	}
	*out = steal_ptr(&res.word);
	shellex_result_free(&res);
	return 0;
}

long dockerfile_stage_find(const struct dockerfile *df, const char *ref)
{
	return dockerfile_stage_find_before(df, ref, df->nstages);
}

long dockerfile_stage_find_before(const struct dockerfile *df, const char *ref, size_t limit)
{
	const char *c = ref;

	if (!*ref)
		return -1;
	for (; *c >= '0' && *c <= '9'; c++)
		;
	if (!*c) {
		unsigned long long v;
		if (c - ref > 9)
			return -1;
		v = strtoull(ref, NULL, 10);
		return v < df->nstages ? (long)v : -1;
	}
	for (size_t i = limit < df->nstages ? limit : df->nstages; i-- > 0;)
		if (df->stages[i].name && strcasecmp(df->stages[i].name, ref) == 0)
			return (long)i;
	return -1;
}

/* the from= of a --mount value (type=bind,from=build,source=/out) */
static char *mount_from(const char *mount)
{
	const char *p = mount;

	while (*p) {
		const char *e = strchr(p, ',');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		if (n > 5 && strncmp(p, "from=", 5) == 0)
			return strndup(p + 5, n - 5);
		p += n + (e ? 1 : 0);
	}
	return NULL;
}

/* the stage index a reference from stage @s names, -1 for an image */
static int stage_ref(const struct dockerfile *df, size_t s, const struct df_instr *in,
                     const char *raw, const struct shellex_scope *meta, long *dep, struct werr *err)
{
	_cleanup_free_ char *ref = NULL;
	const char *c;

	if (shellex_expand(raw, meta, df->escape, &ref, err) < 0)
		return werr_prefix(err, "%s:%u", df->filename, in->line);
	*dep = dockerfile_stage_find(df, ref);
	for (c = ref; *c >= '0' && *c <= '9'; c++)
		;
	if (*ref && !*c && *dep < 0)
		return werr_set(err, EINVAL,
		                "%s:%u: --from=%.40s: there is no stage %.40s (stages are numbered "
		                "from 0; this file has %zu)",
		                df->filename, in->line, ref, ref, df->nstages);
	if (*dep == (long)s)
		return werr_set(err, EINVAL, "%s:%u: --from=%.40s refers to its own stage",
		                df->filename, in->line, ref);
	return 0;
}

/* the stages stage @s depends on directly, appended to @deps */
static int stage_deps(const struct dockerfile *df, size_t s, const struct shellex_scope *meta,
                      long *deps, size_t *ndeps, struct werr *err)
{
	const struct df_stage *st = &df->stages[s];
	_cleanup_free_ char *base = NULL;
	long dep = -1;
	int r;

	*ndeps = 0;
	if (shellex_expand(st->base, meta, df->escape, &base, err) == 0) {
		dep = dockerfile_stage_find_before(df, base, s);
		if (dep >= 0 && (size_t)dep < s && !(base[0] >= '0' && base[0] <= '9'))
			deps[(*ndeps)++] = dep;
	}
	for (size_t i = 0; i < st->ninstrs; i++) {
		const struct df_instr *in = st->instrs[i];
		for (size_t f = 0; f < in->nflags; f++) {
			_cleanup_free_ char *from = NULL;
			const char *ref = NULL;
			if (in->kind == DF_COPY && strcmp(in->flags[f].name, "from") == 0)
				ref = in->flags[f].value;
			else if (in->kind == DF_RUN && strcmp(in->flags[f].name, "mount") == 0)
				ref = from = mount_from(in->flags[f].value);
			if (!ref)
				continue;
			if ((r = stage_ref(df, s, in, ref, meta, &dep, err)) < 0)
				return r;
			if (dep >= 0)
				deps[(*ndeps)++] = dep;
		}
	}
	return 0;
}

static size_t stage_ref_count(const struct df_stage *st)
{
	size_t n = 1;

	for (size_t i = 0; i < st->ninstrs; i++)
		n += st->instrs[i]->nflags;
	return n;
}

long dockerfile_stages_needed(const struct dockerfile *df, const char *target,
                              const struct shellex_scope *meta, bool *needed, struct werr *err)
{
	_cleanup_free_ size_t *stack = calloc(df->nstages + 1, sizeof(size_t));
	size_t sp = 0;
	long t;

	if (!stack)
		return werr_errno(err, ENOMEM, "resolving stages");
	memset(needed, 0, df->nstages * sizeof(*needed));
	t = target && *target ? dockerfile_stage_find(df, target) : (long)df->nstages - 1;
	if (t < 0)
		return werr_set(err, EINVAL,
		                "target stage \"%.60s\" could not be found (name a stage defined "
		                "with FROM ... AS NAME, or its index)",
		                target);
	needed[t] = true;
	stack[sp++] = (size_t)t;
	while (sp) {
		size_t s = stack[--sp], nd;
		_cleanup_free_ long *deps = calloc(stage_ref_count(&df->stages[s]), sizeof(long));
		int r;

		if (!deps)
			return werr_errno(err, ENOMEM, "resolving stages");
		if ((r = stage_deps(df, s, meta, deps, &nd, err)) < 0)
			return r;
		for (size_t i = 0; i < nd; i++)
			if (!needed[deps[i]]) {
				needed[deps[i]] = true;
				stack[sp++] = (size_t)deps[i];
			}
	}
	return t;
}

/* ---- per-instruction expansion ---- */

static char *dup_or_null(const char *s, bool *oom)
{
	char *d = s ? strdup(s) : NULL;

	if (s && !d)
		*oom = true;
	return d;
}

static struct df_instr *instr_dup(const struct df_instr *in)
{
	struct df_instr *c = calloc(1, sizeof(*c));
	bool oom = false;

	if (!c)
		return NULL;
	*c = *in;
	c->flags = NULL, c->args = NULL, c->kvs = NULL, c->heredocs = NULL, c->sub = NULL;
	c->nflags = c->nargs = c->nkvs = c->nheredocs = 0;
	c->original = dup_or_null(in->original, &oom);
	c->flags = calloc(in->nflags + 1, sizeof(*c->flags));
	c->args = calloc(in->nargs + 1, sizeof(*c->args));
	c->kvs = calloc(in->nkvs + 1, sizeof(*c->kvs));
	c->heredocs = calloc(in->nheredocs + 1, sizeof(*c->heredocs));
	if (oom || !c->flags || !c->args || !c->kvs || !c->heredocs) {
		dockerfile_instr_free(c);
		return NULL;
	}
	for (; c->nflags < in->nflags; c->nflags++) {
		c->flags[c->nflags].name = dup_or_null(in->flags[c->nflags].name, &oom);
		c->flags[c->nflags].value = dup_or_null(in->flags[c->nflags].value, &oom);
	}
	for (; c->nargs < in->nargs; c->nargs++)
		c->args[c->nargs] = dup_or_null(in->args[c->nargs], &oom);
	for (; c->nkvs < in->nkvs; c->nkvs++) {
		c->kvs[c->nkvs].key = dup_or_null(in->kvs[c->nkvs].key, &oom);
		c->kvs[c->nkvs].value = dup_or_null(in->kvs[c->nkvs].value, &oom);
	}
	for (; c->nheredocs < in->nheredocs; c->nheredocs++) {
		c->heredocs[c->nheredocs] = in->heredocs[c->nheredocs];
		c->heredocs[c->nheredocs].name = dup_or_null(in->heredocs[c->nheredocs].name, &oom);
		c->heredocs[c->nheredocs].content =
		    dup_or_null(in->heredocs[c->nheredocs].content, &oom);
	}
	if (in->sub && !(c->sub = instr_dup(in->sub)))
		oom = true;
	if (oom) {
		dockerfile_instr_free(c);
		return NULL;
	}
	return c;
}

static int expand_in_place(const struct dockerfile *df, char **s, const struct shellex_scope *scope,
                           struct werr *err)
{
	char *v;
	int r;

	if (!*s)
		return 0;
	r = shellex_expand(*s, scope, df->escape, &v, err);
	if (r < 0)
		return r;
	free(*s);
	*s = v;
	return 0;
}

static int expand_words(const struct dockerfile *df, struct df_instr *c,
                        const struct shellex_scope *scope, struct werr *err)
{
	struct strv v = { 0 };

	for (size_t i = 0; i < c->nargs; i++) {
		struct shellex_result res;
		int r = shellex_process(c->args[i], scope, df->escape, 0, &res, err);
		if (r < 0) {
			strv_free(&v);
			return r;
		}
		for (size_t w = 0; w < res.nwords; w++)
			strv_push(&v, res.words[w]);
		shellex_result_free(&res);
	}
	if (v.oom) {
		strv_free(&v);
		return werr_errno(err, ENOMEM, "expanding");
	}
	strv_free_array(c->args, c->nargs);
	c->args = v.v ? v.v : calloc(1, sizeof(char *));
	c->nargs = v.n;
	return c->args ? 0 : werr_errno(err, ENOMEM, "expanding");
}

static int expand_fields(const struct dockerfile *df, struct df_instr *c,
                         const struct shellex_scope *scope, struct werr *err)
{
	static const char *const expanded_flags[] = { "from", "chown", "chmod", "platform" };
	int r;

	if (c->kind == DF_EXPOSE)
		return expand_words(df, c, scope, err);
	for (size_t i = 0; i < c->nargs; i++) {
		if ((c->kind == DF_COPY || c->kind == DF_ADD) &&
		    dockerfile_instr_heredoc(c, c->args[i]))
			continue;
		if ((r = expand_in_place(df, &c->args[i], scope, err)) < 0)
			return r;
	}
	for (size_t i = 0; i < c->nkvs; i++)
		if ((r = expand_in_place(df, &c->kvs[i].key, scope, err)) < 0 ||
		    (r = expand_in_place(df, &c->kvs[i].value, scope, err)) < 0)
			return r;
	for (size_t i = 0; i < c->nflags; i++)
		for (size_t k = 0; k < sizeof(expanded_flags) / sizeof(*expanded_flags); k++)
			if (strcmp(c->flags[i].name, expanded_flags[k]) == 0 &&
			    (r = expand_in_place(df, &c->flags[i].value, scope, err)) < 0)
				return r;
	return 0;
}

int dockerfile_instr_expand(const struct dockerfile *df, const struct df_instr *in,
                            const struct shellex_scope *scope, struct df_instr **out,
                            struct werr *err)
{
	struct df_instr *c = instr_dup(in);
	int r;

	*out = NULL;
	if (!c)
		return werr_errno(err, ENOMEM, "%s:%u: expanding", df->filename, in->line);
	if (dockerfile_kind_expands(c->kind) && (r = expand_fields(df, c, scope, err)) < 0) {
		dockerfile_instr_free(c);
		return r == -ENOMEM ? r : werr_prefix(err, "%s:%u", df->filename, in->line);
	}
	*out = c;
	return 0;
}

int dockerfile_heredoc_expand(const struct dockerfile *df, const struct df_instr *in,
                              const struct df_heredoc *hd, const struct shellex_scope *scope,
                              char **out, struct werr *err)
{
	struct shellex_result res;

	*out = NULL;
	if (!hd->expand) {
		*out = strdup(hd->content);
		return *out ? 0 : werr_errno(err, ENOMEM, "heredoc %s", hd->name);
	}
	if (shellex_process(hd->content, scope, df->escape, SHELLEX_SKIP_QUOTES, &res, err) < 0)
		return werr_prefix(err, "%s:%u: heredoc %s", df->filename, in->line, hd->name);
	*out = steal_ptr(&res.word);
	shellex_result_free(&res);
	return 0;
}
