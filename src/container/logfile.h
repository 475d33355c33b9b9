/* logfile.h - the container log in the k8s-file format that podman and
 * kubelet use: one line per chunk, "TIME STREAM F|P DATA" (P: the line goes
 * on in the next entry), so stdout and stderr stay apart. Rotates at a size. */
#ifndef WARREN_LOGFILE_H
#define WARREN_LOGFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "werr.h"

struct logfile {
	int fd;
	char path[4096];
	long long size, max_size; /* max_size 0: never rotate */
	int max_file;             /* files kept, the current one included */
	int error;                /* errno of the first failed write, 0 if none */
};

/** logfile_open() - open (append) @path. */
int logfile_open(struct logfile *lf, const char *path, long long max_size, int max_file,
                 struct werr *err);

/**
 * logfile_write() - log @len bytes of @stream ("stdout"/"stderr"): one entry
 * per line, a trailing part as a P entry. A failed write (a full disk) sets
 * lf->error and drops the data: the container must keep running.
 * Return: 0, or -errno of the first failure of this call.
 */
int logfile_write(struct logfile *lf, const char *stream, const char *buf, size_t len);

void logfile_close(struct logfile *lf);

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
