/* fuzz_gotmpl.c - libFuzzer target: the Go template engine of --format
 * (src/cli/gotmpl*.c) on arbitrary template text, run on a fixed object
 * holding every JSON type; a template either parses and runs, or is
 * refused with "template: :LINE:COL: ..." - never a crash or a leak. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gotmpl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const char data_json[] =
    "{\"Name\":\"web\",\"Args\":[\"a\",\"b\"],\"Labels\":{\"k\":\"v\"},\"N\":3,"
    "\"F\":1.5,\"T\":true,\"Nil\":null,\"Nested\":{\"List\":[{\"X\":1},{\"X\":2}]}}";

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static json_t *obj;
	struct gotmpl *t;
	struct werr err = { 0 };
	char *text, *out = NULL;
	size_t len = 0;
	FILE *f;

	if (size > 4096)
		return 0;
	if (!obj && !(obj = json_loads(data_json, 0, NULL)))
		abort();
	if (!(text = strndup((const char *)data, size)))
		return 0;
	if (gotmpl_parse(text, &t, &err) == 0) {
		if ((f = open_memstream(&out, &len))) {
			if (gotmpl_exec(t, obj, f, &err) < 0 && strncmp(err.msg, "template: :", 11))
				abort();
			fclose(f);
		}
		free(out);
		gotmpl_free(t);
	} else if (strncmp(err.msg, "template: :", 11) &&
	           strcmp(err.msg, "template: Cannot allocate memory")) {
		abort();
	}
	free(text);
	return 0;
}
