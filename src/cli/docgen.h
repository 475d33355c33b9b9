/* docgen.h - what the man page and completion writers of warren-docgen
 * share: a walk over the documented command tree (cmdtab.h) and the tests
 * on an option table that both need. Build-time only; never in warren. */
#ifndef WARREN_DOCGEN_H
#define WARREN_DOCGEN_H

#include <stdbool.h>
#include <stdio.h>

#include "cmdtab.h"
#include "werr.h"

/* called for each command and group: @path is "run", "image" or "image ls",
 * @group the group a subcommand belongs to (NULL at the top level) */
typedef int (*docgen_cb)(const char *path, const struct cli_node *node,
                         const struct cli_node *group, void *ctx);

/**
 * docgen_walk() - call @cb for every node of cli_tree, a group before its
 * commands, in the tree's order.
 * Return: 0, or the first negative value @cb returned.
 */
int docgen_walk(docgen_cb cb, void *ctx);

/**
 * docgen_opt_alias_p() - whether @o is another spelling of an option of
 * @table (the same id, its help "Alias of --NAME"): documented, not offered
 * by completion.
 */
bool docgen_opt_alias_p(const struct opt_def *table, const struct opt_def *o);

/**
 * docgen_man() - one roff page per command and group, and warren(1), in @dir.
 * Return: 0 or a negative errno with @err set.
 */
int docgen_man(const char *dir, struct werr *err);

/* the completion scripts, written to @f */
void docgen_bash(FILE *f);
void docgen_zsh(FILE *f);
void docgen_fish(FILE *f);

/* the shell functions that list completable names, by operand kind: the
 * same `warren ps/images/volume ls --format` calls in every shell */
const char *docgen_operand_word(enum cli_operand kind);

#endif
