/* cliutil.h - what every container command shares: parsing with --help from
 * the same table, one-line errors with Docker's exit codes, and acting on each
 * container named on the command line. Only the CLI prints. */
#ifndef WARREN_CLIUTIL_H
#define WARREN_CLIUTIL_H

#include <stdbool.h>
#include <stdint.h>

#include "opts.h"
#include "record.h"

struct cli_cmd {
	const char *name;    /* "stop" */
	const char *usage;   /* "[OPTIONS] CONTAINER [CONTAINER...]" */
	const char *summary; /* one line */
	const struct opt_def *opts;
	int min_args, max_args; /* operands; max -1: any */
	enum opts_mode mode;    /* OPTS_STOP_AT_OPERAND: a command line follows */
};

/**
 * cli_parse() - parse @cmd's options (--help prints the usage from @cmd).
 * Return: -1 to go on with *@ind at the first operand, else the exit code
 * to return (0 after --help; after a printed error 125 for a refused flag,
 * as Docker's flag parser, and cli_error_exit() for wrong operands).
 */
int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, int *ind, opt_cb cb, void *ctx);

/**
 * cli_print_help() - @cmd's --help on stdout: each usage form (@cmd->usage
 * holds one per line), the summary and the options, from the table that
 * also makes its man page (cmdtab.h).
 */
void cli_print_help(const struct cli_cmd *cmd);

/**
 * cli_error_exit_set() - the exit code of a failed command from here on:
 * run, create, exec and build set 125 (EXIT_WARREN) as they start; the
 * other commands keep Docker's 1.
 */
void cli_error_exit_set(int code);

/** cli_error_exit() - that exit code (1 unless set). */
int cli_error_exit(void);

/**
 * cli_error() - print @err as one line.
 * Return: cli_error_exit(): 125 for run, create, exec and build, else 1.
 */
int cli_error(const struct werr *err);

/**
 * cli_fail() - print @err as one line.
 * Return: 1, Docker's exit code for the commands other than run, create,
 * exec and build.
 */
int cli_fail(const struct werr *err);

/**
 * cli_confirm() - Docker's prompt: print @warning and " [y/N] " on stdout
 * and read one line from stdin, a terminal or not (as Docker does; end of
 * input is a no).
 * Return: true for y or Y (as Docker; "yes" is a no), else false.
 */
bool cli_confirm(const char *warning);

/**
 * cli_tree_size() - the bytes of the regular files below @path that can be
 * reached (what a prune reports as reclaimed), symlinks not followed.
 */
uint64_t cli_tree_size(const char *path);

/** cli_parse_duration() - "10", "10s", "1m30s", "500ms", "2h" -> seconds (rounded down). */
int cli_parse_duration(const char *s, double *secs, struct werr *err);

/** cli_parse_int() - a bounded decimal. */
int cli_parse_int(const char *s, long min, long max, long *out, const char *what, struct werr *err);

/**
 * cli_each() - look up each operand and call @fn; prints errors (one line
 * each) and, on success, the operand when @echo. Return: 0 or cli_error_exit().
 */
int cli_each(int argc, char **argv, bool echo, int (*fn)(struct record *, void *, struct werr *),
             void *ctx);

#endif
