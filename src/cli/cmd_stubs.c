/* cmd_stubs.c - commands not written yet. */
#include <stdio.h>

#include "commands.h"

#define STUB(fn, name)                                                                             \
	int fn(int argc, char **argv)                                                              \
	{                                                                                          \
		(void)argc;                                                                        \
		(void)argv;                                                                        \
		fprintf(stderr, "warren: %s is not implemented yet\n", name);                      \
		return EXIT_WARREN;                                                                \
	}
