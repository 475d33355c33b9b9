/* test_dockerfile.c - the Dockerfile parser on the forms Docker documents
 * (Dockerfile reference, BuildKit parser tests): instructions, flags,
 * continuations, directives, heredocs, stages, expansion, and the errors. */
#include <stdlib.h>

#include "dockerfile.h"
#include "tap.h"

static struct werr err;

static struct dockerfile *parse(const char *text)
{
	struct dockerfile *df;

	if (dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) < 0)
		return NULL;
	return df;
}

/* the @i-th instruction of the whole file */
static const struct df_instr *nth(const struct dockerfile *df, size_t i)
{
	return df && i < df->nall ? df->all[i] : NULL;
}

struct bad_case {
	const char *text;
	const char *want; /* the whole message */
};

static const struct bad_case bad_cases[] = {
	{ "FROM alpine\n\nFORM alpine\n",
	  "Dockerfile:3: unknown instruction: FORM (did you mean FROM?)" },
	{ "FROM alpine\nRUNN x\n", "Dockerfile:2: unknown instruction: RUNN (did you mean RUN?)" },
	{ "FROM alpine\nfoo bar\n", "Dockerfile:2: unknown instruction: foo" },
	{ "FROM alpine\nRUN echo \\\n  a \\\n\n  b\nBOGUS x\n",
	  "Dockerfile:6: unknown instruction: BOGUS" },
	{ "", "Dockerfile:1: file with no instructions (a Dockerfile starts with FROM IMAGE)" },
	{ "# just a comment\n\n",
	  "Dockerfile:2: file with no instructions (a Dockerfile starts with FROM IMAGE)" },
	{ "ARG A=1\n",
	  "Dockerfile:1: no FROM instruction (a Dockerfile needs at least one FROM IMAGE)" },
	{ "ARG A\nRUN true\nFROM alpine\n",
	  "Dockerfile:2: RUN before the first FROM (only ARG may come before FROM; start the build "
	  "stage with FROM IMAGE)" },
	{ "FROM alpine AS\n",
	  "Dockerfile:1: FROM requires either one or three arguments (FROM IMAGE [AS NAME])" },
	{ "FROM alpine foo bar\n",
	  "Dockerfile:1: FROM requires either one or three arguments (FROM IMAGE [AS NAME])" },
	{ "FROM\n", "Dockerfile:1: FROM requires at least one argument" },
	{ "FROM alpine AS 1st\n",
	  "Dockerfile:1: invalid name for build stage: \"1st\", name can't start with a number or "
	  "contain symbols" },
	{ "FROM alpine\nRUN <<EOF\necho hi\nEOF2\n",
	  "Dockerfile:2: unterminated heredoc <<EOF (end it with a line holding only EOF)" },
	{ "FROM alpine\nCOPY --frm=a x y\n", "Dockerfile:2: unknown flag: --frm for COPY" },
	{ "FROM alpine\nRUN --network echo\n",
	  "Dockerfile:2: missing a value on flag: --network (use --network=VALUE)" },
	{ "FROM alpine\nCOPY --link=maybe a b\n",
	  "Dockerfile:2: expecting boolean value for flag --link, not: maybe" },
	{ "FROM alpine\nCOPY --from=a --from=b a b\n",
	  "Dockerfile:2: duplicate flag specified: --from" },
	{ "FROM alpine\nWORKDIR --x=1 /a\n", "Dockerfile:2: unknown flag: --x for WORKDIR" },
	{ "FROM alpine\nCOPY onlyone\n",
	  "Dockerfile:2: COPY requires at least two arguments, but only one was provided. "
	  "Destination could not be determined." },
	{ "FROM alpine\nCOPY a <<EOF\nx\nEOF\n",
	  "Dockerfile:2: COPY cannot accept a heredoc as a destination" },
	{ "FROM alpine\nCMD [\"a\", 1]\n",
	  "Dockerfile:2: when using JSON array syntax, arrays must be comprised of strings only" },
	{ "FROM alpine\nSHELL /bin/bash -c\n",
	  "Dockerfile:2: SHELL requires the arguments to be in JSON form (SHELL [\"/bin/sh\", "
	  "\"-c\"])" },
	{ "FROM alpine\nENV A=1 B\n",
	  "Dockerfile:2: Syntax error - can't find = in \"B\". Must be of the form: name=value" },
	{ "FROM alpine\nENV A\n", "Dockerfile:2: ENV must have two arguments (use ENV KEY=VALUE)" },
	{ "FROM alpine\nENV =x\n", "Dockerfile:2: ENV names can not be blank" },
	{ "FROM alpine\nARG\n",
	  "Dockerfile:2: ARG requires at least one argument (ARG NAME[=DEFAULT])" },
	{ "FROM alpine\nARG =x\n", "Dockerfile:2: ARG names can not be blank" },
	{ "FROM alpine\nWORKDIR\n", "Dockerfile:2: WORKDIR requires exactly one argument" },
	{ "FROM alpine\nUSER\n", "Dockerfile:2: USER requires exactly one argument" },
	{ "FROM alpine\nEXPOSE\n", "Dockerfile:2: EXPOSE requires at least one argument" },
	{ "FROM alpine\nRUN\n", "Dockerfile:2: RUN requires at least one argument" },
	{ "FROM alpine\nHEALTHCHECK NONE x\n",
	  "Dockerfile:2: HEALTHCHECK NONE takes no arguments" },
	{ "FROM alpine\nHEALTHCHECK CURL x\n",
	  "Dockerfile:2: Unknown type \"CURL\" in HEALTHCHECK (try CMD)" },
	{ "FROM alpine\nHEALTHCHECK CMD\n", "Dockerfile:2: Missing command after HEALTHCHECK CMD" },
	{ "FROM alpine\nHEALTHCHECK --interval=10us CMD x\n",
	  "Dockerfile:2: Interval \"interval\" cannot be less than 1ms" },
	{ "FROM alpine\nHEALTHCHECK --timeout=soon CMD x\n",
	  "Dockerfile:2: HEALTHCHECK --timeout: invalid duration soon (e.g. 30s, 1m30s)" },
	{ "FROM alpine\nHEALTHCHECK --retries=-1 CMD x\n",
	  "Dockerfile:2: --retries cannot be negative (-1)" },
	{ "FROM alpine\nONBUILD ONBUILD RUN x\n",
	  "Dockerfile:2: Chaining ONBUILD via `ONBUILD ONBUILD` isn't allowed" },
	{ "FROM alpine\nONBUILD FROM x\n",
	  "Dockerfile:2: FROM isn't allowed as an ONBUILD trigger" },
	{ "FROM alpine\nONBUILD MAINTAINER x\n",
	  "Dockerfile:2: MAINTAINER isn't allowed as an ONBUILD trigger" },
	{ "FROM alpine\nONBUILD FRM x\n",
	  "Dockerfile:2: unknown instruction: FRM (did you mean FROM?)" },
	{ "# escape=\\\n# escape=`\nFROM alpine\n",
	  "Dockerfile:2: only one escape parser directive can be used" },
	{ "# escape=x\nFROM alpine\n",
	  "Dockerfile:1: invalid escape token: it must be ` or \\ (# escape=`)" },
	{ "FROM alpine\nRUN a\0b\n", "Dockerfile:2: NUL byte in the file (is it a Dockerfile?)" },
};

static void test_bad(void)
{
	char name[160];

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(*bad_cases); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct dockerfile *df;
		size_t len = strlen(c->text);
		if (strstr(c->want, "NUL byte"))
			len += 4;
		err.msg[0] = '\0';
		snprintf(name, sizeof(name), "bad input %zu: %.100s", i, c->want);
		if (dockerfile_parse(c->text, len, "Dockerfile", &df, &err) == 0) {
			check(0, name);
			dockerfile_free(df);
			continue;
		}
		check_str(err.msg, c->want, name);
	}
}

/* the argument-count rules of each instruction, as BuildKit states them */
static void test_arg_counts(void)
{
	static const char *const exactly_one[] = { "MAINTAINER", "WORKDIR", "USER", "STOPSIGNAL" };
	static const char *const at_least_one[] = { "ENV",    "LABEL",  "ONBUILD", "HEALTHCHECK",
		                                    "EXPOSE", "VOLUME", "RUN",     "ARG" };
	char text[64], want[128];
	struct dockerfile *df;

	for (size_t i = 0; i < sizeof(exactly_one) / sizeof(*exactly_one); i++) {
		snprintf(text, sizeof(text), "FROM a\n%s \t\n", exactly_one[i]);
		snprintf(want, sizeof(want), "Dockerfile:2: %s requires exactly one argument",
		         exactly_one[i]);
		check(dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) < 0 &&
		          strcmp(err.msg, want) == 0,
		      want);
	}
	for (size_t i = 0; i < sizeof(at_least_one) / sizeof(*at_least_one); i++) {
		snprintf(text, sizeof(text), "FROM a\n%s\n", at_least_one[i]);
		snprintf(want, sizeof(want), "Dockerfile:2: %s requires at least one argument",
		         at_least_one[i]);
		check(dockerfile_parse(text, strlen(text), "Dockerfile", &df, &err) < 0 &&
		          strncmp(err.msg, want, strlen(want)) == 0,
		      want);
	}
	df = parse("FROM a\nMAINTAINER --boo joe@example.com\n");
	check(!df && strcmp(err.msg, "Dockerfile:2: unknown flag: --boo for MAINTAINER") == 0,
	      "flags on an instruction that takes none are refused");
}

static void test_from(void)
{
	struct dockerfile *df = parse("# syntax=docker/dockerfile:1\n"
	                              "FROM --platform=$BUILDPLATFORM golang:1.22 AS Build\n"
	                              "from scratch\n"
	                              "  FROM alpine as final\n");

	if (!check(df != NULL, "FROM: AS, --platform, scratch, any case, leading blanks")) {
		printf("# %s\n", err.msg);
		return;
	}
	check(df->nstages == 3 && strcmp(df->stages[0].name, "build") == 0 &&
	          strcmp(df->stages[0].base, "golang:1.22") == 0 &&
	          strcmp(df->stages[0].platform, "$BUILDPLATFORM") == 0 &&
	          df->stages[1].name == NULL && strcmp(df->stages[1].base, "scratch") == 0 &&
	          strcmp(df->stages[2].name, "final") == 0 && df->stages[2].from->line == 4,
	      "FROM: stage names lower-cased, platform kept unexpanded, line numbers");
	check_str(df->syntax, "docker/dockerfile:1", "# syntax= is recorded");
	dockerfile_free(df);
}

static void test_run(void)
{
	struct dockerfile *df =
	    parse("FROM a\n"
	          "RUN --mount=type=cache,target=/root/.cache --network=none --security=insecure "
	          "go build ./...\n"
	          "RUN [\"echo\", \"a\\\"b\", \"\\u00e9\\t\", \"c\\\\d\"]\n"
	          "RUN [ \"echo\", 'single' ]\n"
	          "RUN [\"unterminated\"\n"
	          "CMD [\"a\"] trailing\n"
	          "ENTRYPOINT []\n"
	          "SHELL [\"/bin/bash\", \"-o\", \"pipefail\", \"-c\"]\n"
	          "run   echo   spaced   \n");
	const struct df_instr *in;

	if (!check(df != NULL, "RUN/CMD/ENTRYPOINT/SHELL parse")) {
		printf("# %s\n", err.msg);
		return;
	}
	in = nth(df, 1);
	check(in->kind == DF_RUN && !in->json && in->nargs == 1 &&
	          strcmp(in->args[0], "go build ./...") == 0 && in->nflags == 3 &&
	          strcmp(dockerfile_instr_flag(in, "mount")->value,
	                 "type=cache,target=/root/.cache") == 0 &&
	          strcmp(dockerfile_instr_flag(in, "network")->value, "none") == 0,
	      "RUN: shell form with --mount/--network/--security recorded");
	in = nth(df, 2);
	check(in->json && in->nargs == 4 && strcmp(in->args[1], "a\"b") == 0 &&
	          strcmp(in->args[2], "\xc3\xa9\t") == 0 && strcmp(in->args[3], "c\\d") == 0,
	      "RUN exec form: JSON strings unescaped (\\\", \\u00e9, \\t, \\\\)");
	in = nth(df, 3);
	check(!in->json && strcmp(in->args[0], "[ \"echo\", 'single' ]") == 0,
	      "RUN: invalid JSON (single quotes) falls back to the shell form");
	in = nth(df, 4);
	check(!in->json && strcmp(in->args[0], "[\"unterminated\"") == 0,
	      "RUN: unterminated JSON array is the shell form");
	in = nth(df, 5);
	check(in->kind == DF_CMD && !in->json, "CMD: JSON followed by text is the shell form");
	in = nth(df, 6);
	check(in->kind == DF_ENTRYPOINT && in->json && in->nargs == 0,
	      "ENTRYPOINT []: an empty exec form");
	in = nth(df, 7);
	check(in->kind == DF_SHELL && in->json && in->nargs == 4 &&
	          strcmp(in->args[2], "pipefail") == 0,
	      "SHELL: JSON form");
	in = nth(df, 8);
	check(in->kind == DF_RUN && strcmp(in->args[0], "echo   spaced") == 0,
	      "RUN: lower case; inner spacing kept, outer blanks trimmed");
	dockerfile_free(df);
}

static void test_copy(void)
{
	struct dockerfile *df = parse("FROM a\n"
	                              "COPY --from=build --chown=app:app --chmod=0755 --link "
	                              "a.txt b/ *.go /dst/\n"
	                              "COPY [\"a b.txt\", \"/dst dir/\"]\n"
	                              "ADD --checksum=sha256:abc --keep-git-dir=true "
	                              "https://example.com/x.tar.gz /x/\n"
	                              "COPY --chown=\"user name\" a b\n"
	                              "COPY -- --weird /dst\n");
	const struct df_instr *in;

	if (!check(df != NULL, "COPY/ADD parse")) {
		printf("# %s\n", err.msg);
		return;
	}
	in = nth(df, 1);
	check(in->kind == DF_COPY && in->nargs == 4 && strcmp(in->args[2], "*.go") == 0 &&
	          strcmp(in->args[3], "/dst/") == 0 &&
	          strcmp(dockerfile_instr_flag(in, "from")->value, "build") == 0 &&
	          strcmp(dockerfile_instr_flag(in, "chown")->value, "app:app") == 0 &&
	          strcmp(dockerfile_instr_flag(in, "chmod")->value, "0755") == 0 &&
	          dockerfile_instr_flag(in, "link")->value == NULL,
	      "COPY: several sources, --from/--chown/--chmod/--link recorded");
	in = nth(df, 2);
	check(in->json && in->nargs == 2 && strcmp(in->args[0], "a b.txt") == 0,
	      "COPY: JSON form allows blanks in paths");
	in = nth(df, 3);
	check(in->kind == DF_ADD && in->nargs == 2 &&
	          strcmp(dockerfile_instr_flag(in, "keep-git-dir")->value, "true") == 0 &&
	          strcmp(dockerfile_instr_flag(in, "checksum")->value, "sha256:abc") == 0,
	      "ADD: URL source, --checksum and --keep-git-dir");
	in = nth(df, 4);
	check(strcmp(dockerfile_instr_flag(in, "chown")->value, "user name") == 0,
	      "flags: quotes in flag values are removed");
	in = nth(df, 5);
	check(in->nflags == 0 && in->nargs == 2 && strcmp(in->args[0], "--weird") == 0,
	      "flags: -- ends the flags");
	dockerfile_free(df);
}

static void test_env_label_arg(void)
{
	struct dockerfile *df = parse("ARG BASE=alpine:3.19 VARIANT\n"
	                              "FROM $BASE\n"
	                              "ENV MY_NAME=\"John Doe\" MY_DOG=Rex\\ The\\ Dog \\\n"
	                              "    MY_CAT=fluffy\n"
	                              "ENV LEGACY this is  the value\n"
	                              "LABEL \"com.example.vendor\"=\"ACME Inc\" version=1.0 "
	                              "description='a b'\n"
	                              "ARG USER=root\n"
	                              "ENV EMPTY=\n");
	const struct df_instr *in;

	if (!check(df != NULL, "ENV/LABEL/ARG parse")) {
		printf("# %s\n", err.msg);
		return;
	}
	check(df->nmeta_args == 1 && df->meta_args[0]->nkvs == 2 &&
	          strcmp(df->meta_args[0]->kvs[0].value, "alpine:3.19") == 0 &&
	          df->meta_args[0]->kvs[1].value == NULL,
	      "ARG before FROM: meta args, with and without default");
	in = nth(df, 2);
	check(in->kind == DF_ENV && in->nkvs == 3 && in->line == 3 &&
	          strcmp(in->kvs[0].value, "\"John Doe\"") == 0 &&
	          strcmp(in->kvs[1].value, "Rex\\ The\\ Dog") == 0 &&
	          strcmp(in->kvs[2].key, "MY_CAT") == 0,
	      "ENV K=V pairs across a continuation, quotes kept for expansion");
	in = nth(df, 3);
	check(in->nkvs == 1 && strcmp(in->kvs[0].key, "LEGACY") == 0 &&
	          strcmp(in->kvs[0].value, "this is  the value") == 0,
	      "ENV K V: the legacy form takes the rest of the line");
	in = nth(df, 4);
	check(in->kind == DF_LABEL && in->nkvs == 3 &&
	          strcmp(in->kvs[0].key, "\"com.example.vendor\"") == 0,
	      "LABEL: several pairs");
	in = nth(df, 6);
	check(in->nkvs == 1 && strcmp(in->kvs[0].value, "") == 0, "ENV K= sets an empty value");
	dockerfile_free(df);
}

static void test_misc(void)
{
	struct dockerfile *df = parse("FROM a\n"
	                              "WORKDIR /path/to dir\n"
	                              "USER app:group\n"
	                              "EXPOSE 80/tcp 53/udp\n"
	                              "VOLUME [\"/data\", \"/logs\"]\n"
	                              "VOLUME /var/log /var/db\n"
	                              "STOPSIGNAL SIGTERM\n"
	                              "MAINTAINER Jane <jane@example.com>\n"
	                              "HEALTHCHECK --interval=5m --timeout=3s --start-period=1m30s "
	                              "--start-interval=500ms --retries=3 \\\n"
	                              "  CMD curl -f http://localhost/ || exit 1\n"
	                              "HEALTHCHECK NONE\n"
	                              "HEALTHCHECK CMD [\"/bin/check\", \"-q\"]\n"
	                              "ONBUILD RUN /usr/local/bin/python-build --dir /app/src\n"
	                              "ONBUILD ADD . /app/src\n");
	const struct df_instr *in;

	if (!check(df != NULL, "metadata instructions parse")) {
		printf("# %s\n", err.msg);
		return;
	}
	check(strcmp(nth(df, 1)->args[0], "/path/to dir") == 0, "WORKDIR takes the whole rest");
	check(strcmp(nth(df, 2)->args[0], "app:group") == 0, "USER user:group");
	check(nth(df, 3)->nargs == 2 && strcmp(nth(df, 3)->args[1], "53/udp") == 0,
	      "EXPOSE: ports with protocols");
	check(nth(df, 4)->json && nth(df, 4)->nargs == 2 && !nth(df, 5)->json &&
	          nth(df, 5)->nargs == 2,
	      "VOLUME: JSON and plain forms");
	check(strcmp(nth(df, 6)->args[0], "SIGTERM") == 0, "STOPSIGNAL");
	check(strcmp(nth(df, 7)->args[0], "Jane <jane@example.com>") == 0, "MAINTAINER");
	in = nth(df, 8);
	check(in->kind == DF_HEALTHCHECK && !in->json && !in->health.none &&
	          strcmp(in->args[0], "curl -f http://localhost/ || exit 1") == 0 &&
	          in->health.interval_ns == 300000000000LL &&
	          in->health.timeout_ns == 3000000000LL &&
	          in->health.start_period_ns == 90000000000LL &&
	          in->health.start_interval_ns == 500000000LL && in->health.retries == 3 &&
	          in->line == 9 && in->end_line == 10,
	      "HEALTHCHECK: every option parsed, shell form command");
	check(nth(df, 9)->health.none && nth(df, 9)->nargs == 0, "HEALTHCHECK NONE");
	check(nth(df, 10)->json && nth(df, 10)->nargs == 2, "HEALTHCHECK CMD exec form");
	in = nth(df, 11);
	check(in->kind == DF_ONBUILD && in->sub && in->sub->kind == DF_RUN &&
	          strcmp(in->sub->args[0], "/usr/local/bin/python-build --dir /app/src") == 0 &&
	          strcmp(in->args[0], "RUN /usr/local/bin/python-build --dir /app/src") == 0,
	      "ONBUILD: the trigger is parsed and recorded as written");
	check(nth(df, 12)->sub->kind == DF_ADD && nth(df, 12)->sub->nargs == 2, "ONBUILD ADD");
	dockerfile_free(df);
}

static void test_lines(void)
{
	struct dockerfile *df = parse("\xef\xbb\xbf"
	                              "FROM a\r\n"
	                              "# comment\r\n"
	                              "RUN echo a \\\r\n"
	                              "  # a comment inside the continuation\r\n"
	                              "\r\n"
	                              "    b \\  \r\n"
	                              "c\r\n"
	                              "   # indented comment\n"
	                              "RUN echo \\\\\n"
	                              "RUN echo '#not a comment'\n");
	const struct df_instr *in;

	if (!check(df != NULL, "continuations, comments, CRLF, BOM")) {
		printf("# %s\n", err.msg);
		return;
	}
	in = nth(df, 1);
	check(df->nall == 4 && in->line == 3 && in->end_line == 7 &&
	          strcmp(in->args[0], "echo a     b c") == 0,
	      "continuation: comments and blank lines skipped, blanks after \\ allowed");
	check(strcmp(nth(df, 2)->args[0], "echo \\\\") == 0 && nth(df, 2)->line == 9,
	      "an escaped escape at the end does not continue the line");
	check(strcmp(nth(df, 3)->args[0], "echo '#not a comment'") == 0,
	      "# inside an instruction is not a comment");
	dockerfile_free(df);

	df = parse("# escape=`\n"
	           "FROM microsoft/nanoserver\n"
	           "COPY testfile.txt c:\\\n"
	           "RUN dir c:\\\n"
	           "RUN echo a `\n"
	           "  b\n");
	if (check(df != NULL, "# escape=` (the Windows example of the reference)")) {
		check(df->escape == '`' && strcmp(nth(df, 1)->args[1], "c:\\") == 0 &&
		          strcmp(nth(df, 2)->args[0], "dir c:\\") == 0 &&
		          strcmp(nth(df, 3)->args[0], "echo a   b") == 0,
		      "escape=`: backslash is literal, backtick continues");
		dockerfile_free(df);
	}
	df = parse("FROM\tubuntu:22.04\n"
	           "ENV\tPLATFORMS\t\\\n"
	           "\tlinux/386 linux/arm \\\n"
	           "\tdarwin/amd64\n"
	           "RUN\tapt-get install -y \\\n"
	           "\tcurl \\\n"
	           "\tgit\n");
	check(df && df->nall == 3 && strcmp(nth(df, 1)->kvs[0].key, "PLATFORMS") == 0 &&
	          strcmp(nth(df, 1)->kvs[0].value, "linux/386 linux/arm \tdarwin/amd64") == 0 &&
	          strcmp(nth(df, 2)->args[0], "apt-get install -y \tcurl \tgit") == 0,
	      "tabs separate; continuation lines keep their indentation, as Docker's parser");
	dockerfile_free(df);
	df = parse("FROM a\n# escape=`\nRUN dir c:\\\nRUN x\n");
	check(df && df->escape == '\\' && df->nall == 2 &&
	          strcmp(nth(df, 1)->args[0], "dir c:RUN x") == 0,
	      "a directive after an instruction is a comment");
	dockerfile_free(df);
	df = parse("# unknowndirective=1\n# escape=`\nFROM a\n");
	check(df && df->escape == '\\', "an unknown directive ends the directives");
	dockerfile_free(df);
	df = parse("\n# escape=`\nFROM a\n");
	check(df && df->escape == '\\', "a blank line ends the directives");
	dockerfile_free(df);
	df = parse("#  ESCAPE = `\n# check=skip=all\n#syntax=x\nFROM a\n");
	check(df && df->escape == '`' && df->syntax && strcmp(df->syntax, "x") == 0,
	      "directives: any case, blanks around =, # check= accepted and ignored");
	dockerfile_free(df);
}

static void test_heredocs(void)
{
	struct dockerfile *df = parse("FROM a\n"
	                              "RUN <<EOF\n"
	                              "echo \"$HOME\"\n"
	                              "EOF\n"
	                              "RUN <<-EOT bash\n"
	                              "\tif true; then\n"
	                              "\t\techo tabbed\n"
	                              "\tfi\n"
	                              "\tEOT\n"
	                              "RUN <<'EOF' <<\"X Y\" 3<<END python3\n"
	                              "print('$HOME')\n"
	                              "EOF\n"
	                              "two\n"
	                              "X Y\n"
	                              "END\n"
	                              "COPY <<EOF /app/config.txt\n"
	                              "key=$VALUE\n"
	                              "EOF\n"
	                              "COPY [\"<<EOF\", \"/x\"]\n"
	                              "RUN cat<<EOF\n"
	                              "ONBUILD RUN <<EOF\n"
	                              "echo later\n"
	                              "EOF\n"
	                              "RUN <<FILE1 cat > file1 && <<FILE2 cat > file2\n"
	                              "I am\nfirst\nFILE1\nI am\nsecond\nFILE2\n");
	const struct df_instr *in;

	if (!check(df != NULL, "heredocs parse")) {
		printf("# %s\n", err.msg);
		return;
	}
	in = nth(df, 1);
	check(in->nheredocs == 1 && strcmp(in->heredocs[0].name, "EOF") == 0 &&
	          strcmp(in->heredocs[0].content, "echo \"$HOME\"\n") == 0 &&
	          in->heredocs[0].expand && !in->heredocs[0].chomp && in->line == 2 &&
	          in->end_line == 4 && strcmp(in->args[0], "<<EOF") == 0,
	      "RUN <<EOF: body read up to the delimiter");
	in = nth(df, 2);
	check(in->nheredocs == 1 && in->heredocs[0].chomp &&
	          strcmp(in->heredocs[0].content, "if true; then\necho tabbed\nfi\n") == 0,
	      "<<-EOT: leading tabs stripped from the body and the delimiter");
	in = nth(df, 3);
	check(in->nheredocs == 3 && !in->heredocs[0].expand && !in->heredocs[1].expand &&
	          in->heredocs[2].expand && strcmp(in->heredocs[1].name, "X Y") == 0 &&
	          strcmp(in->heredocs[0].content, "print('$HOME')\n") == 0 &&
	          strcmp(in->heredocs[1].content, "two\n") == 0 && in->heredocs[2].fd == 3 &&
	          strcmp(in->heredocs[2].content, "") == 0,
	      "several heredocs on one line; quoted delimiters disable expansion; fd prefix");
	in = nth(df, 4);
	check(in->kind == DF_COPY && in->nheredocs == 1 &&
	          dockerfile_instr_heredoc(in, in->args[0]) == &in->heredocs[0] &&
	          dockerfile_instr_heredoc(in, in->args[1]) == NULL &&
	          strcmp(in->heredocs[0].content, "key=$VALUE\n") == 0,
	      "COPY <<EOF /dst: the source is the body");
	{
		struct shellex_scope sc = { 0 };
		char *body = NULL;
		shellex_scope_set(&sc, "HOME", "/root");
		in = nth(df, 3);
		check(dockerfile_heredoc_expand(df, in, &in->heredocs[0], &sc, &body, &err) == 0 &&
		          strcmp(body, "print('$HOME')\n") == 0,
		      "a quoted delimiter: the body is not expanded");
		free(body);
		shellex_scope_free(&sc);
	}
	check(nth(df, 5)->json && nth(df, 5)->nheredocs == 0, "no heredocs in the JSON form");
	check(nth(df, 6)->nheredocs == 0 && nth(df, 7)->kind == DF_ONBUILD,
	      "cat<<EOF is not a heredoc word");
	in = nth(df, 7);
	check(in->sub->nheredocs == 1 &&
	          strcmp(in->sub->heredocs[0].content, "echo later\n") == 0 &&
	          strcmp(in->args[0], "RUN <<EOF\necho later\nEOF") == 0,
	      "ONBUILD RUN <<EOF: the trigger keeps its body");
	in = nth(df, 8);
	check(in->nheredocs == 2 && strcmp(in->heredocs[0].content, "I am\nfirst\n") == 0 &&
	          strcmp(in->heredocs[1].content, "I am\nsecond\n") == 0,
	      "the reference's two-file heredoc example");
	dockerfile_free(df);
}

struct heredoc_case {
	const char *text; /* after "FROM a\n" */
	const char *name; /* NULL: no heredoc */
	const char *content;
	bool expand;
};

/* delimiter forms (BuildKit's heredoc parser tests) */
static const struct heredoc_case heredoc_cases[] = {
	{ "RUN << EOF\nx\nEOF\n", "EOF", "x\n", true },
	{ "RUN <<- EOF\n\tx\n\tEOF\n", "EOF", "x\n", true },
	{ "RUN << -EOF\nx\n-EOF\n", "-EOF", "x\n", true },
	{ "RUN <<  EOF  > foo\nEOF\n", "EOF", "", true },
	{ "RUN <<eo'f'\necho foo\neof\n", "eof", "echo foo\n", false },
	{ "RUN <<eo\\'f\necho foo\neo'f\n", "eo'f", "echo foo\n", true },
	{ "RUN <<'e'o\\'f\necho foo\neo'f\n", "eo'f", "echo foo\n", false },
	{ "RUN <<'one two'\necho bar\none two\n", "one two", "echo bar\n", false },
	{ "RUN <<$EOF\n$EOF\n", "$EOF", "", true },
	{ "RUN <<EO\"F\"\nx\nEOF\n", "EOF", "x\n", false },
	{ "RUN --mount=type=cache,target=/foo <<MOUNT\necho hello\nMOUNT\n", "MOUNT",
	  "echo hello\n", true },
	{ "RUN <<COMMENT\n# internal comment\necho hi # trailing\nCOMMENT\n", "COMMENT",
	  "# internal comment\necho hi # trailing\n", true },
	{ "COPY <<file.txt /dest\nhello world\nfile.txt\n", "file.txt", "hello world\n", true },
	{ "RUN '<<EOF'\n", NULL, NULL, false },
	{ "RUN \"<<EOF\"\n", NULL, NULL, false },
	{ "RUN <<'EOF\n", NULL, NULL, false },
	{ "RUN [\"<<EOF\"]\n", NULL, NULL, false },
	{ "COPY a <<'x\n", NULL, NULL, false },
};

static void test_heredoc_forms(void)
{
	char name[160], text[300];

	for (size_t i = 0; i < sizeof(heredoc_cases) / sizeof(*heredoc_cases); i++) {
		const struct heredoc_case *c = &heredoc_cases[i];
		struct dockerfile *df;
		const struct df_instr *in;
		bool ok;

		snprintf(text, sizeof(text), "FROM a\n%s", c->text);
		snprintf(name, sizeof(name), "heredoc form %zu: %s", i, c->name ? c->name : "none");
		df = parse(text);
		in = nth(df, 1);
		if (!df || !in) {
			check(0, name);
			printf("# %s\n", err.msg);
			continue;
		}
		if (!c->name)
			ok = in->nheredocs == 0 && df->nall == 2;
		else
			ok = in->nheredocs == 1 && strcmp(in->heredocs[0].name, c->name) == 0 &&
			     strcmp(in->heredocs[0].content, c->content) == 0 &&
			     in->heredocs[0].expand == c->expand && df->nall == 2;
		check(ok, name);
		dockerfile_free(df);
	}
}

static const char multi[] = "ARG BASE=alpine\n"
                            "ARG TAG\n"
                            "FROM $BASE AS base\n"
                            "FROM base AS build\n"
                            "RUN --mount=type=cache,target=/c,from=cachesrc make\n"
                            "FROM alpine AS cachesrc\n"
                            "FROM scratch AS unused\n"
                            "COPY --from=unused2 / /\n"
                            "FROM alpine AS final\n"
                            "COPY --from=build /out /out\n"
                            "COPY --from=0 /x /x\n"
                            "FROM ${BASE}:${TAG} AS tagged\n";

static void test_stages(void)
{
	struct dockerfile *df = parse(multi);
	struct shellex_scope meta;
	bool needed[8];
	char *base = NULL;
	char *args[] = { "TAG=3.19", "UNDECLARED=1" };
	long t;

	if (!check(df != NULL, "multi-stage parse")) {
		printf("# %s\n", err.msg);
		return;
	}
	check(dockerfile_stage_find(df, "BUILD") == 1 && dockerfile_stage_find(df, "4") == 4 &&
	          dockerfile_stage_find(df, "6") == -1 && dockerfile_stage_find(df, "nope") == -1,
	      "stage_find: by name (any case) and by index");
	check(dockerfile_meta_scope(df, NULL, 0, &meta, &err) == 0 &&
	          strcmp(shellex_scope_get(&meta, "BASE"), "alpine") == 0 &&
	          shellex_scope_get(&meta, "TAG") == NULL,
	      "meta scope: defaults; ARG without default stays unset");
	t = dockerfile_stages_needed(df, "final", &meta, needed, &err);
	check(t == 4 && needed[0] && needed[1] && needed[2] && !needed[3] && needed[4] &&
	          !needed[5],
	      "--target final needs build, its base and its RUN --mount from=, not unused");
	t = dockerfile_stages_needed(df, "build", &meta, needed, &err);
	check(t == 1 && needed[0] && needed[1] && needed[2] && !needed[4],
	      "--target build needs only its own closure");
	t = dockerfile_stages_needed(df, NULL, &meta, needed, &err);
	check(t == 5 && needed[5] && !needed[0], "no --target: the last stage");
	check(dockerfile_stages_needed(df, "nope", &meta, needed, &err) < 0 &&
	          strcmp(err.msg, "target stage \"nope\" could not be found (name a stage defined "
	                          "with FROM ... AS NAME, or its index)") == 0,
	      "unknown --target: a clear error");
	check(dockerfile_stage_base(df, 5, &meta, &base, &err) == 0 && strcmp(base, "alpine:") == 0,
	      "base expands with meta args");
	free(base);
	shellex_scope_free(&meta);
	check(dockerfile_meta_scope(df, args, 2, &meta, &err) == 0 &&
	          dockerfile_stage_base(df, 5, &meta, &base, &err) == 0 &&
	          strcmp(base, "alpine:3.19") == 0 &&
	          shellex_scope_get(&meta, "UNDECLARED") == NULL,
	      "--build-arg overrides; undeclared build args are ignored");
	free(base);
	shellex_scope_free(&meta);
	dockerfile_free(df);

	df = parse("ARG IMAGE\nFROM $IMAGE\n");
	dockerfile_meta_scope(df, NULL, 0, &meta, &err);
	check(dockerfile_stage_base(df, 0, &meta, &base, &err) < 0 &&
	          strcmp(err.msg,
	                 "Dockerfile:2: base name ($IMAGE) should not be blank: build "
	                 "arg IMAGE has no value (pass --build-arg IMAGE=IMAGE or give the "
	                 "ARG a default)") == 0,
	      "a build arg used in FROM without default or --build-arg: a clear error");
	shellex_scope_free(&meta);
	dockerfile_free(df);

	df = parse("FROM a\nFROM b\nCOPY --from=7 /x /x\n");
	check(df && dockerfile_stages_needed(df, NULL, NULL, needed, &err) < 0 &&
	          strstr(err.msg, "Dockerfile:3: --from=7: there is no stage 7") == err.msg,
	      "COPY --from=N out of range: an error with the line");
	dockerfile_free(df);
	df = parse("FROM a AS me\nCOPY --from=me /x /x\n");
	check(df && dockerfile_stages_needed(df, NULL, NULL, needed, &err) < 0 &&
	          strcmp(err.msg, "Dockerfile:2: --from=me refers to its own stage") == 0,
	      "COPY --from its own stage: an error");
	dockerfile_free(df);
	df = parse("FROM a AS dup\nFROM b AS Dup\nFROM dup\nFROM c AS dup\n");
	check(df && df->warnings.n == 2 &&
	          strcmp(df->warnings.v[0], "DuplicateStageName: Duplicate stage name \"dup\", "
	                                    "stage names should be unique (line 2)") == 0 &&
	          dockerfile_stage_find_before(df, "dup", 2) == 1 &&
	          dockerfile_stage_find(df, "DUP") == 3,
	      "a duplicate stage name: BuildKit's warning; a name means its last stage so far");
	dockerfile_free(df);
	df = parse("FROM a\nRUN echo hi \\");
	check(df && df->nall == 2 && strcmp(nth(df, 1)->args[0], "echo hi") == 0,
	      "a continuation at the end of the file ends the instruction, as BuildKit's");
	dockerfile_free(df);
	df = parse("FROM a\nRUN echo hi\n\\\n");
	check(df && df->nall == 2, "a lone escape on the last line adds nothing");
	dockerfile_free(df);
	df = parse("FROM a AS x\nCOPY --from=y / /\nFROM b AS y\nCOPY --from=x / /\n");
	check(df && dockerfile_stages_needed(df, "y", NULL, needed, &err) == 1 && needed[0] &&
	          needed[1],
	      "stages referring to each other terminate");
	dockerfile_free(df);
}

static void test_expand(void)
{
	struct dockerfile *df = parse("FROM a\n"
	                              "ENV A=$X B=\"q $Y\" C='$X' ${X}_K=v\n"
	                              "COPY --chown=$U:$U --from=$S src/$F <<EOF /dst/\n"
	                              "$X\n"
	                              "EOF\n"
	                              "EXPOSE $PORTS 9000\n"
	                              "RUN echo $X\n"
	                              "WORKDIR ${X:-no}/\"sub dir\"\n"
	                              "ARG V=${Y:+set}\n"
	                              "LABEL bad=${X\n");
	struct shellex_scope sc = { 0 };
	struct df_instr *out;

	if (!check(df != NULL, "expansion: parse")) {
		printf("# %s\n", err.msg);
		return;
	}
	shellex_scope_set(&sc, "X", "ex");
	shellex_scope_set(&sc, "Y", "why");
	shellex_scope_set(&sc, "U", "app");
	shellex_scope_set(&sc, "S", "build");
	shellex_scope_set(&sc, "F", "main.c");
	shellex_scope_set(&sc, "PORTS", "80 443/tcp");
	check(dockerfile_instr_expand(df, nth(df, 1), &sc, &out, &err) == 0 && out->nkvs == 4 &&
	          strcmp(out->kvs[0].value, "ex") == 0 && strcmp(out->kvs[1].value, "q why") == 0 &&
	          strcmp(out->kvs[2].value, "$X") == 0 && strcmp(out->kvs[3].key, "ex_K") == 0,
	      "ENV: keys and values expanded, quotes removed, single quotes literal");
	dockerfile_instr_free(out);
	check(dockerfile_instr_expand(df, nth(df, 2), &sc, &out, &err) == 0 &&
	          strcmp(out->args[0], "src/main.c") == 0 && strcmp(out->args[1], "<<EOF") == 0 &&
	          strcmp(dockerfile_instr_flag(out, "chown")->value, "app:app") == 0 &&
	          strcmp(dockerfile_instr_flag(out, "from")->value, "build") == 0 &&
	          strcmp(out->heredocs[0].content, "$X\n") == 0,
	      "COPY: sources and --chown/--from expanded; heredoc markers untouched");
	dockerfile_instr_free(out);
	{
		char *body = NULL;
		const struct df_instr *cp = nth(df, 2);
		check(dockerfile_heredoc_expand(df, cp, &cp->heredocs[0], &sc, &body, &err) == 0 &&
		          strcmp(body, "ex\n") == 0,
		      "COPY heredoc body: variables expanded when the delimiter is unquoted");
		free(body);
	}
	check(dockerfile_instr_expand(df, nth(df, 3), &sc, &out, &err) == 0 && out->nargs == 3 &&
	          strcmp(out->args[1], "443/tcp") == 0,
	      "EXPOSE: an expansion with blanks gives several ports");
	dockerfile_instr_free(out);
	check(dockerfile_instr_expand(df, nth(df, 4), &sc, &out, &err) == 0 &&
	          strcmp(out->args[0], "echo $X") == 0,
	      "RUN is not expanded (the shell does it)");
	dockerfile_instr_free(out);
	check(dockerfile_instr_expand(df, nth(df, 5), &sc, &out, &err) == 0 &&
	          strcmp(out->args[0], "ex/sub dir") == 0,
	      "WORKDIR expanded with quotes removed");
	dockerfile_instr_free(out);
	check(dockerfile_instr_expand(df, nth(df, 6), &sc, &out, &err) == 0 &&
	          strcmp(out->kvs[0].value, "set") == 0,
	      "ARG default expanded");
	dockerfile_instr_free(out);
	check(dockerfile_instr_expand(df, nth(df, 7), &sc, &out, &err) < 0 &&
	          strstr(err.msg, "Dockerfile:10: failed to process") == err.msg,
	      "a bad substitution names the line");
	check(dockerfile_kind_expands(DF_COPY) && dockerfile_kind_expands(DF_STOPSIGNAL) &&
	          !dockerfile_kind_expands(DF_RUN) && !dockerfile_kind_expands(DF_ONBUILD) &&
	          !dockerfile_kind_expands(DF_CMD),
	      "which instructions expand");
	shellex_scope_free(&sc);
	dockerfile_free(df);
}

int main(void)
{
	test_bad();
	test_arg_counts();
	test_from();
	test_run();
	test_copy();
	test_env_label_arg();
	test_misc();
	test_lines();
	test_heredocs();
	test_heredoc_forms();
	test_stages();
	test_expand();
	return tap_done();
}
