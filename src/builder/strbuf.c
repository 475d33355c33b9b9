/* strbuf.c - growable strings and string vectors for the build parsers.
 * Never prints or exits; allocation failures are recorded in ->oom. */
#include "strbuf.h"

#include <stdlib.h>
#include <string.h>

static bool strbuf_grow(struct strbuf *b, size_t more)
{
	size_t need, cap;
	char *p;

	if (b->oom)
		return false;
	need = b->len + more + 1;
	if (need <= b->cap)
		return true;
	cap = b->cap ? b->cap : 32;
	while (cap < need)
		cap *= 2;
	p = realloc(b->s, cap);
	if (!p) {
		b->oom = true;
		return false;
	}
	b->s = p;
	b->cap = cap;
	return true;
}

void strbuf_addn(struct strbuf *b, const char *p, size_t n)
{
	if (!strbuf_grow(b, n))
		return;
	if (n)
		memcpy(b->s + b->len, p, n);
	b->len += n;
	b->s[b->len] = '\0';
}

void strbuf_adds(struct strbuf *b, const char *s)
{
	strbuf_addn(b, s, strlen(s));
}

void strbuf_addc(struct strbuf *b, char c)
{
	strbuf_addn(b, &c, 1);
}

char *strbuf_steal(struct strbuf *b)
{
	char *s;

	if (!b->oom && !b->s)
		strbuf_grow(b, 0);
	if (b->oom) {
		strbuf_free(b);
		return NULL;
	}
	b->s[b->len] = '\0';
	s = b->s;
	memset(b, 0, sizeof(*b));
	return s;
}

void strbuf_free(struct strbuf *b)
{
	free(b->s);
	memset(b, 0, sizeof(*b));
}

void strv_take(struct strv *v, char *s)
{
	if (!s || v->oom) {
		v->oom = true;
		free(s);
		return;
	}
	if (v->n + 2 > v->cap) {
		size_t cap = v->cap ? v->cap * 2 : 8;
		char **p = realloc(v->v, cap * sizeof(*p));
		if (!p) {
			v->oom = true;
			free(s);
			return;
		}
		v->v = p;
		v->cap = cap;
	}
	v->v[v->n++] = s;
	v->v[v->n] = NULL;
}

void strv_pushn(struct strv *v, const char *s, size_t n)
{
	strv_take(v, strndup(s, n));
}

void strv_push(struct strv *v, const char *s)
{
	strv_take(v, strdup(s));
}

void strv_free(struct strv *v)
{
	strv_free_array(v->v, v->n);
	memset(v, 0, sizeof(*v));
}

void strv_free_array(char **v, size_t n)
{
	if (!v)
		return;
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}
