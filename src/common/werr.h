/* werr.h - the one error type of the whole tree.
 * Library-style functions return 0 or a negative errno and fill a struct werr
 * with a message that has context; only main() prints it. Never exit() here. */
#ifndef WARREN_WERR_H
#define WARREN_WERR_H

#include <errno.h>
#include <stdarg.h>

#define WERR_MSG_MAX 1024

/* the exit codes of a failure that is warren's, not the container's, as
 * Docker's: 125 warren itself failed, 126 the command cannot be executed,
 * 127 it was not found */
#define EXIT_WARREN      125
#define EXIT_CANNOT_EXEC 126
#define EXIT_NOT_FOUND   127

struct werr {
	int code;               /* errno-like, positive; 0 when no error */
	char msg[WERR_MSG_MAX]; /* "what failed, on what: why (fix)" */
};

/**
 * werr_set() - record an error message.
 * Return: -EIO style negative value (-1 * code, or -EINVAL when code is 0).
 */
int werr_set(struct werr *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * werr_errno() - record an error with strerror(code) appended: "MSG: strerror".
 * Return: -code.
 */
int werr_errno(struct werr *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/**
 * werr_prefix() - prepend context to an existing message: "CTX: old message".
 * Return: -err->code.
 */
int werr_prefix(struct werr *err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/**
 * werr_print() - print "PROG: message" on stderr as one line; nothing for
 * an error marked with werr_reported() (a helper process already said it).
 */
void werr_print(const struct werr *err, const char *prog);

/**
 * werr_reported() - record a failure whose message another process (a
 * helper program sharing our stderr) has already printed.
 * Return: -code.
 */
int werr_reported(struct werr *err, int code);

#endif
