/* child.h - the steps of a container process between clone (or setns) and
 * exec, shared by the container's first process and `exec`'s processes.
 * They run only in the child: they report through @err or child_fail(). */
#ifndef WARREN_CHILD_H
#define WARREN_CHILD_H

#include <signal.h>

#include "container.h"
#include "userspec.h"

struct child_ctx {
	struct container_spec *spec;
	int sync_fd;   /* seqpacket: one byte once the ID maps are written, with the
	              * fuse-overlay mount's fd when there is one; -t: the pty's
	              * master goes back over it (console_setup()) */
	int err_fd;    /* write end, O_CLOEXEC: "CODE message" on failure, EOF on exec */
	int bypass_fd; /* socket switching: the filter's listener goes here; or -1 */
	sigset_t oldmask;
	const struct container_stdio *stdio; /* NULL: inherit warren's */
};

/** child_fail() - write "CODE message" to @err_fd and _exit(@code). */
__attribute__((noreturn)) void child_fail(int err_fd, int code, const char *msg);

/** child_stdio() - dup2 @io's fds (not a -t one: see console.h) onto 0-2. */
int child_stdio(const struct container_stdio *io, struct werr *err);

/** child_resolve_user() - @spec's user through the container's passwd/group. */
int child_resolve_user(const struct container_spec *spec, struct userspec *u, struct werr *err);

/** child_workdir() - chdir, creating a missing directory as Docker does. */
int child_workdir(const char *dir, struct werr *err);

/** child_credentials() - groups, gid, uid, then the capability set of @spec. */
int child_credentials(const struct container_spec *spec, const struct userspec *u,
                      struct werr *err);

/**
 * child_signals_default() - every signal's disposition back to the default
 * and none blocked: a command starts as under Docker, whatever warren
 * inherited (nohup's ignored SIGHUP, a shell's blocked signals).
 */
void child_signals_default(void);

/** child_exec() - execve c->spec->argv through the PATH of @env; never returns. */
__attribute__((noreturn)) void child_exec(const struct child_ctx *c, char **env);

#endif
