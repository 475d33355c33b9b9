/* test_dnsmsg.c - the responder's DNS messages (src/runtime/dnsmsg.c):
 * queries as resolvers send them, the ones it must refuse, and answers
 * laid out as RFC 1035 4.1 says. */
#include "dnsmsg.h"
#include "tap.h"

#include <stdint.h>
#include <string.h>

/* a query for "Web.Dns.Podman" A, RD set, with an EDNS0 OPT record */
static const uint8_t query[] = { 0xab, 0xcd, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00,
	                         0x01, 3,    'W',  'e',  'b',  3,    'D',  'n',  's',  6,    'P',
	                         'o',  'd',  'm',  'a',  'n',  0,    0x00, 0x01, 0x00, 0x01, 0x00,
	                         0x00, 0x29, 0x10, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00 };

int main(void)
{
	struct dnsmsg_question q;
	uint8_t msg[sizeof(query)], out[512];
	struct dnsmsg_rr rrs[2] = { { .type = DNSMSG_TYPE_A, .addr = { 10, 89, 0, 2 } },
		                    { .type = DNSMSG_TYPE_A, .addr = { 10, 89, 0, 3 } } };
	struct dnsmsg_rr ptr = { .type = DNSMSG_TYPE_PTR, .target = "web" };
	size_t n;

	check(dnsmsg_parse_query(query, sizeof(query), &q) == 0, "a resolver's query parses");
	check_str(q.name, "web.dns.podman", "its name, in lower case");
	check(q.type == DNSMSG_TYPE_A && q.qclass == DNSMSG_CLASS_IN, "its type and class");
	check(q.end == 32, "the question ends before the OPT record");

	n = dnsmsg_answer(query, &q, DNSMSG_NOERROR, rrs, 2, out, sizeof(out));
	check(n == 32 + 2 * 16, "two A records after the question");
	check(out[0] == 0xab && out[1] == 0xcd, "the query's ID");
	check(out[2] == 0x85 && out[3] == 0x80, "QR, AA, RD kept, RA, NOERROR");
	check(out[5] == 1 && out[7] == 2 && out[9] == 0 && out[11] == 0,
	      "one question, two answers, no OPT echoed");
	check(out[32] == 0xc0 && out[33] == 12, "the owner points at the question's name");
	check(!memcmp(out + 32 + 10, "\x00\x04\x0a\x59\x00\x02", 6), "RDLENGTH 4 and the address");

	n = dnsmsg_answer(query, &q, DNSMSG_NOERROR, rrs, 2, out, 32 + 16 + 4);
	check(n == 32 + 16 && (out[2] & 0x02) && out[7] == 1, "what does not fit is cut, TC set");
	n = dnsmsg_answer(query, &q, DNSMSG_NXDOMAIN, NULL, 0, out, sizeof(out));
	check(n == 32 && (out[3] & 0x0f) == 3 && out[7] == 0, "NXDOMAIN: the question alone");
	n = dnsmsg_answer(query, &q, DNSMSG_NOERROR, &ptr, 1, out, sizeof(out));
	check(n == 32 + 12 + 5 && !memcmp(out + 44, "\x03web\x00", 5), "PTR: the name as labels");

	memcpy(msg, query, sizeof(msg));
	msg[2] |= 0x80;
	check(dnsmsg_parse_query(msg, sizeof(msg), &q) < 0, "a response is no query");
	memcpy(msg, query, sizeof(msg));
	msg[5] = 2;
	check(dnsmsg_parse_query(msg, sizeof(msg), &q) < 0, "two questions are refused");
	memcpy(msg, query, sizeof(msg));
	msg[12] = 0xc0;
	check(dnsmsg_parse_query(msg, sizeof(msg), &q) < 0,
	      "a compressed question name is refused");
	for (size_t len = 0; len < 32; len++)
		if (dnsmsg_parse_query(query, len, &q) == 0)
			return check(0, "a cut query parses"), tap_done();
	check(1, "every cut query is refused");
	memcpy(msg, query, sizeof(msg));
	msg[14] = '.';
	check(dnsmsg_parse_query(msg, sizeof(msg), &q) == 0 && q.name[0] == '\0',
	      "a dot inside a label makes a name that is never ours");
	return tap_done();
}
