/* exec.c - `exec` into a running container: setns() through a pidfd into all
 * of its namespaces at once, then a process forked into its PID namespace
 * that takes the container's credentials and confinement before execve. It
 * must never run the command with more privilege than the container has. */
#include "exec.h"
#include "child.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* in the new process, inside every namespace: credentials, confinement, exec */
__attribute__((noreturn)) static void exec_child(struct container_spec *spec,
                                                 const struct exec_spec *x,
                                                 const struct container_stdio *io, int err_fd)
{
	struct child_ctx c = { .spec = spec, .err_fd = err_fd, .stdio = io };
	struct werr err = { 0 };
	struct userspec u;
	sigset_t none;
	int fds[3] = { io->in, io->out, io->err };

	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && dup2(fds[i], i) < 0)
			child_fail(err_fd, EXIT_WARREN, "exec: setting up stdio");
	if (io->tty && (setsid() < 0 || ioctl(STDIN_FILENO, TIOCSCTTY, 0) < 0))
		child_fail(err_fd, EXIT_WARREN, "exec: making the pty the controlling terminal");
	if (child_resolve_user(spec, &u, &err) < 0 ||
	    child_workdir(spec->workdir ? spec->workdir : "/", &err) < 0 ||
	    child_credentials(spec, &u, &err) < 0)
		child_fail(err_fd, EXIT_WARREN, err.msg);
	if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(err_fd, EXIT_WARREN, "exec: PR_SET_NO_NEW_PRIVS");
	signal(SIGPIPE, SIG_DFL);
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	if (spec->seccomp && seccomp_install(&spec->seccomp_prog) < 0)
		child_fail(err_fd, EXIT_WARREN, "exec: installing the seccomp filter");
	{
		/* HOME from the user's passwd entry unless given */
		size_t n = 0;
		char home[300], **env;
		while (x->env[n])
			n++;
		env = calloc(n + 2, sizeof(char *));
		if (!env)
			child_fail(err_fd, EXIT_WARREN, "out of memory");
		memcpy(env, x->env, n * sizeof(char *));
		for (size_t i = 0; i < n; i++)
			if (!strncmp(env[i], "HOME=", 5))
				child_exec(&c, env);
		snprintf(home, sizeof(home), "HOME=%s", u.home);
		env[n] = home;
		child_exec(&c, env);
	}
}

/* the intermediate process: join, then fork the command as the caller's child */
__attribute__((noreturn)) static void exec_join(struct container_spec *spec,
                                                const struct exec_spec *x,
                                                const struct container_stdio *io, int pidfd,
                                                int err_fd, int pid_fd)
{
	int flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWUTS | CLONE_NEWIPC |
	            CLONE_NEWCGROUP;
	char msg[WERR_MSG_MAX];
	pid_t child;

	if (!spec->network_host)
		flags |= CLONE_NEWNET;
	if (setns(pidfd, flags) < 0) {
		snprintf(msg, sizeof(msg), "joining the container's namespaces: %s",
		         strerror(errno));
		child_fail(err_fd, EXIT_WARREN, msg);
	}
	/* CLONE_PARENT: the command is the caller's child, so it can wait for it */
	child = (pid_t)syscall(SYS_clone, CLONE_PARENT | SIGCHLD, NULL, NULL, NULL, NULL);
	if (child < 0)
		child_fail(err_fd, EXIT_WARREN, "exec: clone into the container failed");
	if (child == 0) {
		close(pid_fd);
		exec_child(spec, x, io, err_fd);
	}
	util_write_all(pid_fd, &child, sizeof(child));
	_exit(0);
}

int container_exec(const struct container_spec *spec, pid_t pid, const struct exec_spec *x,
                   const struct container_stdio *stdio, pid_t *child, int *status, struct werr *err)
{
	struct container_spec s = *spec;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int errp[2], pidp[2], st;
	char buf[WERR_MSG_MAX + 16];
	size_t got = 0;
	pid_t mid;

	*status = EXIT_WARREN;
	if (pidfd < 0)
		return werr_errno(err, errno, "the container's process %d", (int)pid);
	s.argv = x->argv;
	s.env = x->env;
	if (x->user)
		s.user = x->user;
	if (x->workdir)
		s.workdir = x->workdir;
	if (pipe2(errp, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	if (pipe2(pidp, O_CLOEXEC) < 0) {
		close(errp[0]);
		close(errp[1]);
		return werr_errno(err, errno, "pipe");
	}
	fflush(NULL);
	mid = fork();
	if (mid == 0) {
		close(errp[0]);
		close(pidp[0]);
		exec_join(&s, x, stdio, pidfd, errp[1], pidp[1]);
	}
	close(errp[1]);
	close(pidp[1]);
	if (mid < 0) {
		close(errp[0]);
		close(pidp[0]);
		return werr_errno(err, errno, "fork");
	}
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	*child = 0;
	if (read(pidp[0], child, sizeof(*child)) != sizeof(*child))
		*child = 0;
	close(pidp[0]);
	got = container_read_report(errp[0], buf, sizeof(buf));
	close(errp[0]);
	if (got == 0 && *child > 0)
		return 0;
	buf[got] = '\0';
	if (*child > 0)
		while (waitpid(*child, &st, 0) < 0 && errno == EINTR)
			;
	*status = got ? atoi(buf) : EXIT_WARREN;
	return werr_set(err, EPERM, "%s",
	                got && strchr(buf, ' ') ? strchr(buf, ' ') + 1 : "exec failed");
}
