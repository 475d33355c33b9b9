/* logfile.c - writes and reads container logs (k8s-file format). The writer
 * runs in the monitor: no allocation per chunk, and a write error never
 * stops the container, it is only recorded. */
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

int logfile_open(struct logfile *lf, const char *path, long long max_size, int max_file,
                 struct werr *err)
{
	struct stat st;

	memset(lf, 0, sizeof(*lf));
	snprintf(lf->path, sizeof(lf->path), "%s", path);
	lf->max_size = max_size;
	lf->max_file = max_file > 0 ? max_file : 1;
	lf->fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (lf->fd < 0)
		return werr_errno(err, errno, "open the log %s", path);
	if (fstat(lf->fd, &st) == 0)
		lf->size = st.st_size;
	return 0;
}

void logfile_close(struct logfile *lf)
{
	if (lf->fd >= 0)
		close(lf->fd);
	lf->fd = -1;
}

/* ctr.log -> ctr.log.1 -> ... ; with max_file 1 the old entries are dropped */
static void logfile_rotate(struct logfile *lf)
{
	char from[4200], to[4200];

	for (int i = lf->max_file - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", lf->path);
		else
			snprintf(from, sizeof(from), "%s.%d", lf->path, i - 1);
		snprintf(to, sizeof(to), "%s.%d", lf->path, i);
		rename(from, to);
	}
	if (lf->max_file == 1 && ftruncate(lf->fd, 0) == 0) {
		lf->size = 0;
		return;
	}
	close(lf->fd);
	lf->fd = open(lf->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	lf->size = 0;
}

static int logfile_entry(struct logfile *lf, const char *stamp, const char *stream, char tag,
                         const char *data, size_t len)
{
	char head[80];
	struct iovec_like {
		const char *p;
		size_t n;
	} parts[3];
	int hn = snprintf(head, sizeof(head), "%s %s %c ", stamp, stream, tag);
	int r;

	if (lf->max_size && lf->size + hn + (long long)len + 1 > lf->max_size && lf->size > 0)
		logfile_rotate(lf);
	if (lf->fd < 0)
		return -EBADF;
	parts[0] = (struct iovec_like){ head, (size_t)hn };
	parts[1] = (struct iovec_like){ data, len };
	parts[2] = (struct iovec_like){ "\n", 1 };
	for (int i = 0; i < 3; i++) {
		r = util_write_all(lf->fd, parts[i].p, parts[i].n);
		if (r < 0)
			return r;
		lf->size += (long long)parts[i].n;
	}
	return 0;
}

int logfile_write(struct logfile *lf, const char *stream, const char *buf, size_t len)
{
	char stamp[40];
	int first = 0;

	state_now(stamp);
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;
		int r = logfile_entry(lf, stamp, stream, nl ? 'F' : 'P', buf, n);
		if (r < 0 && !first)
			first = r;
		if (r < 0 && !lf->error)
			lf->error = -r;
		n += nl ? 1 : 0;
		buf += n;
		len -= n;
	}
	return first;
}

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
