/* test_opts.c - unit tests for the table-driven option parser (TAP). */
#include <stdio.h>
#include <string.h>

#include "opts.h"
#include "tap.h"

enum { O_ENV, O_INT, O_TTY, O_RM, O_NAME };

static const struct opt_def defs[] = {
	{ "env", 'e', OPT_VALUE, "K=V", "env", O_ENV },
	{ "interactive", 'i', OPT_FLAG, NULL, "i", O_INT },
	{ "tty", 't', OPT_FLAG, NULL, "t", O_TTY },
	{ "rm", 0, OPT_FLAG, NULL, "rm", O_RM },
	{ "name", 0, OPT_VALUE, "NAME", "name", O_NAME },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

struct seen {
	char log[512];
};

static int cb(void *ctx, const struct opt_def *def, const char *value, struct werr *err)
{
	struct seen *s = ctx;
	size_t n = strlen(s->log);

	snprintf(s->log + n, sizeof(s->log) - n, "%s%s=%s", n ? " " : "", def->long_name, value);
	return 0;
}

static char *argv[32];
static int argc;

/* parse a space-separated command line in @mode; returns the parser's result */
static int parse_mode(const char *line, enum opts_mode mode, struct seen *s, int *ind,
                      struct werr *err)
{
	static char buf[512];

	argc = 0;

	snprintf(buf, sizeof(buf), "%s", line);
	for (char *t = strtok(buf, " "); t && argc < 31; t = strtok(NULL, " "))
		argv[argc++] = t;
	argv[argc] = NULL;
	memset(s, 0, sizeof(*s));
	*ind = 1;
	return opts_parse(defs, argc, argv, ind, mode, cb, s, "run", err);
}

static int parse(const char *line, struct seen *s, int *ind, struct werr *err)
{
	return parse_mode(line, OPTS_STOP_AT_OPERAND, s, ind, err);
}

/* argv[@ind..argc) joined by spaces */
static const char *operands(int ind)
{
	static char out[512];

	out[0] = '\0';
	for (int i = ind; i < argc; i++)
		snprintf(out + strlen(out), sizeof(out) - strlen(out), "%s%s", i > ind ? " " : "",
		         argv[i]);
	return out;
}

int main(void)
{
	struct seen s;
	struct werr err;
	int ind, b;

	check(parse("run -e A=1 --env B=2 --env=C=3 -eD=4 img", &s, &ind, &err) == 0 &&
	          !strcmp(s.log, "env=A=1 env=B=2 env=C=3 env=D=4") && ind == 7,
	      "value forms: -e V, --env V, --env=V, -eV");
	check(parse("run -it img cmd", &s, &ind, &err) == 0 &&
	          !strcmp(s.log, "interactive=true tty=true") && ind == 2,
	      "grouped short flags -it");
	check(parse("run -ie X=1 img", &s, &ind, &err) == 0 &&
	          !strcmp(s.log, "interactive=true env=X=1") && ind == 3,
	      "grouped flags ending in a value option");
	check(parse("run --rm=false img", &s, &ind, &err) == 0 && !strcmp(s.log, "rm=false"),
	      "--flag=false");
	check(parse("run --rm=maybe img", &s, &ind, &err) < 0 && strstr(err.msg, "--rm"),
	      "--flag=garbage is refused naming the flag");
	check(parse("run --bogus img", &s, &ind, &err) < 0 &&
	          !strcmp(err.msg, "unknown flag: --bogus (see 'warren run --help')"),
	      "unknown long flag");
	check(parse("run -x img", &s, &ind, &err) < 0 && strstr(err.msg, "'x'"),
	      "unknown short flag");
	check(parse("run --env", &s, &ind, &err) < 0 && strstr(err.msg, "needs an argument"),
	      "missing value at the end");
	check(parse("run -e", &s, &ind, &err) < 0 && strstr(err.msg, "needs an argument"),
	      "missing short value at the end");
	check(parse("run -- -e X", &s, &ind, &err) == 0 && ind == 2 && !s.log[0],
	      "-- ends options");
	check(parse("run img -e X", &s, &ind, &err) == 0 && ind == 1 && !s.log[0],
	      "parsing stops at the first operand");
	check(parse("run - x", &s, &ind, &err) == 0 && ind == 1, "a lone - is an operand");
	check(parse_mode("save img -e X --rm out", OPTS_INTERSPERSED, &s, &ind, &err) == 0 &&
	          !strcmp(s.log, "env=X rm=true") && ind == 4 && !strcmp(operands(ind), "img out"),
	      "interspersed: options after operands, operands kept in order");
	check(parse_mode("save a -eX b -- -e c", OPTS_INTERSPERSED, &s, &ind, &err) == 0 &&
	          !strcmp(s.log, "env=X") && !strcmp(operands(ind), "a b -e c"),
	      "interspersed: -- ends options, what follows is operands");
	check(parse_mode("save a - --name=n", OPTS_INTERSPERSED, &s, &ind, &err) == 0 &&
	          !strcmp(s.log, "name=n") && !strcmp(operands(ind), "a -"),
	      "interspersed: a lone - is an operand");
	check(parse_mode("save a --bogus", OPTS_INTERSPERSED, &s, &ind, &err) < 0 &&
	          strstr(err.msg, "--bogus"),
	      "interspersed: an unknown flag after an operand is refused");
	check(parse("run -e A img cmd -e B", &s, &ind, &err) == 0 && !strcmp(s.log, "env=A") &&
	          !strcmp(operands(ind), "img cmd -e B"),
	      "stop at operand: the command's own flags are untouched");
	check(parse("run --name= img", &s, &ind, &err) == 0 && !strcmp(s.log, "name="),
	      "--name= gives an empty value");
	check(parse("run --na img", &s, &ind, &err) < 0, "no prefix matching of long names");
	check(opts_parse_bool("true", &b) == 0 && b == 1 && opts_parse_bool("0", &b) == 0 && b == 0,
	      "bool spellings");
	check(opts_parse_bool("yes", &b) < 0, "bool garbage refused");
	{
		char help[2048] = "";
		FILE *f = fmemopen(help, sizeof(help) - 1, "w");
		opts_print_help(f, defs);
		fclose(f);
		check(strstr(help, "-e, --env K=V") && strstr(help, "--rm"),
		      "help comes from the same table");
	}
	return tap_done();
}
