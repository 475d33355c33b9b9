/* run_image.c - the image side of `warren run IMAGE`: lookup or implicit
 * pull, the container's writable layer, and the image config mapped onto
 * the container spec (Docker's semantics for ENTRYPOINT and CMD). */
#include "run_image.h"
#include "commands.h"
#include "climage.h"
#include "manifest.h"
#include "sqsh.h"
#include "transfer.h"
#include "cleanup.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static char *config_dup(const struct image_config *c, const char *key)
{
	const char *v = config_string(c, key);

	return v && *v ? strdup(v) : NULL;
}

/* whether the image's config is for @platform ("os/arch[/variant]") */
static bool platform_match_p(const struct image_config *c, const char *platform)
{
	char os[64], arch[64], var[64];
	struct werr ignored;

	if (manifest_parse_platform(platform, os, arch, var, &ignored) < 0)
		return false;
	return (!c->os[0] || !strcmp(c->os, os)) && (!c->arch[0] || !strcmp(c->arch, arch));
}

static json_t *find_or_pull(struct run_image *ri, json_t **images, const char *image,
                            const struct idmap_plan *plan, struct werr *err)
{
	char id[DIGEST_STR_LEN + 1];
	json_t *rec = store_image_find(*images, image, err);
	const char *argv[6] = { "pull" };
	size_t n = 1;
	char *nl;

	if (ri->pull != RUN_PULL_ALWAYS && (rec || err->code != ENOENT))
		return rec;
	if (ri->pull == RUN_PULL_NEVER) {
		werr_set(err, ENOENT,
		         "image %s is not in the store and --pull=never: pull it first (warren "
		         "pull %s) or drop --pull=never",
		         image, image);
		return NULL;
	}
	if (ri->tls_insecure)
		argv[n++] = "--tls-verify=false";
	if (ri->platform) {
		argv[n++] = "--platform";
		argv[n++] = ri->platform;
	}
	argv[n++] = image;
	*err = (struct werr){ 0 };
	if (!rec)
		fprintf(stderr, "Unable to find image '%s' locally\n", image);
	/* the pull prints the image ID on stdout: take it from there */
	if (transfer_run(argv, id, sizeof(id), err) < 0)
		return NULL;
	nl = strchr(id, '\n');
	if (nl)
		*nl = '\0';
	json_decref(*images);
	*images = NULL;
	if (store_images_load(&ri->s, images, err) < 0)
		return NULL;
	return store_image_find(*images, id, err);
}

/* the overlay of the container made (@sqsh: its lower layer is that file,
 * mounted), and the config's defaults, which run maps onto the container */
static void run_image_defaults(struct run_image *ri, const char *sqsh)
{
	ri->ov = (struct overlay_spec){ ri->rf.layers_dir,
		                        ri->rf.lowerdir,
		                        ri->rf.upper,
		                        ri->rf.work,
		                        ri->rf.driver == ROOTFS_FUSE,
		                        sqsh };
	ri->image_env = config_string_array(&ri->img.cfg, "Env");
	ri->workdir = config_dup(&ri->img.cfg, "WorkingDir");
	ri->user = config_dup(&ri->img.cfg, "User");
	ri->stop_signal = config_dup(&ri->img.cfg, "StopSignal");
}

/* warren run FILE.sqsh: the file checked whole, its config (none in a file
 * mksquashfs made: then the command must be given), a writable layer */
static int run_image_sqsh(struct run_image *ri, const char *file, const char *id,
                          const struct idmap_plan *plan, struct werr *err)
{
	char *config;
	size_t len;
	int r;

	if (!realpath(file, ri->sqsh))
		return werr_errno(err, errno, "SquashFS image %s", file);
	r = sqsh_probe(ri->sqsh, &config, &len, err);
	if (r < 0)
		return r;
	if (config) {
		r = config_parse(config, len, &ri->img.cfg, err);
		free(config);
		if (r < 0)
			return werr_prefix(err, "the image config in %s", file);
		ri->loaded = true;
	}
	r = rootfs_driver_choose(&ri->s, cli_gopts(), plan, &ri->driver, err);
	if (r < 0)
		return r;
	r = rootfs_create_sqsh(&ri->s, ri->sqsh, id, plan, ri->driver.driver, &ri->rf, err);
	ri->created = r == 0;
	if (r < 0)
		return r;
	run_image_defaults(ri, ri->sqsh);
	return 0;
}

int run_image_prepare(struct run_image *ri, const char *image, const char *id,
                      const struct idmap_plan *plan, struct werr *err)
{
	json_t *images = NULL, *rec = NULL;
	bool tls_insecure = ri->tls_insecure; /* the fields the caller sets */
	enum run_pull pull = ri->pull;
	const char *platform = ri->platform;
	int r;

	memset(ri, 0, sizeof(*ri));
	ri->tls_insecure = tls_insecure;
	ri->pull = pull;
	ri->platform = platform;
	ri->s.rootfd = ri->s.lockfd = -1;
	r = store_open(&ri->s, cli_gopts(), err);
	if (r == 0 && sqsh_operand_p(image))
		return run_image_sqsh(ri, image, id, plan, err);
	if (r == 0)
		r = store_images_load(&ri->s, &images, err);
	if (r == 0 && !(rec = find_or_pull(ri, &images, image, plan, err)))
		r = -(err->code ? err->code : ENOENT);
	if (r == 0)
		r = image_load(&ri->s, rec, &ri->img, err);
	/* --platform: a stored image of another platform (pull --platform) is
	 * not the one asked for: pull it, as Docker does */
	if (r == 0 && ri->platform && ri->pull != RUN_PULL_ALWAYS &&
	    !platform_match_p(&ri->img.cfg, ri->platform)) {
		image_loaded_free(&ri->img);
		if (ri->pull == RUN_PULL_NEVER) {
			r = werr_set(
			    err, ENOENT,
			    "image %s in the store is not for %s and --pull=never: pull it "
			    "first (warren pull --platform %s %s)",
			    image, ri->platform, ri->platform, image);
		} else {
			ri->pull = RUN_PULL_ALWAYS;
			rec = find_or_pull(ri, &images, image, plan, err);
			r = rec ? image_load(&ri->s, rec, &ri->img, err) : -(err->code ?: ENOENT);
		}
	}
	ri->loaded = r == 0;
	if (r == 0)
		r = rootfs_driver_choose(&ri->s, cli_gopts(), plan, &ri->driver, err);
	if (r == 0)
		snprintf(ri->image_id, sizeof(ri->image_id), "%s",
		         json_string_value(json_object_get(rec, "id")) ?: "");
	if (r == 0)
		r = rootfs_create(&ri->s, &ri->img, ri->image_id, id, plan, ri->driver.driver,
		                  transfer_rootfs_copy, &ri->rf, err);
	ri->created = r == 0;
	json_decref(images);
	if (r < 0)
		return r;
	run_image_defaults(ri, NULL);
	return 0;
}

int run_image_argv(struct run_image *ri, const char *entrypoint, int argc, char **argv, char ***out,
                   struct werr *err)
{
	char **ep = ri->ep = entrypoint ? NULL : config_string_array(&ri->img.cfg, "Entrypoint");
	char **cmd = ri->cmd =
	    argc > 0 || entrypoint ? NULL : config_string_array(&ri->img.cfg, "Cmd");
	size_t n = 0, cap = (size_t)argc + 2;
	char **v;

	for (size_t i = 0; ep && ep[i]; i++)
		cap++;
	for (size_t i = 0; cmd && cmd[i]; i++)
		cap++;
	v = calloc(cap, sizeof(char *));
	if (!v)
		return werr_errno(err, ENOMEM, "argv");
	if (entrypoint && *entrypoint)
		v[n++] = (char *)entrypoint;
	/* the strings stay in ri->ep and ri->cmd until run_image_free() */
	for (size_t i = 0; ep && ep[i]; i++)
		v[n++] = ep[i];
	for (int i = 0; i < argc; i++)
		v[n++] = argv[i];
	for (size_t i = 0; cmd && cmd[i]; i++)
		v[n++] = cmd[i];
	if (n == 0) {
		free(v);
		return werr_set(
		    err, EINVAL,
		    "no command: the image has no ENTRYPOINT or CMD; give one after the "
		    "image name");
	}
	*out = v;
	return 0;
}

void run_image_keep(struct run_image *ri)
{
	if (ri->created)
		rootfs_release(&ri->rf);
	ri->created = false;
}

void run_image_free(struct run_image *ri, const struct idmap_plan *plan)
{
	if (ri->created)
		rootfs_destroy(&ri->rf, plan);
	if (ri->loaded)
		image_loaded_free(&ri->img);
	config_strv_free(ri->image_env);
	config_strv_free(ri->ep);
	config_strv_free(ri->cmd);
	free(ri->workdir);
	free(ri->user);
	free(ri->stop_signal);
	store_close(&ri->s);
}
