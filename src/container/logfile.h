/* logfile.h - the container log in the k8s-file format that podman and
 * kubelet use: one line per chunk, "TIME STREAM F|P DATA" (P: the line goes
 * on in the next entry), so stdout and stderr stay apart. warren-monitor
 * writes it and rotates it at a size (monitor/logwrite.c); this reads it. */
#ifndef WARREN_LOGFILE_H
#define WARREN_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "werr.h"

struct logs_opts {
	bool follow, timestamps;
	long long tail; /* -1: all */
	int64_t since_ns, until_ns;
};

/**
 * logfile_print() - write the log at @path (and its rotated files) to
 * @out_fd / @err_fd by stream. With follow, keeps reading until @done
 * returns true for @ctx.
 */
int logfile_print(const char *path, const struct logs_opts *o, int out_fd, int err_fd,
                  bool (*done)(void *ctx), void *ctx, struct werr *err);

#endif
