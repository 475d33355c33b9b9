/* udpfwd.c - the default forwarder of published UDP ports: datagrams from
 * each host client go out of a socket of their own inside the container
 * (connected to 127.0.0.1:PORT, made by the factory), answers come back to
 * that client. Flows come from a fixed table and expire when idle; one
 * static buffer, nothing allocated per datagram. Own thread and epoll loop. */
#include "net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define UDPFWD_FLOWS    256
#define UDPFWD_IDLE_SEC 60
#define UDPFWD_EVENTS   64
#define UDPFWD_BATCH    64 /* datagrams moved per wake-up and socket */

struct udpfwd_flow {
	bool used;
	int fd;          /* inside the container, connected to 127.0.0.1:PORT */
	size_t listener; /* index in cfg->udp_listeners */
	struct sockaddr_storage client;
	socklen_t client_len;
	time_t last;
};

static struct {
	int epfd, factory;
	const struct net_cfg *cfg;
	struct udpfwd_flow flows[UDPFWD_FLOWS];
	uint8_t buf[65536];
} uf = { .epfd = -1 };

static time_t udpfwd_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec;
}

static void udpfwd_close(struct udpfwd_flow *f)
{
	close(f->fd);
	f->used = false;
}

/* the flow of @client on listener @li, made when it is new */
static struct udpfwd_flow *udpfwd_flow(size_t li, const struct sockaddr_storage *client,
                                       socklen_t len)
{
	const struct net_listener *l = &uf.cfg->udp_listeners[li];
	struct sockaddr_in to = { .sin_family = AF_INET,
		                  .sin_port = htons(l->container_port),
		                  .sin_addr.s_addr = net_target(uf.cfg) };
	struct udpfwd_flow *f = NULL, *oldest = NULL;
	struct epoll_event ev = { .events = EPOLLIN };

	for (size_t i = 0; i < UDPFWD_FLOWS; i++) {
		struct udpfwd_flow *c = &uf.flows[i];
		if (c->used && c->listener == li && c->client_len == len &&
		    !memcmp(&c->client, client, len))
			return c;
		if (!c->used && !f)
			f = c;
		if (c->used && (!oldest || c->last < oldest->last))
			oldest = c;
	}
	if (!f) { /* table full: the longest idle flow makes room */
		udpfwd_close(oldest);
		f = oldest;
	}
	f->fd = nsjoin_socket(uf.factory, true);
	if (f->fd < 0)
		return NULL;
	if (connect(f->fd, (struct sockaddr *)&to, sizeof(to)) < 0) {
		close(f->fd);
		return NULL;
	}
	f->used = true;
	f->listener = li;
	f->client = *client;
	f->client_len = len;
	ev.data.u64 = NET_MAX_PORTS + (uint64_t)(f - uf.flows);
	if (epoll_ctl(uf.epfd, EPOLL_CTL_ADD, f->fd, &ev) < 0) {
		udpfwd_close(f);
		return NULL;
	}
	return f;
}

/* host client -> container */
static void udpfwd_from_host(size_t li)
{
	int fd = uf.cfg->udp_listeners[li].fd;

	for (int i = 0; i < UDPFWD_BATCH; i++) {
		struct sockaddr_storage from;
		socklen_t fl = sizeof(from);
		struct udpfwd_flow *f;
		ssize_t n = recvfrom(fd, uf.buf, sizeof(uf.buf), MSG_DONTWAIT,
		                     (struct sockaddr *)&from, &fl);
		if (n < 0)
			return;
		f = udpfwd_flow(li, &from, fl);
		if (!f)
			continue;
		f->last = udpfwd_now();
		send(f->fd, uf.buf, (size_t)n, MSG_DONTWAIT);
	}
}

/* container -> the host client of flow @f */
static void udpfwd_from_container(struct udpfwd_flow *f)
{
	int fd = uf.cfg->udp_listeners[f->listener].fd;

	for (int i = 0; i < UDPFWD_BATCH; i++) {
		ssize_t n = recv(f->fd, uf.buf, sizeof(uf.buf), MSG_DONTWAIT);
		if (n < 0)
			return;
		f->last = udpfwd_now();
		sendto(fd, uf.buf, (size_t)n, MSG_DONTWAIT, (struct sockaddr *)&f->client,
		       f->client_len);
	}
}

static void udpfwd_expire(void)
{
	time_t now = udpfwd_now();

	for (size_t i = 0; i < UDPFWD_FLOWS; i++)
		if (uf.flows[i].used && now - uf.flows[i].last > UDPFWD_IDLE_SEC)
			udpfwd_close(&uf.flows[i]);
}

static void *udpfwd_loop(void *arg)
{
	struct epoll_event ev[UDPFWD_EVENTS];

	for (;;) {
		int n = epoll_wait(uf.epfd, ev, UDPFWD_EVENTS, UDPFWD_IDLE_SEC * 1000);
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			if (tag < NET_MAX_PORTS)
				udpfwd_from_host(tag);
			else if (uf.flows[tag - NET_MAX_PORTS].used)
				udpfwd_from_container(&uf.flows[tag - NET_MAX_PORTS]);
		}
		udpfwd_expire();
	}
	return NULL;
}

int udpfwd_start(const struct net_cfg *cfg, int factory_fd, struct werr *err)
{
	if (cfg->n_udp_listeners == 0)
		return 0;
	uf.cfg = cfg;
	uf.factory = factory_fd;
	uf.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (uf.epfd < 0)
		return werr_errno(err, errno, "epoll_create1");
	for (size_t i = 0; i < cfg->n_udp_listeners; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = i };
		if (epoll_ctl(uf.epfd, EPOLL_CTL_ADD, cfg->udp_listeners[i].fd, &ev) < 0)
			return werr_errno(err, errno, "watching the published UDP port");
	}
	return thread_start(udpfwd_loop, err);
}
