/* cp_host.c - the host side of `warren cp` out of a container: the stream
 * to stdout, or libarchive's disk writer with its secure flags in the
 * destination directory. It must never write outside that directory. */
#include "cp_host.h"
#include "cleanup.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define CP_HOST_BUF (128 * 1024)

int cp_host_copy(int in, int out, struct werr *err)
{
	_cleanup_free_ char *buf = malloc(CP_HOST_BUF);

	if (!buf)
		return werr_errno(err, ENOMEM, "cp");
	for (;;) {
		ssize_t n = read(in, buf, CP_HOST_BUF);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return werr_errno(err, errno, "reading the archive");
		if (n == 0)
			return 0;
		if (util_write_all(out, buf, (size_t)n) < 0)
			return werr_errno(err, errno, "writing the archive");
	}
}

/* Everything copied out becomes the caller's (owners are never kept on the
 * host), and a change of owner clears setuid and setgid, as chown(2) does:
 * else a container could leave a world-executable program that runs as the
 * caller. libarchive clears them only when the entry's owner number differs
 * from the caller's, a number the container chooses. With -a (@keep) the
 * mode is the container's, setuid included, as Docker's cp keeps it; the
 * entry then names the caller as its owner, so libarchive keeps it too. */
static void cp_host_mode(struct archive_entry *e, bool keep)
{
	if (keep) {
		archive_entry_set_uid(e, geteuid());
		archive_entry_set_gid(e, getegid());
	} else {
		archive_entry_set_perm(e, archive_entry_perm(e) & ~(mode_t)(S_ISUID | S_ISGID));
	}
}

static int cp_host_entries(struct archive *in, struct archive *out, bool keep, struct werr *err)
{
	struct archive_entry *e;
	int r;

	while ((r = archive_read_next_header(in, &e)) == ARCHIVE_OK || r == ARCHIVE_WARN) {
		const void *buf;
		size_t len;
		la_int64_t off;

		cp_host_mode(e, keep);
		if (archive_write_header(out, e) < ARCHIVE_WARN)
			return werr_set(err, EIO, "%s: %s", archive_entry_pathname(e),
			                archive_error_string(out));
		while ((r = archive_read_data_block(in, &buf, &len, &off)) == ARCHIVE_OK)
			if (archive_write_data_block(out, buf, len, off) < ARCHIVE_WARN)
				return werr_set(err, EIO, "%s: %s", archive_entry_pathname(e),
				                archive_error_string(out));
		if (r != ARCHIVE_EOF)
			return werr_set(err, EIO, "reading the archive: %s",
			                archive_error_string(in));
		if (archive_write_finish_entry(out) < ARCHIVE_WARN)
			return werr_set(err, EIO, "%s: %s", archive_entry_pathname(e),
			                archive_error_string(out));
	}
	if (r != ARCHIVE_EOF)
		return werr_set(err, EIO, "reading the archive: %s", archive_error_string(in));
	return 0;
}

int cp_host_extract(int in, const char *dir, bool keep_setid, struct werr *err)
{
	struct archive *a = archive_read_new(), *w = archive_write_disk_new();
	_cleanup_close_ int cwd = open(".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	int r;

	if (!a || !w) {
		r = werr_errno(err, ENOMEM, "cp");
		goto out;
	}
	archive_read_support_format_tar(a);
	archive_read_support_format_empty(a);
	archive_write_disk_set_options(
	    w, ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM | ARCHIVE_EXTRACT_SECURE_SYMLINKS |
	           ARCHIVE_EXTRACT_SECURE_NODOTDOT | ARCHIVE_EXTRACT_SECURE_NOABSOLUTEPATHS);
	if (archive_read_open_fd(a, in, CP_HOST_BUF) != ARCHIVE_OK) {
		r = werr_set(err, EIO, "reading the archive: %s", archive_error_string(a));
		goto out;
	}
	/* the disk writer resolves names against the working directory */
	if (chdir(dir) < 0) {
		r = werr_errno(err, errno, "%s", dir);
		goto out;
	}
	r = cp_host_entries(a, w, keep_setid, err);
	if (r == 0 && archive_write_close(w) != ARCHIVE_OK)
		r = werr_set(err, EIO, "%s: %s", dir, archive_error_string(w));
	if (cwd >= 0 && fchdir(cwd) < 0 && r == 0)
		r = werr_errno(err, errno, "returning to the working directory");
out:
	if (a)
		archive_read_free(a);
	if (w)
		archive_write_free(w);
	return r;
}
