/* fuzz_dnsmsg.c - libFuzzer target: the network DNS responder's query
 * parser and answer writer (src/runtime/dnsmsg.c) on arbitrary messages. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dnsmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dnsmsg_question q;
	struct dnsmsg_rr rrs[3] = { { .type = DNSMSG_TYPE_A, .addr = { 10, 89, 0, 2 } },
		                    { .type = DNSMSG_TYPE_PTR, .target = "web" },
		                    { .type = DNSMSG_TYPE_PTR, .target = "a.b.c" } };
	uint8_t out[512];
	size_t n;

	if (dnsmsg_parse_query(data, size, &q) < 0)
		return 0;
	if (q.end > size || strlen(q.name) > DNSMSG_NAME_MAX)
		abort();
	n = dnsmsg_answer(data, &q, DNSMSG_NOERROR, rrs, 3, out, sizeof(out));
	if (n > sizeof(out) || (n && n < q.end))
		abort();
	return 0;
}
