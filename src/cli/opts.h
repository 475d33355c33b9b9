/* opts.h - table-driven option parsing: one table per command feeds the
 * parser and --help. Docker's conventions: --long VALUE, --long=VALUE,
 * -s VALUE, -sVALUE, grouped short flags (-it), "--" ends options, and
 * options may follow operands (`save IMAGE -o f`), except for the commands
 * that take a command line after an operand (run, create, exec), where
 * parsing stops at the first operand as Docker's does. */
#ifndef WARREN_OPTS_H
#define WARREN_OPTS_H

#include <stdio.h>

#include "werr.h"

enum opt_arg {
	OPT_FLAG,  /* no value; "--flag=true|false" also accepted */
	OPT_VALUE, /* takes a value */
};

struct opt_def {
	const char *long_name; /* without "--" */
	char short_name;       /* 0 when none */
	enum opt_arg arg;
	const char *metavar; /* shown in help for OPT_VALUE */
	const char *help;
	int id; /* handed to the callback */
};

/* where options end */
enum opts_mode {
	OPTS_INTERSPERSED,    /* anywhere before "--", operands moved after them */
	OPTS_STOP_AT_OPERAND, /* at the first operand: what follows is a command's */
};

/* called once per option; @value is "true"/"false" for OPT_FLAG */
typedef int (*opt_cb)(void *ctx, const struct opt_def *def, const char *value, struct werr *err);

/**
 * opts_parse() - parse options from argv[*ind] on.
 * @defs: table ending with an entry whose long_name is NULL
 * @ind: in: first index to look at; out: index of the first operand
 * @mode: whether options may follow operands; with OPTS_INTERSPERSED @argv is
 *	reordered (options first, then the operands in their order), as Go's
 *	pflag does for Docker, so that argv[*@ind..@argc) are the operands
 * Return: 0, or a negative errno with @err set ("unknown flag: --x (see
 * 'warren run --help')", "flag needs an argument: --env").
 */
int opts_parse(const struct opt_def *defs, int argc, char **argv, int *ind, enum opts_mode mode,
               opt_cb cb, void *ctx, const char *cmd, struct werr *err);

/**
 * opts_print_help() - one line per option, aligned, from the same table.
 */
void opts_print_help(FILE *f, const struct opt_def *defs);

/**
 * opts_parse_bool() - "true"/"1"/"false"/"0" (Docker's spellings).
 * Return: 0 with *@out set, or -EINVAL.
 */
int opts_parse_bool(const char *s, int *out);

/* the --help row and the end row every command's table has */
#define CLI_HELP_ID (-1)
#define CLI_HELP_OPT                                                                               \
	{                                                                                          \
		"help", 0, OPT_FLAG, NULL, "Show this help", CLI_HELP_ID                           \
	}
#define CLI_OPTS_END                                                                               \
	{                                                                                          \
		NULL, 0, 0, NULL, NULL, 0                                                          \
	}

#endif
