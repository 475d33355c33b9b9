/* attach.c - attach client for run, start -a and attach. Only this process
 * touches the user's terminal; the monitor never blocks on it. */
#include "attach.h"
#include "attach_proto.h"
#include "cleanup.h"
#include "state.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

static const int proxied[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGWINCH };

int attach_connect(const char *id, int *sock, struct werr *err)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	char dir[PATH_MAX];
	_cleanup_close_ int dfd = -1;
	int fd, r = state_rundir(id, dir, false, err);

	if (r < 0)
		return r;
	/* the full path may not fit sun_path: go through a directory fd */
	dfd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return werr_set(err, ENOENT, "container %.12s is not running", id);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "/proc/self/fd/%d/attach.sock", dfd);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return werr_errno(err, errno, "socket");
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		close(fd);
		return werr_set(err, ENOENT, "container %.12s is not running", id);
	}
	*sock = fd;
	return 0;
}

static void send_msg(int sock, char type, const void *data, size_t len)
{
	char buf[ATTACH_MSG_MAX + 1];

	buf[0] = type;
	if (len)
		memcpy(buf + 1, data, len);
	send(sock, buf, len + 1, MSG_NOSIGNAL);
}

static void send_size(int sock)
{
	struct winsize ws;
	uint16_t rc[2];

	if (ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) < 0)
		return;
	rc[0] = ws.ws_row;
	rc[1] = ws.ws_col;
	send_msg(sock, ATTACH_RESIZE, rc, sizeof(rc));
}

/* stdin to the container; false at EOF or detach */
static bool forward_stdin(int sock, struct attach_opts *o, bool *detached)
{
	char in[ATTACH_MSG_MAX - 32], out[ATTACH_MSG_MAX];
	ssize_t n = read(STDIN_FILENO, in, sizeof(in));
	size_t len = (size_t)n;

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return true;
	if (n <= 0) {
		send_msg(sock, ATTACH_EOF, NULL, 0);
		return false;
	}
	if (o->tty) {
		len = term_detach_scan(&o->keys, in, (size_t)n, out, detached);
		if (len)
			send_msg(sock, ATTACH_STDIN, out, len);
		return !*detached;
	}
	send_msg(sock, ATTACH_STDIN, in, len);
	return true;
}

/* output from the container; false once the exit code came or the monitor left */
static bool from_monitor(int sock, const struct attach_opts *o, int *code, bool *exited)
{
	char buf[ATTACH_MSG_MAX + 1];
	ssize_t n = recv(sock, buf, sizeof(buf), 0);

	if (n < 0 && errno == EINTR)
		return true;
	/* a monitor that closed with a message of ours unread resets the
	 * socket; the error is reported once, ahead of what it still holds
	 * (its exit code) */
	if (n < 0 && errno == ECONNRESET)
		n = recv(sock, buf, sizeof(buf), MSG_DONTWAIT);
	if (n <= 0)
		return false;
	switch (buf[0]) {
	case ATTACH_STDOUT:
		if (!o->drop_stdout)
			util_write_all(STDOUT_FILENO, buf + 1, (size_t)n - 1);
		break;
	case ATTACH_STDERR:
		if (!o->drop_stderr)
			util_write_all(STDERR_FILENO, buf + 1, (size_t)n - 1);
		break;
	case ATTACH_EXIT:
		if (n == 5) {
			int32_t c;
			memcpy(&c, buf + 1, sizeof(c));
			*code = c;
			*exited = true;
		}
		return false;
	}
	return true;
}

/* --sig-proxy=false: the signal's default action on this process (Docker's
 * CLI dies of it and leaves the container running); blocked again after */
static void attach_signal_self(struct term_raw *raw, const sigset_t *old, int sig)
{
	sigset_t one, cur;

	term_raw_leave(raw);
	sigemptyset(&one);
	sigaddset(&one, sig);
	sigprocmask(SIG_SETMASK, old, &cur);
	sigprocmask(SIG_UNBLOCK, &one, NULL);
	signal(sig, SIG_DFL);
	raise(sig);
	sigprocmask(SIG_SETMASK, &cur, NULL);
}

void attach_signals_block(sigset_t *set, sigset_t *old)
{
	sigemptyset(set);
	for (size_t i = 0; i < ARRAY_SIZE(proxied); i++) {
		/* an ignored signal is never pending: a shell's background job
		 * ignores SIGINT, yet it must reach the container */
		signal(proxied[i], SIG_DFL);
		sigaddset(set, proxied[i]);
	}
	sigprocmask(SIG_BLOCK, set, old);
}

int attach_run(int sock, struct attach_opts *o, int *code, bool *detached, struct werr *err)
{
	sigset_t set, old;
	struct term_raw raw = { .fd = -1 };
	bool in_open = o->stdin_open, exited = false;
	int sigfd;

	*detached = false;
	attach_signals_block(&set, &old);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (o->tty) {
		if (o->stdin_open)
			term_raw_enter(STDIN_FILENO, &raw);
		send_size(sock);
	}
	for (;;) {
		struct pollfd pf[3] = {
			{ sock, POLLIN, 0 },
			{ sigfd, POLLIN, 0 },
			{ in_open ? STDIN_FILENO : -1, POLLIN, 0 },
		};
		if (poll(pf, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[0].revents && !from_monitor(sock, o, code, &exited))
			break;
		if (pf[1].revents) {
			struct signalfd_siginfo si;
			if (read(sigfd, &si, sizeof(si)) == sizeof(si)) {
				if (si.ssi_signo == SIGWINCH)
					send_size(sock);
				else if (o->no_sig_proxy)
					attach_signal_self(&raw, &old, (int)si.ssi_signo);
				else if (o->sig_pid > 0)
					kill(o->sig_pid, (int)si.ssi_signo);
			}
		}
		if (pf[2].revents && !forward_stdin(sock, o, detached)) {
			in_open = false;
			if (*detached)
				break;
		}
	}
	term_raw_leave(&raw);
	close(sigfd);
	sigprocmask(SIG_SETMASK, &old, NULL);
	if (*detached || exited)
		return 0;
	return werr_set(err, EPIPE, "lost the connection to the container's monitor");
}
