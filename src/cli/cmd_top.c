/* cmd_top.c - `warren top` and `warren stats --no-stream`: a container's
 * processes and usage from /proc (this machine delegates no cgroup, so CPU,
 * memory and PIDs are summed over the processes of its PID namespace). */
#include "cliutil.h"
#include "commands.h"
#include "format.h"
#include "procinfo.h"
#include "state.h"
#include "util.h"

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

/* implements opt_cb for top and stats */
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

static void fmt_ticks(unsigned long long ticks, char *buf, size_t size)
{
	unsigned long long s = ticks / (unsigned long long)sysconf(_SC_CLK_TCK);

	snprintf(buf, size, "%02llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
}

static const struct opt_def top_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

const struct cli_cmd cli_cmd_top = {
	"top", "CONTAINER", "Show the running processes of a container.", top_opts, 1, 1
};

int cmd_top(int argc, char **argv)
{
	static struct proc_sample ps[TOP_MAX];
	struct table t = { 0 };
	struct record rec;
	struct werr err = { 0 };
	static const char *const head[] = {
		"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"
	};
	pid_t pid;
	int ind, n, r = cli_parse(&cli_cmd_top, argc, argv, &ind, stats_opt, NULL);

	if (r >= 0)
		return r;
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0 || state_refresh(&rec, &err) < 0)
		return cli_error(&err);
	pid = state_running_pid(&rec);
	n = pid ? procinfo_list(pid, ps, TOP_MAX) : -ESRCH;
	if (n < 0) {
		werr_set(&err, EINVAL, "container %s is not running", record_name(&rec));
		record_free(&rec);
		return cli_error(&err);
	}
	table_add(&t, 8, head);
	for (int i = 0; i < n; i++) {
		char uid[16], p[16], pp[16], tm[16], st[16];
		const char *row[8] = { uid, p, pp, "0", st, ps[i].tty, tm, ps[i].cmd };
		time_t boot = time(NULL) - 0;
		(void)boot;
		snprintf(uid, sizeof(uid), "%u", (unsigned)ps[i].uid);
		snprintf(p, sizeof(p), "%d", (int)ps[i].pid);
		snprintf(pp, sizeof(pp), "%d", (int)ps[i].ppid);
		fmt_ticks(ps[i].cpu_ticks, tm, sizeof(tm));
		fmt_ticks(ps[i].start_ticks, st, sizeof(st));
		table_add(&t, 8, row);
	}
	table_print(stdout, &t);
	record_free(&rec);
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
	uint64_t rss, rd, wr, rx, tx;
	int pids;
};

static void usage_of(pid_t pid, struct usage *u)
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
}

static const struct opt_def stats_opts[] = {
	{ "no-stream", 0, OPT_FLAG, NULL, "Print one sample and exit", S_NO_STREAM },
	{ "all", 'a', OPT_FLAG, NULL, "All containers (default: running ones)", S_ALL },
	{ "format", 0, OPT_VALUE, "FORMAT", "json or a Go template", S_FORMAT },
	{ "no-trunc", 0, OPT_FLAG, NULL, "Do not truncate output", S_NO_TRUNC },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_stats = { "stats",
	                               "[OPTIONS] [CONTAINER...]",
	                               "Resource usage of containers (one sample: --no-stream).",
	                               stats_opts,
	                               0,
	                               -1 };

int cmd_stats(int argc, char **argv)
{
	static const char *const heads[] = {
		"ID",        "CONTAINER ID", "Container", "CONTAINER", "Name",
		"NAME",      "CPUPerc",      "CPU %",     "MemUsage",  "MEM USAGE / LIMIT",
		"MemPerc",   "MEM %",        "NetIO",     "NET I/O",   "BlockIO",
		"BLOCK I/O", "PIDs",         "PIDS",      NULL
	};
	struct stats_cfg c = { 0 };
	struct record *recs;
	size_t n;
	struct werr err = { 0 };
	struct format fo;
	struct usage *before;
	long mem_total = sysconf(_SC_PHYS_PAGES) * sysconf(_SC_PAGESIZE);
	int ind, rc = 0, r = cli_parse(&cli_cmd_stats, argc, argv, &ind, stats_opt, &c);

	if (r >= 0)
		return r;
	if (!c.no_stream) {
		fprintf(stderr, "warren: stats streams only with --no-stream for now: use "
		                "warren stats --no-stream\n");
		return cli_error_exit();
	}
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
			usage_of(state_running_pid(&recs[i]), &before[i]);
	usleep(500000); /* CPU % is measured over half a second */
	if (format_begin(&fo, stdout, c.format, STATS_TABLE, heads, &err) < 0) {
		free(before);
		record_list_free(recs, n);
		return cli_error(&err);
	}
	for (size_t i = 0; i < n && before; i++) {
		struct record *rec = &recs[i];
		pid_t pid = state_running_pid(rec);
		struct usage now = { 0 };
		char id[65], cpu[16], mem[64], memp[16], net[64], blk[64], pids[16], a[24], b[24];
		json_t *o;
		bool named = ind == argc;
		for (int k = ind; k < argc && !named; k++)
			named = !strcmp(argv[k], record_name(rec)) ||
			        !strncmp(rec->id, argv[k], strlen(argv[k]));
		if (!named || (!pid && !c.all && ind == argc))
			continue;
		if (pid)
			usage_of(pid, &now);
		snprintf(id, sizeof(id), "%.*s", c.no_trunc ? 64 : 12, rec->id);
		snprintf(cpu, sizeof(cpu), "%.2f%%",
		         pid ? (double)(now.ticks - before[i].ticks) * 100.0 /
		                   (double)sysconf(_SC_CLK_TCK) / 0.5
		             : 0.0);
		fmt_size(now.rss, true, a, sizeof(a));
		fmt_size((uint64_t)mem_total, true, b, sizeof(b));
		snprintf(mem, sizeof(mem), "%s / %s", a, b);
		snprintf(memp, sizeof(memp), "%.2f%%", (double)now.rss * 100.0 / (double)mem_total);
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
		r = format_object(&fo, o, &err);
		json_decref(o);
		if (r < 0) {
			rc = cli_error(&err);
			break;
		}
	}
	format_end(&fo);
	free(before);
	record_list_free(recs, n);
	return rc;
}
