/* netsetup.c - warren-net's lifetime as seen from warren: find the helper,
 * spawn it for the container's process with the listeners it serves, wait
 * for its "ok" (or its reason), and stop it when the container is gone.
 * Must never leave a warren-net or a listening socket behind. */
#include "netsetup.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define NETSETUP_MAX_ARGS (16 + 2 * 256)

int netsetup_prepare(struct net_spec *net, const char *state_dir, struct werr *err)
{
	/* the container's /etc files are written inside its namespaces, where
	 * the host's interfaces are out of sight: find the host's address now */
	netetc_host_address(net);
	if (net->mode == NET_MODE_SLIRP)
		return netports_bind(net, state_dir, err);
	if (netsetup_bridge_ports_p(net)) {
		/* the forwarder joins the container's namespace: libslirp has no
		 * part in a network container's traffic */
		net->port_handler = NET_PORTS_SPLICE;
		return netports_bind(net, state_dir, err);
	}
	return 0;
}

bool netsetup_bridge_ports_p(const struct net_spec *net)
{
	return net->mode == NET_MODE_BRIDGE && (net->n_ports > 0 || net->publish_all);
}

bool netsetup_helper_p(const struct net_spec *net)
{
	return net->mode == NET_MODE_SLIRP || netsetup_bridge_ports_p(net);
}

bool netsetup_tcp_ports_p(const struct net_spec *net)
{
	for (size_t i = 0; i < net->n_ports; i++)
		if (net->ports[i].fd >= 0 && !net->ports[i].udp)
			return true;
	return false;
}

/* next to our own binary (an installed tree), then PATH */
static int netsetup_find_helper(char *out, size_t size, struct werr *err)
{
	if (util_find_program("warren-net", "net", true, out, size) == 0)
		return 0;
	return werr_set(err, ENOENT,
	                "warren-net not found next to warren or in PATH: install it, or use "
	                "--network none or --network host");
}

/* the argument strings live in @store; @argv points into it */
static int netsetup_args(const struct net_spec *net, pid_t pid, int ready_fd, int go_fd,
                         int bypass_fd, const char *helper, char *store, size_t size, char **argv)
{
	size_t used = 0, n = 0;

#define NETSETUP_ARG(...)                                                                          \
	do {                                                                                       \
		int w_ = snprintf(store + used, size - used, __VA_ARGS__);                         \
		if (w_ < 0 || (size_t)w_ >= size - used || n + 2 >= NETSETUP_MAX_ARGS)             \
			return -E2BIG;                                                             \
		argv[n++] = store + used;                                                          \
		used += (size_t)w_ + 1;                                                            \
	} while (0)

	NETSETUP_ARG("%s", helper);
	NETSETUP_ARG("--pid=%d", (int)pid);
	NETSETUP_ARG("--ready-fd=%d", ready_fd);
	NETSETUP_ARG("--go-fd=%d", go_fd);
	NETSETUP_ARG("--mtu=%u", net->mtu ? net->mtu : NETSETUP_MTU_DEFAULT);
	if (net->mode == NET_MODE_BRIDGE)
		NETSETUP_ARG("--forward-to=%u.%u.%u.%u", net->bridge_ip >> 24,
		             (net->bridge_ip >> 16) & 0xff, (net->bridge_ip >> 8) & 0xff,
		             net->bridge_ip & 0xff);
	if (net->allow_host_loopback)
		NETSETUP_ARG("--allow-host-loopback");
	if (net->no_ipv6)
		NETSETUP_ARG("--no-ipv6");
	if (bypass_fd >= 0)
		NETSETUP_ARG("--bypass-fd=%d", bypass_fd);
	for (size_t i = 0; i < net->n_ports; i++) {
		const struct net_port *p = &net->ports[i];
		const char *ip = p->host_ip[0] ? p->host_ip : "0.0.0.0";
		bool v6 = strchr(ip, ':') != NULL;
		if (p->fd >= 0)
			NETSETUP_ARG("--listen%s=%d:%u", p->udp ? "-udp" : "", p->fd,
			             (unsigned)p->container_port);
		else
			NETSETUP_ARG("--hostfwd=%s:%s%s%s:%u:%u", p->udp ? "udp" : "tcp",
			             v6 ? "[" : "", ip, v6 ? "]" : "", (unsigned)p->host_port,
			             (unsigned)p->container_port);
	}
#undef NETSETUP_ARG
	argv[n] = NULL;
	return 0;
}

static int netsetup_spawn(struct net_spec *net, pid_t pid, int ready_fd, int go_fd, int bypass_fd,
                          struct werr *err)
{
	static char store[64 * 1024];
	char *argv[NETSETUP_MAX_ARGS], helper[PATH_MAX];
	posix_spawn_file_actions_t fa;
	posix_spawnattr_t attr;
	sigset_t none;
	int r;

	r = netsetup_find_helper(helper, sizeof(helper), err);
	if (r < 0)
		return r;
	if (netsetup_args(net, pid, ready_fd, go_fd, bypass_fd, helper, store, sizeof(store),
	                  argv) < 0)
		return werr_set(err, E2BIG, "too many published ports");
	posix_spawn_file_actions_init(&fa);
	posix_spawnattr_init(&attr);
	sigemptyset(&none);
	posix_spawnattr_setsigmask(&attr, &none);
	posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	/* dup2 onto itself clears O_CLOEXEC: exactly these fds are handed over */
	posix_spawn_file_actions_adddup2(&fa, ready_fd, ready_fd);
	posix_spawn_file_actions_adddup2(&fa, go_fd, go_fd);
	if (bypass_fd >= 0)
		posix_spawn_file_actions_adddup2(&fa, bypass_fd, bypass_fd);
	for (size_t i = 0; i < net->n_ports; i++)
		if (net->ports[i].fd >= 0)
			posix_spawn_file_actions_adddup2(&fa, net->ports[i].fd, net->ports[i].fd);
	r = posix_spawn(&net->helper, helper, &fa, &attr, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	posix_spawnattr_destroy(&attr);
	if (r != 0) {
		net->helper = 0;
		return werr_errno(err, r, "starting %s", helper);
	}
	return 0;
}

int netsetup_begin(struct net_spec *net, pid_t pid, int bypass_fd, struct netsetup_pending *p,
                   struct werr *err)
{
	int ready[2], go[2];
	int r;

	p->go = p->ready = -1;
	p->bypass = bypass_fd >= 0;
	if (!netsetup_helper_p(net))
		return 0;
	if (pipe2(ready, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	/* a socket, so that a warren-net already gone is EPIPE, not SIGPIPE */
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, go) < 0) {
		r = werr_errno(err, errno, "pipe");
		close(ready[0]);
		close(ready[1]);
		return r;
	}
	r = netsetup_spawn(net, pid, ready[1], go[0], bypass_fd, err);
	close(ready[1]);
	close(go[0]);
	if (r < 0) {
		close(ready[0]);
		close(go[1]);
		return r;
	}
	p->ready = ready[0];
	p->go = go[1];
	return 0;
}

int netsetup_go(struct net_spec *net, struct netsetup_pending *p, struct werr *err)
{
	ssize_t n;

	if (p->go < 0)
		return 0;
	while ((n = send(p->go, "g", 1, MSG_NOSIGNAL)) < 0 && errno == EINTR)
		;
	close(p->go);
	p->go = -1;
	if (n == 1)
		return 0;
	/* EPIPE: it is gone already; its reason is on the ready pipe */
	return netsetup_finish(net, p, err) < 0 ? -err->code
	                                        : werr_set(err, EIO, "warren-net did not start");
}

int netsetup_finish(struct net_spec *net, struct netsetup_pending *p, struct werr *err)
{
	char buf[WERR_MSG_MAX];
	size_t got = 0;

	if (p->ready < 0)
		return 0;
	/* "ok\n" once served; else warren-net's reason, then EOF */
	while (got < sizeof(buf) - 1) {
		ssize_t n = read(p->ready, buf + got, sizeof(buf) - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
		if (got >= 3 && !memcmp(buf, "ok\n", 3))
			break;
	}
	close(p->ready);
	p->ready = -1;
	buf[got] = '\0';
	if (got >= 3 && !memcmp(buf, "ok\n", 3)) {
		/* with socket switching warren-net holds the only TCP listeners:
		 * it closes one when the container binds that port, which must
		 * leave the port free for the socket bound in its place */
		for (size_t i = 0; p->bypass && i < net->n_ports; i++)
			if (net->ports[i].fd >= 0 && !net->ports[i].udp) {
				close(net->ports[i].fd);
				net->ports[i].fd = -1;
			}
		return 0;
	}
	netsetup_stop(net);
	if (got == 0)
		return werr_set(err, EIO, "warren-net failed to start the container's network");
	return werr_set(err, EIO, "%s", buf);
}

void netsetup_pending_close(struct netsetup_pending *p)
{
	if (p->go >= 0)
		close(p->go);
	if (p->ready >= 0)
		close(p->ready);
	p->go = p->ready = -1;
}

int netsetup_start(struct net_spec *net, pid_t pid, int bypass_fd, struct werr *err)
{
	struct netsetup_pending p;
	int r = netsetup_begin(net, pid, bypass_fd, &p, err);

	if (r == 0)
		r = netsetup_go(net, &p, err);
	if (r == 0)
		r = netsetup_finish(net, &p, err);
	netsetup_pending_close(&p);
	return r;
}

void netsetup_stop(struct net_spec *net)
{
	if (net->helper > 0) {
		int st;
		kill(net->helper, SIGTERM);
		while (waitpid(net->helper, &st, 0) < 0 && errno == EINTR)
			;
		net->helper = 0;
	}
	for (size_t i = 0; i < net->n_ports; i++)
		if (net->ports[i].fd >= 0) {
			close(net->ports[i].fd);
			net->ports[i].fd = -1;
		}
}
