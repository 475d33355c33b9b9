/* ctrcgroup.c - resource limits between the commands and the runtime's
 * cgroups (ctrcgroup.h): Docker's HostConfig names, one refusal line per
 * flag the host cannot honour, update, OOM, stats, and the cleanup of
 * cgroups a killed warren left. Never removes a cgroup with processes. */
#include "ctrcgroup.h"
#include "procinfo.h"
#include "state.h"
#include "util.h"

#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* the flags, the controller each needs, and whether @l sets it */
static const struct limit_flag {
	const char *flag, *key; /* run's flag, HostConfig's key */
	enum cgroup_ctrl ctrl;
	size_t off; /* of a long long in struct cgroup_limits */
} limit_flags[] = {
	{ "--memory", "Memory", CG_MEMORY, offsetof(struct cgroup_limits, memory) },
	{ "--memory-swap", "MemorySwap", CG_MEMORY, offsetof(struct cgroup_limits, memory_swap) },
	{ "--memory-reservation", "MemoryReservation", CG_MEMORY,
	  offsetof(struct cgroup_limits, memory_reservation) },
	{ "--cpus", "NanoCpus", CG_CPU, offsetof(struct cgroup_limits, nano_cpus) },
	{ "--cpu-shares", "CpuShares", CG_CPU, offsetof(struct cgroup_limits, cpu_shares) },
	{ "--cpu-period", "CpuPeriod", CG_CPU, offsetof(struct cgroup_limits, cpu_period) },
	{ "--cpu-quota", "CpuQuota", CG_CPU, offsetof(struct cgroup_limits, cpu_quota) },
	{ "--pids-limit", "PidsLimit", CG_PIDS, offsetof(struct cgroup_limits, pids_limit) },
	{ "--blkio-weight", "BlkioWeight", CG_BLKIO, offsetof(struct cgroup_limits, blkio_weight) },
};

static long long *limit_field(struct cgroup_limits *l, const struct limit_flag *f)
{
	return (long long *)((char *)l + f->off);
}

static long long limit_value(const struct cgroup_limits *l, const struct limit_flag *f)
{
	return *(const long long *)((const char *)l + f->off);
}

void ctrcgroup_configure(const struct gopts *g)
{
	cgroup_root_set(g->cgroup_root);
}

/* the first flag of @l that needs controller @c, for messages */
static const char *flag_of(const struct cgroup_limits *l, enum cgroup_ctrl c)
{
	for (size_t i = 0; i < ARRAY_SIZE(limit_flags); i++)
		if (limit_flags[i].ctrl == c && limit_value(l, &limit_flags[i]))
			return limit_flags[i].flag;
	if (c == CG_CPUSET)
		return l->cpuset_cpus[0] ? "--cpuset-cpus" : "--cpuset-mems";
	return "a limit";
}

int ctrcgroup_check(struct container_spec *spec, bool warn, char *warning, size_t size,
                    struct werr *err)
{
	unsigned needs = cgroup_limits_needs(&spec->limits);
	struct cgroup_host h;

	warning[0] = '\0';
	if (!needs)
		return 0;
	if (spec->cgroups_disabled)
		return werr_set(err, EINVAL,
		                "%s conflicts with --cgroups=disabled: a container without a "
		                "cgroup cannot have resource limits",
		                flag_of(&spec->limits, (enum cgroup_ctrl)__builtin_ctz(needs)));
	cgroup_host_probe(&h);
	for (int c = 0; c < CG_N; c++) {
		if (!(needs & CG_BIT(c)) || cgroup_host_check(&h, CG_BIT(c), err) == 0)
			continue;
		if (!warn)
			return werr_prefix(err, "%s needs the %s cgroup controller",
			                   flag_of(&spec->limits, (enum cgroup_ctrl)c),
			                   cgroup_ctrl_name((enum cgroup_ctrl)c));
		snprintf(warning, size,
		         "%s and the other resource limits are not applied (cgroup-limits = "
		         "warn in warren.conf): the %s cgroup controller: %s",
		         flag_of(&spec->limits, (enum cgroup_ctrl)c),
		         cgroup_ctrl_name((enum cgroup_ctrl)c), err->msg);
		memset(&spec->limits, 0, sizeof(spec->limits));
		return 0;
	}
	return 0;
}

void ctrcgroup_to_json(const struct container_spec *spec, json_t *host)
{
	const struct cgroup_limits *l = &spec->limits;

	for (size_t i = 0; i < ARRAY_SIZE(limit_flags); i++) {
		long long v = limit_value(l, &limit_flags[i]);
		/* Docker's default swap limit, shown as Docker's inspect does */
		if (i == 1 && !v && l->memory)
			v = 2 * l->memory;
		/* Docker: PidsLimit null when not set */
		json_object_set_new(host, limit_flags[i].key,
		                    !v && i == 7 ? json_null() : json_integer(v));
	}
	json_object_set_new(host, "CpusetCpus", json_string(l->cpuset_cpus));
	json_object_set_new(host, "CpusetMems", json_string(l->cpuset_mems));
	json_object_set_new(host, "OomScoreAdj", json_integer(spec->oom_score_adj));
	json_object_set_new(host, "Cgroups",
	                    json_string(spec->cgroups_disabled ? "disabled" : "enabled"));
}

void ctrcgroup_from_json(json_t *host, struct container_spec *spec)
{
	struct cgroup_limits *l = &spec->limits;
	json_t *adj = json_object_get(host, "OomScoreAdj");

	memset(l, 0, sizeof(*l));
	for (size_t i = 0; i < ARRAY_SIZE(limit_flags); i++)
		*limit_field(l, &limit_flags[i]) =
		    json_integer_value(json_object_get(host, limit_flags[i].key));
	snprintf(l->cpuset_cpus, sizeof(l->cpuset_cpus), "%s",
	         json_string_value(json_object_get(host, "CpusetCpus")) ?: "");
	snprintf(l->cpuset_mems, sizeof(l->cpuset_mems), "%s",
	         json_string_value(json_object_get(host, "CpusetMems")) ?: "");
	spec->oom_score_adj = (int)json_integer_value(adj);
	spec->oom_score_adj_set = json_integer_value(adj) != 0;
	spec->cgroups_disabled =
	    !strcmp(json_string_value(json_object_get(host, "Cgroups")) ?: "", "disabled");
}

void ctrcgroup_merge(struct cgroup_limits *base, const struct cgroup_limits *l)
{
	for (size_t i = 0; i < ARRAY_SIZE(limit_flags); i++)
		if (limit_value(l, &limit_flags[i]))
			*limit_field(base, &limit_flags[i]) = limit_value(l, &limit_flags[i]);
	/* --cpus and --cpu-quota are one setting: the last given wins */
	if (l->nano_cpus)
		base->cpu_quota = 0;
	else if (l->cpu_quota)
		base->nano_cpus = 0;
	if (l->cpuset_cpus[0])
		snprintf(base->cpuset_cpus, sizeof(base->cpuset_cpus), "%s", l->cpuset_cpus);
	if (l->cpuset_mems[0])
		snprintf(base->cpuset_mems, sizeof(base->cpuset_mems), "%s", l->cpuset_mems);
}

/* a running container without a cgroup gets one: made with @l, and every
 * process of its PID namespace moved in */
static int cgroup_adopt(const struct cgroup_host *h, const char *id, pid_t pid1,
                        const struct cgroup_limits *l, struct werr *err)
{
	static struct proc_sample ps[4096];
	int n = procinfo_list(pid1, ps, ARRAY_SIZE(ps));

	if (cgroup_create(h, id, l, err) < 0)
		return -err->code;
	for (int i = 0; i < n; i++)
		if (cgroup_attach(h, id, ps[i].pid, err) < 0 && err->code != ESRCH) {
			cgroup_remove(h, id);
			return werr_prefix(err, "moving the container's processes into its cgroup");
		}
	return 0;
}

int ctrcgroup_update(struct record *rec, const struct cgroup_limits *l, struct werr *err)
{
	struct container_spec spec = { 0 };
	json_t *host = json_object_get(rec->config, "HostConfig");
	pid_t pid = state_running_pid(rec);
	struct cgroup_limits apply;
	struct cgroup_host h;
	char warning[8];

	if (!host)
		return werr_set(err, EINVAL, "container %s: its record has no HostConfig",
		                record_name(rec));
	ctrcgroup_from_json(host, &spec);
	/* a default swap limit (twice the memory) follows a new memory limit */
	if (l->memory && !l->memory_swap && spec.limits.memory &&
	    spec.limits.memory_swap == 2 * spec.limits.memory)
		spec.limits.memory_swap = 2 * l->memory;
	ctrcgroup_merge(&spec.limits, l);
	if (spec.limits.memory_swap && !spec.limits.memory)
		return werr_set(
		    err, EINVAL,
		    "container %s has no memory limit: give --memory with --memory-swap",
		    record_name(rec));
	if (spec.limits.memory_swap > 0 && spec.limits.memory &&
	    spec.limits.memory_swap < spec.limits.memory)
		return werr_set(err, EINVAL,
		                "container %s: --memory-swap (%lld) would be smaller than --memory "
		                "(%lld): give both",
		                record_name(rec), spec.limits.memory_swap, spec.limits.memory);
	if (ctrcgroup_check(&spec, false, warning, sizeof(warning), err) < 0)
		return werr_prefix(err, "container %s", record_name(rec));
	/* memory and swap are written as a pair (v1 keeps memsw >= limit; v2's
	 * swap.max is the difference): what the container has for the other */
	apply = *l;
	if (l->memory || l->memory_swap) {
		apply.memory = spec.limits.memory;
		apply.memory_swap = spec.limits.memory_swap;
	}
	if (pid) {
		cgroup_host_probe(&h);
		if (cgroup_exists(&h, rec->id)
		        ? cgroup_update(&h, rec->id, &apply, err) < 0
		        : cgroup_adopt(&h, rec->id, pid, &spec.limits, err) < 0)
			return werr_prefix(err, "container %s", record_name(rec));
	}
	ctrcgroup_to_json(&spec, host);
	return record_save_config(rec, err);
}

void ctrcgroup_exited(struct record *rec)
{
	struct cgroup_host h;
	struct werr err;
	int lk;

	cgroup_host_probe(&h);
	if (!h.usable || !cgroup_exists(&h, rec->id))
		return;
	if (cgroup_oom_killed(&h, rec->id) && (lk = record_lock(rec, &err)) >= 0) {
		struct record fresh = { 0 };
		if (record_load_dir(rec->dir, &fresh, &err) == 0) {
			json_object_set_new(fresh.state, "OOMKilled", json_true());
			record_save_state(&fresh, &err);
			record_free(&fresh);
		}
		close(lk);
	}
	cgroup_remove(&h, rec->id);
}

void ctrcgroup_remove(const char *id)
{
	struct cgroup_host h;

	cgroup_host_probe(&h);
	if (h.usable)
		cgroup_remove(&h, id);
}

void ctrcgroup_gc(void)
{
	static char ids[256][65];
	struct cgroup_host h;
	size_t n;

	cgroup_host_probe(&h);
	if (!h.usable)
		return;
	n = cgroup_list(&h, ids, ARRAY_SIZE(ids));
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX], procs[64] = "";
		struct stat st;
		FILE *f;
		int c = __builtin_ctz(h.usable);
		snprintf(dir, sizeof(dir), "%s/warren-%s", h.base[c], ids[i]);
		if (stat(dir, &st) < 0 || time(NULL) - st.st_ctime < 2 ||
		    state_monitor_alive(ids[i]))
			continue;
		snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "/cgroup.procs");
		if ((f = fopen(dir, "re"))) {
			if (!fgets(procs, sizeof(procs), f))
				procs[0] = '\0';
			fclose(f);
		}
		if (!procs[0])
			cgroup_remove(&h, ids[i]);
	}
}

int ctrcgroup_stats(const char *id, struct cgroup_stats *s)
{
	struct cgroup_host h;

	cgroup_host_probe(&h);
	return h.usable ? cgroup_stats_read(&h, id, s) : -ENOENT;
}

void ctrcgroup_describe(char *buf, size_t size)
{
	struct cgroup_host h;

	cgroup_host_probe(&h);
	cgroup_host_describe(&h, buf, size);
}
