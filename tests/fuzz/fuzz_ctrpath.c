/* fuzz_ctrpath.c - libFuzzer target: cp's path resolution inside a
 * container root (src/container/ctrpath.c) on arbitrary paths, against a
 * small tree full of symlinks (absolute, climbing, looping). The result
 * must always be a clean path below the root: no "..", no ".", no empty
 * or absolute component. */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrpath.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int fuzz_root(void)
{
	static int root = -1;
	char dir[] = "/tmp/fuzz-ctrpath.XXXXXX";

	if (root >= 0)
		return root;
	if (!mkdtemp(dir) || (root = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		abort();
	mkdirat(root, "etc", 0755);
	mkdirat(root, "a", 0755);
	mkdirat(root, "a/b", 0755);
	close(openat(root, "etc/f", O_CREAT | O_WRONLY, 0644));
	symlinkat("/etc", root, "abs");
	symlinkat("../..", root, "a/b/up");
	symlinkat("../../..", root, "a/b/out");
	symlinkat("loop", root, "loop");
	symlinkat("b/up/a/b", root, "a/self");
	symlinkat("/", root, "a/root");
	symlinkat("etc/f/x", root, "nodir");
	return root;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char path[4096], out[4096];
	struct werr err;
	const char *p;

	if (size >= sizeof(path))
		return 0;
	memcpy(path, data, size);
	path[size] = '\0';
	for (int follow = 0; follow < 2; follow++) {
		if (ctrpath_resolve(fuzz_root(), path, follow, out, sizeof(out), &err) < 0)
			continue;
		if (out[0] == '/')
			abort();
		for (p = out; *p;) {
			size_t n = strcspn(p, "/");
			if (n == 0 || (n == 1 && p[0] == '.') || (n == 2 && !strncmp(p, "..", 2)))
				abort();
			p += n + (p[n] == '/');
		}
	}
	return 0;
}
