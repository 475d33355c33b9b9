/* treecopy.h - copying a directory tree from inside a container's root into
 * a fresh directory, keeping types, modes, owners and times (what Docker does
 * to fill a new anonymous volume from the image). Run it inside the user
 * namespace so owners map through it. */
#ifndef WARREN_TREECOPY_H
#define WARREN_TREECOPY_H

#include "werr.h"

/**
 * treecopy_from_root() - copy the contents of @path (resolved under @rootfd
 * with RESOLVE_IN_ROOT, so a symlink in the image cannot lead out) into the
 * empty directory @dstfd. A missing @path, or one that is not a directory,
 * copies nothing. Symlinks are copied as links; devices, fifos and sockets
 * are skipped.
 * Return: 0 or a negative errno with @err set.
 */
int treecopy_from_root(int rootfd, const char *path, int dstfd, struct werr *err);

#endif
