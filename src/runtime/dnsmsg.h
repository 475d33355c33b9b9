/* dnsmsg.h - the few DNS messages (RFC 1035) the network's responder
 * (netdns.c) reads and writes: a query's one question, and an answer of A
 * or PTR records. Pure functions on buffers: no sockets, no files, so the
 * parser is fuzzed as it is (tests/fuzz/fuzz_dnsmsg.c). */
#ifndef WARREN_DNSMSG_H
#define WARREN_DNSMSG_H

#include <stddef.h>
#include <stdint.h>

#define DNSMSG_HEADER    12
#define DNSMSG_NAME_MAX  255 /* RFC 1035 3.1, as text without the last dot */
#define DNSMSG_TYPE_A    1
#define DNSMSG_TYPE_PTR  12
#define DNSMSG_TYPE_AAAA 28
#define DNSMSG_CLASS_IN  1
#define DNSMSG_NOERROR   0
#define DNSMSG_FORMERR   1
#define DNSMSG_SERVFAIL  2
#define DNSMSG_NXDOMAIN  3
#define DNSMSG_REFUSED   5

/* a query's question; @name is "" when it holds a byte a host name cannot
 * (a dot or NUL inside a label): such a name is never one of ours */
struct dnsmsg_question {
	char name[DNSMSG_NAME_MAX + 1]; /* lower case, labels joined by dots */
	uint16_t type, qclass;
	size_t end; /* offset of the byte after the question */
};

/* one record of an answer: an address (A) or a name (PTR) */
struct dnsmsg_rr {
	uint16_t type;
	uint8_t addr[4];
	const char *target;
};

/**
 * dnsmsg_parse_query() - the question of query @msg (@len bytes): a
 * standard query (QR 0, opcode 0) with exactly one question, its name made
 * of uncompressed labels.
 * Return: 0, or -EINVAL for anything else.
 */
int dnsmsg_parse_query(const uint8_t *msg, size_t len, struct dnsmsg_question *q);

/**
 * dnsmsg_answer() - the reply to query @msg (parsed into @q): its ID, RD
 * and question, RA and AA set, @rcode, and the records @rrs[@n] for @q's
 * name, as many as fit in @size (TC set when some do not).
 * Return: the reply's length, or 0 when even the question does not fit.
 */
size_t dnsmsg_answer(const uint8_t *msg, const struct dnsmsg_question *q, unsigned rcode,
                     const struct dnsmsg_rr *rrs, size_t n, uint8_t *out, size_t size);

/**
 * dnsmsg_id() - the ID of message @msg (at least DNSMSG_HEADER bytes).
 */
uint16_t dnsmsg_id(const uint8_t *msg);

/** dnsmsg_set_id() - set the ID of message @msg. */
void dnsmsg_set_id(uint8_t *msg, uint16_t id);

#endif
