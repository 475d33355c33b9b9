/* fuzz_opts.c - libFuzzer target: the option parser on arbitrary argv. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "opts.h"

static const struct opt_def defs[] = {
	{ "env", 'e', OPT_VALUE, "K=V", "", 0 },  { "interactive", 'i', OPT_FLAG, NULL, "", 1 },
	{ "tty", 't', OPT_FLAG, NULL, "", 2 },    { "rm", 0, OPT_FLAG, NULL, "", 3 },
	{ "volume", 'v', OPT_VALUE, "V", "", 4 }, { NULL, 0, 0, NULL, NULL, 0 },
};

static int cb(void *ctx, const struct opt_def *def, const char *value, struct werr *err)
{
	size_t *n = ctx;
	*n += strlen(value) + (size_t)def->id;
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* argv = the input split at NUL bytes */
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *buf = malloc(size + 1);
	char *argv[64];
	int argc = 0, ind = 0;
	size_t n = 0;
	struct werr err;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	for (size_t i = 0; i <= size && argc < 63; i++) {
		argv[argc++] = buf + i;
		i += strlen(buf + i);
	}
	argv[argc] = NULL;
	/* both modes: the first byte's low bit chooses */
	if (opts_parse(defs, argc, argv, &ind,
	               size && (data[0] & 1) ? OPTS_STOP_AT_OPERAND : OPTS_INTERSPERSED, cb, &n,
	               "fuzz", &err) == 0 &&
	    (ind < 0 || ind > argc))
		abort();
	free(buf);
	return 0;
}
