/* gopts.c - the global options, read once: the command line first, then
 * the user's environment and config file. Nothing here may set an
 * environment variable: other programs get the options as arguments. */
#include "gopts.h"
#include "cleanup.h"
#include "storeplace.h"
#include "util.h"

#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
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

/* the keys warren.conf may hold */
static const char *const conf_keys[] = { "storage-driver",
	                                 "storage_driver",
	                                 "cgroup-limits",
	                                 "root",
	                                 "cdi-spec-dirs",
	                                 "slirp-options",
	                                 NULL };

/* Levenshtein distance of @a and @b, capped: both are short keys */
static size_t conf_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 64 || lb >= 64)
		return SIZE_MAX;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* one "warning" line for an unknown @key at @path:@lineno, into @o */
static void conf_warn_unknown(struct gopts *o, const char *path, unsigned lineno, const char *key)
{
	const char *near = NULL;
	size_t best = 3, used = strlen(o->conf_warnings);

	for (size_t i = 0; conf_keys[i]; i++) {
		size_t d = conf_distance(key, conf_keys[i]);
		if (d < best) {
			best = d;
			near = conf_keys[i];
		}
	}
	if (used < sizeof(o->conf_warnings))
		snprintf(o->conf_warnings + used, sizeof(o->conf_warnings) - used,
		         "%s:%u: unknown key \"%s\"%s%s%s, ignored\n", path, lineno, key,
		         near ? " (did you mean \"" : "", near ? near : "", near ? "\"?)" : "");
}

static char *conf_trim(char *s)
{
	char *end = s + strlen(s);

	while (*s == ' ' || *s == '\t' || *s == '\r')
		s++;
	while (end > s && (end[-1] == ' ' || end[-1] == '\t' || end[-1] == '\r'))
		*--end = '\0';
	return s;
}

/* warren.conf: "KEY = VALUE" lines, "#" comments; "storage-driver = NAME"
 * into @o unless @driver_set; unknown keys become warnings in @o, a line
 * that is not KEY = VALUE an error */
static int gopts_conf(struct gopts *o, bool driver_set, struct werr *err)
{
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	struct werr ignored;
	unsigned lineno = 0;
	size_t len;
	char *next;

	if (xdg && xdg[0] == '/')
		snprintf(path, sizeof(path), "%s/warren/warren.conf", xdg);
	else if (home && home[0] == '/')
		snprintf(path, sizeof(path), "%s/.config/warren/warren.conf", home);
	else
		return 0;
	if (util_read_file(AT_FDCWD, path, 1 << 16, &text, &len, &ignored) < 0)
		return 0; /* no file (or none readable): nothing configured */
	for (char *line = text; line; line = next) {
		char *eq, *key, *val;
		size_t vl;

		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		line = conf_trim(line);
		if (!*line || *line == '#')
			continue;
		eq = strchr(line, '=');
		if (eq)
			*eq = '\0';
		key = conf_trim(line);
		val = eq ? conf_trim(eq + 1) : NULL;
		if (!eq || !*key ||
		    strspn(key, "abcdefghijklmnopqrstuvwxyz"
		                "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-.") != strlen(key))
			return werr_set(err, EINVAL,
			                "%s:%u: malformed line: write KEY = VALUE (or # a comment)",
			                path, lineno);
		vl = strlen(val);
		if (vl >= 2 && (val[0] == '"' || val[0] == '\'') && val[vl - 1] == val[0]) {
			val[vl - 1] = '\0';
			val++;
		}
		if (!strcmp(key, "cgroup-limits")) {
			if (strcmp(val, "warn") && strcmp(val, "refuse"))
				return werr_set(
				    err, EINVAL,
				    "%s:%u: cgroup-limits is \"refuse\" (the default) or "
				    "\"warn\", not \"%s\"",
				    path, lineno, val);
			o->cgroup_limits_warn = !strcmp(val, "warn");
			continue;
		}
		if (!strcmp(key, "root")) {
			if (val[0] != '/')
				return werr_set(err, EINVAL,
				                "%s:%u: root is an absolute path, not \"%s\"", path,
				                lineno, val);
			if (snprintf(o->root, sizeof(o->root), "%s", val) >= (int)sizeof(o->root))
				return werr_set(err, ENAMETOOLONG, "%s:%u: root too long", path,
				                lineno);
			snprintf(o->root_from, sizeof(o->root_from), "%s:%u", path, lineno);
			continue;
		}
		if (!strcmp(key, "slirp-options")) {
			/* checked by run and create, which take them */
			if (snprintf(o->slirp_options, sizeof(o->slirp_options), "%s", val) >=
			    (int)sizeof(o->slirp_options))
				return werr_set(err, ENAMETOOLONG, "%s:%u: slirp-options too long",
				                path, lineno);
			snprintf(o->slirp_options_from, sizeof(o->slirp_options_from), "%s:%u",
			         path, lineno);
			continue;
		}
		if (!strcmp(key, "cdi-spec-dirs")) {
			if (!o->cdi_spec_dirs[0])
				snprintf(o->cdi_spec_dirs, sizeof(o->cdi_spec_dirs), "%s", val);
			continue;
		}
		if (strcmp(key, "storage-driver") && strcmp(key, "storage_driver")) {
			conf_warn_unknown(o, path, lineno, key);
			continue;
		}
		if (driver_set)
			continue;
		snprintf(o->driver, sizeof(o->driver), "%s", val);
		snprintf(o->driver_from, sizeof(o->driver_from), "%s", path);
	}
	return 0;
}

/* @o->root kept, or moved to local disk when it is the default place and
 * its filesystem cannot hold a store (storeplace.h); @o->root_why and
 * @o->root_warning say which and why */
static void gopts_place(struct gopts *o)
{
	char why[512] = "", local[PATH_MAX];
	bool chosen = o->root_from[0] != '\0';

	if (storeplace_verdict(o->root, why, sizeof(why))) {
		snprintf(o->root_why, sizeof(o->root_why), "%s%s",
		         chosen ? "set by " : "the default place", chosen ? o->root_from : "");
		return;
	}
	if (chosen) {
		snprintf(o->root_why, sizeof(o->root_why), "set by %s, although %s", o->root_from,
		         why);
		snprintf(o->root_warning, sizeof(o->root_warning),
		         "the store %s (set by %s) is on %s: containers may fail there (a "
		         "directory on local disk avoids this)",
		         o->root, o->root_from, why);
		return;
	}
	if (storeplace_local(local, sizeof(local)) < 0) {
		snprintf(o->root_why, sizeof(o->root_why), "the default place, although %s", why);
		snprintf(o->root_warning, sizeof(o->root_warning),
		         "the store %s is on %s, and no local directory is usable instead "
		         "($XDG_RUNTIME_DIR, /var/tmp, /tmp): choose one with --root, "
		         "WARREN_ROOT or root = in warren.conf",
		         o->root, why);
		return;
	}
	snprintf(o->root_why, sizeof(o->root_why), "moved from %s (%s)", o->root, why);
	snprintf(o->root_warning, sizeof(o->root_warning),
	         "the default store %s is on %s: using %s on local disk instead (choose "
	         "with --root, WARREN_ROOT or root = in warren.conf)",
	         o->root, why, local);
	snprintf(o->root, sizeof(o->root), "%s", local);
}

static int gopts_root(struct gopts *o, const char *root, struct werr *err)
{
	const char *env = getenv("WARREN_ROOT"), *xdg = getenv("XDG_DATA_HOME");
	const char *home = getenv("HOME");
	int n = 0;

	if (root)
		snprintf(o->root_from, sizeof(o->root_from), "--root");
	else if (env && *env) {
		root = env;
		snprintf(o->root_from, sizeof(o->root_from), "$WARREN_ROOT");
	}
	if (root)
		n = snprintf(o->root, sizeof(o->root), "%s", root);
	else if (o->root_from[0])
		; /* "root =" of warren.conf, read already */
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
	gopts_place(o);
	return 0;
}

int gopts_store(const struct gopts *o, struct werr *err)
{
	if (!o->root[0])
		return werr_set(err, ENOENT,
		                "no place for the image store: set HOME, XDG_DATA_HOME or --root");
	return storeplace_check(o->root, o->root_from, err);
}

int gopts_load(struct gopts *o, const char *root, const char *driver, struct werr *err)
{
	const char *env = getenv("WARREN_STORAGE_DRIVER"), *cg = getenv("WARREN_CGROUP_ROOT");
	const char *cdi = getenv("WARREN_CDI_SPEC_DIRS");

	memset(o, 0, sizeof(*o));
	if (driver) {
		snprintf(o->driver, sizeof(o->driver), "%s", driver);
		snprintf(o->driver_from, sizeof(o->driver_from), "--storage-driver");
	} else if (env && *env) {
		snprintf(o->driver, sizeof(o->driver), "%s", env);
		snprintf(o->driver_from, sizeof(o->driver_from), "$WARREN_STORAGE_DRIVER");
	}
	if (cg && cg[0] == '/')
		snprintf(o->cgroup_root, sizeof(o->cgroup_root), "%s", cg);
	if (cdi && *cdi)
		snprintf(o->cdi_spec_dirs, sizeof(o->cdi_spec_dirs), "%s", cdi);
	if (gopts_conf(o, o->driver[0] != '\0', err) < 0)
		return -EINVAL;
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
