/* cmd_info.c - `warren info`: what warren will use on this machine and why:
 * the store, the runtime directory, the user namespace (subordinate ranges
 * or single-ID mode), the storage driver, the network helper and cgroups.
 * Reads only; the storage driver probe is cached in the store. */
#include "commands.h"
#include "ctrcgroup.h"
#include "format.h"
#include "idmap.h"
#include "cliutil.h"
#include "opts.h"
#include "rootfs.h"
#include "store.h"
#include "rundir.h"
#include "util.h"

#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/statfs.h>
#include <unistd.h>

enum { INFO_FORMAT, INFO_HELP };

static const struct opt_def info_opts[] = {
	{ "format", 'f', OPT_VALUE, "FORMAT", "json, or a Go template like {{.store}}",
	  INFO_FORMAT },
	{ "help", 0, OPT_FLAG, NULL, "Show this help", INFO_HELP },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

const struct cli_cmd cli_cmd_info = {
	"info",
	"[OPTIONS]",
	"What warren uses on this machine (storage driver, IDs) and why.",
	info_opts,
	0,
	0,
	OPTS_INTERSPERSED
};

struct info_args {
	const char *format;
	bool help;
};

/* implements opt_cb */
static int info_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct info_args *a = ctx;

	if (def->id == INFO_HELP) {
		a->help = true;
		return 0;
	}
	a->format = v;
	return strcmp(v, "json") ? format_check(v, err) : 0;
}

/* which cgroups give the limits (v2-delegated, v1-delegated), or why none */
static void info_cgroups(char *buf, size_t size)
{
	ctrcgroup_describe(buf, size);
}

static json_t *info_collect(struct werr *err)
{
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct rootfs_choice drv;
	struct idmap_plan plan;
	char rt[4096], cg[1024], src[128] = "/etc/subuid and /etc/subgid";
	json_t *j;

	if (rundir_get(rt, sizeof(rt), err) < 0 || idmap_plan_make(&plan, false, err) < 0 ||
	    store_open(&s, cli_gopts(), err) < 0)
		return NULL;
	if (rootfs_driver_choose(&s, cli_gopts(), &plan, &drv, err) < 0) {
		store_close(&s);
		return NULL;
	}
	info_cgroups(cg, sizeof(cg));
	if (plan.subid_source[0])
		snprintf(src, sizeof(src), "'%s' (the subid source of /etc/nsswitch.conf)",
		         plan.subid_source);
	j = json_pack("{s:s, s:s, s:s, s:{s:s, s:s, s:s, s:s, s:s, s:s}, s:{s:s, s:s}, s:s}",
	              "store", s.root, "store_why", cli_gopts()->root_why, "runtime_dir", rt,
	              "user_namespace", "mode", plan.single ? "single-ID" : "subordinate ranges",
	              "ranges_from", src, "uid_map_helper", plan.single ? "" : plan.uid_helper,
	              "gid_map_helper", plan.single ? "" : plan.gid_helper, "helpers_by",
	              plan.single ? "" : plan.helper_kind, "why", plan.warning, "storage_driver",
	              "name", rootfs_driver_name(drv.driver), "why", drv.why, "cgroups", cg);
	store_close(&s);
	if (!j)
		werr_errno(err, ENOMEM, "info");
	return j;
}

int cmd_info(int argc, char **argv)
{
	struct info_args a = { 0 };
	struct werr err = { 0 };
	int ind = 1;
	json_t *j;

	if (opts_parse(info_opts, argc, argv, &ind, OPTS_INTERSPERSED, info_opt, &a, "info", &err) <
	        0 ||
	    (!a.help && ind != argc && werr_set(&err, EINVAL, "info takes no arguments") < 0)) {
		werr_print(&err, "warren");
		return cli_error_exit();
	}
	if (a.help) {
		cli_print_help(&cli_cmd_info);
		return 0;
	}
	if (!(j = info_collect(&err))) {
		werr_print(&err, "warren");
		return cli_error_exit();
	}
	if (a.format && !strcmp(a.format, "json")) {
		json_dumpf(j, stdout, JSON_INDENT(2));
		putchar('\n');
	} else if (a.format) {
		struct format fo;
		int r = format_begin(&fo, stdout, a.format, NULL, NULL, &err) < 0
		            ? -1
		            : format_object(&fo, j, &err);
		format_end(&fo);
		if (r < 0) {
			werr_print(&err, "warren");
			json_decref(j);
			return 1;
		}
	} else {
		json_t *u = json_object_get(j, "user_namespace");
		json_t *d = json_object_get(j, "storage_driver");
		printf("store:            %s\n", json_string_value(json_object_get(j, "store")));
		printf("                  %s\n",
		       json_string_value(json_object_get(j, "store_why")));
		printf("runtime dir:      %s\n",
		       json_string_value(json_object_get(j, "runtime_dir")));
		printf("user namespace:   %s", json_string_value(json_object_get(u, "mode")));
		if (*json_string_value(json_object_get(u, "uid_map_helper")))
			printf(" (helpers %s and %s, %s)",
			       json_string_value(json_object_get(u, "uid_map_helper")),
			       json_string_value(json_object_get(u, "gid_map_helper")),
			       json_string_value(json_object_get(u, "helpers_by")));
		printf("\n");
		printf("                  ranges from %s\n",
		       json_string_value(json_object_get(u, "ranges_from")));
		if (*json_string_value(json_object_get(u, "why")))
			printf("                  %s\n",
			       json_string_value(json_object_get(u, "why")));
		printf("storage driver:   %s\n", json_string_value(json_object_get(d, "name")));
		printf("                  %s\n", json_string_value(json_object_get(d, "why")));
		printf("cgroups:          %s\n", json_string_value(json_object_get(j, "cgroups")));
	}
	json_decref(j);
	return 0;
}
