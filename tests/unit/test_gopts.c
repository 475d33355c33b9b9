/* test_gopts.c - the global options (TAP): which source wins, what is
 * refused, and what another warren program is handed. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "gopts.h"
#include "tap.h"
#include "util.h"

static int parse(int argc, char **argv, struct gopts *o, int *left, char ***rest)
{
	const char *root, *driver;
	struct werr err;

	if (gopts_parse(&argc, &argv, &root, &driver, &err) < 0 ||
	    gopts_load(o, root, driver, &err) < 0)
		return -1;
	*left = argc;
	*rest = argv;
	return 0;
}

int main(void)
{
	char dir[] = "/tmp/warren-test-gopts.XXXXXX", conf[PATH_MAX], buf[PATH_MAX + 64];
	char want[2 * PATH_MAX + 128];
	char *words[2], **rest;
	struct gopts o;
	struct werr err;
	int left;
	FILE *f;

	if (!mkdtemp(dir))
		return 1;
	unsetenv("WARREN_ROOT");
	unsetenv("WARREN_STORAGE_DRIVER");
	unsetenv("XDG_DATA_HOME");
	setenv("HOME", dir, 1);
	setenv("XDG_CONFIG_HOME", dir, 1);

	char *a1[] = { "warren", "ps", NULL };
	check(parse(2, a1, &o, &left, &rest) == 0 && left == 2 && !strcmp(rest[1], "ps"),
	      "no global options: the command is argv[1]");
	snprintf(conf, sizeof(conf), "%s/.local/share/warren", dir);
	check(!strcmp(o.root, conf) && o.driver[0] == '\0',
	      "the store under HOME, no driver asked");

	setenv("XDG_DATA_HOME", "/data", 1);
	check(parse(2, a1, &o, &left, &rest) == 0 && !strcmp(o.root, "/data/warren"),
	      "XDG_DATA_HOME over HOME");
	setenv("WARREN_ROOT", "/env-root", 1);
	check(parse(2, a1, &o, &left, &rest) == 0 && !strcmp(o.root, "/env-root"),
	      "WARREN_ROOT over XDG_DATA_HOME");
	char *a2[] = { "warren", "--root", "/flag-root", "--storage-driver=vfs", "ps", "-a", NULL };
	check(parse(6, a2, &o, &left, &rest) == 0 && !strcmp(o.root, "/flag-root") && left == 3 &&
	          !strcmp(rest[1], "ps") && !strcmp(rest[2], "-a"),
	      "--root DIR and --storage-driver=NAME are consumed, the command follows");
	check(!strcmp(o.driver, "vfs") && !strcmp(o.driver_from, "--storage-driver"),
	      "the driver and where it came from");

	snprintf(conf, sizeof(conf), "%s/warren", dir);
	mkdir(conf, 0700);
	snprintf(conf, sizeof(conf), "%s/warren/warren.conf", dir);
	f = fopen(conf, "w");
	if (!f)
		return 1;
	fputs("# a comment\nstorage-driver = fuse-overlay\n", f);
	fclose(f);
	check(parse(2, a1, &o, &left, &rest) == 0 && !strcmp(o.driver, "fuse-overlay") &&
	          !strcmp(o.driver_from, conf),
	      "warren.conf names the driver, and is named as its source");
	setenv("WARREN_STORAGE_DRIVER", "overlay", 1);
	check(parse(2, a1, &o, &left, &rest) == 0 && !strcmp(o.driver, "overlay") &&
	          !strcmp(o.driver_from, "$WARREN_STORAGE_DRIVER"),
	      "WARREN_STORAGE_DRIVER over warren.conf");
	check(parse(6, a2, &o, &left, &rest) == 0 && !strcmp(o.driver, "vfs"),
	      "--storage-driver over WARREN_STORAGE_DRIVER");
	unsetenv("WARREN_STORAGE_DRIVER");

	f = fopen(conf, "w");
	if (!f)
		return 1;
	fputs("storage-drvier = vfs\n\n  colour = \"blue\"\nstorage_driver = 'vfs'\n", f);
	fclose(f);
	check(parse(2, a1, &o, &left, &rest) == 0 && !strcmp(o.driver, "vfs"),
	      "unknown keys are no error; a quoted value is unquoted");
	snprintf(want, sizeof(want),
	         "%s:1: unknown key \"storage-drvier\" (did you mean \"storage-driver\"?), "
	         "ignored\n%s:3: unknown key \"colour\", ignored\n",
	         conf, conf);
	check(!strcmp(o.conf_warnings, want),
	      "each unknown key is one warning with file, line and the near known key");
	f = fopen(conf, "w");
	if (!f)
		return 1;
	fputs("# fine\nstorage-driver vfs\n", f);
	fclose(f);
	check(gopts_load(&o, NULL, "vfs", &err) < 0 &&
	          strstr(err.msg, "warren.conf:2: malformed line"),
	      "a line without = is an error naming the file and line, even with --storage-driver");
	f = fopen(conf, "w");
	if (!f)
		return 1;
	fputs("storage-driver = fuse-overlay\n", f);
	fclose(f);

	f = fopen(conf, "w");
	if (!f)
		return 1;
	fputs("root = /conf-root\n", f);
	fclose(f);
	unsetenv("WARREN_ROOT"); /* still set above */
	snprintf(want, sizeof(want), "%s:1", conf);
	check(parse(2, a1, &o, &left, &rest) == 0 && !strcmp(o.root, "/conf-root") &&
	          !strcmp(o.root_from, want) && !o.conf_warnings[0],
	      "warren.conf's root = sets the store, named with its file and line");
	setenv("WARREN_ROOT", "/env-root", 1);
	check(parse(2, a1, &o, &left, &rest) == 0 && !strcmp(o.root, "/env-root") &&
	          !strcmp(o.root_from, "$WARREN_ROOT"),
	      "WARREN_ROOT over warren.conf's root =");
	f = fopen(conf, "w");
	if (!f)
		return 1;
	fputs("root = relative/store\n", f);
	fclose(f);
	check(gopts_load(&o, NULL, NULL, &err) < 0 && strstr(err.msg, ":1: root is an absolute"),
	      "a relative root = is an error naming the line");
	f = fopen(conf, "w");
	if (!f)
		return 1;
	fputs("storage-driver = fuse-overlay\n", f);
	fclose(f);
	setenv("WARREN_ROOT", "/env-root", 1);

	char *bad1[] = { "warren", "--root", "relative", "ps", NULL };
	char *bad2[] = { "warren", "--root", NULL };
	char *bad3[] = { "warren", "--storage-driver=", "ps", NULL };
	check(parse(4, bad1, &o, &left, &rest) < 0, "--root must be absolute");
	check(parse(2, bad2, &o, &left, &rest) < 0, "--root without a value");
	check(parse(3, bad3, &o, &left, &rest) < 0, "--storage-driver= with nothing");
	unsetenv("WARREN_ROOT");
	unsetenv("XDG_DATA_HOME");
	unsetenv("HOME");
	check(gopts_load(&o, NULL, NULL, &err) == 0 && gopts_store(&o, &err) < 0 &&
	          strstr(err.msg, "--root"),
	      "no HOME and no --root: a command that needs the store is refused, naming --root");

	check(parse(6, a2, &o, &left, &rest) == 0 && gopts_argv(&o, buf, sizeof(buf), words) == 2 &&
	          !strcmp(words[0], "--root=/flag-root") &&
	          !strcmp(words[1], "--storage-driver=vfs"),
	      "another program is handed --root and the --storage-driver given");
	setenv("HOME", dir, 1);
	check(parse(2, a1, &o, &left, &rest) == 0 && gopts_argv(&o, buf, sizeof(buf), words) == 1,
	      "a driver from the environment or warren.conf is not handed on (read there again)");
	check(gopts_argv(&o, buf, 8, words) == -E2BIG, "a buffer too small is refused");
	util_rm_rf(dir);
	return tap_done();
}
