/* cliutil.c - shared parsing and error printing for the container commands.
 * Errors are one line, "warren: ...", with Docker's CLI's exit codes: 125
 * for a refused flag and for run, create, exec and build, 1 otherwise. */
#include "cliutil.h"
#include "commands.h"
#include "ctrcgroup.h"

#include <ctype.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

static struct gopts gopts;
/* Docker's CLI: 125 when run, create, exec or build fail, 1 for the rest */
static int error_exit = 1;

int cli_gopts_load(const char *root, const char *driver, struct werr *err)
{
	int r = gopts_load(&gopts, root, driver, err);

	ctrcgroup_configure(&gopts);
	return r;
}

const struct gopts *cli_gopts(void)
{
	return &gopts;
}

struct parse_ctx {
	opt_cb cb;
	void *ctx;
	bool help;
};

/* implements opt_cb: --help here, the rest to the command */
static int cli_parse_cb(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct parse_ctx *p = ctx;

	if (def->id == CLI_HELP_ID) {
		p->help = !strcmp(v, "true");
		return 0;
	}
	return p->cb(p->ctx, def, v, err);
}

int cli_parse(const struct cli_cmd *cmd, int argc, char **argv, int *ind, opt_cb cb, void *ctx)
{
	struct parse_ctx p = { cb, ctx, false };
	struct werr err = { 0 };
	int n;

	*ind = 1;
	if (opts_parse(cmd->opts, argc, argv, ind, cmd->mode, cli_parse_cb, &p, cmd->name, &err) <
	    0) {
		/* a flag Docker's parser refuses: 125 for every command, as
		 * Docker's FlagErrorFunc returns */
		werr_print(&err, "warren");
		return EXIT_WARREN;
	}
	if (p.help) {
		cli_print_help(cmd);
		return 0;
	}
	n = argc - *ind;
	if (n < cmd->min_args || (cmd->max_args >= 0 && n > cmd->max_args)) {
		if (cmd->min_args == cmd->max_args)
			werr_set(&err, EINVAL, "\"warren %s\" requires exactly %d argument%s: %s",
			         cmd->name, cmd->min_args, cmd->min_args == 1 ? "" : "s",
			         cmd->usage);
		else if (n < cmd->min_args)
			werr_set(&err, EINVAL, "\"warren %s\" requires at least %d argument%s: %s",
			         cmd->name, cmd->min_args, cmd->min_args == 1 ? "" : "s",
			         cmd->usage);
		else
			werr_set(&err, EINVAL, "\"warren %s\" takes at most %d argument%s: %s",
			         cmd->name, cmd->max_args, cmd->max_args == 1 ? "" : "s",
			         cmd->usage);
		return cli_error(&err);
	}
	return -1;
}

void cli_print_help(const struct cli_cmd *cmd)
{
	const char *u = cmd->usage;

	for (int first = 1; first || *u; first = 0) {
		size_t n = strcspn(u, "\n");
		printf("%s warren %s%s%.*s\n", first ? "Usage:" : "      ", cmd->name, n ? " " : "",
		       (int)n, u);
		u += n + (u[n] == '\n');
	}
	printf("\n%s\n\nOptions:\n", cmd->summary);
	opts_print_help(stdout, cmd->opts);
}

void cli_error_exit_set(int code)
{
	error_exit = code;
}

int cli_error_exit(void)
{
	return error_exit;
}

int cli_error(const struct werr *err)
{
	werr_print(err, "warren");
	return error_exit;
}

int cli_fail(const struct werr *err)
{
	werr_print(err, "warren");
	return 1;
}

bool cli_confirm(const char *warning)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	bool yes = false;

	printf("%s [y/N] ", warning);
	fflush(stdout);
	n = getline(&line, &cap, stdin);
	if (n > 0) {
		char *p = line, *end = line + n;
		while (end > p && isspace((unsigned char)end[-1]))
			*--end = '\0';
		while (isspace((unsigned char)*p))
			p++;
		yes = !strcasecmp(p, "y"); /* Docker: y or Y, nothing else */
	} else {
		putchar('\n'); /* no answer: end the prompt's line */
	}
	free(line);
	return yes;
}

static uint64_t tree_bytes;

/* implements nftw's callback for cli_tree_size */
static int tree_size_fn(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)path;
	(void)ftw;
	if (flag == FTW_F && S_ISREG(st->st_mode))
		tree_bytes += (uint64_t)st->st_size;
	return 0;
}

uint64_t cli_tree_size(const char *path)
{
	tree_bytes = 0;
	/* unreadable directories (a container's files of subordinate IDs) are
	 * skipped, not an error: the figure is what could be counted */
	nftw(path, tree_size_fn, 32, FTW_PHYS | FTW_MOUNT);
	return tree_bytes;
}

int cli_parse_duration(const char *s, double *secs, struct werr *err)
{
	const char *p = s;
	double total = 0;

	if (!*s)
		goto bad;
	while (*p) {
		char *end;
		double v = strtod(p, &end);
		if (end == p || v < 0)
			goto bad;
		p = end;
		if (!strncmp(p, "ms", 2)) {
			v /= 1000;
			p += 2;
		} else if (*p == 's') {
			p++;
		} else if (*p == 'm') {
			v *= 60;
			p++;
		} else if (*p == 'h') {
			v *= 3600;
			p++;
		} else if (*p || p != end || total != 0) {
			goto bad;
		}
		total += v;
	}
	*secs = total;
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid duration \"%s\": use seconds or a Go duration such as 10s, "
	                "1m30s, 500ms",
	                s);
}

int cli_parse_int(const char *s, long min, long max, long *out, const char *what, struct werr *err)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (errno || *end || end == s || v < min || v > max)
		return werr_set(err, EINVAL, "invalid %s \"%s\": use a number from %ld to %ld",
		                what, s, min, max);
	*out = v;
	return 0;
}

int cli_each(int argc, char **argv, bool echo, int (*fn)(struct record *, void *, struct werr *),
             void *ctx)
{
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		struct record rec = { 0 };
		struct werr err = { 0 };
		if (record_lookup(cli_gopts(), argv[i], &rec, &err) < 0 ||
		    fn(&rec, ctx, &err) < 0) {
			rc = cli_error(&err);
		} else if (echo) {
			printf("%s\n", argv[i]);
			fflush(stdout);
		}
		if (rec.config || rec.state)
			record_free(&rec);
	}
	return rc;
}
