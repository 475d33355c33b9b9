/* cmd_commit.c - `warren commit [-c CHANGE]... [-m MSG] [-a AUTHOR]
 * CONTAINER [IMAGE]`: a container's writable layer becomes a new image
 * (ctr_commit.h). Part of warren-transfer: writing the layer tar and
 * unpacking it need libarchive. */
#include "climage.h"
#include "ctrevents.h"
#include "cleanup.h"
#include "commands.h"
#include "config.h"
#include "ctr_commit.h"
#include "record.h"
#include "reference.h"

#include <stdio.h>
#include <string.h>

static const struct opt_def commit_opts[] = {
	{ "change", 'c', OPT_VALUE, "INSTRUCTION",
	  "CMD, ENTRYPOINT, ENV, EXPOSE, USER, VOLUME, WORKDIR (repeatable)", IO_CHANGE },
	{ "message", 'm', OPT_VALUE, "TEXT", "A comment for the image's history", IO_MESSAGE },
	{ "author", 'a', OPT_VALUE, "NAME", "The image's author", IO_USERNAME },
	{ "pause", 'p', OPT_FLAG, NULL, "Accepted for Docker compatibility (no pause)", IO_FORCE },
	{ "quiet", 'q', OPT_FLAG, NULL, "Print only the image ID", IO_QUIET },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_commit = { "commit",
	                                "[OPTIONS] CONTAINER [IMAGE[:TAG]]",
	                                "Make an image from a container's changes.",
	                                commit_opts,
	                                0,
	                                -1,
	                                OPTS_INTERSPERSED };

int cmd_commit(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan, ctr_plan;
	struct record rec = { 0 };
	struct werr err = { 0 };
	char id[DIGEST_STR_LEN + 1], name[REF_STR_MAX];
	struct ctr_commit_opts o = { 0 };
	bool have_rec = false;
	int ind, r = img_parse(&cli_cmd_commit, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	if (argc - ind < 1 || argc - ind > 2) {
		werr_set(&err, EINVAL, "commit needs a container and at most one image name");
		return img_fail(&err);
	}
	if (argc - ind == 2) {
		struct image_ref ref;
		if (ref_parse(argv[ind + 1], &ref, NULL, &err) < 0 || ref.digest[0]) {
			if (!err.code)
				werr_set(&err, EINVAL,
				         "%s: an image name cannot have a digest here",
				         argv[ind + 1]);
			return img_fail(&err);
		}
		ref_format(&ref, name, sizeof(name));
		o.name = name;
	}
	o.changes = a.changes;
	o.n_changes = a.n_changes;
	o.message = a.message;
	o.author = a.username;
	r = record_lookup(cli_gopts(), argv[ind], &rec, &err);
	have_rec = r == 0;
	o.ctr_dir = rec.dir;
	if (r == 0)
		r = img_open(&s, &plan, &err);
	if (r == 0) /* its upper is read with the maps it was created with */
		r = config_idmap(rec.config, &ctr_plan, &err);
	o.ctr_idmap = &ctr_plan;
	if (r == 0)
		r = ctr_commit(&s, &plan, &o, id, &err);
	if (r == 0) /* Docker's: the container's event, naming the new image */
		ctrevents_record(&rec, "commit", json_pack("{s:s}", "imageID", id));
	if (r == 0 && o.name)
		img_event("tag", id, o.name);
	if (have_rec)
		record_free(&rec);
	store_close(&s);
	free(a.changes);
	if (r < 0)
		return img_fail(&err);
	printf("%s\n", id + 7);
	return 0;
}
