/* cmd_layer.c - `warren-transfer layer-diff DIR OUT`, for warren build: the
 * directory DIR (a step's upper layer, files of subordinate IDs) written as
 * an uncompressed layer tar to OUT inside the user namespace; prints
 * "DIGEST SIZE". Part of warren-transfer (libarchive). */
#include "cleanup.h"
#include "commands.h"
#include "layer_diff.h"

#include <fcntl.h>
#include <stdio.h>
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
		return 125;
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
	return 125;
}
