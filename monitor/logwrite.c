/* logwrite.c - the container log as warren-monitor writes it: no
 * allocation per chunk, rotation by renaming (ctr.log -> ctr.log.1 ...),
 * and a write error never stops the container, it is only recorded. */
#include "logwrite.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

void logwrite_init(struct logwrite *lw, int fd, const char *path, long long max_size, int max_file)
{
	struct stat st;

	*lw = (struct logwrite){ fd, path, 0, max_size, max_file > 0 ? max_file : 1, 0 };
	if (fd >= 0 && fstat(fd, &st) == 0)
		lw->size = st.st_size;
}

/* with max_file 1 the old entries are dropped */
static void logwrite_rotate(struct logwrite *lw)
{
	char from[4200], to[4200];

	for (int i = lw->max_file - 1; i >= 1; i--) {
		if (i == 1)
			snprintf(from, sizeof(from), "%s", lw->path);
		else
			snprintf(from, sizeof(from), "%s.%d", lw->path, i - 1);
		snprintf(to, sizeof(to), "%s.%d", lw->path, i);
		rename(from, to);
	}
	if (lw->max_file == 1 && ftruncate(lw->fd, 0) == 0) {
		lw->size = 0;
		return;
	}
	close(lw->fd);
	lw->fd = open(lw->path, O_WRONLY | O_APPEND | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	lw->size = 0;
}

static int logwrite_entry(struct logwrite *lw, const char *stamp, const char *stream, char tag,
                          const char *data, size_t len)
{
	char head[80];
	int hn = snprintf(head, sizeof(head), "%s %s %c ", stamp, stream, tag);
	const struct {
		const char *p;
		size_t n;
	} parts[3] = { { head, (size_t)hn }, { data, len }, { "\n", 1 } };

	if (lw->max_size && lw->size + hn + (long long)len + 1 > lw->max_size && lw->size > 0)
		logwrite_rotate(lw);
	if (lw->fd < 0)
		return -EBADF;
	for (int i = 0; i < 3; i++) {
		int r = util_write_all(lw->fd, parts[i].p, parts[i].n);
		if (r < 0)
			return r;
		lw->size += (long long)parts[i].n;
	}
	return 0;
}

int logwrite_chunk(struct logwrite *lw, const char *stream, const char *buf, size_t len)
{
	char stamp[40];
	int first = 0;

	util_now_rfc3339(stamp);
	while (len > 0) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? (size_t)(nl - buf) : len;
		int r = logwrite_entry(lw, stamp, stream, nl ? 'F' : 'P', buf, n);
		if (r < 0 && !first)
			first = r;
		if (r < 0 && !lw->error)
			lw->error = -r;
		n += nl ? 1 : 0;
		buf += n;
		len -= n;
	}
	return first;
}
