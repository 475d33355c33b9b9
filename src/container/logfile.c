/* logfile.c - reads container logs (k8s-file format) for `logs`: the
 * rotated files oldest first, --tail, --since/--until, -f. warren-monitor
 * writes them (monitor/logwrite.c). */
#include "logfile.h"
#include "cleanup.h"
#include "state.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* one parsed entry of a log line */
struct entry {
	const char *stamp, *stream, *data;
	size_t stamp_len, data_len;
	bool full;
};

static bool entry_parse(const char *line, size_t len, struct entry *e)
{
	const char *sp1 = memchr(line, ' ', len), *sp2, *end = line + len;

	if (!sp1 || (sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL || end - sp2 < 3)
		return false;
	e->stamp = line;
	e->stamp_len = (size_t)(sp1 - line);
	e->stream = sp1 + 1;
	e->full = sp2[1] == 'F';
	e->data = sp2 + 3;
	e->data_len = (size_t)(end - e->data);
	return true;
}

/* print entries in [begin, end) of @text, starting at the @skip-th full line */
static void print_entries(const char *text, size_t len, long long skip, const struct logs_opts *o,
                          int out_fd, int err_fd, bool *at_line_start)
{
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct entry e;
		char stamp[64];
		int fd;

		if (!nl)
			break;
		if (!entry_parse(p, (size_t)(nl - p), &e)) {
			p = nl + 1;
			continue;
		}
		p = nl + 1;
		if (skip > 0) {
			skip -= e.full;
			continue;
		}
		snprintf(stamp, sizeof(stamp), "%.*s", (int)e.stamp_len, e.stamp);
		if (o->since_ns && state_time_ns(stamp) < o->since_ns)
			continue;
		if (o->until_ns && state_time_ns(stamp) > o->until_ns)
			continue;
		fd = !strncmp(e.stream, "stderr", 6) ? err_fd : out_fd;
		if (o->timestamps && *at_line_start) {
			util_write_all(fd, e.stamp, e.stamp_len);
			util_write_all(fd, " ", 1);
		}
		util_write_all(fd, e.data, e.data_len);
		if (e.full)
			util_write_all(fd, "\n", 1);
		*at_line_start = e.full;
	}
}

static long long count_full(const char *text, size_t len)
{
	long long n = 0;
	const char *p = text, *end = text + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		struct entry e;
		if (!nl)
			break;
		if (entry_parse(p, (size_t)(nl - p), &e) && e.full)
			n++;
		p = nl + 1;
	}
	return n;
}

int logfile_print(const char *path, const struct logs_opts *o, int out_fd, int err_fd,
                  bool (*done)(void *ctx), void *ctx, struct werr *err)
{
	_cleanup_free_ char *all = NULL;
	size_t len = 0, used;
	long long total, skip = 0;
	bool at_start = true;
	struct stat st;
	ino_t ino = 0;
	int fd;

	/* the rotated files, oldest first, then the current one */
	for (int i = 100; i >= 0; i--) {
		char p[4200];
		_cleanup_free_ char *part = NULL;
		size_t plen;
		struct werr ignored;
		char *na;

		if (i)
			snprintf(p, sizeof(p), "%s.%d", path, i);
		else
			snprintf(p, sizeof(p), "%s", path);
		if (util_read_file(AT_FDCWD, p, (size_t)1 << 31, &part, &plen, &ignored) < 0)
			continue;
		na = realloc(all, len + plen + 1);
		if (!na)
			return werr_set(err, ENOMEM, "reading the log");
		all = na;
		memcpy(all + len, part, plen);
		len += plen;
		if (i == 0)
			used = plen;
	}
	total = count_full(all, len);
	if (o->tail >= 0 && o->tail < total)
		skip = total - o->tail;
	if (all)
		print_entries(all, len, skip, o, out_fd, err_fd, &at_start);
	if (!o->follow)
		return 0;
	/* follow the current file from where its complete lines ended */
	{
		const char *last = all ? memrchr(all, '\n', len) : NULL;
		size_t tail_part = last ? len - (size_t)(last + 1 - all) : len;
		used = 0;
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd >= 0 && fstat(fd, &st) == 0) {
			ino = st.st_ino;
			used = (size_t)st.st_size >= tail_part ? (size_t)st.st_size - tail_part : 0;
		}
	}
	for (bool last_round = false;;) {
		char buf[65536];
		static char carry[65536];
		static size_t carried;
		ssize_t n;

		if (fd < 0) {
			fd = open(path, O_RDONLY | O_CLOEXEC);
			used = 0;
			if (fd >= 0 && fstat(fd, &st) == 0)
				ino = st.st_ino;
		}
		while (fd >= 0 && (n = pread(fd, buf, sizeof(buf), (off_t)used)) > 0) {
			size_t k = 0;
			used += (size_t)n;
			for (ssize_t i = 0; i < n; i++) {
				if (carried < sizeof(carry))
					carry[carried++] = buf[i];
				if (buf[i] == '\n') {
					print_entries(carry, carried, 0, o, out_fd, err_fd,
					              &at_start);
					carried = 0;
				}
				k++;
			}
		}
		if (last_round)
			break;
		if (done(ctx))
			last_round = true;
		else
			usleep(50000);
		/* rotated: read the new file from its start */
		if (stat(path, &st) == 0 && st.st_ino != ino && fd >= 0) {
			close(fd);
			fd = -1;
		}
	}
	if (fd >= 0)
		close(fd);
	return 0;
}
