/* statefile.c - the container's state.json as warren-monitor updates it.
 * The file is warren's own (one object, written atomically by warren or by
 * this code), so a scanner that finds where each member's value ends is
 * all the parsing needed; what it does not change it copies byte for byte. */
#include "statefile.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

char *statefile_string(char *buf, size_t size, const char *s)
{
	size_t o = 0;

	buf[o++] = '"';
	for (; *s && o + 8 < size; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == '"' || c == '\\') {
			buf[o++] = '\\';
			buf[o++] = (char)c;
		} else if (c < 0x20) {
			o += (size_t)snprintf(buf + o, size - o, "\\u%04x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o++] = '"';
	buf[o] = '\0';
	return buf;
}

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* @p at a '"': just past the closing quote, or NULL */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/* just past the value at @p (a string, an object or array with whatever
 * they nest, or a number/true/false/null), or NULL */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	if (p >= end)
		return NULL;
	if (*p == '"')
		return skip_string(p, end);
	if (*p != '{' && *p != '[') {
		const char *s = p;
		while (p < end && !strchr(",}] \t\r\n", *p))
			p++;
		return p > s ? p : NULL;
	}
	for (; p < end; p++) {
		if (*p == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
			p--;
		} else if (*p == '{' || *p == '[') {
			depth++;
		} else if ((*p == '}' || *p == ']') && --depth == 0) {
			return p + 1;
		}
	}
	return NULL;
}

struct out {
	char *buf;
	size_t size, len;
	bool full;
};

static void out_add(struct out *o, const char *s, size_t n)
{
	if (o->len + n + 1 > o->size) {
		o->full = true;
		return;
	}
	memcpy(o->buf + o->len, s, n);
	o->len += n;
	o->buf[o->len] = '\0';
}

static void out_member(struct out *o, const char *key, size_t key_len, const char *v, size_t vlen)
{
	if (o->len > 1)
		out_add(o, ",", 1);
	out_add(o, key, key_len);
	out_add(o, ":", 1);
	out_add(o, v, vlen);
}

/* the index of the field named by the quoted @key, or -1 */
static long field_find(const struct statefile_field *f, size_t n, const char *key, size_t len)
{
	for (size_t i = 0; i < n; i++)
		if (len == strlen(f[i].key) + 2 && !memcmp(key + 1, f[i].key, len - 2))
			return (long)i;
	return -1;
}

long statefile_patch(const char *text, size_t len, const struct statefile_field *fields, size_t n,
                     char *buf, size_t size)
{
	const char *end = text + len, *p = skip_ws(text, end);
	bool used[32] = { false };
	struct out o = { buf, size, 0, false };

	if (n > ARRAY_SIZE(used) || p >= end || *p != '{')
		return -EINVAL;
	out_add(&o, "{", 1);
	p = skip_ws(p + 1, end);
	while (p < end && *p != '}') {
		const char *key = p, *kend, *v, *vend;
		long f;
		if (*p != '"' || !(kend = skip_string(p, end)))
			return -EINVAL;
		p = skip_ws(kend, end);
		if (p >= end || *p != ':')
			return -EINVAL;
		v = skip_ws(p + 1, end);
		if (!(vend = skip_value(v, end)))
			return -EINVAL;
		f = field_find(fields, n, key, (size_t)(kend - key));
		if (f >= 0)
			used[f] = true;
		if (f >= 0)
			out_member(&o, key, (size_t)(kend - key), fields[f].json,
			           strlen(fields[f].json));
		else
			out_member(&o, key, (size_t)(kend - key), v, (size_t)(vend - v));
		p = skip_ws(vend, end);
		if (p < end && *p == ',')
			p = skip_ws(p + 1, end);
		else if (p >= end || *p != '}')
			return -EINVAL;
	}
	if (p >= end)
		return -EINVAL;
	for (size_t i = 0; i < n; i++) {
		char key[64];
		int kl = snprintf(key, sizeof(key), "\"%s\"", fields[i].key);
		if (!used[i])
			out_member(&o, key, (size_t)kl, fields[i].json, strlen(fields[i].json));
	}
	out_add(&o, "}", 1);
	return o.full ? -E2BIG : (long)o.len;
}

int statefile_update(const char *path, const struct statefile_field *fields, size_t n,
                     struct werr *err)
{
	_cleanup_free_ char *text = NULL, *out = NULL;
	size_t len;
	long r = util_read_file(AT_FDCWD, path, STATEFILE_MAX, &text, &len, err);

	if (r < 0)
		return (int)r;
	out = malloc(STATEFILE_MAX);
	if (!out)
		return werr_set(err, ENOMEM, "updating %s", path);
	r = statefile_patch(text, len, fields, n, out, STATEFILE_MAX);
	if (r < 0)
		return werr_set(err, (int)-r, "updating %s: %s", path,
		                r == -E2BIG ? "too large" : "not a JSON object");
	return util_write_file_atomic(AT_FDCWD, path, out, (size_t)r, 0600, err);
}
