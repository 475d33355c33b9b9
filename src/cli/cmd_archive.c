/* cmd_archive.c - `warren save` (docker-archive or oci-archive, to -o FILE
 * or stdout), `warren load` (from -i FILE or stdin) and `warren import`
 * (a rootfs tarball → image). Never writes an archive to a terminal. */
#include "image_archive.h"
#include "climage.h"
#include "cleanup.h"
#include "commands.h"
#include "import.h"
#include "reference.h"
#include "sqsh_save.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const struct opt_def save_opts[] = {
	{ "output", 'o', OPT_VALUE, "FILE", "Write to FILE instead of stdout", IO_OUTPUT },
	{ "format", 0, OPT_VALUE, "FORMAT",
	  "docker-archive (default), oci-archive, oci-dir, or squashfs (one image's root, "
	  "for warren run FILE)",
	  IO_FORMAT },
	{ "quiet", 'q', OPT_FLAG, NULL, "No progress output", IO_QUIET },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* the name an argument gives the saved image: itself when it is one of the
 * image's names, else the image's first name */
static const char *save_name(json_t *rec, const char *arg, char *buf, size_t size)
{
	struct image_ref ref;
	struct werr ignored;
	json_t *names = json_object_get(rec, "names"), *v;
	size_t i;

	if (ref_parse(arg, &ref, NULL, &ignored) == 0 && !ref.digest[0]) {
		ref_format(&ref, buf, size);
		json_array_foreach(names, i, v) if (!strcmp(json_string_value(v), buf)) return buf;
	}
	return json_string_value(json_array_get(names, 0));
}

/* --format squashfs: one image, to -o FILE */
static int save_squashfs(struct img_args *a, int n, char **args, struct werr *err)
{
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	json_t *images = NULL, *rec;
	int r;

	if (!a->output)
		return werr_set(err, EINVAL, "--format squashfs needs -o FILE");
	if (n != 1)
		return werr_set(err, EINVAL,
		                "--format squashfs saves one image's root filesystem: give one "
		                "image");
	r = img_open(&s, &plan, err);
	if (r == 0)
		r = store_images_load(&s, &images, err);
	if (r == 0 && !(rec = store_image_find(images, args[0], err)))
		r = -ENOENT;
	if (r == 0)
		r = sqsh_save(&s, rec, &plan, a->output, err);
	json_decref(images);
	store_close(&s);
	return r;
}

static int save_run(struct img_args *a, int n, char **args, struct werr *err)
{
	struct store s = { .rootfd = -1, .lockfd = -1 };
	enum archive_kind kind = ARCHIVE_DOCKER;
	json_t *images = NULL;
	_cleanup_free_ json_t **recs = calloc((size_t)n, sizeof(json_t *));
	_cleanup_free_ const char **names = calloc((size_t)n, sizeof(char *));
	_cleanup_free_ char(*bufs)[REF_STR_MAX] = calloc((size_t)n, REF_STR_MAX);
	_cleanup_close_ int fd = -1;
	bool dir = a->format && !strcmp(a->format, "oci-dir");
	int r;

	if (a->format && !strcmp(a->format, "squashfs"))
		return save_squashfs(a, n, args, err);
	if (a->format && (!strcmp(a->format, "oci-archive") || dir))
		kind = ARCHIVE_OCI;
	else if (a->format && strcmp(a->format, "docker-archive"))
		return werr_set(
		    err, EINVAL,
		    "invalid --format \"%s\": use docker-archive, oci-archive, oci-dir or "
		    "squashfs",
		    a->format);
	if (dir && !a->output)
		return werr_set(err, EINVAL, "--format oci-dir needs -o DIRECTORY");
	if (!dir && !a->output && isatty(STDOUT_FILENO))
		return werr_set(
		    err, EINVAL,
		    "refusing to write an archive to a terminal: use -o FILE or redirect "
		    "stdout");
	if (!recs || !names || !bufs)
		return werr_errno(err, ENOMEM, "save");
	r = img_open(&s, NULL, err);
	if (r == 0)
		r = store_images_load(&s, &images, err);
	for (int i = 0; r == 0 && i < n; i++) {
		recs[i] = store_image_find(images, args[i], err);
		if (!recs[i])
			r = -ENOENT;
		else
			names[i] = save_name(recs[i], args[i], bufs[i], REF_STR_MAX);
	}
	if (r == 0 && !dir) {
		fd = a->output ? open(a->output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644)
		               : dup(STDOUT_FILENO);
		if (fd < 0)
			r = werr_errno(err, errno, "open %s", a->output ? a->output : "stdout");
	}
	if (r == 0)
		r = archive_save(&s, recs, names, (size_t)n, kind, fd, dir ? a->output : NULL, err);
	if (r < 0 && a->output && fd >= 0 && !dir)
		unlink(a->output);
	json_decref(images);
	store_close(&s);
	return r;
}

const struct cli_cmd cli_cmd_save = {
	"save", "[OPTIONS] IMAGE...", "Save images to a tar archive.", save_opts, 0,
	-1,     OPTS_INTERSPERSED
};

int cmd_save(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct werr err = { 0 };
	int ind, r = img_parse(&cli_cmd_save, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	if (argc - ind < 1) {
		werr_set(&err, EINVAL, "save needs at least one image");
		return img_fail(&err);
	}
	return save_run(&a, argc - ind, argv + ind, &err) < 0 ? img_fail(&err) : 0;
}

static const struct opt_def load_opts[] = {
	{ "input", 'i', OPT_VALUE, "FILE|DIR",
	  "Read from FILE (or an OCI layout DIR) instead of stdin", IO_INPUT },
	{ "quiet", 'q', OPT_FLAG, NULL, "No progress output", IO_QUIET },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* prints what load recorded */
static void load_report(void *ctx, const char *id, const char *name)
{
	if (name)
		printf("Loaded image: %s\n", name);
	else
		printf("Loaded image ID: %s\n", id);
}

const struct cli_cmd cli_cmd_load = {
	"load", "[OPTIONS]", "Load images from a tar archive.", load_opts, 0, -1, OPTS_INTERSPERSED
};

int cmd_load(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	_cleanup_close_ int fd = -1;
	int ind, r = img_parse(&cli_cmd_load, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	if (argc - ind > 0) {
		werr_set(&err, EINVAL, "load takes no arguments: use -i FILE or stdin");
		return img_fail(&err);
	}
	fd = a.input ? open(a.input, O_RDONLY | O_CLOEXEC) : dup(STDIN_FILENO);
	/* (a directory opens O_RDONLY too: archive_load reads it as a layout) */
	if (fd < 0) {
		werr_errno(&err, errno, "open %s", a.input ? a.input : "stdin");
		return img_fail(&err);
	}
	r = img_open(&s, &plan, &err);
	if (r == 0)
		r = archive_load(&s, &plan, fd, load_report, NULL, &err);
	store_close(&s);
	return r < 0 ? img_fail(&err) : 0;
}

static const struct opt_def import_opts[] = {
	{ "change", 'c', OPT_VALUE, "INSTRUCTION",
	  "CMD, ENTRYPOINT, ENV, EXPOSE, USER, VOLUME, WORKDIR", IO_CHANGE },
	{ "message", 'm', OPT_VALUE, "TEXT", "A comment for the image's history", IO_MESSAGE },
	{ "quiet", 'q', OPT_FLAG, NULL, "No progress output", IO_QUIET },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_import = { "import",
	                                "[OPTIONS] FILE|- [REFERENCE]",
	                                "Make an image from a root filesystem tarball.",
	                                import_opts,
	                                0,
	                                -1,
	                                OPTS_INTERSPERSED };

int cmd_import(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	struct image_ref ref;
	char name[REF_STR_MAX], id[DIGEST_STR_LEN + 1];
	_cleanup_close_ int fd = -1;
	int ind, r = img_parse(&cli_cmd_import, argc, argv, &ind, &a);

	if (r <= 0) {
		free(a.changes);
		return r < 0 ? cli_error_exit() : 0;
	}
	if (argc - ind < 1 || argc - ind > 2)
		r = werr_set(&err, EINVAL,
		             "import needs a tarball (or - for stdin) and maybe a name");
	if (r >= 0 && argc - ind == 2 && ref_parse(argv[ind + 1], &ref, NULL, &err) == 0)
		ref_format(&ref, name, sizeof(name));
	else if (r >= 0 && argc - ind == 2)
		r = -EINVAL;
	if (r >= 0) {
		fd = strcmp(argv[ind], "-") ? open(argv[ind], O_RDONLY | O_CLOEXEC)
		                            : dup(STDIN_FILENO);
		if (fd < 0)
			r = werr_errno(&err, errno, "open %s", argv[ind]);
	}
	if (r >= 0)
		r = img_open(&s, &plan, &err);
	if (r >= 0)
		r = import_tarball(&s, &plan, fd, argc - ind == 2 ? name : NULL, a.changes,
		                   a.n_changes, a.message, id, &err);
	store_close(&s);
	free(a.changes);
	if (r < 0)
		return img_fail(&err);
	printf("%s\n", id);
	return 0;
}
