/* subid.c - parses /etc/subuid and /etc/subgid lines "user:start:count".
 * Linked into the setuid helpers: no allocation in the parser, no locale,
 * every number checked for overflow; a malformed line never grants anything. */
#include "subid.h"
#include "cleanup.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int subid_parse_u32(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return len == 0 ? -EINVAL : -ERANGE;
	if (len > 1 && s[0] == '0')
		return -EINVAL;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -EINVAL;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v > UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)v;
	return 0;
}

bool subid_owner_p(const char *f, size_t len, const char *user, uid_t uid)
{
	uint32_t n;

	if (user && strlen(user) == len && !memcmp(f, user, len))
		return true;
	return subid_parse_u32(f, len, &n) == 0 && n == (uint32_t)uid;
}

/* one line without its newline: 0 with @owner, @olen and @r filled when it is
 * a valid "owner:start:count" line; a comment, blank or malformed line is < 0:
 * -ERANGE (with @owner and @olen filled) when its numbers are digits but a
 * number or start + count is past the 32-bit ID space */
static int subid_split_line(const char *line, size_t len, const char **owner, size_t *olen,
                            struct subid_range *r)
{
	const char *c1, *c2;
	uint32_t start, count;
	int rs, rc;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || line[0] == '#')
		return -ENOENT;
	if (memchr(line, '\0', len))
		return -EINVAL; /* a NUL byte makes the line malformed */
	c1 = memchr(line, ':', len);
	if (!c1)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
	if (!c2 || memchr(c2 + 1, ':', len - (size_t)(c2 + 1 - line)))
		return -EINVAL;
	*owner = line;
	*olen = (size_t)(c1 - line);
	rs = subid_parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), &start);
	rc = subid_parse_u32(c2 + 1, len - (size_t)(c2 + 1 - line), &count);
	if (rs == -EINVAL || rc == -EINVAL)
		return -EINVAL;
	if (rs < 0 || rc < 0 || (uint64_t)start + count > UINT32_MAX)
		return -ERANGE;
	if (count == 0)
		return -EINVAL;
	r->start = start;
	r->count = count;
	return 0;
}

/* hands a valid line to @fn; Return: what @fn returns, 0 for other lines */
static int subid_each_line(const char *line, size_t len, subid_line_fn fn, void *ctx)
{
	struct subid_range r;
	const char *owner;
	size_t olen;

	if (subid_split_line(line, len, &owner, &olen, &r) < 0)
		return 0;
	return fn(owner, olen, &r, ctx);
}

struct subid_collect {
	const char *user;
	uid_t uid;
	struct subid_range *out;
	size_t max, *n;
	bool overflow_is_error;
};

/* implements subid_line_fn: keeps the user's ranges in @ctx's array */
static int subid_collect_line(const char *owner, size_t olen, const struct subid_range *r,
                              void *ctx)
{
	struct subid_collect *c = ctx;

	if (!subid_owner_p(owner, olen, c->user, c->uid))
		return 0;
	if (*c->n >= c->max)
		return c->overflow_is_error ? -E2BIG : 0;
	c->out[(*c->n)++] = *r;
	return 0;
}

int subid_parse(const char *text, size_t len, const char *user, uid_t uid, struct subid_range *out,
                size_t max, size_t *n, struct werr *err)
{
	struct subid_collect c = { user, uid, out, max, n, true };
	size_t off = 0;

	*n = 0;
	while (off < len) {
		const char *line = text + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;

		off += ll + (nl ? 1 : 0);
		if (subid_each_line(line, ll, subid_collect_line, &c) < 0)
			return werr_set(err, E2BIG, "more than %zu subordinate ranges for one user",
			                max);
	}
	return 0;
}

/* a line of a file, without its newline, numbered from 1 */
typedef int (*subid_raw_fn)(const char *line, size_t len, unsigned lineno, void *ctx,
                            struct werr *err);

/* calls @fn for each line of the file at @path, one line at a time through a
 * buffer of SUBID_LINE_MAX bytes (no allocation, no size limit); over-long
 * lines are skipped; a missing file has no lines */
static int subid_read_raw(const char *path, subid_raw_fn fn, void *ctx, struct werr *err)
{
	/* one line at a time through a small buffer: the file may be many
	 * megabytes (large sites), and the setuid helpers read it */
	char buf[SUBID_LINE_MAX];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t have = 0;
	bool skipping = false; /* inside a line longer than the buffer */
	unsigned lineno = 0;
	int r;

	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return werr_errno(err, errno, "open %s", path);
	for (;;) {
		ssize_t got = read(fd, buf + have, sizeof(buf) - have);
		size_t off = 0;
		char *nl;

		if (got < 0 && errno == EINTR)
			continue;
		if (got < 0)
			return werr_errno(err, errno, "read %s", path);
		if (got == 0)
			break;
		have += (size_t)got;
		while ((nl = memchr(buf + off, '\n', have - off))) {
			size_t ll = (size_t)(nl - (buf + off));

			lineno++;
			if (!skipping && (r = fn(buf + off, ll, lineno, ctx, err)) < 0)
				return r;
			skipping = false;
			off += ll + 1;
		}
		memmove(buf, buf + off, have - off);
		have -= off;
		if (have == sizeof(buf)) {
			/* no valid line is this long: it grants nothing, up to its newline */
			skipping = true;
			have = 0;
		}
	}
	if (have > 0 && !skipping && (r = fn(buf, have, lineno + 1, ctx, err)) < 0)
		return r;
	return 0;
}

struct subid_each {
	const char *path;
	subid_line_fn fn;
	void *ctx;
};

/* implements subid_raw_fn: a valid line to subid_each.fn, the rest skipped */
static int subid_each_raw(const char *line, size_t len, unsigned lineno, void *ctx,
                          struct werr *err)
{
	struct subid_each *e = ctx;
	int r;

	(void)lineno;
	if ((r = subid_each_line(line, len, e->fn, e->ctx)) < 0)
		return werr_set(err, -r, "%s: %s", e->path, strerror(-r));
	return 0;
}

int subid_read_each(const char *path, subid_line_fn fn, void *ctx, struct werr *err)
{
	struct subid_each e = { path, fn, ctx };

	return subid_read_raw(path, subid_each_raw, &e, err);
}

struct subid_strict {
	const char *path;
	struct subid_collect c;
};

/* implements subid_raw_fn: the user's ranges into subid_strict.c; a line of
 * the user's whose numbers go past the 32-bit ID space is an error, since it
 * is what its administrator meant to grant (other malformed lines are
 * skipped, as shadow skips them) */
static int subid_strict_raw(const char *line, size_t len, unsigned lineno, void *ctx,
                            struct werr *err)
{
	struct subid_strict *s = ctx;
	struct subid_range r;
	const char *owner;
	size_t olen;
	int rc = subid_split_line(line, len, &owner, &olen, &r);

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (rc == -ERANGE && subid_owner_p(owner, olen, s->c.user, s->c.uid))
		return werr_set(err, ERANGE,
		                "%s:%u: the range %.*s ends past the last ID 4294967295 (as root, "
		                "correct the line: START + COUNT must be at most 4294967295)",
		                s->path, lineno, (int)(len - olen - 1), line + olen + 1);
	if (rc < 0)
		return 0;
	return subid_collect_line(owner, olen, &r, &s->c);
}

int subid_read_file(const char *path, const char *user, uid_t uid, struct subid_range *out,
                    size_t max, size_t *n, struct werr *err)
{
	struct subid_strict s = { path, { user, uid, out, max, n, false } };

	*n = 0;
	return subid_read_raw(path, subid_strict_raw, &s, err);
}
