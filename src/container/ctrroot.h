/* ctrroot.h - a container's root filesystem as a directory fd, for cp and
 * export: a child process that works inside the container's user namespace
 * (joined when it runs, made again from its ID maps when it is stopped),
 * so owners read and written are the container's own. */
#ifndef WARREN_CTRROOT_H
#define WARREN_CTRROOT_H

#include <stdbool.h>
#include <sys/types.h>

#include "record.h"

/* runs in the child: @rootfd is the container's "/" */
typedef int (*ctrroot_fn)(int rootfd, void *arg, struct werr *err);

struct ctrroot_job {
	int child_close[4]; /* the caller's fds the child must not hold (-1: none) */
	pid_t pid;
	int res_fd;
	bool running; /* reached through the running container's /proc/PID/root */
	/* a stopped container's own files without its volumes mounted over
	 * them (export: Docker's export has what lies under a volume) */
	bool no_volumes;
};

/**
 * ctrroot_start() - run @fn(rootfd, @arg) in a child and return at once.
 * A running container's root is its first process's /proc/PID/root, seen
 * from its user namespace (volumes and other mounts included); a stopped
 * one's is its --rootfs directory or its overlay mounted in a private mount
 * namespace with its volumes (none with @job->no_volumes), in a fresh user
 * namespace with its ID maps. The child runs as
 * the container's root. Set @job->child_close before the call.
 * Return: 0, or a negative errno with @err set (nothing started).
 */
int ctrroot_start(const struct record *rec, ctrroot_fn fn, void *arg, struct ctrroot_job *job,
                  struct werr *err);

/**
 * ctrroot_finish() - wait for the child of ctrroot_start().
 * Return: what @fn returned, with @err set from the child's.
 */
int ctrroot_finish(struct ctrroot_job *job, struct werr *err);

#endif
