/* shellex.h - Dockerfile variable expansion: Docker's shell-word lexer
 * ($VAR, ${VAR}, ${VAR:-w}, ${VAR:+w}, ${VAR-w}, ${VAR+w}, ${VAR?w}, # % /
 * trims, quotes and escapes). It never runs a shell and never reads the
 * process environment: the caller passes the ARG/ENV scope. */
#ifndef WARREN_BUILD_SHELLEX_H
#define WARREN_BUILD_SHELLEX_H

#include <stdbool.h>
#include <stddef.h>

#include "werr.h"

/* one variable of a scope; a variable absent from the scope is unset */
struct shellex_var {
	char *name;
	char *value;
};

/* ordered ARG/ENV scope; the last set of a name wins */
struct shellex_scope {
	struct shellex_var *vars;
	size_t n;
	size_t cap;
};

enum shellex_flags {
	SHELLEX_RAW_QUOTES = 1 << 0,  /* keep quote characters in the result */
	SHELLEX_RAW_ESCAPES = 1 << 1, /* keep escape characters in the result */
	SHELLEX_SKIP_QUOTES = 1 << 2, /* quotes are ordinary characters (heredoc bodies) */
	SHELLEX_KEEP_UNSET = 1 << 3,  /* leave references to unset variables as written */
};

struct shellex_result {
	char *word;   /* the expanded text (quotes removed, spacing kept) */
	char **words; /* the expanded text split into words, quotes respected */
	size_t nwords;
	char *unset; /* the first variable referenced while unset, or NULL */
};

/**
 * shellex_scope_set() - set @name to @value (copied) in @scope.
 * Return: 0 or -ENOMEM.
 */
int shellex_scope_set(struct shellex_scope *scope, const char *name, const char *value);

/**
 * shellex_scope_get() - the value of @name, or NULL when it is unset.
 */
const char *shellex_scope_get(const struct shellex_scope *scope, const char *name);

/** shellex_scope_free() - release every variable of @scope. */
void shellex_scope_free(struct shellex_scope *scope);

/**
 * shellex_process() - expand @in as Docker's lexer does (ProcessWordWithMatches).
 * @scope: variables (may be NULL: everything unset)
 * @escape: the Dockerfile's escape character ('\\' or '`')
 * @flags: enum shellex_flags
 * Return: 0 with @res filled (free with shellex_result_free()), or a negative
 * errno with @err set ("failed to process \"${x\": syntax error: missing '}'").
 */
int shellex_process(const char *in, const struct shellex_scope *scope, char escape, unsigned flags,
                    struct shellex_result *res, struct werr *err);

/** shellex_result_free() - release what shellex_process() filled. */
void shellex_result_free(struct shellex_result *res);

/**
 * shellex_expand() - shellex_process() returning only the expanded text.
 * Return: 0 with *@out set (free it), or a negative errno with @err set.
 */
int shellex_expand(const char *in, const struct shellex_scope *scope, char escape, char **out,
                   struct werr *err);

#endif
