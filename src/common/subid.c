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

/* does the first field name this user (by name or decimal uid)? */
static bool subid_owner_p(const char *f, size_t len, const char *user, uid_t uid)
{
	uint32_t n;

	if (user && strlen(user) == len && !memcmp(f, user, len))
		return true;
	return subid_parse_u32(f, len, &n) == 0 && n == (uint32_t)uid;
}

/* one line without its newline: 0 with @r filled when it grants a range to the user */
static int subid_parse_line(const char *line, size_t len, const char *user, uid_t uid,
                            struct subid_range *r)
{
	const char *c1, *c2;
	uint32_t start, count;

	if (len > 0 && line[len - 1] == '\r')
		len--;
	if (len == 0 || line[0] == '#')
		return -ENOENT;
	c1 = memchr(line, ':', len);
	if (!c1)
		return -EINVAL;
	c2 = memchr(c1 + 1, ':', len - (size_t)(c1 + 1 - line));
	if (!c2 || memchr(c2 + 1, ':', len - (size_t)(c2 + 1 - line)))
		return -EINVAL;
	if (!subid_owner_p(line, (size_t)(c1 - line), user, uid))
		return -ENOENT;
	if (subid_parse_u32(c1 + 1, (size_t)(c2 - c1 - 1), &start) < 0 ||
	    subid_parse_u32(c2 + 1, len - (size_t)(c2 + 1 - line), &count) < 0)
		return -EINVAL;
	if (count == 0 || (uint64_t)start + count > UINT32_MAX)
		return -EINVAL;
	r->start = start;
	r->count = count;
	return 0;
}

int subid_parse(const char *text, size_t len, const char *user, uid_t uid, struct subid_range *out,
                size_t max, size_t *n, struct werr *err)
{
	size_t off = 0;

	*n = 0;
	while (off < len) {
		const char *line = text + off;
		const char *nl = memchr(line, '\n', len - off);
		size_t ll = nl ? (size_t)(nl - line) : len - off;
		struct subid_range r;

		off += ll + (nl ? 1 : 0);
		if (memchr(line, '\0', ll))
			continue; /* a NUL byte makes the line malformed */
		if (subid_parse_line(line, ll, user, uid, &r) < 0)
			continue;
		if (*n >= max)
			return werr_set(err, E2BIG, "more than %zu subordinate ranges for one user",
			                max);
		out[(*n)++] = r;
	}
	return 0;
}

int subid_read_file(const char *path, const char *user, uid_t uid, struct subid_range *out,
                    size_t max, size_t *n, struct werr *err)
{
	static char buf[SUBID_FILE_MAX + 1];
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	size_t len = 0;

	*n = 0;
	if (fd < 0 && errno == ENOENT)
		return 0;
	if (fd < 0)
		return werr_errno(err, errno, "open %s", path);
	for (;;) {
		ssize_t r = read(fd, buf + len, sizeof(buf) - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return werr_errno(err, errno, "read %s", path);
		if (r == 0)
			break;
		len += (size_t)r;
		if (len > SUBID_FILE_MAX)
			return werr_set(err, EFBIG, "%s is larger than %d bytes", path,
			                SUBID_FILE_MAX);
	}
	if (subid_parse(buf, len, user, uid, out, max, n, err) < 0)
		return werr_prefix(err, "%s", path);
	return 0;
}
