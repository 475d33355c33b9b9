/* cgroup.h - a container's resource limits (memory, CPU, cpuset, PIDs,
 * block I/O weight) through the cgroup the host delegates to the user:
 * cgroup v2 with a delegated subtree, or cgroup v1 per-controller
 * directories owned by the user (pam_cgfs, an administrator). Never
 * writes outside the user's own cgroup; knows nothing of records. */
#ifndef WARREN_CGROUP_H
#define WARREN_CGROUP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "werr.h"

enum cgroup_mode { CGROUP_NONE, CGROUP_V1, CGROUP_V2 };

/* the controllers warren uses; v2 has no cpuacct (cpu.stat) and calls blkio "io" */
enum cgroup_ctrl { CG_MEMORY, CG_CPU, CG_CPUACCT, CG_CPUSET, CG_PIDS, CG_BLKIO, CG_N };

#define CG_BIT(c) (1u << (c))

/* what run/create/update ask for, in Docker's units; 0: not set */
struct cgroup_limits {
	long long memory;             /* bytes */
	long long memory_swap;        /* bytes of memory + swap; -1: unlimited */
	long long memory_reservation; /* bytes (soft limit) */
	long long nano_cpus;          /* --cpus times 1e9 */
	long long cpu_shares;         /* relative weight, 2..262144 */
	long long cpu_period;         /* microseconds */
	long long cpu_quota;          /* microseconds; -1: unlimited */
	long long pids_limit;         /* -1: unlimited */
	long long blkio_weight;       /* 10..1000 */
	char cpuset_cpus[128];
	char cpuset_mems[128];
};

/* where the limits can come from on this host (cgroup_host_probe()) */
struct cgroup_host {
	enum cgroup_mode mode;
	char root[PATH_MAX / 4]; /* the cgroup filesystem's mount point */
	/* v1: the user's own cgroup per controller; v2: base[0] for all;
	 * "" where it cannot be used, with @why[c] saying why */
	char base[CG_N][PATH_MAX / 4];
	unsigned usable; /* CG_BIT()s of the controllers the user can use */
	char why[CG_N][256];
};

/**
 * cgroup_limits_any() - whether @l sets anything that needs a cgroup.
 */
bool cgroup_limits_any(const struct cgroup_limits *l);

/** cgroup_limits_needs() - the CG_BIT()s of the controllers @l needs. */
unsigned cgroup_limits_needs(const struct cgroup_limits *l);

/** cgroup_ctrl_name() - "memory", "cpu"... as cgroup v1 names it. */
const char *cgroup_ctrl_name(enum cgroup_ctrl c);

/**
 * cgroup_root_set() - where the cgroup filesystem is, for the whole
 * process (main() sets it once from its options; NULL or "": the default
 * /sys/fs/cgroup). Only the test suite points it elsewhere.
 */
void cgroup_root_set(const char *root);

/**
 * cgroup_host_probe() - which cgroup hierarchy is mounted at the root of
 * cgroup_root_set(), where the caller's own cgroup is (/proc/self/cgroup)
 * and which controllers it may use (owned by it, writable, and for v2
 * listed in cgroup.controllers).
 */
void cgroup_host_probe(struct cgroup_host *h);

/**
 * cgroup_host_check() - whether @h has every controller of @needs.
 * Return: 0, or -EPERM with @err one line naming the first missing one,
 * why, and what an administrator would change.
 */
int cgroup_host_check(const struct cgroup_host *h, unsigned needs, struct werr *err);

/**
 * cgroup_host_describe() - one line for `warren info`: the mode in use and
 * why (which controllers are delegated, or what is missing).
 */
void cgroup_host_describe(const struct cgroup_host *h, char *buf, size_t size);

/**
 * cgroup_create() - the container @id's cgroup, "warren-ID" below the
 * user's own in every usable controller, with @l written into it.
 * Return: 0, or a negative errno with @err set; nothing is left behind.
 */
int cgroup_create(const struct cgroup_host *h, const char *id, const struct cgroup_limits *l,
                  struct werr *err);

/**
 * cgroup_update() - write @l (only its set fields) into @id's cgroup.
 * Return: 0, or a negative errno with @err naming the file and the value.
 */
int cgroup_update(const struct cgroup_host *h, const char *id, const struct cgroup_limits *l,
                  struct werr *err);

/**
 * cgroup_attach() - move @pid into @id's cgroup in every controller.
 * Return: 0, or a negative errno with @err set.
 */
int cgroup_attach(const struct cgroup_host *h, const char *id, pid_t pid, struct werr *err);

/** cgroup_exists() - whether @id has a cgroup (in the first usable controller). */
bool cgroup_exists(const struct cgroup_host *h, const char *id);

/** cgroup_oom_killed() - whether the kernel's OOM killer killed in @id's cgroup. */
bool cgroup_oom_killed(const struct cgroup_host *h, const char *id);

/**
 * cgroup_remove() - remove @id's cgroup in every controller.
 * Return: 0, or -EBUSY while processes are still in it.
 */
int cgroup_remove(const struct cgroup_host *h, const char *id);

/**
 * cgroup_list() - the container IDs that have a cgroup below the user's,
 * into @ids (@max of 65 bytes each).
 * Return: how many.
 */
size_t cgroup_list(const struct cgroup_host *h, char (*ids)[65], size_t max);

struct cgroup_stats {
	uint64_t cpu_ns;    /* CPU time used */
	uint64_t mem_usage; /* bytes, without the page cache that can be reclaimed */
	uint64_t mem_limit; /* bytes; 0: none */
	uint64_t pids;      /* processes (tasks) */
	uint64_t rd, wr;    /* block I/O bytes */
	bool has_mem, has_cpu, has_pids, has_blkio;
};

/** cgroup_stats_read() - @id's usage from its cgroup. Return: 0 or -ENOENT. */
int cgroup_stats_read(const struct cgroup_host *h, const char *id, struct cgroup_stats *s);

#endif
