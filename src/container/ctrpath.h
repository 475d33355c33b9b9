/* ctrpath.h - paths inside a container's root for cp: resolved one
 * component at a time below a root fd, symlinks read as if the container's
 * root were "/", and any attempt to climb above the root refused. */
#ifndef WARREN_CTRPATH_H
#define WARREN_CTRPATH_H

#include <stdbool.h>
#include <stddef.h>

#include "werr.h"

/**
 * ctrpath_resolve() - resolve @path (absolute or relative to the root)
 * below @rootfd into @out: components separated by "/", no leading slash
 * ("" is the root), no symlink left in it except the last component when
 * !@follow_last. An absolute symlink target starts again at the root; a
 * ".." (given or in a symlink's target) that would climb above the root
 * fails. A missing last component is fine (cp creates it).
 * Return: 0; -EXDEV when the path leaves the root, -ENOENT when a parent is
 * missing, -ENOTDIR, -ELOOP (more than 40 links), each with @err naming @path.
 */
int ctrpath_resolve(int rootfd, const char *path, bool follow_last, char *out, size_t size,
                    struct werr *err);

/**
 * ctrpath_open() - open @rel (a ctrpath_resolve() result) below @rootfd
 * with @flags, RESOLVE_IN_ROOT and no symlink or magic link followed, so a
 * path the container changes after resolving can fail but never escape.
 * Return: the fd or -errno.
 */
int ctrpath_open(int rootfd, const char *rel, int flags);

#endif
