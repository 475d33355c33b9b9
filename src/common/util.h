/* util.h - small shared helpers: whole-file reads and writes, atomic updates,
 * rm -rf. Nothing here may print or exit. */
#ifndef WARREN_UTIL_H
#define WARREN_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "werr.h"

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/**
 * util_read_upto() - read @len bytes from @fd, fewer at EOF or on an error
 * (a worker's result that may never come).
 * Return: the number of bytes read.
 */
size_t util_read_upto(int fd, void *buf, size_t len);

/**
 * util_read_fd_all() - read all of @fd into a NUL-terminated heap buffer.
 * @max: refuse (-EFBIG) files larger than this
 * Return: 0 with *@out (free it) and *@len set, or a negative errno.
 */
int util_read_fd_all(int fd, size_t max, char **out, size_t *len, struct werr *err);

/**
 * util_read_file() - util_read_fd_all() on a path relative to @dirfd.
 */
int util_read_file(int dirfd, const char *path, size_t max, char **out, size_t *len,
                   struct werr *err);

/**
 * util_write_all() - write(2) until done, retrying on EINTR and short writes.
 * Return: 0 or -errno.
 */
int util_write_all(int fd, const void *buf, size_t len);

/**
 * util_write_file_atomic() - write @len bytes to @path via temp file, fsync,
 * rename and fsync of the directory.
 */
int util_write_file_atomic(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
                           struct werr *err);

/** util_now_rfc3339() - the current time as RFC 3339 with nanoseconds, UTC. */
void util_now_rfc3339(char buf[40]);

/**
 * util_pid_start() - field 22 of /proc/@pid/stat, the process's start time:
 * with the PID it names one process for good (0 when gone or a zombie).
 */
unsigned long long util_pid_start(pid_t pid);

/**
 * util_pid_exiting() - whether @pid is gone, a zombie, or on its way out
 * (PF_EXITING in field 9 of /proc/@pid/stat: its exit has begun, its
 * namespaces and mounts are being released).
 */
bool util_pid_exiting(pid_t pid);

/**
 * util_mkdir_p() - mkdir -p with @mode; existing directories are fine.
 */
int util_mkdir_p(const char *path, mode_t mode, struct werr *err);

/**
 * util_rm_rf() - remove a tree below @path without following symlinks.
 * Return: 0 or -errno of the first failure (keeps going).
 */
int util_rm_rf(const char *path);

/**
 * util_rm_rf_at() - util_rm_rf() of @name in the directory @dfd (a missing
 * @name is fine; symlinks are removed, never followed).
 */
int util_rm_rf_at(int dfd, const char *name);

/**
 * util_fd_send() - send @len bytes of @buf (at least one) and, when @fd >= 0,
 * the descriptor @fd (SCM_RIGHTS) in one message on the unix socket @sock.
 * Return: 0 or -errno.
 */
int util_fd_send(int sock, int fd, const void *buf, size_t len);

/**
 * util_fd_recv() - receive one message into @buf (NUL-terminated, at most
 * @size - 1 bytes; its length in *@len when @len is not NULL) and the
 * descriptor that came with it (O_CLOEXEC), retrying on EINTR.
 * Return: the descriptor, -1 when none came, -EPIPE at end of stream, or -errno.
 */
int util_fd_recv(int sock, char *buf, size_t size, size_t *len);

/**
 * util_array_push() - append the @size bytes at @item to the heap array
 * *@arrp of *@n items, growing it by one.
 * Return: 0 or -ENOMEM (the array is unchanged).
 */
int util_array_push(void *arrp, size_t *n, size_t size, const void *item);

/**
 * util_find_program() - warren's helper program @name: next to the running
 * binary, in its ../libexec/warren/ (an installed tree), in its
 * ../@build_subdir/ when given (a build tree), then in $PATH when @use_path.
 * Return: 0 with the path in @out, or -ENOENT (the caller says what to do).
 */
int util_find_program(const char *name, const char *build_subdir, bool use_path, char *out,
                      size_t size);

/**
 * util_random_hex() - @n random hex digits into @buf (size n + 1).
 */
int util_random_hex(char *buf, size_t n);

#endif
