/* run_image.h - what `warren run IMAGE` adds to a run: the image found (or
 * pulled), the container's writable layer, and the image config's
 * Entrypoint, Cmd, Env, WorkingDir, User and ExposedPorts turned
 * into the container spec's terms. CLI glue over src/image. */
#ifndef WARREN_RUN_IMAGE_H
#define WARREN_RUN_IMAGE_H

#include "ctrrun.h"
#include "image.h"
#include "rootfs.h"

#include <limits.h>
#include "store.h"

enum run_pull { RUN_PULL_MISSING, RUN_PULL_ALWAYS, RUN_PULL_NEVER };

struct run_image {
	struct store s;
	struct image_loaded img;
	struct ctr_rootfs rf;
	struct rootfs_choice driver;
	struct overlay_spec ov;
	bool loaded, created;
	bool tls_insecure;    /* --tls-verify=false: the implicit pull too (set
	                    * before run_image_prepare(), which keeps it) */
	enum run_pull pull;   /* --pull, kept as @tls_insecure is */
	const char *platform; /* --platform (this host's), for the pull; kept too */
	char **image_env;
	char **ep, **cmd; /* the argv's strings from the config */
	char *workdir, *user, *stop_signal;
	char image_id[80];   /* "sha256:HEX" */
	char sqsh[PATH_MAX]; /* warren run FILE.sqsh: the file's absolute path */
};

/**
 * run_image_prepare() - find @image in the store (pulling it when missing,
 * progress on stderr) and create container @id's writable layer. An
 * @image that names a SquashFS file (sqsh_operand_p()) is that file, with
 * the config `save --format squashfs` put in it, if any.
 * Return: 0 or a negative errno with @err set.
 */
int run_image_prepare(struct run_image *ri, const char *image, const char *id,
                      const struct idmap_plan *plan, struct werr *err);

/**
 * run_image_argv() - Docker's rule: ENTRYPOINT (or --entrypoint) followed by
 * the given arguments, else by CMD (none when --entrypoint is given).
 * @out: NULL-terminated; the strings belong to @ri or to @argv
 */
int run_image_argv(struct run_image *ri, const char *entrypoint, int argc, char **argv, char ***out,
                   struct werr *err);

/**
 * run_image_keep() - the writable layer now belongs to the container's
 * record: run_image_free() leaves it in place.
 */
void run_image_keep(struct run_image *ri);

/**
 * run_image_free() - remove the container's writable layer, free the rest.
 */
void run_image_free(struct run_image *ri, const struct idmap_plan *plan);

#endif
