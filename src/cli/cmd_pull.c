/* cmd_pull.c - `warren pull`, and `rootfs-copy`, which `warren run` asks
 * for where the kernel overlay cannot be used. Part of warren-transfer (the
 * program that links the registry client and the layer unpacker). */
#include "climage.h"
#include "cleanup.h"
#include "commands.h"
#include "idmap_json.h"
#include "image.h"
#include "layer.h"
#include "progress.h"
#include "pull.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int img_pull(struct store *s, const struct idmap_plan *plan, const char *ref, bool quiet,
             bool tls_verify, const char *platform, char *id, struct werr *err)
{
	struct progress p;
	struct pull_opts o = { .tls_verify = tls_verify,
		               .platform = platform,
		               .progress = progress_pull_event,
		               .ctx = &p };
	unsigned skipped = 0;
	int r;

	progress_init(&p, quiet);
	r = pull_image(s, ref, plan, &o, id, &skipped, err);
	progress_finish(&p);
	if (r == 0)
		img_event("pull", ref, NULL);
	if (r == 0 && skipped && !quiet)
		fprintf(stderr,
		        "warren: warning: %u device node(s) in the image were skipped (an "
		        "unprivileged user cannot create them)\n",
		        skipped);
	return r;
}

static const struct opt_def pull_opts[] = {
	{ "quiet", 'q', OPT_FLAG, NULL, "Print only the image ID", IO_QUIET },
	{ "platform", 0, OPT_VALUE, "OS/ARCH[/VARIANT]", "Pull this platform from an index",
	  IO_PLATFORM },
	{ "tls-verify", 0, OPT_FLAG, NULL, "Verify TLS (false also allows plain http)",
	  IO_TLS_VERIFY },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_pull = {
	"pull", "[OPTIONS] IMAGE", "Pull an image from a registry.", pull_opts, 0,
	-1,     OPTS_INTERSPERSED
};

int cmd_pull(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	char id[DIGEST_STR_LEN + 1];
	int ind, r = img_parse(&cli_cmd_pull, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	if (argc - ind != 1) {
		werr_set(&err, EINVAL,
		         "pull needs exactly one image reference (see 'warren pull --help')");
		return img_fail(&err);
	}
	if (img_open(&s, &plan, &err) < 0 ||
	    img_pull(&s, &plan, argv[ind], a.quiet, a.tls_verify != 0, a.platform, id, &err) < 0) {
		store_close(&s);
		return img_fail(&err);
	}
	printf("%s\n", id + 7);
	store_close(&s);
	return 0;
}

/* rootfs-copy --idmap PLAN-JSON IMAGE_ID DEST: internal, for warren run and
 * build, which decided the plan (idmap_json.h) */
int cmd_rootfs_copy(int argc, char **argv)
{
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct image_loaded img = { 0 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	json_t *images = NULL, *rec, *pj = NULL;
	int r;

	if (argc != 5 || strcmp(argv[1], "--idmap")) {
		werr_set(&err, EINVAL,
		         "usage: warren-transfer rootfs-copy --idmap PLAN-JSON IMAGE_ID DEST");
		return img_fail(&err);
	}
	pj = json_loads(argv[2], 0, NULL);
	r = idmap_plan_from_json(pj, &plan, &err);
	json_decref(pj);
	if (r < 0)
		werr_prefix(&err, "rootfs-copy --idmap");
	if (r == 0)
		r = idmap_plan_helpers(&plan, &err);
	if (r == 0)
		r = store_open(&s, cli_gopts(), &err);
	if (r == 0)
		r = store_images_load(&s, &images, &err);
	if (r == 0 && !(rec = store_image_find(images, argv[3], &err)))
		r = -(err.code ? err.code : ENOENT);
	if (r == 0)
		r = image_load(&s, rec, &img, &err);
	if (r == 0)
		r = layer_apply_image(&s, &img, &plan, argv[4], &err);
	if (img.n_layers || img.manifest_bytes)
		image_loaded_free(&img);
	json_decref(images);
	store_close(&s);
	return r < 0 ? img_fail(&err) : 0;
}
