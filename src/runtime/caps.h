/* caps.h - Linux capabilities of the container's processes: Docker's default
 * set, --cap-add/--cap-drop names, and applying a set just before exec. */
#ifndef WARREN_CAPS_H
#define WARREN_CAPS_H

#include <stdbool.h>
#include <stdint.h>

#include "werr.h"

/* a set of capabilities: bit N is capability number N (CAP_CHOWN = 0 ...) */
typedef uint64_t caps_mask_t;

/**
 * caps_default() - Docker's default capability set (CHOWN, DAC_OVERRIDE,
 * FOWNER, FSETID, KILL, SETGID, SETUID, SETPCAP, NET_BIND_SERVICE, NET_RAW,
 * SYS_CHROOT, MKNOD, AUDIT_WRITE, SETFCAP).
 */
caps_mask_t caps_default(void);

/**
 * caps_all() - every capability the running kernel knows (for --privileged
 * and "ALL").
 */
caps_mask_t caps_all(void);

/**
 * caps_from_name() - "NET_ADMIN", "CAP_NET_ADMIN", "net_admin" or "ALL".
 * Return: 0 with *@mask set, or -EINVAL with @err naming the bad name and
 * how to list valid ones.
 */
int caps_from_name(const char *name, caps_mask_t *mask, struct werr *err);

/**
 * caps_to_name() - "CAP_NET_ADMIN" for a number, NULL when unknown.
 */
const char *caps_to_name(int cap);

/**
 * caps_apply() - make @keep the process's capabilities, to be called in the
 * container's process after setgroups/setgid but before setuid and exec:
 * drops every other capability from the bounding set, sets permitted,
 * effective and inheritable to @keep and keeps them across the uid change
 * when @uid is 0 inside. For a non-root @uid the kernel clears permitted and
 * effective on exec (Docker's behaviour); the bounding set keeps @keep.
 * Allocation-free: safe between fork and exec.
 * Return: 0 or a negative errno with @err set.
 */
int caps_apply(caps_mask_t keep, struct werr *err);

#endif
