/* monitor_proto.h - what warren and warren-monitor hand each other on the
 * command line when one execs the other in the same process: warren starts
 * the container and execs warren-monitor (the idle loop); at the exit,
 * warren-monitor execs `warren container cleanup` (network, mounts, --rm,
 * --restart), which may start the container again and exec it anew.
 * Descriptors are passed by number (their FD_CLOEXEC cleared for the exec). */
#ifndef WARREN_MONITOR_PROTO_H
#define WARREN_MONITOR_PROTO_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "werr.h"

#define MONITOR_PROG        "warren-monitor"
#define MONITOR_MAX_CLIENTS 16
#define MONITOR_MAX_ARGS    (32 + MONITOR_MAX_CLIENTS)

enum monitor_restart {
	MONITOR_RESTART_NO = 0,
	MONITOR_RESTART_ON_FAILURE, /* a non-zero exit restarts (retries left) */
	MONITOR_RESTART_ALWAYS,
};

struct monitor_args {
	const char *id;         /* the container's 64 hex digits */
	const char *record_dir; /* <store>/containers/<id>: state.json and lock */
	const char *warren;     /* the warren binary to exec for the cleanup */
	const char *log_path;   /* ctr.log, rotated by path */
	long long log_max_size; /* 0: never rotate */
	int log_max_file;
	pid_t pid;         /* the container's first process, our child */
	pid_t net_pid;     /* warren-net, our child, else 0 */
	pid_t overlay_pid; /* warren-overlay, our child, else 0 */
	int lock_fd;       /* monitor.lock, held (flock) for the monitor's whole life */
	int listen_fd;     /* attach.sock */
	int out_fd, err_fd, in_fd, log_fd; /* -1 when absent; out_fd is the pty master with tty */
	bool tty;
	enum monitor_restart restart;
	int restarts;                 /* restarts so far */
	int stop_signal;              /* how the idle half stops the container (its StopSignal) */
	int stop_timeout;             /* seconds before SIGKILL follows (its StopTimeout) */
	long long health_interval_ms; /* Config.Healthcheck's interval; 0: no check */
	int code;                     /* cleanup: the exit code (128 + signal when killed) */
	bool restarting;              /* cleanup: start it again */
	int clients[MONITOR_MAX_CLIENTS];
	size_t n_clients;
};

/**
 * monitor_args_format() - @a as "--key=value" words into @argv (at most
 * MONITOR_MAX_ARGS - 1 of them, then NULL), the strings kept in @store.
 * @argv[0] and @argv[1] are left to the caller (the program and, for warren,
 * its command words come first: @first is where the options start).
 * Return: the number of words, or -E2BIG.
 */
int monitor_args_format(const struct monitor_args *a, char *store, size_t size, char **argv,
                        int first);

/**
 * monitor_args_parse() - the reverse, for argv[@first..@argc); the strings
 * point into @argv. Every fd named is set FD_CLOEXEC again.
 * Return: 0, or -EINVAL with @err naming the bad word.
 */
int monitor_args_parse(int argc, char **argv, int first, struct monitor_args *a, struct werr *err);

/**
 * monitor_signals_block() - block the signals a monitor reads from a
 * signalfd (SIGCHLD, SIGTERM, SIGINT, SIGHUP; the mask survives exec, so a
 * container's exit is never missed between the programs) into @set, and
 * ignore SIGPIPE.
 */
void monitor_signals_block(sigset_t *set);

/** monitor_args_inherit() - clear FD_CLOEXEC on every fd of @a, before an exec. */
void monitor_args_inherit(const struct monitor_args *a);

/**
 * monitor_client_end() - send the last message @msg (@len bytes) to the
 * attach client @fd and close it. What the client sent that nobody read
 * (a resize, input after the container ended) is read and dropped first:
 * closing a socket with unread messages resets the client's end, and the
 * client would get ECONNRESET instead of @msg.
 */
void monitor_client_end(int fd, const void *msg, size_t len);

#endif
