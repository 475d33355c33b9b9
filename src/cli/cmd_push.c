/* cmd_push.c - `warren push IMAGE [DESTINATION]`: pushes a stored image
 * unchanged (same digests); progress lines on stderr unless -q, the
 * manifest digest on stdout. */
#include "climage.h"
#include "cleanup.h"
#include "commands.h"
#include "push.h"
#include "reference.h"

#include <stdio.h>
#include <string.h>

static const struct opt_def push_opts[] = {
	{ "quiet", 'q', OPT_FLAG, NULL, "No progress output", IO_QUIET },
	{ "tls-verify", 0, OPT_FLAG, NULL, "Verify TLS (false also allows plain http)",
	  IO_TLS_VERIFY },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements push_opts.progress */
static void push_progress(void *ctx, const char *digest, const char *what)
{
	if (!*(bool *)ctx)
		fprintf(stderr, "Copying blob %s %s\n", digest, what);
}

const struct cli_cmd cli_cmd_push = { "push",
	                              "[OPTIONS] IMAGE [DESTINATION]",
	                              "Push an image to a registry.",
	                              push_opts,
	                              0,
	                              -1,
	                              OPTS_INTERSPERSED };

int cmd_push(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct werr err = { 0 };
	json_t *images = NULL, *rec = NULL, *names;
	char digest[DIGEST_STR_LEN + 1], dest[REF_STR_MAX];
	struct push_opts o = { .progress = push_progress };
	int ind, r = img_parse(&cli_cmd_push, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	if (argc - ind < 1 || argc - ind > 2) {
		werr_set(&err, EINVAL, "push needs an image and at most one destination");
		return img_fail(&err);
	}
	o.tls_verify = a.tls_verify != 0;
	o.ctx = &a.quiet;
	r = img_open(&s, NULL, &err);
	if (r == 0)
		r = store_images_load(&s, &images, &err);
	if (r == 0 && !(rec = store_image_find(images, argv[ind], &err)))
		r = -ENOENT;
	if (r == 0) {
		struct image_ref ref;
		/* without a destination: the name the user gave, else the image's first */
		names = json_object_get(rec, "names");
		if (argc - ind == 2)
			snprintf(dest, sizeof(dest), "%s", argv[ind + 1]);
		else if (ref_parse(argv[ind], &ref, NULL, &err) == 0 && !ref.digest[0] &&
		         strncmp(argv[ind], "sha256:", 7))
			ref_format(&ref, dest, sizeof(dest));
		else if (json_array_size(names))
			snprintf(dest, sizeof(dest), "%s",
			         json_string_value(json_array_get(names, 0)));
		else
			r = werr_set(&err, EINVAL, "the image has no name: give a destination");
	}
	if (r == 0) {
		if (!a.quiet)
			fprintf(stderr, "Pushing %s\n", dest);
		r = push_image(&s, rec, dest, &o, digest, &err);
	}
	json_decref(images);
	store_close(&s);
	if (r < 0)
		return img_fail(&err);
	img_event("push", dest, NULL);
	printf("%s\n", digest);
	return 0;
}
