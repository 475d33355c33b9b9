/* dockerignore.h - .dockerignore patterns with Docker's rules: lines cleaned
 * like Go's filepath.Clean, leading '/' dropped, '#' comments, '!' exceptions
 * (last match wins), '**' across directories, filepath.Match for '*', '?',
 * '[...]' and '\' escapes. Pure matching: no filesystem access. */
#ifndef WARREN_BUILD_DOCKERIGNORE_H
#define WARREN_BUILD_DOCKERIGNORE_H

#include <stdbool.h>
#include <stddef.h>

#include "werr.h"

struct dockerignore;

/**
 * dockerignore_parse() - compile the text of a .dockerignore file.
 * @name: file name for messages (".dockerignore")
 * Return: 0 with *@out set (free with dockerignore_free()), or a negative
 * errno with @err set (".dockerignore:3: syntax error in pattern [a-").
 */
int dockerignore_parse(const char *text, size_t len, const char *name, struct dockerignore **out,
                       struct werr *err);

/** dockerignore_free() - release a compiled pattern list (NULL is fine). */
void dockerignore_free(struct dockerignore *di);

/** dockerignore_count() - the number of patterns (for tests and messages). */
size_t dockerignore_count(const struct dockerignore *di);

/**
 * dockerignore_excluded() - whether @path (relative to the context, '/'
 * separated, no leading "./") is excluded: the last pattern matching it or
 * one of its parent directories decides, as Docker's MatchesOrParentMatches.
 */
bool dockerignore_excluded(const struct dockerignore *di, const char *path);

/**
 * dockerignore_dir_skippable() - whether the excluded directory @dir can be
 * skipped wholesale: no '!' exception could re-include anything below it.
 * Return: false for a directory that is not excluded.
 */
bool dockerignore_dir_skippable(const struct dockerignore *di, const char *dir);

/**
 * dockerignore_clean() - Go's filepath.Clean on a '/'-separated path, in place
 * ("" becomes ".", so @path needs room for 2 bytes even when empty).
 */
void dockerignore_clean(char *path);

/**
 * dockerignore_glob_match() - Go's filepath.Match: @pattern against @name,
 * '*' and '?' never matching '/'.
 * Return: 1 match, 0 no match, -EINVAL a malformed pattern.
 */
int dockerignore_glob_match(const char *pattern, const char *name);

#endif
