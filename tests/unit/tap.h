/* tap.h - the few TAP helpers the build unit tests share (header only). */
#ifndef WARREN_TEST_TAP_H
#define WARREN_TEST_TAP_H

#include <stdio.h>
#include <string.h>

static int tap_tests, tap_failed;

/* prints "ok N - what" or "not ok N - what"; returns @ok */
static inline int check(int ok, const char *what)
{
	tap_tests++;
	if (!ok)
		tap_failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tap_tests, what ? what : "");
	return ok;
}

/* equal strings, NULL-safe; prints both on failure */
static inline int check_str(const char *got, const char *want, const char *what)
{
	int ok = (got == NULL && want == NULL) || (got && want && strcmp(got, want) == 0);

	if (!check(ok, what))
		printf("#   got:  [%s]\n#   want: [%s]\n", got ? got : "(null)",
		       want ? want : "(null)");
	return ok;
}

static inline int tap_done(void)
{
	printf("1..%d\n", tap_tests);
	return tap_failed ? 1 : 0;
}

#endif
