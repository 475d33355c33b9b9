/* cgroup.c - a container's cgroup below the one the host delegated to the
 * user (cgroup.h): found from /proc/self/cgroup, made before the
 * container's first process runs, filled with its limits, read for stats
 * and OOM, removed at its end. Touches nothing above the user's cgroup.
 * The cgroup v2 paths follow the kernel's cgroup-v2.rst (delegation,
 * the no-internal-process rule); on this project's test machine only
 * their refusals are exercised (docs/cgroups.md). */
#include "cgroup.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#ifndef CGROUP2_SUPER_MAGIC
#define CGROUP2_SUPER_MAGIC 0x63677270
#endif
#ifndef TMPFS_MAGIC
#define TMPFS_MAGIC 0x01021994
#endif

static const char *const v1_names[CG_N] = { "memory", "cpu", "cpuacct", "cpuset", "pids", "blkio" };
/* cgroup v2's names (cpuacct is part of cpu there) */
static const char *const v2_names[CG_N] = { "memory", "cpu", "cpu", "cpuset", "pids", "io" };

const char *cgroup_ctrl_name(enum cgroup_ctrl c)
{
	return v1_names[c];
}

bool cgroup_limits_any(const struct cgroup_limits *l)
{
	return cgroup_limits_needs(l) != 0;
}

unsigned cgroup_limits_needs(const struct cgroup_limits *l)
{
	unsigned n = 0;

	if (l->memory || l->memory_swap || l->memory_reservation)
		n |= CG_BIT(CG_MEMORY);
	if (l->nano_cpus || l->cpu_shares || l->cpu_period || l->cpu_quota)
		n |= CG_BIT(CG_CPU);
	if (l->cpuset_cpus[0] || l->cpuset_mems[0])
		n |= CG_BIT(CG_CPUSET);
	if (l->pids_limit)
		n |= CG_BIT(CG_PIDS);
	if (l->blkio_weight)
		n |= CG_BIT(CG_BLKIO);
	return n;
}

/* @dir/@file's first line into @buf (newline cut); Return: 0 or -errno */
static int cg_read(const char *dir, const char *file, char *buf, size_t size)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = util_read_upto(fd, buf, size - 1);
	buf[n] = '\0';
	return 0;
}

static int cg_write(const char *dir, const char *file, const char *val, struct werr *err)
{
	char path[PATH_MAX];
	_cleanup_close_ int fd = -1;
	ssize_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return werr_errno(err, errno, "opening %s", path);
	/* one write: a cgroup file takes a value per write(2) */
	n = write(fd, val, strlen(val));
	if (n < 0)
		return werr_errno(err, errno, "writing \"%s\" to %s", val, path);
	return 0;
}

static int cg_write_ll(const char *dir, const char *file, long long v, struct werr *err)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", v);
	return cg_write(dir, file, buf, err);
}

/* the value after "@key " in a "key value" file such as memory.stat */
static bool cg_keyed(const char *dir, const char *file, const char *key, uint64_t *out)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	size_t len, kl = strlen(key);
	struct werr ignored;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	if (util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, &ignored) < 0)
		return false;
	for (char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (!strncmp(l, key, kl) && (l[kl] == ' ' || l[kl] == '=')) {
			*out = strtoull(l + kl + 1, NULL, 10);
			return true;
		}
	return false;
}

/* whether the caller may make cgroups in @dir and move processes into it */
static bool cg_delegated_p(const char *dir, char *why, size_t size, const char *what)
{
	char procs[PATH_MAX];
	struct stat st;

	snprintf(procs, sizeof(procs), "%s/cgroup.procs", dir);
	if (stat(dir, &st) < 0) {
		snprintf(why, size, "%s %s: %s", what, dir, strerror(errno));
		return false;
	}
	if (faccessat(AT_FDCWD, dir, W_OK, AT_EACCESS) == 0 &&
	    faccessat(AT_FDCWD, procs, W_OK, AT_EACCESS) == 0)
		return true;
	snprintf(why, size, "%s %s is not delegated to you (owned by uid %u, not writable)", what,
	         dir, (unsigned)st.st_uid);
	return false;
}

/* cgroup v1: "N:ctrl[,ctrl...]:/path" lines, one hierarchy each */
static void probe_v1(struct cgroup_host *h, const char *self)
{
	for (int c = 0; c < CG_N; c++) {
		const char *line = self;
		bool found = false;
		snprintf(h->why[c], sizeof(h->why[c]),
		         "cgroup v1: the %s controller is not mounted under %s", v1_names[c],
		         h->root);
		for (; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
			const char *c1 = strchr(line, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
			const char *end = c2 ? strchr(c2, '\n') : NULL;
			char ctrls[128], path[PATH_MAX / 4], dir[PATH_MAX / 4], what[64];
			size_t cl;
			if (!c2 || (cl = (size_t)(c2 - c1 - 1)) >= sizeof(ctrls))
				continue;
			memcpy(ctrls, c1 + 1, cl);
			ctrls[cl] = '\0';
			for (char *tok = strtok(ctrls, ","); tok; tok = strtok(NULL, ","))
				if (!strcmp(tok, v1_names[c]))
					found = true;
			if (!found)
				continue;
			memcpy(ctrls, c1 + 1, cl);
			ctrls[cl] = '\0';
			snprintf(path, sizeof(path), "%.*s",
			         (int)(end ? (size_t)(end - c2 - 1) : strlen(c2 + 1)), c2 + 1);
			if (snprintf(dir, sizeof(dir), "%s/%s%s", h->root, ctrls,
			             strcmp(path, "/") ? path : "") >= (int)sizeof(dir))
				break;
			snprintf(what, sizeof(what), "cgroup v1: your %s cgroup", v1_names[c]);
			if (cg_delegated_p(dir, h->why[c], sizeof(h->why[c]), what)) {
				snprintf(h->base[c], sizeof(h->base[c]), "%s", dir);
				h->usable |= CG_BIT(c);
			}
			break;
		}
	}
}

/* cgroup v2: "0::/path"; the controllers a child may have are those of
 * the user's cgroup's cgroup.controllers */
static void probe_v2(struct cgroup_host *h, const char *self)
{
	const char *line = strstr(self, "0::");
	char dir[PATH_MAX / 4], ctrls[512] = "", why[256];
	size_t pl;

	if (line != self && line && line[-1] != '\n')
		line = NULL;
	if (!line) {
		for (int c = 0; c < CG_N; c++)
			snprintf(h->why[c], sizeof(h->why[c]),
			         "cgroup v2: /proc/self/cgroup has no 0:: line");
		return;
	}
	line += 3;
	pl = strcspn(line, "\n");
	if (snprintf(dir, sizeof(dir), "%s%.*s", h->root, (int)pl, line) >= (int)sizeof(dir))
		return;
	if (pl == 1) /* "/": the root cgroup */
		snprintf(dir, sizeof(dir), "%s", h->root);
	if (!cg_delegated_p(dir, why, sizeof(why), "cgroup v2: your cgroup")) {
		for (int c = 0; c < CG_N; c++)
			snprintf(h->why[c], sizeof(h->why[c]), "%s", why);
		return;
	}
	cg_read(dir, "cgroup.controllers", ctrls, sizeof(ctrls));
	ctrls[strcspn(ctrls, "\n")] = '\0';
	for (int c = 0; c < CG_N; c++) {
		char padded[520], key[24];
		snprintf(padded, sizeof(padded), " %s ", ctrls);
		snprintf(key, sizeof(key), " %s ", v2_names[c]);
		if (strstr(padded, key)) {
			snprintf(h->base[c], sizeof(h->base[c]), "%s", dir);
			h->usable |= CG_BIT(c);
		} else {
			snprintf(h->why[c], sizeof(h->why[c]),
			         "cgroup v2: the %s controller is not delegated to your cgroup %s "
			         "(its cgroup.controllers lists: %s)",
			         v2_names[c], dir, ctrls[0] ? ctrls : "none");
		}
	}
}

static char cg_root[PATH_MAX / 4] = "/sys/fs/cgroup";

void cgroup_root_set(const char *root)
{
	snprintf(cg_root, sizeof(cg_root), "%s", root && *root ? root : "/sys/fs/cgroup");
}

void cgroup_host_probe(struct cgroup_host *h)
{
	_cleanup_free_ char *self = NULL;
	struct werr ignored;
	struct statfs sf;
	size_t len;

	memset(h, 0, sizeof(*h));
	snprintf(h->root, sizeof(h->root), "%s", cg_root);
	for (int c = 0; c < CG_N; c++)
		snprintf(h->why[c], sizeof(h->why[c]), "no cgroup filesystem at %s", h->root);
	if (statfs(h->root, &sf) < 0)
		return;
	if (util_read_file(AT_FDCWD, "/proc/self/cgroup", 1 << 16, &self, &len, &ignored) < 0)
		return;
	if ((unsigned long)sf.f_type == CGROUP2_SUPER_MAGIC) {
		h->mode = CGROUP_V2;
		probe_v2(h, self);
	} else if ((unsigned long)sf.f_type == TMPFS_MAGIC) {
		h->mode = CGROUP_V1;
		probe_v1(h, self);
	}
}

/* the usual fix, for the refusal line */
static const char *cg_fix(const struct cgroup_host *h)
{
	if (h->mode == CGROUP_V2)
		return "an administrator sets Delegate=yes for user@.service (systemctl edit "
		       "user@.service); then run warren in a delegated scope: systemd-run --user "
		       "--scope -p Delegate=yes warren run ...";
	return "an administrator creates a cgroup per user in each controller and chowns it "
	       "to the user (pam_cgfs does this at login), or boots with cgroup v2 "
	       "(systemd.unified_cgroup_hierarchy=1) and Delegate=yes for user@.service";
}

/* blkio/io weight: which file this kernel has (BFQ's, or the legacy one) */
static const char *cg_weight_file(const struct cgroup_host *h)
{
	static const char *const v1[] = { "blkio.weight", "blkio.bfq.weight" };
	static const char *const v2[] = { "io.weight", "io.bfq.weight" };
	const char *const *f = h->mode == CGROUP_V2 ? v2 : v1;
	char path[PATH_MAX];

	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", h->base[CG_BLKIO], f[i]);
		if (access(path, F_OK) == 0)
			return f[i];
	}
	return NULL;
}

int cgroup_host_check(const struct cgroup_host *h, unsigned needs, struct werr *err)
{
	for (int c = 0; c < CG_N; c++) {
		if (!(needs & CG_BIT(c)))
			continue;
		if (!(h->usable & CG_BIT(c)))
			return werr_set(err, EPERM, "%s; %s", h->why[c], cg_fix(h));
		if (c == CG_BLKIO && !cg_weight_file(h))
			return werr_set(
			    err, ENOTSUP,
			    "the %s controller here has no weight file (%s/blkio.weight "
			    "or blkio.bfq.weight): the disk's I/O scheduler must be BFQ",
			    v1_names[c], h->base[c]);
	}
	return 0;
}

void cgroup_host_describe(const struct cgroup_host *h, char *buf, size_t size)
{
	char list[128] = "";

	for (int c = 0; c < CG_N; c++)
		if (h->usable & CG_BIT(c))
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s%s",
			         list[0] ? " " : "", v1_names[c]);
	if (h->mode == CGROUP_NONE)
		snprintf(buf, size, "none (%s): limit flags are refused", h->why[0]);
	else if (!h->usable)
		snprintf(buf, size, "%s, not delegated (%s): limit flags are refused",
		         h->mode == CGROUP_V2 ? "v2" : "v1", h->why[CG_MEMORY]);
	else
		snprintf(buf, size, "%s-delegated (%s: %s)", h->mode == CGROUP_V2 ? "v2" : "v1",
		         h->mode == CGROUP_V2 ? h->base[0] : "your own cgroups", list);
}

/* the container's directory in controller @c; false when unusable */
static bool cg_dir(const struct cgroup_host *h, int c, const char *id, char *buf, size_t size)
{
	if (!(h->usable & CG_BIT(c)))
		return false;
	return snprintf(buf, size, "%s/warren-%.64s", h->base[c], id) < (int)size;
}

/* whether controller @c shares its directory with an earlier one (v2, or
 * v1 controllers mounted together such as cpu,cpuacct) */
static bool cg_dup(const struct cgroup_host *h, int c)
{
	for (int e = 0; e < c; e++)
		if ((h->usable & CG_BIT(e)) && !strcmp(h->base[e], h->base[c]))
			return true;
	return false;
}

/* cgroup v2: the controllers a child needs go in the parent's
 * cgroup.subtree_control, which a cgroup with processes of its own may not
 * have (the no-internal-process rule): those move to a leaf first */
static int v2_enable(const struct cgroup_host *h, struct werr *err)
{
	char list[128] = "", leaf[PATH_MAX], pids[4096];
	const char *base = h->base[0];

	for (int c = 0; c < CG_N; c++)
		if ((h->usable & CG_BIT(c)) && c != CG_CPUACCT)
			snprintf(list + strlen(list), sizeof(list) - strlen(list), "%s+%s",
			         list[0] ? " " : "", v2_names[c]);
	if (!list[0] || cg_write(base, "cgroup.subtree_control", list, err) == 0)
		return 0;
	if (err->code != EBUSY)
		return -err->code;
	snprintf(leaf, sizeof(leaf), "%s/warren-leaf", base);
	if (mkdir(leaf, 0755) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "mkdir %s", leaf);
	/* one pid a write; a read of up to 4 KiB per round until none is left */
	for (int round = 0; round < 64; round++) {
		if (cg_read(base, "cgroup.procs", pids, sizeof(pids)) < 0 || !pids[0])
			break;
		for (char *p = strtok(pids, "\n"); p; p = strtok(NULL, "\n"))
			cg_write(leaf, "cgroup.procs", p, err);
	}
	return cg_write(base, "cgroup.subtree_control", list, err);
}

static int write_memory(const struct cgroup_host *h, const char *dir, const struct cgroup_limits *l,
                        struct werr *err)
{
	bool v2 = h->mode == CGROUP_V2;
	long long swap = l->memory_swap;
	int r = 0;

	/* Docker: without --memory-swap, as much swap as memory */
	if (l->memory && !swap)
		swap = 2 * l->memory;
	if (l->memory_reservation)
		r = cg_write_ll(dir, v2 ? "memory.low" : "memory.soft_limit_in_bytes",
		                l->memory_reservation, err);
	if (r == 0 && l->memory) {
		r = cg_write_ll(dir, v2 ? "memory.max" : "memory.limit_in_bytes", l->memory, err);
		/* v1 keeps memsw >= limit: raising the limit above it needs memsw first */
		if (r < 0 && !v2 && err->code == EINVAL && swap > 0)
			r = cg_write_ll(dir, "memory.memsw.limit_in_bytes", swap, err)
			        ?: cg_write_ll(dir, "memory.limit_in_bytes", l->memory, err);
	}
	if (r < 0 || !swap)
		return r;
	if (v2)
		return swap < 0 ? cg_write(dir, "memory.swap.max", "max", err)
		                : cg_write_ll(dir, "memory.swap.max", swap - l->memory, err);
	{
		char path[PATH_MAX];
		snprintf(path, sizeof(path), "%s/memory.memsw.limit_in_bytes", dir);
		if (access(path, F_OK) < 0) /* no swap accounting: the memory limit holds */
			return l->memory_swap > 0 && l->memory_swap != l->memory &&
			               l->memory_swap != 2 * l->memory
			           ? werr_set(err, ENOTSUP,
			                      "--memory-swap: this kernel does not account swap "
			                      "(no memory.memsw files; boot with swapaccount=1)")
			           : 0;
	}
	return cg_write_ll(dir, "memory.memsw.limit_in_bytes", swap, err);
}

static int write_cpu(const struct cgroup_host *h, const char *dir, const struct cgroup_limits *l,
                     struct werr *err)
{
	long long period = l->cpu_period ? l->cpu_period : 100000, quota = l->cpu_quota;
	int r = 0;

	if (l->nano_cpus)
		quota = l->nano_cpus * period / 1000000000LL;
	if (h->mode == CGROUP_V2) {
		char v[64];
		if (l->cpu_shares)
			r = cg_write_ll(dir, "cpu.weight",
			                1 + ((l->cpu_shares - 2) * 9999) / 262142, err);
		if (r == 0 && (quota || l->cpu_period)) {
			if (quota > 0)
				snprintf(v, sizeof(v), "%lld %lld", quota, period);
			else
				snprintf(v, sizeof(v), "max %lld", period);
			r = cg_write(dir, "cpu.max", v, err);
		}
		return r;
	}
	if (l->cpu_shares)
		r = cg_write_ll(dir, "cpu.shares", l->cpu_shares, err);
	if (r == 0 && (l->cpu_period || quota))
		r = cg_write_ll(dir, "cpu.cfs_period_us", period, err);
	if (r == 0 && quota)
		r = cg_write_ll(dir, "cpu.cfs_quota_us", quota, err);
	return r;
}

/* write the set fields of @l into the container's cgroup (@c's directory) */
static int write_limits(const struct cgroup_host *h, int c, const char *dir,
                        const struct cgroup_limits *l, struct werr *err)
{
	bool v2 = h->mode == CGROUP_V2;
	int r = 0;

	if ((c == CG_MEMORY || v2) && (l->memory || l->memory_swap || l->memory_reservation))
		r = write_memory(h, dir, l, err);
	if (r == 0 && (c == CG_CPU || v2))
		r = write_cpu(h, dir, l, err);
	if (r == 0 && (c == CG_CPUSET || v2) && l->cpuset_cpus[0])
		r = cg_write(dir, "cpuset.cpus", l->cpuset_cpus, err);
	if (r == 0 && (c == CG_CPUSET || v2) && l->cpuset_mems[0])
		r = cg_write(dir, "cpuset.mems", l->cpuset_mems, err);
	if (r == 0 && (c == CG_PIDS || v2) && l->pids_limit)
		r = l->pids_limit < 0 ? cg_write(dir, "pids.max", "max", err)
		                      : cg_write_ll(dir, "pids.max", l->pids_limit, err);
	if (r == 0 && (c == CG_BLKIO || v2) && l->blkio_weight) {
		const char *f = cg_weight_file(h);
		char v[32];
		snprintf(v, sizeof(v), "%s%lld",
		         v2 && !strcmp(f ?: "", "io.weight") ? "default " : "", l->blkio_weight);
		r = f ? cg_write(dir, f, v, err)
		      : werr_set(err, ENOTSUP, "--blkio-weight: no weight file in %s", dir);
	}
	return r;
}

/* cgroup v1's cpuset starts empty: a child takes its parent's CPUs and
 * memory nodes before any process may join it */
static int v1_cpuset_init(const struct cgroup_host *h, const char *dir, struct werr *err)
{
	static const char *const files[] = { "cpuset.cpus", "cpuset.mems" };
	char v[512];

	for (int i = 0; i < 2; i++) {
		if (cg_read(h->base[CG_CPUSET], files[i], v, sizeof(v)) < 0)
			return werr_errno(err, errno, "reading %s/%s", h->base[CG_CPUSET],
			                  files[i]);
		v[strcspn(v, "\n")] = '\0';
		if (v[0] && cg_write(dir, files[i], v, err) < 0)
			return -err->code;
	}
	return 0;
}

int cgroup_create(const struct cgroup_host *h, const char *id, const struct cgroup_limits *l,
                  struct werr *err)
{
	char dir[PATH_MAX];
	int r = 0;

	if (h->mode == CGROUP_V2 && h->usable && v2_enable(h, err) < 0)
		return werr_prefix(err, "enabling controllers for containers");
	for (int c = 0; c < CG_N && r == 0; c++) {
		if (!cg_dir(h, c, id, dir, sizeof(dir)) || cg_dup(h, c))
			continue;
		if (mkdir(dir, 0755) < 0 && errno != EEXIST) {
			r = werr_errno(err, errno, "creating the container's cgroup %s", dir);
			break;
		}
		if (h->mode == CGROUP_V1 && c == CG_CPUSET)
			r = v1_cpuset_init(h, dir, err);
	}
	if (r == 0)
		r = cgroup_update(h, id, l, err);
	if (r < 0)
		cgroup_remove(h, id);
	return r;
}

int cgroup_update(const struct cgroup_host *h, const char *id, const struct cgroup_limits *l,
                  struct werr *err)
{
	char dir[PATH_MAX];

	for (int c = 0; c < CG_N; c++) {
		if (!cg_dir(h, c, id, dir, sizeof(dir)) || cg_dup(h, c))
			continue;
		if (access(dir, F_OK) < 0)
			return werr_errno(err, errno, "the container's cgroup %s", dir);
		if (write_limits(h, c, dir, l, err) < 0)
			return -err->code;
	}
	return 0;
}

int cgroup_attach(const struct cgroup_host *h, const char *id, pid_t pid, struct werr *err)
{
	char dir[PATH_MAX];

	for (int c = 0; c < CG_N; c++) {
		if (!cg_dir(h, c, id, dir, sizeof(dir)) || cg_dup(h, c))
			continue;
		if (cg_write_ll(dir, "cgroup.procs", pid, err) < 0)
			return -err->code;
	}
	return 0;
}

bool cgroup_exists(const struct cgroup_host *h, const char *id)
{
	char dir[PATH_MAX];

	for (int c = 0; c < CG_N; c++)
		if (cg_dir(h, c, id, dir, sizeof(dir)))
			return access(dir, F_OK) == 0;
	return false;
}

bool cgroup_oom_killed(const struct cgroup_host *h, const char *id)
{
	char dir[PATH_MAX];
	uint64_t n = 0;

	if (!cg_dir(h, CG_MEMORY, id, dir, sizeof(dir)))
		return false;
	if (h->mode == CGROUP_V2)
		return cg_keyed(dir, "memory.events", "oom_kill", &n) && n > 0;
	return cg_keyed(dir, "memory.oom_control", "oom_kill", &n) && n > 0;
}

int cgroup_remove(const struct cgroup_host *h, const char *id)
{
	char dir[PATH_MAX];
	int r = 0;

	for (int c = 0; c < CG_N; c++) {
		if (!cg_dir(h, c, id, dir, sizeof(dir)) || cg_dup(h, c))
			continue;
		/* the last processes of a PID namespace may still be exiting: a
		 * moment's grace, from 0.2 ms doubling to 10 ms, about a second
		 * in all (a fixed 10 ms cost every start that long) */
		long ns = 200 * 1000, waited = 0;
		while (rmdir(dir) < 0) {
			struct timespec ts = { 0, ns };
			if (errno == ENOENT)
				break;
			if (errno != EBUSY || waited >= 1000L * 1000 * 1000) {
				r = -errno;
				break;
			}
			nanosleep(&ts, NULL);
			waited += ns;
			ns = ns < 5000000 ? ns * 2 : 10000000;
		}
	}
	return r;
}

size_t cgroup_list(const struct cgroup_host *h, char (*ids)[65], size_t max)
{
	size_t n = 0;
	DIR *d = NULL;
	struct dirent *e;

	for (int c = 0; c < CG_N && !d; c++)
		if (h->usable & CG_BIT(c))
			d = opendir(h->base[c]);
	if (!d)
		return 0;
	while (n < max && (e = readdir(d)))
		if (!strncmp(e->d_name, "warren-", 7) && strlen(e->d_name + 7) == 64 &&
		    strspn(e->d_name + 7, "0123456789abcdef") == 64)
			snprintf(ids[n++], 65, "%s", e->d_name + 7);
	closedir(d);
	return n;
}

/* "MAJ:MIN Read N" (v1) or "MAJ:MIN rbytes=N wbytes=N ..." (v2) lines, summed */
static void blkio_read(const struct cgroup_host *h, const char *dir, struct cgroup_stats *s)
{
	char path[PATH_MAX];
	_cleanup_free_ char *text = NULL;
	struct werr ignored;
	size_t len;

	snprintf(path, sizeof(path), "%s/%s", dir,
	         h->mode == CGROUP_V2 ? "io.stat" : "blkio.throttle.io_service_bytes_recursive");
	if (util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, &ignored) < 0)
		return;
	s->has_blkio = true;
	for (char *l = strtok(text, "\n"); l; l = strtok(NULL, "\n")) {
		char *p;
		if (h->mode == CGROUP_V2) {
			if ((p = strstr(l, "rbytes=")))
				s->rd += strtoull(p + 7, NULL, 10);
			if ((p = strstr(l, "wbytes=")))
				s->wr += strtoull(p + 7, NULL, 10);
		} else if ((p = strstr(l, " Read "))) {
			s->rd += strtoull(p + 6, NULL, 10);
		} else if ((p = strstr(l, " Write "))) {
			s->wr += strtoull(p + 7, NULL, 10);
		}
	}
}

int cgroup_stats_read(const struct cgroup_host *h, const char *id, struct cgroup_stats *s)
{
	bool v2 = h->mode == CGROUP_V2;
	char dir[PATH_MAX], v[64];
	uint64_t x = 0;

	memset(s, 0, sizeof(*s));
	if (!cgroup_exists(h, id))
		return -ENOENT;
	if (cg_dir(h, CG_MEMORY, id, dir, sizeof(dir)) &&
	    cg_read(dir, v2 ? "memory.current" : "memory.usage_in_bytes", v, sizeof(v)) == 0) {
		s->has_mem = true;
		s->mem_usage = strtoull(v, NULL, 10);
		/* Docker's usage leaves out the inactive page cache */
		if (cg_keyed(dir, "memory.stat", v2 ? "inactive_file" : "total_inactive_file",
		             &x) &&
		    x < s->mem_usage)
			s->mem_usage -= x;
		if (cg_read(dir, v2 ? "memory.max" : "memory.limit_in_bytes", v, sizeof(v)) == 0 &&
		    v[0] >= '0' && v[0] <= '9') {
			s->mem_limit = strtoull(v, NULL, 10);
			if (s->mem_limit >= (1ULL << 62)) /* v1's "unlimited" */
				s->mem_limit = 0;
		}
	}
	if (v2 && cg_dir(h, CG_CPU, id, dir, sizeof(dir)) &&
	    cg_keyed(dir, "cpu.stat", "usage_usec", &x)) {
		s->has_cpu = true;
		s->cpu_ns = x * 1000;
	} else if (!v2 && cg_dir(h, CG_CPUACCT, id, dir, sizeof(dir)) &&
	           cg_read(dir, "cpuacct.usage", v, sizeof(v)) == 0) {
		s->has_cpu = true;
		s->cpu_ns = strtoull(v, NULL, 10);
	}
	if (cg_dir(h, CG_PIDS, id, dir, sizeof(dir)) &&
	    cg_read(dir, "pids.current", v, sizeof(v)) == 0) {
		s->has_pids = true;
		s->pids = strtoull(v, NULL, 10);
	}
	if (cg_dir(h, CG_BLKIO, id, dir, sizeof(dir)))
		blkio_read(h, dir, s);
	return 0;
}
