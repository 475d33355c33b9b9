/* cmd_export.c - `warren export` (the container's whole filesystem as a
 * tar, mounts left empty) and `warren diff` (Docker's A/C/D lines from the
 * container's writable layer against its image's layers). Run by
 * warren-transfer: the tar walk is layer_diff.c's. Neither changes the
 * container. */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "config.h"
#include "ctrroot.h"
#include "layer_diff.h"
#include "state.h"
#include "userns_exec.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define DIFF_MAX_LAYERS 128

enum { X_OUTPUT = 1 };

static const struct opt_def export_opts[] = {
	{ "output", 'o', OPT_VALUE, "FILE", "Write to a file, instead of STDOUT", X_OUTPUT },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements opt_cb for export */
static int export_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	(void)def;
	if (!*v)
		return werr_set(err, EINVAL, "--output needs a file name");
	*(const char **)ctx = v;
	return 0;
}

/* implements ctrroot_fn: the whole tree as a tar */
static int export_fn(int rootfd, void *arg, struct werr *err)
{
	struct layer_tar_opts o = { .merged = true, .one_fs = true, .uid = -1, .gid = -1 };
	struct layer_diff_result res;

	return layer_tar_write(rootfd, NULL, &o, *(int *)arg, &res, err);
}

static int export_run(const struct record *rec, int fd, struct werr *err)
{
	struct ctrroot_job job = { .child_close = { -1, -1, -1, -1 } };
	int r = ctrroot_start(rec, export_fn, &fd, &job, err);

	return r < 0 ? r : ctrroot_finish(&job, err);
}

int cmd_export(int argc, char **argv)
{
	static const struct cli_cmd cmd = { "export",
		                            "[OPTIONS] CONTAINER",
		                            "Export a container's filesystem as a tar archive",
		                            export_opts,
		                            1,
		                            1 };
	const char *output = NULL;
	struct werr err = { 0 };
	struct record rec;
	int ind, fd = STDOUT_FILENO, lock = -1,
	         r = cli_parse(&cmd, argc, argv, &ind, export_opt, &output);

	if (r >= 0)
		return r;
	if (!output && isatty(STDOUT_FILENO)) {
		werr_set(&err, EINVAL,
		         "cowardly refusing to save to a terminal. Use the -o flag "
		         "or redirect");
		return cli_error(&err);
	}
	if (record_lookup(argv[ind], &rec, &err) < 0)
		return cli_error(&err);
	r = state_refresh(&rec, &err);
	if (r == 0 && !state_running_pid(&rec))
		r = lock = record_lock(&rec, &err);
	if (r >= 0 && output) {
		fd = open(output, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0)
			r = werr_errno(&err, errno, "%s", output);
	}
	if (r >= 0)
		r = export_run(&rec, fd, &err);
	if (output && fd >= 0) {
		if (close(fd) < 0 && r >= 0)
			r = werr_errno(&err, errno, "%s", output);
		if (r < 0)
			unlink(output);
	}
	if (lock >= 0)
		close(lock);
	record_free(&rec);
	return r < 0 ? cli_error(&err) : 0;
}

/* diff: the image's layers (top first) and the writable layer */
struct diff_ctx {
	const struct overlay_spec *o;
	int lower[DIFF_MAX_LAYERS];
	size_t n_lower;
};

static bool diff_opaque(int dirfd)
{
	char v[4];
	ssize_t n = fgetxattr(dirfd, "user.overlay.opaque", v, sizeof(v));

	if (n < 0)
		n = fgetxattr(dirfd, "trusted.overlay.opaque", v, sizeof(v));
	return n == 1 && v[0] == 'y';
}

static bool diff_whiteout(int dirfd, const char *name)
{
	char wh[NAME_MAX + 8];
	struct stat st;

	snprintf(wh, sizeof(wh), ".wh.%s", name);
	if (fstatat(dirfd, wh, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return true;
	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISCHR(st.st_mode) &&
	       st.st_rdev == 0;
}

/* one layer's word on @path: 1 there, 0 hidden from the layers below
 * (whiteout, opaque directory, a file in place of a directory), -1 silent */
static int diff_layer_has(int layer, const char *path)
{
	char comp[NAME_MAX + 1];
	const char *p = path;
	_cleanup_close_ int fd = dup(layer);
	bool opaque = false;

	while (fd >= 0) {
		const char *end = strchrnul(p, '/');
		struct stat st;
		int next;
		snprintf(comp, sizeof(comp), "%.*s", (int)(end - p), p);
		if (diff_whiteout(fd, comp))
			return 0;
		if (fstatat(fd, comp, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return opaque ? 0 : -1;
		if (!*end)
			return 1;
		if (!S_ISDIR(st.st_mode))
			return 0;
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		opaque = fd >= 0 && diff_opaque(fd);
		p = end + 1;
	}
	return -1;
}

static bool diff_in_image(const struct diff_ctx *c, const char *path)
{
	for (size_t i = 0; i < c->n_lower; i++) {
		int r = diff_layer_has(c->lower[i], path);
		if (r >= 0)
			return r;
	}
	return false;
}

/* implements layer_tar_opts.visit: one line per entry of the writable layer */
static int diff_visit(void *arg, const char *path, const struct stat *st, struct werr *err)
{
	char p[PATH_MAX];
	const char *base;
	size_t n = strlen(path);

	(void)st;
	(void)err;
	snprintf(p, sizeof(p), "%.*s", (int)(n && path[n - 1] == '/' ? n - 1 : n), path);
	base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
	if (!strcmp(base, ".wh..wh..opq"))
		return 0;
	if (!strncmp(base, ".wh.", 4)) {
		printf("D /%.*s%s\n", (int)(base - p), p, base + 4);
		return 0;
	}
	printf("%c /%s\n", diff_in_image(arg, p) ? 'C' : 'A', p);
	return 0;
}

/* implements userns_exec's fn: walk the writable layer as its owner */
static int diff_fn(void *arg, struct werr *err)
{
	struct diff_ctx *c = arg;
	struct layer_tar_opts o = { .uid = -1, .gid = -1, .visit = diff_visit, .visit_arg = c };
	struct layer_diff_result res;
	_cleanup_close_ int base = open(c->o->lower_base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_close_ int upper = open(c->o->upperdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	_cleanup_free_ char *lowers = strdup(c->o->lowerdir);
	char *save = NULL;
	int r;

	if (base < 0 || upper < 0 || !lowers)
		return werr_errno(err, errno, "the container's layers");
	for (char *l = strtok_r(lowers, ":", &save); l && c->n_lower < DIFF_MAX_LAYERS;
	     l = strtok_r(NULL, ":", &save)) {
		c->lower[c->n_lower] = openat(base, l, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->lower[c->n_lower] < 0)
			return werr_errno(err, errno, "image layer %s", l);
		c->n_lower++;
	}
	r = layer_tar_write(upper, NULL, &o, -1, &res, err);
	fflush(stdout);
	for (size_t i = 0; i < c->n_lower; i++)
		close(c->lower[i]);
	return r;
}

int cmd_diff(int argc, char **argv)
{
	static const struct opt_def diff_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };
	static const struct cli_cmd cmd = {
		"diff",
		"CONTAINER",
		"Inspect changes to files or directories on a container's "
		"filesystem",
		diff_opts,
		1,
		1
	};
	struct container_spec spec = { 0 };
	struct diff_ctx c = { 0 };
	struct werr err = { 0 };
	struct record rec;
	int ind, r = cli_parse(&cmd, argc, argv, &ind, export_opt, NULL);

	if (r >= 0)
		return r;
	if (record_lookup(argv[ind], &rec, &err) < 0)
		return cli_error(&err);
	r = config_to_spec(rec.config, &spec, &err);
	if (r == 0 && !spec.overlay)
		r = werr_set(&err, EINVAL,
		             "container %s has no writable layer over an image (it runs on "
		             "--rootfs %s, or on the vfs storage driver): diff needs a container "
		             "made from an image with the overlay or fuse-overlay driver",
		             record_name(&rec), spec.rootfs);
	c.o = spec.overlay;
	if (r == 0)
		r = userns_exec(&spec.idmap, diff_fn, &c, &err);
	config_spec_free(&spec);
	record_free(&rec);
	return r < 0 ? cli_error(&err) : 0;
}
