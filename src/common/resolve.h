/* resolve.h - the one openat2(2) wrapper: every path inside a container
 * root, a layer or a build context is opened through it, relative to a
 * directory fd, never by string concatenation. Nothing here prints. */
#ifndef WARREN_RESOLVE_H
#define WARREN_RESOLVE_H

#include <linux/openat2.h>
#include <stdint.h>
#include <sys/types.h>

/**
 * resolve_openat() - openat2(@dirfd, @path) with @flags | O_CLOEXEC and
 * @resolve | RESOLVE_NO_MAGICLINKS (a /proc magic link never leads out).
 * An empty @path opens @dirfd's directory itself. EINTR and EAGAIN (a
 * rename or mount raced the lookup) are retried.
 * @mode: used with O_CREAT or O_TMPFILE, else ignored
 * @resolve: RESOLVE_IN_ROOT for paths inside a root ("/" is @dirfd),
 *           RESOLVE_BENEATH to refuse any escape, | RESOLVE_NO_SYMLINKS
 * Return: a file descriptor, or -errno (errno is set too).
 */
int resolve_openat(int dirfd, const char *path, int flags, mode_t mode, uint64_t resolve);

/** resolve_open() - resolve_openat() without a mode. */
static inline int resolve_open(int dirfd, const char *path, int flags, uint64_t resolve)
{
	return resolve_openat(dirfd, path, flags, 0, resolve);
}

#endif
