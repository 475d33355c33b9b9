/* subid.h - parser for /etc/subuid and /etc/subgid ("name-or-uid:start:count").
 * Shared by warren (to plan ID maps) and the setuid helpers (to check them),
 * so it must stay allocation-free, locale-free and overflow-safe. */
#ifndef WARREN_SUBID_H
#define WARREN_SUBID_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "werr.h"

/* a user's ranges that count: a map holds at most 340 lines (the kernel's
 * limit since 4.15), so later ones could never be mapped */
#define SUBID_MAX_RANGES 340
#define SUBID_LINE_MAX   4096 /* a longer line is malformed: it grants nothing */

struct subid_range {
	uint32_t start; /* first outside (host) ID */
	uint32_t count; /* number of IDs; start + count <= 2^32 - 1 */
};

/**
 * subid_parse() - collect the ranges a file grants to one user.
 * @text, @len: the file's contents (need not be NUL-terminated)
 * @user: the user's name (may be NULL); lines naming it or @uid in decimal match
 * @uid: the user's numeric ID
 * @out, @max: where to store matching ranges
 * @n: number stored
 *
 * Comments (#...), blank lines and malformed lines (bad numbers, overflow,
 * count 0, wrong field count) never grant anything; they are skipped.
 * Return: 0, or a negative errno with @err set (-E2BIG: more than @max ranges).
 */
int subid_parse(const char *text, size_t len, const char *user, uid_t uid, struct subid_range *out,
                size_t max, size_t *n, struct werr *err);

/**
 * subid_read_file() - the ranges a file grants to one user, read line by line
 * (a file of any size); a missing file grants nothing. Unlike subid_parse(),
 * keeps the first @max of the user's ranges and leaves out the rest: a plan
 * could not map more of them anyway. A line of the user's whose start +
 * count goes past the 32-bit ID space is an error (-ERANGE, @err naming the
 * file, the line and the fix), not skipped: its administrator meant it.
 * Return: 0 or a negative errno with @err set.
 */
int subid_read_file(const char *path, const char *user, uid_t uid, struct subid_range *out,
                    size_t max, size_t *n, struct werr *err);

/**
 * subid_line_fn - called for each valid line of a file, any user's:
 * @owner, @olen: its first field (a name or a decimal uid, not terminated)
 * @r: its range
 * Return: 0 to go on, or a negative errno that stops the reading.
 */
typedef int (*subid_line_fn)(const char *owner, size_t olen, const struct subid_range *r,
                             void *ctx);

/**
 * subid_read_each() - call @fn for each valid line of the file at @path, one
 * line at a time through a buffer of SUBID_LINE_MAX bytes (no allocation, no
 * size limit); comments, blank, malformed and over-long lines are skipped. A
 * missing file has no lines.
 * Return: 0, or a negative errno with @err set (also what @fn returned).
 */
int subid_read_each(const char *path, subid_line_fn fn, void *ctx, struct werr *err);

/**
 * subid_owner_p() - whether a line's first field @f (@len bytes) names the
 * user @user (may be NULL) or is @uid in decimal.
 */
bool subid_owner_p(const char *f, size_t len, const char *user, uid_t uid);

/**
 * subid_parse_u32() - strict decimal parse: digits only, no sign, no spaces,
 * no leading zeros beyond "0", value <= UINT32_MAX.
 * Return: 0 or -EINVAL / -ERANGE.
 */
int subid_parse_u32(const char *s, size_t len, uint32_t *out);

#endif
