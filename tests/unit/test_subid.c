/* test_subid.c - unit tests for the /etc/subuid parser (TAP). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "subid.h"
#include "tap.h"

static struct subid_range r[SUBID_MAX_RANGES], r_file[SUBID_MAX_RANGES];

/* alice's ranges in a file holding @len bytes of @text; -1 on error */
static int file_ranges(const char *text, size_t len)
{
	char path[] = "/tmp/test_subid.XXXXXX";
	int fd = mkstemp(path);
	struct werr err;
	size_t n;
	int rc;

	if (fd < 0 || write(fd, text, len) != (ssize_t)len)
		return -1;
	close(fd);
	rc = subid_read_file(path, "alice", 1000, r_file, SUBID_MAX_RANGES, &n, &err);
	unlink(path);
	return rc < 0 ? -1 : (int)n;
}

/* parse @text for alice (uid 1000); returns the number of ranges, -1 on error */
static int ranges(const char *text)
{
	struct werr err;
	size_t n;

	if (subid_parse(text, strlen(text), "alice", 1000, r, 4, &n, &err) < 0)
		return -1;
	return (int)n;
}

/* the file reader refuses the user's own line whose range overflows */
static void overflow_tests(void)
{
	static const char *const bad[] = { "alice:4294967290:6\n", "1000:4294967295:1\r\n",
		                           "alice:4294967296:1\n", "alice:1:99999999999\n" };
	char path[32], text[128];
	struct werr err;
	size_t n;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = mkstemp(strcpy(path, "/tmp/test_subid.XXXXXX")),
		    len = snprintf(text, sizeof(text), "bob:9:9\n%s", bad[i]);
		int rc;

		if (fd < 0 || write(fd, text, (size_t)len) != len) {
			check(0, "write a subuid file");
			return;
		}
		close(fd);
		err.msg[0] = '\0';
		rc = subid_read_file(path, "alice", 1000, r_file, SUBID_MAX_RANGES, &n, &err);
		check(rc == -ERANGE && strstr(err.msg, ":2: the range ") && strstr(err.msg, path) &&
		          !strchr(err.msg, '\r'),
		      "the user's overflowing line is an error naming the file and line 2");
		unlink(path);
	}
	check(file_ranges("bob:4294967290:6\nalice:5:1\n", 26) == 1 && r_file[0].start == 5,
	      "another user's overflowing line is skipped");
	check(ranges("alice:4294967290:6\nalice:5:1\n") == 1,
	      "subid_parse (the setuid helpers) still skips it");
}

/* the streaming reader: files of any size, every one of a user's ranges */
static void file_tests(void)
{
	size_t big = 3 * 1024 * 1024, off = 0;
	char *t = malloc(big + 100 * 32 + 8192);

	if (!t) {
		check(0, "malloc");
		return;
	}
	while (off < big) /* another user's lines: 3 MiB of them */
		off += (size_t)sprintf(t + off, "bob:%zu:1\n", 200000 + off);
	for (int i = 0; i < 100; i++)
		off += (size_t)sprintf(t + off, "alice:%d:10\n", 100000 + 100 * i);
	check(file_ranges(t, off) == 100 && r_file[99].start == 109900,
	      "a 3 MiB file: all 100 of the user's ranges, the last ones too");
	off = 0;
	memset(t, 'x', 5000);
	off = 5000 + (size_t)sprintf(t + 5000, "alice:300000:10\nalice:7:1\n");
	check(file_ranges(t, off) == 1 && r_file[0].start == 7,
	      "a line longer than the buffer grants nothing, not even its tail");
	memset(t, 'x', SUBID_LINE_MAX - 1);
	off = SUBID_LINE_MAX - 1 + (size_t)sprintf(t + SUBID_LINE_MAX - 1, "\nalice:8:1\n");
	check(file_ranges(t, off) == 1 && r_file[0].start == 8,
	      "a line just short of the buffer ends where its newline is");
	off = (size_t)sprintf(t, "bob:1:1\nalice:9:2");
	check(file_ranges(t, off) == 1 && r_file[0].start == 9 && r_file[0].count == 2,
	      "the last line without a newline still counts");
	{
		const char nul[] = "alice:1\0:2\nalice:3:4\0\n\0alice:5:6\nalice:9:1";
		check(file_ranges(nul, sizeof(nul) - 1) == 1 && r_file[0].start == 9,
		      "lines with NUL bytes grant nothing, the next still counts");
	}
	off = 0;
	for (int i = 0; i < SUBID_MAX_RANGES + 5; i++)
		off += (size_t)sprintf(t + off, "alice:%d:1\n", 100000 + 2 * i);
	check(file_ranges(t, off) == SUBID_MAX_RANGES && r_file[0].start == 100000,
	      "more ranges than a map can hold: the first ones, no error");
	free(t);
	overflow_tests();
}

int main(void)
{
	uint32_t v;

	check(ranges("alice:100000:65536\n") == 1 && r[0].start == 100000 && r[0].count == 65536,
	      "a line for the user by name");
	check(ranges("1000:200000:10\n") == 1 && r[0].start == 200000,
	      "a line for the user by uid");
	check(ranges("bob:100000:65536\nalicex:1:2\nalic:1:2\n") == 0,
	      "other users' lines grant nothing");
	check(ranges("#alice:300000:10\n") == 0, "a comment grants nothing");
	check(ranges("\n\n  \nalice:5:5") == 1 && r[0].start == 5,
	      "blank lines; no trailing newline");
	check(ranges("garbage line\nalice\nalice:1\nalice:1:2:3\n") == 0,
	      "malformed lines grant nothing");
	check(ranges("alice:abc:10\nalice:10:abc\nalice:-1:10\nalice:+1:10\nalice: 1:10\n") == 0,
	      "non-decimal numbers, signs and spaces are refused");
	check(ranges("alice:4294967296:1\nalice:1:4294967296\nalice:99999999999999999999:1\n") == 0,
	      "numbers that overflow 32 bits are refused");
	check(ranges("alice:4294967295:1\nalice:4294967290:6\n") == 0,
	      "start + count past the largest ID is refused");
	check(ranges("alice:100:0\n") == 0, "count 0 grants nothing");
	check(ranges("alice:0100:10\n") == 0, "leading zeros are refused");
	check(ranges("alice:100000:65536\r\n") == 1 && r[0].count == 65536, "CRLF line endings");
	check(ranges("alice:1:1\nalice:3:1\n1000:5:1\nbob:7:1\n") == 3 && r[2].start == 5,
	      "several ranges, in file order");
	check(ranges("alice:1:1\nalice:2:1\nalice:3:1\nalice:4:1\nalice:5:1\n") == -1,
	      "more ranges than the caller's room is an error");
	check(ranges("alice:1\0:1:2\nalice:9:1\n") == 0, "a NUL byte ends the text");
	{
		const char t[] = "alice:1\0:2\nalice:9:1\n";
		struct werr err;
		size_t n;
		check(subid_parse(t, sizeof(t) - 1, "alice", 1000, r, 4, &n, &err) == 0 && n == 1 &&
		          r[0].start == 9,
		      "a line with an embedded NUL is malformed, the next still counts");
	}
	{
		struct werr err;
		size_t n;
		check(subid_parse("1000:7:1\n", 9, NULL, 1000, r, 4, &n, &err) == 0 && n == 1,
		      "no user name: matching by uid only");
	}
	check(subid_parse_u32("0", 1, &v) == 0 && v == 0, "u32: 0");
	check(subid_parse_u32("4294967295", 10, &v) == 0 && v == 4294967295U, "u32: the largest");
	check(subid_parse_u32("4294967296", 10, &v) == -ERANGE, "u32: overflow is ERANGE");
	check(subid_parse_u32("", 0, &v) == -EINVAL, "u32: empty is EINVAL");
	{
		struct werr err;
		size_t n;
		check(subid_read_file("/nonexistent/subuid", "alice", 1000, r, 4, &n, &err) == 0 &&
		          n == 0,
		      "a missing file grants nothing");
	}
	file_tests();
	return tap_done();
}
