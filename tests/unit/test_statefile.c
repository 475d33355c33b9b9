/* test_statefile.c - warren-monitor's state.json updater (monitor/statefile.c):
 * what it writes must be what jansson (warren's reader) reads, with every
 * member it does not change kept, however the values nest or escape. */
#include "statefile.h"
#include "tap.h"

#include <errno.h>
#include <jansson.h>
#include <stdlib.h>

static json_t *patch(const char *in, const struct statefile_field *f, size_t n, long *r)
{
	static char out[4096];

	*r = statefile_patch(in, strlen(in), f, n, out, sizeof(out));
	return *r > 0 ? json_loadb(out, (size_t)*r, 0, NULL) : NULL;
}

int main(void)
{
	char esc[128];
	const struct statefile_field exit_f[] = {
		{ "Status", "\"exited\"" },
		{ "Pid", "0" },
		{ "ExitCode", "137" },
		{ "FinishedAt", "\"2026-01-01T00:00:00.000000000Z\"" },
	};
	const char *in = "{\"Status\":\"running\", \"Pid\" : 42,\n \"Error\":\"a \\\"}{\\\" b\","
	                 "\"Labels\":{\"x\":[1,{\"y\":\"]\"}],\"z\":null},\"ExitCode\":0,"
	                 "\"Ok\":true}";
	long r;
	json_t *j = patch(in, exit_f, 4, &r), *o;

	check(j != NULL, "a patched object is valid JSON");
	check_str(json_string_value(json_object_get(j, "Status")), "exited", "Status replaced");
	check(json_integer_value(json_object_get(j, "Pid")) == 0, "Pid replaced");
	check(json_integer_value(json_object_get(j, "ExitCode")) == 137, "ExitCode replaced");
	check_str(json_string_value(json_object_get(j, "FinishedAt")),
	          "2026-01-01T00:00:00.000000000Z", "a missing member is added");
	check_str(json_string_value(json_object_get(j, "Error")), "a \"}{\" b",
	          "a string with escaped quotes and braces is kept");
	o = json_object_get(json_object_get(j, "Labels"), "x");
	check(json_array_size(o) == 2 &&
	          !strcmp(json_string_value(json_object_get(json_array_get(o, 1), "y")), "]"),
	      "nested objects and arrays are kept");
	check(json_is_true(json_object_get(j, "Ok")), "literals are kept");
	check(json_object_size(j) == 7, "no member is lost or doubled");
	json_decref(j);

	j = patch("{}", exit_f, 1, &r);
	check(j && json_object_size(j) == 1, "an empty object gets the member");
	json_decref(j);

	statefile_string(esc, sizeof(esc), "tab\there \"q\" back\\slash\nnl");
	{
		const struct statefile_field f[] = { { "LogError", esc } };
		j = patch("{\"Status\":\"running\"}", f, 1, &r);
		check_str(json_string_value(json_object_get(j, "LogError")),
		          "tab\there \"q\" back\\slash\nnl", "statefile_string escapes");
		json_decref(j);
	}
	patch("[1,2]", exit_f, 1, &r);
	check(r == -EINVAL, "not an object: -EINVAL");
	patch("{\"a\":1", exit_f, 1, &r);
	check(r == -EINVAL, "truncated: -EINVAL");
	patch("{\"a\" 1}", exit_f, 1, &r);
	check(r == -EINVAL, "missing colon: -EINVAL");
	{
		char small[16];
		r = statefile_patch(in, strlen(in), exit_f, 4, small, sizeof(small));
		check(r == -E2BIG, "too small a buffer: -E2BIG");
	}
	printf("1..%d\n", tap_tests);
	return tap_failed ? 1 : 0;
}
