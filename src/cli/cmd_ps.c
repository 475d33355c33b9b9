/* cmd_ps.c - `warren ps`: Docker's columns, filters and --format, from the
 * records alone (plus the liveness of each monitor). Reads, never changes,
 * except to record that a monitor died. */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "ctrcgroup.h"
#include "config.h"
#include "config_net.h"
#include "filters.h"
#include "health.h"
#include "format.h"
#include "state.h"
#include "store.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { P_ALL = 1, P_QUIET, P_LAST, P_LATEST, P_FILTER, P_FORMAT, P_NO_TRUNC };

struct ps_cfg {
	bool all, quiet, no_trunc;
	long last;
	const char *format;
	struct filters filters;
	struct werr filter_err; /* a refused --filter: exit 1, not a flag error's 125 */
	json_t *images;         /* the store's image records, for ancestor= */
};

static const struct opt_def ps_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Show all containers (default: running ones)", P_ALL },
	{ "quiet", 'q', OPT_FLAG, NULL, "Only show container IDs", P_QUIET },
	{ "last", 'n', OPT_VALUE, "N", "Show the N last created containers (all states)", P_LAST },
	{ "latest", 'l', OPT_FLAG, NULL, "Show the latest created container", P_LATEST },
	{ "filter", 'f', OPT_VALUE, "KEY=VALUE",
	  "id, name, label, status, exited, ancestor, network, volume, health, before, since",
	  P_FILTER },
	{ "format", 0, OPT_VALUE, "FORMAT", "json, table or a Go template ({{.Names}})", P_FORMAT },
	{ "no-trunc", 0, OPT_FLAG, NULL, "Do not truncate output", P_NO_TRUNC },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

static const char *const statuses[] = { "created", "running",  "exited", "restarting",
	                                "paused",  "removing", "dead",   NULL };
static const char *const healths[] = { "starting", "healthy", "unhealthy", "none", NULL };
static const struct filter_key ps_keys[] = {
	{ "id", FILTER_TEXT, NULL },        { "name", FILTER_REGEX, NULL },
	{ "label", FILTER_LABEL, NULL },    { "status", FILTER_ENUM, statuses },
	{ "exited", FILTER_INT, NULL },     { "ancestor", FILTER_TEXT, NULL },
	{ "network", FILTER_TEXT, NULL },   { "volume", FILTER_TEXT, NULL },
	{ "health", FILTER_ENUM, healths }, { "before", FILTER_TEXT, NULL },
	{ "since", FILTER_TEXT, NULL },     { NULL, 0, NULL },
};

/* Docker's default columns and their headers */
#define PS_TABLE                                                                                   \
	"table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t"      \
	"{{.Names}}"
static const char *const ps_heads[] = {
	"ID",         "CONTAINER ID", "Image",        "IMAGE",         "Command", "COMMAND",
	"RunningFor", "CREATED",      "Status",       "STATUS",        "Ports",   "PORTS",
	"Names",      "NAMES",        "CreatedAt",    "CREATED AT",    "State",   "STATE",
	"Networks",   "NETWORKS",     "Mounts",       "MOUNTS",        "Labels",  "LABELS",
	"Size",       "SIZE",         "LocalVolumes", "LOCAL VOLUMES", NULL
};

/* implements opt_cb for ps */
static int ps_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct ps_cfg *c = ctx;
	bool on = !strcmp(v, "true");

	switch (def->id) {
	case P_ALL: c->all = on; return 0;
	case P_QUIET: c->quiet = on; return 0;
	case P_NO_TRUNC: c->no_trunc = on; return 0;
	case P_LATEST: c->last = on ? 1 : c->last; return 0;
	case P_LAST: return cli_parse_int(v, -1, 1000000, &c->last, "--last", err);
	case P_FORMAT: c->format = v; return format_check(v, err);
	case P_FILTER:
		/* kept for after the flags, so it can exit 1 as Docker's does */
		if (!c->filter_err.code)
			filters_add(&c->filters, v, &c->filter_err);
		return 0;
	}
	return 0;
}

/* whether image @id is @anc or was built on it (its parents in the store) */
static bool ps_descends_p(json_t *images, const char *id, const char *anc)
{
	for (unsigned hops = 0; id && hops < 4096; hops++) {
		json_t *rec, *found = NULL;
		size_t i;
		if (!strcmp(id, anc))
			return true;
		json_array_foreach(images, i, rec)
		{
			if (!strcmp(json_string_value(json_object_get(rec, "id")) ?: "", id)) {
				found = rec;
				break;
			}
		}
		id = found ? json_string_value(json_object_get(found, "parent")) : NULL;
	}
	return false;
}

/* ancestor=IMAGE: the container's image is IMAGE or built on it; an image
 * the store does not hold matches nothing, as in Docker */
static bool ps_ancestor_p(const struct ps_cfg *c, const struct record *rec)
{
	const char *img = json_string_value(json_object_get(rec->config, "Image"));
	const struct filter *fl;
	size_t i = 0;
	bool seen = false;

	while ((fl = filters_next(&c->filters, "ancestor", &i))) {
		struct werr ignored;
		json_t *anc = store_image_find(c->images, fl->value, &ignored);
		seen = true;
		if (anc && img &&
		    ps_descends_p(c->images, img, json_string_value(json_object_get(anc, "id"))))
			return true;
	}
	return !seen;
}

/* volume=NAME or a mount point in the container */
static bool ps_volume_match(const struct record *rec, const char *v)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(rec->config, "Mounts"), i, m)
	{
		const char *name = json_string_value(json_object_get(m, "Name"));
		const char *dst = json_string_value(json_object_get(m, "Destination"));
		if ((name && !strcmp(name, v)) || (dst && !strcmp(dst, v)))
			return true;
	}
	return false;
}

/* one filter of @key matches (the key's rule by name); true when none is given */
static bool ps_key_p(const struct ps_cfg *c, const struct record *rec, const char *key)
{
	const struct filter *fl;
	size_t i = 0;
	bool seen = false;
	const char *status = state_status(rec);

	while ((fl = filters_next(&c->filters, key, &i))) {
		const char *v = fl->value;
		seen = true;
		if ((!strcmp(key, "id") && !strncmp(rec->id, v, strlen(v))) ||
		    (!strcmp(key, "status") && !strcmp(status, v)) ||
		    (!strcmp(key, "exited") && !state_running_pid(rec) &&
		     !strcmp(status, "exited") && state_int(rec, "ExitCode") == fl->num) ||
		    (!strcmp(key, "network") &&
		     !strcmp(config_get(rec->config, "HostConfig.NetworkMode") ?: "none", v)) ||
		    (!strcmp(key, "volume") && ps_volume_match(rec, v)) ||
		    (!strcmp(key, "health") && !strcmp(health_status(rec), v)))
			return true;
	}
	return !seen;
}

/* the index in @recs (oldest first) of the container before=/since= names;
 * Return: 0, or -ENOENT with @err set */
static int ps_find(struct record *recs, size_t n, const char *ref, size_t *at, struct werr *err)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(record_name(&recs[i]), ref) ||
		    (strlen(ref) >= 3 && !strncmp(recs[i].id, ref, strlen(ref)))) {
			*at = i;
			return 0;
		}
	return werr_set(err, ENOENT, "no such container: %s (see warren ps -a)", ref);
}

/* Docker: filters of one key are OR-ed, different keys AND-ed, labels all
 * required; @i is the container's place in @recs */
static bool ps_match(const struct ps_cfg *c, const struct record *rec, size_t i,
                     const size_t range[2])
{
	static const char *const keys[] = {
		"id", "status", "exited", "network", "volume", "health"
	};
	char slashed[300];

	if (i < range[0] || i >= range[1])
		return false;
	snprintf(slashed, sizeof(slashed), "/%s", record_name(rec));
	if (!filters_regex_p(&c->filters, "name", record_name(rec)) &&
	    !filters_regex_p(&c->filters, "name", slashed))
		return false;
	if (!filters_labels_p(&c->filters,
	                      json_object_get(json_object_get(rec->config, "Config"), "Labels")))
		return false;
	for (size_t k = 0; k < ARRAY_SIZE(keys); k++)
		if (!ps_key_p(c, rec, keys[k]))
			return false;
	return ps_ancestor_p(c, rec);
}

static void ps_command(const struct record *rec, bool no_trunc, char *buf, size_t size)
{
	json_t *cmd = json_object_get(json_object_get(rec->config, "Config"), "Cmd"), *a;
	char full[4096] = "";
	size_t i, len = 0;

	json_array_foreach(cmd, i, a)
	{
		int n = snprintf(full + len, sizeof(full) - len, "%s%s", i ? " " : "",
		                 json_string_value(a));
		if (n < 0 || (size_t)n >= sizeof(full) - len)
			break;
		len += (size_t)n;
	}
	if (!no_trunc && strlen(full) > 20)
		snprintf(buf, size, "\"%.19s…\"", full);
	else
		snprintf(buf, size, "\"%s\"", full);
}

static void ps_append(char *buf, size_t size, size_t *len, const char *item)
{
	if (*len < size)
		*len += (size_t)snprintf(buf + *len, size - *len, "%s%s", *len ? ", " : "", item);
}

/* Docker's PORTS: "0.0.0.0:8080->80/tcp, 443/tcp" (published while running,
 * and the exposed ones) */
static void ps_ports(const struct record *rec, char *buf, size_t size)
{
	json_t *ports = config_net_ports(rec, state_running_pid(rec) != 0), *arr, *b;
	const char *key;
	size_t len = 0, i;
	char one[160];

	buf[0] = '\0';
	json_object_foreach(ports, key, arr)
	{
		if (!json_is_array(arr))
			ps_append(buf, size, &len, key);
		json_array_foreach(arr, i, b)
		{
			const char *ip = json_string_value(json_object_get(b, "HostIp")) ?: "";
			bool v6 = strchr(ip, ':') != NULL;
			snprintf(one, sizeof(one), "%s%s%s:%s->%s", v6 ? "[" : "", ip,
			         v6 ? "]" : "",
			         json_string_value(json_object_get(b, "HostPort")) ?: "", key);
			ps_append(buf, size, &len, one);
		}
	}
	json_decref(ports);
}

/* Docker's .Mounts: each mount's volume name or source, 15 characters unless
 * --no-trunc; @nvol: how many are volumes (.LocalVolumes) */
static void ps_mounts(const struct record *rec, bool no_trunc, char *buf, size_t size, size_t *nvol)
{
	size_t i, len = 0;
	json_t *m;

	json_array_foreach(json_object_get(rec->config, "Mounts"), i, m)
	{
		const char *name = json_string_value(json_object_get(m, "Name"));
		const char *src = json_string_value(json_object_get(m, "Source"));
		char one[300];
		if (name && *name)
			(*nvol)++;
		else
			name = src;
		if (!name)
			continue;
		if (!no_trunc && strlen(name) > 15)
			snprintf(one, sizeof(one), "%.14s…", name);
		else
			snprintf(one, sizeof(one), "%s", name);
		if (len < size)
			len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? "," : "", one);
	}
}

static json_t *ps_row(const struct record *rec, bool no_trunc)
{
	char cmd[4200], status[128], created[64], ago[80], labels[4096] = "", ports[512] = "",
	                                                   mounts[1024] = "", local[24];
	size_t nvol = 0;
	json_t *lab = json_object_get(json_object_get(rec->config, "Config"), "Labels"), *v;
	const char *k;
	int64_t ns = state_time_ns(json_string_value(json_object_get(rec->config, "Created")));
	time_t t = (time_t)(ns / 1000000000LL);
	struct tm tm;
	char now[40];

	ps_command(rec, no_trunc, cmd, sizeof(cmd));
	state_status_text(rec, status, sizeof(status));
	gmtime_r(&t, &tm);
	strftime(created, sizeof(created), "%Y-%m-%d %H:%M:%S +0000 UTC", &tm);
	state_now(now);
	state_human_duration((state_time_ns(now) - ns) / 1000000000LL, ago, sizeof(ago));
	strcat(ago, " ago");
	format_sort_maps(json_object_get(rec->config, "Config")); /* labels in key order */
	json_object_foreach(lab, k, v)
	{
		size_t l = strlen(labels);
		snprintf(labels + l, sizeof(labels) - l, "%s%s=%s", l ? "," : "", k,
		         json_string_value(v));
	}
	ps_ports(rec, ports, sizeof(ports));
	ps_mounts(rec, no_trunc, mounts, sizeof(mounts), &nvol);
	snprintf(local, sizeof(local), "%zu", nvol);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	                 "Command", cmd, "CreatedAt", created, "ID", rec->id, "Image",
	                 config_get(rec->config, "Config.Image") ?: "", "Labels", labels,
	                 "LocalVolumes", local, "Mounts", mounts, "Names", record_name(rec),
	                 "Networks", config_get(rec->config, "HostConfig.NetworkMode") ?: "none",
	                 "Ports", ports, "RunningFor", ago, "Size", "0B", "State",
	                 state_status(rec), "Status", status);
}

/* before=/since= as the range of @recs (oldest first) to show; ancestor=
 * loads the store's images. Return: 0, or a negative errno with @err set */
static int ps_prepare(struct ps_cfg *c, struct record *recs, size_t n, size_t range[2],
                      struct werr *err)
{
	const struct filter *fl;
	size_t i = 0, at = 0;
	struct store s = { .rootfd = -1, .lockfd = -1 };
	int r = 0;

	range[0] = 0;
	range[1] = n;
	while ((fl = filters_next(&c->filters, "since", &i))) {
		if (ps_find(recs, n, fl->value, &at, err) < 0)
			return -ENOENT;
		range[0] = at + 1 > range[0] ? at + 1 : range[0];
	}
	for (i = 0; (fl = filters_next(&c->filters, "before", &i));) {
		if (ps_find(recs, n, fl->value, &at, err) < 0)
			return -ENOENT;
		range[1] = at < range[1] ? at : range[1];
	}
	if (filters_has(&c->filters, "ancestor")) {
		r = store_open(&s, cli_gopts(), err);
		if (r == 0)
			r = store_images_load(&s, &c->images, err);
		store_close(&s);
	}
	return r;
}

static void ps_print(struct ps_cfg *c, struct record *recs, size_t n, const size_t range[2],
                     struct format *fo, struct werr *err)
{
	size_t first = c->last > 0 && (size_t)c->last < n ? n - (size_t)c->last : 0;
	/* Docker: status=, before= and since= look at stopped containers too */
	bool all = c->all || c->last > 0 || filters_has(&c->filters, "status") ||
	           filters_has(&c->filters, "before") || filters_has(&c->filters, "since");
	/* newest first, as Docker lists them */
	for (size_t i = n; i-- > first && !err->code;) {
		struct record *rec = &recs[i];
		json_t *row;
		state_refresh(rec, err);
		err->code = 0;
		if (!all && strcmp(state_status(rec), "running") &&
		    strcmp(state_status(rec), "restarting") && strcmp(state_status(rec), "paused"))
			continue;
		if (!ps_match(c, rec, i, range))
			continue;
		if (c->quiet) {
			printf("%.*s\n", c->no_trunc ? 64 : 12, rec->id);
			continue;
		}
		row = ps_row(rec, c->no_trunc);
		if (!c->no_trunc && !(c->format && !strcmp(c->format, "json")))
			json_object_set_new(row, "ID", json_sprintf("%.12s", rec->id));
		format_object(fo, row, err);
		json_decref(row);
	}
}

const struct cli_cmd cli_cmd_ps = { "ps", "[OPTIONS]", "List containers.", ps_opts,
	                            0,    0,           OPTS_INTERSPERSED };

int cmd_ps(int argc, char **argv)
{
	struct ps_cfg c = { .filters = { .cmd = "ps", .keys = ps_keys } };
	struct record *recs = NULL;
	size_t n = 0, range[2];
	struct werr err = { 0 };
	struct format fo;
	int ind, r = cli_parse(&cli_cmd_ps, argc, argv, &ind, ps_opt, &c);

	if (r < 0 && c.filter_err.code)
		r = cli_fail(&c.filter_err);
	/* the cgroups a killed warren left (nothing to do without delegation) */
	if (r < 0)
		ctrcgroup_gc();
	if (r < 0 && record_list(cli_gopts(), &recs, &n, &err) < 0)
		r = cli_error(&err);
	/* a filter naming what does not exist is the user's error: 1 */
	if (r < 0 && ps_prepare(&c, recs, n, range, &err) < 0)
		r = err.code == ENOENT ? cli_fail(&err) : cli_error(&err);
	if (r < 0 && !c.quiet && format_begin(&fo, stdout, c.format, PS_TABLE, ps_heads, &err) < 0)
		r = cli_error(&err);
	if (r < 0) {
		ps_print(&c, recs, n, range, &fo, &err);
		if (!c.quiet)
			format_end(&fo);
		r = err.code ? cli_error(&err) : 0;
	}
	if (recs)
		record_list_free(recs, n);
	json_decref(c.images);
	filters_free(&c.filters);
	return r;
}
