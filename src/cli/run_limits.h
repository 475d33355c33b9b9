/* run_limits.h - the resource-limit flags of run, create, update and
 * build (-m, --memory-swap, --memory-reservation, --cpus, --cpu-shares,
 * --cpu-period, --cpu-quota, --cpuset-cpus, --cpuset-mems, --pids-limit,
 * --blkio-weight, --oom-score-adj, --cgroups): Docker's names, units and
 * rules, checked here with one line each before anything is created. */
#ifndef WARREN_RUN_LIMITS_H
#define WARREN_RUN_LIMITS_H

#include <stdbool.h>

#include "ctrrun.h"
#include "opts.h"

enum run_limit_id {
	RUN_LIMIT_FIRST = 3000,
	RL_MEMORY = RUN_LIMIT_FIRST,
	RL_MEMORY_SWAP,
	RL_MEMORY_RESERVATION,
	RL_CPUS,
	RL_CPU_SHARES,
	RL_CPU_PERIOD,
	RL_CPU_QUOTA,
	RL_CPUSET_CPUS,
	RL_CPUSET_MEMS,
	RL_PIDS_LIMIT,
	RL_BLKIO_WEIGHT,
	RL_OOM_SCORE_ADJ, /* not for update or build */
	RL_CGROUPS,       /* not for update or build */
	RUN_LIMIT_END,
};

/* the limits of a running container (update's table, and run's) */
#define RUN_LIMITS_OPT_TABLE                                                                            \
	{ "memory", 'm', OPT_VALUE, "SIZE", "Memory limit (units b, k, m, g; at least 6m)",             \
	  RL_MEMORY },                                                                                  \
	    { "memory-swap",                                                                            \
	      0,                                                                                        \
	      OPT_VALUE,                                                                                \
	      "SIZE",                                                                                   \
	      "Memory plus swap limit (-1: unlimited swap; default twice --memory)",                    \
	      RL_MEMORY_SWAP },                                                                         \
	    { "memory-reservation", 0, OPT_VALUE, "SIZE", "Memory soft limit", RL_MEMORY_RESERVATION }, \
	    { "cpus", 0, OPT_VALUE, "N", "Number of CPUs (e.g. 0.5)", RL_CPUS },                        \
	    { "cpu-shares", 'c', OPT_VALUE, "N", "CPU shares (relative weight, default 1024)",          \
	      RL_CPU_SHARES },                                                                          \
	    { "cpu-period", 0, OPT_VALUE, "US", "CPU CFS period in microseconds", RL_CPU_PERIOD },      \
	    { "cpu-quota", 0, OPT_VALUE, "US", "CPU CFS quota in microseconds per period",              \
	      RL_CPU_QUOTA },                                                                           \
	    { "cpuset-cpus", 0, OPT_VALUE, "LIST", "CPUs the container may use (0-3, 0,1)",             \
	      RL_CPUSET_CPUS },                                                                         \
	    { "cpuset-mems", 0, OPT_VALUE, "LIST", "Memory nodes the container may use",                \
	      RL_CPUSET_MEMS },                                                                         \
	    { "pids-limit", 0, OPT_VALUE, "N", "Most processes at once (-1: unlimited)",                \
	      RL_PIDS_LIMIT },                                                                          \
	{                                                                                               \
		"blkio-weight", 0, OPT_VALUE, "N", "Block I/O weight, 10 to 1000", RL_BLKIO_WEIGHT      \
	}

/* run and create also have */
#define RUN_LIMITS_RUN_OPT_TABLE                                                                   \
	{ "oom-score-adj", 0, OPT_VALUE, "N", "The OOM killer's preference, -1000 to 1000",        \
	  RL_OOM_SCORE_ADJ },                                                                      \
	{                                                                                          \
		"cgroups", 0, OPT_VALUE, "MODE",                                                   \
		    "enabled (default: a cgroup when there are limits) or disabled", RL_CGROUPS    \
	}

struct run_limits {
	struct cgroup_limits l;
	bool oom_set;
	int oom_score_adj;
	bool cgroups_disabled;
};

/** run_limits_opt() - handle one option of the tables above. */
int run_limits_opt(struct run_limits *rl, const struct opt_def *def, const char *v,
                   struct werr *err);

/**
 * run_limits_check() - the rules between flags: --memory-swap needs
 * --memory and is not smaller; --cpus excludes --cpu-period/--cpu-quota.
 * @update: update's rules (a missing --memory may be the container's).
 */
int run_limits_check(const struct run_limits *rl, bool update, struct werr *err);

/** run_limits_apply() - the limits into @spec. */
void run_limits_apply(const struct run_limits *rl, struct container_spec *spec);

#endif
