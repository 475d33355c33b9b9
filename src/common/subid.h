/* subid.h - parser for /etc/subuid and /etc/subgid ("name-or-uid:start:count").
 * Shared by warren (to plan ID maps) and the setuid helpers (to check them),
 * so it must stay allocation-free, locale-free and overflow-safe. */
#ifndef WARREN_SUBID_H
#define WARREN_SUBID_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "werr.h"

#define SUBID_MAX_RANGES 64
#define SUBID_FILE_MAX   (1024 * 1024) /* larger files are refused */

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
 * subid_read_file() - subid_parse() on a file; a missing file grants nothing.
 * Return: 0 or a negative errno with @err set.
 */
int subid_read_file(const char *path, const char *user, uid_t uid, struct subid_range *out,
                    size_t max, size_t *n, struct werr *err);

/**
 * subid_parse_u32() - strict decimal parse: digits only, no sign, no spaces,
 * no leading zeros beyond "0", value <= UINT32_MAX.
 * Return: 0 or -EINVAL / -ERANGE.
 */
int subid_parse_u32(const char *s, size_t len, uint32_t *out);

#endif
