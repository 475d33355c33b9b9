/* layer.c - layer unpack workers: each is a forked process that enters the
 * user namespace through userns_exec() and runs unpack_layer() on a stored,
 * verified blob, or on one still arriving (followed as it grows; the pull
 * keeps the layer out of the store until its digest checks). Results (size, skipped devices, error) come back over a
 * pipe; a worker never touches the store outside its staging directory. */
#include "layer.h"
#include "cleanup.h"
#include "userns_exec.h"
#include "util.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

struct unpack_arg {
	int blob_fd, dir_fd;
	enum unpack_whiteouts whiteouts;
	int follow_fd; /* >= 0: the blob is still arriving (layer_job) */
	uint64_t follow_size;
	struct unpack_stats *stats; /* MAP_SHARED: written by the namespace's child */
};

struct worker_result {
	int ret;
	uint64_t bytes;
	unsigned skipped_devices;
	struct werr err;
};

/* runs inside the user namespace (userns_exec's fn) */
static int unpack_in_ns(void *arg, struct werr *err)
{
	struct unpack_arg *a = arg;
	struct unpack_opts o = { .whiteouts = a->whiteouts,
		                 .follow = a->follow_fd >= 0,
		                 .follow_fd = a->follow_fd,
		                 .follow_size = a->follow_size };

	return unpack_layer(a->blob_fd, a->dir_fd, &o, a->stats, err);
}

static int unpack_blob(struct store *s, const struct idmap_plan *plan, const char *blob,
                       int blob_fd, int dir_fd, enum unpack_whiteouts wh,
                       const struct layer_job *job, struct unpack_stats *out, struct werr *err)
{
	_cleanup_close_ int bfd = blob_fd >= 0 ? blob_fd : store_blob_open(s, blob, err);
	struct unpack_stats *stats;
	struct unpack_arg a;
	int r;

	if (bfd < 0)
		return bfd;
	stats =
	    mmap(NULL, sizeof(*stats), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (stats == MAP_FAILED)
		return werr_errno(err, errno, "mmap");
	memset(stats, 0, sizeof(*stats));
	a = (struct unpack_arg){ bfd,
		                 dir_fd,
		                 wh,
		                 job && job->follow ? job->follow_fd : -1,
		                 job ? job->follow_size : 0,
		                 stats };
	r = userns_exec(plan, unpack_in_ns, &a, err);
	if (out)
		*out = *stats;
	munmap(stats, sizeof(*stats));
	if (r < 0)
		return werr_prefix(err, "unpacking layer %s", blob);
	return 0;
}

/* the worker: unpack into NAME/diff, then write NAME/size */
__attribute__((noreturn)) static void worker_main(struct store *s, struct staging *st,
                                                  const struct idmap_plan *plan,
                                                  struct layer_job *job, int res_fd)
{
	struct worker_result res = { 0 };
	struct unpack_stats stats = { 0 };
	_cleanup_close_ int ldir = -1, diff = -1;
	char size[32];

	if (mkdirat(st->fd, job->name, 0700) < 0 ||
	    (ldir = openat(st->fd, job->name, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0 ||
	    mkdirat(ldir, "diff", 0755) < 0 ||
	    (diff = openat(ldir, "diff", O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		res.ret = werr_errno(&res.err, errno, "creating a layer directory in %s/%s",
		                     s->root, st->name);
	} else {
		int bfd = -1;
		if (job->blob_file[0] &&
		    (bfd = openat(st->fd, job->blob_file, O_RDONLY | O_CLOEXEC)) < 0)
			res.ret = werr_errno(&res.err, errno, "open %s", job->blob_file);
		else
			res.ret = unpack_blob(s, plan, job->blob, bfd, diff,
			                      UNPACK_WHITEOUT_OVERLAY, job, &stats, &res.err);
	}
	if (res.ret == 0) {
		snprintf(size, sizeof(size), "%llu\n", (unsigned long long)stats.bytes);
		res.ret = util_write_file_atomic(ldir, "size", size, strlen(size), 0600, &res.err);
	}
	res.bytes = stats.bytes;
	res.skipped_devices = stats.skipped_devices;
	util_write_all(res_fd, &res, sizeof(res));
	_exit(res.ret == 0 ? 0 : 1);
}

int layer_unpack_start(struct store *s, struct staging *st, const struct idmap_plan *plan,
                       struct layer_job *job, struct werr *err)
{
	pid_t parent = getpid(), pid;
	int p[2];

	if (pipe2(p, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return werr_errno(err, errno, "fork");
	}
	if (pid == 0) {
		close(p[0]);
		signal(SIGPIPE, SIG_DFL);
		/* a killed pull takes its workers with it: a following worker
		 * would otherwise wait for a download that never ends */
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(1);
		worker_main(s, st, plan, job, p[1]);
	}
	close(p[1]);
	job->pid = pid;
	job->res_fd = p[0];
	return 0;
}

int layer_unpack_wait(struct layer_job *job)
{
	struct worker_result res = { 0 };
	size_t got;
	int st;

	if (job->pid <= 0)
		return job->ret;
	got = util_read_upto(job->res_fd, &res, sizeof(res));
	close(job->res_fd);
	job->res_fd = -1;
	while (waitpid(job->pid, &st, 0) < 0 && errno == EINTR)
		;
	job->pid = 0;
	if (got != sizeof(res)) {
		job->ret =
		    werr_set(&job->err, EIO, "the unpack worker for layer %s died", job->blob);
		return job->ret;
	}
	job->ret = res.ret;
	job->err = res.err;
	job->bytes = res.bytes;
	job->skipped_devices = res.skipped_devices;
	return job->ret;
}

int layer_apply(struct store *s, const struct idmap_plan *plan, const char *blob, int dirfd,
                struct werr *err)
{
	return unpack_blob(s, plan, blob, -1, dirfd, UNPACK_WHITEOUT_APPLY, NULL, NULL, err);
}

int layer_apply_image(struct store *s, const struct image_loaded *img,
                      const struct idmap_plan *plan, const char *dest, struct werr *err)
{
	_cleanup_close_ int fd = -1;

	if (mkdir(dest, 0755) < 0)
		return werr_errno(err, errno, "create %s", dest);
	fd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return werr_errno(err, errno, "open %s", dest);
	for (size_t i = 0; i < img->n_layers; i++) {
		int r = layer_apply(s, plan, img->m.layers[i].digest, fd, err);
		if (r < 0)
			return r;
	}
	return 0;
}
