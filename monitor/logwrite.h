/* logwrite.h - warren-monitor's writer of the container log, in the
 * k8s-file format warren's `logs` reads (src/container/logfile.h): one
 * "TIME STREAM F|P DATA" line per chunk; rotated at a size. */
#ifndef WARREN_LOGWRITE_H
#define WARREN_LOGWRITE_H

#include <stddef.h>

struct logwrite {
	int fd;
	const char *path;
	long long size, max_size; /* max_size 0: never rotate */
	int max_file;             /* files kept, the current one included */
	int error;                /* errno of the first failed write, 0 if none */
};

/** logwrite_init() - take over the open (append) log @fd of @path. */
void logwrite_init(struct logwrite *lw, int fd, const char *path, long long max_size, int max_file);

/**
 * logwrite_chunk() - log @len bytes of @stream ("stdout"/"stderr"): one
 * entry per line, a trailing part as a P entry. A failed write (a full
 * disk) sets lw->error and drops the data: the container must keep running.
 * Return: 0, or -errno of the first failure of this call.
 */
int logwrite_chunk(struct logwrite *lw, const char *stream, const char *buf, size_t len);

#endif
