/* sqsh.c - SquashFS image files: the run operand's rule and the whole-file
 * check (superblock magic and version, bytes_used against the file's size)
 * with the image config that `save --format squashfs` appends. Opens the
 * file read-only and never writes it. */
#include "sqsh.h"
#include "cleanup.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* the config is an image config blob: a few kB, never this much */
#define SQSH_CONFIG_MAX (16u << 20)

static bool ends_with_p(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);

	return n > m && !strcmp(s + n - m, suffix);
}

bool sqsh_operand_p(const char *arg)
{
	struct stat st;

	/* Docker's reference grammar: a name starts with [a-z0-9] */
	if (arg[0] == '/' || arg[0] == '.')
		return true;
	return (ends_with_p(arg, ".sqsh") || ends_with_p(arg, ".squashfs")) &&
	       stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

static int read_full(int fd, void *buf, size_t n, off_t off)
{
	size_t done = 0;

	while (done < n) {
		ssize_t r = pread(fd, (char *)buf + done, n - done, off + (off_t)done);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r < 0 ? -errno : -EIO;
		done += (size_t)r;
	}
	return 0;
}

/* the config after the SquashFS bytes, if the file has one */
static int sqsh_read_config(int fd, const char *path, uint64_t used, uint64_t size, char **config,
                            size_t *len, struct werr *err)
{
	uint64_t at = (used + SQSH_ALIGN - 1) / SQSH_ALIGN * SQSH_ALIGN;
	size_t tl = strlen(SQSH_TRAILER), n;
	char head[sizeof(SQSH_TRAILER)];
	char *buf;

	if (size <= at)
		return 0;
	if (size - at < tl || size - at - tl > SQSH_CONFIG_MAX ||
	    read_full(fd, head, tl, (off_t)at) < 0 || memcmp(head, SQSH_TRAILER, tl))
		return werr_set(err, EINVAL,
		                "%s: unknown data after the SquashFS image (not written by "
		                "warren save --format squashfs): save it again",
		                path);
	n = (size_t)(size - at - tl);
	buf = malloc(n + 1);
	if (!buf)
		return werr_errno(err, ENOMEM, "%s", path);
	if (read_full(fd, buf, n, (off_t)(at + tl)) < 0) {
		free(buf);
		return werr_errno(err, EIO, "reading the image config of %s", path);
	}
	buf[n] = '\0';
	*config = buf;
	*len = n;
	return 0;
}

int sqsh_probe(const char *path, char **config, size_t *len, struct werr *err)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	unsigned char sb[SQSH_SUPER_SIZE];
	uint64_t used;
	uint16_t major;
	struct stat st;

	*config = NULL;
	*len = 0;
	if (fd < 0)
		return werr_errno(err, errno, "SquashFS image %s", path);
	if (fstat(fd, &st) < 0)
		return werr_errno(err, errno, "%s", path);
	if (!S_ISREG(st.st_mode))
		return werr_set(err, EINVAL,
		                "%s is not a regular file: give a SquashFS image file (a "
		                "directory: --rootfs DIR)",
		                path);
	if (st.st_size < SQSH_SUPER_SIZE || read_full(fd, sb, sizeof(sb), 0) < 0 ||
	    memcmp(sb, SQSH_MAGIC, 4))
		return werr_set(err, EINVAL,
		                "%s is not a SquashFS image (no hsqs superblock): make one with "
		                "warren save --format squashfs -o FILE IMAGE",
		                path);
	memcpy(&major, sb + 28, sizeof(major));
	memcpy(&used, sb + 40, sizeof(used));
	major = le16toh(major);
	used = le64toh(used);
	if (major != 4)
		return werr_set(err, EINVAL, "%s: SquashFS version %u, only 4 can be mounted", path,
		                major);
	if (used > (uint64_t)st.st_size || used < SQSH_SUPER_SIZE)
		return werr_set(
		    err, EINVAL,
		    "%s is truncated: its SquashFS image needs %llu bytes, the file has "
		    "%lld (copy or save it again)",
		    path, (unsigned long long)used, (long long)st.st_size);
	return sqsh_read_config(fd, path, used, (uint64_t)st.st_size, config, len, err);
}
