/* storeplace.h - where the image store can live: the filesystem under the
 * store's path (network filesystems and FUSE mounts often cannot hold one:
 * no overlay upper layer, no xattrs, no chown to subordinate IDs), a local
 * place when the default cannot, and the checks a store path must pass
 * before warren creates anything there. */
#ifndef WARREN_STOREPLACE_H
#define WARREN_STOREPLACE_H

#include <stdbool.h>
#include <stddef.h>

#include "werr.h"

enum storeplace_fs {
	STOREPLACE_LOCAL,   /* a disk or memory filesystem: can hold a store */
	STOREPLACE_NETWORK, /* NFS, Lustre, GPFS, CIFS/SMB: cannot */
	STOREPLACE_FUSE,    /* a FUSE mount: it depends, probed */
};

/**
 * storeplace_classify() - the kind of filesystem whose statfs f_type is
 * @magic, with its short name in *@name ("nfs", "fuse"; "" for local ones).
 */
enum storeplace_fs storeplace_classify(unsigned long magic, const char **name);

/**
 * storeplace_verdict() - whether the filesystem at @path (or, while @path
 * does not exist, at its nearest existing parent) can hold a store. Network
 * filesystems cannot (by their statfs magic, no probe); a FUSE mount is
 * probed once (a file made, given a user xattr and chowned, removed) and the
 * verdict cached in the runtime directory for that path and device; local
 * ones can.
 * @why: on "cannot", what is missing ("nfs: the kernel overlay refuses ...")
 * Return: 1 can, 0 cannot (@why filled).
 */
int storeplace_verdict(const char *path, char *why, size_t size);

/**
 * storeplace_local() - a per-user directory on local disk for a store that
 * cannot stay where it is: $XDG_RUNTIME_DIR/warren-store, else
 * /var/tmp/warren-UID (made 0700, used only when it is a directory of ours
 * closed to others, not a symlink), else /tmp/warren-UID-store (the same).
 * Return: 0 with @buf filled, or -ENOENT when no candidate can be used.
 */
int storeplace_local(char *buf, size_t size);

/**
 * storeplace_check() - whether the store @root (named by @from, "--root"
 * and the like, in messages) can be opened or made: an existing directory
 * we can write, or a missing one whose nearest existing parent is a
 * directory we can write. Nothing is created.
 * Return: 0, or a negative errno with @err naming the path and the fix.
 */
int storeplace_check(const char *root, const char *from, struct werr *err);

#endif
