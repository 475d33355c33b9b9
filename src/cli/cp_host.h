/* cp_host.h - the host side of `warren cp` out of a container: the tar
 * stream copied to stdout, or unpacked into a host directory as the calling
 * user (owners are not kept), never through a symlink or above the directory. */
#ifndef WARREN_CP_HOST_H
#define WARREN_CP_HOST_H

#include "werr.h"

#include <stdbool.h>

/**
 * cp_host_copy() - copy @in to @out until EOF.
 * Return: 0 or a negative errno with @err set.
 */
int cp_host_copy(int in, int out, struct werr *err);

/**
 * cp_host_extract() - unpack the tar on @in into the directory @dir: no
 * absolute names, no "..", no extraction through a symlink; modes and times
 * kept, owners the caller's. Setuid and setgid are dropped unless
 * @keep_setid (cp -a).
 * Return: 0 or a negative errno with @err naming the entry.
 */
int cp_host_extract(int in, const char *dir, bool keep_setid, struct werr *err);

#endif
