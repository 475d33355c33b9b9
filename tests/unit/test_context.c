/* test_context.c - build contexts on a real directory tree: the walk with
 * .dockerignore, COPY source resolution (globs, directories, symlinks, the
 * errors Docker gives), and the COPY content hash used as a cache key. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"
#include "tap.h"

static char root[] = "/tmp/warren-ctx-XXXXXX";
static char outside[] = "/tmp/warren-out-XXXXXX";
static struct werr err;

static void put(const char *rel, const char *content, mode_t mode)
{
	char path[512];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0 || write(fd, content, strlen(content)) < 0)
		perror(path);
	if (fd >= 0)
		close(fd);
	chmod(path, mode);
}

static void mkd(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	mkdir(path, 0755);
}

static void lnk(const char *target, const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) < 0)
		perror(path);
}

static void fixture(void)
{
	char path[600];

	if (!mkdtemp(root) || !mkdtemp(outside))
		perror("mkdtemp");
	snprintf(path, sizeof(path), "%s/secret", outside);
	close(open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600));
	put(".dockerignore", "*.log\nnode_modules\nbuild\n!build/keep.txt\n.git\n", 0644);
	put("Dockerfile", "FROM scratch\n", 0644);
	put("a.txt", "alpha\n", 0644);
	put("b.txt", "beta\n", 0600);
	put("debug.log", "noise\n", 0644);
	mkd("src");
	put("src/main.c", "int main(void){return 0;}\n", 0644);
	put("src/util.c", "/* util */\n", 0644);
	put("src/util.h", "/* h */\n", 0644);
	mkd("src/sub");
	put("src/sub/deep.c", "deep\n", 0755);
	lnk("../a.txt", "src/link_to_a");
	mkd("node_modules");
	put("node_modules/huge.js", "x\n", 0644);
	mkd("build");
	put("build/keep.txt", "keep\n", 0644);
	put("build/drop.o", "drop\n", 0644);
	mkd(".git");
	put(".git/HEAD", "ref\n", 0644);
	lnk("a.txt", "link_in");
	lnk("src/sub", "sub_link");
	snprintf(path, sizeof(path), "%s/secret", outside);
	lnk(path, "link_abs_out");
	lnk("../../../../../../../../etc/passwd", "link_rel_out");
	lnk(outside, "dir_link_out");
	mkd("empty");
}

static bool has(const struct context_list *l, const char *path, const char *dst)
{
	for (size_t i = 0; i < l->n; i++)
		if (strcmp(l->v[i].path, path) == 0 && (!dst || strcmp(l->v[i].dst, dst) == 0))
			return true;
	return false;
}

static void test_walk(struct context *ctx)
{
	struct context_list l;

	if (!check(context_walk(ctx, &l, &err) == 0, "walk the context")) {
		printf("# %s\n", err.msg);
		return;
	}
	check(has(&l, "a.txt", NULL) && has(&l, "src/sub/deep.c", NULL) &&
	          has(&l, "Dockerfile", NULL) && has(&l, ".dockerignore", NULL) &&
	          has(&l, "empty", NULL),
	      "walk: files, nested files and empty directories are listed");
	check(!has(&l, "debug.log", NULL) && !has(&l, "node_modules", NULL) &&
	          !has(&l, "node_modules/huge.js", NULL) && !has(&l, ".git/HEAD", NULL),
	      "walk: ignored files and directories are not listed");
	check(
	    has(&l, "build/keep.txt", NULL) && has(&l, "build", NULL) &&
	        !has(&l, "build/drop.o", NULL),
	    "walk: an exception re-includes one file of an ignored directory (and its directory)");
	check(has(&l, "dir_link_out", NULL) && !has(&l, "dir_link_out/secret", NULL),
	      "walk: a symlink to a directory outside is listed, never followed");
	for (size_t i = 0; i < l.n; i++)
		if (strcmp(l.v[i].path, "src/link_to_a") == 0)
			check(S_ISLNK(l.v[i].mode) && strcmp(l.v[i].link, "../a.txt") == 0,
			      "walk: symlinks carry their target");
	context_list_free(&l);
}

static int resolve(struct context *ctx, struct context_list *l, const char *a, const char *b)
{
	char *srcs[2] = { (char *)a, (char *)b };

	err.msg[0] = '\0';
	return context_resolve_sources(ctx, srcs, b ? 2 : 1, l, &err);
}

static void test_resolve(struct context *ctx)
{
	struct context_list l;

	check(resolve(ctx, &l, "a.txt", "/src/main.c") == 0 && l.n == 2 &&
	          has(&l, "a.txt", "a.txt") && has(&l, "src/main.c", "main.c") &&
	          l.v[1].source == 1,
	      "files: found, a leading / is the context root, named by their own name");
	context_list_free(&l);
	check(resolve(ctx, &l, "src", NULL) == 0 && has(&l, "src/main.c", "main.c") &&
	          has(&l, "src/sub/deep.c", "sub/deep.c") && has(&l, "src/sub", "sub") &&
	          !has(&l, "src", NULL),
	      "a directory stands for its contents");
	context_list_free(&l);
	check(resolve(ctx, &l, "src/*.c", NULL) == 0 && l.n == 2 &&
	          has(&l, "src/util.c", "util.c") && !has(&l, "src/sub/deep.c", NULL),
	      "a wildcard matches per path component");
	context_list_free(&l);
	check(resolve(ctx, &l, "*.txt", NULL) == 0 && l.n == 2 && has(&l, "b.txt", "b.txt"),
	      "*.txt at the root: the root's files only");
	context_list_free(&l);
	check(resolve(ctx, &l, "s?c/s[u]b", NULL) == 0 && l.n == 1 &&
	          has(&l, "src/sub/deep.c", "deep.c"),
	      "? and [...] in several components; a matched directory gives its contents");
	context_list_free(&l);
	check(resolve(ctx, &l, "./src/../a.txt", NULL) == 0 && l.n == 1 &&
	          has(&l, "a.txt", "a.txt"),
	      "source paths are cleaned");
	context_list_free(&l);
	check(resolve(ctx, &l, "link_in", NULL) == 0 && l.n == 1 && has(&l, "a.txt", "link_in") &&
	          S_ISREG(l.v[0].mode),
	      "a symlink given as the source is followed inside the context, keeps its name");
	context_list_free(&l);
	check(resolve(ctx, &l, "sub_link", NULL) == 0 && l.n == 1 &&
	          has(&l, "src/sub/deep.c", "deep.c"),
	      "a symlink to a directory inside the context: its contents, at their real paths");
	context_list_free(&l);
	check(resolve(ctx, &l, "sub_link/deep.c", NULL) == 0 && l.n == 1 &&
	          has(&l, "src/sub/deep.c", "deep.c"),
	      "a path through a symlinked directory inside the context");
	context_list_free(&l);
	check(resolve(ctx, &l, "build", NULL) == 0 && l.n == 1 &&
	          has(&l, "build/keep.txt", "keep.txt"),
	      "an ignored directory gives only its re-included files");
	context_list_free(&l);
	check(resolve(ctx, &l, ".", NULL) == 0 && has(&l, "src/main.c", "src/main.c") &&
	          !has(&l, "debug.log", NULL),
	      "COPY . copies the whole context minus what is ignored");
	context_list_free(&l);
	check(resolve(ctx, &l, "empty", NULL) == 0 && l.n == 0,
	      "an empty directory copies nothing");
	context_list_free(&l);
	check(resolve(ctx, &l, "/", NULL) == 0 && has(&l, "a.txt", "a.txt"),
	      "\"/\" is the whole context");
	context_list_free(&l);
	check(resolve(ctx, &l, "", NULL) == 0 && has(&l, "src/main.c", "src/main.c"),
	      "an empty source is the whole context");
	context_list_free(&l);
}

struct bad {
	const char *src;
	const char *want_prefix;
};

static void test_resolve_errors(struct context *ctx)
{
	static const struct bad bad[] = {
		{ "../x", "source ../x is outside the build context" },
		{ "/../etc/passwd", "source /../etc/passwd is outside the build context" },
		{ "src/../../x", "source src/../../x is outside the build context" },
		{ "missing.txt", "source missing.txt: not found in the build context" },
		{ "src/missing/x", "source src/missing/x: not found in the build context" },
		{ "debug.log", "source debug.log: not found in the build context" },
		{ "node_modules/huge.js",
		  "source node_modules/huge.js: not found in the build context" },
		{ "nomatch*", "source nomatch*: no file in the build context" },
		{ "*.log", "source *.log: no file in the build context" },
		{ "link_abs_out",
		  "source link_abs_out: a symlink in it points outside the build context" },
		{ "link_rel_out",
		  "source link_rel_out: a symlink in it points outside the build context" },
		{ "dir_link_out/secret",
		  "source dir_link_out/secret: a symlink in it points outside the build context" },
		{ "src/[", "source src/[: syntax error in pattern" },
	};
	struct context_list l;
	char name[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		int r = resolve(ctx, &l, "a.txt", bad[i].src);
		snprintf(name, sizeof(name), "refused: %s", bad[i].want_prefix);
		if (!check(r < 0 &&
		               strncmp(err.msg, bad[i].want_prefix, strlen(bad[i].want_prefix)) ==
		                   0 &&
		               l.n == 0,
		           name))
			printf("#   got: %s\n", err.msg);
	}
	check(resolve(ctx, &l, "debug.log", NULL) < 0 &&
	          strstr(err.msg, "excluded by .dockerignore"),
	      "an ignored source says it is ignored");
}

static void hash_of(struct context *ctx, const char *src, const char *chown, const char *chmod,
                    char hex[65])
{
	struct context_list l;

	strcpy(hex, "error");
	if (resolve(ctx, &l, src, NULL) == 0 &&
	    context_hash_sources(ctx, &l, chown, chmod, hex, &err) < 0)
		strcpy(hex, "error");
	context_list_free(&l);
}

static void test_hash(struct context *ctx)
{
	char h1[65], h2[65], h3[65], path[512];
	struct timespec ts[2] = { { 1000, 0 }, { 1000, 0 } };

	hash_of(ctx, "src", NULL, NULL, h1);
	hash_of(ctx, "src", NULL, NULL, h2);
	check(strlen(h1) == 64 && strcmp(h1, h2) == 0, "hash: 64 hex digits, stable");
	snprintf(path, sizeof(path), "%s/src/main.c", root);
	utimensat(AT_FDCWD, path, ts, 0);
	hash_of(ctx, "src", NULL, NULL, h2);
	check(strcmp(h1, h2) == 0, "hash: a new mtime alone is not a change");
	put("src/main.c", "int main(void){return 1;}\n", 0644);
	hash_of(ctx, "src", NULL, NULL, h2);
	check(strcmp(h1, h2) != 0, "hash: one changed byte changes it");
	put("src/main.c", "int main(void){return 0;}\n", 0644);
	hash_of(ctx, "src", NULL, NULL, h2);
	check(strcmp(h1, h2) == 0, "hash: back to the same contents, back to the same hash");
	put("src/main.c", "int main(void){return 0;}\n", 0600);
	hash_of(ctx, "src", NULL, NULL, h2);
	hash_of(ctx, "src", NULL, "0644", h3);
	check(strcmp(h1, h2) != 0, "hash: a mode change changes it");
	put("src/main.c", "int main(void){return 0;}\n", 0644);
	hash_of(ctx, "src", NULL, "0644", h2);
	check(strcmp(h2, h3) == 0 && strcmp(h1, h2) != 0,
	      "hash: with --chmod the files' own modes do not count, the --chmod does");
	hash_of(ctx, "src", "app:app", NULL, h2);
	hash_of(ctx, "src", "app:staff", NULL, h3);
	check(strcmp(h1, h2) != 0 && strcmp(h2, h3) != 0, "hash: the requested --chown counts");
	hash_of(ctx, ".", NULL, NULL, h1);
	put("debug.log", "more noise\n", 0644);
	put("build/drop.o", "other\n", 0644);
	hash_of(ctx, ".", NULL, NULL, h2);
	check(strcmp(h1, h2) == 0, "hash: changes to ignored files do not count");
	put("build/keep.txt", "kept, changed\n", 0644);
	hash_of(ctx, ".", NULL, NULL, h2);
	check(strcmp(h1, h2) != 0, "hash: a change to a re-included file counts");
	hash_of(ctx, "a.txt", NULL, NULL, h1);
	hash_of(ctx, "link_in", NULL, NULL, h2);
	check(strcmp(h1, h2) != 0, "hash: the destination name counts");
}

static void test_copy_dest(void)
{
	static const struct {
		const char *workdir, *dest;
		size_t nsrcs;
		const char *want;
		bool dir;
	} c[] = {
		{ NULL, "/app/", 1, "/app/", true },
		{ NULL, "/app", 1, "/app", false },
		{ "/work", "rel/", 1, "/work/rel/", true },
		{ "/work", "rel", 1, "/work/rel", false },
		{ "/work", ".", 1, "/work/", true },
		{ "work", "./x/../y", 1, "/work/y", false },
		{ "/", ".", 1, "/", true },
		{ "/work", "/abs//x/", 2, "/abs/x/", true },
		{ "/work", "../up", 1, "/up", false },
	};
	char name[160];

	for (size_t i = 0; i < sizeof(c) / sizeof(*c); i++) {
		char *out = NULL;
		bool dir = !c[i].dir;
		snprintf(name, sizeof(name), "COPY destination %s in %s is %s", c[i].dest,
		         c[i].workdir ? c[i].workdir : "(none)", c[i].want);
		check(context_copy_dest(c[i].workdir, c[i].dest, c[i].nsrcs, &out, &dir, &err) ==
		              0 &&
		          strcmp(out, c[i].want) == 0 && dir == c[i].dir,
		      name);
		free(out);
	}
	{
		char *out = NULL;
		bool dir;
		check(context_copy_dest("/w", "/app", 2, &out, &dir, &err) < 0 &&
		          strcmp(err.msg, "with more than one source the destination must be a "
		                          "directory and end with a / (write /app/)") == 0,
		      "several sources into a destination without / is refused");
	}
}

static void test_open(void)
{
	struct context *ctx;
	char path[600];

	check(context_open("/nonexistent/warren-ctx", NULL, &ctx, &err) < 0 &&
	          strcmp(err.msg,
	                 "build context /nonexistent/warren-ctx: No such file or directory") == 0,
	      "a missing context directory: a clear error");
	snprintf(path, sizeof(path), "%s/custom.ignore", outside);
	{
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		if (fd < 0 || write(fd, "*.txt\n", 6) != 6)
			perror(path);
		close(fd);
	}
	if (check(context_open(root, path, &ctx, &err) == 0,
	          "a context with its own ignore file")) {
		struct context_list l;
		int kept = resolve(ctx, &l, "debug.log", NULL);
		context_list_free(&l);
		check(kept == 0 && resolve(ctx, &l, "a.txt", NULL) < 0,
		      "the given ignore file replaces .dockerignore");
		context_close(ctx);
	}
	put(".dockerignore", "[bad\n", 0644);
	check(context_open(root, NULL, &ctx, &err) < 0 &&
	          strcmp(err.msg, ".dockerignore:1: syntax error in pattern [bad") == 0,
	      "a malformed .dockerignore is an error naming the line");
}

int main(void)
{
	struct context *ctx;
	char cmd[300];

	fixture();
	if (check(context_open(root, NULL, &ctx, &err) == 0, "open the context")) {
		test_walk(ctx);
		test_resolve(ctx);
		test_resolve_errors(ctx);
		test_hash(ctx);
		context_close(ctx);
	} else {
		printf("# %s\n", err.msg);
	}
	test_copy_dest();
	test_open();
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s'", root, outside);
	if (system(cmd) != 0)
		printf("# cleanup failed\n");
	return tap_done();
}
