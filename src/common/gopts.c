/* gopts.c - the global options, read once: the command line first, then
 * the user's environment and config file. Nothing here may set an
 * environment variable: other programs get the options as arguments. */
#include "gopts.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

static const struct gopt_def {
	const char *name, *arg, *help;
	bool absolute; /* the value must be an absolute path */
} gopt_defs[] = {
	{ "--root", "DIR", "the image and container store ($XDG_DATA_HOME/warren)", true },
	{ "--storage-driver", "NAME",
	  "overlay, fuse-overlay or vfs (default: the first that works here)", false },
	{ NULL, NULL, NULL, false },
};

/* "storage-driver = NAME" from warren.conf into @o; nothing when not set */
static void gopts_conf_driver(struct gopts *o)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	struct werr ignored;
	size_t len;

	if (xdg && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/warren/warren.conf", xdg);
	else if (home && home[0] == '/')
		snprintf(path, sizeof(path), "%s/.config/warren/warren.conf", home);
	else
		return;
	if (util_read_file(AT_FDCWD, path, 1 << 16, &text, &len, &ignored) < 0)
		return;
	for (char *line = strtok(text, "\n"); line; line = strtok(NULL, "\n")) {
		char key[32], val[32];
		if (sscanf(line, " %31[a-z_-] = %31[a-z-]", key, val) == 2 &&
		    (!strcmp(key, "storage-driver") || !strcmp(key, "storage_driver"))) {
			snprintf(o->driver, sizeof(o->driver), "%s", val);
			snprintf(o->driver_from, sizeof(o->driver_from), "%s", path);
		}
	}
}

static int gopts_root(struct gopts *o, const char *root, struct werr *err)
{
	const char *env = getenv("WARREN_ROOT"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n;

	if (!root && env && *env)
		root = env;
	if (root)
		n = snprintf(o->root, sizeof(o->root), "%s", root);
	else if (xdg && xdg[0] == '/')
		n = snprintf(o->root, sizeof(o->root), "%s/warren", xdg);
	else if (home && home[0] == '/')
		n = snprintf(o->root, sizeof(o->root), "%s/.local/share/warren", home);
	else
		return 0; /* gopts_store() says so when a command needs the store */
	if (n < 0 || (size_t)n >= sizeof(o->root))
		return werr_set(err, ENAMETOOLONG, "store path too long");
	if (o->root[0] != '/')
		return werr_set(err, EINVAL, "store root %s must be an absolute path", o->root);
	return 0;
}

int gopts_store(const struct gopts *o, struct werr *err)
{
	if (!o->root[0])
		return werr_set(err, ENOENT,
		                "no place for the image store: set HOME, XDG_DATA_HOME or --root");
	return 0;
}

int gopts_load(struct gopts *o, const char *root, const char *driver, struct werr *err)
{
	const char *env = getenv("WARREN_STORAGE_DRIVER");

	memset(o, 0, sizeof(*o));
	if (driver) {
		snprintf(o->driver, sizeof(o->driver), "%s", driver);
		snprintf(o->driver_from, sizeof(o->driver_from), "--storage-driver");
	} else if (env && *env) {
		snprintf(o->driver, sizeof(o->driver), "%s", env);
		snprintf(o->driver_from, sizeof(o->driver_from), "$WARREN_STORAGE_DRIVER");
	} else {
		gopts_conf_driver(o);
	}
	return gopts_root(o, root, err);
}

int gopts_parse(int *argc, char ***argv, const char **root, const char **driver, struct werr *err)
{
	const char **given[] = { root, driver };
	bool matched = true;

	*root = *driver = NULL;
	while (*argc >= 2 && matched) {
		const char *word = (*argv)[1];
		matched = false;
		for (size_t i = 0; gopt_defs[i].name; i++) {
			const struct gopt_def *g = &gopt_defs[i];
			size_t l = strlen(g->name);
			const char *v;
			int used;
			if (strncmp(word, g->name, l) || (word[l] != '\0' && word[l] != '='))
				continue;
			v = word[l] == '=' ? word + l + 1 : *argc >= 3 ? (*argv)[2] : NULL;
			used = word[l] == '=' ? 1 : 2;
			if (!v || !*v || (g->absolute && v[0] != '/'))
				return werr_set(err, EINVAL, "%s needs %s%s", g->name,
				                g->absolute ? "an absolute " : "a ", g->arg);
			*given[i] = v;
			*argc -= used;
			*argv += used;
			matched = true;
			break;
		}
	}
	return 0;
}

void gopts_help(FILE *f)
{
	for (const struct gopt_def *g = gopt_defs; g->name; g++)
		fprintf(f, "  %s %-6s %s\n", g->name, g->arg, g->help);
}

int gopts_argv(const struct gopts *o, char *buf, size_t size, char **argv)
{
	int n = 0, k = snprintf(buf, size, "--root=%s", o->root);

	if (k < 0 || (size_t)k >= size)
		return -E2BIG;
	argv[n++] = buf;
	if (!strcmp(o->driver_from, "--storage-driver")) {
		char *rest = buf + k + 1;
		size_t left = size - (size_t)k - 1;
		int d = snprintf(rest, left, "--storage-driver=%s", o->driver);
		if (d < 0 || (size_t)d >= left)
			return -E2BIG;
		argv[n++] = rest;
	}
	return n;
}
