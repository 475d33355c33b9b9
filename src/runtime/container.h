/* container.h - what a container is to the runtime (a spec), and running one:
 * namespaces, ID maps, root filesystem, credentials, seccomp, exec, and the
 * parent's wait with signal forwarding. Knows nothing of images or the CLI. */
#ifndef WARREN_CONTAINER_H
#define WARREN_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/resource.h>

#include "caps.h"
#include "idmap.h"
#include "seccomp_profile.h"
#include "werr.h"

/* exit codes, as Docker's */
#define EXIT_WARREN      125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND   127

enum mount_kind {
	MOUNT_BIND,  /* host path @src at @dst */
	MOUNT_TMPFS, /* tmpfs at @dst with @options */
};

struct mount_spec {
	enum mount_kind kind;
	char *src;
	char *dst; /* absolute path inside the container */
	bool readonly;
	char *options;       /* tmpfs: "size=...,mode=..." (validated by the CLI) */
	unsigned long flags; /* tmpfs: MS_NOEXEC... */
};

struct rlimit_spec {
	int resource;
	struct rlimit lim;
};

struct container_spec {
	const char *rootfs;
	char **argv;         /* the command; argv[0] looked up in the container's PATH */
	char **env;          /* KEY=VALUE, NULL-terminated, PATH and HOSTNAME included */
	const char *workdir; /* NULL: "/" */
	const char *user;    /* "NAME|UID[:GROUP|GID]"; NULL: the plan's default user */
	const char *hostname;
	const char *id; /* 64 hex digits */
	bool readonly;
	bool network_host;
	bool privileged;
	bool init;
	bool no_new_privs;
	bool keep_stdin; /* -i; otherwise stdin is /dev/null */
	caps_mask_t caps;
	bool seccomp; /* install @seccomp_prog */
	struct seccomp_bpf seccomp_prog;
	char *seccomp_profile; /* the profile's JSON (NULL: the default), kept for records */
	struct mount_spec *mounts;
	size_t n_mounts;
	struct rlimit_spec *rlimits;
	size_t n_rlimits;
	struct idmap_plan idmap;
	char state_dir[4096]; /* per-container runtime directory (generated files) */
};

/* the container's stdio for container_create(): fds the child dup2()s onto
 * 0, 1 and 2 (-1: keep), and whether they are a pty slave to make the
 * controlling terminal of a new session */
struct container_stdio {
	int in, out, err;
	bool tty;
};

/**
 * container_run() - run @spec in the foreground: create it, forward signals
 * to it, wait for it, remove what it left in the runtime directory.
 * Return: 0 with *@status set to the exit code to hand back to the user
 * (the container's, 128+signal, or 125/126/127 for our own failures with
 * @err set and status not 0), or a negative errno with @err set.
 */
int container_run(struct container_spec *spec, int *status, struct werr *err);

/**
 * container_read_report() - read a child's "CODE message" report from @fd
 * until EOF (an exec closes it: no report) into @buf, NUL-terminated.
 * Return: the number of bytes read (0: no report).
 */
size_t container_read_report(int fd, char *buf, size_t size);

/**
 * container_create() - start @spec's first process with @stdio and return
 * at once; the caller (the monitor) waits for it and, when it is gone,
 * removes @spec->state_dir (which the caller may choose beforehand).
 * Return: 0 with *@pid set, or a negative errno with @err set and *@status
 * the exit code for the user (125, or 126/127 when the command cannot run).
 */
int container_create(struct container_spec *spec, const struct container_stdio *stdio, pid_t *pid,
                     int *status, struct werr *err);

#endif
