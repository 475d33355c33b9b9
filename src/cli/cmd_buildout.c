/* cmd_buildout.c - `warren-transfer build-output TREE tar FILE | tar-fd N |
 * local DIR`, the export of `warren build --output`: the final image's tree
 * (a flattened copy in the build's staging directory, files of subordinate
 * IDs) as a tar with the image's owners, read inside the user namespace, or
 * that tar extracted into DIR as the caller's files (BuildKit's local
 * exporter). It writes nowhere but FILE, N and below DIR. */
#include "cleanup.h"
#include "commands.h"
#include "cp_host.h"
#include "layer_diff.h"
#include "userns_exec.h"

#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct buildout_arg {
	int dirfd, outfd;
};

/* implements userns_exec()'s fn: the whole tree as a tar */
static int buildout_tar_in_ns(void *arg, struct werr *err)
{
	const struct buildout_arg *a = arg;
	struct layer_tar_opts o = { .merged = true, .uid = -1, .gid = -1 };
	struct layer_diff_result res;

	return layer_tar_write(a->dirfd, NULL, &o, a->outfd, &res, err);
}

/* the output's descriptor: FILE (made), an inherited N, or for local an
 * unnamed file next to TREE that holds the tar until it is extracted */
static int buildout_open(const char *tree, const char *mode, const char *dest, struct werr *err)
{
	char parent[PATH_MAX];
	char *end;
	long n;
	int fd;

	if (!strcmp(mode, "tar")) {
		fd = open(dest, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		return fd >= 0 ? fd : werr_errno(err, errno, "--output %s", dest);
	}
	if (!strcmp(mode, "tar-fd")) {
		errno = 0;
		n = strtol(dest, &end, 10);
		if (errno || *end || n < 0 || n > INT_MAX || fcntl((int)n, F_GETFD) < 0)
			return werr_set(err, EBADF, "build-output: no descriptor %s", dest);
		fd = fcntl((int)n, F_DUPFD_CLOEXEC, 3);
		return fd >= 0 ? fd : werr_errno(err, errno, "build-output");
	}
	if (strcmp(mode, "local"))
		return werr_set(err, EINVAL, "build-output: unknown mode %s", mode);
	if (mkdir(dest, 0755) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "--output %s", dest);
	snprintf(parent, sizeof(parent), "%s", tree);
	fd = open(dirname(parent), O_TMPFILE | O_RDWR | O_CLOEXEC, 0600);
	return fd >= 0 ? fd : werr_errno(err, errno, "a temporary file in %s", parent);
}

int cmd_build_output(int argc, char **argv)
{
	struct buildout_arg a = { -1, -1 };
	struct idmap_plan plan;
	struct werr err = { 0 };
	int r;

	if (argc != 4) {
		fprintf(stderr, "usage: warren-transfer build-output TREE tar FILE|tar-fd N|local "
		                "DIR\n");
		return EXIT_WARREN;
	}
	a.dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = a.dirfd < 0 ? werr_errno(&err, errno, "open %s", argv[1]) : 0;
	if (r == 0)
		r = a.outfd = buildout_open(argv[1], argv[2], argv[3], &err);
	if (r >= 0)
		r = idmap_plan_make(&plan, false, &err);
	if (r == 0 && userns_exec(&plan, buildout_tar_in_ns, &a, &err) < 0)
		r = werr_prefix(&err, "--output %s", argv[3]);
	if (r == 0 && !strcmp(argv[2], "local")) {
		if (lseek(a.outfd, 0, SEEK_SET) < 0)
			r = werr_errno(&err, errno, "--output %s", argv[3]);
		else
			r = cp_host_extract(a.outfd, argv[3], true, &err);
	}
	if (a.outfd >= 0 && close(a.outfd) < 0 && r == 0)
		r = werr_errno(&err, errno, "--output %s", argv[3]);
	if (a.dirfd >= 0)
		close(a.dirfd);
	if (r == 0)
		return 0;
	werr_print(&err, "warren");
	return EXIT_WARREN;
}
