/* rundir.c - the user's runtime directory (monitor locks, attach sockets,
 * per-container state). Must never use a directory another user could have
 * made: a fixed name in /tmp can be taken first, so without XDG_RUNTIME_DIR
 * the directory has a random name, recorded where only the user can write. */
#include "rundir.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

/* a directory of ours that nobody else can enter: 0 or -errno (-EPERM: it
 * exists but is someone else's, not a directory, or open to others) */
static int rundir_private(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return -errno;
	if (!S_ISDIR(st.st_mode) || st.st_uid != getuid() || (st.st_mode & 077))
		return -EPERM;
	return 0;
}

/* $XDG_RUNTIME_DIR/warren: made if missing, refused with the fix if not ours */
static int rundir_xdg(const char *xdg, char *buf, size_t size, struct werr *err)
{
	if (snprintf(buf, size, "%s/warren", xdg) >= (int)size)
		return werr_set(err, ENAMETOOLONG, "XDG_RUNTIME_DIR too long");
	if (mkdir(buf, 0700) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "create runtime directory %s", buf);
	if (rundir_private(buf) < 0)
		return werr_set(err, EPERM,
		                "runtime directory %s is not a directory of uid %u closed to "
		                "others (remove it, or chmod 0700 it if it is yours)",
		                buf, (unsigned)getuid());
	return 0;
}

/* the record's path: $XDG_STATE_HOME/warren/runtime-dir, else
 * ~/.local/state/warren/runtime-dir (its directory made 0700) */
static int rundir_record_path(char *buf, size_t size, struct werr *err)
{
	const char *state = getenv("XDG_STATE_HOME"), *home = getenv("HOME");
	int n;

	if (state && state[0] == '/')
		n = snprintf(buf, size, "%s/warren", state);
	else if (home && home[0] == '/')
		n = snprintf(buf, size, "%s/.local/state/warren", home);
	else
		return werr_set(err, ENOENT, "neither XDG_STATE_HOME nor HOME is set");
	if (n >= (int)size - 16)
		return werr_set(err, ENAMETOOLONG, "runtime directory record %s: path too long",
		                buf);
	if (util_mkdir_p(buf, 0700, err) < 0)
		return -err->code;
	strcat(buf, "/runtime-dir");
	return 0;
}

/* a fresh random directory in /tmp, written to the record @fd */
static int rundir_make(int fd, const char *record, char *buf, size_t size, struct werr *err)
{
	int n = snprintf(buf, size, "/tmp/warren-%u-XXXXXX", (unsigned)getuid());

	if (n >= (int)size)
		return werr_set(err, ENAMETOOLONG, "runtime directory path too long");
	/* mkdtemp makes it 0700 with O_EXCL semantics: nobody can have made it first */
	if (!mkdtemp(buf))
		return werr_errno(err, errno, "create a runtime directory in /tmp");
	if (rundir_private(buf) < 0)
		return werr_set(err, EPERM, "runtime directory %s is not private", buf);
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, strlen(buf), 0) != (ssize_t)strlen(buf) ||
	    fdatasync(fd) < 0)
		return werr_errno(err, errno, "write %s", record);
	return 0;
}

/* the recorded directory if it is still ours, else a new one, recorded:
 * under the record's lock, so that concurrent warrens agree on one */
static int rundir_recorded(char *buf, size_t size, struct werr *err)
{
	char record[PATH_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	if (rundir_record_path(record, sizeof(record), err) < 0)
		return -err->code;
	fd = open(record, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return werr_errno(err, errno, "open %s", record);
	if (flock(fd, LOCK_EX) < 0)
		return werr_errno(err, errno, "lock %s", record);
	n = pread(fd, buf, size - 1, 0);
	if (n < 0)
		return werr_errno(err, errno, "read %s", record);
	buf[n] = '\0';
	/* a directory cleared with /tmp (a reboot) or taken over is replaced */
	if (buf[0] == '/' && rundir_private(buf) == 0)
		return 0;
	return rundir_make(fd, record, buf, size, err);
}

int rundir_get(char *buf, size_t size, struct werr *err)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");

	if (xdg && xdg[0] == '/' && access(xdg, W_OK | X_OK) == 0)
		return rundir_xdg(xdg, buf, size, err);
	if (rundir_recorded(buf, size, err) < 0)
		return werr_prefix(err, "no runtime directory (set XDG_RUNTIME_DIR to a "
		                        "directory of your own)");
	return 0;
}
