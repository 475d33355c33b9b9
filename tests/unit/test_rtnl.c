/* test_rtnl.c - src/runtime/rtnl.c against the kernel: in a user namespace
 * of its own, three network namespaces are wired as a bridge network would
 * be (a bridge with the gateway address in one, a veth into each of two
 * "containers") and TCP must connect between them; deleting a veth takes
 * its peer away. Skipped where user namespaces cannot be made. */
#include "rtnl.h"
#include "tap.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <unistd.h>

#define NET_GW 0x0a630001u /* 10.99.0.1 */

static int write_file(const char *path, const char *text)
{
	int fd = open(path, O_WRONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = write(fd, text, strlen(text));
	close(fd);
	return n == (ssize_t)strlen(text) ? 0 : -1;
}

/* a fresh network namespace; the thread goes back to @home */
static int netns_new(int home)
{
	int fd;

	if (unshare(CLONE_NEWNET) < 0)
		return -1;
	fd = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (setns(home, CLONE_NEWNET) < 0)
		return -1;
	return fd;
}

/* in the namespace the thread is in: lo and eth0 up, eth0 @addr/24, the
 * default route via the gateway */
static int container_side(uint32_t addr)
{
	struct rtnl nl;
	struct werr err = { 0 };
	int eth, r;

	if (rtnl_open(&nl, &err) < 0)
		return -1;
	eth = rtnl_link_index(&nl, "eth0");
	r = eth > 0 && rtnl_link_set(&nl, rtnl_link_index(&nl, "lo"), true, 0, 0, &err) == 0 &&
	            rtnl_addr_add(&nl, eth, addr, 24, &err) == 0 &&
	            rtnl_link_set(&nl, eth, true, 0, 1500, &err) == 0 &&
	            rtnl_route_default(&nl, NET_GW, &err) == 0
	        ? 0
	        : -1;
	if (r < 0)
		printf("# container side: %s\n", err.msg);
	rtnl_close(&nl);
	return r;
}

/* a TCP listener on @addr:@port in the thread's namespace */
static int listen_on(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	sa.sin_addr.s_addr = htonl(addr);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(fd, 4) < 0)
		return -1;
	return fd;
}

static bool connects(uint32_t addr, uint16_t port)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(port) };
	struct timeval limit = { .tv_sec = 5 }; /* a broken wiring fails, never hangs */
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	bool ok;

	sa.sin_addr.s_addr = htonl(addr);
	ok = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &limit, sizeof(limit)) == 0 &&
	     connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0;
	if (fd >= 0)
		close(fd);
	return ok;
}

static int run(void)
{
	char map[64];
	struct rtnl nl;
	struct werr err = { 0 };
	uid_t uid = getuid();
	gid_t gid = getgid();
	int home, b, c, br, v0, v1, lb, la;

	if (unshare(CLONE_NEWUSER | CLONE_NEWNET) < 0) {
		printf("ok 1 # SKIP no user namespace here: %s\n1..1\n", strerror(errno));
		return 0;
	}
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)uid);
	write_file("/proc/self/setgroups", "deny");
	write_file("/proc/self/uid_map", map);
	snprintf(map, sizeof(map), "0 %u 1", (unsigned)gid);
	write_file("/proc/self/gid_map", map);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	b = netns_new(home);
	c = netns_new(home);
	if (!check(home >= 0 && b >= 0 && c >= 0, "three network namespaces"))
		return tap_done();

	/* the network's side: the bridge holds the gateway address */
	check(rtnl_open(&nl, &err) == 0, "rtnl_open");
	check(rtnl_bridge_add(&nl, "wbr0", &err) == 0, "bridge created");
	check(rtnl_bridge_add(&nl, "wbr0", &err) == -EEXIST && strstr(err.msg, "wbr0"),
	      "a second bridge of that name: -EEXIST naming it");
	br = rtnl_link_index(&nl, "wbr0");
	check(br > 0 && rtnl_addr_add(&nl, br, NET_GW, 24, &err) == 0 &&
	          rtnl_link_set(&nl, br, true, 0, 0, &err) == 0 &&
	          rtnl_link_set(&nl, rtnl_link_index(&nl, "lo"), true, 0, 0, &err) == 0,
	      "bridge up with the gateway address");
	check(rtnl_veth_add(&nl, "wv0", "eth0", b, &err) == 0 &&
	          rtnl_veth_add(&nl, "wv1", "eth0", c, &err) == 0,
	      "a veth into each container namespace");
	v0 = rtnl_link_index(&nl, "wv0");
	v1 = rtnl_link_index(&nl, "wv1");
	check(v0 > 0 && v1 > 0 && rtnl_link_index(&nl, "eth0") == -ENODEV,
	      "the peers are not left in the network's namespace");
	check(rtnl_link_set(&nl, v0, true, br, 0, &err) == 0 &&
	          rtnl_link_set(&nl, v1, true, br, 0, &err) == 0,
	      "both veths up on the bridge");
	la = listen_on(NET_GW, 53);

	/* each container's side */
	check(setns(b, CLONE_NEWNET) == 0 && container_side(NET_GW + 1) == 0,
	      "container b: eth0 10.99.0.2/24, default route");
	lb = listen_on(NET_GW + 1, 8080);
	check(setns(c, CLONE_NEWNET) == 0 && container_side(NET_GW + 2) == 0,
	      "container c: eth0 10.99.0.3/24, default route");
	check(lb >= 0 && connects(NET_GW + 1, 8080), "c connects to b across the bridge");
	check(la >= 0 && connects(NET_GW, 53), "c connects to the gateway address");

	/* a veth deleted on the network's side takes the container's eth0 */
	check(setns(home, CLONE_NEWNET) == 0 && rtnl_link_del(&nl, v1, &err) == 0, "veth deleted");
	check(setns(c, CLONE_NEWNET) == 0 && if_nametoindex("eth0") == 0, "its peer went with it");
	rtnl_close(&nl);
	return tap_done();
}

int main(void)
{
	pid_t pid;
	int status;

	fflush(stdout);
	/* the namespaces are the child's: nothing of the test outlives it */
	pid = fork();
	if (pid == 0) {
		int r = run();
		fflush(stdout);
		_exit(r);
	}
	if (pid < 0 || waitpid(pid, &status, 0) < 0)
		return 1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
