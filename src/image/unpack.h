/* unpack.h - unpacking one image layer (a tar stream) into a directory.
 * Every path is resolved below the layer's directory fd; an entry that would
 * land outside it refuses the whole layer. */
#ifndef WARREN_UNPACK_H
#define WARREN_UNPACK_H

#include <stdbool.h>
#include <sys/types.h>
#include <stdint.h>

#include "werr.h"

/* the xattr that keeps owner and mode where the namespace cannot represent
 * them (single-ID mode): "UID:GID:MODE", MODE in octal with the type bits,
 * as fuse-overlayfs and containers/storage read it */
#define UNPACK_XATTR_OVERRIDE_STAT "user.containers.override_stat"

enum unpack_whiteouts {
	/* the layer dir becomes a kernel overlay lowerdir, mounted with
	 * userxattr in a user namespace: a whiteout is a 0/0 character device
	 * (which Linux >= 5.8 lets an unprivileged namespace root create), an
	 * opaque directory carries user.overlay.opaque="y" */
	UNPACK_WHITEOUT_OVERLAY,
	/* copy mode: dirfd already holds the merged tree of the lower layers;
	 * whiteouts delete from it, opaque markers empty the directory of
	 * everything this layer did not create */
	UNPACK_WHITEOUT_APPLY,
	/* a user's archive (warren cp, cp -): no name is a whiteout, ".wh.x"
	 * and ".wh..wh..opq" are files like any other (as Docker's cp) */
	UNPACK_WHITEOUT_NONE,
	/* a user's archive bound for an image layer (a build's ADD): a name
	 * starting with ".wh." would be a whiteout in the layer (OCI image
	 * spec, layer.md), so an entry with one is refused */
	UNPACK_WHITEOUT_REFUSE,
};

struct unpack_opts {
	enum unpack_whiteouts whiteouts;
	bool owner_root; /* every entry belongs to the namespace's root, whatever the
	                  * tar says (warren cp without -a, as Docker) */
	bool owner_set;  /* every entry belongs to @uid:@gid (ADD --chown) */
	uid_t uid;
	gid_t gid;
	/* a blob still being downloaded into the file: read it as it grows,
	 * up to @follow_size bytes; @follow_fd is an eventfd the downloader
	 * adds to after each write, and adds UNPACK_FOLLOW_ABORT to when the
	 * download failed */
	bool follow;
	int follow_fd;
	uint64_t follow_size;
};

#define UNPACK_FOLLOW_ABORT ((uint64_t)1 << 40)

struct unpack_stats {
	uint64_t files;           /* entries created: files, directories, links, nodes */
	uint64_t bytes;           /* file data written */
	unsigned skipped_devices; /* device nodes the namespace may not create (not in files) */
};

/**
 * unpack_layer() - unpack the tar stream on @fd into @dirfd.
 * @fd: gzip, zstd or plain tar, autodetected; read as it arrives (a pipe or
 *      a socket is fine), never seeked
 * @dirfd: the layer's directory (OVERLAY: a fresh empty dir; APPLY: the
 *         merged tree of the lower layers)
 * @stats: may be NULL; filled as far as the unpack went
 *
 * Owners come from the tar header as numbers: run this inside the user
 * namespace (userns_exec()) so they map to the subordinate IDs. Where the
 * namespace cannot represent an owner (chown fails with EINVAL or EPERM), the
 * file stays ours and regular files and directories get
 * UNPACK_XATTR_OVERRIDE_STAT. Device nodes that cannot be created are
 * skipped and counted in @stats (warning about them is the caller's job).
 *
 * Whiteouts (".wh.NAME", ".wh..wh..opq") are read as @opts->whiteouts says;
 * only image layers have them, never an archive a user gives.
 *
 * An entry with an absolute path or a ".." component, one whose parent path
 * goes through a symlink (anywhere), or a hard link whose target is outside
 * the layer refuses the layer: the error names the entry ("layer entry ../x
 * escapes the layer root"). After any error the directory holds a partial
 * layer: the caller MUST discard it (never mount or record it).
 *
 * Parents missing from the tar are made 0755 and owned by the namespace's
 * root; in OVERLAY mode such a directory hides the lower layer's mode and
 * owner for that path (image builders always write the parents).
 *
 * Return: 0, or a negative errno with @err set.
 */
int unpack_layer(int fd, int dirfd, const struct unpack_opts *opts, struct unpack_stats *stats,
                 struct werr *err);

#endif
