/* ctrpath.c - cp's path resolution inside a container's root: every step
 * is one component opened below a held root fd (openat2, RESOLVE_IN_ROOT,
 * no symlink followed by the kernel), symlinks are read and re-rooted here,
 * and ".." never climbs above the root: it is refused instead. */
#include "ctrpath.h"
#include "cleanup.h"
#include "resolve.h"

#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CTRPATH_MAX   4096
#define CTRPATH_LINKS 40 /* the kernel's MAXSYMLINKS */

int ctrpath_open(int rootfd, const char *rel, int flags)
{
	return resolve_open(rootfd, rel, flags, RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
}

/* @out += "/" @comp */
static int ctrpath_push(char *out, size_t size, const char *comp, size_t len)
{
	size_t dlen = strlen(out);

	if (dlen + len + 2 > size)
		return -ENAMETOOLONG;
	if (dlen)
		out[dlen++] = '/';
	memcpy(out + dlen, comp, len);
	out[dlen + len] = '\0';
	return 0;
}

static void ctrpath_pop(char *out)
{
	char *s = strrchr(out, '/');

	if (s)
		*s = '\0';
	else
		out[0] = '\0';
}

/* what component @comp below the resolved @out is: 'l' a symlink to read,
 * 'm' missing, 'd' a directory, 'f' anything else */
static int ctrpath_kind(int rootfd, const char *out, const char *comp, char *target, size_t tsize,
                        const char *path, struct werr *err)
{
	_cleanup_close_ int pfd = ctrpath_open(rootfd, out, O_PATH | O_DIRECTORY);
	struct stat st;
	ssize_t n;

	if (pfd < 0)
		return werr_errno(err, -pfd, "%s in the container", path);
	if (fstatat(pfd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 'm' : werr_errno(err, errno, "%s in the container", path);
	if (!S_ISLNK(st.st_mode))
		return S_ISDIR(st.st_mode) ? 'd' : 'f';
	n = readlinkat(pfd, comp, target, tsize - 1);
	if (n < 0)
		return werr_errno(err, errno, "%s in the container", path);
	target[n] = '\0';
	return 'l';
}

int ctrpath_resolve(int rootfd, const char *path, bool follow_last, char *out, size_t size,
                    struct werr *err)
{
	char rest[CTRPATH_MAX], target[CTRPATH_MAX], comp[NAME_MAX + 1];
	const char *p = rest;
	int links = 0;

	if (snprintf(rest, sizeof(rest), "%s", path) >= (int)sizeof(rest) || size == 0)
		return werr_set(err, ENAMETOOLONG, "%s: path too long", path);
	out[0] = '\0';
	for (;;) {
		const char *end;
		size_t len;
		bool last;
		int kind;

		while (*p == '/')
			p++;
		if (!*p)
			return 0;
		end = strchrnul(p, '/');
		len = (size_t)(end - p);
		last = end[strspn(end, "/")] == '\0';
		if (len > NAME_MAX)
			return werr_set(err, ENAMETOOLONG, "%s: name too long", path);
		if (len == 1 && p[0] == '.') {
			p = end;
			continue;
		}
		if (len == 2 && p[0] == '.' && p[1] == '.') {
			if (!out[0])
				return werr_set(
				    err, EXDEV,
				    "%s leaves the container's root (through \"..\" or a "
				    "symlink): give a path inside the container",
				    path);
			ctrpath_pop(out);
			p = end;
			continue;
		}
		memcpy(comp, p, len);
		comp[len] = '\0';
		kind = ctrpath_kind(rootfd, out, comp, target, sizeof(target), path, err);
		if (kind < 0)
			return kind;
		if (kind == 'm' && !last)
			return werr_set(err, ENOENT,
			                "%s: no such file or directory in the container", path);
		if (kind == 'f' && !last)
			return werr_set(err, ENOTDIR, "%s: not a directory in the container", path);
		if (kind != 'l' || (last && !follow_last)) {
			if (ctrpath_push(out, size, comp, len) < 0)
				return werr_set(err, ENAMETOOLONG, "%s: path too long", path);
			p = end;
			continue;
		}
		if (++links > CTRPATH_LINKS)
			return werr_set(err, ELOOP, "%s: too many levels of symbolic links", path);
		/* the target, then what was left after the link */
		if (strlen(target) + strlen(end) + 1 > sizeof(rest))
			return werr_set(err, ENAMETOOLONG, "%s: path too long", path);
		if (target[0] == '/')
			out[0] = '\0';
		memmove(rest + strlen(target), end, strlen(end) + 1);
		memcpy(rest, target, strlen(target));
		p = rest;
	}
}
