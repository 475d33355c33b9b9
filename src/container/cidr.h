/* cidr.h - IPv4 subnets as `network create` takes them ("10.89.0.0/24"):
 * parsed strictly, compared for overlap, and the host's own routes read
 * from /proc/net/route so that a new network never shadows one of them. */
#ifndef WARREN_CIDR_H
#define WARREN_CIDR_H

#include <stdbool.h>
#include <stdint.h>

#include "werr.h"

struct cidr {
	uint32_t addr; /* host byte order, host bits zero */
	unsigned prefix;
};

/**
 * cidr_parse() - "A.B.C.D/N" into @c. Host bits must be zero, as Docker
 * requires; IPv6 is refused with its own message.
 * Return: 0, or -EINVAL with a one-line @err naming @what ("--subnet").
 */
int cidr_parse(const char *s, const char *what, struct cidr *c, struct werr *err);

/**
 * cidr_parse_addr() - one dotted IPv4 address into *@addr (host order).
 * Return: 0 or -EINVAL (no message: the caller knows what it was).
 */
int cidr_parse_addr(const char *s, uint32_t *addr);

/** cidr_contains_p() - whether @addr lies in @c. */
bool cidr_contains_p(const struct cidr *c, uint32_t addr);

/** cidr_overlap_p() - whether @a and @b share an address. */
bool cidr_overlap_p(const struct cidr *a, const struct cidr *b);

/** cidr_format() - @c as "A.B.C.D/N" into @buf (at least 19 bytes). */
void cidr_format(const struct cidr *c, char *buf);

/** cidr_format_addr() - @addr as "A.B.C.D" into @buf (at least 16 bytes). */
void cidr_format_addr(uint32_t addr, char *buf);

/**
 * cidr_host_route_overlap() - the first route of the host's main table
 * (the default route excepted) that overlaps @c: its device into @dev
 * (16 bytes) and its destination into *@route.
 * Return: true when one does (an unreadable /proc/net/route: false).
 */
bool cidr_host_route_overlap(const struct cidr *c, char *dev, struct cidr *route);

#endif
