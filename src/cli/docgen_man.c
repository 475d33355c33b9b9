/* docgen_man.c - warren's man pages in roff (man(7) macros): warren(1),
 * one page per group (warren-image(1)) and one per command
 * (warren-run(1), warren-image-ls(1)), from the tables --help prints.
 * Text from the tables is escaped, never taken as roff requests. */
#include "docgen.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "gopts.h"

#ifndef WARREN_VERSION
#define WARREN_VERSION "0.1.0"
#endif

/* @s as roff text: backslashes and minus signs escaped, a leading . or '
 * made literal; @n bytes of it, or all when n < 0 */
static void man_text(FILE *f, const char *s, int n)
{
	if (*s == '.' || *s == '\'')
		fputs("\\&", f);
	for (int i = 0; s[i] && (n < 0 || i < n); i++) {
		if (s[i] == '\\')
			fputs("\\e", f);
		else if (s[i] == '-')
			fputs("\\-", f);
		else
			fputc(s[i], f);
	}
}

/* "image ls" -> "warren-image-ls" */
static void man_name(char *buf, size_t size, const char *path)
{
	snprintf(buf, size, "warren-%s", path);
	for (char *p = buf; *p; p++)
		if (*p == ' ')
			*p = '-';
}

static void man_header(FILE *f, const char *name, const char *summary)
{
	fputs(".TH \"", f);
	for (const char *p = name; *p; p++)
		fputc(toupper((unsigned char)*p), f);
	fputs("\" 1 \"\" \"warren " WARREN_VERSION "\" \"warren manual\"\n.SH NAME\n", f);
	man_text(f, name, -1);
	fputs(" \\- ", f);
	man_text(f, summary, -1);
	fputs("\n", f);
}

static void man_options(FILE *f, const struct opt_def *opts)
{
	fputs(".SH OPTIONS\n", f);
	for (const struct opt_def *o = opts; o->long_name; o++) {
		fputs(".TP\n", f);
		if (o->short_name)
			fprintf(f, "\\fB\\-%c\\fR, ", o->short_name);
		fputs("\\fB\\-\\-", f);
		man_text(f, o->long_name, -1);
		fputs("\\fR", f);
		if (o->arg == OPT_VALUE) {
			fputs(" \\fI", f);
			man_text(f, o->metavar ? o->metavar : "VALUE", -1);
			fputs("\\fR", f);
		}
		fputs("\n", f);
		man_text(f, o->help, -1);
		fputs("\n", f);
	}
}

/* each usage form of @cmd (one a line) as a synopsis line of @path */
static void man_synopsis(FILE *f, const char *path, const char *usage)
{
	fputs(".SH SYNOPSIS\n", f);
	for (int first = 1; first || *usage; first = 0) {
		size_t n = strcspn(usage, "\n");
		if (!first)
			fputs(".br\n", f);
		fprintf(f, ".B warren %s\n", path);
		if (n) {
			man_text(f, usage, (int)n);
			fputs("\n", f);
		}
		usage += n + (usage[n] == '\n');
	}
}

static void man_see_also(FILE *f, const struct cli_node *group)
{
	fputs(".SH SEE ALSO\n", f);
	if (group)
		fprintf(f, ".BR warren\\-%s (1),\n", group->name);
	fputs(".BR warren (1)\n", f);
}

static void man_command(FILE *f, const char *path, const struct cli_node *n,
                        const struct cli_node *group)
{
	char name[160];

	man_name(name, sizeof(name), path);
	man_header(f, name, n->cmd->summary);
	man_synopsis(f, path, n->cmd->usage);
	fputs(".SH DESCRIPTION\n", f);
	man_text(f, n->cmd->summary, -1);
	fputs("\n", f);
	if (n->aliases) {
		fputs(".PP\nAliases:", f);
		for (const char *a = n->aliases; *a;) {
			size_t l = strcspn(a, " ");
			fprintf(f, "%s \\fBwarren %s %.*s\\fR", a == n->aliases ? "" : ",",
			        group ? group->name : "", (int)l, a);
			a += l + (a[l] == ' ');
		}
		fputs(".\n", f);
	}
	man_options(f, n->cmd->opts);
	man_see_also(f, group);
}

static void man_group(FILE *f, const char *path, const struct cli_node *g)
{
	char name[160];

	man_name(name, sizeof(name), path);
	man_header(f, name, g->summary);
	fprintf(f, ".SH SYNOPSIS\n.B warren %s\n\\fICOMMAND\\fR [\\fIOPTIONS\\fR]\n", path);
	fputs(".SH DESCRIPTION\n", f);
	man_text(f, g->summary, -1);
	fprintf(f, "\nRun \\fBwarren %s \\fICOMMAND\\fB \\-\\-help\\fR for a command's options.\n",
	        path);
	fputs(".SH COMMANDS\n", f);
	for (const struct cli_node *n = g->subs; n->name; n++) {
		fputs(".TP\n.BR ", f);
		man_text(f, name, -1);
		fprintf(f, "\\-%s (1)\n", n->name);
		man_text(f, n->cmd->summary, -1);
		fputs("\n", f);
	}
	fputs(".SH SEE ALSO\n.BR warren (1)\n", f);
}

/* implements docgen_cb: one page */
static int man_page(const char *path, const struct cli_node *n, const struct cli_node *group,
                    void *ctx)
{
	const char *dir = ctx;
	char name[160], file[PATH_MAX];
	FILE *f;

	man_name(name, sizeof(name), path);
	snprintf(file, sizeof(file), "%s/%s.1", dir, name);
	if (!(f = fopen(file, "we")))
		return -errno;
	if (n->subs)
		man_group(f, path, n);
	else
		man_command(f, path, n, group);
	return fclose(f) == 0 ? 0 : -errno;
}

/* warren(1): the global options and every command, from the same tables */
static void man_top(FILE *f)
{
	char *g = NULL;
	size_t glen = 0;
	FILE *gf = open_memstream(&g, &glen);

	man_header(f, "warren", "a rootless, daemonless container tool with Docker's commands");
	fputs(".SH SYNOPSIS\n.B warren\n[\\fIGLOBAL OPTIONS\\fR] \\fICOMMAND\\fR "
	      "[\\fIOPTIONS\\fR] [\\fIARG\\fR...]\n",
	      f);
	fputs(".SH DESCRIPTION\nwarren runs containers as an unprivileged user, with no "
	      "daemon: each command is a short-lived process.\nRun \\fBwarren \\fICOMMAND\\fB "
	      "\\-\\-help\\fR for a command's options.\n",
	      f);
	fputs(".SH GLOBAL OPTIONS\n", f);
	if (gf) {
		gopts_help(gf);
		fclose(gf);
	}
	/* gopts_help() lines: "  --NAME ARG help text" */
	for (char *line = g, *next; line && *line; line = next) {
		char opt[64], arg[64];
		int used = 0;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		if (sscanf(line, " %63s %63s %n", opt, arg, &used) < 2)
			continue;
		fputs(".TP\n\\fB", f);
		man_text(f, opt, -1);
		fputs("\\fR \\fI", f);
		man_text(f, arg, -1);
		fputs("\\fR\n", f);
		man_text(f, line + used, -1);
		fputs("\n", f);
	}
	free(g);
	fputs(".SH COMMANDS\n", f);
	for (const struct cli_node *n = cli_tree; n->name; n++) {
		fprintf(f, ".TP\n.BR warren\\-%s (1)\n", n->name);
		man_text(f, n->cmd ? n->cmd->summary : n->summary, -1);
		fputs("\n", f);
	}
	fputs(".TP\n.B warren version\nShow the version.\n", f);
	fputs(".SH FILES\n.TP\n.I ~/.config/warren/warren.conf\nThe configuration file "
	      "(\\fBstorage\\-driver = NAME\\fR; \\fBcgroup\\-limits = warn\\fR: run without "
	      "resource limits the host cannot apply, with a warning, instead of refusing; "
	      "\\fBroot = DIR\\fR: the store, below \\fB\\-\\-root\\fR and "
	      "\\fBWARREN_ROOT\\fR, kept even on a filesystem that cannot hold one, with a "
	      "warning).\n",
	      f);
	fputs(".SH SEE ALSO\n.BR podman (1),\n.BR docker (1)\n", f);
}

int docgen_man(const char *dir, struct werr *err)
{
	char file[PATH_MAX];
	FILE *f;
	int r;

	if (mkdir(dir, 0755) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "cannot create %s", dir);
	snprintf(file, sizeof(file), "%s/warren.1", dir);
	if (!(f = fopen(file, "we")))
		return werr_errno(err, errno, "cannot create %s", file);
	man_top(f);
	if (fclose(f) != 0)
		return werr_errno(err, errno, "cannot write %s", file);
	if ((r = docgen_walk(man_page, (void *)dir)) < 0)
		return werr_errno(err, -r, "cannot write the man pages in %s", dir);
	return 0;
}
