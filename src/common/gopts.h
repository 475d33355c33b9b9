/* gopts.h - warren's global options (--root, --storage-driver and the
 * config file), decided once by a program's main() and passed down to the
 * libraries, which never read them from the environment themselves. */
#ifndef WARREN_GOPTS_H
#define WARREN_GOPTS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "werr.h"

struct gopts {
	char root[PATH_MAX]; /* the persistent store (absolute); "": none found */
	/* what set @root: "--root", "$WARREN_ROOT", "FILE:LINE" of warren.conf's
	 * "root =", or "" for the default place */
	char root_from[PATH_MAX];
	/* why @root is where it is, for `warren info` */
	char root_why[PATH_MAX + 512];
	/* one line for main() to print as a warning: the default place could not
	 * hold a store and @root is a local one instead, or the place chosen
	 * cannot hold one; "": none */
	char root_warning[2 * PATH_MAX + 512];
	char driver[32];            /* the storage driver asked for; "" to choose */
	char driver_from[PATH_MAX]; /* where @driver came from, for messages */
	/* "cgroup-limits = warn" in warren.conf: a limit the host cannot apply
	 * is dropped with a warning instead of refused */
	bool cgroup_limits_warn;
	/* $WARREN_CGROUP_ROOT, for the test suite only: where the cgroup
	 * filesystem is mounted instead of /sys/fs/cgroup; "": the default */
	char cgroup_root[PATH_MAX];
	/* where CDI specs are (colon-separated): $WARREN_CDI_SPEC_DIRS, else
	 * "cdi-spec-dirs = ..." in warren.conf; "": /etc/cdi:/var/run/cdi */
	char cdi_spec_dirs[PATH_MAX];
	/* "slirp-options = bypass=false,..." in warren.conf: the options every
	 * run and create on the default network starts from (--network
	 * slirp:OPTIONS still sets each), and the FILE:LINE they came from */
	char slirp_options[256];
	char slirp_options_from[PATH_MAX + 16];
	/* "FILE:LINE: unknown key ..." lines of the config file, each ending
	 * in a newline, for main() to print as warnings; "": none */
	char conf_warnings[1024];
};

/**
 * gopts_load() - the global options from the command line, else the
 * user's environment and config file.
 * @root: --root, or NULL: $WARREN_ROOT, else "root = DIR" in warren.conf,
 *        else $XDG_DATA_HOME/warren, else ~/.local/share/warren; a default
 *        place whose filesystem cannot hold a store (storeplace_verdict())
 *        is replaced by a local one (storeplace_local()), with
 *        @o->root_warning saying so; a chosen one is kept, with a warning
 * @driver: --storage-driver, or NULL: $WARREN_STORAGE_DRIVER, else
 *          "storage-driver = NAME" in $XDG_CONFIG_HOME/warren/warren.conf
 *          (~/.config/warren/warren.conf), else "" (choose)
 * The config file is read in any case: its unknown keys go into
 * @o->conf_warnings (with the known key they are close to), a line that is
 * not "KEY = VALUE", a comment or blank is an error.
 * Return: 0, or a negative errno with @err naming the option (or the
 * config file's line) and the fix.
 */
int gopts_load(struct gopts *o, const char *root, const char *driver, struct werr *err);

/**
 * gopts_store() - whether @o found a place for the store (HOME may be
 * unset: only the commands that need the store fail then) that can be
 * opened or made (storeplace_check(): nothing is created).
 * Return: 0, or a negative errno with @err naming the path and the fix.
 */
int gopts_store(const struct gopts *o, struct werr *err);

/**
 * gopts_parse() - the global options before the command in *@argv (from
 * index 1), "--root DIR" or "--root=DIR" and the like, consumed (*@argv
 * and *@argc then start at the command's name) into *@root and *@driver
 * (NULL when not given), for gopts_load().
 * Return: 0, or -EINVAL with @err naming the option and what it needs.
 */
int gopts_parse(int *argc, char ***argv, const char **root, const char **driver, struct werr *err);

/** gopts_help() - the global options' lines for a usage message. */
void gopts_help(FILE *f);

/**
 * gopts_argv() - @o as global options for another warren program:
 * "--root=DIR" and, when --storage-driver chose the driver,
 * "--storage-driver=NAME" (the environment and config file are the
 * user's, read there again), into @argv (room for 2), strings in @buf.
 * Return: the number of words (0 to 2), -E2BIG when @size is too small.
 */
int gopts_argv(const struct gopts *o, char *buf, size_t size, char **argv);

#endif
