/* cidr.c - IPv4 subnet parsing and overlap checks for warren networks. It
 * reads /proc/net/route and nothing else of the host; it never changes a
 * route. */
#include "cidr.h"
#include "cleanup.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static uint32_t cidr_mask(unsigned prefix)
{
	return prefix ? ~(uint32_t)0 << (32 - prefix) : 0;
}

int cidr_parse_addr(const char *s, uint32_t *addr)
{
	struct in_addr in;

	/* inet_pton takes exactly four decimal parts, no octal or hex */
	if (inet_pton(AF_INET, s, &in) != 1)
		return -EINVAL;
	*addr = ntohl(in.s_addr);
	return 0;
}

int cidr_parse(const char *s, const char *what, struct cidr *c, struct werr *err)
{
	char ip[INET_ADDRSTRLEN], *end;
	const char *slash = strchr(s, '/');
	unsigned long prefix;
	uint32_t addr;

	if (strchr(s, ':'))
		return werr_set(err, EINVAL,
		                "invalid %s \"%s\": IPv6 networks are not supported yet: use an "
		                "IPv4 subnet such as 10.89.0.0/24",
		                what, s);
	if (!slash || (size_t)(slash - s) >= sizeof(ip) || !slash[1] || slash[1] < '0' ||
	    slash[1] > '9')
		goto bad;
	memcpy(ip, s, (size_t)(slash - s));
	ip[slash - s] = '\0';
	errno = 0;
	prefix = strtoul(slash + 1, &end, 10);
	if (*end || errno || prefix > 32 || cidr_parse_addr(ip, &addr) < 0)
		goto bad;
	if (addr & ~cidr_mask((unsigned)prefix)) {
		char want[20];
		struct cidr fixed = { addr & cidr_mask((unsigned)prefix), (unsigned)prefix };
		cidr_format(&fixed, want);
		return werr_set(err, EINVAL, "invalid %s \"%s\": host bits are set: use %s", what,
		                s, want);
	}
	c->addr = addr;
	c->prefix = (unsigned)prefix;
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid %s \"%s\": use an IPv4 subnet in CIDR form, such as 10.89.0.0/24",
	                what, s);
}

bool cidr_contains_p(const struct cidr *c, uint32_t addr)
{
	return (addr & cidr_mask(c->prefix)) == c->addr;
}

bool cidr_overlap_p(const struct cidr *a, const struct cidr *b)
{
	uint32_t m = cidr_mask(a->prefix < b->prefix ? a->prefix : b->prefix);

	return (a->addr & m) == (b->addr & m);
}

void cidr_format_addr(uint32_t addr, char *buf)
{
	snprintf(buf, 16, "%u.%u.%u.%u", addr >> 24, (addr >> 16) & 255, (addr >> 8) & 255,
	         addr & 255);
}

void cidr_format(const struct cidr *c, char *buf)
{
	cidr_format_addr(c->addr, buf);
	snprintf(buf + strlen(buf), 4, "/%u", c->prefix);
}

bool cidr_host_route_overlap(const struct cidr *c, char *dev, struct cidr *route)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/net/route", "re");
	char line[256];

	if (!f || !fgets(line, sizeof(line), f)) /* the header */
		return false;
	while (fgets(line, sizeof(line), f)) {
		char ifname[16];
		unsigned dst, gw, flags, mask;
		struct cidr r;
		/* Iface Destination Gateway Flags RefCnt Use Metric Mask ...; the
		 * addresses are the kernel's __be32 printed as a native integer */
		if (sscanf(line, "%15s %x %x %x %*d %*d %*d %x", ifname, &dst, &gw, &flags,
		           &mask) != 5)
			continue;
		r.addr = ntohl(dst);
		r.prefix = (unsigned)__builtin_popcount(mask);
		if (r.prefix == 0) /* a default route overlaps every subnet */
			continue;
		r.addr &= cidr_mask(r.prefix);
		if (cidr_overlap_p(c, &r)) {
			snprintf(dev, 16, "%s", ifname);
			*route = r;
			return true;
		}
	}
	return false;
}
