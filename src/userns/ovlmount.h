/* ovlmount.h - the one kernel-overlay mount: every overlay warren mounts
 * (a container's rootfs, the store's probe, a build step's tree) goes
 * through it, so each gets the same option-length check and userxattr. */
#ifndef WARREN_OVLMOUNT_H
#define WARREN_OVLMOUNT_H

#include "werr.h"

/* the kernel copies mount options into one page */
#define OVLMOUNT_DATA_MAX 4096

/**
 * ovlmount_mount() - mount the kernel's overlay at @at, from inside a user
 * namespace (userxattr: trusted.* xattrs are not ours to write there).
 * @base: the directory @lower's entries are relative to (entered for the
 *        mount, then "/" again), which keeps the options within one page
 * @lower: "top:...:bottom"
 * @upper, @work: NULL for a read-only overlay of @lower alone
 * Return: 0, -E2BIG when the options do not fit one page (too many
 * layers), or a negative errno; @err names what failed.
 */
int ovlmount_mount(const char *base, const char *lower, const char *upper, const char *work,
                   const char *at, struct werr *err);

#endif
