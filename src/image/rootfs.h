/* rootfs.h - a container's own writable layer over an image: a directory
 * containers/ID in the store (held by flock while it is made, or while a
 * foreground container lives; a recorded container's record shares it) with
 * upper/ and work/ for an overlay over the image's layer directories (listed
 * in lower), or, where the overlay cannot be mounted, a private copy in rootfs/.
 * Mounting is the runtime's job; this only prepares and removes. */
#ifndef WARREN_ROOTFS_H
#define WARREN_ROOTFS_H

#include <limits.h>
#include <stdbool.h>

#include "idmap.h"
#include "image.h"
#include "store.h"
#include "werr.h"

/* the storage drivers: --storage-driver overlay|fuse-overlay|vfs */
enum rootfs_driver {
	ROOTFS_OVERLAY, /* the kernel's overlayfs, mounted in the user namespace */
	ROOTFS_FUSE,    /* warren-overlay */
	ROOTFS_VFS,     /* a private copy of the layers */
};

struct rootfs_choice {
	enum rootfs_driver driver;
	char why[256]; /* for warren info: the request, or what auto-detection found */
};

/**
 * rootfs_driver_name() - "overlay", "fuse-overlay" or "vfs".
 */
const char *rootfs_driver_name(enum rootfs_driver d);

/**
 * rootfs_driver_choose() - the storage driver: the one @o asks for (the
 * global --storage-driver, $WARREN_STORAGE_DRIVER or warren.conf, see
 * gopts_load()), else the first that works here: the
 * kernel overlay (probed once per store, in a throwaway namespace), then
 * warren-overlay (when it is installed and /dev/fuse is usable), then vfs.
 * Return: 0, or -EINVAL with @err naming an unknown driver and the choices.
 */
int rootfs_driver_choose(struct store *s, const struct gopts *o, const struct idmap_plan *plan,
                         struct rootfs_choice *c, struct werr *err);

struct ctr_rootfs {
	char dir[PATH_MAX + 80]; /* containers/ID */
	int lock_fd;
	bool copy;
	enum rootfs_driver driver;
	char rootfs[PATH_MAX + 100]; /* merged/ (overlay) or rootfs/ (copy) */
	char layers_dir[PATH_MAX + 20];
	char *lowerdir; /* "HEX/diff:...", top first, relative to layers_dir */
	char upper[PATH_MAX + 100], work[PATH_MAX + 100];
	const char *squashfs; /* run IMG.sqsh: the file (mounted at layers_dir) */
};

/* makes a private copy of image @image_id's layers in the new directory
 * @dest (which it creates), in the ID maps of @plan: the copy needs the
 * layer unpacker, which warren-transfer links and warren does not */
typedef int (*rootfs_copy_fn)(const char *image_id, const char *dest, const struct idmap_plan *plan,
                              struct werr *err);

/**
 * rootfs_create() - the writable layer of container @ctr_id over @img, for
 * the storage driver @driver: upper/ and work/ for an overlay (the kernel's
 * or warren-overlay's; mounting is the runtime's job), or a private copy
 * made by @copy for vfs, and for images too deep for one kernel overlay mount.
 * Return: 0 or a negative errno with @err set; nothing is left on failure.
 */
int rootfs_create(struct store *s, const struct image_loaded *img, const char *image_id,
                  const char *ctr_id, const struct idmap_plan *plan, enum rootfs_driver driver,
                  rootfs_copy_fn copy, struct ctr_rootfs *rf, struct werr *err);

/**
 * rootfs_create_sqsh() - container @ctr_id's writable layer over the
 * SquashFS file @file (an absolute path): upper/, work/, merged/ and the
 * empty sqsh/ where squashfuse mounts it, for @driver (the kernel's
 * overlay, or warren-overlay, which single-ID mode always takes; vfs is
 * refused). Records @file as the image.
 * Return: 0 or a negative errno with @err set; nothing is left on failure.
 */
int rootfs_create_sqsh(struct store *s, const char *file, const char *ctr_id,
                       const struct idmap_plan *plan, enum rootfs_driver driver,
                       struct ctr_rootfs *rf, struct werr *err);

/**
 * rootfs_volume_fill() - copy what the image has at @ctr_path (owners, modes,
 * and the directory's own owner and mode) into the volume directory @dir,
 * inside the user namespace of @plan, as Docker does for a new volume; a
 * volume that holds anything already is left as it is.
 * Return: 0 or a negative errno with @err set.
 */
int rootfs_volume_fill(const struct ctr_rootfs *rf, const struct idmap_plan *plan,
                       const char *ctr_path, const char *dir, struct werr *err);

/**
 * rootfs_record() - write @name (e.g. "ports") with @text in the container's
 * directory, for later commands (-P, inspect).
 */
int rootfs_record(struct ctr_rootfs *rf, const char *name, const char *text, struct werr *err);

/**
 * rootfs_release() - hand the container's directory over to its record:
 * unlock it and free @rf, leaving the layer in place (rm removes it).
 */
void rootfs_release(struct ctr_rootfs *rf);

/**
 * rootfs_destroy() - remove the container's directory (inside the user
 * namespace: the upper layer holds files of subordinate IDs).
 */
void rootfs_destroy(struct ctr_rootfs *rf, const struct idmap_plan *plan);

#endif
