/* run_cfg.h - `warren run`'s and `create`'s configuration as the flags
 * leave it (cmd_run.c), shared with the files that complete it before the
 * container's spec is built (run_hpc.c). */
#ifndef WARREN_RUN_CFG_H
#define WARREN_RUN_CFG_H

#include <stdbool.h>
#include <stddef.h>

#include "create.h"
#include "run_devices.h"
#include "run_flags.h"
#include "run_image.h"
#include "run_limits.h"
#include "run_mount.h"
#include "run_net.h"
#include "security.h"
#include "werr.h"

struct run_cfg {
	const char *rootfs;
	char **env; /* user's KEY=VALUE entries, in order */
	size_t n_env;
	const char *workdir, *user, *hostname, *entrypoint;
	struct run_vols vols; /* -v, --mount, --volumes-from, --tmpfs (run_mount.h) */
	struct rlimit_spec *rlimits;
	size_t n_rlimits;
	bool readonly, init, interactive, keep_id, network_host, help;
	bool userns_given, net_given, workdir_given; /* what --hpc leaves alone */
	struct security_opts sec; /* --cap-add, --cap-drop, --privileged, --security-opt */
	struct run_image img;     /* warren run IMAGE */
	bool use_image;
	struct net_spec net;
	struct create_opts create; /* name, labels, restart... (cmd_create.c) */
	struct run_flags flags;    /* --cidfile, --sysctl, --health-*... (run_flags.c) */
	struct run_limits limits;  /* -m, --cpus, --pids-limit... (run_limits.c) */
	struct run_devices devs;   /* --device, --gpus, --ipc, --pid, --hpc (run_devices.c) */
	char **pass_env;           /* --hpc: the host's MPI, PMIx and Slurm variables, owned */
	size_t n_pass_env;
	bool recorded; /* a record holds the container and its volumes */
};

/**
 * run_hpc() - --hpc, the cluster preset: what the user did not set
 * otherwise becomes --userns keep-id, --network host and the host's name,
 * --ipc host, --pid host, the home, /tmp, $TMPDIR and the working
 * directory bound at their own paths, -w $PWD, and the job's variables
 * passed in (docs/hpc.md says why each). Nothing without --hpc.
 * Return: 0 or a negative errno with @err set.
 */
int run_hpc(struct run_cfg *cfg, struct werr *err);

/**
 * run_devices_mount() - resolve --device nodes and CDI devices and move
 * their binds into the user's mounts.
 * Return: 0 or a negative errno with @err set (an unknown or broken one).
 */
int run_devices_mount(struct run_cfg *cfg, struct werr *err);

#endif
