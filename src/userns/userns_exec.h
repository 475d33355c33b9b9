/* userns_exec.h - run a function as root of a fresh user namespace with the
 * planned ID maps, e.g. to unpack a layer so that its owners map to the
 * subordinate IDs. */
#ifndef WARREN_USERNS_EXEC_H
#define WARREN_USERNS_EXEC_H

#include "idmap.h"
#include "werr.h"

/**
 * userns_exec() - run @fn(@arg, err) in a forked child that unshares a user
 * namespace whose maps the parent writes from @plan (idmap_write()).
 *
 * The child runs as uid/gid 0 of the namespace when the plan maps 0 (else as
 * the mapped user), with every capability in the namespace. It is a separate
 * process: its memory is its own, so anything but the return code and the
 * error message (which travel back over a pipe) must come back through a file
 * descriptor or MAP_SHARED memory mapped before the call. File descriptors
 * are inherited. The child dies with the parent (PR_SET_PDEATHSIG).
 *
 * Return: what @fn returned (0 or a negative errno, with @err filled from
 * the child's), or a negative errno with @err set when the namespace could
 * not be made or the child died without a result.
 */
int userns_exec(const struct idmap_plan *plan, int (*fn)(void *arg, struct werr *err), void *arg,
                struct werr *err);

/**
 * userns_become_root() - in a user namespace with @plan's maps (made or
 * joined), become its root where the plan maps it and drop the
 * supplementary groups where setgroups is allowed.
 * Return: 0 or a negative errno with @err set.
 */
int userns_become_root(const struct idmap_plan *plan, struct werr *err);

/**
 * userns_denied_why() - the one-line reason the kernel refused a new user
 * namespace with errno @e, read from the sysctls that can forbid it under
 * @proc_sys (NULL: /proc/sys; another directory in unit tests):
 * user.max_user_namespaces, kernel.unprivileged_userns_clone (Debian's
 * older kernels) and kernel.apparmor_restrict_unprivileged_userns (Ubuntu
 * 23.10 and later), each with the administrator's fix, into @buf.
 */
void userns_denied_why(int e, const char *proc_sys, char *buf, size_t size);

#endif
