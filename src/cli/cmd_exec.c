/* cmd_exec.c - `warren exec`: a command in a running container, with -i,
 * -t (a new pty: raw mode, resizes, detach keys), -d, -e, -u, -w. Exit code
 * is the command's; 125/126/127 are warren's, as Docker's. */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "ctrrun.h"
#include "state.h"
#include "term.h"
#include "util.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <unistd.h>

enum { E_INTERACTIVE = 1, E_TTY, E_DETACH, E_ENV, E_USER, E_WORKDIR, E_DKEYS };

#define EXEC_MAX_ENV 256

struct exec_cfg {
	bool interactive, tty, detach;
	const char *user, *workdir, *detach_keys;
	const char *env[EXEC_MAX_ENV];
	size_t n_env;
};

static const struct opt_def exec_opts[] = {
	{ "interactive", 'i', OPT_FLAG, NULL, "Keep stdin open", E_INTERACTIVE },
	{ "tty", 't', OPT_FLAG, NULL, "Allocate a pseudo-terminal", E_TTY },
	{ "detach", 'd', OPT_FLAG, NULL, "Run the command in the background", E_DETACH },
	{ "env", 'e', OPT_VALUE, "KEY=VALUE", "Set an environment variable", E_ENV },
	{ "user", 'u', OPT_VALUE, "USER[:GROUP]", "Run as this user (name or UID)", E_USER },
	{ "workdir", 'w', OPT_VALUE, "DIR", "Working directory inside the container", E_WORKDIR },
	{ "detach-keys", 0, OPT_VALUE, "KEYS", "Keys that detach (default ctrl-p,ctrl-q)",
	  E_DKEYS },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements opt_cb for exec */
static int exec_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct exec_cfg *c = ctx;
	bool on = !strcmp(v, "true");
	struct detach_keys d;

	switch (def->id) {
	case E_INTERACTIVE: c->interactive = on; return 0;
	case E_TTY: c->tty = on; return 0;
	case E_DETACH: c->detach = on; return 0;
	case E_USER: c->user = v; return 0;
	case E_WORKDIR:
		if (v[0] != '/')
			return werr_set(err, EINVAL,
			                "invalid --workdir \"%s\": the path must be absolute", v);
		c->workdir = v;
		return 0;
	case E_DKEYS: c->detach_keys = v; return term_detach_parse(v, &d, err);
	case E_ENV:
		if (!*v || *v == '=')
			return werr_set(err, EINVAL, "invalid environment variable \"%s\"", v);
		if (c->n_env == EXEC_MAX_ENV)
			return werr_set(err, E2BIG, "too many -e options");
		c->env[c->n_env++] = v;
		return 0;
	}
	return 0;
}

/* forward our signals to @child and wait for it */
static int exec_wait(pid_t child)
{
	sigset_t set;
	int sigfd, st;
	static const int sigs[] = { SIGHUP, SIGINT, SIGQUIT, SIGTERM, SIGUSR1, SIGUSR2, SIGCHLD };

	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(sigs); i++)
		sigaddset(&set, sigs[i]);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	for (;;) {
		struct signalfd_siginfo si;
		if (waitpid(child, &st, WNOHANG) == child)
			break;
		if (read(sigfd, &si, sizeof(si)) == sizeof(si) && si.ssi_signo != SIGCHLD)
			kill(child, (int)si.ssi_signo);
	}
	close(sigfd);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

/* -t: the terminal <-> the pty master until the command exits or detaches */
static int exec_pump(pid_t child, int master, bool in_open, const char *keys)
{
	struct term_raw raw = { .fd = -1 };
	struct detach_keys dk;
	struct werr err;
	sigset_t set;
	int sigfd, st = 0;
	bool done = false, detached = false;

	term_detach_parse(keys ? keys : "ctrl-p,ctrl-q", &dk, &err);
	sigemptyset(&set);
	sigaddset(&set, SIGWINCH);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (in_open)
		term_raw_enter(STDIN_FILENO, &raw);
	while (!done) {
		struct pollfd pf[3] = { { master, POLLIN, 0 },
			                { sigfd, POLLIN, 0 },
			                { in_open ? STDIN_FILENO : -1, POLLIN, 0 } };
		char buf[8192], out[8192 + 16];
		ssize_t n;
		if (poll(pf, 3, -1) < 0)
			continue;
		if (pf[0].revents) {
			n = read(master, buf, sizeof(buf));
			if (n <= 0)
				done = true;
			else
				util_write_all(STDOUT_FILENO, buf, (size_t)n);
		}
		if (pf[1].revents) {
			struct signalfd_siginfo si;
			struct winsize ws;
			if (read(sigfd, &si, sizeof(si)) == sizeof(si) &&
			    si.ssi_signo == SIGWINCH && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
				ioctl(master, TIOCSWINSZ, &ws);
		}
		if (pf[2].revents) {
			n = read(STDIN_FILENO, buf, sizeof(buf));
			if (n <= 0) {
				in_open = false;
				continue;
			}
			n = (ssize_t)term_detach_scan(&dk, buf, (size_t)n, out, &detached);
			util_write_all(master, out, (size_t)n);
			if (detached)
				break;
		}
	}
	term_raw_leave(&raw);
	close(sigfd);
	if (detached)
		return 0;
	waitpid(child, &st, 0);
	return WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
}

static int exec_run(struct record *rec, struct exec_cfg *c, char **argv)
{
	struct ctrrun_exec x = { argv, c->env, c->n_env, c->user, c->workdir };
	struct container_stdio io = { -1, -1, -1, false, { 0 }, -1 };
	struct werr err = { 0 };
	_cleanup_close_ int null = open("/dev/null", O_RDWR | O_CLOEXEC);
	int status = EXIT_WARREN;
	pid_t child;

	if (c->detach) {
		io = (struct container_stdio){ null, null, null, false, { 0 }, -1 };
	} else if (c->tty) {
		/* the command opens the pty in the container: io.master comes back */
		io.tty = true;
		if (ioctl(STDIN_FILENO, TIOCGWINSZ, &io.ws) < 0)
			io.ws = (struct winsize){ 0 };
	} else if (!c->interactive) {
		io.in = null;
	}
	if (ctrrun_exec(rec, &x, &io, &child, &status, &err) < 0)
		goto out;
	if (c->detach)
		status = 0;
	else if (c->tty)
		status = exec_pump(child, io.master, c->interactive, c->detach_keys);
	else
		status = exec_wait(child);
	err.code = 0;
out:
	if (err.code)
		werr_print(&err, "warren");
	if (io.master >= 0)
		close(io.master);
	return status;
}

const struct cli_cmd cli_cmd_exec = { "exec",
	                              "[OPTIONS] CONTAINER COMMAND [ARG...]",
	                              "Run a command in a running container.",
	                              exec_opts,
	                              2,
	                              -1,
	                              OPTS_STOP_AT_OPERAND };

int cmd_exec(int argc, char **argv)
{
	struct exec_cfg c = { 0 };
	struct record rec;
	struct werr err = { 0 };
	int ind, r;

	cli_error_exit_set(EXIT_WARREN);
	r = cli_parse(&cli_cmd_exec, argc, argv, &ind, exec_opt, &c);

	if (r >= 0)
		return r;
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0 || state_refresh(&rec, &err) < 0)
		return cli_error(&err);
	r = exec_run(&rec, &c, argv + ind + 1);
	record_free(&rec);
	return r;
}
