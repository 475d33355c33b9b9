/* cmd_ps.c - `warren ps`: Docker's columns, filters and --format, from the
 * records alone (plus the liveness of each monitor). Reads, never changes,
 * except to record that a monitor died. */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "config.h"
#include "config_net.h"
#include "format.h"
#include "state.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

enum { P_ALL = 1, P_QUIET, P_LAST, P_LATEST, P_FILTER, P_FORMAT, P_NO_TRUNC };

#define PS_MAX_FILTERS 16

struct ps_cfg {
	bool all, quiet, no_trunc;
	long last;
	const char *format;
	const char *filters[PS_MAX_FILTERS];
	size_t n_filters;
};

static const struct opt_def ps_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Show all containers (default: running ones)", P_ALL },
	{ "quiet", 'q', OPT_FLAG, NULL, "Only show container IDs", P_QUIET },
	{ "last", 'n', OPT_VALUE, "N", "Show the N last created containers (all states)", P_LAST },
	{ "latest", 'l', OPT_FLAG, NULL, "Show the latest created container", P_LATEST },
	{ "filter", 'f', OPT_VALUE, "KEY=VALUE",
	  "status=, name=, label=KEY[=VALUE], id=", P_FILTER },
	{ "format", 0, OPT_VALUE, "FORMAT", "json, table or a Go template ({{.Names}})", P_FORMAT },
	{ "no-trunc", 0, OPT_FLAG, NULL, "Do not truncate output", P_NO_TRUNC },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

static const char *const filter_keys[] = { "status", "name", "label", "id" };
static const char *const statuses[] = { "created", "running",  "exited", "restarting",
	                                "paused",  "removing", "dead" };

static int ps_filter_check(const char *f, struct werr *err)
{
	const char *eq = strchr(f, '=');
	size_t kl = eq ? (size_t)(eq - f) : 0;

	for (size_t i = 0; eq && i < ARRAY_SIZE(filter_keys); i++)
		if (strlen(filter_keys[i]) == kl && !strncmp(f, filter_keys[i], kl)) {
			if (i > 0)
				return 0;
			for (size_t s = 0; s < ARRAY_SIZE(statuses); s++)
				if (!strcmp(eq + 1, statuses[s]))
					return 0;
			return werr_set(err, EINVAL,
			                "invalid filter \"%s\": status is one of created, running, "
			                "exited, restarting, paused, removing, dead",
			                f);
		}
	return werr_set(err, EINVAL,
	                "invalid filter \"%s\": use status=STATUS, name=NAME, label=KEY[=VALUE] "
	                "or id=ID",
	                f);
}

/* Docker's default columns and their headers */
#define PS_TABLE                                                                                   \
	"table {{.ID}}\t{{.Image}}\t{{.Command}}\t{{.RunningFor}}\t{{.Status}}\t{{.Ports}}\t"      \
	"{{.Names}}"
static const char *const ps_heads[] = {
	"ID",        "CONTAINER ID", "Image",  "IMAGE", "Command",  "COMMAND",  "RunningFor",
	"CREATED",   "Status",       "STATUS", "Ports", "PORTS",    "Names",    "NAMES",
	"CreatedAt", "CREATED AT",   "State",  "STATE", "Networks", "NETWORKS", "Mounts",
	"MOUNTS",    "Labels",       "LABELS", "Size",  "SIZE",     NULL
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
		if (c->n_filters == PS_MAX_FILTERS)
			return werr_set(err, E2BIG, "too many --filter options");
		if (ps_filter_check(v, err) < 0)
			return -err->code;
		c->filters[c->n_filters++] = v;
		return 0;
	}
	return 0;
}

/* Docker: filters of one key are OR-ed, different keys AND-ed */
static bool ps_match(const struct ps_cfg *c, const struct record *rec)
{
	for (size_t k = 0; k < ARRAY_SIZE(filter_keys); k++) {
		size_t kl = strlen(filter_keys[k]);
		bool seen = false, ok = false;
		for (size_t i = 0; i < c->n_filters; i++) {
			const char *f = c->filters[i], *v = f + kl + 1;
			if (strncmp(f, filter_keys[k], kl) || f[kl] != '=')
				continue;
			seen = true;
			if (k == 0)
				ok |= !strcmp(state_status(rec), v);
			else if (k == 1)
				ok |= strstr(record_name(rec), v) != NULL;
			else if (k == 3)
				ok |= !strncmp(rec->id, v, strlen(v));
			else {
				json_t *labels = json_object_get(
				    json_object_get(rec->config, "Config"), "Labels");
				const char *eq = strchr(v, '=');
				char key[256];
				json_t *lv;
				snprintf(key, sizeof(key), "%.*s",
				         (int)(eq ? eq - v : (long)strlen(v)), v);
				lv = json_object_get(labels, key);
				ok |= lv && (!eq || !strcmp(json_string_value(lv) ?: "", eq + 1));
			}
		}
		if (seen && !ok)
			return false;
	}
	return true;
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

static json_t *ps_row(const struct record *rec, bool no_trunc)
{
	char cmd[4200], status[128], created[64], ago[80], labels[4096] = "", ports[512] = "";
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
	json_object_foreach(lab, k, v)
	{
		size_t l = strlen(labels);
		snprintf(labels + l, sizeof(labels) - l, "%s%s=%s", l ? "," : "", k,
		         json_string_value(v));
	}
	ps_ports(rec, ports, sizeof(ports));
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	                 "Command", cmd, "CreatedAt", created, "ID", rec->id, "Image",
	                 config_get(rec->config, "Config.Image") ?: "", "Labels", labels, "Mounts",
	                 "", "Names", record_name(rec), "Networks",
	                 config_get(rec->config, "HostConfig.NetworkMode") ?: "none", "Ports",
	                 ports, "RunningFor", ago, "Size", "0B", "State", state_status(rec),
	                 "Status", status);
}

const struct cli_cmd cli_cmd_ps = { "ps", "[OPTIONS]", "List containers.", ps_opts, 0, 0 };

int cmd_ps(int argc, char **argv)
{
	struct ps_cfg c = { 0 };
	struct record *recs;
	size_t n, first = 0;
	struct werr err = { 0 };
	struct format fo;
	int ind, r = cli_parse(&cli_cmd_ps, argc, argv, &ind, ps_opt, &c);

	if (r >= 0)
		return r;
	if (record_list(cli_gopts(), &recs, &n, &err) < 0)
		return cli_error(&err);
	if (c.last > 0 && (size_t)c.last < n)
		first = n - (size_t)c.last;
	if (!c.quiet && format_begin(&fo, stdout, c.format, PS_TABLE, ps_heads, &err) < 0) {
		record_list_free(recs, n);
		return cli_error(&err);
	}
	/* newest first, as Docker lists them */
	for (size_t i = n; i-- > first && !err.code;) {
		struct record *rec = &recs[i];
		json_t *row;
		state_refresh(rec, &err);
		err.code = 0;
		if (!c.all && c.last <= 0 && strcmp(state_status(rec), "running") &&
		    strcmp(state_status(rec), "restarting") && strcmp(state_status(rec), "paused"))
			continue;
		if (!ps_match(&c, rec))
			continue;
		if (c.quiet) {
			printf("%.*s\n", c.no_trunc ? 64 : 12, rec->id);
			continue;
		}
		row = ps_row(rec, c.no_trunc);
		if (!c.no_trunc && !(c.format && !strcmp(c.format, "json")))
			json_object_set_new(row, "ID", json_sprintf("%.12s", rec->id));
		format_object(&fo, row, &err);
		json_decref(row);
	}
	if (!c.quiet)
		format_end(&fo);
	record_list_free(recs, n);
	return err.code ? cli_error(&err) : 0;
}
