/* layer_diff.h - the other direction of unpacking: a container's upper
 * directory (kernel overlay form) written as an image layer, an uncompressed
 * tar whose digest is also its diff ID. Used by commit and build. */
#ifndef WARREN_LAYER_DIFF_H
#define WARREN_LAYER_DIFF_H

#include <stdbool.h>
#include <stdint.h>

#include "digest.h"
#include "idmap.h"
#include "werr.h"

struct layer_diff_result {
	char digest[DIGEST_STR_LEN + 1]; /* of the tar: blob digest and diff ID */
	uint64_t size;                   /* bytes written */
	uint64_t entries;
};

/**
 * layer_diff_write() - write the tree under @dirfd as a layer tar to @out_fd.
 * Overlay whiteouts (0/0 character devices, or files with the
 * user.overlay.whiteout / trusted.overlay.whiteout xattr) become ".wh.NAME"
 * entries; opaque directories (user.overlay.opaque or trusted.overlay.opaque
 * = "y") get a ".wh..wh..opq" entry; hard links inside the tree stay links;
 * user.containers.override_stat gives owner and mode where it is set; other
 * overlay xattrs are left out. Entries are sorted by name, so the same tree
 * gives the same tar. Owners are written as this process sees them: run it
 * inside the container's user namespace (userns_exec()).
 * Return: 0 or a negative errno with @err naming the entry.
 */
int layer_diff_write(int dirfd, int out_fd, struct layer_diff_result *res, struct werr *err);

struct stat;

/* what layer_tar_write() writes, beyond layer_diff_write() */
struct layer_tar_opts {
	const char *arcname; /* the top entry's name in the tar (NULL: its own) */
	bool merged;         /* a container's tree, not an upper dir (cp, export):
	                      * no whiteout or opaque read */
	bool one_fs;         /* another mount below the top (volume, /proc) is an
	                      * entry without content (export) */
	int uid, gid;        /* >= 0: every entry's owner (cp without -a) */
	/* instead of writing a tar, each entry's tar path and stat (diff) */
	int (*visit)(void *arg, const char *path, const struct stat *st, struct werr *err);
	void *visit_arg;
};

/**
 * layer_tar_write() - layer_diff_write() for the entry @name of @dirfd
 * (NULL: every entry in @dirfd) with @o's changes.
 * Return: 0 or a negative errno with @err naming the entry (or what visit
 * returned).
 */
int layer_tar_write(int dirfd, const char *name, const struct layer_tar_opts *o, int out_fd,
                    struct layer_diff_result *res, struct werr *err);

/**
 * layer_diff_userns() - layer_diff_write() of @dirfd to @out_fd in a child
 * that enters the user namespace of @plan (so files of subordinate IDs can
 * be read and keep their owners).
 */
int layer_diff_userns(const struct idmap_plan *plan, int dirfd, int out_fd, struct werr *err);

#endif
