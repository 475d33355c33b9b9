/* procinfo.c - /proc readers for top and stats. Read-only, and tolerant of
 * processes that exit while they are read. */
#include "procinfo.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static ino_t pidns_of(pid_t pid)
{
	char path[64];
	struct stat st;

	snprintf(path, sizeof(path), "/proc/%d/ns/pid", (int)pid);
	return stat(path, &st) == 0 ? st.st_ino : 0;
}

static int read_small(const char *path, char *buf, size_t size)
{
	_cleanup_close_ int fd = open(path, O_RDONLY | O_CLOEXEC);
	ssize_t n;

	if (fd < 0)
		return -1;
	n = read(fd, buf, size - 1);
	if (n < 0)
		return -1;
	buf[n] = '\0';
	return (int)n;
}

static void sample_one(pid_t pid, struct proc_sample *s)
{
	char path[64], buf[4096], *p;
	int tty_nr = 0, n;
	long rss = 0;

	memset(s, 0, sizeof(*s));
	s->pid = pid;
	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_small(path, buf, sizeof(buf)) > 0 && (p = strrchr(buf, ')'))) {
		unsigned long ut = 0, st = 0;
		sscanf(p + 2,
		       "%*c %d %*d %*d %d %*d %*u %*u %*u %*u %*u %lu %lu %*d %*d %*d %*d %*d "
		       "%*d %llu %*u %ld",
		       &s->ppid, &tty_nr, &ut, &st, &s->start_ticks, &rss);
		s->cpu_ticks = ut + st;
		s->rss_bytes = (uint64_t)rss * (uint64_t)sysconf(_SC_PAGESIZE);
	}
	if (tty_nr)
		snprintf(s->tty, sizeof(s->tty), "pts/%d",
		         (tty_nr & 0xff) | ((tty_nr >> 12) & 0xfff00));
	else
		snprintf(s->tty, sizeof(s->tty), "?");
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if (read_small(path, buf, sizeof(buf)) > 0 && (p = strstr(buf, "\nUid:")))
		s->uid = (uid_t)strtoul(p + 5, NULL, 10);
	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	if (read_small(path, buf, sizeof(buf)) > 0) {
		if ((p = strstr(buf, "read_bytes:")))
			s->read_bytes = strtoull(p + 11, NULL, 10);
		if ((p = strstr(buf, "\nwrite_bytes:")))
			s->write_bytes = strtoull(p + 13, NULL, 10);
	}
	snprintf(path, sizeof(path), "/proc/%d/cmdline", (int)pid);
	n = read_small(path, s->cmd, sizeof(s->cmd));
	for (int i = 0; i < n - 1; i++)
		if (!s->cmd[i])
			s->cmd[i] = ' ';
}

int procinfo_list(pid_t pid1, struct proc_sample *out, size_t max)
{
	ino_t ns = pidns_of(pid1);
	DIR *d;
	struct dirent *de;
	size_t n = 0;

	if (!ns)
		return -ESRCH;
	d = opendir("/proc");
	if (!d)
		return -errno;
	while ((de = readdir(d)) && n < max) {
		pid_t pid = (pid_t)atoi(de->d_name);
		if (pid <= 0 || pidns_of(pid) != ns)
			continue;
		sample_one(pid, &out[n++]);
	}
	closedir(d);
	return (int)n;
}

void procinfo_net(pid_t pid, uint64_t *rx, uint64_t *tx)
{
	char path[64], buf[8192];

	*rx = *tx = 0;
	snprintf(path, sizeof(path), "/proc/%d/net/dev", (int)pid);
	if (read_small(path, buf, sizeof(buf)) <= 0)
		return;
	for (char *line = strtok(buf, "\n"); line; line = strtok(NULL, "\n")) {
		char name[32];
		unsigned long long r, t;
		if (sscanf(line, " %31[^:]: %llu %*u %*u %*u %*u %*u %*u %*u %llu", name, &r, &t) ==
		        3 &&
		    strcmp(name, "lo")) {
			*rx += r;
			*tx += t;
		}
	}
}
