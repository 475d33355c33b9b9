/* state.c - what warren-monitor records in the container's state.json:
 * fields written under the record's lock, as warren writes them, and the
 * note that the log misses output. Never prints: its stdio is /dev/null. */
#include "idle.h"
#include "reserve.h"
#include "statefile.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

/* what could not be recorded goes to the runtime directory (another
 * filesystem than a full store), where warren reads it when it finds the
 * monitor gone and state.json out of date */
static void monitor_state_lost(const struct statefile_field *f, size_t n, const struct werr *err)
{
	char msg[1024];
	size_t o = 0;
	struct werr ignored;

	for (size_t i = 0; i < n && o < sizeof(msg); i++)
		o += (size_t)snprintf(msg + o, sizeof(msg) - o, "%s%s=%s", i ? " " : "", f[i].key,
		                      f[i].json);
	if (o < sizeof(msg))
		snprintf(msg + o, sizeof(msg) - o, " not recorded: %s", err->msg);
	util_write_file_atomic(AT_FDCWD, "state-error", msg, strlen(msg), 0600, &ignored);
}

/**
 * monitor_state_update() - record the fields @f[0..@n) in the container's
 * state.json under the record's lock, as warren does; what cannot be
 * written (a full store, even without its reserve) goes to state-error.
 */
void monitor_state_update(struct monitor *m, const struct statefile_field *f, size_t n)
{
	char path[PATH_MAX + 16], store[PATH_MAX + 8];
	struct werr err;
	int lk, r;

	snprintf(path, sizeof(path), "%s/lock", m->a->record_dir);
	lk = open(path, O_RDWR | O_CLOEXEC);
	while (lk >= 0 && flock(lk, LOCK_EX) < 0 && errno == EINTR)
		;
	snprintf(path, sizeof(path), "%s/state.json", m->a->record_dir);
	/* a container that filled the store: its exit goes into the reserve */
	r = statefile_update(path, f, n, &err);
	if (r < 0 && reserve_full_p(err.code)) {
		snprintf(store, sizeof(store), "%s/../..", m->a->record_dir);
		if (reserve_release(AT_FDCWD, store))
			r = statefile_update(path, f, n, &err);
	}
	if (r < 0)
		monitor_state_lost(f, n, &err);
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
