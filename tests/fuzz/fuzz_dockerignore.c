/* fuzz_dockerignore.c - libFuzzer target: .dockerignore compilation and
 * matching. Input: patterns, a NUL byte, then paths one per line. Checks that
 * a directory called skippable really has every path below it excluded, and
 * that cleaning is idempotent. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerignore.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_path(const struct dockerignore *di, const char *path)
{
	char *c1 = strdup(path), *c2;
	const char *slash;

	if (!c1)
		return;
	dockerignore_clean(c1);
	c2 = strdup(c1);
	if (c2) {
		dockerignore_clean(c2);
		if (strcmp(c1, c2) != 0)
			abort();
		free(c2);
	}
	free(c1);
	(void)dockerignore_glob_match(path, path);
	/* a skippable ancestor means this path must be excluded */
	for (slash = strchr(path, '/'); slash; slash = strchr(slash + 1, '/')) {
		char *dir = strndup(path, (size_t)(slash - path));
		if (!dir)
			return;
		if (*dir && dockerignore_dir_skippable(di, dir) && !dockerignore_excluded(di, path))
			abort();
		free(dir);
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data, *nul;
	struct dockerignore *di;
	struct werr err;
	char *paths, *line, *save = NULL;

	if (size > 16384)
		return 0;
	nul = memchr(text, '\0', size);
	if (dockerignore_parse(text, nul ? (size_t)(nul - text) : size, ".dockerignore", &di,
	                       &err) < 0)
		return 0;
	if (nul && (paths = strndup(nul + 1, size - (size_t)(nul + 1 - text))) != NULL) {
		for (line = strtok_r(paths, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			check_path(di, line);
		free(paths);
	}
	dockerignore_free(di);
	return 0;
}
