/* run_limits.c - the resource-limit flags (run_limits.h): parsed with
 * Docker's units and ranges, CPU and memory-node lists checked against
 * what this machine has; one line and exit 125 for a bad value. */
#include "run_limits.h"
#include "run_flags.h"
#include "cleanup.h"
#include "util.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Docker's smallest memory limit */
#define MEMORY_MIN (6LL << 20)

static int size_flag(const char *flag, const char *v, long long *out, struct werr *err)
{
	if (run_flags_size_parse(v, out) < 0)
		return werr_set(
		    err, EINVAL,
		    "invalid %s \"%s\": use a number with an optional unit b, k, m or g "
		    "(e.g. 512m)",
		    flag, v);
	return 0;
}

static int int_flag(const char *flag, const char *v, long long lo, long long hi, long long *out,
                    struct werr *err)
{
	char *end;
	long long n = 0;

	errno = 0;
	n = strtoll(v, &end, 10);
	if (!*v || *end || errno || n < lo || n > hi)
		return werr_set(err, EINVAL,
		                "invalid %s \"%s\": use a whole number from %lld to %lld", flag, v,
		                lo, hi);
	*out = n;
	return 0;
}

/* whether every number of the list @v ("0-3,5") is in the list @have */
static bool list_within(const char *v, const char *have)
{
	bool set[1024] = { false };
	const char *p;

	for (p = have; *p;) {
		char *end;
		long a = strtol(p, &end, 10), b = a;
		if (end == p)
			break;
		if (*end == '-')
			b = strtol(end + 1, &end, 10);
		for (long i = a; i <= b && i >= 0 && i < 1024; i++)
			set[i] = true;
		p = *end == ',' ? end + 1 : end;
		if (*end != ',')
			break;
	}
	for (p = v; *p;) {
		char *end;
		long a, b;
		if (!isdigit((unsigned char)*p))
			return false;
		a = b = strtol(p, &end, 10);
		if (*end == '-') {
			if (!isdigit((unsigned char)end[1]))
				return false;
			b = strtol(end + 1, &end, 10);
		}
		if (a > b || b >= 1024)
			return false;
		for (long i = a; i <= b; i++)
			if (!set[i])
				return false;
		if (*end == '\0')
			return true;
		if (*end != ',')
			return false;
		p = end + 1;
	}
	return false;
}

/* --cpuset-cpus, --cpuset-mems: within what this machine has online */
static int cpuset_flag(const char *flag, const char *v, const char *online_file, char *out,
                       size_t size, struct werr *err)
{
	char have[512] = "0";
	int fd = open(online_file, O_RDONLY | O_CLOEXEC);

	if (fd >= 0) {
		size_t n = util_read_upto(fd, have, sizeof(have) - 1);
		have[n] = '\0';
		have[strcspn(have, "\n")] = '\0';
		close(fd);
	}
	if (strlen(v) >= size || !list_within(v, have))
		return werr_set(err, EINVAL, "invalid %s \"%s\": this machine has %s %s", flag, v,
		                strcmp(flag, "--cpuset-cpus") ? "memory nodes" : "CPUs", have);
	snprintf(out, size, "%s", v);
	return 0;
}

static int cpus_flag(const char *v, long long *nano, struct werr *err)
{
	long ncpu = sysconf(_SC_NPROCESSORS_ONLN);
	char *end;
	double d;

	errno = 0;
	d = strtod(v, &end);
	if (!*v || *end || errno || !isfinite(d) || d <= 0)
		return werr_set(err, EINVAL,
		                "invalid --cpus \"%s\": use a number of CPUs above 0 (e.g. 0.5)",
		                v);
	if (d > (double)ncpu)
		return werr_set(
		    err, EINVAL,
		    "invalid --cpus \"%s\": this machine has %ld CPUs (from 0.01 to %ld)", v, ncpu,
		    ncpu);
	*nano = (long long)(d * 1e9 + 0.5);
	if (*nano < 10000000)
		return werr_set(err, EINVAL, "invalid --cpus \"%s\": the smallest is 0.01", v);
	return 0;
}

int run_limits_opt(struct run_limits *rl, const struct opt_def *def, const char *v,
                   struct werr *err)
{
	struct cgroup_limits *l = &rl->l;
	long long n = 0;

	switch (def->id) {
	case RL_MEMORY:
		if (size_flag("--memory", v, &l->memory, err) < 0)
			return -err->code;
		if (l->memory < MEMORY_MIN)
			return werr_set(err, EINVAL,
			                "invalid --memory \"%s\": the limit must be at "
			                "least 6m (6 MiB)",
			                v);
		return 0;
	case RL_MEMORY_SWAP:
		if (!strcmp(v, "-1")) {
			l->memory_swap = -1;
			return 0;
		}
		if (size_flag("--memory-swap", v, &l->memory_swap, err) < 0)
			return -err->code;
		if (l->memory_swap == 0)
			return werr_set(
			    err, EINVAL,
			    "invalid --memory-swap \"%s\": use a size, or -1 for unlimited "
			    "swap",
			    v);
		return 0;
	case RL_MEMORY_RESERVATION:
		if (size_flag("--memory-reservation", v, &l->memory_reservation, err) < 0)
			return -err->code;
		return 0;
	case RL_CPUS: return cpus_flag(v, &l->nano_cpus, err);
	case RL_CPU_SHARES: return int_flag("--cpu-shares", v, 2, 262144, &l->cpu_shares, err);
	case RL_CPU_PERIOD: return int_flag("--cpu-period", v, 1000, 1000000, &l->cpu_period, err);
	case RL_CPU_QUOTA:
		if (!strcmp(v, "-1")) {
			l->cpu_quota = -1;
			return 0;
		}
		return int_flag("--cpu-quota", v, 1000, LLONG_MAX / 1000, &l->cpu_quota, err);
	case RL_CPUSET_CPUS:
		return cpuset_flag("--cpuset-cpus", v, "/sys/devices/system/cpu/online",
		                   l->cpuset_cpus, sizeof(l->cpuset_cpus), err);
	case RL_CPUSET_MEMS:
		return cpuset_flag("--cpuset-mems", v, "/sys/devices/system/node/online",
		                   l->cpuset_mems, sizeof(l->cpuset_mems), err);
	case RL_PIDS_LIMIT:
		if (int_flag("--pids-limit", v, -1, 4194304, &n, err) < 0)
			return -err->code;
		l->pids_limit = n == 0 ? -1 : n; /* Docker: 0 and -1 are unlimited */
		return 0;
	case RL_BLKIO_WEIGHT: return int_flag("--blkio-weight", v, 10, 1000, &l->blkio_weight, err);
	case RL_OOM_SCORE_ADJ:
		if (int_flag("--oom-score-adj", v, -1000, 1000, &n, err) < 0)
			return -err->code;
		rl->oom_score_adj = (int)n;
		rl->oom_set = n != 0;
		return 0;
	case RL_CGROUPS:
		if (strcmp(v, "enabled") && strcmp(v, "disabled"))
			return werr_set(
			    err, EINVAL,
			    "invalid --cgroups \"%s\": use enabled or disabled (no-conmon and "
			    "split are Podman's daemon modes, which warren does not have)",
			    v);
		rl->cgroups_disabled = !strcmp(v, "disabled");
		return 0;
	}
	return werr_set(err, EINVAL, "internal: unhandled option %s", def->long_name);
}

int run_limits_check(const struct run_limits *rl, bool update, struct werr *err)
{
	const struct cgroup_limits *l = &rl->l;

	if (l->memory_swap && !l->memory && !update)
		return werr_set(err, EINVAL,
		                "--memory-swap needs --memory: the swap limit counts memory plus "
		                "swap");
	if (l->memory_swap > 0 && l->memory && l->memory_swap < l->memory)
		return werr_set(
		    err, EINVAL,
		    "--memory-swap (%lld bytes) is smaller than --memory (%lld bytes): it "
		    "counts memory plus swap, so give at least as much",
		    l->memory_swap, l->memory);
	if (l->memory_reservation && l->memory && l->memory_reservation > l->memory)
		return werr_set(err, EINVAL, "--memory-reservation must be smaller than --memory");
	if (rl->oom_set && !update) {
		char cur[16] = "0";
		int fd = open("/proc/self/oom_score_adj", O_RDONLY | O_CLOEXEC);
		if (fd >= 0) {
			cur[util_read_upto(fd, cur, sizeof(cur) - 1)] = '\0';
			close(fd);
		}
		/* lowering it needs CAP_SYS_RESOURCE of the host */
		if (rl->oom_score_adj < atoi(cur))
			return werr_set(
			    err, EPERM,
			    "--oom-score-adj %d: only a privileged user may set it below "
			    "the current %d",
			    rl->oom_score_adj, atoi(cur));
	}
	if (l->nano_cpus && (l->cpu_period || l->cpu_quota))
		return werr_set(err, EINVAL,
		                "--cpus conflicts with --cpu-period and --cpu-quota: give one or "
		                "the others");
	return 0;
}

void run_limits_apply(const struct run_limits *rl, struct container_spec *spec)
{
	spec->limits = rl->l;
	/* Docker's "no limit" values need no cgroup when the container is made
	 * (update gives them to remove a limit) */
	if (spec->limits.pids_limit < 0)
		spec->limits.pids_limit = 0;
	if (spec->limits.cpu_quota < 0)
		spec->limits.cpu_quota = 0;
	spec->oom_score_adj = rl->oom_score_adj;
	spec->oom_score_adj_set = rl->oom_set;
	spec->cgroups_disabled = rl->cgroups_disabled;
}
