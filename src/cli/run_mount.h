/* run_mount.h - the mounts of `run` and `create`: -v, --mount, --volumes-from
 * and the image's VOLUMEs turned into mount specs, with Docker's rules for
 * volumes: a new volume gets the image's content first, and the anonymous
 * ones a run made go with it unless a record keeps them. CLI glue over
 * container/volume.h and image/rootfs.h. */
#ifndef WARREN_RUN_MOUNT_H
#define WARREN_RUN_MOUNT_H

#include "run_image.h"

/* a store volume asked for by -v or --mount, made only once every option
 * parsed, so that bad input leaves the store as it was */
struct run_vol_req {
	size_t idx;  /* its mount in run_vols.mounts (src set when made) */
	char *name;  /* NULL: an anonymous volume */
	bool nocopy; /* :nocopy, volume-nocopy: not filled from the image */
};

struct run_vols {
	struct mount_spec *mounts;
	size_t n_mounts;
	struct run_vol_req *reqs;
	size_t n_reqs;
	char **from; /* --volumes-from values, resolved by run_vols_prepare() */
	size_t n_from;
	char **anon; /* anonymous volumes made for this container */
	size_t n_anon;
};

/** run_vols_volume() - one -v SRC:DST[:OPTS], DST (anonymous) or NAME:DST. */
int run_vols_volume(struct run_vols *rv, const char *v, struct werr *err);

/** run_vols_mount() - one --mount type=bind|volume|tmpfs,KEY=VALUE,... */
int run_vols_mount(struct run_vols *rv, const char *v, struct werr *err);

/** run_vols_from() - one --volumes-from CONTAINER[:ro|rw], kept for later. */
int run_vols_from(struct run_vols *rv, const char *v, struct werr *err);

/** run_vols_push() - append @m (its strings now belong to @rv). */
int run_vols_push(struct run_vols *rv, struct mount_spec *m, struct werr *err);

/**
 * run_vols_check() - refuse two mounts of the command line (-v, --mount,
 * --tmpfs) at one destination, as Docker's daemon does, before anything is
 * made. Return: 0 or -EINVAL with @err set ("Duplicate mount point: /x").
 */
int run_vols_check(const struct run_vols *rv, struct werr *err);

/**
 * run_vols_prepare() - after parsing: the mounts of --volumes-from, the
 * volumes asked for, an anonymous volume for each of the image's VOLUMEs
 * (@ri, NULL for --rootfs) not mounted otherwise, and each new volume
 * filled from the image in the ID maps of @plan.
 * Return: 0 or a negative errno with @err set.
 */
int run_vols_prepare(struct run_vols *rv, struct run_image *ri, const struct idmap_plan *plan,
                     struct werr *err);

/** run_vols_remove_anon() - remove the anonymous volumes this run made. */
void run_vols_remove_anon(struct run_vols *rv);

void run_vols_free(struct run_vols *rv);

#endif
