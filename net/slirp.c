/* slirp.c - the host side of the tap: libslirp's TCP/IP stack in warren-net's
 * own poll loop (no glib main loop), its timers, the DNS forwarder at
 * 10.0.2.3 and the forwardings libslirp owns (UDP, port_handler=slirp).
 * Buffers are reused: nothing is allocated per packet. */
#include "net.h"

#include <arpa/inet.h>
#include <libslirp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define SLIRPNET_TIMERS      16
#define SLIRPNET_FRAME_MAX   (NET_MTU_MAX + 64)
#define SLIRPNET_READ_BATCH  8 /* frames per wake-up (bench/RESULTS.md, net) */
#define SLIRPNET_FIXED_POLLS 3 /* tap, pidfd, signalfd */
/* the send buffer of libslirp's sockets to the host (capped at
 * net.core.wmem_max, then doubled by the kernel) */
#define SLIRPNET_SNDBUF   (4 << 20)
#define SLIRPNET_FD_TRACK 4096 /* fds above are left as they are */
/* quiet this long (no packet, no socket event) after some activity, the
 * loop gives back the pages that activity mapped (trim.c) */
#define SLIRPNET_IDLE_MS 500

struct slirpnet_timer {
	bool used;
	int64_t expire_ns; /* -1: not armed */
	SlirpTimerCb cb;
	void *cb_opaque;
};

static struct {
	Slirp *slirp;
	int tap;
	bool ping_allowed, ping_warned;
	bool fired; /* a timer ran since the last poll: activity, as a packet is */
	struct slirpnet_timer timers[SLIRPNET_TIMERS];
	struct pollfd *pfd;
	size_t n_pfd, cap_pfd;
	uint32_t round;                   /* poll rounds so far */
	uint32_t seen[SLIRPNET_FD_TRACK]; /* the last round that listed the fd */
	uint8_t frame[SLIRPNET_FRAME_MAX];
} sn = { .tap = -1, .round = 2 };

static int64_t slirpnet_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* implements SlirpCb.send_packet: one Ethernet frame to the container */
static ssize_t slirpnet_send_packet(const void *buf, size_t len, void *opaque)
{
	ssize_t n;

	do
		n = write(sn.tap, buf, len);
	while (n < 0 && errno == EINTR);
	/* a full tap queue drops the frame: TCP retransmits, as on a wire */
	return n < 0 && errno == EAGAIN ? (ssize_t)len : n;
}

/* implements SlirpCb.guest_error */
static void slirpnet_guest_error(const char *msg, void *opaque)
{
	fprintf(stderr, "warren-net: container network: %s\n", msg);
}

/* implements SlirpCb.clock_get_ns */
static int64_t slirpnet_clock_get_ns(void *opaque)
{
	return slirpnet_now_ns();
}

/* implements SlirpCb.timer_new */
static void *slirpnet_timer_new(SlirpTimerCb cb, void *cb_opaque, void *opaque)
{
	for (size_t i = 0; i < SLIRPNET_TIMERS; i++)
		if (!sn.timers[i].used) {
			sn.timers[i] = (struct slirpnet_timer){ true, -1, cb, cb_opaque };
			return &sn.timers[i];
		}
	fprintf(stderr, "warren-net: out of timers\n");
	abort();
}

/* implements SlirpCb.timer_free */
static void slirpnet_timer_free(void *timer, void *opaque)
{
	((struct slirpnet_timer *)timer)->used = false;
}

/* implements SlirpCb.timer_mod: @expire is in milliseconds of clock_get_ns */
static void slirpnet_timer_mod(void *timer, int64_t expire_ms, void *opaque)
{
	((struct slirpnet_timer *)timer)->expire_ns = expire_ms * 1000000;
}

/* implements SlirpCb.register_poll_fd and unregister_poll_fd: the loop asks
 * libslirp for its fds on every iteration, so there is nothing to keep */
static void slirpnet_poll_fd(int fd, void *opaque)
{
}

/* implements SlirpCb.notify: single-threaded, nothing to wake */
static void slirpnet_notify(void *opaque)
{
}

static const SlirpCb slirpnet_cb = {
	.send_packet = slirpnet_send_packet,
	.guest_error = slirpnet_guest_error,
	.clock_get_ns = slirpnet_clock_get_ns,
	.timer_new = slirpnet_timer_new,
	.timer_free = slirpnet_timer_free,
	.timer_mod = slirpnet_timer_mod,
	.register_poll_fd = slirpnet_poll_fd,
	.unregister_poll_fd = slirpnet_poll_fd,
	.notify = slirpnet_notify,
};

static short slirpnet_to_poll(int ev)
{
	return (short)(((ev & SLIRP_POLL_IN) ? POLLIN : 0) | ((ev & SLIRP_POLL_OUT) ? POLLOUT : 0) |
	               ((ev & SLIRP_POLL_PRI) ? POLLPRI : 0) |
	               ((ev & SLIRP_POLL_ERR) ? POLLERR : 0) |
	               ((ev & SLIRP_POLL_HUP) ? POLLHUP : 0));
}

/* Data from the container to the host is written by libslirp straight to
 * its socket; what the socket does not take waits in libslirp's 128 KiB
 * buffer, and the window libslirp advertises to the container shrinks by
 * that much (it is at most 64 KiB anyway: libslirp 4.7 does not scale
 * windows). With the autotuned send buffer the window was seen down to
 * 30 KB, stalling the container's TCP; a large one keeps it at 64 KiB. Set
 * once per socket; a socket missing from a round may be a new one behind
 * the same number, so it is set again. */
static void slirpnet_tune(int fd)
{
	int size = SLIRPNET_SNDBUF;

	if (fd < 0 || fd >= SLIRPNET_FD_TRACK)
		return;
	if (sn.seen[fd] != sn.round && sn.seen[fd] != sn.round - 1)
		setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
	sn.seen[fd] = sn.round;
}

/* implements SlirpAddPollCb; the array only grows, so this allocates
 * when libslirp has more sockets than ever before, not per packet */
static int slirpnet_add_poll(int fd, int events, void *opaque)
{
	if (sn.n_pfd == sn.cap_pfd) {
		size_t cap = sn.cap_pfd ? sn.cap_pfd * 2 : 64;
		struct pollfd *p = realloc(sn.pfd, cap * sizeof(*p));
		if (!p)
			return -1;
		sn.pfd = p;
		sn.cap_pfd = cap;
	}
	if (sn.n_pfd >= SLIRPNET_FIXED_POLLS)
		slirpnet_tune(fd);
	sn.pfd[sn.n_pfd] = (struct pollfd){ fd, slirpnet_to_poll(events), 0 };
	return (int)sn.n_pfd++;
}

/* implements SlirpGetREventsCb */
static int slirpnet_get_revents(int idx, void *opaque)
{
	short r = idx >= 0 && (size_t)idx < sn.n_pfd ? sn.pfd[idx].revents : 0;

	return ((r & POLLIN) ? SLIRP_POLL_IN : 0) | ((r & POLLOUT) ? SLIRP_POLL_OUT : 0) |
	       ((r & POLLPRI) ? SLIRP_POLL_PRI : 0) | ((r & POLLERR) ? SLIRP_POLL_ERR : 0) |
	       ((r & POLLHUP) ? SLIRP_POLL_HUP : 0);
}

/* an echo request to an address outside the user-mode network, which
 * libslirp can only send with an ICMP socket that ping_group_range allows */
static void slirpnet_check_ping(const uint8_t *f, size_t len)
{
	size_t ihl;

	if (sn.ping_allowed || sn.ping_warned || len < 14 + 20 || f[12] != 0x08 || f[13] != 0 ||
	    f[14 + 9] != 1 || f[14 + 16] == 10)
		return;
	ihl = (size_t)(f[14] & 0xf) * 4;
	if (len <= 14 + ihl || f[14 + ihl] != 8)
		return;
	sn.ping_warned = true;
	fprintf(stderr,
	        "warren-net: ping from the container cannot leave the host: your groups are "
	        "outside net.ipv4.ping_group_range (as root: sysctl -w "
	        "net.ipv4.ping_group_range=\"0 2147483647\")\n");
}

static void slirpnet_read_tap(void)
{
	for (int i = 0; i < SLIRPNET_READ_BATCH; i++) {
		ssize_t n = read(sn.tap, sn.frame, sizeof(sn.frame));
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		slirpnet_check_ping(sn.frame, (size_t)n);
		slirp_input(sn.slirp, sn.frame, (int)n);
	}
}

/* run expired timers; Return: ms until the next one, or UINT32_MAX */
static uint32_t slirpnet_run_timers(void)
{
	int64_t now = slirpnet_now_ns(), next = -1;

	for (size_t i = 0; i < SLIRPNET_TIMERS; i++) {
		struct slirpnet_timer *t = &sn.timers[i];
		if (!t->used || t->expire_ns < 0)
			continue;
		if (t->expire_ns <= now) {
			t->expire_ns = -1;
			sn.fired = true;
			t->cb(t->cb_opaque);
		}
		if (t->used && t->expire_ns >= 0 && (next < 0 || t->expire_ns < next))
			next = t->expire_ns;
	}
	if (next < 0)
		return UINT32_MAX;
	return next <= now ? 0 : (uint32_t)((next - now) / 1000000 + 1);
}

static int slirpnet_add_hostfwds(const struct net_cfg *cfg, struct werr *err)
{
	struct sockaddr_in guest = { .sin_family = AF_INET };

	inet_pton(AF_INET, NET_GUEST, &guest.sin_addr);
	for (size_t i = 0; i < cfg->n_hostfwds; i++) {
		const struct net_hostfwd *h = &cfg->hostfwds[i];
		socklen_t hl = h->host.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
		                                             : sizeof(struct sockaddr_in);
		guest.sin_port = htons(h->container_port);
		if (slirp_add_hostxfwd(sn.slirp, (const struct sockaddr *)&h->host, hl,
		                       (const struct sockaddr *)&guest, sizeof(guest),
		                       h->udp ? SLIRP_HOSTFWD_UDP : 0) < 0)
			return werr_errno(err, errno ? errno : EADDRINUSE,
			                  "publishing container port %u/%s",
			                  (unsigned)h->container_port, h->udp ? "udp" : "tcp");
	}
	return 0;
}

int slirpnet_init(const struct net_cfg *cfg, int tap_fd, struct werr *err)
{
	SlirpConfig sc = { .version = 4 };

	sc.in_enabled = true;
	inet_pton(AF_INET, NET_NETWORK, &sc.vnetwork);
	inet_pton(AF_INET, NET_NETMASK, &sc.vnetmask);
	inet_pton(AF_INET, NET_GATEWAY, &sc.vhost);
	inet_pton(AF_INET, NET_DHCP_START, &sc.vdhcp_start);
	inet_pton(AF_INET, NET_NAMESERVER, &sc.vnameserver);
	sc.in6_enabled = cfg->ipv6;
	inet_pton(AF_INET6, NET_PREFIX6, &sc.vprefix_addr6);
	sc.vprefix_len = 64;
	inet_pton(AF_INET6, NET_GATEWAY6, &sc.vhost6);
	inet_pton(AF_INET6, NET_NAMESERVER6, &sc.vnameserver6);
	sc.if_mtu = cfg->mtu;
	sc.if_mru = cfg->mtu;
	sc.disable_host_loopback = !cfg->allow_host_loopback;
	sn.tap = tap_fd;
	sn.ping_allowed = cfg->ping_allowed;
	sn.slirp = slirp_new(&sc, &slirpnet_cb, NULL);
	if (!sn.slirp)
		return werr_set(err, EINVAL, "libslirp refused its configuration");
	return slirpnet_add_hostfwds(cfg, err);
}

int slirpnet_run(int pidfd, int sigfd)
{
	int64_t active_ns = slirpnet_now_ns();
	bool trimmed = false;

	for (;;) {
		uint32_t timeout = slirpnet_run_timers();
		int r;

		if (++sn.round < 2) /* seen[] 0 means never; round - 1 must not be 0 */
			sn.round = 2;
		sn.n_pfd = 0;
		slirpnet_add_poll(sn.tap, SLIRP_POLL_IN, NULL);
		slirpnet_add_poll(pidfd, SLIRP_POLL_IN, NULL);
		slirpnet_add_poll(sigfd, SLIRP_POLL_IN, NULL);
		slirp_pollfds_fill(sn.slirp, &timeout, slirpnet_add_poll, NULL);
		if (!trimmed && timeout > SLIRPNET_IDLE_MS)
			timeout = SLIRPNET_IDLE_MS;
		r = poll(sn.pfd, sn.n_pfd, timeout == UINT32_MAX ? -1 : (int)timeout);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0 || sn.fired) {
			active_ns = slirpnet_now_ns();
			trimmed = false;
			sn.fired = false;
		} else if (!trimmed &&
		           slirpnet_now_ns() - active_ns >= SLIRPNET_IDLE_MS * 1000000LL) {
			trim_idle();
			trimmed = true;
		}
		if (sn.pfd[1].revents || sn.pfd[2].revents)
			return 0; /* the container is gone, or warren asked us to stop */
		slirp_pollfds_poll(sn.slirp, r < 0, slirpnet_get_revents, NULL);
		if (sn.pfd[0].revents & POLLIN)
			slirpnet_read_tap();
	}
}
