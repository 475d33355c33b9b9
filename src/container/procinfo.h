/* procinfo.h - a container's processes and their usage read from /proc (no
 * cgroup needed): members are the processes in the PID namespace of the
 * container's first process. */
#ifndef WARREN_PROCINFO_H
#define WARREN_PROCINFO_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct proc_sample {
	pid_t pid, ppid;
	uid_t uid;
	unsigned long long cpu_ticks, start_ticks;
	uint64_t rss_bytes, read_bytes, write_bytes;
	char tty[16];
	char cmd[256];
};

/**
 * procinfo_list() - the processes sharing @pid1's PID namespace.
 * Return: the number found (at most @max), or a negative errno.
 */
int procinfo_list(pid_t pid1, struct proc_sample *out, size_t max);

/** procinfo_net() - bytes received and sent on @pid's interfaces but lo. */
void procinfo_net(pid_t pid, uint64_t *rx, uint64_t *tx);

#endif
