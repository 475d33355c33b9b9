/* exec.c - `exec` into a running container: setns() through a pidfd into all
 * of its namespaces at once, then a process forked into its PID namespace
 * that takes the container's credentials and confinement before execve. It
 * must never run the command with more privilege than the container has. */
#include "exec.h"
#include "child.h"
#include "fakeid.h"
#include "cleanup.h"
#include "console.h"
#include "util.h"

#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* in the new process, inside every namespace: credentials, confinement, exec */
__attribute__((noreturn)) static void exec_child(struct container_spec *spec,
                                                 const struct exec_spec *x,
                                                 const struct container_stdio *io, int err_fd,
                                                 int console_fd, int fakeid_fd)
{
	struct child_ctx c = {
		.spec = spec, .err_fd = err_fd, .bypass_fd = -1, .stdio = io, .fakeid_fd = fakeid_fd
	};
	struct werr err = { 0 };
	struct userspec u;

	if (!io->tty && child_stdio(io, &err) < 0)
		child_fail(err_fd, EXIT_WARREN, err.msg);
	if (child_resolve_user(spec, &u, &err) < 0 ||
	    child_workdir(spec->workdir ? spec->workdir : "/", &err) < 0 ||
	    child_credentials(spec, &u, &err) < 0)
		child_fail(err_fd, EXIT_WARREN, err.msg);
	/* -t: setns() put us in the container's root, so this is its devpts */
	if (io->tty && console_setup(&io->ws, console_fd, &err) < 0)
		child_fail(err_fd, EXIT_WARREN, err.msg);
	if (console_fd >= 0)
		close(console_fd);
	if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		child_fail(err_fd, EXIT_WARREN, "exec: PR_SET_NO_NEW_PRIVS");
	child_signals_default();
	if (spec->seccomp && seccomp_install(&spec->seccomp_prog) < 0)
		child_fail(err_fd, EXIT_WARREN, "exec: installing the seccomp filter");
	if (container_fakes_chown(spec) && seccomp_install_fake_chown(fakeid_fd < 0) < 0)
		child_fail(err_fd, EXIT_WARREN, "exec: installing the single-ID chown filter");
	if (container_fakes_chown(spec) && fakeid_fd >= 0) {
		int r = fakeid_install(fakeid_fd);
		if (r < 0)
			child_fail(err_fd, EXIT_WARREN,
			           "exec: installing the single-ID user and group filter");
		if (r == 1 && seccomp_install_fake_chown(true) < 0)
			child_fail(err_fd, EXIT_WARREN,
			           "exec: installing the single-ID chown filter");
	}
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
__attribute__((noreturn)) static void
exec_join(struct container_spec *spec, const struct exec_spec *x, const struct container_stdio *io,
          int pidfd, int err_fd, int pid_fd, int console_fd, int fakeid_fd)
{
	int flags = (int)container_clone_flags(spec);
	char msg[WERR_MSG_MAX];
	pid_t child;

	/* the container's limits hold for what runs in it: into its cgroup
	 * while the host's cgroup filesystem is still ours to see */
	if (cgroup_limits_any(&spec->limits) && !spec->cgroups_disabled) {
		struct cgroup_host h;
		struct werr e = { 0 };
		cgroup_host_probe(&h);
		if (cgroup_exists(&h, spec->id) && cgroup_attach(&h, spec->id, getpid(), &e) < 0) {
			snprintf(msg, sizeof(msg), "exec: joining the container's cgroup: %s",
			         e.msg);
			child_fail(err_fd, EXIT_WARREN, msg);
		}
	}
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
		exec_child(spec, x, io, err_fd, console_fd, fakeid_fd);
	}
	util_write_all(pid_fd, &child, sizeof(child));
	_exit(0);
}

/* the caller's side once the intermediate process is gone: the command's
 * PID, its terminal (-t), and its report (EOF: it exec'd) */
static int exec_collect(struct container_stdio *stdio, int pid_fd, int console_fd, int err_fd,
                        pid_t *child, int *status, struct werr *err)
{
	char buf[WERR_MSG_MAX + 16];
	size_t got;
	int st;

	*child = 0;
	if (read(pid_fd, child, sizeof(*child)) != sizeof(*child))
		*child = 0;
	if (stdio->tty && *child > 0)
		stdio->master = console_receive(console_fd);
	got = container_read_report(err_fd, buf, sizeof(buf));
	if (got == 0 && *child > 0 && (!stdio->tty || stdio->master >= 0))
		return 0;
	if (stdio->master >= 0)
		close(stdio->master);
	stdio->master = -1;
	if (*child > 0) {
		if (got == 0)
			kill(*child, SIGKILL);
		while (waitpid(*child, &st, 0) < 0 && errno == EINTR)
			;
	}
	*status = got ? atoi(buf) : EXIT_WARREN;
	return werr_set(err, EPERM, "%s",
	                got && strchr(buf, ' ') ? strchr(buf, ' ') + 1 : "exec failed");
}

int container_exec(const struct container_spec *spec, pid_t pid, const struct exec_spec *x,
                   struct container_stdio *stdio, pid_t *child, int *status, struct werr *err)
{
	struct container_spec s = *spec;
	_cleanup_close_ int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
	int errp[2] = { -1, -1 }, pidp[2] = { -1, -1 }, cons[2] = { -1, -1 }, st, r;
	int fakep[2] = { -1, -1 };
	pid_t mid;

	*status = EXIT_WARREN;
	stdio->master = -1;
	if (pidfd < 0)
		return werr_errno(err, errno, "the container's process %d", (int)pid);
	s.argv = x->argv;
	s.env = x->env;
	if (x->user)
		s.user = x->user;
	if (x->workdir)
		s.workdir = x->workdir;
	if (pipe2(errp, O_CLOEXEC) < 0 || pipe2(pidp, O_CLOEXEC) < 0 ||
	    (stdio->tty && socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, cons) < 0)) {
		r = werr_errno(err, errno, "pipe");
		goto out;
	}
	fflush(NULL);
	container_fakeid_start(&s, fakep);
	mid = fork();
	if (mid == 0) {
		close(errp[0]);
		close(pidp[0]);
		if (cons[0] >= 0)
			close(cons[0]);
		exec_join(&s, x, stdio, pidfd, errp[1], pidp[1], cons[1], fakep[1]);
	}
	cleanup_closep(&fakep[1]);
	cleanup_closep(&errp[1]);
	cleanup_closep(&pidp[1]);
	cleanup_closep(&cons[1]);
	errp[1] = pidp[1] = cons[1] = -1;
	if (mid < 0) {
		r = werr_errno(err, errno, "fork");
		goto out;
	}
	while (waitpid(mid, &st, 0) < 0 && errno == EINTR)
		;
	r = exec_collect(stdio, pidp[0], cons[0], errp[0], child, status, err);
out:
	for (int i = 0; i < 2; i++) {
		cleanup_closep(&errp[i]);
		cleanup_closep(&pidp[i]);
		cleanup_closep(&cons[i]);
	}
	return r;
}
