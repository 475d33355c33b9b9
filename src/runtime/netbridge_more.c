/* netbridge_more.c - a container on several user-defined networks: the
 * interfaces after the first (eth1...), wired as the first is
 * (netbridge.c), and the removal of one (network disconnect). Never
 * touches the holder's bridges: a bridge lives as long as the namespace. */
#include "netbridge.h"
#include "rtnl.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int netbridge_attach_all(const struct net_spec *net, int holder_pidfd, pid_t pid, struct werr *err)
{
	int r = netbridge_attach(net, holder_pidfd, pid, err);
	bool routed = !net->bridge_internal;

	for (size_t i = 0; r == 0 && i < net->n_bridge_more; i++) {
		/* the default route via the first network that has a way out */
		struct net_spec m = net->bridge_more[i];
		m.bridge_extra = routed || m.bridge_internal;
		routed |= !m.bridge_extra;
		r = netbridge_attach(&m, holder_pidfd, pid, err);
	}
	return r;
}

/* the removing process: in the holder's user namespace (the owner of the
 * container's network namespace) and the container's network namespace */
static void __attribute__((noreturn))
netbridge_unplug(int holder, int ctr_ns, const char *eth, uint32_t gw, int res_fd)
{
	struct werr err = { 0 };
	struct rtnl nl;
	int r, idx;

	if (setns(holder, CLONE_NEWUSER) < 0 || setns(ctr_ns, CLONE_NEWNET) < 0)
		r = werr_errno(&err, errno, "entering the container's network namespace");
	else
		r = rtnl_open(&nl, &err);
	if (r == 0) {
		idx = rtnl_link_index(&nl, eth);
		r = idx < 0 ? werr_set(&err, ENODEV, "the container has no interface %s", eth)
		            : rtnl_link_del(&nl, idx, &err);
		/* the route went with the link if it was the default one: the
		 * next network's gateway takes it (a route still there: EEXIST) */
		if (r == 0 && gw && rtnl_route_default(&nl, gw, &err) < 0) {
			r = err.code == EEXIST ? 0 : -err.code;
			if (r == 0)
				err = (struct werr){ 0 };
		}
		rtnl_close(&nl);
	}
	util_write_all(res_fd, &err, sizeof(err));
	_exit(r < 0 ? 1 : 0);
}

int netbridge_detach(int holder_pidfd, pid_t pid, const char *eth, uint32_t gw, struct werr *err)
{
	struct werr res = { 0 };
	char path[64];
	int p[2], st, ctr_ns;
	pid_t w;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ctr_ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ctr_ns < 0)
		return werr_errno(err, errno, "open %s", path);
	if (pipe2(p, O_CLOEXEC) < 0) {
		close(ctr_ns);
		return werr_errno(err, errno, "pipe");
	}
	fflush(NULL);
	w = fork();
	if (w == 0) {
		close(p[0]);
		netbridge_unplug(holder_pidfd, ctr_ns, eth, gw, p[1]);
	}
	close(p[1]);
	close(ctr_ns);
	if (w < 0) {
		close(p[0]);
		return werr_errno(err, errno, "fork");
	}
	if (util_read_upto(p[0], &res, sizeof(res)) != sizeof(res))
		werr_set(&res, EIO, "removing %s: the process died", eth);
	close(p[0]);
	while (waitpid(w, &st, 0) < 0 && errno == EINTR)
		;
	if (res.code) {
		*err = res;
		return -res.code;
	}
	return 0;
}
