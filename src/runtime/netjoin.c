/* netjoin.c - a container that shares another's network (--network
 * container:REF). A network namespace can only be entered with privilege
 * over the user namespace that owns it, so the new container lives in the
 * other one's user namespace, with mount, PID, UTS, IPC and cgroup
 * namespaces of its own: its mounts stay private. Never writes to the other
 * container and never follows a path out of its root. */
#include "netjoin.h"
#include "cleanup.h"
#include "mounts.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* what the intermediate process tells netjoin_clone()'s caller */
struct netjoin_result {
	pid_t pid; /* the container's first process, or 0 */
	int code;
	char msg[WERR_MSG_MAX];
};

/* whether /proc/@pid/@file lists exactly the extents of @want */
static bool netjoin_same_map(pid_t pid, const char *file, const struct idmap *want)
{
	_cleanup_free_ char *text = NULL;
	char path[64];
	size_t len, n = 0;
	struct werr ignored;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	if (util_read_file(AT_FDCWD, path, 65536, &text, &len, &ignored) < 0)
		return false;
	for (const char *line = text; *line; n++) {
		unsigned in, out, count;
		size_t i;
		if (sscanf(line, "%u %u %u", &in, &out, &count) != 3)
			return false;
		for (i = 0; i < want->n; i++)
			if (want->ext[i].inside == in && want->ext[i].outside == out &&
			    want->ext[i].count == count)
				break;
		if (i == want->n)
			return false;
		line += strcspn(line, "\n");
		line += *line ? 1 : 0;
	}
	return n == want->n;
}

/* @name (absolute) inside @pid's root into *@out; NULL when it has none.
 * A regular file only: a FIFO there must not block warren. */
static int netjoin_read_etc(pid_t pid, const char *name, char **out, struct werr *err)
{
	_cleanup_close_ int rootfd = -1, pathfd = -1, fd = -1;
	char path[64];
	struct werr ignored;
	struct stat st;
	size_t len;

	*out = NULL;
	snprintf(path, sizeof(path), "/proc/%d/root", (int)pid);
	rootfd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return werr_errno(err, errno, "opening the root of the container to join");
	pathfd = mounts_open_in_root(rootfd, name, 0, &ignored);
	if (pathfd < 0)
		return 0;
	snprintf(path, sizeof(path), "/proc/self/fd/%d", pathfd);
	fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	if (util_read_fd_all(fd, 1 << 20, out, &len, err) < 0)
		return werr_prefix(err, "%s of the container to join", name);
	return 0;
}

/* the process is alive and still the one started at @net->join_start */
static bool netjoin_same_process(const struct net_spec *net, int pidfd)
{
	return syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0) == 0 &&
	       util_pid_start(net->join_pid) == net->join_start;
}

int netjoin_open(struct net_spec *net, const struct idmap_plan *plan, struct werr *err)
{
	_cleanup_close_ int pidfd = -1;
	int r;

	free(net->join_hosts);
	free(net->join_resolv);
	net->join_hosts = net->join_resolv = NULL;
	if (net->join_pid > 0)
		pidfd = (int)syscall(SYS_pidfd_open, net->join_pid, 0);
	if (pidfd < 0 || !netjoin_same_process(net, pidfd))
		return werr_set(err, ESRCH,
		                "cannot join the network of container %.12s: it is not running "
		                "(start it first)",
		                net->join_ref);
	if (net->mode == NET_MODE_BRIDGE) {
		if (!netjoin_same_map(net->join_pid, "uid_map", &plan->uids) ||
		    !netjoin_same_map(net->join_pid, "gid_map", &plan->gids))
			return werr_set(err, EINVAL,
			                "--network %s: containers on a network share one user "
			                "namespace, which maps IDs as the default --userns does: "
			                "drop --userns",
			                net->bridge_net);
		return steal_fd(&pidfd);
	}
	if (!netjoin_same_map(net->join_pid, "uid_map", &plan->uids) ||
	    !netjoin_same_map(net->join_pid, "gid_map", &plan->gids))
		return werr_set(err, EINVAL,
		                "--network container:%.12s: that container maps user IDs "
		                "differently (its user namespace is shared): give both the same "
		                "--userns",
		                net->join_ref);
	r = netjoin_read_etc(net->join_pid, "/etc/hosts", &net->join_hosts, err);
	if (r == 0)
		r = netjoin_read_etc(net->join_pid, "/etc/resolv.conf", &net->join_resolv, err);
	/* all of it was read through the PID: was it still the same process? */
	if (r == 0 && !netjoin_same_process(net, pidfd))
		return werr_set(err, ESRCH,
		                "cannot join the network of container %.12s: it stopped",
		                net->join_ref);
	return r < 0 ? r : steal_fd(&pidfd);
}

/* the intermediate: join, unshare, clone the container's first process;
 * returns only in that process */
static void netjoin_mid(const struct net_spec *net, int pidfd, unsigned long flags, int res_fd)
{
	struct netjoin_result res = { 0 };
	/* a container on a user-defined network joins only the user namespace
	 * of the network's holder and has a network namespace of its own */
	bool own_net = net->mode == NET_MODE_BRIDGE;
	unsigned long own = flags & ~(CLONE_NEWUSER | CLONE_NEWPID | (own_net ? 0 : CLONE_NEWNET));
	pid_t pid;

	if (setns(pidfd, CLONE_NEWUSER | (own_net ? 0 : CLONE_NEWNET)) < 0) {
		res.code = errno;
		snprintf(res.msg, sizeof(res.msg), "%s%.128s: joining its namespaces: %s",
		         own_net ? "--network " : "--network container:",
		         own_net ? net->bridge_net : net->join_ref, strerror(errno));
	} else if (unshare((int)own) < 0) {
		res.code = errno;
		snprintf(res.msg, sizeof(res.msg), "creating the container's namespaces: %s",
		         strerror(errno));
	} else {
		/* CLONE_PARENT: the container is warren's child, which waits for it */
		pid = (pid_t)syscall(SYS_clone, CLONE_PARENT | (flags & CLONE_NEWPID) | SIGCHLD,
		                     NULL, NULL, NULL, NULL);
		if (pid == 0) {
			close(res_fd);
			return;
		}
		res.pid = pid > 0 ? pid : 0;
		res.code = pid > 0 ? 0 : errno;
		snprintf(res.msg, sizeof(res.msg), "creating the container's PID namespace: %s",
		         strerror(res.code));
	}
	util_write_all(res_fd, &res, sizeof(res));
	_exit(0);
}

pid_t netjoin_clone(const struct net_spec *net, int pidfd, unsigned long flags, struct werr *err)
{
	struct netjoin_result res = { 0 };
	size_t got = 0;
	pid_t mid;
	int p[2], st;

	if (pipe2(p, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	mid = fork();
	if (mid == 0) {
		close(p[0]);
		netjoin_mid(net, pidfd, flags, p[1]);
		return 0;
	}
	close(p[1]);
	while (mid > 0 && got < sizeof(res)) {
		ssize_t n = read(p[0], (char *)&res + got, sizeof(res) - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	close(p[0]);
	if (mid < 0)
		return werr_errno(err, errno, "fork");
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	if (got < sizeof(res))
		return werr_set(err, EIO, "--network %s: the joining process died",
		                net->mode == NET_MODE_BRIDGE ? net->bridge_net : net->join_ref);
	if (res.pid <= 0)
		return werr_set(err, res.code ? res.code : EIO, "%s", res.msg);
	return res.pid;
}
