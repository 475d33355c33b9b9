/* console.h - the terminal of a container's process (-t), opened inside the
 * container as runc and crun do: a pty of the container's own devpts, whose
 * master is sent back to warren's side over a socket. */
#ifndef WARREN_CONSOLE_H
#define WARREN_CONSOLE_H

#include <sys/ioctl.h>

#include "werr.h"

/**
 * console_setup() - in a container's process, after its devpts is mounted
 * and it is in its root (and has its final credentials, so that the slave
 * is the user's): open /dev/pts/ptmx, make the slave the controlling
 * terminal of a new session and fds 0-2, apply @ws (0 rows: keep the
 * default), then send the master over @sock with the one byte "t".
 * Return: 0, or a negative errno with @err set.
 */
int console_setup(const struct winsize *ws, int sock, struct werr *err);

/**
 * console_receive() - warren's side of console_setup(): the master from
 * @sock, or -1 when the process ended (or closed @sock) without sending it.
 */
int console_receive(int sock);

#endif
