/* strbuf.h - growable strings and string vectors for the build parsers.
 * Allocation failures are sticky (->oom) so callers check once at the end;
 * nothing here prints or exits. */
#ifndef WARREN_BUILD_STRBUF_H
#define WARREN_BUILD_STRBUF_H

#include <stdbool.h>
#include <stddef.h>

struct strbuf {
	char *s; /* NUL-terminated once anything was added; may be NULL */
	size_t len;
	size_t cap;
	bool oom;
};

struct strv {
	char **v; /* NULL-terminated once anything was added */
	size_t n;
	size_t cap;
	bool oom;
};

/** strbuf_addn() - append @n bytes of @p. */
void strbuf_addn(struct strbuf *b, const char *p, size_t n);
/** strbuf_adds() - append a NUL-terminated string. */
void strbuf_adds(struct strbuf *b, const char *s);
/** strbuf_addc() - append one byte. */
void strbuf_addc(struct strbuf *b, char c);
/**
 * strbuf_steal() - take the string out ("" when nothing was added).
 * Return: heap string, or NULL when an allocation failed (the buffer is reset).
 */
char *strbuf_steal(struct strbuf *b);
/** strbuf_free() - release the buffer. */
void strbuf_free(struct strbuf *b);

/** strv_push() - append a copy of @s. */
void strv_push(struct strv *v, const char *s);
/** strv_pushn() - append a copy of @n bytes of @s. */
void strv_pushn(struct strv *v, const char *s, size_t n);
/** strv_take() - append @s, taking ownership (NULL marks the vector oom). */
void strv_take(struct strv *v, char *s);
/** strv_free() - free every string and the vector. */
void strv_free(struct strv *v);
/** strv_free_array() - free a NULL-less array of @n strings and the array. */
void strv_free_array(char **v, size_t n);

#endif
