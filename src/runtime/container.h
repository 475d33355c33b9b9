/* container.h - what a container is to the runtime (a spec), and running one:
 * namespaces, ID maps, root filesystem, credentials, seccomp, exec, and the
 * parent's wait with signal forwarding. Knows nothing of images or the CLI. */
#ifndef WARREN_CONTAINER_H
#define WARREN_CONTAINER_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/resource.h>

#include "caps.h"
#include "cgroup.h"
#include "idmap.h"
#include "netsetup.h"
#include "seccomp_profile.h"
#include "werr.h"

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

/* an OCI hook a CDI spec asks for (config.json's hooks: path, args, env,
 * timeout); run by hooks.c with the container's state on its stdin */
enum hook_stage {
	HOOK_CREATE_CONTAINER, /* in the container's namespaces, before pivot_root */
	HOOK_START_CONTAINER,  /* in the container, before the command's execve */
};

struct hook_spec {
	enum hook_stage stage;
	char *path;
	char **args; /* NULL-terminated (args[0] is argv[0]), or NULL: { path } */
	char **env;  /* NULL-terminated, or NULL: empty */
	int timeout; /* seconds; 0: none */
};

struct rlimit_spec {
	int resource;
	struct rlimit lim;
};

/* an overlay mounted at the rootfs inside the container's user namespace,
 * before anything else is mounted: the kernel's (option userxattr), or
 * warren-overlay's (@fuse: the fuse-overlay storage driver, see ovlfuse.h) */
struct overlay_spec {
	const char *lower_base;         /* directory the lower dirs are relative to */
	const char *lowerdir;           /* "top:...:bottom", relative to @lower_base */
	const char *upperdir, *workdir; /* absolute */
	bool fuse;
	/* a SquashFS file (warren run IMG.sqsh): squashfuse mounts it at
	 * @lower_base in warren-overlay's mount namespace; needs @fuse */
	const char *squashfs;
};

struct container_spec {
	const char *rootfs;
	const struct overlay_spec *overlay; /* NULL: @rootfs is used as it is */
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
	/* single-ID mode fakes chown and the setuid family (fakechown.c) unless
	 * --security-opt fake-chown=false */
	bool fake_chown_off;
	struct seccomp_bpf seccomp_prog;
	char *seccomp_profile; /* the profile's JSON (NULL: the default), kept for records */
	struct mount_spec *mounts;
	size_t n_mounts;
	struct rlimit_spec *rlimits;
	size_t n_rlimits;
	char **sysctls;          /* "KEY=VALUE" (--sysctl, checked by the CLI), NULL-terminated
	                       * or NULL: written in the container's namespaces first */
	char **group_add;        /* --group-add: GIDs or names of the container's /etc/group,
	                              * or "keep-groups" alone (container_keeps_groups()) */
	bool ipc_host;           /* --ipc host: no IPC namespace, the host's /dev/shm */
	bool pid_host;           /* --pid host: no PID namespace, the host's /proc */
	struct hook_spec *hooks; /* CDI hooks, in order */
	size_t n_hooks;
	long long shm_size;          /* bytes of the /dev/shm tmpfs; 0: Docker's 64 MiB */
	struct cgroup_limits limits; /* -m, --cpus, --pids-limit...: a cgroup of its own */
	bool cgroups_disabled;       /* --cgroups=disabled: no cgroup, whatever the limits */
	bool oom_score_adj_set;
	int oom_score_adj; /* --oom-score-adj, written before the first process runs */
	bool in_cgroup;    /* set by the runtime: the container has its cgroup */
	struct idmap_plan idmap;
	char state_dir[4096]; /* per-container runtime directory: path set by the runtime,
	                       * created only by what needs it, removed at the end */
	struct net_spec net;  /* mode, published ports, DNS; network_host mirrors NET_MODE_HOST */
	pid_t overlay_daemon; /* warren-overlay while it serves the rootfs, else 0 */
	int overlay_died;     /* after the run: the signal that killed warren-overlay under
	                       * the container, else 0 */
	int overlay_fd;       /* in the child: its mount, to attach at @rootfs; else -1 */
};

/* the container's stdio for container_create() and container_exec(): fds
 * the child dup2()s onto 0, 1 and 2 (-1: keep); or, with @tty, a pty that
 * the process opens in the container's devpts (see console.h), whose master
 * the call returns in @master */
struct container_stdio {
	int in, out, err;
	bool tty;
	struct winsize ws; /* @tty: the initial size (0 rows: the default) */
	int master;        /* @tty: set by the call, the caller's to close; else -1 */
};

/**
 * container_fakes_chown() - whether @spec's processes get the single-ID
 * chown filter (seccomp_install_fake_chown()): in single-ID mode, unless
 * --security-opt fake-chown=false.
 */
static inline bool container_fakes_chown(const struct container_spec *spec)
{
	return spec->idmap.single && !spec->fake_chown_off;
}

/**
 * container_bypasses() - whether @spec's outbound TCP connects are switched
 * to the host (socket switching, net/bypass.c): on the default network
 * unless bypass=false; not where seccomp is off (--privileged,
 * seccomp=unconfined: no filter at all, as in Docker), nor with the
 * single-ID fake IDs, which hold the one seccomp listener the kernel gives
 * a process.
 */
static inline bool container_bypasses(const struct container_spec *spec)
{
	return spec->net.mode == NET_MODE_SLIRP && !spec->net.no_bypass && spec->seccomp &&
	       !container_fakes_chown(spec);
}

/**
 * container_keeps_groups() - whether --group-add keep-groups keeps the
 * caller's supplementary groups in @spec's processes (crun's and Podman's
 * "keep-groups": no setgroups(2) at all, so group-owned devices stay usable).
 */
static inline bool container_keeps_groups(const struct container_spec *spec)
{
	return spec->group_add && spec->group_add[0] && !strcmp(spec->group_add[0], "keep-groups");
}

/**
 * container_clone_flags() - the namespaces @spec's processes have of their
 * own (CLONE_NEW*): all but the network's with --network host, the IPC's
 * with --ipc host, the PID's with --pid host. exec joins the same set.
 */
unsigned long container_clone_flags(const struct container_spec *spec);

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
 * removes @spec->state_dir (which the caller may choose beforehand), after
 * container_helpers_stop().
 * Return: 0 with *@pid set (and @stdio->master with -t), or a negative
 * errno with @err set and *@status the exit code for the user (125, or
 * 126/127 when the command cannot run).
 */
int container_create(struct container_spec *spec, struct container_stdio *stdio, pid_t *pid,
                     int *status, struct werr *err);

/**
 * container_cgroup_remove() - remove the cgroup container_create() made
 * for @spec (its processes gone), if any.
 */
void container_cgroup_remove(struct container_spec *spec);

/**
 * container_helpers_stop() - stop warren-net and warren-overlay once the
 * container's process has exited; sets @spec->overlay_died.
 */
void container_helpers_stop(struct container_spec *spec);

#endif
