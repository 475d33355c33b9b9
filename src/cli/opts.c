/* opts.c - table-driven option parser shared by every command.
 * It only parses: values are handed to the command's callback, and it never
 * prints or exits (errors go into struct werr). */
#include "opts.h"
#include "cleanup.h"

#include <stdlib.h>
#include <string.h>

int opts_parse_bool(const char *s, int *out)
{
	if (!strcmp(s, "true") || !strcmp(s, "1")) {
		*out = 1;
		return 0;
	}
	if (!strcmp(s, "false") || !strcmp(s, "0")) {
		*out = 0;
		return 0;
	}
	return -EINVAL;
}

static const struct opt_def *opts_find_long(const struct opt_def *defs, const char *name,
                                            size_t len)
{
	for (; defs->long_name; defs++)
		if (strlen(defs->long_name) == len && !strncmp(defs->long_name, name, len))
			return defs;
	return NULL;
}

static const struct opt_def *opts_find_short(const struct opt_def *defs, char c)
{
	for (; defs->long_name; defs++)
		if (defs->short_name && defs->short_name == c)
			return defs;
	return NULL;
}

/* --name, --name=value, --name value */
static int opts_parse_long(const struct opt_def *defs, int argc, char **argv, int *i, opt_cb cb,
                           void *ctx, const char *cmd, struct werr *err)
{
	const char *name = argv[*i] + 2;
	const char *eq = strchr(name, '=');
	size_t len = eq ? (size_t)(eq - name) : strlen(name);
	const struct opt_def *def = opts_find_long(defs, name, len);
	const char *value;

	if (!def)
		return werr_set(err, EINVAL, "unknown flag: --%.*s (see 'warren %s --help')",
		                (int)len, name, cmd);
	if (def->arg == OPT_FLAG) {
		int b = 1;
		if (eq && opts_parse_bool(eq + 1, &b) < 0)
			return werr_set(err, EINVAL,
			                "invalid value \"%s\" for flag --%s: use true or false",
			                eq + 1, def->long_name);
		value = b ? "true" : "false";
	} else if (eq) {
		value = eq + 1;
	} else {
		if (*i + 1 >= argc)
			return werr_set(err, EINVAL,
			                "flag needs an argument: --%s (see 'warren %s --help')",
			                def->long_name, cmd);
		value = argv[++*i];
	}
	return cb(ctx, def, value, err);
}

/* -abc (flags), -eVALUE, -e VALUE, -ab VALUE (last one takes the value) */
static int opts_parse_short(const struct opt_def *defs, int argc, char **argv, int *i, opt_cb cb,
                            void *ctx, const char *cmd, struct werr *err)
{
	const char *p = argv[*i] + 1;

	for (; *p; p++) {
		const struct opt_def *def = opts_find_short(defs, *p);
		int r;

		if (!def)
			return werr_set(
			    err, EINVAL,
			    "unknown shorthand flag: '%c' in %s (see 'warren %s --help')", *p,
			    argv[*i], cmd);
		if (def->arg == OPT_FLAG) {
			r = cb(ctx, def, "true", err);
			if (r < 0)
				return r;
			continue;
		}
		if (p[1] == '=')
			return cb(ctx, def, p + 2, err);
		if (p[1])
			return cb(ctx, def, p + 1, err);
		if (*i + 1 >= argc)
			return werr_set(
			    err, EINVAL,
			    "flag needs an argument: '%c' in %s (see 'warren %s --help')", *p,
			    argv[*i], cmd);
		return cb(ctx, def, argv[++*i], err);
	}
	return 0;
}

int opts_parse(const struct opt_def *defs, int argc, char **argv, int *ind, enum opts_mode mode,
               opt_cb cb, void *ctx, const char *cmd, struct werr *err)
{
	_cleanup_free_ char **operands = calloc((size_t)(argc > 0 ? argc : 1), sizeof(char *));
	int i, start = *ind, n_opts = 0, n_operands = 0;

	if (!operands)
		return werr_errno(err, ENOMEM, "parsing options");
	for (i = start; i < argc; i++) {
		const char *a = argv[i];
		int first = i, r;

		if (!strcmp(a, "--")) {
			argv[start + n_opts++] = argv[i++];
			break;
		}
		if (a[0] != '-' || a[1] == '\0') {
			if (mode == OPTS_STOP_AT_OPERAND)
				break;
			operands[n_operands++] = argv[i];
			continue;
		}
		if (a[1] == '-')
			r = opts_parse_long(defs, argc, argv, &i, cb, ctx, cmd, err);
		else
			r = opts_parse_short(defs, argc, argv, &i, cb, ctx, cmd, err);
		if (r < 0)
			return r;
		/* the option and its value move before the operands seen so far */
		for (int k = first; k <= i; k++)
			argv[start + n_opts++] = argv[k];
	}
	/* the operands, in order, then what follows "--" or the first operand
	 * (the "--" itself stays among the options, so argv keeps its length) */
	*ind = start + n_opts;
	memmove(argv + *ind + n_operands, argv + i, (size_t)(argc - i) * sizeof(char *));
	memcpy(argv + *ind, operands, (size_t)n_operands * sizeof(char *));
	return 0;
}

void opts_print_help(FILE *f, const struct opt_def *defs)
{
	for (; defs->long_name; defs++) {
		char left[64];
		int n;

		if (defs->short_name)
			n = snprintf(left, sizeof(left), "  -%c, --%s", defs->short_name,
			             defs->long_name);
		else
			n = snprintf(left, sizeof(left), "      --%s", defs->long_name);
		if (defs->arg == OPT_VALUE && n > 0 && (size_t)n < sizeof(left))
			snprintf(left + n, sizeof(left) - (size_t)n, " %s",
			         defs->metavar ? defs->metavar : "VALUE");
		fprintf(f, "%-34s %s\n", left, defs->help);
	}
}
