/* portfwd.c - the default forwarder of published TCP ports (as rootlesskit's
 * builtin driver): accept on the host, connect to 127.0.0.1:PORT inside the
 * container with a socket the factory made there, move the bytes with
 * splice() through a pipe per direction. Once socket switching has given a
 * port's host listener to the container (bypass.c), the other way too: a
 * stand-in listener inside the container's namespace whose connections go
 * to that host socket. Its own thread and epoll loop; connections come from
 * a fixed pool, nothing is allocated per connection. */
#include "net.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#define PORTFWD_PIPE_SIZE (1 << 18) /* measured: faster than 64 KiB and 1 MiB */
#define PORTFWD_EVENTS    64
#define PORTFWD_LISTENERS (2 * NET_MAX_PORTS) /* the host's, then stand-ins */

/* one direction of a connection: src -> pipe -> dst */
struct portfwd_dir {
	int src, dst;
	int pipe[2];
	size_t queued; /* bytes in the pipe */
	bool eof;      /* src said EOF; dst gets SHUT_WR once the pipe is empty */
	bool shut;
};

struct portfwd_conn {
	bool used, connecting;
	int host, cont; /* the accepted socket, the one inside the container */
	struct portfwd_dir dir[2];
};

/* a listener: the host's (to the container's port through the factory), or
 * a stand-in inside the container (to a host address, from the host) */
struct portfwd_listener {
	int fd; /* -1: given away or unused */
	uint16_t container_port;
	bool to_host;
	struct sockaddr_storage to;
	socklen_t to_len;
};

static struct {
	int epfd, factory;
	const struct net_cfg *cfg;
	/* held while accepting, so that bypass.c never closes a listener
	 * under the loop */
	pthread_mutex_t lock;
	struct portfwd_listener ls[PORTFWD_LISTENERS];
	size_t n_ls;
	struct portfwd_conn conns[NET_MAX_CONNS];
} pf = { .epfd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static void portfwd_close(struct portfwd_conn *c)
{
	close(c->host);
	close(c->cont);
	for (int d = 0; d < 2; d++) {
		close(c->dir[d].pipe[0]);
		close(c->dir[d].pipe[1]);
	}
	c->used = false;
}

/* move what can move in one direction; Return: 0, or -1 when the
 * connection failed and must be closed */
static int portfwd_pump(struct portfwd_dir *d)
{
	for (;;) {
		ssize_t n;
		if (d->queued > 0) {
			n = splice(d->pipe[0], NULL, d->dst, NULL, d->queued,
			           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
			if (n < 0)
				return errno == EAGAIN || errno == EINTR ? 0 : -1;
			d->queued -= (size_t)n;
			continue;
		}
		if (d->eof) {
			if (!d->shut)
				shutdown(d->dst, SHUT_WR);
			d->shut = true;
			return 0;
		}
		n = splice(d->src, NULL, d->pipe[1], NULL, PORTFWD_PIPE_SIZE,
		           SPLICE_F_MOVE | SPLICE_F_NONBLOCK);
		if (n == 0)
			d->eof = true;
		else if (n < 0)
			return errno == EAGAIN || errno == EINTR ? 0 : -1;
		else
			d->queued += (size_t)n;
	}
}

static void portfwd_service(struct portfwd_conn *c)
{
	if (c->connecting) {
		int e = 0;
		socklen_t l = sizeof(e);
		if (getsockopt(c->cont, SOL_SOCKET, SO_ERROR, &e, &l) < 0 || e == EINPROGRESS)
			return;
		if (e != 0) {
			portfwd_close(c);
			return;
		}
		c->connecting = false;
	}
	if (portfwd_pump(&c->dir[0]) < 0 || portfwd_pump(&c->dir[1]) < 0 ||
	    (c->dir[0].shut && c->dir[1].shut))
		portfwd_close(c);
}

static int portfwd_pipe(int p[2])
{
	if (pipe2(p, O_NONBLOCK | O_CLOEXEC) < 0)
		return -1;
	/* a larger pipe moves more per splice; the default 64 KiB also works */
	fcntl(p[1], F_SETPIPE_SZ, PORTFWD_PIPE_SIZE);
	return 0;
}

/* the client's own TCP already decided when to send: a forwarder that
 * waited again (Nagle) would only add latency to each splice's tail, and
 * rootlesskit's Go sockets do the same */
static void portfwd_nodelay(int fd)
{
	int one = 1;

	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static struct portfwd_conn *portfwd_slot(void)
{
	for (size_t i = 0; i < NET_MAX_CONNS; i++)
		if (!pf.conns[i].used)
			return &pf.conns[i];
	return NULL;
}

/* epoll data: a listener is its index, a connection PORTFWD_LISTENERS +
 * its index */
static int portfwd_watch(int fd, const struct portfwd_conn *c)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET,
		                  .data.u64 = PORTFWD_LISTENERS + (uint64_t)(c - pf.conns) };

	return epoll_ctl(pf.epfd, EPOLL_CTL_ADD, fd, &ev);
}

/* the socket an accepted connection of @l goes on with, connecting to
 * where @l forwards: into the container, or (a stand-in) to the host */
static int portfwd_target(const struct portfwd_listener *l)
{
	struct sockaddr_in in = { .sin_family = AF_INET,
		                  .sin_port = htons(l->container_port),
		                  .sin_addr.s_addr = net_target(pf.cfg) };
	const struct sockaddr *to = (const struct sockaddr *)&in;
	socklen_t len = sizeof(in);
	int fd;

	if (l->to_host) {
		to = (const struct sockaddr *)&l->to;
		len = l->to_len;
		fd = socket(l->to.ss_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	} else {
		fd = nsjoin_socket(pf.factory, false);
	}
	if (fd < 0)
		return -1;
	if (connect(fd, to, len) < 0 && errno != EINPROGRESS) {
		close(fd);
		return -1;
	}
	return fd;
}

static void portfwd_accept(const struct portfwd_listener *l)
{
	struct portfwd_conn *c;
	int host;

	while (l->fd >= 0 &&
	       (host = accept4(l->fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC)) >= 0) {
		c = portfwd_slot();
		if (!c) {
			close(host); /* too many connections: refuse this one */
			continue;
		}
		*c = (struct portfwd_conn){ .host = host, .cont = -1 };
		c->dir[0].pipe[0] = c->dir[0].pipe[1] = c->dir[1].pipe[0] = c->dir[1].pipe[1] = -1;
		if (portfwd_pipe(c->dir[0].pipe) < 0 || portfwd_pipe(c->dir[1].pipe) < 0 ||
		    (c->cont = portfwd_target(l)) < 0) {
			portfwd_close(c);
			continue;
		}
		portfwd_nodelay(host);
		portfwd_nodelay(c->cont);
		c->used = c->connecting = true;
		c->dir[0].src = c->dir[1].dst = host;
		c->dir[0].dst = c->dir[1].src = c->cont;
		if (portfwd_watch(host, c) < 0 || portfwd_watch(c->cont, c) < 0)
			portfwd_close(c);
	}
}

static void *portfwd_loop(void *arg)
{
	struct epoll_event ev[PORTFWD_EVENTS];

	for (;;) {
		int n = epoll_wait(pf.epfd, ev, PORTFWD_EVENTS, -1);
		for (int i = 0; i < n; i++) {
			uint64_t tag = ev[i].data.u64;
			if (tag < PORTFWD_LISTENERS) {
				pthread_mutex_lock(&pf.lock);
				portfwd_accept(&pf.ls[tag]);
				pthread_mutex_unlock(&pf.lock);
			} else if (pf.conns[tag - PORTFWD_LISTENERS].used) {
				portfwd_service(&pf.conns[tag - PORTFWD_LISTENERS]);
			}
		}
	}
	return NULL;
}

int portfwd_start(const struct net_cfg *cfg, int factory_fd, struct werr *err)
{
	if (cfg->n_listeners == 0)
		return 0;
	pf.cfg = cfg;
	pf.factory = factory_fd;
	pf.epfd = epoll_create1(EPOLL_CLOEXEC);
	if (pf.epfd < 0)
		return werr_errno(err, errno, "epoll_create1");
	for (size_t i = 0; i < cfg->n_listeners; i++) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = i };
		int fl = fcntl(cfg->listeners[i].fd, F_GETFL);
		if (fl < 0 || fcntl(cfg->listeners[i].fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
		    epoll_ctl(pf.epfd, EPOLL_CTL_ADD, cfg->listeners[i].fd, &ev) < 0)
			return werr_errno(err, errno, "watching the published port listener");
		pf.ls[i] =
		    (struct portfwd_listener){ .fd = cfg->listeners[i].fd,
			                       .container_port = cfg->listeners[i].container_port };
	}
	pf.n_ls = cfg->n_listeners;
	return thread_start(portfwd_loop, err);
}

void portfwd_drop(size_t i)
{
	pthread_mutex_lock(&pf.lock);
	if (i < pf.n_ls && pf.ls[i].fd >= 0) {
		epoll_ctl(pf.epfd, EPOLL_CTL_DEL, pf.ls[i].fd, NULL);
		close(pf.ls[i].fd);
		pf.ls[i].fd = -1;
	}
	pthread_mutex_unlock(&pf.lock);
}

int portfwd_stand_in(int fd, const struct sockaddr_storage *to, socklen_t to_len)
{
	int r = -ENOSPC;

	pthread_mutex_lock(&pf.lock);
	if (pf.epfd >= 0 && pf.n_ls < PORTFWD_LISTENERS) {
		struct epoll_event ev = { .events = EPOLLIN, .data.u64 = pf.n_ls };
		pf.ls[pf.n_ls] = (struct portfwd_listener){
			.fd = fd, .to_host = true, .to = *to, .to_len = to_len
		};
		r = epoll_ctl(pf.epfd, EPOLL_CTL_ADD, fd, &ev) < 0 ? -errno : 0;
		if (r == 0)
			pf.n_ls++;
	}
	pthread_mutex_unlock(&pf.lock);
	return r;
}
