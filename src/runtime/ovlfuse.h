/* ovlfuse.h - a container's root filesystem served by warren-overlay (the
 * fuse-overlay storage driver): started by the parent in the container's
 * user namespace, in a mount namespace of its own, it hands over a detached
 * copy of its mount, which the container's process attaches at its rootfs. */
#ifndef WARREN_OVLFUSE_H
#define WARREN_OVLFUSE_H

#include <stdbool.h>
#include <sys/types.h>

#include "werr.h"

struct overlay_spec;

/**
 * ovlfuse_start() - run warren-overlay for @o in the user namespace of
 * process @pid (the container's, its ID maps written) and wait until it has
 * mounted @mountpoint. With @o->squashfs, squashfuse_ll first mounts the
 * file as the lower layer; without @o->fuse (the kernel's overlay), that
 * mount is what comes back, for the container to mount the overlay on.
 * @daemon: its pid (warren-overlay, or the holder of squashfuse_ll, which
 *          ends by itself too once the container's mount is gone), to stop
 *          with ovlfuse_stop()
 * Return: the mount as a detached-tree fd (for move_mount), or a negative
 * errno with @err set.
 */
int ovlfuse_start(const struct overlay_spec *o, const char *mountpoint, pid_t pid, pid_t *daemon,
                  struct werr *err);

/**
 * ovlfuse_stop() - end warren-overlay @daemon (when the container has
 * exited) and reap it; nothing for 0.
 * Return: the signal that had killed it before we asked it to stop (it
 * died under the container), else 0.
 */
int ovlfuse_stop(pid_t daemon);

#endif
