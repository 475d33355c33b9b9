/* dockerfile_instr.c - one logical Dockerfile line into an instruction: the
 * instruction word, builder flags, and arguments per kind, with BuildKit's
 * rules (JSON exec form with fallback to shell form, KEY=VALUE pairs, ONBUILD
 * triggers, HEALTHCHECK options). Pure parsing: no I/O, no expansion. */
#include "dockerfile_int.h"
#include "cleanup.h"
#include "strbuf.h"
#include "util.h"

#include <ctype.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

enum flag_type { FLAG_STRING, FLAG_BOOL, FLAG_LIST };

struct flag_spec {
	const char *name;
	enum flag_type type;
};

struct kind_info {
	const char *name;
	const struct flag_spec *flags; /* NULL-name terminated, or NULL: none */
	bool expands;
};

static const struct flag_spec from_flags[] = { { "platform", FLAG_STRING }, { NULL, 0 } };
static const struct flag_spec run_flags[] = { { "mount", FLAG_LIST },
	                                      { "network", FLAG_STRING },
	                                      { "security", FLAG_STRING },
	                                      { "device", FLAG_LIST },
	                                      { NULL, 0 } };
static const struct flag_spec copy_flags[] = { { "from", FLAG_STRING },
	                                       { "chown", FLAG_STRING },
	                                       { "chmod", FLAG_STRING },
	                                       { "link", FLAG_BOOL },
	                                       { "parents", FLAG_BOOL },
	                                       { "exclude", FLAG_LIST },
	                                       { NULL, 0 } };
static const struct flag_spec add_flags[] = {
	{ "chown", FLAG_STRING },    { "chmod", FLAG_STRING },
	{ "link", FLAG_BOOL },       { "keep-git-dir", FLAG_BOOL },
	{ "checksum", FLAG_STRING }, { "exclude", FLAG_LIST },
	{ "unpack", FLAG_BOOL },     { NULL, 0 }
};
static const struct flag_spec health_flags[] = {
	{ "interval", FLAG_STRING },     { "timeout", FLAG_STRING },
	{ "start-period", FLAG_STRING }, { "start-interval", FLAG_STRING },
	{ "retries", FLAG_STRING },      { NULL, 0 }
};

static const struct kind_info kinds[DF_KIND_COUNT] = {
	[DF_ADD] = { "ADD", add_flags, true },
	[DF_ARG] = { "ARG", NULL, true },
	[DF_CMD] = { "CMD", NULL, false },
	[DF_COPY] = { "COPY", copy_flags, true },
	[DF_ENTRYPOINT] = { "ENTRYPOINT", NULL, false },
	[DF_ENV] = { "ENV", NULL, true },
	[DF_EXPOSE] = { "EXPOSE", NULL, true },
	[DF_FROM] = { "FROM", from_flags, true },
	[DF_HEALTHCHECK] = { "HEALTHCHECK", health_flags, false },
	[DF_LABEL] = { "LABEL", NULL, true },
	[DF_MAINTAINER] = { "MAINTAINER", NULL, false },
	[DF_ONBUILD] = { "ONBUILD", NULL, false },
	[DF_RUN] = { "RUN", run_flags, false },
	[DF_SHELL] = { "SHELL", NULL, false },
	[DF_STOPSIGNAL] = { "STOPSIGNAL", NULL, true },
	[DF_USER] = { "USER", NULL, true },
	[DF_VOLUME] = { "VOLUME", NULL, true },
	[DF_WORKDIR] = { "WORKDIR", NULL, true },
};

const char *dockerfile_kind_name(enum df_kind kind)
{
	return (unsigned)kind < DF_KIND_COUNT ? kinds[kind].name : "?";
}

bool dockerfile_kind_expands(enum df_kind kind)
{
	return (unsigned)kind < DF_KIND_COUNT && kinds[kind].expands;
}

/* BuildKit's whitespace class for splitting: [\t\v\f\r ] */
static bool df_space(char c)
{
	return c == ' ' || c == '\t' || c == '\v' || c == '\f' || c == '\r';
}

/* optimal-string-alignment distance, for "did you mean" */
static size_t df_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t d[16][16];

	if (la > 14 || lb > 14)
		return SIZE_MAX;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			size_t cost = toupper((unsigned char)a[i - 1]) != b[j - 1];
			size_t m = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < m)
				m = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < m)
				m = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && toupper((unsigned char)a[i - 1]) == b[j - 2] &&
			    toupper((unsigned char)a[i - 2]) == b[j - 1] && d[i - 2][j - 2] + 1 < m)
				m = d[i - 2][j - 2] + 1;
			d[i][j] = m;
		}
	return d[la][lb];
}

static int df_unknown(const char *word, struct werr *err)
{
	const char *best = NULL;
	size_t bestd = 3;

	for (int k = 0; k < DF_KIND_COUNT; k++) {
		size_t dist = df_distance(word, kinds[k].name);
		if (dist < bestd && dist * 2 <= strlen(word)) {
			bestd = dist;
			best = kinds[k].name;
		}
	}
	if (best)
		return werr_set(err, EINVAL, "unknown instruction: %.60s (did you mean %s?)", word,
		                best);
	return werr_set(err, EINVAL, "unknown instruction: %.60s", word);
}

static int df_lookup(const char *word, size_t n, enum df_kind *kind)
{
	for (int k = 0; k < DF_KIND_COUNT; k++)
		if (strlen(kinds[k].name) == n && strncasecmp(kinds[k].name, word, n) == 0) {
			*kind = (enum df_kind)k;
			return 0;
		}
	return -1;
}

/*
 * One blank-separated word at *@pp, quote-aware. @raw keeps quotes and
 * escapes, the escape doing nothing inside '...' (BuildKit's parseWords);
 * otherwise both are dropped (its extractBuilderFlags).
 * Return: whether the word had quotes (so an empty word still counts).
 */
static bool df_scan_word(const char **pp, char escape, bool raw, struct strbuf *w)
{
	const char *p = *pp;
	bool quoted = false;
	char quote = 0;

	for (; *p; p++) {
		char c = *p;
		if (!quote && isspace((unsigned char)c))
			break;
		if (quote && c == quote) {
			quote = 0;
			if (!raw)
				continue;
		} else if (!quote && (c == '\'' || c == '"')) {
			quote = c;
			quoted = true;
			if (!raw)
				continue;
		} else if (c == escape && (!raw || quote != '\'')) {
			if (!p[1])
				continue;
			if (raw)
				strbuf_addc(w, c);
			c = *++p;
		}
		strbuf_addc(w, c);
	}
	*pp = p;
	return quoted;
}

/* leading --flags of @rest; returns where the arguments start */
static const char *df_extract_flags(const char *rest, struct strv *words)
{
	const char *p = rest;

	for (;;) {
		struct strbuf w = { 0 };
		bool quoted;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (p[0] != '-' || p[1] != '-')
			return p;
		quoted = df_scan_word(&p, '\\', false, &w);
		if (w.s && strcmp(w.s, "--") == 0) {
			strbuf_free(&w);
			while (*p && isspace((unsigned char)*p))
				p++;
			return p;
		}
		if (quoted || w.len)
			strv_take(words, strbuf_steal(&w));
		else
			strbuf_free(&w);
		if (!*p)
			return p;
	}
}

static const struct flag_spec *df_flag_spec(enum df_kind kind, const char *name)
{
	const struct flag_spec *f = kinds[kind].flags;

	for (; f && f->name; f++)
		if (strcmp(f->name, name) == 0)
			return f;
	return NULL;
}

static int df_flags_parse(struct df_instr *in, struct strv *words, struct werr *err)
{
	if (!words->n)
		return 0;
	in->flags = calloc(words->n, sizeof(*in->flags));
	if (!in->flags)
		return werr_errno(err, ENOMEM, "parsing flags");
	for (size_t i = 0; i < words->n; i++) {
		char *w = words->v[i], *eq;
		const struct flag_spec *spec;
		struct df_flag *f = &in->flags[in->nflags];

		if (strncmp(w, "--", 2) != 0)
			return werr_set(err, EINVAL, "%s: invalid flag %.60s", kinds[in->kind].name,
			                w);
		w += 2;
		eq = strchr(w, '=');
		f->name = eq ? strndup(w, (size_t)(eq - w)) : strdup(w);
		f->value = eq ? strdup(eq + 1) : NULL;
		in->nflags++;
		if (!f->name || (eq && !f->value))
			return werr_errno(err, ENOMEM, "parsing flags");
		spec = df_flag_spec(in->kind, f->name);
		if (!spec)
			return werr_set(err, EINVAL, "unknown flag: --%.60s for %s", f->name,
			                kinds[in->kind].name);
		if (spec->type == FLAG_BOOL && f->value && strcmp(f->value, "true") != 0 &&
		    strcmp(f->value, "false") != 0)
			return werr_set(err, EINVAL,
			                "expecting boolean value for flag --%s, not: %.60s",
			                f->name, f->value);
		if (spec->type != FLAG_BOOL && !f->value)
			return werr_set(err, EINVAL,
			                "missing a value on flag: --%s (use --%s=VALUE)", f->name,
			                f->name);
		if (spec->type != FLAG_LIST)
			for (size_t j = 0; j + 1 < in->nflags; j++)
				if (strcmp(in->flags[j].name, f->name) == 0)
					return werr_set(err, EINVAL,
					                "duplicate flag specified: --%s", f->name);
	}
	return 0;
}

static int df_args_take(struct df_instr *in, struct strv *v, struct werr *err)
{
	if (v->oom)
		return werr_errno(err, ENOMEM, "parsing %s", kinds[in->kind].name);
	in->args = v->v;
	in->nargs = v->n;
	memset(v, 0, sizeof(*v));
	return 0;
}

/* whitespace-delimited words (FROM EXPOSE, COPY/ADD/VOLUME when not JSON) */
static void df_split(const char *rest, struct strv *v)
{
	const char *p = rest;

	while (*p) {
		const char *s;
		while (*p && df_space(*p))
			p++;
		if (!*p)
			break;
		for (s = p; *p && !df_space(*p); p++)
			;
		strv_pushn(v, s, (size_t)(p - s));
	}
}

/* 1: @rest is a JSON array of strings (into @v); 0: not JSON; <0: error */
static int df_json(const char *rest, struct strv *v, struct werr *err)
{
	json_error_t jerr;
	json_t *arr, *el;
	size_t i;

	while (isspace((unsigned char)*rest))
		rest++;
	if (*rest != '[')
		return 0;
	arr = json_loads(rest, JSON_DECODE_ANY, &jerr);
	if (!arr)
		return 0;
	if (!json_is_array(arr)) {
		json_decref(arr);
		return 0;
	}
	json_array_foreach(arr, i, el)
	{
		if (!json_is_string(el)) {
			json_decref(arr);
			return werr_set(err, EINVAL,
			                "when using JSON array syntax, arrays must be comprised of "
			                "strings only");
		}
		strv_pushn(v, json_string_value(el), json_string_length(el));
	}
	json_decref(arr);
	if (!v->v && !(v->v = calloc(1, sizeof(char *))))
		v->oom = true;
	return 1;
}

/*
 * A JSON array of strings, else: the line as is (RUN CMD ENTRYPOINT SHELL
 * HEALTHCHECK, @split false) or its whitespace-separated words (COPY ADD
 * VOLUME, @split true).
 */
static int df_maybe_json(struct df_instr *in, const char *rest, bool split, struct werr *err)
{
	struct strv v = { 0 };
	int r = df_json(rest, &v, err);

	if (r < 0) {
		strv_free(&v);
		return r;
	}
	in->json = r == 1;
	if (!in->json && split)
		df_split(rest, &v);
	else if (!in->json && *rest)
		strv_push(&v, rest);
	return df_args_take(in, &v, err);
}

/* words with quotes and escapes kept (BuildKit's parseWords) */
static void df_words(const char *rest, char escape, struct strv *v)
{
	const char *p = rest;

	for (;;) {
		struct strbuf w = { 0 };
		bool quoted;

		while (*p && isspace((unsigned char)*p))
			p++;
		if (!*p)
			return;
		quoted = df_scan_word(&p, escape, true, &w);
		if (quoted || w.len)
			strv_take(v, strbuf_steal(&w));
		else
			strbuf_free(&w);
	}
}

static int df_kvs_add(struct df_instr *in, size_t cap, const char *k, size_t kn, const char *v,
                      struct werr *err)
{
	struct df_kv *kv;

	if (!in->kvs) {
		in->kvs = calloc(cap, sizeof(*in->kvs));
		if (!in->kvs)
			return werr_errno(err, ENOMEM, "parsing %s", kinds[in->kind].name);
	}
	kv = &in->kvs[in->nkvs++];
	kv->key = strndup(k, kn);
	kv->value = v ? strdup(v) : NULL;
	if (!kv->key || (v && !kv->value))
		return werr_errno(err, ENOMEM, "parsing %s", kinds[in->kind].name);
	if (!kn)
		return werr_set(err, EINVAL, "%s names can not be blank", kinds[in->kind].name);
	return 0;
}

/* ENV and LABEL: "KEY value..." (legacy) or KEY=VALUE pairs */
static int df_name_val(struct df_instr *in, const char *rest, char escape, struct werr *err)
{
	struct strv w = { 0 };
	int r = 0;

	df_words(rest, escape, &w);
	if (w.oom)
		r = werr_errno(err, ENOMEM, "parsing %s", kinds[in->kind].name);
	else if (!w.n)
		r = werr_set(err, EINVAL, "%s requires at least one argument",
		             kinds[in->kind].name);
	else if (!strchr(w.v[0], '=')) {
		const char *p = rest, *k = rest;
		while (*p && !df_space(*p))
			p++;
		size_t kn = (size_t)(p - k);
		while (*p && df_space(*p))
			p++;
		if (!*p)
			r = werr_set(err, EINVAL, "%s must have two arguments (use %s KEY=VALUE)",
			             kinds[in->kind].name, kinds[in->kind].name);
		else
			r = df_kvs_add(in, 1, k, kn, p, err);
	} else {
		for (size_t i = 0; i < w.n && r == 0; i++) {
			char *eq = strchr(w.v[i], '=');
			if (!eq)
				r = werr_set(err, EINVAL,
				             "Syntax error - can't find = in \"%.60s\". Must be of "
				             "the form: name=value",
				             w.v[i]);
			else
				r = df_kvs_add(in, w.n, w.v[i], (size_t)(eq - w.v[i]), eq + 1, err);
		}
	}
	strv_free(&w);
	return r;
}

static int df_arg(struct df_instr *in, const char *rest, char escape, struct werr *err)
{
	struct strv w = { 0 };
	int r = 0;

	df_words(rest, escape, &w);
	if (w.oom)
		r = werr_errno(err, ENOMEM, "parsing ARG");
	else if (!w.n)
		r = werr_set(err, EINVAL,
		             "ARG requires at least one argument (ARG NAME[=DEFAULT])");
	for (size_t i = 0; i < w.n && r == 0; i++) {
		char *eq = strchr(w.v[i], '=');
		r = df_kvs_add(in, w.n, w.v[i], eq ? (size_t)(eq - w.v[i]) : strlen(w.v[i]),
		               eq ? eq + 1 : NULL, err);
	}
	strv_free(&w);
	return r;
}

/* Go's time.ParseDuration, to nanoseconds */
static int df_duration(const char *s, int64_t *out)
{
	static const struct {
		const char *unit;
		double ns;
	} units[] = { { "ns", 1 },  { "us", 1e3 }, { "\xc2\xb5s", 1e3 }, { "ms", 1e6 },
		      { "s", 1e9 }, { "m", 60e9 }, { "h", 3600e9 } };
	double total = 0;
	bool neg = false;

	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	if (strcmp(s, "0") == 0) {
		*out = 0;
		return 0;
	}
	if (!*s)
		return -EINVAL;
	while (*s) {
		char *end;
		size_t ul = 0, k;
		double v;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -EINVAL;
		v = strtod(s, &end);
		if (end == s)
			return -EINVAL;
		s = end;
		for (k = 0; k < ARRAY_SIZE(units); k++) {
			ul = strlen(units[k].unit);
			if (strncmp(s, units[k].unit, ul) == 0 &&
			    !(ul == 1 && s[0] == 'm' && s[1] == 's'))
				break;
		}
		if (k == ARRAY_SIZE(units))
			return -EINVAL;
		s += ul;
		total += v * units[k].ns;
		if (total > 9.2e18)
			return -ERANGE;
	}
	*out = (int64_t)(neg ? -total : total);
	return 0;
}

static int df_interval(struct df_instr *in, const char *name, int64_t *out, struct werr *err)
{
	const struct df_flag *f = dockerfile_instr_flag(in, name);

	*out = 0;
	if (!f || !*f->value)
		return 0;
	if (df_duration(f->value, out) < 0)
		return werr_set(err, EINVAL,
		                "HEALTHCHECK --%s: invalid duration %.60s (e.g. 30s, 1m30s)", name,
		                f->value);
	if (*out != 0 && *out < 1000000)
		return werr_set(err, EINVAL, "Interval \"%s\" cannot be less than 1ms", name);
	return 0;
}

static int df_healthcheck(struct df_instr *in, const char *rest, struct werr *err)
{
	const char *p = rest;
	const struct df_flag *f;
	size_t tn;
	int r;

	while (*p && !isspace((unsigned char)*p))
		p++;
	tn = (size_t)(p - rest);
	while (*p && isspace((unsigned char)*p))
		p++;
	if (!tn)
		return werr_set(err, EINVAL, "HEALTHCHECK requires at least one argument");
	if (tn == 4 && strncasecmp(rest, "NONE", 4) == 0) {
		if (*p)
			return werr_set(err, EINVAL, "HEALTHCHECK NONE takes no arguments");
		in->health.none = true;
		return 0;
	}
	if (tn != 3 || strncasecmp(rest, "CMD", 3) != 0)
		return werr_set(err, EINVAL, "Unknown type \"%.*s\" in HEALTHCHECK (try CMD)",
		                (int)(tn > 40 ? 40 : tn), rest);
	r = df_maybe_json(in, p, false, err);
	if (r < 0)
		return r;
	if (!in->nargs)
		return werr_set(err, EINVAL, "Missing command after HEALTHCHECK CMD");
	if ((r = df_interval(in, "interval", &in->health.interval_ns, err)) < 0 ||
	    (r = df_interval(in, "timeout", &in->health.timeout_ns, err)) < 0 ||
	    (r = df_interval(in, "start-period", &in->health.start_period_ns, err)) < 0 ||
	    (r = df_interval(in, "start-interval", &in->health.start_interval_ns, err)) < 0)
		return r;
	f = dockerfile_instr_flag(in, "retries");
	if (f && *f->value) {
		char *end;
		long v;
		errno = 0;
		v = strtol(f->value, &end, 10);
		if (errno || *end || v > INT32_MAX || v < INT32_MIN)
			return werr_set(err, EINVAL, "HEALTHCHECK --retries: invalid number %.40s",
			                f->value);
		if (v < 0)
			return werr_set(err, EINVAL, "--retries cannot be negative (%ld)", v);
		in->health.retries = (int)v;
	}
	return 0;
}

static int df_one_arg(struct df_instr *in, const char *rest, struct werr *err)
{
	struct strv v = { 0 };

	if (!*rest)
		return werr_set(err, EINVAL, "%s requires exactly one argument",
		                kinds[in->kind].name);
	strv_push(&v, rest);
	return df_args_take(in, &v, err);
}

static int df_onbuild(struct df_instr *in, const char *rest, char escape, struct werr *err)
{
	struct df_instr *sub = NULL;
	int r;

	if (!*rest)
		return werr_set(err, EINVAL, "ONBUILD requires at least one argument");
	r = dfi_parse_line(rest, escape, &sub, err);
	in->sub = sub;
	if (r < 0)
		return r;
	if (sub->kind == DF_ONBUILD)
		return werr_set(err, EINVAL,
		                "Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed");
	if (sub->kind == DF_FROM || sub->kind == DF_MAINTAINER)
		return werr_set(err, EINVAL, "%s isn't allowed as an ONBUILD trigger",
		                kinds[sub->kind].name);
	return df_one_arg(in, rest, err);
}

static int df_copy(struct df_instr *in, const char *rest, struct werr *err)
{
	struct df_heredoc hd = { 0 };
	int r = df_maybe_json(in, rest, true, err);

	if (r < 0)
		return r;
	if (in->nargs < 2)
		return werr_set(err, EINVAL,
		                "%s requires at least two arguments, but only one was provided. "
		                "Destination could not be determined.",
		                kinds[in->kind].name);
	if (!in->json) {
		/* a word that only looks like a broken heredoc is a plain path, as in Docker */
		r = dfi_heredoc_parse(in->args[in->nargs - 1], &hd, err);
		dfi_heredoc_free(&hd);
		if (r > 0)
			return werr_set(err, EINVAL, "%s cannot accept a heredoc as a destination",
			                kinds[in->kind].name);
	}
	return 0;
}

static int df_args(struct df_instr *in, const char *rest, char escape, struct werr *err)
{
	int r;

	switch (in->kind) {
	case DF_RUN:
		if ((r = df_maybe_json(in, rest, false, err)) < 0)
			return r;
		if (!in->json && !in->nargs)
			return werr_set(err, EINVAL, "RUN requires at least one argument");
		return 0;
	case DF_CMD:
	case DF_ENTRYPOINT: return df_maybe_json(in, rest, false, err);
	case DF_SHELL:
		if ((r = df_maybe_json(in, rest, false, err)) < 0)
			return r;
		if (!in->json)
			return werr_set(err, EINVAL,
			                "SHELL requires the arguments to be in JSON form "
			                "(SHELL [\"/bin/sh\", \"-c\"])");
		if (!in->nargs)
			return werr_set(err, EINVAL, "SHELL requires at least one argument");
		return 0;
	case DF_COPY:
	case DF_ADD: return df_copy(in, rest, err);
	case DF_ENV:
	case DF_LABEL: return df_name_val(in, rest, escape, err);
	case DF_ARG: return df_arg(in, rest, escape, err);
	case DF_HEALTHCHECK: return df_healthcheck(in, rest, err);
	case DF_ONBUILD: return df_onbuild(in, rest, escape, err);
	case DF_WORKDIR:
	case DF_USER:
	case DF_STOPSIGNAL:
	case DF_MAINTAINER: return df_one_arg(in, rest, err);
	case DF_VOLUME:
		if ((r = df_maybe_json(in, rest, true, err)) < 0)
			return r;
		break;
	case DF_FROM:
	case DF_EXPOSE: {
		struct strv v = { 0 };
		df_split(rest, &v);
		if ((r = df_args_take(in, &v, err)) < 0)
			return r;
		break;
	}
	default: return werr_set(err, EINVAL, "internal: no parser for instruction %d", in->kind);
	}
	if (!in->nargs)
		return werr_set(err, EINVAL, "%s requires at least one argument",
		                kinds[in->kind].name);
	return 0;
}

int dfi_parse_line(const char *line, char escape, struct df_instr **out, struct werr *err)
{
	struct df_instr *in = calloc(1, sizeof(*in));
	struct strv flags = { 0 };
	const char *p = line, *word, *rest;
	_cleanup_free_ char *trimmed = NULL;
	size_t wn, tl;
	int r;

	*out = in;
	if (!in)
		return werr_errno(err, ENOMEM, "parsing Dockerfile");
	in->original = strdup(line);
	if (!in->original)
		return werr_errno(err, ENOMEM, "parsing Dockerfile");
	while (isspace((unsigned char)*p))
		p++;
	word = p;
	while (*p && !df_space(*p))
		p++;
	wn = (size_t)(p - word);
	if (df_lookup(word, wn, &in->kind) < 0) {
		_cleanup_free_ char *w = strndup(word, wn);
		return w ? df_unknown(w, err) : werr_errno(err, ENOMEM, "parsing Dockerfile");
	}
	while (*p && df_space(*p))
		p++;
	trimmed = strdup(p);
	if (!trimmed)
		return werr_errno(err, ENOMEM, "parsing Dockerfile");
	tl = strlen(trimmed);
	while (tl && isspace((unsigned char)trimmed[tl - 1]))
		trimmed[--tl] = '\0';
	rest = df_extract_flags(trimmed, &flags);
	r = flags.oom ? werr_errno(err, ENOMEM, "parsing flags") : df_flags_parse(in, &flags, err);
	strv_free(&flags);
	if (r < 0)
		return r;
	return df_args(in, rest, escape, err);
}

struct df_instr *dfi_heredoc_target(struct df_instr *in)
{
	if (in->kind == DF_ONBUILD)
		in = in->sub;
	if (!in || in->json)
		return NULL;
	return in->kind == DF_RUN || in->kind == DF_COPY || in->kind == DF_ADD ? in : NULL;
}

const struct df_flag *dockerfile_instr_flag(const struct df_instr *in, const char *name)
{
	for (size_t i = in->nflags; i-- > 0;)
		if (strcmp(in->flags[i].name, name) == 0)
			return &in->flags[i];
	return NULL;
}

void dfi_heredoc_free(struct df_heredoc *hd)
{
	free(hd->name);
	free(hd->content);
	memset(hd, 0, sizeof(*hd));
}

void dockerfile_instr_free(struct df_instr *in)
{
	if (!in)
		return;
	free(in->original);
	for (size_t i = 0; i < in->nflags; i++) {
		free(in->flags[i].name);
		free(in->flags[i].value);
	}
	free(in->flags);
	strv_free_array(in->args, in->nargs);
	for (size_t i = 0; i < in->nkvs; i++) {
		free(in->kvs[i].key);
		free(in->kvs[i].value);
	}
	free(in->kvs);
	for (size_t i = 0; i < in->nheredocs; i++)
		dfi_heredoc_free(&in->heredocs[i]);
	free(in->heredocs);
	dockerfile_instr_free(in->sub);
	free(in);
}
