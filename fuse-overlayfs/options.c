/* options.c - warren-overlay's command line: fuse-overlayfs's and the
 * kernel's option names (-o lowerdir=,upperdir=,workdir=,...) parsed from one
 * table that also feeds --help. Unknown options are refused, never ignored. */
#include "options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

enum opt_kind { OPT_PATH, OPT_IDMAP, OPT_INT, OPT_FLAG, OPT_KERNEL, OPT_IGNORED };

struct opt_def {
	const char *name;
	enum opt_kind kind;
	const char *help;
};

static const struct opt_def opt_table[] = {
	{ "lowerdir", OPT_PATH, "lower layers, topmost first, separated by ':'" },
	{ "upperdir", OPT_PATH, "writable layer (needs workdir)" },
	{ "workdir", OPT_PATH, "scratch directory on the upperdir's filesystem" },
	{ "uidmapping", OPT_IDMAP, "STORED:SHOWN:LEN[:...] owners in the layers : as shown" },
	{ "gidmapping", OPT_IDMAP, "the same for groups" },
	{ "xattr_permissions", OPT_INT, "2: owners and modes in user.containers.override_stat" },
	{ "timeout", OPT_INT, "seconds the kernel caches names and attributes (default 86400)" },
	{ "threads", OPT_INT, "worker threads (default: CPUs, at most 4)" },
	{ "spin", OPT_INT,
	  "microseconds a worker keeps polling after a request (default 50, 0: never)" },
	{ "readahead", OPT_INT,
	  "directory listings read ahead of a walk, at most (default 64; 0: no read-ahead of"
	  " listings or files)" },
	{ "allow_other", OPT_FLAG, "let every user of the namespace in (default as root)" },
	{ "ro", OPT_KERNEL, "read-only mount" },
	{ "rw", OPT_IGNORED, "read-write mount (the default with an upperdir)" },
	{ "nosuid", OPT_KERNEL, "mount flag" },
	{ "suid", OPT_KERNEL, "mount flag" },
	{ "nodev", OPT_KERNEL, "mount flag" },
	{ "dev", OPT_KERNEL, "mount flag" },
	{ "noexec", OPT_KERNEL, "mount flag" },
	{ "exec", OPT_KERNEL, "mount flag" },
	{ "noatime", OPT_KERNEL, "mount flag" },
	{ "nodiratime", OPT_KERNEL, "mount flag" },
	{ "sync", OPT_KERNEL, "mount flag" },
	{ "async", OPT_KERNEL, "mount flag" },
	{ "dirsync", OPT_KERNEL, "mount flag" },
	{ "nosymfollow", OPT_KERNEL, "mount flag" },
	{ "symfollow", OPT_KERNEL, "mount flag" },
	{ "fsname", OPT_KERNEL, "name shown in /proc/mounts" },
	/* what mount(8) and fstab lines carry besides: taken, and without effect
	 * (access times are never updated: noatime) */
	{ "defaults", OPT_IGNORED, "fstab: the default options" },
	{ "auto", OPT_IGNORED, "fstab: mounted by mount -a" },
	{ "noauto", OPT_IGNORED, "fstab: not mounted by mount -a" },
	{ "user", OPT_IGNORED, "fstab: users may mount it" },
	{ "users", OPT_IGNORED, "fstab: users may mount and unmount it" },
	{ "nouser", OPT_IGNORED, "fstab: only root mounts it" },
	{ "nofail", OPT_IGNORED, "fstab: no error when it cannot be mounted" },
	{ "_netdev", OPT_IGNORED, "fstab: needs the network" },
	{ "atime", OPT_IGNORED, "accepted; access times stay as they are (noatime)" },
	{ "relatime", OPT_IGNORED, "accepted; access times stay as they are (noatime)" },
	{ "strictatime", OPT_IGNORED, "accepted; access times stay as they are (noatime)" },
	{ "diratime", OPT_IGNORED, "accepted; access times stay as they are (noatime)" },
	{ "lazytime", OPT_IGNORED, "accepted, without effect" },
	{ "nolazytime", OPT_IGNORED, "accepted, without effect" },
	{ "silent", OPT_IGNORED, "accepted, without effect" },
	{ "loud", OPT_IGNORED, "accepted, without effect" },
	{ "userxattr", OPT_IGNORED, "kernel overlay option; accepted so the same line works" },
	{ "default_permissions", OPT_IGNORED, "always on: the kernel checks permissions" },
};

/**
 * opts_help() - one line per option of the table, for --help.
 */
void opts_help(FILE *out)
{
	for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
		fprintf(out, "  -o %-20s %s\n", opt_table[i].name, opt_table[i].help);
}

static int opts_apply(struct ovl_config *cfg, const struct opt_def *d, const char *val,
                      const char *item, struct werr *err)
{
	char *end;
	long v;

	if ((d->kind == OPT_PATH || d->kind == OPT_IDMAP || d->kind == OPT_INT) && (!val || !*val))
		return werr_set(err, EINVAL, "option %s needs a value (-o %s=...)", d->name,
		                d->name);
	switch (d->kind) {
	case OPT_PATH:
		if (strcmp(d->name, "lowerdir") == 0)
			cfg->lowerdir = strdup(val);
		else if (strcmp(d->name, "upperdir") == 0)
			cfg->upperdir = strdup(val);
		else
			cfg->workdir = strdup(val);
		return 0;
	case OPT_IDMAP:
		if (ovl_parse_idmap(d->name[0] == 'u' ? &cfg->uidmap : &cfg->gidmap, val) < 0)
			return werr_set(err, EINVAL,
			                "bad %s '%s' (want STORED:SHOWN:LEN triples, e.g. "
			                "0:1000:1:1:100000:65536)",
			                d->name, val);
		return 0;
	case OPT_INT:
		errno = 0;
		v = strtol(val, &end, 10);
		if (errno || *end || v < 0 || v > 1000000000)
			return werr_set(err, EINVAL, "bad number in %s", item);
		if (strcmp(d->name, "timeout") == 0)
			cfg->timeout = (double)v;
		else if (strcmp(d->name, "threads") == 0)
			cfg->threads = v ? (int)v : 1;
		else if (strcmp(d->name, "spin") == 0 && v > 100000)
			return werr_set(err, EINVAL, "spin=%ld is too long (at most 100000 us)", v);
		else if (strcmp(d->name, "spin") == 0)
			cfg->spin_us = (int)v;
		else if (strcmp(d->name, "readahead") == 0 && v > 4096)
			return werr_set(err, EINVAL, "readahead=%ld is too many (at most 4096)", v);
		else if (strcmp(d->name, "readahead") == 0)
			cfg->readahead = (int)v;
		else if (v != 0 && v != 2)
			return werr_set(err, EINVAL,
			                "xattr_permissions=%ld is not supported (use 0 or 2)", v);
		else
			cfg->xattr_permissions = (int)v;
		return 0;
	case OPT_FLAG: cfg->allow_other = true; return 0;
	case OPT_KERNEL: {
		size_t n = strlen(cfg->fuse_opts);
		if (strcmp(d->name, "ro") == 0)
			cfg->readonly = true;
		if (n + strlen(item) + 2 > sizeof(cfg->fuse_opts))
			return werr_set(err, E2BIG, "too many mount options");
		snprintf(cfg->fuse_opts + n, sizeof(cfg->fuse_opts) - n, ",%s", item);
		return 0;
	}
	case OPT_IGNORED: return 0;
	}
	return 0;
}

/**
 * opts_parse_o() - apply one -o argument ("a=b,c,...") to @cfg.
 * Return: 0, or -EINVAL with @err naming the option and what is accepted.
 */
int opts_parse_o(struct ovl_config *cfg, const char *arg, struct werr *err)
{
	char *copy = strdup(arg), *save = NULL;
	int r = 0;

	if (!copy)
		return werr_errno(err, ENOMEM, "options");
	for (char *item = strtok_r(copy, ",", &save); item && r == 0;
	     item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		size_t klen = eq ? (size_t)(eq - item) : strlen(item);
		const struct opt_def *d = NULL;
		for (size_t i = 0; i < ARRAY_SIZE(opt_table); i++)
			if (strlen(opt_table[i].name) == klen &&
			    strncmp(opt_table[i].name, item, klen) == 0)
				d = &opt_table[i];
		/* fstab's comments and options for other programs (x-systemd...) */
		if (!d && (strncmp(item, "x-", 2) == 0 || strncmp(item, "comment=", 8) == 0))
			continue;
		if (!d)
			r = werr_set(err, EINVAL,
			             "unknown option '%.*s' (see warren-overlay --help for the "
			             "options it takes)",
			             (int)klen, item);
		else
			r = opts_apply(cfg, d, eq ? eq + 1 : NULL, item, err);
	}
	free(copy);
	return r;
}
