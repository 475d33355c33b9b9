/* subid_nss.h - subordinate ID ranges from the source /etc/nsswitch.conf
 * names on a `subid:` line (SSSD for LDAP/FreeIPA sites), through shadow's
 * libsubid, loaded only when such a line names a source other than files. */
#ifndef WARREN_SUBID_NSS_H
#define WARREN_SUBID_NSS_H

#include <stdbool.h>
#include <stddef.h>

#include "subid.h"
#include "werr.h"

/**
 * subid_nss_source() - the source the `subid:` line of @nsswitch (NULL:
 * /etc/nsswitch.conf) names, as libsubid reads it (its first word), into
 * @buf; "" where there is no such line, it names files, or the file is
 * missing: the ranges are in /etc/subuid and /etc/subgid.
 */
void subid_nss_source(const char *nsswitch, char *buf, size_t size);

/**
 * subid_nss_ranges() - @user's uid ranges (@gid false) or gid ranges from
 * libsubid (libsubid.so.4, loaded on first use), at most @max of them into
 * @out; a range past the last 32-bit ID is refused, one that is empty is
 * left out.
 * Return: 0 with *@n set, or a negative errno with @err naming the source
 * and the fix (libsubid missing, the source failing, a bad range).
 */
int subid_nss_ranges(const char *source, const char *user, bool gid, struct subid_range *out,
                     size_t max, size_t *n, struct werr *err);

#endif
