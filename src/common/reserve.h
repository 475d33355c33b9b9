/* reserve.h - the store's reserve: a small file of allocated space kept at
 * the store's root and given up when the filesystem fills, so that a
 * container's exit can still be recorded and rm and prune still work. */
#ifndef WARREN_RESERVE_H
#define WARREN_RESERVE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "werr.h"

#define RESERVE_NAME  "reserve"
#define RESERVE_BYTES (1 << 20)

/**
 * reserve_keep() - allocate the reserve in the store at @rootfd if it is
 * missing and the filesystem has room for it; best effort.
 * Return: true when the reserve is in place.
 */
bool reserve_keep(int rootfd);

/**
 * reserve_release() - give the reserve's space back to the filesystem.
 * @store: the store's root, relative to @dirfd
 * Return: true when there was a reserve to give.
 */
bool reserve_release(int dirfd, const char *store);

/** reserve_full_p() - whether @code means the filesystem (or quota) is full. */
bool reserve_full_p(int code);

/**
 * reserve_write_file_atomic() - util_write_file_atomic(); when the
 * filesystem is full, the reserve of the store @store (relative to @dirfd)
 * is released and the write tried once more.
 */
int reserve_write_file_atomic(int dirfd, const char *store, const char *path, const void *buf,
                              size_t len, mode_t mode, struct werr *err);

#endif
