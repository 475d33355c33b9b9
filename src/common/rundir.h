/* rundir.h - the user's runtime directory: where monitor locks, attach
 * sockets and per-container state live while containers run. */
#ifndef WARREN_RUNDIR_H
#define WARREN_RUNDIR_H

#include <stddef.h>

#include "werr.h"

/**
 * rundir_get() - the user's warren runtime directory: $XDG_RUNTIME_DIR/warren
 * (made 0700; refused when it is not ours or open to others), else a
 * directory /tmp/warren-UID-XXXXXX made by mkdtemp and recorded in
 * $XDG_STATE_HOME/warren/runtime-dir (~/.local/state/warren/runtime-dir):
 * reused while it is ours and 0700, replaced by a new one otherwise. No
 * other user can make it first, as they could a fixed name in /tmp.
 * Return: 0 with @buf filled, or a negative errno with @err naming the fix.
 */
int rundir_get(char *buf, size_t size, struct werr *err);

#endif
