/* docgen.c - warren-docgen, run by meson at build time: writes the man
 * pages and the bash, zsh and fish completion scripts from the same option
 * tables the parser and --help use (cmdtab.h), so they cannot drift apart.
 * It runs no command and touches no store. */
#include "docgen.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

static int walk_group(const struct cli_node *group, docgen_cb cb, void *ctx)
{
	char path[128];

	for (const struct cli_node *n = group->subs; n->name; n++) {
		int r;
		snprintf(path, sizeof(path), "%s %s", group->name, n->name);
		if ((r = cb(path, n, group, ctx)) < 0)
			return r;
	}
	return 0;
}

int docgen_walk(docgen_cb cb, void *ctx)
{
	for (const struct cli_node *n = cli_tree; n->name; n++) {
		int r = cb(n->name, n, NULL, ctx);
		if (r < 0 || (n->subs && (r = walk_group(n, cb, ctx)) < 0))
			return r;
	}
	return 0;
}

bool docgen_opt_alias_p(const struct opt_def *table, const struct opt_def *o)
{
	static const char mark[] = "Alias of --";

	/* "Alias of --network": the table's convention for another spelling */
	if (strncmp(o->help, mark, strlen(mark)))
		return false;
	for (const struct opt_def *p = table; p->long_name; p++)
		if (p != o && p->id == o->id && !strcmp(p->long_name, o->help + strlen(mark)))
			return true;
	return false;
}

const char *docgen_operand_word(enum cli_operand kind)
{
	switch (kind) {
	case CLI_ARG_FILE: return "file";
	case CLI_ARG_CONTAINER: return "container";
	case CLI_ARG_RUNNING: return "running";
	case CLI_ARG_IMAGE: return "image";
	case CLI_ARG_VOLUME: return "volume";
	case CLI_ARG_NETWORK: return "network";
	case CLI_ARG_ANY: return "any";
	case CLI_ARG_NONE: break;
	}
	return "none";
}

/* write one completion script with @fn, to @path */
static int write_script(const char *path, void (*fn)(FILE *), struct werr *err)
{
	FILE *f = fopen(path, "we");

	if (!f)
		return werr_errno(err, errno, "cannot create %s", path);
	fn(f);
	if (fclose(f) != 0)
		return werr_errno(err, errno, "cannot write %s", path);
	return 0;
}

int main(int argc, char **argv)
{
	struct werr err = { 0 };

	if (argc != 5) {
		fprintf(stderr, "usage: warren-docgen MAN1-DIR BASH-FILE ZSH-FILE FISH-FILE\n");
		return 2;
	}
	if (docgen_man(argv[1], &err) < 0 || write_script(argv[2], docgen_bash, &err) < 0 ||
	    write_script(argv[3], docgen_zsh, &err) < 0 ||
	    write_script(argv[4], docgen_fish, &err) < 0) {
		werr_print(&err, "warren-docgen");
		return 1;
	}
	return 0;
}
