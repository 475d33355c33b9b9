/* dockerignore.c - .dockerignore compilation and matching with Docker's
 * rules (moby/patternmatcher semantics: '**' spans directories, a pattern
 * matching a parent excludes the children, '!' exceptions, last match wins).
 * Matching is a memoised token walk, linear in pattern x path length. */
#include "dockerignore.h"
#include "cleanup.h"

#include <ctype.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

enum tok_type { T_LIT, T_STAR, T_ANY, T_CLASS, T_DSTAR_SLASH, T_DSTAR_END };

struct tok {
	enum tok_type type;
	unsigned char c;  /* T_LIT */
	bool negate;      /* T_CLASS */
	uint32_t *ranges; /* T_CLASS: lo, hi pairs */
	size_t nranges;
};

struct glob {
	struct tok *t;
	size_t n;
};

struct pattern {
	bool exclusion;
	bool has_dstar;
	char *text;         /* cleaned, without '!' */
	const char *suffix; /* "**" + literal text: Docker matches any path ending in it */
	struct glob whole;  /* with '**' semantics */
	struct glob *comps; /* per '/' component, filepath.Match semantics */
	size_t ncomps;
};

struct dockerignore {
	struct pattern *p;
	size_t n;
	bool exclusions;
};

/* one UTF-8 rune (invalid bytes are taken one at a time) */
static size_t utf8_rune(const char *s, uint32_t *r)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t len;

	if (u[0] < 0x80) {
		*r = u[0];
		return 1;
	}
	len = (u[0] & 0xe0) == 0xc0 ? 2 : (u[0] & 0xf0) == 0xe0 ? 3 : (u[0] & 0xf8) == 0xf0 ? 4 : 1;
	*r = len == 2 ? u[0] & 0x1f : len == 3 ? u[0] & 0x0f : len == 4 ? u[0] & 0x07 : u[0];
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xc0) != 0x80) {
			*r = u[0];
			return 1;
		}
		*r = (*r << 6) | (u[i] & 0x3f);
	}
	return len;
}

static void glob_free(struct glob *g)
{
	for (size_t i = 0; i < g->n; i++)
		free(g->t[i].ranges);
	free(g->t);
	memset(g, 0, sizeof(*g));
}

/* one class character, possibly escaped; -EINVAL where Go says ErrBadPattern */
static int class_char(const char **p, uint32_t *r)
{
	const char *s = *p;

	if (!*s || *s == '-' || *s == ']')
		return -EINVAL;
	if (*s == '\\') {
		s++;
		if (!*s)
			return -EINVAL;
	}
	s += utf8_rune(s, r);
	*p = s;
	return 0;
}

static int glob_class(const char **p, struct tok *t)
{
	const char *s = *p + 1;
	size_t cap = 0;

	t->type = T_CLASS;
	if (*s == '^') {
		t->negate = true;
		s++;
	}
	do {
		uint32_t lo, hi;
		if (class_char(&s, &lo) < 0)
			return -EINVAL;
		hi = lo;
		if (*s == '-') {
			s++;
			if (class_char(&s, &hi) < 0 || hi < lo)
				return -EINVAL;
		}
		if (t->nranges * 2 + 2 > cap) {
			uint32_t *nr;
			cap = cap ? cap * 2 : 8;
			nr = realloc(t->ranges, cap * sizeof(*nr));
			if (!nr)
				return -ENOMEM;
			t->ranges = nr;
		}
		t->ranges[t->nranges * 2] = lo;
		t->ranges[t->nranges * 2 + 1] = hi;
		t->nranges++;
	} while (*s && *s != ']');
	if (*s != ']')
		return -EINVAL;
	*p = s + 1;
	return 0;
}

/* @dstar: '**' has .dockerignore meaning; else it is two '*' as in filepath.Match */
static int glob_compile(const char *p, size_t len, bool dstar, struct glob *g)
{
	_cleanup_free_ char *s = strndup(p, len);
	const char *c = s;
	int r;

	memset(g, 0, sizeof(*g));
	if (!s || !(g->t = calloc(len + 1, sizeof(*g->t))))
		return -ENOMEM;
	while (*c) {
		struct tok *t = &g->t[g->n++];
		switch (*c) {
		case '*':
			c++;
			t->type = T_STAR;
			if (dstar && *c == '*') {
				c++;
				if (*c == '/')
					c++;
				t->type = *c ? T_DSTAR_SLASH : T_DSTAR_END;
			}
			break;
		case '?':
			c++;
			t->type = T_ANY;
			break;
		case '[':
			if ((r = glob_class(&c, t)) < 0)
				return r;
			break;
		case '\\':
			if (!*++c)
				return -EINVAL;
			__attribute__((fallthrough));
		default: t->type = T_LIT; t->c = (unsigned char)*c++;
		}
	}
	return 0;
}

struct matcher {
	const struct glob *g;
	const char *s;
	size_t n;
	uint8_t *seen; /* (token, position) pairs known not to match */
};

static bool class_has(const struct tok *t, uint32_t r)
{
	bool in = false;

	for (size_t i = 0; i < t->nranges && !in; i++)
		in = r >= t->ranges[2 * i] && r <= t->ranges[2 * i + 1];
	return in != t->negate;
}

static bool glob_at(struct matcher *m, size_t ti, size_t si)
{
	size_t bit = ti * (m->n + 1) + si;
	const struct tok *t;
	bool ok = false;

	if (ti == m->g->n)
		return si == m->n;
	if (m->seen[bit / 8] & (1u << (bit % 8)))
		return false;
	t = &m->g->t[ti];
	switch (t->type) {
	case T_LIT:
		ok = si < m->n && (unsigned char)m->s[si] == t->c && glob_at(m, ti + 1, si + 1);
		break;
	case T_ANY:
	case T_CLASS:
		if (si < m->n && !(t->type == T_ANY && m->s[si] == '/')) {
			uint32_t r;
			size_t l = utf8_rune(m->s + si, &r);
			if (si + l > m->n)
				l = 1;
			ok = (t->type == T_ANY || class_has(t, r)) && glob_at(m, ti + 1, si + l);
		}
		break;
	case T_STAR:
		for (size_t k = si; !ok; k++) {
			ok = glob_at(m, ti + 1, k);
			if (k >= m->n || m->s[k] == '/')
				break;
		}
		break;
	case T_DSTAR_SLASH:
		ok = glob_at(m, ti + 1, si);
		for (size_t k = si; k < m->n && !ok; k++)
			if (m->s[k] == '/')
				ok = glob_at(m, ti + 1, k + 1);
		break;
	case T_DSTAR_END: ok = true; break;
	}
	if (!ok)
		m->seen[bit / 8] |= (uint8_t)(1u << (bit % 8));
	return ok;
}

static bool glob_match(const struct glob *g, const char *s, size_t n)
{
	size_t bits = (g->n + 1) * (n + 1);
	uint8_t small[256];
	struct matcher m = { .g = g, .s = s, .n = n, .seen = small };
	bool ok;

	if (bits > sizeof(small) * 8) {
		m.seen = calloc(bits / 8 + 1, 1);
		if (!m.seen)
			return false;
	} else {
		memset(small, 0, sizeof(small));
	}
	ok = glob_at(&m, 0, 0);
	if (m.seen != small)
		free(m.seen);
	return ok;
}

int dockerignore_glob_match(const char *pattern, const char *name)
{
	struct glob g;
	int r = glob_compile(pattern, strlen(pattern), false, &g);

	if (r == 0)
		r = glob_match(&g, name, strlen(name)) ? 1 : 0;
	glob_free(&g);
	return r;
}

void dockerignore_clean(char *path)
{
	size_t n = strlen(path), w = 0, r = 0, dotdot = 0;
	bool rooted = n && path[0] == '/';

	/* Go's path.Clean, in place: the output never outgrows what was read */
	if (rooted)
		w = r = dotdot = 1;
	while (r < n) {
		if (path[r] == '/') {
			r++;
		} else if (path[r] == '.' && (r + 1 == n || path[r + 1] == '/')) {
			r++;
		} else if (path[r] == '.' && path[r + 1] == '.' &&
		           (r + 2 == n || path[r + 2] == '/')) {
			r += 2;
			if (w > dotdot) {
				w--;
				while (w > dotdot && path[w] != '/')
					w--;
			} else if (!rooted) {
				if (w > 0)
					path[w++] = '/';
				path[w++] = '.';
				path[w++] = '.';
				dotdot = w;
			}
		} else {
			if (w != (rooted ? 1u : 0u))
				path[w++] = '/';
			while (r < n && path[r] != '/')
				path[w++] = path[r++];
		}
	}
	if (w == 0)
		path[w++] = '.';
	path[w] = '\0';
}

static void pattern_free(struct pattern *p)
{
	free(p->text);
	glob_free(&p->whole);
	for (size_t i = 0; i < p->ncomps; i++)
		glob_free(&p->comps[i]);
	free(p->comps);
}

static int pattern_compile(struct pattern *p, const char *text)
{
	const char *c = text;
	int r;

	if (!(p->text = strdup(text)))
		return -ENOMEM;
	if ((r = glob_compile(text, strlen(text), true, &p->whole)) < 0)
		return r;
	p->has_dstar = strstr(text, "**") != NULL;
	/* moby/patternmatcher's suffixMatch: a leading ** and nothing special after */
	if (strncmp(text, "**", 2) == 0 && !strpbrk(text + 2, "*?[]\\"))
		p->suffix = p->text + 2;
	p->ncomps = 1;
	for (const char *s = text; *s; s++)
		p->ncomps += *s == '/';
	if (!(p->comps = calloc(p->ncomps, sizeof(*p->comps))))
		return -ENOMEM;
	for (size_t i = 0; i < p->ncomps; i++) {
		const char *e = strchr(c, '/');
		size_t n = e ? (size_t)(e - c) : strlen(c);
		if ((r = glob_compile(c, n, false, &p->comps[i])) < 0)
			return r;
		c += n + 1;
	}
	return 0;
}

static bool pattern_match(const struct pattern *p, const char *path, size_t n)
{
	if (p->suffix) {
		size_t sl = strlen(p->suffix);
		if (n >= sl && memcmp(path + n - sl, p->suffix, sl) == 0)
			return true;
		return p->suffix[0] == '/' && n == sl - 1 && memcmp(path, p->suffix + 1, n) == 0;
	}
	return glob_match(&p->whole, path, n);
}

static char *trim(char *s)
{
	size_t n;

	while (isspace((unsigned char)*s))
		s++;
	n = strlen(s);
	while (n && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

/* one line of the file; *@p untouched for blank lines and comments */
static int dockerignore_line(struct dockerignore *di, char *line, struct werr *err,
                             const char *name, unsigned lineno)
{
	struct pattern *p;
	bool invert;
	char *pat;
	int r;

	if (line[0] == '#')
		return 0;
	pat = trim(line);
	if (!*pat)
		return 0;
	invert = pat[0] == '!';
	if (invert)
		pat = trim(pat + 1);
	if (invert && !*pat)
		return werr_set(err, EINVAL,
		                "%s:%u: illegal exclusion pattern: \"!\" (write !PATTERN)", name,
		                lineno);
	dockerignore_clean(pat);
	if (pat[0] == '/' && pat[1])
		pat++;
	p = &di->p[di->n++];
	p->exclusion = invert;
	di->exclusions |= invert;
	r = pattern_compile(p, pat);
	if (r == -EINVAL)
		return werr_set(err, EINVAL, "%s:%u: syntax error in pattern %.100s", name, lineno,
		                pat);
	if (r < 0)
		return werr_errno(err, -r, "%s:%u", name, lineno);
	return 0;
}

int dockerignore_parse(const char *text, size_t len, const char *name, struct dockerignore **out,
                       struct werr *err)
{
	struct dockerignore *di = calloc(1, sizeof(*di));
	_cleanup_free_ char *copy = strndup(text, len);
	char *line, *save = NULL;
	size_t lines = 1;
	unsigned lineno = 0;
	int r = 0;

	*out = NULL;
	if (!di || !copy) {
		free(di);
		return werr_errno(err, ENOMEM, "reading %s", name);
	}
	for (size_t i = 0; copy[i]; i++)
		lines += copy[i] == '\n';
	if (!(di->p = calloc(lines, sizeof(*di->p)))) {
		free(di);
		return werr_errno(err, ENOMEM, "reading %s", name);
	}
	line = copy;
	if (strncmp(line, "\xef\xbb\xbf", 3) == 0)
		line += 3;
	/* strsep keeps empty lines so line numbers stay right */
	save = line;
	while ((line = strsep(&save, "\n")) != NULL && r == 0)
		r = dockerignore_line(di, line, err, name, ++lineno);
	if (r < 0) {
		dockerignore_free(di);
		return r;
	}
	*out = di;
	return 0;
}

void dockerignore_free(struct dockerignore *di)
{
	if (!di)
		return;
	for (size_t i = 0; i < di->n; i++)
		pattern_free(&di->p[i]);
	free(di->p);
	free(di);
}

size_t dockerignore_count(const struct dockerignore *di)
{
	return di ? di->n : 0;
}

bool dockerignore_excluded(const struct dockerignore *di, const char *path)
{
	size_t n = strlen(path);
	bool matched = false;

	if (!di)
		return false;
	for (size_t i = 0; i < di->n; i++) {
		const struct pattern *p = &di->p[i];
		bool m;
		if (p->exclusion != matched)
			continue;
		m = pattern_match(p, path, n);
		/* a pattern matching a parent directory matches what is below it */
		for (size_t k = 0; !m && k < n; k++)
			if (path[k] == '/')
				m = pattern_match(p, path, k);
		if (m)
			matched = !p->exclusion;
	}
	return matched;
}

bool dockerignore_dir_skippable(const struct dockerignore *di, const char *dir)
{
	size_t depth = 1;

	if (!dockerignore_excluded(di, dir))
		return false;
	for (const char *s = dir; *s; s++)
		depth += *s == '/';
	for (size_t i = 0; i < di->n; i++) {
		const struct pattern *p = &di->p[i];
		const char *c = dir;
		bool could = true;
		if (!p->exclusion)
			continue;
		if (!p->has_dstar && p->ncomps <= depth)
			continue; /* only matches @dir or its parents: decided already */
		for (size_t k = 0; k < depth && k < p->ncomps && could; k++) {
			const char *e = strchr(c, '/');
			size_t n = e ? (size_t)(e - c) : strlen(c);
			const struct glob *g = &p->comps[k];
			bool dstar = false;
			for (size_t t = 0; t + 1 < g->n; t++)
				dstar |= g->t[t].type == T_STAR && g->t[t + 1].type == T_STAR;
			if (dstar)
				break; /* '**' may span anything from here on */
			could = glob_match(g, c, n);
			c += n + 1;
		}
		if (could)
			return false;
	}
	return true;
}
