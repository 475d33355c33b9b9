/* test_ctrpath.c - cp's path resolution inside a container root: symlinks
 * re-rooted, ".." above the root refused, missing last components kept. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctrpath.h"
#include "tap.h"

static int root;

/* the resolution of @path, or "ERR <errno>" */
static const char *resolve(const char *path, bool follow)
{
	static char out[4096];
	struct werr err = { 0 };
	int r = ctrpath_resolve(root, path, follow, out, sizeof(out), &err);

	if (r < 0)
		snprintf(out, sizeof(out), "ERR %d", -r);
	return out;
}

int main(void)
{
	char dir[] = "/tmp/ctrpath.XXXXXX";
	char buf[64];

	if (!mkdtemp(dir) || (root = open(dir, O_RDONLY | O_DIRECTORY)) < 0)
		return 1;
	if (mkdirat(root, "etc", 0755) || mkdirat(root, "a", 0755) || mkdirat(root, "a/b", 0755) ||
	    symlinkat("/etc", root, "abs") || symlinkat("../..", root, "a/b/top") ||
	    symlinkat("../../..", root, "a/b/out") || symlinkat("loop", root, "loop") ||
	    symlinkat("b/top/etc", root, "a/rel") ||
	    close(openat(root, "etc/f", O_CREAT | O_WRONLY, 0644)))
		return 1;

	check_str(resolve("/etc/f", true), "etc/f", "a plain path");
	check_str(resolve("etc/./f", true), "etc/f", "relative, with .");
	check_str(resolve("/", true), "", "the root");
	check_str(resolve("/a/b/../../etc", true), "etc", ".. inside the root");
	check_str(resolve("/abs/f", true), "etc/f",
	          "an absolute symlink starts at the container's root");
	check_str(resolve("/abs", false), "abs", "the last symlink kept without follow");
	check_str(resolve("/abs", true), "etc", "the last symlink followed");
	check_str(resolve("/a/b/top/etc/f", true), "etc/f", "a relative symlink up to the root");
	check_str(resolve("/a/rel/f", true), "etc/f",
	          "a symlink to a path through another symlink");
	check_str(resolve("/etc/new", true), "etc/new", "a missing last component is kept");
	snprintf(buf, sizeof(buf), "ERR %d", EXDEV);
	check_str(resolve("../etc/f", true), buf, "a leading .. leaves the root");
	check_str(resolve("/a/../../etc", true), buf, ".. above the root after a descent");
	check_str(resolve("/a/b/out/etc/f", true), buf, "a symlink climbing above the root");
	check_str(resolve("/a/b/out", true), buf,
	          "the last symlink climbing above the root, followed");
	check_str(resolve("/a/b/out", false), "a/b/out", "the same link not followed is a link");
	snprintf(buf, sizeof(buf), "ERR %d", ENOENT);
	check_str(resolve("/nope/f", true), buf, "a missing parent");
	snprintf(buf, sizeof(buf), "ERR %d", ENOTDIR);
	check_str(resolve("/etc/f/g", true), buf, "a file as a parent");
	snprintf(buf, sizeof(buf), "ERR %d", ELOOP);
	check_str(resolve("/loop", true), buf, "a symlink loop");
	{
		int fd = ctrpath_open(root, "abs/f", O_RDONLY);
		check(fd == -ELOOP, "ctrpath_open follows no symlink");
		if (fd >= 0)
			close(fd);
	}
	{
		char cmd[64];
		snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
		if (system(cmd) != 0)
			return 1;
	}
	return tap_done();
}
