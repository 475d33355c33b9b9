/* dockerfile_int.h - what the Dockerfile parser's files share among
 * themselves (line parsing, heredoc detection, freeing); not for the builder. */
#ifndef WARREN_BUILD_DOCKERFILE_INT_H
#define WARREN_BUILD_DOCKERFILE_INT_H

#include "dockerfile.h"

/**
 * dfi_parse_line() - parse one logical line (continuations joined) into an
 * instruction: the instruction word, its flags, its arguments.
 * @escape: the file's escape character
 * Return: 0 with *@out set, or a negative errno with @err set (no location).
 */
int dfi_parse_line(const char *line, char escape, struct df_instr **out, struct werr *err);

/**
 * dfi_heredoc_target() - the instruction that takes heredocs for @in (itself,
 * or the trigger of an ONBUILD), or NULL when it takes none (JSON form, or a
 * kind other than RUN COPY ADD).
 */
struct df_instr *dfi_heredoc_target(struct df_instr *in);

/**
 * dfi_heredocs_from_line() - the heredocs the words of @line open, in order
 * (contents empty, to be read by the caller).
 * Return: 0 with *@hds and *@n set, or a negative errno with @err set.
 */
int dfi_heredocs_from_line(const char *line, struct df_heredoc **hds, size_t *n, struct werr *err);

/** dfi_heredoc_parse() - parse one "<<[-]NAME" word; 1 if it is one, 0 if not. */
int dfi_heredoc_parse(const char *word, struct df_heredoc *hd, struct werr *err);

/** dfi_heredoc_free() - release the strings of @hd. */
void dfi_heredoc_free(struct df_heredoc *hd);

#endif
