/* netbridge.c - the per-user network namespace and a container's veth onto
 * a network's bridge there. The holder is the only process that outlives a
 * command, and only while a veth is in its namespace: it watches link
 * deletions and leaves with the last one, under the same lock the commands
 * attach under, so it never leaves while one is being wired. */
#include "netbridge.h"
#include "cleanup.h"
#include "netegress.h"
#include "netdns.h"
#include "rtnl.h"
#include "rundir.h"
#include "util.h"

#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <libgen.h>
#include <net/if.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define VETH_PREFIX "wv"
/* every hop is virtual (veths, the bridge, warren-net's tap, whose
 * libslirp ends the connections), so the default network's MTU: a
 * fraction of the packets of 1500 (bench/net_bridge) */
#define NETBRIDGE_MTU NETSETUP_MTU_DEFAULT

/* the veths in the namespace the thread is in: containers still attached */
static int netbridge_veths(void)
{
	struct if_nameindex *ifs = if_nameindex(), *i;
	int n = 0;

	if (!ifs)
		return -1;
	for (i = ifs; i->if_index; i++)
		n += !strncmp(i->if_name, VETH_PREFIX, strlen(VETH_PREFIX));
	if_freenameindex(ifs);
	return n;
}

/* the holder's life after its maps are written: answer the networks' DNS
 * (netdns.c), wait for link deletions, leave when no veth is left and no
 * command holds the lock */
static void __attribute__((noreturn))
netbridge_hold(const char *lock_path, struct netdns *dns, int ready_fd)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = RTMGRP_LINK };
	char buf[8192], rundir[PATH_MAX];
	int ev = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);

	if (ev < 0 || bind(ev, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		_exit(1);
	/* without port 53 the networks still work, by address only */
	netdns_listen(dns);
	if (netdns_filter() < 0)
		_exit(1);
	snprintf(rundir, sizeof(rundir), "%s", lock_path);
	dirname(rundir);
	util_write_all(ready_fd, "ok", 2);
	close(ready_fd);
	for (;;) {
		struct pollfd fds[5] = { { .fd = ev, .events = POLLIN } };
		int nfds = 1 + netdns_pollfds(dns, fds + 1), len = 0, lk;
		ssize_t n = 0;
		struct nlmsghdr *h = (struct nlmsghdr *)buf;
		bool gone = false;

		if (poll(fds, (nfds_t)nfds, netdns_timeout(dns)) < 0 && errno != EINTR)
			_exit(1);
		netdns_serve(dns, fds + 1, nfds - 1);
		if (!(fds[0].revents & POLLIN))
			continue;
		n = recv(ev, buf, sizeof(buf), MSG_DONTWAIT);
		len = (int)n;
		if (n < 0 && errno != EINTR && errno != ENOBUFS && errno != EAGAIN)
			_exit(1);
		/* ENOBUFS: events were lost, so look again */
		gone = n < 0 && errno == ENOBUFS;
		for (; n > 0 && NLMSG_OK(h, len); h = NLMSG_NEXT(h, len))
			gone |= h->nlmsg_type == RTM_DELLINK;
		if (!gone || netbridge_veths() != 0)
			continue;
		lk = open(lock_path, O_RDONLY | O_CLOEXEC); /* flock needs no more */
		if (lk < 0 || flock(lk, LOCK_EX) < 0)
			_exit(0); /* the runtime directory is gone: so is every user */
		if (netbridge_veths() == 0) {
			netdns_forget(rundir);
			_exit(0); /* the lock goes with us; the namespaces too */
		}
		close(lk);
	}
}

/* the holder's first steps, as the grandchild of the command: a session of
 * its own, no inherited fds, new user and network namespaces, then wait
 * for the maps (@go) */
static void __attribute__((noreturn))
netbridge_holder_main(const char *lock_path, int ready_fd, int go_fd)
{
	static struct netdns dns; /* the holder's for its whole life */
	char rundir[PATH_MAX];
	pid_t self;
	char c;
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0)
		_exit(1);
	if (dup2(ready_fd, 3) < 0 || dup2(go_fd, 4) < 0)
		_exit(1);
	syscall(SYS_close_range, 5, ~0U, 0);
	ready_fd = 3;
	go_fd = 4;
	if (chdir("/") < 0)
		_exit(1);
	prctl(PR_SET_NAME, "warren-nethold", 0, 0, 0); /* ps and pgrep -x */
	signal(SIGPIPE, SIG_IGN);
	snprintf(rundir, sizeof(rundir), "%s", lock_path);
	netdns_init_host(&dns, dirname(rundir));
	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0)
		_exit(1);
	self = getpid();
	if (util_write_all(ready_fd, &self, sizeof(self)) < 0 || read(go_fd, &c, 1) != 1)
		_exit(1);
	close(go_fd);
	netbridge_hold(lock_path, &dns, ready_fd);
}

/* whether the holder named in @path is alive as @net->join_pid/start */
static bool netbridge_holder_alive(const char *path, struct net_spec *net)
{
	_cleanup_free_ char *text = NULL;
	struct werr ignored;
	size_t len;
	int pid;
	unsigned long long start;

	if (util_read_file(AT_FDCWD, path, 128, &text, &len, &ignored) < 0 ||
	    sscanf(text, "%d %llu", &pid, &start) != 2 || pid <= 0)
		return false;
	if (kill(pid, 0) < 0 || util_pid_start(pid) != start)
		return false;
	net->join_pid = pid;
	net->join_start = start;
	return true;
}

static int netbridge_spawn(struct net_spec *net, const struct idmap_plan *plan,
                           const char *lock_path, const char *pid_path, struct werr *err)
{
	int ready[2] = { -1, -1 }, go[2] = { -1, -1 }, st, r = 0;
	pid_t mid, holder = 0;
	char ok[2], line[64];

	if (pipe2(ready, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0) {
		r = werr_errno(err, errno, "pipe");
		goto out;
	}
	fflush(NULL);
	mid = fork();
	if (mid == 0) {
		/* the holder is the grandchild: re-parented, in a session of its own */
		if (setsid() < 0 || fork() != 0)
			_exit(0);
		netbridge_holder_main(lock_path, ready[1], go[0]);
	}
	close(ready[1]);
	close(go[0]);
	ready[1] = go[0] = -1;
	if (mid < 0) {
		r = werr_errno(err, errno, "fork");
		goto out;
	}
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	if (util_read_upto(ready[0], &holder, sizeof(holder)) != sizeof(holder)) {
		r = werr_set(err, EIO, "the network namespace's holder could not start");
		goto out;
	}
	r = idmap_write(plan, holder, err);
	if (r == 0 && (util_write_all(go[1], "g", 1) < 0 || util_read_upto(ready[0], ok, 2) != 2))
		r = werr_set(err, EIO, "the network namespace's holder failed");
	if (r < 0) {
		kill(holder, SIGKILL);
		goto out;
	}
	net->join_pid = holder;
	net->join_start = util_pid_start(holder);
	snprintf(line, sizeof(line), "%d %llu\n", (int)holder, net->join_start);
	r = util_write_file_atomic(AT_FDCWD, pid_path, line, strlen(line), 0600, err);
	if (r < 0)
		kill(holder, SIGKILL);
out:
	for (int i = 0; i < 2; i++) {
		if (ready[i] >= 0)
			close(ready[i]);
		if (go[i] >= 0)
			close(go[i]);
	}
	return r;
}

int netbridge_holder(struct net_spec *net, const struct idmap_plan *plan, bool *fresh,
                     struct werr *err)
{
	char dir[PATH_MAX], lock_path[PATH_MAX + 16], pid_path[PATH_MAX + 16];
	_cleanup_close_ int lk = -1;
	int r = rundir_get(dir, sizeof(dir), err);

	if (r < 0)
		return r;
	snprintf(lock_path, sizeof(lock_path), "%s/netns.lock", dir);
	snprintf(pid_path, sizeof(pid_path), "%s/netns.pid", dir);
	lk = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (lk < 0)
		return werr_errno(err, errno, "open %s", lock_path);
	while (flock(lk, LOCK_EX) < 0)
		if (errno != EINTR)
			return werr_errno(err, errno, "lock %s", lock_path);
	*fresh = !netbridge_holder_alive(pid_path, net);
	if (*fresh && (r = netbridge_spawn(net, plan, lock_path, pid_path, err)) < 0)
		return r;
	return steal_fd(&lk);
}

/* the container's end of @net's veth */
static const char *netbridge_eth(const struct net_spec *net)
{
	return net->bridge_eth[0] ? net->bridge_eth : "eth0";
}

/* in the holder's network namespace: the bridge (made if missing) and a
 * veth whose peer becomes eth0 (or @net->bridge_eth) in @ctr_ns; its index
 * into *@veth */
static int netbridge_plug(const struct net_spec *net, int ctr_ns, int *veth, struct werr *err)
{
	struct rtnl nl;
	char name[IFNAMSIZ], rnd[9];
	int br, r;

	if ((r = rtnl_open(&nl, err)) < 0)
		return r;
	br = rtnl_link_index(&nl, net->bridge_if);
	if (br < 0) {
		r = rtnl_bridge_add(&nl, net->bridge_if, err);
		br = r < 0 ? r : rtnl_link_index(&nl, net->bridge_if);
		if (br > 0)
			r = rtnl_addr_add(&nl, br, net->bridge_gw, net->bridge_prefix, err);
		if (r == 0 && br > 0)
			r = rtnl_link_set(&nl, br, true, 0, NETBRIDGE_MTU, err);
		if (r == 0 && br > 0 && (r = netegress_rules(net, err)) < 0) {
			struct werr ignored; /* the next container makes it again */
			rtnl_link_del(&nl, br, &ignored);
		}
		if (r == 0 && br < 0)
			r = werr_set(err, ENODEV, "bridge %s vanished", net->bridge_if);
	}
	if (r == 0 && util_random_hex(rnd, 8) < 0)
		r = werr_errno(err, errno, "getrandom");
	if (r == 0) {
		snprintf(name, sizeof(name), VETH_PREFIX "%s", rnd);
		r = rtnl_veth_add(&nl, name, netbridge_eth(net), ctr_ns, err);
	}
	if (r == 0) {
		*veth = rtnl_link_index(&nl, name);
		r = *veth > 0 ? rtnl_link_set(&nl, *veth, true, br, NETBRIDGE_MTU, err)
		              : werr_set(err, ENODEV, "veth %s vanished", name);
	}
	rtnl_close(&nl);
	return r < 0 ? werr_prefix(err, "network %s", net->bridge_net) : 0;
}

/* in the container's network namespace: eth0 up with its address and the
 * route out through the gateway */
static int netbridge_configure(const struct net_spec *net, struct werr *err)
{
	struct rtnl nl;
	int eth, r = rtnl_open(&nl, err);

	if (r < 0)
		return r;
	eth = rtnl_link_index(&nl, netbridge_eth(net));
	if (eth < 0)
		r = werr_set(err, ENODEV, "the container's %s is missing", netbridge_eth(net));
	if (r == 0) /* Docker's address from the IPv4 one: inspect knows it */
		r = rtnl_link_set_mac(&nl, eth, (uint8_t[6]){ NETBRIDGE_MAC(net->bridge_ip) }, err);
	if (r == 0)
		r = rtnl_addr_add(&nl, eth, net->bridge_ip, net->bridge_prefix, err);
	if (r == 0)
		r = rtnl_link_set(&nl, eth, true, 0, NETBRIDGE_MTU, err);
	if (r == 0 && !net->bridge_internal && !net->bridge_extra)
		r = rtnl_route_default(&nl, net->bridge_gw, err);
	rtnl_close(&nl);
	return r;
}

/* the wiring process: joins the holder's namespaces, so it is a child */
static void __attribute__((noreturn))
netbridge_wire(const struct net_spec *net, int holder, int ctr_ns, int res_fd)
{
	struct werr err = { 0 };
	int veth = 0, r;

	if (setns(holder, CLONE_NEWUSER | CLONE_NEWNET) < 0)
		r = werr_errno(&err, errno, "joining the network namespace");
	else
		r = netbridge_plug(net, ctr_ns, &veth, &err);
	if (r == 0) {
		int home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
		if (setns(ctr_ns, CLONE_NEWNET) < 0)
			r = werr_errno(&err, errno, "entering the container's network namespace");
		else
			r = netbridge_configure(net, &err);
		if (r < 0 && home >= 0 && setns(home, CLONE_NEWNET) == 0) {
			struct rtnl nl;
			struct werr ignored;
			if (rtnl_open(&nl, &ignored) == 0) { /* its peer goes with it */
				rtnl_link_del(&nl, veth, &ignored);
				rtnl_close(&nl);
			}
		}
	}
	util_write_all(res_fd, &err, sizeof(err));
	_exit(r < 0 ? 1 : 0);
}

int netbridge_attach(const struct net_spec *net, int holder_pidfd, pid_t pid, struct werr *err)
{
	_cleanup_close_ int ctr_ns = -1;
	struct werr res = { 0 };
	char path[64];
	int p[2], st;
	pid_t w;

	snprintf(path, sizeof(path), "/proc/%d/ns/net", (int)pid);
	ctr_ns = open(path, O_RDONLY | O_CLOEXEC);
	if (ctr_ns < 0)
		return werr_errno(err, errno, "open %s", path);
	if (pipe2(p, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	fflush(NULL);
	w = fork();
	if (w == 0) {
		close(p[0]);
		netbridge_wire(net, holder_pidfd, ctr_ns, p[1]);
	}
	close(p[1]);
	if (w < 0) {
		close(p[0]);
		return werr_errno(err, errno, "fork");
	}
	if (util_read_upto(p[0], &res, sizeof(res)) != sizeof(res))
		werr_set(&res, EIO, "network %s: the wiring process died", net->bridge_net);
	close(p[0]);
	while (waitpid(w, &st, 0) < 0 && errno == EINTR)
		;
	if (res.code) {
		*err = res;
		return -res.code;
	}
	if (net->bridge_dir[0]) {
		char dir[PATH_MAX];
		int r = rundir_get(dir, sizeof(dir), err);
		if (r < 0 || (r = netdns_register(dir, net->bridge_gw, net->bridge_dir, err)) < 0)
			return r;
	}
	return 0;
}
