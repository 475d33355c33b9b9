/* sqshmount.h - a SquashFS file mounted by squashfuse_ll inside a user
 * namespace (FUSE, no privilege of the host): the lower layer of a
 * container run from a .sqsh, and the source of its volumes' first fill. */
#ifndef WARREN_SQSHMOUNT_H
#define WARREN_SQSHMOUNT_H

#include <sys/types.h>

#include "werr.h"

/**
 * sqshmount_start() - mount @file read-only at the directory @dir of this
 * process's mount namespace (the caller has unshared one, as root of its
 * user namespace) with squashfuse_ll, and wait until the mount is there.
 * squashfuse_ll is this process's child and gets SIGTERM when this process
 * ends (PR_SET_PDEATHSIG, which an exec keeps), and unmounts then.
 * @pid: squashfuse_ll's PID, for sqshmount_stop()
 * Return: 0, or a negative errno with @err saying what failed (the tool
 * missing, with the package to install; it exited; a 30 s timeout).
 */
int sqshmount_start(const char *file, const char *dir, pid_t *pid, struct werr *err);

/**
 * sqshmount_stop() - SIGTERM to @pid and wait for it (it unmounts).
 */
void sqshmount_stop(pid_t pid);

#endif
