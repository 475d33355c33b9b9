/* layer.h - unpacking stored layer blobs into layer directories in a
 * staging area, in worker processes that each enter the user namespace
 * (userns_exec), so several layers unpack at once while downloads go on. */
#ifndef WARREN_LAYER_H
#define WARREN_LAYER_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "idmap.h"
#include "image.h"
#include "store.h"
#include "unpack.h"
#include "werr.h"

struct layer_job {
	char blob[DIGEST_STR_LEN + 1];
	char blob_file[128];  /* the blob in staging (not yet in the store), or "" */
	char name[32];        /* directory in staging: NAME/diff, NAME/size */
	bool follow;          /* blob_file is still downloading; the eventfd */
	int follow_fd;        /* follow_fd counts its writes (unpack_opts) */
	uint64_t follow_size; /* its full size then */
	pid_t pid;            /* worker, 0 when not started or reaped */
	int res_fd;           /* worker's result pipe */
	uint64_t bytes;
	unsigned skipped_devices;
	int ret; /* 0 or negative errno once reaped */
	struct werr err;
};

/**
 * layer_unpack_start() - fork a worker that unpacks blob @job->blob (from
 * @job->blob_file in staging when set, else from the store) into staging @st
 * as @job->name/diff (whiteouts in overlay form). With @job->follow_fd the
 * worker reads blob_file while it is written, as the eventfd tells.
 * Return: 0 or a negative errno with @err set.
 */
int layer_unpack_start(struct store *s, struct staging *st, const struct idmap_plan *plan,
                       struct layer_job *job, struct werr *err);

/**
 * layer_unpack_wait() - wait for @job's worker; fills ret/err/bytes.
 * Return: @job->ret.
 */
int layer_unpack_wait(struct layer_job *job);

/**
 * layer_apply() - copy mode: unpack blob @blob into the directory @dirfd,
 * applying whiteouts, inside the user namespace of @plan.
 */
int layer_apply(struct store *s, const struct idmap_plan *plan, const char *blob, int dirfd,
                struct werr *err);

/**
 * layer_apply_image() - copy mode: a private copy of @img's root filesystem
 * in the new directory @dest, every layer applied in order.
 * Return: 0 or a negative errno with @err set (the caller removes @dest).
 */
int layer_apply_image(struct store *s, const struct image_loaded *img,
                      const struct idmap_plan *plan, const char *dest, struct werr *err);

#endif
