/* hooks.c - runs a container's OCI hooks (createContainer, startContainer)
 * as the OCI runtime spec says: the hook's path, args and env, the state
 * of the container as JSON on its stdin, a non-zero exit or a timeout
 * fails the start. Runs them as the ID that maps to the calling user,
 * never as a more privileged one. */
#include "hooks.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* the container's first process as the host sees it: read from the host's
 * /proc before pivot_root, kept for the startContainer hooks */
static pid_t hooks_host_pid;

/* the OCI state (runtime spec, "State") a hook reads on its stdin */
static char *hooks_state(const struct container_spec *spec, enum hook_stage stage)
{
	json_t *st =
	    json_pack("{s:s, s:s, s:s, s:i, s:s, s:{}}", "ociVersion", "1.0.2", "id", spec->id,
	              "status", stage == HOOK_CREATE_CONTAINER ? "creating" : "created", "pid",
	              (int)hooks_host_pid, "bundle", spec->rootfs, "annotations");
	char *text = st ? json_dumps(st, JSON_COMPACT) : NULL;

	json_decref(st);
	return text;
}

/* the hook's process: stdin from @in, the user's IDs, then execve */
__attribute__((noreturn)) static void hooks_exec(const struct container_spec *spec,
                                                 const struct hook_spec *h, int in)
{
	char *const empty[] = { NULL };
	char *const self[] = { h->path, NULL };

	if (dup2(in, STDIN_FILENO) < 0)
		_exit(126);
	/* the ID inside that is the user outside: 0, or the user's own with keep-id */
	if (setresgid(spec->idmap.gid, spec->idmap.gid, spec->idmap.gid) < 0 ||
	    setresuid(spec->idmap.uid, spec->idmap.uid, spec->idmap.uid) < 0)
		_exit(126);
	execve(h->path, h->args ? h->args : self, h->env ? h->env : empty);
	_exit(errno == ENOENT ? 127 : 126);
}

/* wait for @pid, killing it once @timeout seconds (0: none) have passed */
static int hooks_wait(pid_t pid, int timeout, int *status)
{
	struct timespec start, now, nap = { 0, 10 * 1000 * 1000 };

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		pid_t r = waitpid(pid, status, timeout ? WNOHANG : 0);
		if (r == pid)
			return 0;
		if (r < 0 && errno != EINTR)
			return -errno;
		clock_gettime(CLOCK_MONOTONIC, &now);
		if (timeout && now.tv_sec - start.tv_sec >= timeout) {
			kill(pid, SIGKILL);
			while (waitpid(pid, status, 0) < 0 && errno == EINTR)
				;
			return -ETIMEDOUT;
		}
		if (timeout)
			nanosleep(&nap, NULL);
	}
}

static int hooks_run_one(const struct container_spec *spec, const struct hook_spec *h,
                         const char *state, struct werr *err)
{
	const char *name = h->stage == HOOK_CREATE_CONTAINER ? "createContainer" : "startContainer";
	int p[2], status = 0, r;
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "%s hook %s: pipe", name, h->path);
	pid = fork();
	if (pid < 0) {
		r = errno;
		close(p[0]);
		close(p[1]);
		return werr_errno(err, r, "%s hook %s: fork", name, h->path);
	}
	if (pid == 0) {
		close(p[1]);
		hooks_exec(spec, h, p[0]);
	}
	close(p[0]);
	/* a hook that does not read its state gets EPIPE here, which is no error */
	signal(SIGPIPE, SIG_IGN);
	(void)util_write_all(p[1], state, strlen(state));
	close(p[1]);
	r = hooks_wait(pid, h->timeout, &status);
	if (r == -ETIMEDOUT)
		return werr_set(err, ETIMEDOUT, "CDI %s hook %s: killed after its timeout of %d s",
		                name, h->path, h->timeout);
	if (r < 0)
		return werr_errno(err, -r, "CDI %s hook %s: waiting", name, h->path);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 127)
		return werr_set(err, ENOENT, "CDI %s hook %s: no such file", name, h->path);
	if (WIFEXITED(status))
		return werr_set(err, EIO, "CDI %s hook %s failed with exit code %d", name, h->path,
		                WEXITSTATUS(status));
	return werr_set(err, EIO, "CDI %s hook %s was killed by signal %d", name, h->path,
	                WTERMSIG(status));
}

int hooks_run(const struct container_spec *spec, enum hook_stage stage, struct werr *err)
{
	_cleanup_free_ char *state = NULL;
	bool any = false;

	if (stage == HOOK_CREATE_CONTAINER && spec->n_hooks) {
		char self[32] = "";
		ssize_t n = readlink("/proc/self", self, sizeof(self) - 1);
		hooks_host_pid = n > 0 ? (pid_t)atoi(self) : 0;
	}
	for (size_t i = 0; i < spec->n_hooks; i++)
		any |= spec->hooks[i].stage == stage;
	if (!any)
		return 0;
	state = hooks_state(spec, stage);
	if (!state)
		return werr_errno(err, ENOMEM, "hook state");
	for (size_t i = 0; i < spec->n_hooks; i++) {
		int r;
		if (spec->hooks[i].stage != stage)
			continue;
		r = hooks_run_one(spec, &spec->hooks[i], state, err);
		if (r < 0)
			return r;
	}
	return 0;
}
