/* shellex.c - Dockerfile variable expansion with Docker's shell-word rules
 * (BuildKit's shell lexer is the reference for every quirk). It must never
 * execute anything or consult the process environment. */
#include "shellex.h"
#include "cleanup.h"
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

#define SHELLEX_MAX_DEPTH 64

struct words {
	struct strv v;
	struct strbuf cur;
	bool inword;
};

struct lex {
	const char *s;
	size_t i, n;
	char esc;
	unsigned flags;
	bool raw_escapes;
	unsigned depth;
	const struct shellex_scope *scope;
	char *unset;
	struct werr *err;
	const char *fail; /* static message of the first failure */
	char failbuf[128];
};

int shellex_scope_set(struct shellex_scope *scope, const char *name, const char *value)
{
	char *v = strdup(value);

	if (!v)
		return -ENOMEM;
	for (size_t i = scope->n; i-- > 0;)
		if (strcmp(scope->vars[i].name, name) == 0) {
			free(scope->vars[i].value);
			scope->vars[i].value = v;
			return 0;
		}
	if (scope->n == scope->cap) {
		size_t cap = scope->cap ? scope->cap * 2 : 16;
		struct shellex_var *p = realloc(scope->vars, cap * sizeof(*p));
		if (!p) {
			free(v);
			return -ENOMEM;
		}
		scope->vars = p;
		scope->cap = cap;
	}
	scope->vars[scope->n].name = strdup(name);
	if (!scope->vars[scope->n].name) {
		free(v);
		return -ENOMEM;
	}
	scope->vars[scope->n++].value = v;
	return 0;
}

const char *shellex_scope_get(const struct shellex_scope *scope, const char *name)
{
	if (!scope)
		return NULL;
	for (size_t i = scope->n; i-- > 0;)
		if (strcmp(scope->vars[i].name, name) == 0)
			return scope->vars[i].value;
	return NULL;
}

void shellex_scope_free(struct shellex_scope *scope)
{
	for (size_t i = 0; i < scope->n; i++) {
		free(scope->vars[i].name);
		free(scope->vars[i].value);
	}
	free(scope->vars);
	memset(scope, 0, sizeof(*scope));
}

static bool lex_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static void words_addc(struct words *w, char c)
{
	if (lex_space(c)) {
		if (w->inword && w->cur.len) {
			strv_take(&w->v, strbuf_steal(&w->cur));
			w->inword = false;
		}
		return;
	}
	strbuf_addc(&w->cur, c);
	w->inword = true;
}

static void words_addraw(struct words *w, const char *s, size_t n)
{
	strbuf_addn(&w->cur, s, n);
	w->inword = true;
}

static void words_adds(struct words *w, const char *s)
{
	for (; *s; s++)
		words_addc(w, *s);
}

static int lex_failf(struct lex *l, const char *msg)
{
	if (!l->fail)
		l->fail = msg;
	return -EINVAL;
}

static const char *lex_lookup(struct lex *l, const char *name)
{
	const char *v = shellex_scope_get(l->scope, name);

	if (!v && !l->unset)
		l->unset = strdup(name);
	return v;
}

/* a name: letters, digits and _, or one special parameter, or only digits */
static void lex_name(struct lex *l, struct strbuf *name)
{
	if (l->i < l->n && l->s[l->i] >= '0' && l->s[l->i] <= '9') {
		while (l->i < l->n && l->s[l->i] >= '0' && l->s[l->i] <= '9')
			strbuf_addc(name, l->s[l->i++]);
		return;
	}
	if (l->i < l->n && strchr("@*#?-$!", l->s[l->i]) && l->s[l->i]) {
		strbuf_addc(name, l->s[l->i++]);
		return;
	}
	while (l->i < l->n) {
		char c = l->s[l->i];
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '_'))
			break;
		strbuf_addc(name, c);
		l->i++;
	}
	if (!name->s)
		strbuf_addn(name, "", 0);
}

static int lex_until(struct lex *l, char stop, bool raw_escapes, struct strbuf *out,
                     struct words *w);

/* ---- shell patterns for ${x#p} ${x%p} ${x/p/r}: * and ? only, as Docker ---- */

struct pat {
	char *c;    /* literal characters; '\0' marks a wildcard slot */
	char *wild; /* '*', '?' or 0 per slot */
	size_t n;
};

static int pat_compile(const char *p, char esc, struct pat *out)
{
	size_t len = strlen(p);

	out->n = 0;
	out->c = malloc(len + 1);
	out->wild = malloc(len + 1);
	if (!out->c || !out->wild)
		return -ENOMEM;
	for (size_t i = 0; i < len; i++) {
		char c = p[i];
		char wild = 0;
		if (c == '*' || c == '?') {
			wild = c;
		} else if (c == esc) {
			if (i + 1 < len && (p[i + 1] == '}' || p[i + 1] == '/'))
				continue;
			if (i + 1 >= len || (p[i + 1] != '*' && p[i + 1] != '?' && p[i + 1] != esc))
				return -EINVAL;
			c = p[++i];
		}
		out->c[out->n] = c;
		out->wild[out->n++] = wild;
	}
	return 0;
}

static void pat_free(struct pat *p)
{
	free(p->c);
	free(p->wild);
}

/* whole-string match of @s[0..n) against @p, linear-time star backtracking */
static bool pat_match(const struct pat *p, const char *s, size_t n)
{
	size_t pi = 0, si = 0, star_p = (size_t)-1, star_s = 0;

	while (si < n) {
		if (pi < p->n && p->wild[pi] == '*') {
			star_p = pi++;
			star_s = si;
		} else if (pi < p->n && (p->wild[pi] == '?' || p->c[pi] == s[si])) {
			pi++;
			si++;
		} else if (star_p != (size_t)-1) {
			pi = star_p + 1;
			si = ++star_s;
		} else {
			return false;
		}
	}
	while (pi < p->n && p->wild[pi] == '*')
		pi++;
	return pi == p->n;
}

/* ${v#p} ${v##p} ${v%p} ${v%%p} */
static int lex_trim(struct lex *l, char op, const char *word, const char *value, struct strbuf *out)
{
	bool greedy = word[0] == op;
	struct pat p;
	size_t n = strlen(value);
	int r = pat_compile(greedy ? word + 1 : word, l->esc, &p);

	if (r < 0) {
		pat_free(&p);
		return r == -ENOMEM ? r : lex_failf(l, "invalid pattern in substitution");
	}
	for (size_t k = 0; k <= n; k++) {
		size_t len = greedy ? n - k : k; /* length of the trimmed part */
		bool m =
		    op == '#' ? pat_match(&p, value, len) : pat_match(&p, value + n - len, len);
		if (m) {
			if (op == '#')
				strbuf_adds(out, value + len);
			else
				strbuf_addn(out, value, n - len);
			pat_free(&p);
			return 0;
		}
	}
	strbuf_adds(out, value);
	pat_free(&p);
	return 0;
}

/* ${v/p/r} and ${v//p/r}: leftmost, longest matches */
static int lex_replace(struct lex *l, bool all, const char *pattern, const char *repl,
                       const char *value, struct strbuf *out)
{
	size_t n = strlen(value), i = 0;
	bool done = false;
	struct pat p;
	int r = pat_compile(pattern, l->esc, &p);

	if (r < 0) {
		pat_free(&p);
		return r == -ENOMEM ? r : lex_failf(l, "invalid pattern in substitution");
	}
	while (i <= n) {
		size_t end = n + 1;
		if (!done)
			for (size_t e = n + 1; e-- > i;)
				if (pat_match(&p, value + i, e - i)) {
					end = e;
					break;
				}
		if (end <= n) {
			strbuf_adds(out, repl);
			done = !all;
			if (end > i) {
				i = end;
				continue;
			}
		}
		if (i < n)
			strbuf_addc(out, value[i]);
		i++;
	}
	pat_free(&p);
	return 0;
}

static int lex_modifier(struct lex *l, const char *name, struct strbuf *out)
{
	bool colon = false;
	char op = l->s[l->i++];
	_cleanup_free_ char *word = NULL;
	struct strbuf wb = { 0 };
	const char *value;
	int r;

	if (op == ':') {
		colon = true;
		if (l->i >= l->n)
			return lex_failf(l, "syntax error: missing '}'");
		op = l->s[l->i++];
	}
	if (!strchr("+-?#%", op) || !op) {
		snprintf(l->failbuf, sizeof(l->failbuf),
		         "unsupported modifier (%s%c) in substitution", colon ? ":" : "", op);
		return lex_failf(l, l->failbuf);
	}
	r = lex_until(l, '}', op == '#' || op == '%', &wb, NULL);
	word = strbuf_steal(&wb);
	if (r < 0)
		return r;
	if (!word)
		return -ENOMEM;
	value = lex_lookup(l, name);
	if (!value && (l->flags & SHELLEX_KEEP_UNSET)) {
		strbuf_adds(out, "${");
		strbuf_adds(out, name);
		if (colon)
			strbuf_addc(out, ':');
		strbuf_addc(out, op);
		strbuf_adds(out, word);
		strbuf_addc(out, '}');
		return 0;
	}
	switch (op) {
	case '-': strbuf_adds(out, !value || (colon && !*value) ? word : value); return 0;
	case '+': strbuf_adds(out, !value || (colon && !*value) ? "" : word); return 0;
	case '?':
		if (!value || (colon && !*value)) {
			snprintf(l->failbuf, sizeof(l->failbuf), "%.40s: %.60s", name,
			         *word ? word
			               : (!value ? "is not allowed to be unset"
			                         : "is not allowed to be empty"));
			return lex_failf(l, l->failbuf);
		}
		strbuf_adds(out, value);
		return 0;
	default: return lex_trim(l, op, word, value ? value : "", out);
	}
}

static int lex_dollar_brace(struct lex *l, struct strbuf *out)
{
	struct strbuf nb = { 0 };
	_cleanup_free_ char *name = NULL;
	const char *value;
	char c;

	if (l->i >= l->n)
		return lex_failf(l, "syntax error: missing '}'");
	if (strchr("{}:", l->s[l->i]))
		return lex_failf(l, "syntax error: bad substitution");
	lex_name(l, &nb);
	name = strbuf_steal(&nb);
	if (!name)
		return -ENOMEM;
	if (l->i >= l->n)
		return lex_failf(l, "syntax error: missing '}'");
	c = l->s[l->i];
	if (c == '}') {
		l->i++;
		value = lex_lookup(l, name);
		if (!value && (l->flags & SHELLEX_KEEP_UNSET)) {
			strbuf_adds(out, "${");
			strbuf_adds(out, name);
			strbuf_addc(out, '}');
		} else if (value) {
			strbuf_adds(out, value);
		}
		return 0;
	}
	if (c == '/') {
		struct strbuf pb = { 0 }, rb = { 0 };
		_cleanup_free_ char *pattern = NULL, *repl = NULL;
		bool all = false;
		int r;

		l->i++;
		if (l->i < l->n && l->s[l->i] == '/') {
			all = true;
			l->i++;
		}
		r = lex_until(l, '/', true, &pb, NULL);
		pattern = strbuf_steal(&pb);
		if (r < 0)
			return l->i >= l->n ? lex_failf(l, "syntax error: missing '/' in ${}") : r;
		r = lex_until(l, '}', true, &rb, NULL);
		repl = strbuf_steal(&rb);
		if (r < 0)
			return r;
		if (!pattern || !repl)
			return -ENOMEM;
		value = lex_lookup(l, name);
		return lex_replace(l, all, pattern, repl, value ? value : "", out);
	}
	return lex_modifier(l, name, out);
}

static int lex_dollar(struct lex *l, struct strbuf *out)
{
	l->i++;
	if (l->i < l->n && l->s[l->i] == '{') {
		int r;
		l->i++;
		if (++l->depth > SHELLEX_MAX_DEPTH)
			return lex_failf(l, "substitutions nested too deeply");
		r = lex_dollar_brace(l, out);
		l->depth--;
		return r;
	}
	{
		struct strbuf nb = { 0 };
		_cleanup_free_ char *name = NULL;
		const char *value;

		lex_name(l, &nb);
		name = strbuf_steal(&nb);
		if (!name)
			return -ENOMEM;
		if (!*name) {
			strbuf_addc(out, '$');
			return 0;
		}
		value = lex_lookup(l, name);
		if (!value && (l->flags & SHELLEX_KEEP_UNSET)) {
			strbuf_addc(out, '$');
			strbuf_adds(out, name);
		} else if (value) {
			strbuf_adds(out, value);
		}
	}
	return 0;
}

static int lex_single(struct lex *l, struct strbuf *out)
{
	bool raw = l->flags & SHELLEX_RAW_QUOTES;

	if (raw)
		strbuf_addc(out, '\'');
	for (l->i++;; l->i++) {
		if (l->i >= l->n)
			return lex_failf(l, "unexpected end of statement while looking for "
			                    "matching single-quote");
		if (l->s[l->i] == '\'') {
			l->i++;
			if (raw)
				strbuf_addc(out, '\'');
			return 0;
		}
		strbuf_addc(out, l->s[l->i]);
	}
}

static int lex_double(struct lex *l, struct strbuf *out)
{
	bool raw = l->flags & SHELLEX_RAW_QUOTES;

	if (raw)
		strbuf_addc(out, '"');
	l->i++;
	for (;;) {
		char c;
		if (l->i >= l->n)
			return lex_failf(l, "unexpected end of statement while looking for "
			                    "matching double-quote");
		c = l->s[l->i];
		if (c == '"') {
			l->i++;
			if (raw)
				strbuf_addc(out, '"');
			return 0;
		}
		if (c == '$') {
			int r = lex_dollar(l, out);
			if (r < 0)
				return r;
			continue;
		}
		l->i++;
		if (c == l->esc) {
			if (l->raw_escapes)
				strbuf_addc(out, c);
			if (l->i >= l->n)
				continue;
			if (l->s[l->i] == '"' || l->s[l->i] == '$' || l->s[l->i] == l->esc)
				c = l->s[l->i++];
		}
		strbuf_addc(out, c);
	}
}

static int lex_until(struct lex *l, char stop, bool raw_escapes, struct strbuf *out,
                     struct words *w)
{
	bool saved = l->raw_escapes;
	int r = 0;

	l->raw_escapes = raw_escapes;
	while (l->i < l->n) {
		char c = l->s[l->i];
		if (stop && c == stop) {
			l->i++;
			goto done;
		}
		if (c == '$' || ((c == '\'' || c == '"') && !(l->flags & SHELLEX_SKIP_QUOTES))) {
			struct strbuf tmp = { 0 };
			r = c == '$'    ? lex_dollar(l, &tmp)
			    : c == '\'' ? lex_single(l, &tmp)
			                : lex_double(l, &tmp);
			if (r == 0 && tmp.s) {
				strbuf_addn(out, tmp.s, tmp.len);
				if (w && c == '$')
					words_adds(w, tmp.s);
			}
			if (w && c != '$')
				words_addraw(w, tmp.s ? tmp.s : "", tmp.len);
			strbuf_free(&tmp);
			if (r < 0)
				goto done;
			continue;
		}
		l->i++;
		if (c == l->esc) {
			if (l->raw_escapes) {
				if (w)
					words_addraw(w, &c, 1);
				strbuf_addc(out, c);
			}
			if (l->i >= l->n)
				break;
			c = l->s[l->i++];
			if (w)
				words_addraw(w, &c, 1);
		} else if (w) {
			words_addc(w, c);
		}
		strbuf_addc(out, c);
	}
	if (stop) {
		snprintf(l->failbuf, sizeof(l->failbuf),
		         "unexpected end of statement while looking for matching %c", stop);
		r = lex_failf(l, l->failbuf);
	}
done:
	l->raw_escapes = saved;
	return r;
}

void shellex_result_free(struct shellex_result *res)
{
	free(res->word);
	strv_free_array(res->words, res->nwords);
	free(res->unset);
	memset(res, 0, sizeof(*res));
}

int shellex_process(const char *in, const struct shellex_scope *scope, char escape, unsigned flags,
                    struct shellex_result *res, struct werr *err)
{
	struct lex l = { .s = in,
		         .n = strlen(in),
		         .esc = escape,
		         .flags = flags,
		         .raw_escapes = flags & SHELLEX_RAW_ESCAPES,
		         .scope = scope,
		         .err = err };
	struct strbuf out = { 0 };
	struct words w = { 0 };
	int r = lex_until(&l, 0, l.raw_escapes, &out, &w);

	memset(res, 0, sizeof(*res));
	if (w.cur.len)
		strv_take(&w.v, strbuf_steal(&w.cur));
	strbuf_free(&w.cur);
	res->word = strbuf_steal(&out);
	res->words = w.v.v;
	res->nwords = w.v.n;
	res->unset = l.unset;
	if (r == 0 && (!res->word || w.v.oom || out.oom))
		r = -ENOMEM;
	if (r < 0) {
		shellex_result_free(res);
		if (r == -ENOMEM)
			return werr_errno(err, ENOMEM, "expanding %.200s", in);
		return werr_set(err, EINVAL, "failed to process \"%.200s\": %s", in, l.fail);
	}
	if (!res->words) {
		res->words = calloc(1, sizeof(char *));
		if (!res->words) {
			shellex_result_free(res);
			return werr_errno(err, ENOMEM, "expanding %.200s", in);
		}
	}
	return 0;
}

int shellex_expand(const char *in, const struct shellex_scope *scope, char escape, char **out,
                   struct werr *err)
{
	struct shellex_result res;
	int r = shellex_process(in, scope, escape, 0, &res, err);

	if (r < 0)
		return r;
	*out = steal_ptr(&res.word);
	shellex_result_free(&res);
	return 0;
}
