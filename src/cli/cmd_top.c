/* cmd_top.c - `warren top`: a container's processes from /proc, as ps -ef
 * shows them, through the host's ps with Docker's ps options, or with
 * podman's descriptors in the container's view. */
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
#include <errno.h>
#include <fcntl.h>
#include <sys/wait.h>
#include "cleanup.h"

#define TOP_MAX 4096

/* implements opt_cb for top: its only option is --help */
static int top_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	(void)ctx;
	(void)def;
	(void)v;
	(void)err;
	return 0;
}

/* /proc/PID/comm, or "?" */
static void top_comm(pid_t pid, char *buf, size_t size)
{
	char path[64];
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	snprintf(buf, size, "?");
	f = fopen(path, "re");
	if (f) {
		if (fgets(buf, (int)size, f))
			buf[strcspn(buf, "\n")] = '\0';
		fclose(f);
	}
}

/* the nice value, field 19 of /proc/PID/stat */
static void top_nice(pid_t pid, char *buf, size_t size)
{
	char path[64], line[1024], *p;
	FILE *f;
	long v = 0;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "re");
	if (f && fgets(line, sizeof(line), f) && (p = strrchr(line, ')')))
		sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %ld",
		       &v);
	if (f)
		fclose(f);
	snprintf(buf, size, "%ld", v);
}

static void fmt_ticks(unsigned long long ticks, char *buf, size_t size)
{
	unsigned long long s = ticks / (unsigned long long)sysconf(_SC_CLK_TCK);

	snprintf(buf, size, "%02llu:%02llu:%02llu", s / 3600, s / 60 % 60, s % 60);
}

static const struct opt_def top_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

const struct cli_cmd cli_cmd_top = {
	"top",
	"CONTAINER [ps OPTIONS | DESCRIPTORS]",
	"Show the running processes of a container: ps -ef by default, ps's own options "
	"(-o pid,args, aux), or podman's descriptors (pid ppid user args comm etime time pcpu)",
	top_opts,
	1,
	-1,
	OPTS_STOP_AT_OPERAND
};

/* podman's descriptors: name, header */
static const char *const top_descs[] = {
	"pid",  "PID",     "ppid", "PPID",    "user",  "USER",    "group", "GROUP",
	"args", "COMMAND", "comm", "COMMAND", "etime", "ELAPSED", "time",  "TIME",
	"pcpu", "%CPU",    "tty",  "TTY",     "nice",  "NI",      NULL,
};

/* the header of podman's descriptor @d, NULL when it is none */
static const char *top_desc_head(const char *d)
{
	for (size_t i = 0; top_descs[i]; i += 2)
		if (!strcmp(d, top_descs[i]))
			return top_descs[i + 1];
	return NULL;
}

/* Go's time.Duration text, as podman prints ELAPSED and TIME: 1h2m3.5s */
static void fmt_go_duration(double secs, char *buf, size_t size)
{
	long h = (long)(secs / 3600), m = (long)(secs / 60) % 60;
	double s = secs - (double)h * 3600 - (double)m * 60;
	int n = 0;

	if (h)
		n = snprintf(buf, size, "%ldh", h);
	if (h || m)
		n += snprintf(buf + n, size - (size_t)n, "%ldm", m);
	snprintf(buf + n, size - (size_t)n, "%.9g%s", s < 0 ? 0 : s, "s");
}

/* the container's ID for host @id in @pid's @map ("uid_map"), -1 if unmapped */
static long top_map_back(pid_t pid, const char *map, unsigned long id)
{
	char path[64];
	unsigned long in, out, count;
	long found = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, map);
	f = fopen(path, "re");
	if (!f)
		return -1;
	while (found < 0 && fscanf(f, "%lu %lu %lu", &in, &out, &count) == 3)
		if (id >= out && id - out < count)
			found = (long)(in + id - out);
	fclose(f);
	return found;
}

/* one status line's first number ("Gid:"), or 0 */
static unsigned long top_status_id(pid_t pid, const char *key)
{
	char path[64], line[256];
	unsigned long v = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (!strncmp(line, key, strlen(key))) {
			v = strtoul(line + strlen(key), NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* the name of container ID @id in the container's @file (passwd, group) as
 * its first process sees it, else the number */
static void top_id_name(pid_t pid1, const char *file, long id, char *buf, size_t size)
{
	char path[64], line[512];
	FILE *f;

	snprintf(buf, size, "%ld", id);
	snprintf(path, sizeof(path), "/proc/%d/root/etc/%s", (int)pid1, file);
	f = fopen(path, "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *name = strtok(line, ":"), *x = strtok(NULL, ":"), *num = strtok(NULL, ":");
		if (name && x && num && strtol(num, NULL, 10) == id) {
			snprintf(buf, size, "%s", name);
			break;
		}
	}
	fclose(f);
}

/* podman's `top CTR DESCRIPTOR...`, from /proc in the container's view */
static int top_descriptors(pid_t pid1, const struct proc_sample *ps, int n, char **descs, int nd)
{
	struct table t = { 0 };
	const char *row[32];
	char cells[32][272];
	double hz = (double)sysconf(_SC_CLK_TCK), up = 0;
	FILE *f = fopen("/proc/uptime", "re");

	if (f) {
		if (fscanf(f, "%lf", &up) != 1)
			up = 0;
		fclose(f);
	}
	for (int k = 0; k < nd; k++)
		row[k] = top_desc_head(descs[k]);
	table_add(&t, (size_t)nd, row);
	for (int i = 0; i < n; i++) {
		double cpu = (double)ps[i].cpu_ticks / hz,
		       age = up - (double)ps[i].start_ticks / hz;
		for (int k = 0; k < nd; k++) {
			const char *d = descs[k];
			char *c = cells[k];
			row[k] = c;
			if (!strcmp(d, "pid"))
				snprintf(c, sizeof(cells[k]), "%d", (int)ps[i].pid);
			else if (!strcmp(d, "ppid"))
				snprintf(c, sizeof(cells[k]), "%d", (int)ps[i].ppid);
			else if (!strcmp(d, "user"))
				top_id_name(pid1, "passwd",
				            top_map_back(ps[i].pid, "uid_map", ps[i].uid), c,
				            sizeof(cells[k]));
			else if (!strcmp(d, "group"))
				top_id_name(pid1, "group",
				            top_map_back(ps[i].pid, "gid_map",
				                         top_status_id(ps[i].pid, "Gid:")),
				            c, sizeof(cells[k]));
			else if (!strcmp(d, "args"))
				snprintf(c, sizeof(cells[k]), "%s", ps[i].cmd);
			else if (!strcmp(d, "comm"))
				top_comm(ps[i].pid, c, sizeof(cells[k]));
			else if (!strcmp(d, "etime"))
				fmt_go_duration(age, c, sizeof(cells[k]));
			else if (!strcmp(d, "time"))
				fmt_go_duration(cpu, c, sizeof(cells[k]));
			else if (!strcmp(d, "pcpu"))
				snprintf(c, sizeof(cells[k]), "%.3f",
				         age > 0 ? cpu * 100 / age : 0.0);
			else if (!strcmp(d, "tty"))
				snprintf(c, sizeof(cells[k]), "%s", ps[i].tty);
			else /* nice */
				top_nice(ps[i].pid, c, sizeof(cells[k]));
		}
		table_add(&t, (size_t)nd, row);
	}
	table_print(stdout, &t);
	return 0;
}

/* Docker's `top CTR ps OPTIONS`: the host's ps with those options, its rows
 * kept when their PID column names a process of the container */
static int top_ps(const struct proc_sample *ps, int n, int argc, char **argv, struct werr *err)
{
	char **pargv = calloc((size_t)argc + 2, sizeof(char *));
	_cleanup_free_ char *out = NULL;
	struct table t = { 0 };
	char *line, *save = NULL;
	size_t ntitles = 0;
	int pidcol = -1, pipefd[2], st;
	size_t len = 0;
	pid_t child;
	const char *titles[64];

	if (!pargv)
		return werr_set(err, ENOMEM, "out of memory");
	pargv[0] = "ps";
	memcpy(pargv + 1, argv, (size_t)argc * sizeof(char *));
	if (pipe2(pipefd, O_CLOEXEC) < 0) {
		free(pargv);
		return werr_errno(err, errno, "pipe");
	}
	child = fork();
	if (child == 0) {
		/* its complaint comes back to be one line of ours */
		dup2(pipefd[1], STDOUT_FILENO);
		dup2(pipefd[1], STDERR_FILENO);
		execvp("ps", pargv);
		_exit(127);
	}
	free(pargv);
	close(pipefd[1]);
	if (child < 0 || util_read_fd_all(pipefd[0], 1 << 24, &out, &len, err) < 0) {
		close(pipefd[0]);
		return child < 0 ? werr_errno(err, errno, "fork") : -err->code;
	}
	close(pipefd[0]);
	while (waitpid(child, &st, 0) < 0 && errno == EINTR) {
	}
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
		return werr_set(err, EINVAL,
		                "ps refused the options: %.*s (give options ps accepts, such as "
		                "-ef, aux or -o pid,args)",
		                (int)strcspn(out, "\n"), out);
	for (line = strtok_r(out, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		const char *cells[64];
		size_t k = 0;
		char *p = line;
		if (!ntitles) {
			for (char *w = strtok(p, " \t"); w && ntitles < 64; w = strtok(NULL, " \t"))
				titles[ntitles++] = w;
			for (size_t i = 0; i < ntitles; i++)
				if (!strcmp(titles[i], "PID"))
					pidcol = (int)i;
			if (pidcol < 0)
				return werr_set(err, EINVAL,
				                "ps's output has no PID column: add "
				                "pid to -o (as Docker requires)");
			table_add(&t, ntitles, titles);
			continue;
		}
		/* ntitles fields, the last one the rest of the line (a command) */
		while (k < ntitles) {
			while (*p == ' ' || *p == '\t')
				p++;
			cells[k++] = p;
			if (k == ntitles)
				break;
			p += strcspn(p, " \t");
			if (*p)
				*p++ = '\0';
		}
		if (k < ntitles)
			continue;
		for (int i = 0; i < n; i++)
			if (atoi(cells[pidcol]) == (int)ps[i].pid) {
				table_add(&t, ntitles, cells);
				break;
			}
	}
	table_print(stdout, &t);
	return 0;
}

int cmd_top(int argc, char **argv)
{
	static struct proc_sample ps[TOP_MAX];
	struct table t = { 0 };
	struct record rec;
	struct werr err = { 0 };
	static const char *const head[] = {
		"UID", "PID", "PPID", "C", "STIME", "TTY", "TIME", "CMD"
	};
	char *descs[32];
	int nd = 0;
	bool podman = true;
	pid_t pid;
	int ind, n, r;

	/* what follows the container is ps's (or podman's), never warren's */
	for (ind = 1; ind < argc && argv[ind][0] == '-' && strcmp(argv[ind], "--"); ind++)
		if (!strcmp(argv[ind], "--help") || !strcmp(argv[ind], "-h"))
			break;
	r = cli_parse(&cli_cmd_top, ind < argc ? ind + 1 : argc, argv, &ind, top_opt, NULL);
	if (r >= 0)
		return r;
	/* podman's descriptors, space- or comma-separated; anything else is ps's */
	for (int i = ind + 1; i < argc && podman; i++) {
		static char dbuf[4096];
		static size_t used;
		char *w, *save = NULL, *copy = dbuf + used;
		size_t l = strlen(argv[i]) + 1;
		if (used + l > sizeof(dbuf))
			break;
		memcpy(copy, argv[i], l);
		used += l;
		for (w = strtok_r(copy, ",", &save); w && podman; w = strtok_r(NULL, ",", &save)) {
			podman = top_desc_head(w) && nd < 32;
			if (podman)
				descs[nd++] = w;
		}
	}
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0 || state_refresh(&rec, &err) < 0)
		return cli_error(&err);
	pid = state_running_pid(&rec);
	n = pid ? procinfo_list(pid, ps, TOP_MAX) : -ESRCH;
	if (n < 0) {
		werr_set(&err, EINVAL, "container %s is not running", record_name(&rec));
		record_free(&rec);
		return cli_error(&err);
	}
	if (ind + 1 < argc) {
		r = podman ? top_descriptors(pid, ps, n, descs, nd)
		           : top_ps(ps, n, argc - ind - 1, argv + ind + 1, &err);
		record_free(&rec);
		return r < 0 ? cli_error(&err) : 0;
	}
	table_add(&t, 8, head);
	for (int i = 0; i < n; i++) {
		char uid[16], p[16], pp[16], tm[16], st[16];
		const char *row[8] = { uid, p, pp, "0", st, ps[i].tty, tm, ps[i].cmd };
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
