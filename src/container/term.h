/* term.h - the user's terminal while attached: raw mode (restored on every
 * path out), its size, and Docker's detach key sequence (ctrl-p,ctrl-q). */
#ifndef WARREN_TERM_H
#define WARREN_TERM_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/ioctl.h>
#include <termios.h>

#include "werr.h"

struct term_raw {
	int fd;
	struct termios saved;
	bool active;
};

/** term_raw_enter() - put @fd in raw mode if it is a terminal. */
void term_raw_enter(int fd, struct term_raw *t);

/** term_raw_leave() - restore what term_raw_enter() changed. */
void term_raw_leave(struct term_raw *t);

struct detach_keys {
	unsigned char keys[16];
	size_t n, matched;
};

/** term_detach_parse() - "ctrl-p,ctrl-q", "ctrl-a,x"... ("" disables). */
int term_detach_parse(const char *spec, struct detach_keys *d, struct werr *err);

/**
 * term_detach_scan() - copy @in to @out (room for n + sizeof(keys)),
 * holding back a partial detach sequence. Return: bytes in @out; *@detach
 * set when the whole sequence was typed.
 */
size_t term_detach_scan(struct detach_keys *d, const char *in, size_t n, char *out, bool *detach);

#endif
