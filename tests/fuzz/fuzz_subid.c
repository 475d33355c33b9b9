/* fuzz_subid.c - libFuzzer target: the /etc/subuid parser on arbitrary text. */
#include <stdint.h>
#include <stdlib.h>

#include "subid.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct subid_range r[SUBID_MAX_RANGES];
	struct werr err;
	size_t n = 0;

	if (subid_parse((const char *)data, size, "alice", 1000, r, SUBID_MAX_RANGES, &n, &err) ==
	    0)
		for (size_t i = 0; i < n; i++)
			if (r[i].count == 0 || (uint64_t)r[i].start + r[i].count > UINT32_MAX)
				abort();
	return 0;
}
