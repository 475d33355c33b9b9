/* netegress.c - the way out of the per-user network namespace: the
 * nftables rules there (forward only from a non-internal network's bridge
 * to warren-net's tap, masquerade out of the tap) and the one warren-net
 * that serves the namespace, started by the first container that needs it
 * and gone with the holder. Never touches the host's namespaces' rules. */
#include "netegress.h"
#include "cleanup.h"
#include "rundir.h"
#include "util.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <limits.h>
#include <nftables/libnftables.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define NETEGRESS_TAP  "tap0" /* warren-net's (net/net.h NET_TAP_NAME) */
#define NETEGRESS_LIB  "libnftables.so.1"
#define NETEGRESS_FILE "netegress.pid"

/* libnftables, loaded only by the process that writes the rules: linking
 * it would load it (and libnftnl, libmnl, libgmp, libxtables) at every
 * command's start */
struct netegress_nft {
	void *lib;
	struct nft_ctx *(*ctx_new)(uint32_t flags);
	void (*ctx_free)(struct nft_ctx *ctx);
	int (*buffer_output)(struct nft_ctx *ctx);
	int (*buffer_error)(struct nft_ctx *ctx);
	const char *(*get_error)(struct nft_ctx *ctx);
	int (*run)(struct nft_ctx *ctx, const char *buf);
	struct nft_ctx *ctx;
};

static int netegress_nft_open(struct netegress_nft *n, struct werr *err)
{
	n->lib = dlopen(NETEGRESS_LIB, RTLD_NOW | RTLD_LOCAL);
	if (!n->lib)
		return werr_set(err, ENOENT,
		                "networks need %s for their rules (Debian: apt install "
		                "libnftables1): %s",
		                NETEGRESS_LIB, dlerror());
	*(void **)&n->ctx_new = dlsym(n->lib, "nft_ctx_new");
	*(void **)&n->ctx_free = dlsym(n->lib, "nft_ctx_free");
	*(void **)&n->buffer_output = dlsym(n->lib, "nft_ctx_buffer_output");
	*(void **)&n->buffer_error = dlsym(n->lib, "nft_ctx_buffer_error");
	*(void **)&n->get_error = dlsym(n->lib, "nft_ctx_get_error_buffer");
	*(void **)&n->run = dlsym(n->lib, "nft_run_cmd_from_buffer");
	if (!n->ctx_new || !n->ctx_free || !n->buffer_output || !n->buffer_error || !n->get_error ||
	    !n->run)
		return werr_set(err, ENOSYS, "%s lacks the functions warren uses", NETEGRESS_LIB);
	n->ctx = n->ctx_new(NFT_CTX_DEFAULT);
	if (!n->ctx)
		return werr_set(err, ENOMEM, "nft_ctx_new");
	n->buffer_output(n->ctx);
	n->buffer_error(n->ctx);
	return 0;
}

static void netegress_nft_close(struct netegress_nft *n)
{
	if (n->ctx)
		n->ctx_free(n->ctx);
	if (n->lib)
		dlclose(n->lib);
}

/* @cmds as one transaction; Return: 0, or -1 with nft's first error line */
static int netegress_nft_run(struct netegress_nft *n, const char *cmds, char *why, size_t size)
{
	const char *e;

	if (n->run(n->ctx, cmds) == 0)
		return 0;
	e = n->get_error(n->ctx);
	snprintf(why, size, "%.*s", e ? (int)strcspn(e, "\n") : 0, e ? e : "");
	return -1;
}

/* the table, once per namespace: forwarding is dropped unless the pair of
 * interfaces is in @out (a network's bridge to the tap), or it answers a
 * connection that was let through; what leaves by the tap is masqueraded
 * to the tap's address, which libslirp expects as the source */
static const char netegress_table[] =
    "create table ip warren\n"
    "add map ip warren out { type ifname . ifname : verdict ; }\n"
    "add chain ip warren forward { type filter hook forward priority 0 ; policy drop ; }\n"
    "add rule ip warren forward ct state established,related accept\n"
    "add rule ip warren forward iifname . oifname vmap @out\n"
    "add chain ip warren postrouting { type nat hook postrouting priority 100 ; }\n"
    "add rule ip warren postrouting oifname \"" NETEGRESS_TAP "\" masquerade\n";

static int netegress_forwarding(struct werr *err)
{
	/* /proc/sys/net is the opener's network namespace's */
	int fd = open("/proc/sys/net/ipv4/ip_forward", O_WRONLY | O_CLOEXEC);
	int r = fd < 0 ? -errno : util_write_all(fd, "1", 1);

	if (fd >= 0)
		close(fd);
	return r < 0 ? werr_errno(err, -r, "turning forwarding on in the network namespace") : 0;
}

int netegress_rules(const struct net_spec *net, struct werr *err)
{
	struct netegress_nft n = { 0 };
	char cmd[256], why[WERR_MSG_MAX / 2];
	int r = netegress_nft_open(&n, err);

	/* without the library an internal network is still isolated: nothing
	 * turns forwarding on (a way out needs the rules) */
	if (r < 0 && net->bridge_internal && !n.lib) {
		*err = (struct werr){ 0 };
		return 0;
	}
	if (r == 0)
		r = netegress_forwarding(err);
	if (r == 0 && netegress_nft_run(&n, netegress_table, why, sizeof(why)) < 0 &&
	    netegress_nft_run(&n, "list table ip warren", why, sizeof(why)) < 0)
		r = werr_set(err, EIO, "the network namespace's nftables table: %s", why);
	/* where br_netfilter is loaded, traffic between two containers of one
	 * network passes the forward hook too, as from the bridge to itself */
	snprintf(cmd, sizeof(cmd), "add element ip warren out { \"%s\" . \"%s\" : accept%s%s%s }\n",
	         net->bridge_if, net->bridge_if, net->bridge_internal ? "" : ", \"",
	         net->bridge_internal ? "" : net->bridge_if,
	         net->bridge_internal ? "" : "\" . \"" NETEGRESS_TAP "\" : accept");
	if (r == 0 && netegress_nft_run(&n, cmd, why, sizeof(why)) < 0)
		r = werr_set(err, EIO, "the rules of network %s: %s", net->bridge_net, why);
	netegress_nft_close(&n);
	return r;
}

/* whether the warren-net in @path is alive and serves holder @net->join_pid */
static bool netegress_alive(const char *path, const struct net_spec *net)
{
	_cleanup_free_ char *text = NULL;
	struct werr ignored;
	unsigned long long start, hstart;
	size_t len;
	int pid, holder;

	if (util_read_file(AT_FDCWD, path, 128, &text, &len, &ignored) < 0 ||
	    sscanf(text, "%d %llu %d %llu", &pid, &start, &holder, &hstart) != 4 || pid <= 0)
		return false;
	return holder == net->join_pid && hstart == net->join_start && kill(pid, 0) == 0 &&
	       util_pid_start(pid) == start;
}

/* the grandchild: no terminal, no inherited fds but @ready as 3 */
static void __attribute__((noreturn))
netegress_exec(const char *helper, const struct net_spec *net, int ready)
{
	char pid[32];
	char *argv[] = { (char *)helper,          pid,         "--ready-fd=3",
		         "--allow-host-loopback", "--no-ipv6", NULL };
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	snprintf(pid, sizeof(pid), "--pid=%d", (int)net->join_pid);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(null, 2) < 0 ||
	    dup2(ready, 3) < 0)
		_exit(1);
	syscall(SYS_close_range, 4, ~0U, 0);
	execv(helper, argv);
	_exit(127);
}

/* start warren-net for the holder, detached (a grandchild of ours, so that
 * no monitor or CLI has to reap it): its PID and the read end of its ready
 * pipe into @eg, not waiting for its "ok" */
static int netegress_spawn(const struct net_spec *net, struct netegress *eg, struct werr *err)
{
	char helper[PATH_MAX];
	int ready[2], pp[2], st;
	pid_t mid;

	if (util_find_program("warren-net", "net", true, helper, sizeof(helper)) < 0)
		return werr_set(err, ENOENT,
		                "warren-net not found next to warren or in PATH: "
		                "install it, or use an --internal network");
	if (pipe2(ready, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	if (pipe2(pp, O_CLOEXEC) < 0) {
		close(ready[0]);
		close(ready[1]);
		return werr_errno(err, errno, "pipe");
	}
	fflush(NULL);
	mid = fork();
	if (mid == 0) {
		pid_t g;
		if (setsid() < 0)
			_exit(1);
		g = fork();
		if (g == 0)
			netegress_exec(helper, net, ready[1]);
		_exit(util_write_all(pp[1], &g, sizeof(g)) < 0 || g < 0);
	}
	close(ready[1]);
	close(pp[1]);
	eg->pid = 0;
	if (mid > 0) {
		while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
			;
		if (util_read_upto(pp[0], &eg->pid, sizeof(eg->pid)) != sizeof(eg->pid))
			eg->pid = 0;
	}
	close(pp[0]);
	if (eg->pid <= 0) {
		close(ready[0]);
		return mid < 0
		           ? werr_errno(err, errno, "fork")
		           : werr_set(err, EIO, "the networks' way out (warren-net) did not start");
	}
	eg->ready = ready[0];
	return 0;
}

int netegress_begin(const struct net_spec *net, struct netegress *eg, struct werr *err)
{
	char dir[PATH_MAX];
	bool out = !net->bridge_internal;
	int r;

	*eg = (struct netegress){ .ready = -1 };
	/* any of the container's networks with a way out needs it */
	for (size_t i = 0; i < net->n_bridge_more; i++)
		out |= !net->bridge_more[i].bridge_internal;
	if (!out)
		return 0;
	r = rundir_get(dir, sizeof(dir), err);
	if (r < 0)
		return r;
	snprintf(eg->path, sizeof(eg->path), "%s/%s", dir, NETEGRESS_FILE);
	if (netegress_alive(eg->path, net))
		return 0;
	return netegress_spawn(net, eg, err);
}

int netegress_finish(const struct net_spec *net, struct netegress *eg, struct werr *err)
{
	char buf[WERR_MSG_MAX], line[96];
	size_t got;
	int r;

	if (eg->ready < 0)
		return 0;
	got = util_read_upto(eg->ready, buf, sizeof(buf) - 1);
	close(eg->ready);
	eg->ready = -1;
	buf[got] = '\0';
	if (got < 3 || memcmp(buf, "ok\n", 3)) {
		netegress_abort(eg);
		return werr_set(err, EIO, "the networks' way out (warren-net) failed to start%s%s",
		                got ? ": " : "", buf);
	}
	snprintf(line, sizeof(line), "%d %llu %d %llu\n", (int)eg->pid, util_pid_start(eg->pid),
	         (int)net->join_pid, net->join_start);
	r = util_write_file_atomic(AT_FDCWD, eg->path, line, strlen(line), 0600, err);
	if (r < 0)
		netegress_abort(eg);
	eg->pid = 0;
	return r;
}

void netegress_abort(struct netegress *eg)
{
	if (eg->ready >= 0)
		close(eg->ready);
	eg->ready = -1;
	if (eg->pid > 0)
		kill(eg->pid, SIGKILL);
	eg->pid = 0;
}
