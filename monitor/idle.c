/* idle.c - warren-monitor's poll loop: the container's output to the log and
 * to attach clients, the clients' input to the container, its exit. One
 * loop, no threads, no allocation per chunk, never blocked by a client. */
#include "idle.h"
#include "util.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

static void client_drop(struct monitor *m, size_t i)
{
	close(m->a->clients[i]);
	m->a->clients[i] = m->a->clients[--m->a->n_clients];
}

/* one message to every attach client (a stuck one is dropped) */
static void idle_broadcast(struct monitor *m, char type, const void *data, size_t len)
{
	char buf[ATTACH_MSG_MAX + 1];

	buf[0] = type;
	if (len)
		memcpy(buf + 1, data, len);
	for (size_t i = m->a->n_clients; i-- > 0;)
		/* gone or stuck for SO_SNDTIMEO: drop it, never the container */
		if (send(m->a->clients[i], buf, len + 1, MSG_NOSIGNAL) < 0)
			client_drop(m, i);
}

static void client_add(struct monitor *m, int fd)
{
	struct timeval tv = { 10, 0 };

	if (m->a->n_clients == MONITOR_MAX_CLIENTS) {
		close(fd);
		return;
	}
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	m->a->clients[m->a->n_clients++] = fd;
}

/* container output: to the log and to every attached client */
static bool output_pump(struct monitor *m, int fd, char type)
{
	char buf[ATTACH_MSG_MAX];
	ssize_t n = read(fd, buf, sizeof(buf));

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) /* EOF, or EIO from a pty master once the slave is gone */
		return false;
	if (logwrite_chunk(&m->log, type == ATTACH_STDOUT ? "stdout" : "stderr", buf, (size_t)n) <
	    0)
		monitor_log_error(m);
	idle_broadcast(m, type, buf, (size_t)n);
	return true;
}

static void stdin_close(struct monitor *m)
{
	if (m->a->in_fd >= 0 && !m->a->tty)
		close(m->a->in_fd);
	if (!m->a->tty)
		m->a->in_fd = -1;
	m->pending_len = 0;
}

static void stdin_flush(struct monitor *m)
{
	while (m->pending_len > 0 && m->a->in_fd >= 0) {
		ssize_t w = write(m->a->in_fd, m->pending, m->pending_len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			return;
		if (w < 0) {
			stdin_close(m);
			return;
		}
		memmove(m->pending, m->pending + w, m->pending_len - (size_t)w);
		m->pending_len -= (size_t)w;
	}
}

static void client_message(struct monitor *m, size_t i)
{
	char buf[ATTACH_MSG_MAX + 1];
	ssize_t n = recv(m->a->clients[i], buf, sizeof(buf), MSG_DONTWAIT);

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) {
		client_drop(m, i);
		return;
	}
	switch (buf[0]) {
	case ATTACH_STDIN:
		if (m->a->in_fd < 0 || (size_t)n - 1 > sizeof(m->pending) - m->pending_len)
			return;
		memcpy(m->pending + m->pending_len, buf + 1, (size_t)n - 1);
		m->pending_len += (size_t)n - 1;
		stdin_flush(m);
		return;
	case ATTACH_EOF:
		if (!m->a->tty)
			stdin_close(m);
		return;
	case ATTACH_RESIZE:
		/* the kernel sends SIGWINCH to the container's foreground group */
		if (m->a->tty && n == 5) {
			uint16_t rc[2];
			struct winsize ws = { 0 };
			memcpy(rc, buf + 1, sizeof(rc));
			ws.ws_row = rc[0];
			ws.ws_col = rc[1];
			ioctl(m->a->out_fd, TIOCSWINSZ, &ws);
		}
		return;
	}
}

static int exit_code(pid_t pid)
{
	int st;

	if (waitpid(pid, &st, WNOHANG) != pid)
		return -1;
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* a SIGCHLD (several coalesce into one): the container's exit code, or -1
 * while it runs. warren-net is reaped first: it also ends, by itself, once
 * the container has, and then the container's exit is already there to see.
 * warren-overlay ends by itself once the container's mount is released,
 * which its exit does before the exit can be seen: one that ends while the
 * container is not exiting, or of a signal, was lost */
static int idle_children(struct monitor *m)
{
	int net_status, ovl_status, code;
	bool net_gone = netwatch_reap(m, &net_status);
	bool ovl_gone = netwatch_reap_overlay(m, &ovl_status);

	code = exit_code(m->a->pid);
	if (code < 0 && net_gone)
		netwatch_lost(m, net_status);
	if (ovl_gone && ((code < 0 && !util_pid_exiting(m->a->pid)) || WIFSIGNALED(ovl_status)))
		netwatch_overlay_lost(m, ovl_status, code < 0);
	return code;
}

static void out_close(struct monitor *m, int *fd)
{
	if (m->a->tty && fd == &m->a->out_fd)
		m->a->in_fd = -1; /* the same pty */
	close(*fd);
	*fd = -1;
}

/* the nearer of the pending SIGKILL and the next health check (-1: none) */
static int idle_timeout(struct monitor *m)
{
	int k = netwatch_timeout(m), h = healthtimer_timeout(m);

	return k < 0 ? h : h < 0 ? k : k < h ? k : h;
}

int idle_loop(struct monitor *m)
{
	struct pollfd pf[5 + MONITOR_MAX_CLIENTS];
	struct monitor_args *a = m->a;
	/* it may have exited before the exec: its SIGCHLD is pending, not lost */
	int code = exit_code(a->pid), drain_rounds = 0;

	healthtimer_init(m);

	while (code < 0 || ((a->out_fd >= 0 || a->err_fd >= 0) && drain_rounds < 20)) {
		size_t n = 0, base;
		int r;

		pf[n++] = (struct pollfd){ m->sigfd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ a->listen_fd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ a->out_fd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ a->err_fd, POLLIN, 0 };
		pf[n++] = (struct pollfd){ m->pending_len ? a->in_fd : -1, POLLOUT, 0 };
		base = n;
		for (size_t i = 0; i < a->n_clients; i++)
			pf[n++] = (struct pollfd){ m->pending_len ? -1 : a->clients[i], POLLIN, 0 };
		r = poll(pf, n, code < 0 ? idle_timeout(m) : 100);
		if (r < 0 && errno == EINTR)
			continue;
		if (code >= 0 && r == 0)
			drain_rounds++;
		if (pf[0].revents) {
			struct signalfd_siginfo si;
			if (read(m->sigfd, &si, sizeof(si)) > 0 && code < 0) {
				healthtimer_reap(m);
				code = idle_children(m);
				if (code >= 0)
					healthtimer_stop(m);
			}
		}
		if (pf[1].revents & POLLIN) {
			int c = accept4(a->listen_fd, NULL, NULL, SOCK_CLOEXEC);
			if (c >= 0)
				client_add(m, c);
		}
		if (pf[2].revents && !output_pump(m, a->out_fd, ATTACH_STDOUT))
			out_close(m, &a->out_fd);
		if (pf[3].revents && !output_pump(m, a->err_fd, ATTACH_STDERR))
			out_close(m, &a->err_fd);
		if (pf[4].revents)
			stdin_flush(m);
		for (size_t i = n - base; i-- > 0;)
			if (pf[base + i].revents && i < a->n_clients)
				client_message(m, i);
	}
	healthtimer_stop(m);
	return code;
}
