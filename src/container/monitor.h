/* monitor.h - the per-container monitor: a small double-forked, setsid
 * process (no threads) that starts the container, holds its stdio (pipes or
 * the pty master), writes the log, serves attach clients, records the exit
 * and honours --restart and --rm. While the container runs it is the small
 * warren-monitor program (monitor/), exec'd in the same process. There is
 * no daemon: one monitor per running container, gone with it. */
#ifndef WARREN_MONITOR_H
#define WARREN_MONITOR_H

#include <stdbool.h>
#include <sys/ioctl.h>

#include "container.h"
#include "record.h"

struct monitor_params {
	struct record *rec;          /* loaded; its lock is held by the caller */
	struct container_spec *spec; /* built from rec->config */
	int client_fd;               /* an attach client connected from the start, or -1 */
	struct winsize ws;           /* initial pty size when ws.ws_row */
};

/**
 * monitor_start() - fork the monitor, which starts the container, and wait
 * until the container runs or has failed to start.
 * Return: 0 with *@pid the container's host PID, or a negative errno with
 * @err set and *@status the exit code for the user (125/126/127).
 */
int monitor_start(struct monitor_params *p, pid_t *pid, int *status, struct werr *err);

/**
 * monitor_cleanup() - `warren container cleanup`, exec'd by warren-monitor
 * in the monitor's process once the container has exited (argv: "cleanup"
 * and the words of monitor_proto.h): stop warren-net and warren-overlay,
 * start the container again for --restart (and exec warren-monitor anew),
 * else honour --rm, remove the runtime directory and tell attach clients
 * the exit code.
 * Return: only on bad arguments (not exec'd by a monitor): 125.
 */
int monitor_cleanup(int argc, char **argv);

#endif
