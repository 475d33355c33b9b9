/* cmd_diff.c - `warren diff`: Docker's "A /path", "C /path", "D /path"
 * lines from a container's writable layer (upper/) against its image's
 * layers, walked by layer_diff.c (so whiteouts in every form read the same
 * as in a committed layer), or, for the vfs driver's full copy, the copy
 * against the image as Docker's vfs driver does. Run by warren-transfer,
 * inside the container's user namespace; it only reads. */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "config.h"
#include "ctrpath.h"
#include "layer_diff.h"
#include "store.h"
#include "sqshmount.h"
#include "userns_exec.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#define DIFF_MAX_LAYERS 128
#define DIFF_DEPTH      256

/* a directory of the image that the writable layer holds too: "C" only
 * when something below it is reported or its mode or owner changed */
struct diff_pending {
	char *path;
	bool printed;
	bool opaque; /* removed and made again: the image's entries below are gone */
};

struct diff_ctx {
	const struct overlay_spec *o;
	int lower[DIFF_MAX_LAYERS]; /* the image's layers, top first */
	size_t n_lower;
	struct diff_pending pending[DIFF_DEPTH];
	size_t n_pending;
	int upper;
	bool copy; /* vfs: @upper is a full copy of the image, changed */
};

/* what warren itself puts in the writable layer as mount points (Docker
 * keeps them in its "-init" layer, which diff does not show) */
static const char *const diff_runtime_paths[] = { "etc/hosts", "etc/hostname", "etc/resolv.conf",
	                                          "proc",      "sys",          "dev" };

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

/* one layer's word on @path: 1 there (*@st filled), 0 hidden from the
 * layers below (whiteout, opaque directory, a file in place of a
 * directory), -1 silent */
static int diff_layer_has(int layer, const char *path, struct stat *st)
{
	char comp[NAME_MAX + 1];
	const char *p = path;
	_cleanup_close_ int fd = dup(layer);
	bool opaque = false;

	while (fd >= 0) {
		const char *end = strchrnul(p, '/');
		int next;
		snprintf(comp, sizeof(comp), "%.*s", (int)(end - p), p);
		if (diff_whiteout(fd, comp))
			return 0;
		if (fstatat(fd, comp, st, AT_SYMLINK_NOFOLLOW) < 0)
			return opaque ? 0 : -1;
		if (!*end)
			return 1;
		if (!S_ISDIR(st->st_mode))
			return 0;
		next = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		close(fd);
		fd = next;
		opaque = fd >= 0 && diff_opaque(fd);
		p = end + 1;
	}
	return -1;
}

static bool diff_in_image(const struct diff_ctx *c, const char *path, struct stat *st)
{
	for (size_t i = 0; i < c->n_lower; i++) {
		int r = diff_layer_has(c->lower[i], path, st);
		if (r >= 0)
			return r;
	}
	return false;
}

/* a line for @path; the directories above it first */
static void diff_print(struct diff_ctx *c, char kind, const char *path)
{
	for (size_t i = 0; i < c->n_pending; i++)
		if (!c->pending[i].printed) {
			printf("C /%s\n", c->pending[i].path);
			c->pending[i].printed = true;
		}
	printf("%c /%s\n", kind, path);
}

/* drop the pending directories that are not above @path */
static void diff_leave(struct diff_ctx *c, const char *path)
{
	while (c->n_pending) {
		const char *d = c->pending[c->n_pending - 1].path;
		size_t n = strlen(d);
		if (!strncmp(path, d, n) && path[n] == '/')
			return;
		free(c->pending[--c->n_pending].path);
	}
}

static bool diff_under_opaque(const struct diff_ctx *c)
{
	for (size_t i = 0; i < c->n_pending; i++)
		if (c->pending[i].opaque)
			return true;
	return false;
}

/* whether a layer above @layer decides about @path (shows or hides it) */
static bool diff_decided_above(const struct diff_ctx *c, size_t layer, const char *path)
{
	struct stat st;

	for (size_t j = 0; j < layer; j++)
		if (diff_layer_has(c->lower[j], path, &st) >= 0)
			return true;
	return false;
}

/* whether the writable layer has @path, never following one of its symlinks */
static bool diff_upper_has(const struct diff_ctx *c, const char *path)
{
	int fd = ctrpath_open(c->upper, path, O_PATH);

	if (fd >= 0)
		close(fd);
	return fd >= 0 || fd == -ELOOP;
}

/* the image's entries in @dir ("" the root), which the writable layer made
 * opaque (or the vfs copy holds), are deleted unless the writable layer
 * has them: D lines */
static void diff_opaque_dir(struct diff_ctx *c, const char *dir)
{
	for (size_t i = 0; i < c->n_lower; i++) {
		struct stat st;
		int has = *dir ? diff_layer_has(c->lower[i], dir, &st) : 1, fd;
		bool stop;
		struct dirent *de;
		DIR *d;
		if (has < 0)
			continue;
		if (has == 0 || (*dir && !S_ISDIR(st.st_mode)))
			return;
		/* every component was checked to be a directory in this layer */
		fd = openat(c->lower[i], *dir ? dir : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		d = fd >= 0 ? fdopendir(fd) : NULL;
		if (!d) {
			if (fd >= 0)
				close(fd);
			return;
		}
		stop = diff_opaque(fd);
		while ((de = readdir(d))) {
			char child[PATH_MAX];
			if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
			    !strncmp(de->d_name, ".wh.", 4))
				continue;
			snprintf(child, sizeof(child), "%s%s%s", dir, *dir ? "/" : "", de->d_name);
			if (diff_upper_has(c, child) || diff_decided_above(c, i, child))
				continue;
			diff_print(c, 'D', child);
		}
		closedir(d);
		if (stop)
			return;
	}
}

/* vfs: an entry of the copy that the image has the same */
static bool diff_same(const struct stat *a, const struct stat *b)
{
	if ((a->st_mode ^ b->st_mode) || a->st_uid != b->st_uid || a->st_gid != b->st_gid)
		return false;
	if (S_ISCHR(a->st_mode) || S_ISBLK(a->st_mode))
		return a->st_rdev == b->st_rdev;
	return a->st_size == b->st_size && a->st_mtim.tv_sec == b->st_mtim.tv_sec &&
	       a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

static bool diff_hidden(const char *path)
{
	for (size_t i = 0; i < ARRAY_SIZE(diff_runtime_paths); i++)
		if (!strcmp(path, diff_runtime_paths[i]))
			return true;
	return false;
}

/* implements layer_tar_opts.visit: the entries of the writable layer in
 * order, parents first */
static int diff_visit(void *arg, const char *path, const struct stat *st, struct werr *err)
{
	struct diff_ctx *c = arg;
	char p[PATH_MAX];
	const char *base;
	size_t n = strlen(path);
	struct stat lower;

	snprintf(p, sizeof(p), "%.*s", (int)(n && path[n - 1] == '/' ? n - 1 : n), path);
	diff_leave(c, p);
	base = strrchr(p, '/') ? strrchr(p, '/') + 1 : p;
	if (!c->copy && !strcmp(base, ".wh..wh..opq")) {
		struct diff_pending *top = c->n_pending ? &c->pending[c->n_pending - 1] : NULL;
		if (top && base == p + strlen(top->path) + 1) {
			top->opaque = true;
			diff_opaque_dir(c, top->path);
		}
		return 0;
	}
	if (!c->copy && !strncmp(base, ".wh.", 4)) {
		char gone[PATH_MAX];
		snprintf(gone, sizeof(gone), "%.*s%s", (int)(base - p), p, base + 4);
		diff_print(c, 'D', gone);
		return 0;
	}
	if (diff_under_opaque(c) || !diff_in_image(c, p, &lower)) {
		if (!diff_hidden(p))
			diff_print(c, 'A', p);
		return 0;
	}
	if (!S_ISDIR(st->st_mode) || !S_ISDIR(lower.st_mode)) {
		if (!c->copy || !diff_same(st, &lower))
			diff_print(c, 'C', p);
		return 0;
	}
	if (c->n_pending == DIFF_DEPTH)
		return werr_set(err, E2BIG, "%s: directories nested too deep", p);
	c->pending[c->n_pending].path = strdup(p);
	if (!c->pending[c->n_pending].path)
		return werr_errno(err, ENOMEM, "diff");
	c->pending[c->n_pending].opaque = false;
	c->pending[c->n_pending++].printed = false;
	if (st->st_mode != lower.st_mode || st->st_uid != lower.st_uid ||
	    st->st_gid != lower.st_gid) {
		c->n_pending--;
		diff_print(c, 'C', p);
		c->pending[c->n_pending++].printed = true;
	}
	if (c->copy)
		diff_opaque_dir(c, p);
	return 0;
}

/* implements userns_exec's fn: walk the writable layer as its owner */
static int diff_fn(void *arg, struct werr *err)
{
	struct diff_ctx *c = arg;
	struct layer_tar_opts o = {
		.merged = c->copy, .uid = -1, .gid = -1, .visit = diff_visit, .visit_arg = c
	};
	struct layer_diff_result res;
	_cleanup_close_ int base = -1, upper = -1;
	_cleanup_free_ char *lowers = strdup(c->o->lowerdir);
	char *save = NULL;
	pid_t sqfs;
	int r;

	/* a SquashFS file's container: the file, mounted privately, is its
	 * one lower layer (squashfuse_ll ends with this process) */
	if (c->o->squashfs &&
	    (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0))
		return werr_errno(err, errno, "a private mount namespace");
	if (c->o->squashfs && sqshmount_start(c->o->squashfs, c->o->lower_base, &sqfs, err) < 0)
		return -err->code;
	base = open(c->o->lower_base, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	upper = open(c->o->upperdir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (base < 0 || upper < 0 || !lowers)
		return werr_errno(err, errno, "the container's layers");
	for (char *l = strtok_r(lowers, ":", &save); l && c->n_lower < DIFF_MAX_LAYERS;
	     l = strtok_r(NULL, ":", &save)) {
		c->lower[c->n_lower] = openat(base, l, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (c->lower[c->n_lower] < 0)
			return werr_errno(err, errno, "image layer %s", l);
		c->n_lower++;
	}
	c->upper = upper;
	if (c->copy)
		diff_opaque_dir(c, "");
	r = layer_tar_write(upper, NULL, &o, -1, &res, err);
	fflush(stdout);
	diff_leave(c, "");
	for (size_t i = 0; i < c->n_lower; i++)
		close(c->lower[i]);
	return r;
}

/* vfs: the layers of image @image_id from its record, compared with the
 * container's copy @rootfs */
static int diff_vfs_layers(struct store *s, const char *image_id, const char *rootfs,
                           struct overlay_spec *o, struct werr *err)
{
	json_t *images = NULL, *rec, *layers;
	char *p;
	size_t n;
	int r = store_open(s, cli_gopts(), err);

	if (r == 0)
		r = store_images_load(s, &images, err);
	rec = r == 0 ? store_image_find(images, image_id, err) : NULL;
	if (r == 0 && !rec)
		r = werr_set(err, ENOENT,
		             "the container's image %s is no longer in the store: diff of a vfs "
		             "container compares with it",
		             image_id);
	layers = json_object_get(rec, "layers");
	n = json_array_size(layers);
	o->lowerdir = p = r == 0 ? calloc(n + 1, DIGEST_HEX_LEN + 16) : NULL;
	if (r == 0 && !p)
		r = werr_errno(err, ENOMEM, "diff");
	for (size_t i = n; r == 0 && i-- > 0;) {
		const char *chain =
		    json_string_value(json_object_get(json_array_get(layers, i), "chain_id"));
		if (!chain)
			r = werr_set(err, EINVAL, "image %s: a layer without a chain ID", image_id);
		else
			p += sprintf(p, "%slayers/%s/diff", i == n - 1 ? "" : ":",
			             digest_hex(chain));
	}
	o->lower_base = s->root;
	o->upperdir = rootfs;
	json_decref(images);
	return r;
}

/* implements opt_cb: diff has no options but --help */
static int diff_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	(void)ctx;
	(void)def;
	(void)v;
	(void)err;
	return 0;
}

static const struct opt_def diff_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

const struct cli_cmd cli_cmd_diff = { "diff",
	                              "CONTAINER",
	                              "Inspect changes to files or directories on a container's "
	                              "filesystem",
	                              diff_opts,
	                              1,
	                              1,
	                              OPTS_INTERSPERSED };

int cmd_diff(int argc, char **argv)
{
	struct container_spec spec = { 0 };
	struct overlay_spec vfs = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct diff_ctx *c = calloc(1, sizeof(*c));
	struct werr err = { 0 };
	struct record rec;
	const char *image;
	int ind, r = cli_parse(&cli_cmd_diff, argc, argv, &ind, diff_opt, NULL);

	if (r >= 0 || !c) {
		free(c);
		return r >= 0 ? r
		              : cli_error(&(struct werr){ .code = ENOMEM, .msg = "out of memory" });
	}
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0) {
		free(c);
		return cli_error(&err);
	}
	r = config_to_spec(rec.config, &spec, &err);
	/* an image container records its image's ID, a --rootfs one its directory */
	image = config_get(rec.config, "Image");
	if (r == 0 && !spec.overlay && (!image || strncmp(image, "sha256:", 7)))
		r = werr_set(&err, EINVAL,
		             "container %s runs on --rootfs %s: it has no image layers to compare "
		             "with (diff needs a container made from an image)",
		             record_name(&rec), spec.rootfs);
	else if (r == 0 && !spec.overlay)
		r = diff_vfs_layers(&s, image, spec.rootfs, &vfs, &err);
	c->copy = !spec.overlay;
	c->o = spec.overlay ? spec.overlay : &vfs;
	if (r == 0)
		r = userns_exec(&spec.idmap, diff_fn, c, &err);
	config_spec_free(&spec);
	record_free(&rec);
	free(c);
	free((char *)vfs.lowerdir);
	store_close(&s);
	return r < 0 ? cli_error(&err) : 0;
}
