/* test_dockerignore.c - .dockerignore matching as Docker documents it
 * (Dockerfile reference ".dockerignore file", moby/patternmatcher rules). */
#include <stdlib.h>

#include "dockerignore.h"
#include "tap.h"

struct match_case {
	const char *patterns;
	const char *path;
	bool excluded;
};

static const struct match_case cases[] = {
	/* the reference's example */
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "somedir/temporary.txt", true },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "somedir/temp", true },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "somedir/temp/inside", true },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "somedir/subdir/temporary.txt", true },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "tempa", true },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "temp", false },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "tempab", false },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "temporary.txt", false },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "a/b/c/temporary.txt", false },
	{ "# comment\n*/temp*\n*/*/temp*\ntemp?\n", "comment", false },
	/* ** */
	{ "**/*.go\n", "main.go", true },
	{ "**/*.go\n", "a/b/c.go", true },
	{ "**/*.go\n", "a/b/c.c", false },
	{ "**/foo\n", "foo", true },
	{ "**/foo\n", "x/y/foo/bar", true },
	{ "**/foo\n", "x/yfoo", false },
	{ "a/**/b\n", "a/b", true },
	{ "a/**/b\n", "a/x/y/b", true },
	{ "a/**/b\n", "a/x/yb", false },
	{ "a/**\n", "a/x/y", true },
	{ "a/**\n", "a", false },
	{ "**\n", "anything/at/all", true },
	/* exceptions, last match wins */
	{ "*.md\n!README.md\n", "README.md", false },
	{ "*.md\n!README.md\n", "CHANGES.md", true },
	{ "*.md\n!README*.md\nREADME-secret.md\n", "README-secret.md", true },
	{ "*.md\n!README*.md\nREADME-secret.md\n", "README-public.md", false },
	{ "*.md\nREADME-secret.md\n!README*.md\n", "README-secret.md", false },
	{ "docs\n!docs/keep.md\n", "docs/keep.md", false },
	{ "docs\n!docs/keep.md\n", "docs/other.md", true },
	{ "!keep\n*\n", "keep", true },
	/* parents, cleaning, slashes, comments, blanks */
	{ "foo\n", "foo/bar/baz", true },
	{ "foo\n", "foobar", false },
	{ "/foo\n", "foo", true },
	{ "./foo/\n", "foo/x", true },
	{ "foo/../bar\n", "bar", true },
	{ "foo//bar/.\n", "foo/bar", true },
	{ "  spaced  \n", "spaced", true },
	{ " #notacomment\n", "#notacomment", true },
	{ "#comment\n", "#comment", false },
	{ "\\#escaped\n", "#escaped", true },
	{ "dos\r\n", "dos", true },
	{ "\xef\xbb\xbf"
	  "bom\n",
	  "bom", true },
	{ "! spaced \n", "spaced", false },
	/* filepath.Match syntax */
	{ "[a-c]at\n", "bat", true },
	{ "[a-c]at\n", "dat", false },
	{ "[^a]x\n", "bx", true },
	{ "[^a]x\n", "ax", false },
	{ "[\\]]x\n", "]x", true },
	{ "f\\*o\n", "f*o", true },
	{ "f\\*o\n", "fxo", false },
	{ "?\n", "\xc3\xa9", true },
	{ "*.txt\n", "dir/a.txt", false },
	{ "*\n", "dir/a.txt", true },
	{ "", "x", false },
	/* moby/patternmatcher's documented matches */
	{ "**/dir2/*\n", "dir/dir2/file", true },
	{ "**/dir2/**\n", "dir/dir2/dir3/file", true },
	{ "**file\n", "dir/dir/file", true },
	{ "**file\n", "dir/xfile", true },
	{ "**/file*.txt*\n", "dir/dir/file.txt", true },
	{ "**/**/*.txt2\n", "dir/dir/file.txt", false },
	{ "**/**/*.txt\n", "file.txt", true },
	{ "a**/*.txt\n", "a/dir/dir/file.txt", true },
	{ "a/*.txt\n", "a/dir/file.txt", false },
	{ "a/*.txt**\n", "a/file.txt", true },
	{ "a[b-d]e\n", "ae", false },
	{ "a[^b-d]e\n", "aze", true },
	{ ".*\n", ".foo", true },
	{ ".*\n", "foo", false },
	{ "abc.def\n", "abcZdef", false },
	{ "**/.foo\n", "bar.foo", false },
	{ "a(b)c/def\n", "a(b)c/def", true },
	{ "a.|)$(}+{bc\n", "a.|)$(}+{bc", true },
	{ "dist/*.whl\n", "dist/proxy.py-2.4.0rc3.dev36+g08acad9-py3-none-any.whl", true },
	{ "**\n!util/docker/web\n", "util/docker/web/foo", false },
	{ "**\n!util/docker/web\nutil/docker/web/foo\n", "util/docker/web/foo", true },
	{ "a\\\\\n", "a\\", true },
	{ "a?b\n",
	  "a\xe2\x98\xba"
	  "b",
	  true },
	{ "a???b\n",
	  "a\xe2\x98\xba"
	  "b",
	  false },
	{ "[a-\xce\xb6]*\n", "\xce\xb1", true },
	{ "*[a-\xce\xb6]\n", "A", false },
	{ "[x\\-]\n", "-", true },
	{ "[\\-x]\n", "a", false },
	{ "a*b*c*d*e*/f\n", "axbxcxdxexxx/f", true },
	{ "a*b*c*d*e*/f\n", "axbxcxdxe/xxx/f", false },
	{ "a*b?c*x\n", "abxbbxdbxebxczzx", true },
};

static void test_matches(void)
{
	char name[200];

	for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
		const struct match_case *c = &cases[i];
		struct dockerignore *di;
		struct werr err;
		snprintf(name, sizeof(name), "%s %s by %zu", c->path,
		         c->excluded ? "excluded" : "kept", i);
		if (dockerignore_parse(c->patterns, strlen(c->patterns), ".dockerignore", &di,
		                       &err) < 0) {
			check(0, name);
			printf("# %s\n", err.msg);
			continue;
		}
		check(dockerignore_excluded(di, c->path) == c->excluded, name);
		dockerignore_free(di);
	}
}

static void test_errors(void)
{
	static const struct {
		const char *text, *want;
	} bad[] = {
		{ "ok\n[a-\n", ".dockerignore:2: syntax error in pattern [a-" },
		{ "\n\n!\n", ".dockerignore:3: illegal exclusion pattern: \"!\" (write !PATTERN)" },
		{ "a\\\n", ".dockerignore:1: syntax error in pattern a\\" },
		{ "[]a\n", ".dockerignore:1: syntax error in pattern []a" },
		{ "[z-a]\n", ".dockerignore:1: syntax error in pattern [z-a]" },
		{ "[-a]\n", ".dockerignore:1: syntax error in pattern [-a]" },
		{ "[a-b-c]\n", ".dockerignore:1: syntax error in pattern [a-b-c]" },
		{ "[^bc\n", ".dockerignore:1: syntax error in pattern [^bc" },
		{ "[x-]\n", ".dockerignore:1: syntax error in pattern [x-]" },
	};
	struct dockerignore *di;
	struct werr err;

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		err.msg[0] = '\0';
		if (dockerignore_parse(bad[i].text, strlen(bad[i].text), ".dockerignore", &di,
		                       &err) == 0) {
			dockerignore_free(di);
			check(0, bad[i].want);
			continue;
		}
		check_str(err.msg, bad[i].want, bad[i].want);
	}
	check(dockerignore_parse("# only\n\n  \n", 11, ".dockerignore", &di, &err) == 0 &&
	          dockerignore_count(di) == 0,
	      "comments and blank lines give no patterns");
	dockerignore_free(di);
}

static void test_skippable(void)
{
	static const struct {
		const char *patterns, *dir;
		bool skip;
	} c[] = {
		{ "node_modules\n", "node_modules", true },
		{ "node_modules\n", "src", false },
		{ "docs\n!docs/keep.md\n", "docs", false },
		{ "docs\n!docs/keep.md\n", "docs/sub", true },
		{ "*\n!*/keep\n", "a", false },
		{ "*\n!*/keep\n", "a/b", true },
		{ "*\n!**/keep\n", "a/b/c", false },
		{ "build\n!build/out/**\n", "build", false },
		{ "build\n!build/out/**\n", "build/tmp", true },
		{ "build\n!build/out/**\n", "build/out", false },
		{ "a\n!b/c\n", "a", true },
	};
	char name[160];

	for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++) {
		struct dockerignore *di;
		struct werr err;
		dockerignore_parse(c[i].patterns, strlen(c[i].patterns), ".dockerignore", &di,
		                   &err);
		snprintf(name, sizeof(name), "dir %s %s", c[i].dir,
		         c[i].skip ? "skippable" : "must be walked");
		check(di && dockerignore_dir_skippable(di, c[i].dir) == c[i].skip, name);
		dockerignore_free(di);
	}
}

static void test_clean_and_glob(void)
{
	static const char *const clean[][2] = {
		{ "a//b", "a/b" },         { "./a", "a" },    { "a/./b/..", "a" },
		{ "../a", "../a" },        { "/../a", "/a" }, { "", "." },
		{ "a/../..", ".." },       { "/", "/" },      { "a/", "a" },
		{ "../../x/..", "../.." }, { "//a//", "/a" }, { "a/b/../../c", "c" },
	};
	char buf[64], name[128];

	for (size_t i = 0; i < sizeof(clean) / sizeof(*clean); i++) {
		snprintf(buf, sizeof(buf), "%s", clean[i][0]);
		dockerignore_clean(buf);
		snprintf(name, sizeof(name), "clean \"%s\"", clean[i][0]);
		check_str(buf, clean[i][1], name);
	}
	check(dockerignore_glob_match("*.go", "a/b.go") == 0, "Match: * does not cross /");
	check(dockerignore_glob_match("a/*.go", "a/b.go") == 1, "Match: per component");
	check(dockerignore_glob_match("a/**", "a/b/c") == 0,
	      "Match: ** is just * in filepath.Match");
	check(dockerignore_glob_match("[", "x") == -EINVAL, "Match: malformed pattern");
	check(dockerignore_glob_match("*a*a*a*a*a*a*a*a*b",
	                              "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa") == 0,
	      "Match: many stars do not take exponential time");
}

int main(void)
{
	test_matches();
	test_errors();
	test_skippable();
	test_clean_and_glob();
	return tap_done();
}
