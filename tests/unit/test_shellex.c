/* test_shellex.c - Dockerfile variable expansion against the results
 * Docker's shell lexer gives (BuildKit's envVarTest table and docs). */
#include <stdlib.h>

#include "shellex.h"
#include "tap.h"

static struct shellex_scope scope;

struct word_case {
	const char *in;
	const char *want; /* NULL: an error */
};

static const struct word_case word_cases[] = {
	{ "hello", "hello" },
	{ "he'll'o", "hello" },
	{ "he'llo", NULL },
	{ "he\\'llo", "he'llo" },
	{ "he\\\\'llo", NULL },
	{ "abc\\\\def", "abc\\def" },
	{ "\"abc\\\\def\"", "abc\\def" },
	{ "'abc\\\\def'", "abc\\\\def" },
	{ "hell'o", NULL },
	{ "'hello'", "hello" },
	{ "'hello\\'", "hello\\" },
	{ "\"''\"", "''" },
	{ "\"he\\\"llo\"", "he\"llo" },
	{ "\"he\\xllo\"", "he\\xllo" },
	{ "$.", "$." },
	{ "he$1x", "hex" },
	{ "he$.x", "he$.x" },
	{ "he$pwd.", "he." },
	{ "he$PWD", "he/home" },
	{ "he\\$PWD", "he$PWD" },
	{ "he\\\\$PWD", "he\\/home" },
	{ "\"\\\\$PWD\"", "\\/home" },
	{ "he\\${}", "he${}" },
	{ "he\\${}xx", "he${}xx" },
	{ "he${}", NULL },
	{ "he${PWD}", "he/home" },
	{ "he${PWD:=000}xx", NULL },
	{ "he${PWD:+${PWD}:}xx", "he/home:xx" },
	{ "he${XXX:-\\$PWD:}xx", "he$PWD:xx" },
	{ "he${XXX:-${PWD:-yyy}}xx", "he/homexx" },
	{ "he${XXX:-${YYY:-yyy}}xx", "heyyyxx" },
	{ "he${XXX:YYY}", NULL },
	{ "he${XXX?}", NULL },
	{ "he${XXX:?}", NULL },
	{ "he${PWD?}", "he/home" },
	{ "he${EMPTY:?}", NULL },
	{ "he${EMPTY?}x", "hex" },
	{ "'${PWD}'", "${PWD}" },
	{ "\"${PWD}\"", "/home" },
	{ "\"$PWD '$PWD'\"", "/home '/home'" },
	{ "$KOREAN", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4" },
	{ "${KOREAN}x", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4x" },
	{ "${XXX-}", "" },
	{ "${EMPTY:-x}", "x" },
	{ "${EMPTY-x}", "" },
	{ "${EMPTY:+x}", "" },
	{ "${EMPTY+x}", "x" },
	{ "${XXX+x}", "" },
	{ "${XXX-x}", "x" },
	{ "${PWD:-x}", "/home" },
	{ "${PWD#/h}", "ome" },
	{ "${PWD%me}", "/ho" },
	{ "${PWD##*/}", "home" },
	{ "${FILE%.*}", "a.tar" },
	{ "${FILE%%.*}", "a" },
	{ "${FILE#*.}", "tar.gz" },
	{ "${SHELL/a/o}", "bosh" },
	{ "${PATHS//:/ }", "/a /b /c" },
	{ "${PWD", NULL },
	{ "${PWD:-x", NULL },
	{ "${{PWD}", NULL },
	{ "${:x}", NULL },
	{ "$", "$" },
	{ "a\\", "a" },
	{ "\"unterminated", NULL },
	{ "x=${XXX:-\"a b\"}", "x=a b" },
	/* pattern trims and replacements (BuildKit's ProcessWithMatches cases) */
	{ "${SPECIAL#()[]{\\}^$.\\*\\?|\\\\}", "x" },
	{ "${STARS%%\\**}", "xx" },
	{ "${XXYY#*x*y}", "y" },
	{ "${XXYY#*}", "xxyy" },
	{ "${XXYY#}", "xxyy" },
	{ "${XXYY##*x}", "yy" },
	{ "${XXYY%x}", "xxyy" },
	{ "${QQ#?\\?}", "?y" },
	{ "${MANY%%\\**\\*}", "a" },
	{ "${GLOBS/$NEEDLE/.} - ${GLOBS//$NEEDLE/.}", "/foo.*/*.txt - /foo..*.txt" },
	{ "${TMPS/$TMP/} - ${TMPS//$TMP/}", "/tmp/bar.txt - /bar.txt" },
	{ "${ABC/$ONE/$SLASH} - ${ABC//$ONE/$SLASH}", "/foo/b/c.txt - /foo/c.txt" },
	{ "${FOOTXT//\\//\\/}", "\\/tmp\\/foo.txt" },
	{ "${XXYY/$EMPTY/ww}", "wwxxyy" },
	{ "${XXYY//ww}", NULL },
	{ "${XXYY///}", "xxyy" },
	{ "${FOO=aaa}", NULL },
	{ "something-${VERSION}.${OS}-${ARCH}${VARIANT:+-${VARIANT}}.tar.gz",
	  "something-v1.2.3.linux-arm-v7.tar.gz" },
	{ "${NOVARIANT:+-${NOVARIANT}}", "" },
};

static void test_words(void)
{
	struct shellex_result res;
	struct werr err;
	char name[200];

	for (size_t i = 0; i < sizeof(word_cases) / sizeof(*word_cases); i++) {
		const struct word_case *c = &word_cases[i];
		int r = shellex_process(c->in, &scope, '\\', 0, &res, &err);
		snprintf(name, sizeof(name), "expand %s", c->in);
		if (!c->want) {
			check(r < 0 && strstr(err.msg, "failed to process") != NULL, name);
			continue;
		}
		if (r < 0) {
			check(0, name);
			printf("#   error: %s\n", err.msg);
			continue;
		}
		check_str(res.word, c->want, name);
		shellex_result_free(&res);
	}
}

static void test_split(void)
{
	struct shellex_result res;
	struct werr err;

	check(shellex_process("a \"b c\" 'd  e' $SPACED \"$SPACED\" f\\ g", &scope, '\\', 0, &res,
	                      &err) == 0 &&
	          res.nwords == 7 && strcmp(res.words[1], "b c") == 0 &&
	          strcmp(res.words[2], "d  e") == 0 && strcmp(res.words[3], "x") == 0 &&
	          strcmp(res.words[4], "y") == 0 && strcmp(res.words[5], "x y") == 0 &&
	          strcmp(res.words[6], "f g") == 0,
	      "words: quotes group, unquoted expansions split, escaped blanks join");
	shellex_result_free(&res);
	check(shellex_process("  ", &scope, '\\', 0, &res, &err) == 0 && res.nwords == 0 &&
	          res.words && !res.words[0],
	      "blank input: no words");
	shellex_result_free(&res);
	check(shellex_process("$NOPE ${ALSO:-x} $PWD", &scope, '\\', 0, &res, &err) == 0 &&
	          res.unset && strcmp(res.unset, "NOPE") == 0,
	      "the first unset variable is reported");
	shellex_result_free(&res);
	check(shellex_process("$PWD", &scope, '\\', 0, &res, &err) == 0 && res.unset == NULL,
	      "no unset variable: none reported");
	shellex_result_free(&res);
}

struct words_case {
	const char *in;
	const char *want; /* words joined by ',' */
};

/* word splitting after expansion (BuildKit's wordsTest) */
static const struct words_case words_cases[] = {
	{ "hello${LEADING}def", "hello,ab,cdef" },
	{ "hello\"${LEADING}\" def", "hello  ab c,def" },
	{ "hello${TRAILING}d", "helloab,c,d" },
	{ "hello\"${TRAILING}\"d", "helloab c   d" },
	{ "hello\" there  \"", "hello there  " },
	{ "hello there     ", "hello,there" },
	{ "hello\\ there", "hello there" },
	{ "hello\\\" there", "hello\",there" },
	{ "hello\"\\\\there\"", "hello\\there" },
	{ "hello\"\\there\"", "hello\\there" },
	{ "hello'\\\\there'", "hello\\\\there" },
	{ "hello'$there'", "hello$there" },
	{ "''", "" },
};

static void test_words_split(void)
{
	char name[160], joined[200];

	for (size_t i = 0; i < sizeof(words_cases) / sizeof(*words_cases); i++) {
		struct shellex_result res;
		struct werr err;
		joined[0] = '\0';
		if (shellex_process(words_cases[i].in, &scope, '\\', 0, &res, &err) == 0) {
			for (size_t w = 0; w < res.nwords; w++)
				snprintf(joined + strlen(joined), sizeof(joined) - strlen(joined),
				         "%s%s", w ? "," : "", res.words[w]);
			shellex_result_free(&res);
		}
		snprintf(name, sizeof(name), "words of %s", words_cases[i].in);
		check_str(joined, words_cases[i].want, name);
	}
}

static void test_flags(void)
{
	struct shellex_result res;
	struct werr err;

	check(shellex_process("a`$PWD `\"x`\"", &scope, '`', 0, &res, &err) == 0 &&
	          strcmp(res.word, "a$PWD \"x\"") == 0,
	      "escape=` : backtick escapes, backslash is literal");
	shellex_result_free(&res);
	check(shellex_process("c:\\dir\\$PWD", &scope, '`', 0, &res, &err) == 0 &&
	          strcmp(res.word, "c:\\dir\\/home") == 0,
	      "escape=` : Windows paths keep their backslashes");
	shellex_result_free(&res);
	check(shellex_process("'$PWD' \"$PWD\"", &scope, '\\', SHELLEX_SKIP_QUOTES, &res, &err) ==
	              0 &&
	          strcmp(res.word, "'/home' \"/home\"") == 0,
	      "heredoc bodies: quotes are plain characters, variables expand");
	shellex_result_free(&res);
	check(shellex_process("a\\ 'b' $X ${Y:-z}", &scope, '\\',
	                      SHELLEX_RAW_QUOTES | SHELLEX_RAW_ESCAPES | SHELLEX_KEEP_UNSET, &res,
	                      &err) == 0 &&
	          strcmp(res.word, "a\\ 'b' $X ${Y:-z}") == 0,
	      "raw quotes, raw escapes and unset kept: the text survives unchanged");
	shellex_result_free(&res);
}

static void test_deep(void)
{
	char buf[4000] = "";
	struct shellex_result res;
	struct werr err;

	for (int i = 0; i < 300; i++)
		strcat(buf, "${X:-");
	check(shellex_process(buf, &scope, '\\', 0, &res, &err) < 0,
	      "deeply nested substitutions are refused, not a stack overflow");
}

int main(void)
{
	shellex_scope_set(&scope, "PWD", "/home");
	shellex_scope_set(&scope, "SHELL", "bash");
	shellex_scope_set(&scope, "KOREAN", "\xed\x95\x9c\xea\xb5\xad\xec\x96\xb4");
	shellex_scope_set(&scope, "EMPTY", "");
	shellex_scope_set(&scope, "FILE", "a.tar.gz");
	shellex_scope_set(&scope, "PATHS", "/a:/b:/c");
	shellex_scope_set(&scope, "SPACED", "x y");
	shellex_scope_set(&scope, "SHELL", "bash");
	check(scope.n == 7 && strcmp(shellex_scope_get(&scope, "SHELL"), "bash") == 0 &&
	          shellex_scope_get(&scope, "NOPE") == NULL,
	      "scope: set twice keeps one entry; unknown names are unset");
	{
		static const char *const more[][2] = {
			{ "SPECIAL", "()[]{}^$.*?|\\x" },
			{ "STARS", "xx**" },
			{ "XXYY", "xxyy" },
			{ "QQ", "???y" },
			{ "MANY", "a***yy*" },
			{ "GLOBS", "/foo*/*/*.txt" },
			{ "NEEDLE", "\\*/" },
			{ "TMPS", "/tmp/tmp/bar.txt" },
			{ "TMP", "/tmp" },
			{ "ABC", "/a/foo/b/c.txt" },
			{ "ONE", "/?/" },
			{ "SLASH", "/" },
			{ "FOOTXT", "/tmp/foo.txt" },
			{ "VERSION", "v1.2.3" },
			{ "OS", "linux" },
			{ "ARCH", "arm" },
			{ "VARIANT", "v7" },
			{ "NOVARIANT", "" },
		};
		for (size_t i = 0; i < sizeof(more) / sizeof(*more); i++)
			shellex_scope_set(&scope, more[i][0], more[i][1]);
	}
	test_words();
	test_split();
	shellex_scope_set(&scope, "LEADING", "  ab c");
	shellex_scope_set(&scope, "TRAILING", "ab c   ");
	test_words_split();
	test_flags();
	{
		struct shellex_result res;
		struct werr err;
		check(shellex_process("${EMPTY:?message here$VERSION}", &scope, '\\', 0, &res,
		                      &err) < 0 &&
		          strstr(err.msg, "EMPTY: message herev1.2.3") != NULL,
		      "${VAR:?message} fails with the expanded message");
	}
	test_deep();
	shellex_scope_free(&scope);
	return tap_done();
}
