/* builder_image.c - the images a build records: after each step an untagged
 * intermediate image (the config and layers so far, its parent the step
 * before), hidden from `warren images` but runnable and taggable by ID, and
 * at the end the result with its tags. A cache hit yields the same image. */
#include "builder_int.h"
#include "cleanup.h"
#include "image.h"
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int bimage_commit(struct builder *b, struct bstage *sg, const char *name, bool intermediate,
                  char *id, struct werr *err)
{
	_cleanup_free_ char *ctext = json_dumps(sg->cfg, JSON_COMPACT), *mtext = NULL;
	char cdigest[DIGEST_STR_LEN + 1];
	struct manifest m;
	struct image_config cfg;
	json_t *mj;
	int r;

	if (!ctext)
		return werr_errno(err, ENOMEM, "config");
	digest_buf(ctext, strlen(ctext), cdigest);
	if (intermediate && !strcmp(cdigest, sg->image)) {
		snprintf(id, DIGEST_STR_LEN + 1, "%s", cdigest);
		return 0; /* the step changed nothing (ARG) */
	}
	mj = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:O}", "schemaVersion", 2, "mediaType",
	               MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG, "digest", cdigest,
	               "size", (json_int_t)strlen(ctext), "layers", sg->layers);
	mtext = mj ? json_dumps(mj, JSON_COMPACT) : NULL;
	json_decref(mj);
	if (!mtext)
		return werr_errno(err, ENOMEM, "manifest");
	r = manifest_parse(mtext, strlen(mtext), NULL, &m, err);
	if (r < 0)
		return r;
	r = config_parse(ctext, strlen(ctext), &cfg, err);
	if (r == 0) {
		struct image_new n = { .manifest = mtext,
			               .manifest_len = strlen(mtext),
			               .config = ctext,
			               .config_len = strlen(ctext),
			               .m = &m,
			               .cfg = &cfg,
			               .name = name,
			               .parent = sg->image[0] ? sg->image : NULL,
			               .intermediate = intermediate };
		r = image_commit(&b->s, &n, id, err);
		config_free(&cfg);
	}
	manifest_free(&m);
	return r;
}

int bimage_step(struct builder *b, struct bstage *sg, struct werr *err)
{
	char id[DIGEST_STR_LEN + 1];
	int r = bimage_commit(b, sg, NULL, true, id, err);

	if (r == 0)
		snprintf(sg->image, sizeof(sg->image), "%s", id);
	return r;
}
