/* cmd_layer.c - the tar and HTTP work of warren build, in warren-transfer
 * (libarchive, libcurl): `layer-diff DIR OUT` writes a step's upper layer
 * (files of subordinate IDs) as a layer tar and prints "DIGEST SIZE";
 * `untar --layer|--archive FILE DIR` extracts a layer tar or an ADD archive
 * into a step's layer; `fetch URL OUT` downloads an ADD URL. Tar work runs
 * inside the user namespace. */
#include "cleanup.h"
#include "commands.h"
#include "layer_diff.h"
#include "unpack.h"
#include "userns_exec.h"

#include <curl/curl.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int cmd_layer_diff(int argc, char **argv)
{
	struct idmap_plan plan;
	struct werr err = { 0 };
	_cleanup_close_ int dirfd = -1, outfd = -1;
	char dg[DIGEST_STR_LEN + 1];
	uint64_t size;
	int r;

	if (argc != 3) {
		fprintf(stderr, "usage: warren-transfer layer-diff DIR OUT\n");
		return EXIT_WARREN;
	}
	dirfd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	outfd = open(argv[2], O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (dirfd < 0 || outfd < 0) {
		werr_errno(&err, errno, "open %s", dirfd < 0 ? argv[1] : argv[2]);
		goto fail;
	}
	r = idmap_plan_make(&plan, false, &err);
	if (r == 0)
		r = layer_diff_userns(&plan, dirfd, outfd, &err);
	/* the child's result stays in its memory: hash the file here */
	if (r == 0 && (lseek(outfd, 0, SEEK_SET) < 0 || digest_fd(outfd, dg, &size, &err) < 0))
		r = -1;
	if (r < 0)
		goto fail;
	printf("%s %llu\n", dg, (unsigned long long)size);
	return 0;
fail:
	werr_print(&err, "warren");
	return EXIT_WARREN;
}

struct untar_arg {
	int fd, dirfd;
	enum unpack_whiteouts whiteouts;
	bool owner_set;
	uid_t uid;
	gid_t gid;
};

/* runs in the user namespace */
static int untar_in_ns(void *arg, struct werr *err)
{
	struct untar_arg *a = arg;
	struct unpack_opts o = {
		.whiteouts = a->whiteouts, .owner_set = a->owner_set, .uid = a->uid, .gid = a->gid
	};

	return unpack_layer(a->fd, a->dirfd, &o, NULL, err);
}

int cmd_untar(int argc, char **argv)
{
	struct idmap_plan plan;
	struct werr err = { 0 };
	_cleanup_close_ int fd = -1, dirfd = -1;
	struct untar_arg a;
	int r;

	/* a layer's whiteouts are its own; an ADD archive is the user's files,
	 * where a .wh. name is refused: kept as a file, the step's layer tar
	 * would carry it as a whiteout (as Docker's and podman's do), so the
	 * file would vanish and hide what the image had under its name */
	unsigned long uid = 0, gid = 0;
	char *end = NULL;

	/* --owner=UID:GID (an ADD --chown): every entry's owner */
	if (argc == 5 && !strncmp(argv[4], "--owner=", 8)) {
		errno = 0;
		uid = strtoul(argv[4] + 8, &end, 10);
		if (*end == ':')
			gid = strtoul(end + 1, &end, 10);
	}
	if ((argc != 4 && !end) ||
	    (end && (*end || errno || uid >= UINT32_MAX || gid >= UINT32_MAX)) ||
	    (strcmp(argv[1], "--layer") && strcmp(argv[1], "--archive"))) {
		fprintf(
		    stderr,
		    "usage: warren-transfer untar --layer|--archive FILE DIR [--owner=UID:GID]\n");
		return EXIT_WARREN;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	dirfd = open(argv[3], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || dirfd < 0) {
		werr_errno(&err, errno, "open %s", fd < 0 ? argv[2] : argv[3]);
		goto fail;
	}
	a = (struct untar_arg){ fd,
		                dirfd,
		                !strcmp(argv[1], "--layer") ? UNPACK_WHITEOUT_OVERLAY
		                                            : UNPACK_WHITEOUT_REFUSE,
		                end != NULL,
		                (uid_t)uid,
		                (gid_t)gid };
	r = idmap_plan_make(&plan, false, &err);
	if (r == 0)
		r = userns_exec(&plan, untar_in_ns, &a, &err);
	if (r == 0)
		return 0;
	werr_prefix(&err, "%s %s", a.whiteouts == UNPACK_WHITEOUT_REFUSE ? "ADD" : "extracting",
	            argv[2]);
fail:
	werr_print(&err, "warren");
	return EXIT_WARREN;
}

/* implements CURLOPT_WRITEFUNCTION: into the file */
static size_t fetch_write(char *p, size_t size, size_t n, void *ctx)
{
	size_t len = size * n, done = 0;

	while (done < len) {
		ssize_t w = write(*(int *)ctx, p + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return 0;
		done += (size_t)w;
	}
	return len;
}

int cmd_fetch(int argc, char **argv)
{
	struct werr err = { 0 };
	_cleanup_close_ int fd = -1;
	CURL *c;
	CURLcode cr;
	long status = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: warren-transfer fetch URL OUT\n");
		return EXIT_WARREN;
	}
	fd = open(argv[2], O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		werr_errno(&err, errno, "create %s", argv[2]);
		goto fail;
	}
	curl_global_init(CURL_GLOBAL_DEFAULT);
	c = curl_easy_init();
	if (!c) {
		werr_set(&err, ENOMEM, "libcurl");
		goto fail;
	}
	curl_easy_setopt(c, CURLOPT_URL, argv[1]);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "http,https");
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &fd);
	cr = curl_easy_perform(c);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_cleanup(c);
	if (cr != CURLE_OK)
		werr_set(&err, EIO, "ADD %s: %s", argv[1], curl_easy_strerror(cr));
	else if (status >= 400)
		werr_set(&err, EIO, "ADD %s: the server answered HTTP %ld", argv[1], status);
	else
		return 0;
fail:
	werr_print(&err, "warren");
	return EXIT_WARREN;
}
