/* dockerfile.h - the Dockerfile parser: directives, continuations, comments,
 * heredocs, every instruction with its flags, stages, and the helpers the
 * builder needs (expansion per instruction, stage lookup, --target closure).
 * It only parses: it never touches the filesystem, the network or a store. */
#ifndef WARREN_BUILD_DOCKERFILE_H
#define WARREN_BUILD_DOCKERFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "shellex.h"
#include "strbuf.h"
#include "werr.h"

enum df_kind {
	DF_ADD,
	DF_ARG,
	DF_CMD,
	DF_COPY,
	DF_ENTRYPOINT,
	DF_ENV,
	DF_EXPOSE,
	DF_FROM,
	DF_HEALTHCHECK,
	DF_LABEL,
	DF_MAINTAINER,
	DF_ONBUILD,
	DF_RUN,
	DF_SHELL,
	DF_STOPSIGNAL,
	DF_USER,
	DF_VOLUME,
	DF_WORKDIR,
	DF_KIND_COUNT
};

/* --name=value (value NULL for a bare --name) */
struct df_flag {
	char *name;
	char *value;
};

/* ENV/LABEL pairs and ARG declarations, as written (quotes kept; expand them
 * with dockerfile_instr_expand()); ARG without default has value NULL */
struct df_kv {
	char *key;
	char *value;
};

struct df_heredoc {
	char *name;    /* the delimiter word, quotes removed */
	char *content; /* the body, one '\n' per line; tabs stripped for <<- */
	bool expand;   /* delimiter unquoted: variables in the body are expanded */
	bool chomp;    /* <<- */
	int fd;        /* RUN 3<<EOF: 3; 0 when not given */
};

struct df_health {
	bool none;           /* HEALTHCHECK NONE */
	int64_t interval_ns; /* 0: not given */
	int64_t timeout_ns;
	int64_t start_period_ns;
	int64_t start_interval_ns;
	int retries; /* 0: not given */
};

/*
 * One instruction. What args holds depends on the kind:
 *  FROM                      [image] (the stage name is in struct df_stage)
 *  RUN CMD ENTRYPOINT SHELL  json: the array; else one string, the command line
 *  HEALTHCHECK               as CMD (nargs 0 and health.none for NONE)
 *  COPY ADD                  sources..., destination (a "<<EOF" source is a heredoc)
 *  EXPOSE VOLUME             the words (VOLUME may be json)
 *  WORKDIR USER STOPSIGNAL MAINTAINER   one string, the rest of the line
 *  ONBUILD                   one string, the trigger as written; @sub is it parsed
 *  ENV LABEL ARG             nargs 0; see @kvs
 */
struct df_instr {
	enum df_kind kind;
	unsigned line;     /* first line (1-based) */
	unsigned end_line; /* last line, heredoc bodies included */
	char *original;    /* the logical line, continuations joined */
	struct df_flag *flags;
	size_t nflags;
	bool json; /* exec form (JSON array) */
	char **args;
	size_t nargs;
	struct df_kv *kvs;
	size_t nkvs;
	struct df_heredoc *heredocs;
	size_t nheredocs;
	struct df_instr *sub; /* ONBUILD's trigger */
	struct df_health health;
};

struct df_stage {
	char *name;     /* lower-cased AS name, or NULL */
	char *base;     /* image, stage name or "scratch", unexpanded */
	char *platform; /* --platform, unexpanded, or NULL */
	size_t index;
	struct df_instr *from;    /* the FROM instruction */
	struct df_instr **instrs; /* what follows FROM, in order */
	size_t ninstrs;
};

struct dockerfile {
	char escape;                 /* '\\' or '`' (# escape=) */
	char *syntax;                /* # syntax= value, or NULL */
	char *filename;              /* for messages: "Dockerfile:12: ..." */
	struct df_instr **meta_args; /* ARGs before the first FROM */
	size_t nmeta_args;
	struct df_stage *stages;
	size_t nstages;
	struct df_instr **all; /* every top-level instruction, in file order */
	size_t nall;
	struct strv warnings; /* BuildKit's checks that warn: "Rule: message (line N)" */
};

/**
 * dockerfile_parse() - parse a whole Dockerfile.
 * @text: the file contents (need not be NUL-terminated)
 * @filename: name used in messages ("Dockerfile")
 * Return: 0 with *@out set (free with dockerfile_free()), or a negative errno
 * with @err a one-line message "FILE:LINE: what (how to fix)".
 */
int dockerfile_parse(const char *text, size_t len, const char *filename, struct dockerfile **out,
                     struct werr *err);

/** dockerfile_free() - release a parse result (NULL is fine). */
void dockerfile_free(struct dockerfile *df);

/** dockerfile_kind_name() - "FROM", "RUN", ... */
const char *dockerfile_kind_name(enum df_kind kind);

/**
 * dockerfile_kind_expands() - whether Docker expands variables in this
 * instruction's arguments (ADD COPY ENV EXPOSE FROM LABEL STOPSIGNAL USER
 * VOLUME WORKDIR ARG; not RUN CMD ENTRYPOINT SHELL HEALTHCHECK ONBUILD).
 */
bool dockerfile_kind_expands(enum df_kind kind);

/**
 * dockerfile_instr_flag() - the value of the last --@name of @in.
 * Return: the flag (its value NULL for a bare flag), or NULL when absent.
 */
const struct df_flag *dockerfile_instr_flag(const struct df_instr *in, const char *name);

/**
 * dockerfile_instr_heredoc() - the heredoc a COPY/ADD source word stands for.
 * Return: the heredoc when @word is "<<NAME" (or "<<-NAME"), else NULL.
 */
const struct df_heredoc *dockerfile_instr_heredoc(const struct df_instr *in, const char *word);

/**
 * dockerfile_instr_expand() - a copy of @in with variables expanded from
 * @scope as Docker does for its kind (args, ENV/LABEL/ARG keys and values,
 * COPY/ADD --from/--chown/--chmod, FROM --platform; EXPOSE re-split into
 * words). Kinds that do not expand are copied unchanged.
 * Return: 0 with *@out set (free with dockerfile_instr_free()), or a negative
 * errno with @err set ("Dockerfile:4: failed to process ...").
 */
int dockerfile_instr_expand(const struct dockerfile *df, const struct df_instr *in,
                            const struct shellex_scope *scope, struct df_instr **out,
                            struct werr *err);

/**
 * dockerfile_heredoc_expand() - the body of a COPY/ADD heredoc as the file
 * gets it: variables expanded from @scope when the delimiter was unquoted
 * (quotes in the body stay as written), the body unchanged otherwise. RUN
 * heredocs are not expanded here: the shell running them does that.
 * Return: 0 with *@out set (free it), or a negative errno with @err set.
 */
int dockerfile_heredoc_expand(const struct dockerfile *df, const struct df_instr *in,
                              const struct df_heredoc *hd, const struct shellex_scope *scope,
                              char **out, struct werr *err);

/** dockerfile_instr_free() - release an instruction from dockerfile_instr_expand(). */
void dockerfile_instr_free(struct df_instr *in);

/**
 * dockerfile_meta_scope() - the scope FROM lines are expanded in: every ARG
 * before the first FROM with its default, overridden by @build_args
 * ("K=V" strings; a build arg that no ARG declares is ignored, as Docker does).
 * Return: 0 with @scope filled, or a negative errno with @err set.
 */
int dockerfile_meta_scope(const struct dockerfile *df, char *const *build_args, size_t nbuild_args,
                          struct shellex_scope *scope, struct werr *err);

/**
 * dockerfile_meta_scope_preset() - dockerfile_meta_scope() over the
 * automatic ARGs @preset ("K=V": BuildKit's TARGETPLATFORM, BUILDARCH...),
 * which --build-arg overrides even where no ARG declares them, and which a
 * global ARG without default keeps. A stage sees one only through an ARG
 * of that name in the stage.
 * Return: 0 with @scope filled, or a negative errno with @err set.
 */
int dockerfile_meta_scope_preset(const struct dockerfile *df, char *const *preset, size_t npreset,
                                 char *const *build_args, size_t nbuild_args,
                                 struct shellex_scope *scope, struct werr *err);

/**
 * dockerfile_stage_base() - the expanded base image name of stage @index.
 * An empty result (e.g. FROM $BASE with an ARG without default and no
 * --build-arg) is an error naming the argument to pass.
 * Return: 0 with *@out set (free it), or a negative errno with @err set.
 */
int dockerfile_stage_base(const struct dockerfile *df, size_t index,
                          const struct shellex_scope *meta, char **out, struct werr *err);

/**
 * dockerfile_stage_find() - the stage named @ref (case-insensitive; the last
 * of that name), or with the decimal index @ref.
 * Return: the index, or -1 when there is no such stage.
 */
long dockerfile_stage_find(const struct dockerfile *df, const char *ref);

/**
 * dockerfile_stage_find_before() - as dockerfile_stage_find(), among the
 * stages before index @limit for a name: a FROM names the last stage of that
 * name defined before it, as BuildKit resolves a duplicate name.
 */
long dockerfile_stage_find_before(const struct dockerfile *df, const char *ref, size_t limit);

/**
 * dockerfile_stages_needed() - which stages building @target requires: the
 * target, the stages its FROM names, and those named by COPY --from and
 * RUN --mount=...,from=..., transitively.
 * @target: stage name or index; NULL or "" for the last stage
 * @meta: scope for expanding FROM and --from values (may be NULL)
 * @needed: array of df->nstages booleans, filled
 * Return: the target's index, or a negative errno with @err set (unknown
 * target, a --from index out of range or naming the stage itself).
 */
long dockerfile_stages_needed(const struct dockerfile *df, const char *target,
                              const struct shellex_scope *meta, bool *needed, struct werr *err);

#endif
