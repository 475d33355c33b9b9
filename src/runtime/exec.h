/* exec.h - running another process in a running container: it joins every
 * namespace of the container's first process (user namespace first) and
 * gets the same capabilities, no_new_privs and seccomp filter. */
#ifndef WARREN_EXEC_H
#define WARREN_EXEC_H

#include <sys/types.h>

#include "container.h"

struct exec_spec {
	char **argv;
	char **env;          /* the whole environment, NULL-terminated */
	const char *user;    /* NULL: the container's user */
	const char *workdir; /* NULL: the container's working directory */
};

/**
 * container_exec() - start @x inside the container @spec whose first
 * process has host PID @pid; the new process is a child of the caller.
 * With @stdio->tty the process opens a terminal in the container and
 * @stdio->master is its master, the caller's to close.
 * Return: 0 with *@child set, or a negative errno with @err set and
 * *@status the exit code for the user (125, 126 or 127).
 */
int container_exec(const struct container_spec *spec, pid_t pid, const struct exec_spec *x,
                   struct container_stdio *stdio, pid_t *child, int *status, struct werr *err);

#endif
