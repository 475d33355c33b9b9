/* main.c - warren-net: user-mode networking for one container. Reads its
 * command line (written by warren, see src/runtime/netsetup.c), makes the tap
 * inside the container, starts libslirp and the port forwarder, confines
 * itself with seccomp, says "ok" on --ready-fd and serves until the
 * container's process exits or SIGTERM arrives. Never outlives the container. */
#include "net.h"
#include "starttrace.h"
#include "cleanup.h"

#include <arpa/inet.h>
#include <getopt.h>
#include <poll.h>
#include <grp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum {
	O_PID = 1,
	O_READY,
	O_MTU,
	O_LOOPBACK,
	O_NO_IPV6,
	O_LISTEN,
	O_LISTEN_UDP,
	O_HOSTFWD,
	O_BYPASS,
	O_FORWARD_TO,
	O_GO
};

static const struct option main_opts[] = {
	{ "pid", required_argument, NULL, O_PID },
	{ "ready-fd", required_argument, NULL, O_READY },
	{ "mtu", required_argument, NULL, O_MTU },
	{ "allow-host-loopback", no_argument, NULL, O_LOOPBACK },
	{ "no-ipv6", no_argument, NULL, O_NO_IPV6 },
	{ "listen", required_argument, NULL, O_LISTEN }, /* FD:CONTAINERPORT */
	{ "listen-udp", required_argument, NULL, O_LISTEN_UDP },
	{ "hostfwd", required_argument, NULL, O_HOSTFWD },       /* tcp|udp:IP:PORT:CPORT */
	{ "forward-to", required_argument, NULL, O_FORWARD_TO }, /* IPv4: ports only */
	{ "bypass-fd", required_argument, NULL, O_BYPASS },
	{ "go-fd", required_argument, NULL, O_GO }, /* wait for a byte before joining */
	{ NULL, 0, NULL, 0 },
};

static int main_number(const char *s, long min, long max, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(s, &end, 10);
	return errno || end == s || *end || *out < min || *out > max ? -EINVAL : 0;
}

/* "tcp:0.0.0.0:8080:80" or "udp:[::1]:8080:80" */
static int main_hostfwd(struct net_cfg *cfg, const char *arg, struct werr *err)
{
	char buf[128], *cport, *hport, *ip;
	struct net_hostfwd *h = &cfg->hostfwds[cfg->n_hostfwds];
	long hp, cp;

	if (cfg->n_hostfwds == NET_MAX_PORTS || strlen(arg) >= sizeof(buf))
		return werr_set(err, EINVAL, "too many or too long --hostfwd");
	snprintf(buf, sizeof(buf), "%s", arg);
	cport = strrchr(buf, ':');
	if (!cport || (strncmp(buf, "tcp:", 4) && strncmp(buf, "udp:", 4)))
		return werr_set(err, EINVAL, "bad --hostfwd %s", arg);
	*cport++ = '\0';
	hport = strrchr(buf, ':');
	if (!hport || hport < buf + 4)
		return werr_set(err, EINVAL, "bad --hostfwd %s", arg);
	*hport++ = '\0';
	ip = buf + 4;
	if (*ip == '[' && ip[strlen(ip) - 1] == ']') {
		ip[strlen(ip) - 1] = '\0';
		ip++;
	}
	if (main_number(hport, 1, 65535, &hp) < 0 || main_number(cport, 1, 65535, &cp) < 0)
		return werr_set(err, EINVAL, "bad port in --hostfwd %s", arg);
	memset(h, 0, sizeof(*h));
	h->udp = buf[0] == 'u';
	h->container_port = (uint16_t)cp;
	if (strchr(ip, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&h->host;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)hp);
		if (inet_pton(AF_INET6, ip, &s6->sin6_addr) != 1)
			return werr_set(err, EINVAL, "bad address in --hostfwd %s", arg);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&h->host;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)hp);
		if (inet_pton(AF_INET, ip, &s4->sin_addr) != 1)
			return werr_set(err, EINVAL, "bad address in --hostfwd %s", arg);
	}
	cfg->n_hostfwds++;
	return 0;
}

static int main_listen(struct net_listener *l, size_t *n, const char *arg, struct werr *err)
{
	const char *colon = strchr(arg, ':');
	char fd[16];
	long f, cp;

	if (!colon || colon - arg >= (long)sizeof(fd) || *n == NET_MAX_PORTS)
		return werr_set(err, EINVAL, "bad --listen %s", arg);
	snprintf(fd, sizeof(fd), "%.*s", (int)(colon - arg), arg);
	if (main_number(fd, 3, 1 << 20, &f) < 0 || main_number(colon + 1, 1, 65535, &cp) < 0)
		return werr_set(err, EINVAL, "bad --listen %s", arg);
	l[(*n)++] = (struct net_listener){ (int)f, (uint16_t)cp };
	return 0;
}

static int main_parse(struct net_cfg *cfg, int argc, char **argv, struct werr *err)
{
	long v;
	int o;

	while ((o = getopt_long(argc, argv, "", main_opts, NULL)) != -1) {
		switch (o) {
		case O_PID:
			if (main_number(optarg, 1, 1 << 22, &v) < 0)
				return werr_set(err, EINVAL, "bad --pid %s", optarg);
			cfg->pid = (pid_t)v;
			break;
		case O_READY:
			if (main_number(optarg, 0, 1 << 20, &v) < 0)
				return werr_set(err, EINVAL, "bad --ready-fd %s", optarg);
			cfg->ready_fd = (int)v;
			break;
		case O_GO:
			if (main_number(optarg, 0, 1 << 20, &v) < 0)
				return werr_set(err, EINVAL, "bad --go-fd %s", optarg);
			cfg->go_fd = (int)v;
			break;
		case O_MTU:
			if (main_number(optarg, NET_MTU_MIN, NET_MTU_MAX, &v) < 0)
				return werr_set(err, EINVAL, "--mtu %s: use %d to %d", optarg,
				                NET_MTU_MIN, NET_MTU_MAX);
			cfg->mtu = (unsigned)v;
			break;
		case O_LOOPBACK: cfg->allow_host_loopback = true; break;
		case O_NO_IPV6: cfg->ipv6 = false; break;
		case O_LISTEN:
			if (main_listen(cfg->listeners, &cfg->n_listeners, optarg, err) < 0)
				return -err->code;
			break;
		case O_LISTEN_UDP:
			if (main_listen(cfg->udp_listeners, &cfg->n_udp_listeners, optarg, err) < 0)
				return -err->code;
			break;
		case O_HOSTFWD:
			if (main_hostfwd(cfg, optarg, err) < 0)
				return -err->code;
			break;
		case O_BYPASS:
			if (main_number(optarg, 3, 1 << 20, &v) < 0)
				return werr_set(err, EINVAL, "bad --bypass-fd %s", optarg);
			cfg->bypass_fd = (int)v;
			break;
		case O_FORWARD_TO:
			if (inet_pton(AF_INET, optarg, &cfg->forward_addr) != 1)
				return werr_set(err, EINVAL, "bad --forward-to %s", optarg);
			cfg->forward_only = true;
			break;
		default: return werr_set(err, EINVAL, "usage: warren-net --pid PID [OPTIONS]");
		}
	}
	if (cfg->pid <= 0)
		return werr_set(err, EINVAL, "usage: warren-net --pid PID [OPTIONS]");
	/* libslirp's forwardings need libslirp */
	if (cfg->forward_only && cfg->n_hostfwds > 0)
		return werr_set(err, EINVAL, "--forward-to serves --listen ports only");
	return 0;
}

/* --forward-to: the forwarders' threads do the work; wait for the
 * container's end or a stop signal */
static int main_wait(int pidfd, int sigfd)
{
	struct pollfd p[2] = { { .fd = pidfd, .events = POLLIN },
		               { .fd = sigfd, .events = POLLIN } };

	trim_idle();
	while (poll(p, 2, -1) < 0)
		if (errno != EINTR)
			return -errno;
	return 0;
}

/* unprivileged ICMP echo sockets are allowed when one of our groups is in
 * net.ipv4.ping_group_range */
static bool main_ping_allowed(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/sys/net/ipv4/ping_group_range", "re");
	gid_t groups[256];
	long lo, hi;
	int n;

	if (!f || fscanf(f, "%ld %ld", &lo, &hi) != 2)
		return false;
	if ((long)getegid() >= lo && (long)getegid() <= hi)
		return true;
	n = getgroups(256, groups);
	for (int i = 0; i < n; i++)
		if ((long)groups[i] >= lo && (long)groups[i] <= hi)
			return true;
	return false;
}

/* --go-fd: warren spawns us while the container's ID maps are still being
 * written (our exec and start-up overlap them) and sends one byte once
 * they are; EOF means it gave up */
static int main_wait_go(int fd, struct werr *err)
{
	char b;
	ssize_t n;

	while ((n = read(fd, &b, 1)) < 0 && errno == EINTR)
		;
	close(fd);
	if (n != 1)
		return werr_set(err, ECANCELED, "warren stopped before the container was mapped");
	return 0;
}

static int main_start(struct net_cfg *cfg, int *pidfd, int *sigfd, pid_t *child, struct werr *err)
{
	sigset_t set;
	int tap, factory;

	setsid(); /* the terminal's ^C is for the container, not for us */
	signal(SIGPIPE, SIG_IGN);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	*sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (*sigfd < 0)
		return werr_errno(err, errno, "signalfd");
	*pidfd = (int)syscall(SYS_pidfd_open, cfg->pid, 0);
	if (*pidfd < 0)
		return werr_errno(err, errno, "watching the container's process %d", (int)cfg->pid);
	cfg->ping_allowed = main_ping_allowed();
	starttrace_mark("warren-net: signals, pidfd");
	if (cfg->go_fd >= 0 && main_wait_go(cfg->go_fd, err) < 0)
		return -err->code;
	starttrace_mark("warren-net: go");
	if (nsjoin_start(cfg->pid, cfg->forward_only ? 0 : cfg->mtu, &tap, &factory, child, err) <
	    0)
		return -err->code;
	starttrace_mark("warren-net: joined, tap up");
	if (!cfg->forward_only && slirpnet_init(cfg, tap, err) < 0)
		return -err->code;
	starttrace_mark("warren-net: libslirp ready");
	if (portfwd_start(cfg, factory, err) < 0 || udpfwd_start(cfg, factory, err) < 0 ||
	    bypass_start(cfg, factory, err) < 0)
		return -err->code;
	starttrace_mark("warren-net: forwarders");
	return netseccomp_install(err);
}

int main(int argc, char **argv)
{
	static struct net_cfg cfg = {
		.ready_fd = -1, .go_fd = -1, .mtu = NET_MTU_DEFAULT, .ipv6 = true, .bypass_fd = -1
	};
	struct werr err = { 0 };
	int pidfd = -1, sigfd = -1, r;
	pid_t factory = 0;

	starttrace_init("warren-net: main");

	if (main_parse(&cfg, argc, argv, &err) < 0 ||
	    main_start(&cfg, &pidfd, &sigfd, &factory, &err) < 0) {
		if (cfg.ready_fd >= 0 && write(cfg.ready_fd, err.msg, strlen(err.msg)) > 0)
			return 1;
		werr_print(&err, "warren-net");
		return 1;
	}
	starttrace_mark("warren-net: filter installed, ok");
	starttrace_flush();
	if (cfg.ready_fd >= 0) {
		if (write(cfg.ready_fd, "ok\n", 3) != 3)
			return 1;
		close(cfg.ready_fd);
	}
	r = cfg.forward_only ? main_wait(pidfd, sigfd) : slirpnet_run(pidfd, sigfd);
	/* the factory goes first, so that once warren has waited for us nothing
	 * of the container's network is left */
	kill(factory, SIGKILL);
	while (waitpid(factory, NULL, 0) < 0 && errno == EINTR)
		;
	/* _exit: nothing is buffered, and exit-time handlers (a sanitizer's leak
	 * scan, which needs ptrace) would only meet the seccomp filter */
	_exit(r < 0 ? 1 : 0);
}
