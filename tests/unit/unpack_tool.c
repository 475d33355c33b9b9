/* unpack_tool.c - test driver for the layer unpacker (built, never installed):
 *   warren-unpack-test [--apply] [--userns|--single] LAYERDIR < layer.tar
 *   warren-unpack-test --list-overlay LOWER[:LOWER...]   (lowerdir= order)
 *   warren-unpack-test --list DIR
 * Unpacks stdin into LAYERDIR (in a user namespace with the caller's
 * subordinate IDs, or a single-ID one), or lists a tree as the user
 * namespace sees it: a kernel overlay of layer dirs mounted there, or DIR,
 * one line per path:
 * "PATH MODE(octal, with type) UID:GID [SIZE] [-> TARGET]". */
#define _XOPEN_SOURCE 700
#include <fcntl.h>
#include <ftw.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "idmap.h"
#include "unpack.h"
#include "userns_exec.h"

struct tool_job {
	int in_fd, dir_fd;
	struct unpack_opts opts;
	struct unpack_stats *stats; /* MAP_SHARED: the child fills it */
	const char *lowers, *mnt;
};

/* implements the userns_exec() callback: unpack */
static int tool_unpack(void *arg, struct werr *err)
{
	struct tool_job *j = arg;

	return unpack_layer(j->in_fd, j->dir_fd, &j->opts, j->stats, err);
}

static size_t mnt_len;

/* implements nftw's callback: one line per path below the mount */
static int tool_print(const char *path, const struct stat *st, int flag, struct FTW *f)
{
	const char *rel = path + mnt_len;

	(void)flag;
	(void)f;
	if (!*rel)
		return 0;
	printf("%s %o %u:%u", rel, (unsigned)st->st_mode, (unsigned)st->st_uid,
	       (unsigned)st->st_gid);
	if (S_ISREG(st->st_mode))
		printf(" %lld", (long long)st->st_size);
	if (S_ISLNK(st->st_mode)) {
		char target[4096];
		ssize_t n = readlink(path, target, sizeof(target) - 1);
		target[n > 0 ? n : 0] = '\0';
		printf(" -> %s", target);
	}
	putchar('\n');
	return 0;
}

/* implements the userns_exec() callback: mount the overlay, list it */
static int tool_list(void *arg, struct werr *err)
{
	struct tool_job *j = arg;
	char opts[8192];

	if (!j->lowers)
		goto walk;
	if (unshare(CLONE_NEWNS) < 0)
		return werr_errno(err, errno, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return werr_errno(err, errno, "making / private");
	snprintf(opts, sizeof(opts), "lowerdir=%s,userxattr", j->lowers);
	if (mount("overlay", j->mnt, "overlay", MS_RDONLY, opts) < 0)
		return werr_errno(err, errno, "mount -t overlay -o %s", opts);
walk:
	mnt_len = strlen(j->mnt);
	if (nftw(j->mnt, tool_print, 64, FTW_PHYS) < 0)
		return werr_errno(err, errno, "walking the overlay");
	fflush(stdout);
	return 0;
}

int main(int argc, char **argv)
{
	struct werr err = { 0 };
	struct idmap_plan plan;
	struct tool_job j = { .in_fd = 0, .dir_fd = -1 };
	bool userns = false, single = false, list = false, list_dir = false;
	int i = 1, r;

	for (; i < argc && argv[i][0] == '-'; i++) {
		if (strcmp(argv[i], "--apply") == 0)
			j.opts.whiteouts = UNPACK_WHITEOUT_APPLY;
		else if (strcmp(argv[i], "--userns") == 0)
			userns = true;
		else if (strcmp(argv[i], "--single") == 0)
			userns = single = true;
		else if (strcmp(argv[i], "--list-overlay") == 0)
			list = userns = true;
		else if (strcmp(argv[i], "--list") == 0)
			list_dir = userns = true;
		else
			break;
	}
	if (i != argc - 1) {
		fprintf(stderr,
		        "usage: %s [--apply] [--userns|--single] LAYERDIR < layer.tar\n"
		        "       %s --list-overlay LOWER[:LOWER...]\n",
		        argv[0], argv[0]);
		return 2;
	}
	j.stats =
	    mmap(NULL, sizeof(*j.stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (j.stats == MAP_FAILED)
		return 1;
	if (userns && idmap_plan_make(&plan, false, &err) < 0)
		goto fail;
	if (single) {
		plan.single = true;
		plan.uids.n = plan.gids.n = 1;
		plan.uids.ext[0] = (struct idmap_extent){ 0, plan.host_uid, 1 };
		plan.gids.ext[0] = (struct idmap_extent){ 0, plan.host_gid, 1 };
	}
	if (list_dir) {
		j.mnt = argv[i];
		return userns_exec(&plan, tool_list, &j, &err) < 0
		           ? (werr_print(&err, argv[0]), EXIT_WARREN)
		           : 0;
	}
	if (list) {
		char mnt[] = "/tmp/warren-unpack-test.XXXXXX";
		j.lowers = argv[i];
		if (!mkdtemp(mnt)) {
			perror("mkdtemp");
			return 1;
		}
		j.mnt = mnt;
		r = userns_exec(&plan, tool_list, &j, &err);
		rmdir(mnt);
		if (r < 0)
			goto fail;
		return 0;
	}
	j.dir_fd = open(argv[i], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (j.dir_fd < 0) {
		perror(argv[i]);
		return 1;
	}
	r = userns ? userns_exec(&plan, tool_unpack, &j, &err) : tool_unpack(&j, &err);
	if (r < 0)
		goto fail;
	printf("files=%llu bytes=%llu skipped_devices=%u\n", (unsigned long long)j.stats->files,
	       (unsigned long long)j.stats->bytes, j.stats->skipped_devices);
	return 0;
fail:
	werr_print(&err, "warren-unpack-test");
	return EXIT_WARREN;
}
