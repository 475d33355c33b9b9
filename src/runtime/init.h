/* init.h - the built-in minimal init for --init: PID 1 of the container that
 * forwards signals to the command and reaps zombies. */
#ifndef WARREN_INIT_H
#define WARREN_INIT_H

#include <sys/types.h>

/**
 * init_run() - be PID 1 for @child: forward every catchable signal to it,
 * reap every exited process, and when @child exits, exit with its code
 * (128 + signal number when it was killed). All signals must be blocked in
 * the caller. Never returns.
 */
__attribute__((noreturn)) void init_run(pid_t child);

#endif
