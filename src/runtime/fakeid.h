/* fakeid.h - user and group IDs kept per process for single-ID containers:
 * a seccomp user-notification filter sends the setuid/setgid/setgroups
 * family and the matching get calls to a small supervisor outside the
 * container, which remembers what each process asked to become and answers
 * with it. Package managers that drop privileges and then check they did
 * (apt's _apt sandbox) work although only one ID is mapped. */
#ifndef WARREN_FAKEID_H
#define WARREN_FAKEID_H

#include <sys/types.h>

/**
 * fakeid_supervisor_start() - in the process that creates a container:
 * fork the supervisor (double-forked, its own session, no stdio), which
 * waits on @sock for a listener fd and serves it until every process under
 * the filter has exited. A process that never set an ID has @uid and @gid
 * (the container's one mapped ID, as seen inside).
 * Return: 0, or a negative errno (no supervisor: the caller falls back to
 * the stateless filter).
 */
int fakeid_supervisor_start(int sock, uid_t uid, gid_t gid);

/**
 * fakeid_install() - in the container's process, as its last filter before
 * exec: the user-notification filter, its listener sent over @sock to the
 * supervisor and closed here.
 * Return: 0; 1 when the kernel cannot (before 5.5, or the filter refused)
 * and nothing was installed; a negative errno when the filter is installed
 * but its listener could not be sent (the process must not run on).
 */
int fakeid_install(int sock);

#endif
