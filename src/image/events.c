/* events.c - the store's event journal (events.h): one JSON line per event
 * in <store>/events.log, appended with one write(2) under O_APPEND; at
 * EVENTS_MAX_BYTES the file becomes events.log.1 and a new one starts. */
#include "events.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int events_path(const struct gopts *g, bool old, char *buf, struct werr *err)
{
	int r = gopts_store(g, err);

	if (r < 0)
		return r;
	if (snprintf(buf, PATH_MAX, "%s/events.log%s", g->root, old ? ".1" : "") >= PATH_MAX)
		return werr_set(err, ENAMETOOLONG, "store path too long");
	return 0;
}

/* an fd for appending to @path, the journal moved aside first when it is
 * full (under an exclusive lock, so that one writer moves it once) */
static int events_open(const char *path, size_t len)
{
	struct stat st, now;
	char old[PATH_MAX + 4];
	int fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);

	if (fd < 0 || fstat(fd, &st) < 0 || st.st_size + (off_t)len <= EVENTS_MAX_BYTES)
		return fd;
	if (flock(fd, LOCK_EX) == 0 && stat(path, &now) == 0 && now.st_ino == st.st_ino &&
	    now.st_size + (off_t)len > EVENTS_MAX_BYTES) {
		snprintf(old, sizeof(old), "%s.1", path);
		rename(path, old);
	}
	close(fd); /* drops the lock */
	return open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
}

void events_log(const struct gopts *g, const char *type, const char *action, const char *id,
                json_t *attrs)
{
	char path[PATH_MAX];
	struct werr err = { 0 };
	struct timespec ts;
	_cleanup_free_ char *line = NULL;
	json_t *ev, *from;
	size_t len;
	int fd;

	if (!attrs)
		attrs = json_object();
	if (!attrs || events_path(g, false, path, &err) < 0 ||
	    clock_gettime(CLOCK_REALTIME, &ts) < 0) {
		json_decref(attrs);
		return;
	}
	ev = json_pack("{s:s, s:s, s:{s:s, s:o}, s:s, s:I, s:I}", "Type", type, "Action", action,
	               "Actor", "ID", id, "Attributes", attrs, "scope", "local", "time",
	               (json_int_t)ts.tv_sec, "timeNano",
	               (json_int_t)ts.tv_sec * 1000000000 + (json_int_t)ts.tv_nsec);
	if (!ev)
		return;
	/* Docker's older fields, still in its messages for containers and images */
	if (!strcmp(type, "container") || !strcmp(type, "image")) {
		json_object_set_new(ev, "status", json_string(action));
		json_object_set_new(ev, "id", json_string(id));
		from = json_object_get(attrs, "image");
		if (from)
			json_object_set(ev, "from", from);
	}
	line = json_dumps(ev, JSON_COMPACT);
	json_decref(ev);
	if (!line)
		return;
	len = strlen(line);
	line[len++] = '\n'; /* json_dumps's terminator becomes the line's end */
	/* the store is made only when it is missing: a start logs four events,
	 * and a mkdir of each path component before each costs more than the write */
	fd = events_open(path, len);
	if (fd < 0 && errno == ENOENT && util_mkdir_p(g->root, 0700, &err) == 0)
		fd = events_open(path, len);
	if (fd < 0)
		return;
	if (write(fd, line, len) < 0) {
		/* best effort: the command itself succeeded */
	}
	close(fd);
}
