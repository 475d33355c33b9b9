/* state.c - what warren-monitor records in the container's state.json:
 * fields written under the record's lock, as warren writes them, and the
 * note that the log misses output. Never prints: its stdio is /dev/null. */
#include "idle.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/**
 * monitor_state_update() - record the fields @f[0..@n) in the container's
 * state.json under the record's lock, as warren does; a failure is dropped
 * (there is nowhere to report it).
 */
void monitor_state_update(struct monitor *m, const struct statefile_field *f, size_t n)
{
	char path[PATH_MAX + 16];
	struct werr err;
	int lk;

	snprintf(path, sizeof(path), "%s/lock", m->a->record_dir);
	lk = open(path, O_RDWR | O_CLOEXEC);
	while (lk >= 0 && flock(lk, LOCK_EX) < 0 && errno == EINTR)
		;
	snprintf(path, sizeof(path), "%s/state.json", m->a->record_dir);
	statefile_update(path, f, n, &err);
	if (lk >= 0)
		close(lk);
}

void monitor_log_error(struct monitor *m)
{
	char msg[512], json[1100];
	struct werr err;

	if (!m->log.error || m->log_error_saved)
		return;
	m->log_error_saved = true;
	snprintf(msg, sizeof(msg),
	         "writing the log %s: %s (the container keeps running; output is dropped "
	         "until there is room)",
	         m->log.path, strerror(m->log.error));
	/* the runtime directory is on another filesystem than a full store */
	util_write_file_atomic(AT_FDCWD, "log-error", msg, strlen(msg), 0600, &err);
	monitor_state_update(
	    m, &(struct statefile_field){ "LogError", statefile_string(json, sizeof(json), msg) },
	    1);
}
