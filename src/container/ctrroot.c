/* ctrroot.c - reaching a container's root for cp and export: a forked child
 * joins the running container's user namespace and opens /proc/PID/root,
 * or, for a stopped container, makes its user namespace again and mounts
 * its overlay privately. It never opens a container path itself: the
 * caller's function gets the root fd and must resolve inside it. */
#include "ctrroot.h"
#include "cleanup.h"
#include "config.h"
#include "mounts.h"
#include "sqshmount.h"
#include "state.h"
#include "userns_exec.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

struct ctrroot_result {
	int ret;
	struct werr err;
};

struct ctrroot_ctx {
	struct container_spec *spec;
	ctrroot_fn fn;
	void *arg;
	bool volumes;
};

/* implements userns_exec's fn: a stopped container's root */
static int ctrroot_stopped(void *p, struct werr *err)
{
	struct ctrroot_ctx *c = p;
	_cleanup_close_ int rootfd = -1;

	if (c->spec->overlay || (c->volumes && c->spec->n_mounts)) {
		if (unshare(CLONE_NEWNS) < 0)
			return werr_errno(err, errno, "unshare(CLONE_NEWNS)");
		if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
			return werr_errno(err, errno, "making mounts private");
	}
	if (c->spec->overlay) {
		struct overlay_spec o = *c->spec->overlay;
		struct container_spec s = *c->spec;
		pid_t sqfs;
		/* the kernel's overlay reads warren-overlay's layers too */
		o.fuse = false;
		s.overlay = &o;
		/* a SquashFS file's container: its mount is the lower layer
		 * (squashfuse_ll ends with this process) */
		if (o.squashfs && sqshmount_start(o.squashfs, o.lower_base, &sqfs, err) < 0)
			return werr_prefix(err, "reaching the stopped container's files");
		o.squashfs = NULL;
		if (mounts_overlay(&s, err) < 0)
			return werr_prefix(err, "reaching the stopped container's files");
	}
	rootfd = open(c->spec->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return werr_errno(err, errno, "the container's root %s", c->spec->rootfs);
	/* its volumes, where cp into a stopped container writes as Docker's does */
	if (c->volumes && mounts_user(rootfd, c->spec, err) < 0)
		return werr_prefix(err, "the stopped container's volumes");
	return c->fn(rootfd, c->arg, err);
}

/* a running container's root, from inside its user namespace */
static int ctrroot_running(pid_t pid, struct ctrroot_ctx *c, struct werr *err)
{
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	_cleanup_close_ int rootfd = -1;
	char path[64];

	if (pidfd < 0)
		return werr_errno(err, errno, "the container's process %d", (int)pid);
	if (setns(pidfd, CLONE_NEWUSER) < 0)
		return werr_errno(err, errno, "joining the container's user namespace");
	if (userns_become_root(&c->spec->idmap, err) < 0)
		return -err->code;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	rootfd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return werr_errno(err, errno, "opening %s", path);
	/* still the same process: the PID was not reused before the open */
	if (syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) < 0)
		return werr_set(err, ESRCH, "the container stopped");
	return c->fn(rootfd, c->arg, err);
}

__attribute__((noreturn)) static void ctrroot_child(pid_t pid, struct ctrroot_ctx *c, int res_fd)
{
	struct ctrroot_result res = { 0 };

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	res.ret = pid ? ctrroot_running(pid, c, &res.err)
	              : userns_exec(&c->spec->idmap, ctrroot_stopped, c, &res.err);
	if (res.ret < 0 && !res.err.code)
		werr_set(&res.err, -res.ret, "failed in the container's namespace");
	_exit(util_write_all(res_fd, &res, sizeof(res)) < 0);
}

int ctrroot_start(const struct record *rec, ctrroot_fn fn, void *arg, struct ctrroot_job *job,
                  struct werr *err)
{
	struct container_spec spec;
	struct ctrroot_ctx c = { &spec, fn, arg, !job->no_volumes };
	pid_t pid = state_running_pid(rec);
	int res[2];

	if (config_to_spec(rec->config, &spec, err) < 0) {
		config_spec_free(&spec);
		return -err->code; /* the message names the container */
	}
	if (pipe2(res, O_CLOEXEC) < 0) {
		config_spec_free(&spec);
		return werr_errno(err, errno, "pipe");
	}
	fflush(NULL);
	job->pid = fork();
	if (job->pid == 0) {
		close(res[0]);
		for (size_t i = 0; i < ARRAY_SIZE(job->child_close); i++)
			if (job->child_close[i] >= 0)
				close(job->child_close[i]);
		ctrroot_child(pid, &c, res[1]);
	}
	close(res[1]);
	config_spec_free(&spec);
	if (job->pid < 0) {
		close(res[0]);
		return werr_errno(err, errno, "fork");
	}
	job->res_fd = res[0];
	job->running = pid != 0;
	return 0;
}

int ctrroot_finish(struct ctrroot_job *job, struct werr *err)
{
	struct ctrroot_result res;
	size_t got = util_read_upto(job->res_fd, &res, sizeof(res));
	int st;

	close(job->res_fd);
	job->res_fd = -1;
	while (waitpid(job->pid, &st, 0) < 0 && errno == EINTR)
		;
	if (got < sizeof(res))
		return werr_set(err, ECHILD, "the child working in the container died");
	if (res.ret < 0)
		*err = res.err;
	return res.ret;
}
