/* run_devices.h - run/create's flags for devices and cluster jobs:
 * --device (a host node, or a CDI name), --gpus, --device-cgroup-rule
 * (refused: not the user's to apply), --ipc and --pid (private or host),
 * --hpc (the cluster preset, applied by cmd_run.c). Checked here, one
 * line and exit 125 before anything exists; then applied to the spec. */
#ifndef WARREN_RUN_DEVICES_H
#define WARREN_RUN_DEVICES_H

#include <stdbool.h>
#include <stddef.h>

#include "cdi.h"
#include "ctrrun.h"
#include "opts.h"

enum run_dev_id {
	RUN_DEV_FIRST = 2500,
	RD_DEVICE = RUN_DEV_FIRST,
	RD_DEVICE_CGROUP_RULE,
	RD_GPUS,
	RD_IPC,
	RD_PID,
	RD_HPC,
	RUN_DEV_END,
};

#define RUN_DEVICES_OPT_TABLE                                                                       \
	{ "device",                                                                                 \
	  0,                                                                                        \
	  OPT_VALUE,                                                                                \
	  "/dev/X[:/dev/Y][:rwm]|VENDOR/CLASS=NAME",                                                \
	  "Add a host device the user can open, or a CDI device (NAME or all)",                     \
	  RD_DEVICE },                                                                              \
	    { "device-cgroup-rule",                                                                 \
	      0,                                                                                    \
	      OPT_VALUE,                                                                            \
	      "RULE",                                                                               \
	      "Refused: a rootless container's device cgroup is not the user's to program",         \
	      RD_DEVICE_CGROUP_RULE },                                                              \
	    { "gpus",                                                                               \
	      0,                                                                                    \
	      OPT_VALUE,                                                                            \
	      "all|N|device=ID[,ID...]",                                                            \
	      "GPUs through their CDI spec: all, the first N, or those named (nvidia.com/gpu=ID)",  \
	      RD_GPUS },                                                                            \
	    { "ipc",                                                                                \
	      0,                                                                                    \
	      OPT_VALUE,                                                                            \
	      "MODE",                                                                               \
	      "private (default, shareable is the same) or host (the host's IPC and /dev/shm)",     \
	      RD_IPC },                                                                             \
	    { "pid", 0, OPT_VALUE, "MODE", "private (default) or host (the host's PIDs and /proc)", \
	      RD_PID },                                                                             \
	{                                                                                           \
		"hpc", 0, OPT_FLAG, NULL,                                                           \
		    "Cluster preset: --userns keep-id, --network host, --ipc host, --pid host, "    \
		    "your home and working directory mounted, -w $PWD, MPI/PMIx/Slurm env passed",  \
		    RD_HPC                                                                          \
	}

struct run_devices {
	struct mount_spec *nodes; /* --device /dev/X..., owned strings */
	size_t n_nodes;
	char **cdi_names; /* --device and --gpus CDI names, owned */
	size_t n_cdi;
	bool gpus;            /* --gpus given: a missing nvidia.com/gpu spec names nvidia-ctk */
	struct cdi_edits cdi; /* what the CDI names resolved to */
	bool ipc_host, ipc_set;
	bool pid_host, pid_set;
	bool hpc;
};

/** run_devices_opt() - handle one option of RUN_DEVICES_OPT_TABLE. */
int run_devices_opt(struct run_devices *d, const struct opt_def *def, const char *v,
                    struct werr *err);

/**
 * run_devices_resolve() - the CDI names into @d->cdi, from the specs of
 * @cdi_dirs (NULL: the CDI default directories).
 * Return: 0, or a negative errno with @err set to one line.
 */
int run_devices_resolve(struct run_devices *d, const char *cdi_dirs, struct werr *err);

/**
 * run_devices_apply() - the IPC/PID modes and the CDI hooks into @spec
 * (the hooks borrowed from @d); the device and CDI mounts and the CDI
 * environment are the caller's to add, as its own mounts and -e are.
 */
void run_devices_apply(const struct run_devices *d, struct container_spec *spec);

/** run_devices_free() - free what @d holds. */
void run_devices_free(struct run_devices *d);

#endif
