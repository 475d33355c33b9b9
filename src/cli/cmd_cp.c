/* cmd_cp.c - `warren cp` (run by warren-transfer: it needs libarchive):
 * files between a container and the host as a tar stream between two
 * processes, one in the container's user namespace that resolves paths
 * only inside the container's root (ctrpath.h), one on the host as the
 * caller. Docker's rules for names, -a, -L and "-". */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "cp_host.h"
#include "ctrpath.h"
#include "ctrroot.h"
#include "layer_diff.h"
#include "state.h"
#include "unpack.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum { CP_ARCHIVE = 1, CP_FOLLOW, CP_QUIET };

struct cp_cfg {
	bool archive, follow;
};

/* what the process in the container works with */
struct cp_job {
	const struct cp_cfg *cfg;
	const char *path;  /* in the container, as given */
	int data_fd;       /* out: the tar is written here; in: read from here */
	int decide_fd;     /* in: the decision for the host, one byte */
	const char *as;    /* out: the top entry's name (NULL: its own) */
	bool contents;     /* out: SRC/. or a directory DEST: the entries inside */
	bool dest_is_file; /* out: DEST is an existing file */
	bool src_is_dir;   /* in: SRC is a directory */
	bool stream;       /* in: the tar comes from stdin */
};

static const struct opt_def cp_opts[] = {
	{ "archive", 'a', OPT_FLAG, NULL, "Archive mode (copy all uid/gid information)",
	  CP_ARCHIVE },
	{ "follow-link", 'L', OPT_FLAG, NULL, "Always follow symbol link in SRC_PATH", CP_FOLLOW },
	{ "quiet", 'q', OPT_FLAG, NULL, "Suppress progress output (there is none)", CP_QUIET },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements opt_cb for cp */
static int cp_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct cp_cfg *c = ctx;
	bool on = !strcmp(v, "true");

	(void)err;
	if (def->id == CP_ARCHIVE)
		c->archive = on;
	else if (def->id == CP_FOLLOW)
		c->follow = on;
	return 0;
}

/* Docker's splitCpArg: "NAME:PATH" names a container unless the argument
 * is an absolute path or starts with "." */
static const char *cp_split(char *arg, const char **ctr)
{
	char *colon = strchr(arg, ':');

	*ctr = NULL;
	if (arg[0] == '/' || arg[0] == '.' || !colon)
		return arg;
	*colon = '\0';
	*ctr = arg;
	return colon + 1;
}

static bool cp_ends_with_dot(const char *p)
{
	size_t n = strlen(p);

	return (n == 1 && p[0] == '.') || (n >= 2 && !strcmp(p + n - 2, "/."));
}

static bool cp_ends_with_slash(const char *p)
{
	size_t n = strlen(p);

	return n && p[n - 1] == '/';
}

/* the last component of @path into @buf ("" for the root) */
static void cp_base(const char *path, char *buf, size_t size)
{
	char tmp[PATH_MAX];

	snprintf(tmp, sizeof(tmp), "%s", path);
	snprintf(buf, size, "%s", basename(tmp));
	if (!strcmp(buf, "/"))
		buf[0] = '\0';
}

/* implements ctrroot_fn: SRC in the container as a tar on data_fd */
static int cp_out_fn(int rootfd, void *arg, struct werr *err)
{
	struct cp_job *j = arg;
	char rel[PATH_MAX], base[NAME_MAX + 1], parent[PATH_MAX], given[NAME_MAX + 1];
	struct layer_tar_opts o = { .arcname = j->as, .merged = true, .uid = -1, .gid = -1 };
	struct layer_diff_result res;
	_cleanup_close_ int pfd = -1;
	struct stat st;
	int r = ctrpath_resolve(rootfd, j->path, j->cfg->follow, rel, sizeof(rel), err);

	if (r < 0)
		return r;
	/* -L: the link's target under the link's name */
	cp_base(j->path, given, sizeof(given));
	if (!o.arcname && j->cfg->follow && given[0] && strcmp(given, ".") && strcmp(given, ".."))
		o.arcname = given;
	cp_base(rel, base, sizeof(base));
	snprintf(parent, sizeof(parent), "%.*s", (int)(strlen(rel) - strlen(base)), rel);
	if (j->contents || !base[0]) {
		pfd = ctrpath_open(rootfd, rel, O_RDONLY | O_DIRECTORY);
		if (pfd < 0)
			return werr_errno(err, -pfd, "%s in the container", j->path);
		if (j->dest_is_file)
			return werr_set(err, EISDIR, "cannot copy a directory to a file");
		/* a new name for the root: "." of it under that name */
		return layer_tar_write(pfd, j->as ? "." : NULL, &o, j->data_fd, &res, err);
	}
	pfd = ctrpath_open(rootfd, parent, O_RDONLY | O_DIRECTORY);
	if (pfd < 0)
		return werr_errno(err, -pfd, "%s in the container", j->path);
	if (fstatat(pfd, base, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT
		           ? werr_set(err, ENOENT, "%s: no such file or directory in the container",
		                      j->path)
		           : werr_errno(err, errno, "%s in the container", j->path);
	if (S_ISDIR(st.st_mode) && j->dest_is_file)
		return werr_set(err, EISDIR, "cannot copy a directory to a file");
	if (!S_ISDIR(st.st_mode) && cp_ends_with_slash(j->path))
		return werr_set(err, ENOTDIR, "%s: not a directory in the container", j->path);
	return layer_tar_write(pfd, base, &o, j->data_fd, &res, err);
}

/* implements ctrroot_fn: decide where DEST is, tell the host, unpack */
static int cp_in_fn(int rootfd, void *arg, struct werr *err)
{
	struct cp_job *j = arg;
	/* the user's files: a .wh. name is a name, never a whiteout */
	struct unpack_opts uo = { .whiteouts = UNPACK_WHITEOUT_NONE,
		                  .owner_root = !j->cfg->archive };
	char rel[PATH_MAX], base[NAME_MAX + 1], where[PATH_MAX];
	_cleanup_close_ int dfd = -1;
	struct stat st;
	char decision = 'D'; /* into DEST; 'R': DEST is the new name */
	int r = ctrpath_resolve(rootfd, j->path, true, rel, sizeof(rel), err);

	if (r < 0)
		return r;
	dfd = ctrpath_open(rootfd, rel, O_PATH);
	if (dfd < 0 && dfd != -ENOENT)
		return werr_errno(err, -dfd, "%s in the container", j->path);
	if (dfd >= 0 && fstat(dfd, &st) < 0)
		return werr_errno(err, errno, "%s in the container", j->path);
	if (dfd < 0 || !S_ISDIR(st.st_mode)) {
		if (j->stream)
			return werr_set(err, ENOTDIR,
			                "%s must be a directory in the container to extract a tar "
			                "stream into",
			                j->path);
		if (dfd < 0 && cp_ends_with_slash(j->path))
			return werr_set(err, ENOENT, "%s: no such directory in the container",
			                j->path);
		if (dfd >= 0 && j->src_is_dir)
			return werr_set(err, EISDIR, "cannot copy a directory to a file (%s)",
			                j->path);
		decision = 'R';
		cp_base(rel, base, sizeof(base));
		snprintf(where, sizeof(where), "%.*s", (int)(strlen(rel) - strlen(base)), rel);
	} else {
		snprintf(where, sizeof(where), "%s", rel);
	}
	cleanup_closep(&dfd);
	dfd = ctrpath_open(rootfd, where, O_RDONLY | O_DIRECTORY);
	if (dfd < 0)
		return werr_errno(err, -dfd, "%s in the container", j->path);
	if (write(j->decide_fd, &decision, 1) != 1)
		return werr_errno(err, errno, "cp");
	close(j->decide_fd);
	return unpack_layer(j->data_fd, dfd, &uo, NULL, err);
}

/* container -> host */
static int cp_out(const struct record *rec, const struct cp_cfg *cfg, const char *src,
                  const char *dest, struct werr *err)
{
	struct cp_job j = { .cfg = cfg, .path = src, .contents = cp_ends_with_dot(src) };
	struct ctrroot_job job = { .child_close = { -1, -1, -1, -1 } };
	char where[PATH_MAX], as[NAME_MAX + 1];
	int pfd[2], r, r2;
	struct stat st;
	bool to_stdout = !strcmp(dest, "-");

	if (!to_stdout) {
		int sr = stat(dest, &st);
		if (sr < 0 && errno != ENOENT)
			return werr_errno(err, errno, "%s", dest);
		if (sr == 0 && S_ISDIR(st.st_mode)) {
			snprintf(where, sizeof(where), "%s", dest);
		} else {
			if (sr < 0 && cp_ends_with_slash(dest))
				return werr_set(err, ENOENT, "%s: no such directory", dest);
			j.dest_is_file = sr == 0;
			cp_base(dest, as, sizeof(as));
			snprintf(where, sizeof(where), "%.*s", (int)(strlen(dest) - strlen(as)),
			         dest);
			if (!where[0])
				snprintf(where, sizeof(where), ".");
			if (stat(where, &st) < 0 || !S_ISDIR(st.st_mode))
				return werr_set(err, ENOENT, "%s: no such directory", where);
			j.as = as;
			j.contents = false;
		}
	}
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	j.data_fd = pfd[1];
	job.child_close[0] = pfd[0];
	r = ctrroot_start(rec, cp_out_fn, &j, &job, err);
	close(pfd[1]);
	if (r < 0) {
		close(pfd[0]);
		return r;
	}
	r = to_stdout ? cp_host_copy(pfd[0], STDOUT_FILENO, err)
	              : cp_host_extract(pfd[0], where, cfg->archive, err);
	close(pfd[0]);
	r2 = ctrroot_finish(&job, r < 0 ? &(struct werr){ 0 } : err);
	return r2 < 0 ? r2 : r;
}

/* host -> container */
static int cp_in(const struct record *rec, const struct cp_cfg *cfg, const char *src,
                 const char *dest, struct werr *err)
{
	struct cp_job j = { .cfg = cfg, .path = dest, .stream = !strcmp(src, "-") };
	struct ctrroot_job job = { .child_close = { -1, -1, -1, -1 } };
	struct layer_tar_opts o = { .merged = true, .uid = -1, .gid = -1 };
	char parent[PATH_MAX], base[NAME_MAX + 1], as[NAME_MAX + 1], given[NAME_MAX + 1], decision;
	int dec[2], data[2] = { -1, -1 }, r = 0, r2;
	_cleanup_close_ int pfd = -1;
	struct stat st;

	if (!j.stream) {
		if ((cfg->follow ? stat(src, &st) : lstat(src, &st)) < 0)
			return werr_errno(err, errno, "%s", src);
		j.src_is_dir = S_ISDIR(st.st_mode);
		if (!j.src_is_dir && cp_ends_with_slash(src))
			return werr_set(err, ENOTDIR, "%s: not a directory", src);
		if (cfg->follow && !realpath(src, parent))
			return werr_errno(err, errno, "%s", src);
		if (!cfg->follow)
			snprintf(parent, sizeof(parent), "%s", src);
		while (strlen(parent) > 1 && cp_ends_with_slash(parent))
			parent[strlen(parent) - 1] = '\0';
		cp_base(parent, base, sizeof(base));
		parent[strlen(parent) - strlen(base)] = '\0';
		pfd = open(parent[0] ? parent : ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (pfd < 0)
			return werr_errno(err, errno, "%s", parent);
	}
	if (pipe2(dec, O_CLOEXEC) < 0 || (!j.stream && pipe2(data, O_CLOEXEC) < 0))
		return werr_errno(err, errno, "pipe");
	j.decide_fd = dec[1];
	j.data_fd = j.stream ? STDIN_FILENO : data[0];
	job.child_close[0] = dec[0];
	job.child_close[1] = data[1];
	r = ctrroot_start(rec, cp_in_fn, &j, &job, err);
	close(dec[1]);
	if (data[0] >= 0)
		close(data[0]);
	if (r < 0) {
		close(dec[0]);
		if (data[1] >= 0)
			close(data[1]);
		return r;
	}
	if (read(dec[0], &decision, 1) == 1 && !j.stream) {
		cp_base(dest, as, sizeof(as));
		/* -L: the link's target under the link's name */
		cp_base(src, given, sizeof(given));
		o.arcname = decision == 'R' ? as : cfg->follow ? given : NULL;
		if (cp_ends_with_dot(src) && decision == 'D')
			r = layer_tar_write(pfd, NULL, &o, data[1],
			                    &(struct layer_diff_result){ 0 }, err);
		else
			r = layer_tar_write(pfd, base, &o, data[1],
			                    &(struct layer_diff_result){ 0 }, err);
	}
	close(dec[0]);
	if (data[1] >= 0)
		close(data[1]);
	r2 = ctrroot_finish(&job, r < 0 ? &(struct werr){ 0 } : err);
	return r2 < 0 ? r2 : r;
}

const struct cli_cmd cli_cmd_cp = {
	"cp",
	"[OPTIONS] CONTAINER:SRC_PATH DEST_PATH|-\n       warren cp [OPTIONS] SRC_PATH|- "
	"CONTAINER:DEST_PATH",
	"Copy files/folders between a container and the local filesystem.\n\nUse '-' as "
	"the source to read a tar archive from stdin and extract it to a directory "
	"destination in a container.\nUse '-' as the destination to stream a tar archive "
	"of a container source to stdout.",
	cp_opts,
	2,
	2,
	OPTS_INTERSPERSED
};

int cmd_cp(int argc, char **argv)
{
	struct cp_cfg cfg = { 0 };
	struct werr err = { 0 };
	struct record rec;
	const char *sctr, *dctr, *src, *dest;
	int ind, lock = -1, r = cli_parse(&cli_cmd_cp, argc, argv, &ind, cp_opt, &cfg);

	if (r >= 0)
		return r;
	src = cp_split(argv[ind], &sctr);
	dest = cp_split(argv[ind + 1], &dctr);
	if (sctr && dctr)
		werr_set(&err, EINVAL, "copying between containers is not supported");
	else if (!sctr && !dctr)
		werr_set(&err, EINVAL,
		         "must specify at least one container source (CONTAINER:PATH)");
	else if (!*src || !*dest)
		werr_set(&err, EINVAL, "empty path: give CONTAINER:PATH and a local path");
	if (err.code)
		return cli_error(&err);
	if (record_lookup(cli_gopts(), sctr ? sctr : dctr, &rec, &err) < 0)
		return cli_error(&err);
	signal(SIGPIPE, SIG_IGN);
	r = state_refresh(&rec, &err);
	/* a stopped container stays stopped while its files are copied */
	if (r == 0 && !state_running_pid(&rec))
		r = lock = record_lock(&rec, &err);
	if (r >= 0)
		r = sctr ? cp_out(&rec, &cfg, src, dest, &err) : cp_in(&rec, &cfg, src, dest, &err);
	if (lock >= 0)
		close(lock);
	record_free(&rec);
	return r < 0 ? cli_error(&err) : 0;
}
