/* fuzz_context.c - libFuzzer target: COPY source resolution on a fixed
 * context holding symlinks that point outside it. Input: sources, one per
 * line. Whatever is resolved must be a path inside the context without "..",
 * and must never be the secret file outside. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "context.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct context *ctx;
static char root[] = "/tmp/warren-fuzzctx-XXXXXX";

static void mk(const char *rel, const char *content)
{
	char path[256];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (!content) {
		mkdir(path, 0755);
		return;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
	if (fd >= 0) {
		if (write(fd, content, strlen(content)) < 0)
			perror(path);
		close(fd);
	}
}

static void ln(const char *target, const char *rel)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", root, rel);
	if (symlink(target, path) < 0)
		perror(path);
}

static void cleanup(void)
{
	char cmd[96];

	context_close(ctx);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	if (system(cmd) != 0)
		fprintf(stderr, "fuzz_context: could not remove %s\n", root);
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct werr err;
	char dir[64];

	if (!mkdtemp(root))
		abort();
	mk("ctx", NULL);
	mk("secret", "outside");
	mk("ctx/.dockerignore", "*.log\nskip\n!skip/keep\n");
	mk("ctx/a.txt", "a");
	mk("ctx/b.log", "b");
	mk("ctx/d", NULL);
	mk("ctx/d/e", NULL);
	mk("ctx/d/e/f.c", "f");
	mk("ctx/skip", NULL);
	mk("ctx/skip/keep", "k");
	mk("ctx/skip/drop", "x");
	ln("../secret", "ctx/up");
	ln("../../secret", "ctx/d/up2");
	ln("/etc", "ctx/etc");
	ln("d/e", "ctx/de");
	ln("loop", "ctx/loop");
	snprintf(dir, sizeof(dir), "%s/ctx", root);
	if (context_open(dir, NULL, &ctx, &err) < 0)
		abort();
	atexit(cleanup);
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct context_list l;
	struct werr err;
	char *text, *save = NULL, *line, *srcs[16];
	size_t n = 0;

	if (size > 4096 || !(text = strndup((const char *)data, size)))
		return 0;
	for (line = strtok_r(text, "\n", &save); line && n < 16; line = strtok_r(NULL, "\n", &save))
		srcs[n++] = line;
	if (context_resolve_sources(ctx, srcs, n, &l, &err) == 0) {
		char hex[65];
		for (size_t i = 0; i < l.n; i++) {
			const char *p = l.v[i].path;
			if (p[0] == '/' || strstr(p, "..") == p || strstr(p, "/../") ||
			    strcmp(p, "secret") == 0 || strstr(p, ".log") ||
			    strncmp(p, "skip/drop", 9) == 0)
				abort();
		}
		if (context_hash_sources(ctx, &l, NULL, NULL, hex, &err) == 0 && strlen(hex) != 64)
			abort();
		context_list_free(&l);
	}
	free(text);
	return 0;
}
