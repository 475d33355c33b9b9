/* statefile.h - warren-monitor's updates of the container's state.json
 * without a JSON library: top-level members replaced or added, every other
 * member kept as it was, the file replaced atomically. */
#ifndef WARREN_STATEFILE_H
#define WARREN_STATEFILE_H

#include <stddef.h>

#include "werr.h"

#define STATEFILE_MAX (64 << 10)

struct statefile_field {
	const char *key;  /* plain ASCII, no characters that need escaping */
	const char *json; /* the value as JSON text (statefile_string() for strings) */
};

/**
 * statefile_string() - @s as a JSON string (quoted, escaped) into @buf.
 * Return: @buf (a truncated string is still well-formed JSON).
 */
char *statefile_string(char *buf, size_t size, const char *s);

/**
 * statefile_patch() - apply @fields to the JSON object @text (@len bytes)
 * into @out (@size bytes).
 * Return: the length written, or -EINVAL (not one JSON object) or -E2BIG.
 */
long statefile_patch(const char *text, size_t len, const struct statefile_field *fields, size_t n,
                     char *out, size_t size);

/**
 * statefile_update() - statefile_patch() of the file @path, written back
 * atomically. The caller holds the record's lock.
 * Return: 0 or a negative errno with @err set.
 */
int statefile_update(const char *path, const struct statefile_field *fields, size_t n,
                     struct werr *err);

#endif
