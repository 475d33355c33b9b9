/* userns_exec.c - fork, unshare a user namespace, let the parent write its ID
 * maps, run a function there and carry its result back over a pipe. The
 * child never returns into the caller: it _exit()s. */
#include "userns_exec.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <grp.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

/* what travels from the child to the parent */
struct userns_result {
	int ret;
	struct werr err;
};

static int userns_read_full(int fd, void *buf, size_t len)
{
	return util_read_upto(fd, buf, len) == len ? 0 : -1;
}

int userns_become_root(const struct idmap_plan *plan, struct werr *err)
{
	if (!plan->single && setgroups(0, NULL) < 0)
		return werr_errno(err, errno, "setgroups in the user namespace");
	if (idmap_maps_id(&plan->gids, 0) && setresgid(0, 0, 0) < 0)
		return werr_errno(err, errno, "setresgid(0) in the user namespace");
	if (idmap_maps_id(&plan->uids, 0) && setresuid(0, 0, 0) < 0)
		return werr_errno(err, errno, "setresuid(0) in the user namespace");
	return 0;
}

__attribute__((noreturn)) static void userns_child(const struct idmap_plan *plan, int ready_fd,
                                                   int go_fd, int res_fd,
                                                   int (*fn)(void *, struct werr *), void *arg)
{
	struct userns_result res = { 0 };
	char b;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (unshare(CLONE_NEWUSER) < 0) {
		int e = errno;
		if (e == EPERM || e == ENOSPC || e == EUSERS) {
			char why[512];
			userns_denied_why(e, NULL, why, sizeof(why));
			res.ret = werr_set(&res.err, e, "%s", why);
		} else
			res.ret = werr_errno(&res.err, e, "unshare(CLONE_NEWUSER)");
		util_write_all(res_fd, &res, sizeof(res));
		_exit(1);
	}
	if (write(ready_fd, "1", 1) != 1)
		_exit(1);
	close(ready_fd);
	if (read(go_fd, &b, 1) != 1)
		_exit(1); /* the parent failed to map us and reports it */
	close(go_fd);
	res.ret = userns_become_root(plan, &res.err);
	if (res.ret == 0) {
		res.ret = fn(arg, &res.err);
		if (res.ret < 0 && !res.err.code)
			werr_set(&res.err, -res.ret, "failed in the user namespace");
	}
	if (util_write_all(res_fd, &res, sizeof(res)) < 0)
		_exit(1);
	_exit(0);
}

static int userns_wait(pid_t pid, struct werr *err, bool report)
{
	int st;

	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return report
			           ? werr_errno(err, errno, "waiting for the user namespace child")
			           : -errno;
	if (!report)
		return 0;
	if (WIFSIGNALED(st))
		return werr_set(err, ECHILD, "the user namespace child was killed by signal %d",
		                WTERMSIG(st));
	return werr_set(err, ECHILD, "the user namespace child exited (status %d) without a result",
	                WEXITSTATUS(st));
}

/* the parent's side: map the child's IDs once it has unshared, then collect
 * its result */
static int userns_parent(const struct idmap_plan *plan, pid_t pid, int ready_fd, int go_fd,
                         int res_fd, struct werr *err)
{
	struct userns_result res;
	char b;
	int r;

	if (userns_read_full(ready_fd, &b, 1) < 0) {
		/* the child could not unshare: its message is on the result pipe */
		if (userns_read_full(res_fd, &res, sizeof(res)) == 0) {
			userns_wait(pid, err, false);
			*err = res.err;
			return res.ret < 0 ? res.ret : -EPERM;
		}
		return userns_wait(pid, err, true);
	}
	r = idmap_write(plan, pid, err);
	if (r < 0) {
		kill(pid, SIGKILL);
		userns_wait(pid, err, false);
		return werr_prefix(err, "setting up the user namespace");
	}
	if (write(go_fd, "1", 1) != 1) {
		r = werr_errno(err, errno, "releasing the user namespace child");
		kill(pid, SIGKILL);
		userns_wait(pid, err, false);
		return r;
	}
	if (userns_read_full(res_fd, &res, sizeof(res)) < 0)
		return userns_wait(pid, err, true);
	userns_wait(pid, err, false);
	if (res.ret < 0)
		*err = res.err;
	return res.ret;
}

int userns_exec(const struct idmap_plan *plan, int (*fn)(void *arg, struct werr *err), void *arg,
                struct werr *err)
{
	int ready[2] = { -1, -1 }, go[2] = { -1, -1 }, res[2] = { -1, -1 };
	pid_t pid;
	int r;

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0 || pipe2(res, O_CLOEXEC) < 0) {
		r = werr_errno(err, errno, "pipe");
		goto out;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = werr_errno(err, errno, "fork for the user namespace");
		goto out;
	}
	if (pid == 0) {
		close(ready[0]);
		close(go[1]);
		close(res[0]);
		userns_child(plan, ready[1], go[0], res[1], fn, arg);
	}
	close(ready[1]);
	close(go[0]);
	close(res[1]);
	ready[1] = go[0] = res[1] = -1;
	r = userns_parent(plan, pid, ready[0], go[1], res[0], err);
out:
	for (int i = 0; i < 2; i++) {
		cleanup_closep(&ready[i]);
		cleanup_closep(&go[i]);
		cleanup_closep(&res[i]);
	}
	return r;
}
