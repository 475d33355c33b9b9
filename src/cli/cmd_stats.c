/* cmd_stats.c - `warren stats`: containers' usage from their cgroup where
 * they have one (a container with limits on a host that delegates
 * cgroups), else from /proc (CPU, memory and PIDs summed over the
 * processes of a container's PID namespace), once with --no-stream, else
 * every second: redrawn in place on a terminal, a new table otherwise. */
#include "cliutil.h"
#include "commands.h"
#include "ctrcgroup.h"
#include "format.h"
#include "procinfo.h"
#include "state.h"
#include "util.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define TOP_MAX 4096

enum { S_NO_STREAM = 1, S_ALL, S_FORMAT, S_NO_TRUNC };

struct stats_cfg {
	bool no_stream, all, no_trunc;
	const char *format;
};

/* Docker's default columns */
#define STATS_TABLE                                                                                \
	"table {{.ID}}\t{{.Name}}\t{{.CPUPerc}}\t{{.MemUsage}}\t{{.MemPerc}}\t{{.NetIO}}\t"        \
	"{{.BlockIO}}\t{{.PIDs}}"

/* implements opt_cb for stats */
static int stats_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct stats_cfg *c = ctx;
	bool on = !strcmp(v, "true");

	switch (def->id) {
	case S_NO_STREAM: c->no_stream = on; return 0;
	case S_ALL: c->all = on; return 0;
	case S_NO_TRUNC: c->no_trunc = on; return 0;
	case S_FORMAT: c->format = v; return format_check(v, err);
	}
	return 0;
}

/* Docker's units: binary for memory (MiB), decimal for I/O (kB) */
static void fmt_size(uint64_t b, bool binary, char *buf, size_t size)
{
	static const char *const bin[] = { "B", "KiB", "MiB", "GiB", "TiB" };
	static const char *const dec[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)b, step = binary ? 1024 : 1000;
	int i = 0;

	while (v >= step && i < 4) {
		v /= step;
		i++;
	}
	if (i == 0)
		snprintf(buf, size, "%lluB", (unsigned long long)b);
	else
		snprintf(buf, size, "%.4g%s", v, binary ? bin[i] : dec[i]);
}

struct usage {
	unsigned long long ticks;
	uint64_t cpu_ns; /* from the cgroup (@ticks from /proc otherwise) */
	uint64_t rss, rd, wr, rx, tx;
	uint64_t limit; /* the cgroup's memory limit; 0: the machine's memory */
	int pids;
	bool cgroup;
};

/* the cgroup's counters over /proc's where it has them */
static void usage_cgroup(const char *id, struct usage *u)
{
	struct cgroup_stats s;

	if (ctrcgroup_stats(id, &s) < 0)
		return;
	u->cgroup = s.has_cpu;
	u->cpu_ns = s.cpu_ns;
	if (s.has_mem) {
		u->rss = s.mem_usage;
		u->limit = s.mem_limit;
	}
	if (s.has_pids)
		u->pids = (int)s.pids;
	if (s.has_blkio) {
		u->rd = s.rd;
		u->wr = s.wr;
	}
}

static void usage_of(const char *id, pid_t pid, struct usage *u)
{
	static struct proc_sample ps[TOP_MAX];
	int n = procinfo_list(pid, ps, TOP_MAX);

	memset(u, 0, sizeof(*u));
	for (int i = 0; i < n; i++) {
		u->ticks += ps[i].cpu_ticks;
		u->rss += ps[i].rss_bytes;
		u->rd += ps[i].read_bytes;
		u->wr += ps[i].write_bytes;
	}
	u->pids = n > 0 ? n : 0;
	procinfo_net(pid, &u->rx, &u->tx);
	usage_cgroup(id, u);
}

/* CPU % over @secs: a core fully used is 100 % (Docker's) */
static double usage_cpu(const struct usage *now, const struct usage *before, double secs)
{
	if (now->cgroup && before->cgroup && now->cpu_ns >= before->cpu_ns)
		return (double)(now->cpu_ns - before->cpu_ns) * 100.0 / 1e9 / secs;
	if (!now->cgroup && !before->cgroup && now->ticks >= before->ticks)
		return (double)(now->ticks - before->ticks) * 100.0 / (double)sysconf(_SC_CLK_TCK) /
		       secs;
	return 0.0;
}

static const struct opt_def stats_opts[] = {
	{ "no-stream", 0, OPT_FLAG, NULL, "Print one sample and exit", S_NO_STREAM },
	{ "all", 'a', OPT_FLAG, NULL, "All containers (default: running ones)", S_ALL },
	{ "format", 0, OPT_VALUE, "FORMAT", "json or a Go template", S_FORMAT },
	{ "no-trunc", 0, OPT_FLAG, NULL, "Do not truncate output", S_NO_TRUNC },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_stats = {
	"stats",
	"[OPTIONS] [CONTAINER...]",
	"Resource usage of containers, every second (one sample: --no-stream).",
	stats_opts,
	0,
	-1,
	OPTS_INTERSPERSED
};

static const char *const stats_heads[] = {
	"ID",        "CONTAINER ID", "Container", "CONTAINER", "Name",
	"NAME",      "CPUPerc",      "CPU %",     "MemUsage",  "MEM USAGE / LIMIT",
	"MemPerc",   "MEM %",        "NetIO",     "NET I/O",   "BlockIO",
	"BLOCK I/O", "PIDs",         "PIDS",      NULL
};

/* whether @rec is one the user asked for: named, or (none named) running
 * or, with -a, any */
static bool stats_wanted(const struct stats_cfg *c, struct record *rec, int nnames, char **names)
{
	for (int k = 0; k < nnames; k++)
		if (!strcmp(names[k], record_name(rec)) ||
		    !strncmp(rec->id, names[k], strlen(names[k])))
			return true;
	return !nnames && (c->all || state_running_pid(rec));
}

/* one table: each wanted container's usage now against @before, taken
 * @secs ago (and @before becomes now); Return: the running ones shown, or
 * a negative errno with @err set */
static int stats_table(const struct stats_cfg *c, struct record *recs, size_t n,
                       struct usage *before, double secs, int nnames, char **names,
                       struct werr *err)
{
	long mem_total = sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
	struct format fo;
	int running = 0, r = format_begin(&fo, stdout, c->format, STATS_TABLE, stats_heads, err);

	if (r < 0)
		return r;
	for (size_t i = 0; i < n; i++) {
		struct record *rec = &recs[i];
		pid_t pid = state_running_pid(rec);
		struct usage now = { 0 };
		char id[65], cpu[16], mem[64], memp[16], net[64], blk[64], pids[16], a[24], b[24];
		json_t *o;
		uint64_t limit;
		if (!stats_wanted(c, rec, nnames, names))
			continue;
		if (pid) {
			usage_of(rec->id, pid, &now);
			running++;
		}
		limit =
		    now.limit && now.limit < (uint64_t)mem_total ? now.limit : (uint64_t)mem_total;
		snprintf(id, sizeof(id), "%.*s", c->no_trunc ? 64 : 12, rec->id);
		snprintf(cpu, sizeof(cpu), "%.2f%%", pid ? usage_cpu(&now, &before[i], secs) : 0.0);
		before[i] = now;
		fmt_size(now.rss, true, a, sizeof(a));
		fmt_size(limit, true, b, sizeof(b));
		snprintf(mem, sizeof(mem), "%s / %s", a, b);
		snprintf(memp, sizeof(memp), "%.2f%%", (double)now.rss * 100.0 / (double)limit);
		fmt_size(now.rx, false, a, sizeof(a));
		fmt_size(now.tx, false, b, sizeof(b));
		snprintf(net, sizeof(net), "%s / %s", a, b);
		fmt_size(now.rd, false, a, sizeof(a));
		fmt_size(now.wr, false, b, sizeof(b));
		snprintf(blk, sizeof(blk), "%s / %s", a, b);
		snprintf(pids, sizeof(pids), "%d", now.pids);
		o = json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}", "ID", id,
		              "Container", id, "Name", record_name(rec), "CPUPerc", cpu, "MemUsage",
		              mem, "MemPerc", memp, "NetIO", net, "BlockIO", blk, "PIDs", pids);
		r = format_object(&fo, o, err);
		json_decref(o);
		if (r < 0)
			break;
	}
	format_end(&fo);
	fflush(stdout);
	return r < 0 ? r : running;
}

int cmd_stats(int argc, char **argv)
{
	struct stats_cfg c = { 0 };
	struct record *recs;
	size_t n;
	struct werr err = { 0 };
	struct usage *before;
	bool tty = isatty(STDOUT_FILENO);
	double secs = 0.5; /* the first CPU % is measured over half a second */
	int ind, rc = 0, r = cli_parse(&cli_cmd_stats, argc, argv, &ind, stats_opt, &c);

	if (r >= 0)
		return r;
	if (record_list(cli_gopts(), &recs, &n, &err) < 0)
		return cli_error(&err);
	for (int i = ind; i < argc; i++) {
		struct record probe;
		if (record_lookup(cli_gopts(), argv[i], &probe, &err) < 0)
			rc = cli_error(&err);
		else
			record_free(&probe);
	}
	before = calloc(n + 1, sizeof(*before));
	for (size_t i = 0; i < n && before; i++)
		if (state_refresh(&recs[i], &err) == 0 && state_running_pid(&recs[i]))
			usage_of(recs[i].id, state_running_pid(&recs[i]), &before[i]);
	for (;;) {
		struct timespec ts = { (time_t)secs, (long)((secs - (time_t)secs) * 1e9) };
		while (nanosleep(&ts, &ts) < 0 && errno == EINTR) {
		}
		if (!c.no_stream)
			for (size_t i = 0; i < n; i++)
				state_refresh(&recs[i], &err);
		/* Docker's terminal view: the screen cleared, the table redrawn */
		if (tty && !c.no_stream)
			fputs("\033[2J\033[H", stdout);
		r = before ? stats_table(&c, recs, n, before, secs, argc - ind, argv + ind, &err)
		           : 0;
		if (r < 0) {
			rc = cli_error(&err);
			break;
		}
		/* streaming ends when what it shows has stopped (with -a: never) */
		if (c.no_stream || (r == 0 && !(c.all && ind == argc)))
			break;
		secs = 1;
	}
	free(before);
	record_list_free(recs, n);
	return rc;
}
