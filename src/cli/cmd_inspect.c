/* cmd_inspect.c - `warren inspect` (Docker-shaped JSON: the record's config
 * with the live State) and `warren port`. Reads only. */
#include "cleanup.h"
#include "climage.h"
#include "cliutil.h"
#include "commands.h"
#include "config.h"
#include "config_net.h"
#include "format.h"
#include "health.h"
#include "state.h"
#include "util.h"
#include "network.h"
#include "volume.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { I_FORMAT = 1, I_TYPE, I_SIZE };

struct inspect_cfg {
	const char *format;
	const char *type;
};

static const struct opt_def inspect_opts[] = {
	{ "format", 'f', OPT_VALUE, "FORMAT", "A Go template ({{.State.Pid}}) or json", I_FORMAT },
	{ "type", 0, OPT_VALUE, "TYPE", "container, image, network or volume", I_TYPE },
	{ "size", 's', OPT_FLAG, NULL, "Accepted for Docker compatibility", I_SIZE },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements opt_cb for inspect */
static int inspect_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct inspect_cfg *c = ctx;

	if (def->id == I_FORMAT) {
		c->format = v;
		return format_check(v, err);
	}
	if (def->id == I_TYPE) {
		if (strcmp(v, "container") && strcmp(v, "image") && strcmp(v, "network") &&
		    strcmp(v, "volume"))
			return werr_set(
			    err, EINVAL,
			    "invalid --type \"%s\": use container, image, network or volume", v);
		c->type = v;
	}
	return 0;
}

static json_t *inspect_state(struct record *rec)
{
	const char *s = state_status(rec);
	pid_t pid = state_running_pid(rec);
	json_t *st = json_pack(
	    "{s:s, s:b, s:b, s:b, s:b, s:b, s:i, s:i, s:s, s:s, s:s}", "Status", s, "Running",
	    !strcmp(s, "running"), "Paused", !strcmp(s, "paused"), "Restarting",
	    !strcmp(s, "restarting"), "OOMKilled",
	    json_is_true(json_object_get(rec->state, "OOMKilled")), "Dead", 0, "Pid", (int)pid,
	    "ExitCode", (int)state_int(rec, "ExitCode"), "Error",
	    json_string_value(json_object_get(rec->state, "Error")) ?: "", "StartedAt",
	    json_string_value(json_object_get(rec->state, "StartedAt")) ?: "0001-01-01T00:00:00Z",
	    "FinishedAt",
	    json_string_value(json_object_get(rec->state, "FinishedAt")) ?: "0001-01-01T00:00:00Z");
	json_t *le = json_object_get(rec->state, "LogError");
	json_t *health = health_state(rec);

	if (le)
		json_object_set(st, "LogError", le);
	if (health)
		json_object_set_new(st, "Health", health);
	return st;
}

/* "base/a:base/b" from "a:b" relative to @base */
static json_t *inspect_lowerdir(const char *base, const char *rel)
{
	json_t *out = json_string("");

	for (const char *p = rel; p && *p;) {
		size_t l = strcspn(p, ":");
		json_t *more = json_sprintf("%s%s%s/%.*s", json_string_value(out),
		                            json_string_length(out) ? ":" : "", base, (int)l, p);
		json_decref(out);
		out = more;
		p += l + (p[l] == ':');
	}
	return out;
}

/* Driver and GraphDriver as Podman shows them: the storage driver and the
 * directories of the writable layer (what the image containers of cp, diff
 * and commit work on) */
static void inspect_driver(json_t *o, const struct record *rec)
{
	json_t *ov = json_object_get(json_object_get(rec->config, "Warren"), "Overlay");
	const char *rootfs = config_get(rec->config, "Warren.Rootfs") ?: "";
	const char *image = config_get(rec->config, "Image") ?: "";
	const char *name = "rootfs";
	json_t *data = json_object();

	if (ov) {
		name = json_is_true(json_object_get(ov, "Fuse")) ? "fuse-overlay" : "overlay";
		json_object_set_new(
		    data, "LowerDir",
		    inspect_lowerdir(config_get(ov, "LowerBase") ?: "", config_get(ov, "Lower")));
		json_object_set_new(data, "UpperDir", json_string(config_get(ov, "Upper") ?: ""));
		json_object_set_new(data, "WorkDir", json_string(config_get(ov, "Work") ?: ""));
		json_object_set_new(data, "MergedDir", json_string(rootfs));
	} else if (!strncmp(image, "sha256:", 7)) {
		name = "vfs"; /* a private copy of the image */
		json_object_set_new(data, "Dir", json_string(rootfs));
	}
	json_object_set_new(o, "Driver", json_string(name));
	json_object_set_new(o, "GraphDriver", json_pack("{s:s, s:o}", "Name", name, "Data", data));
}

/* the Docker-shaped object: config.json without warren's private part */
static json_t *inspect_object(struct record *rec)
{
	json_t *o = json_deep_copy(rec->config);
	char log[PATH_MAX + 16];
	json_t *pj = config_net_ports(rec, state_running_pid(rec) != 0);

	json_object_del(o, "Warren");
	json_object_set_new(o, "State", inspect_state(rec));
	json_object_set_new(o, "RestartCount", json_integer(state_int(rec, "RestartCount")));
	snprintf(log, sizeof(log), "%s/ctr.log", rec->dir);
	json_object_set_new(o, "LogPath", json_string(log));
	inspect_driver(o, rec);
	json_object_set_new(o, "Platform", json_string("linux"));
	json_object_set_new(o, "NetworkSettings",
	                    json_pack("{s:o, s:s, s:s, s:s, s:o}", "Ports", pj, "IPAddress", "",
	                              "Gateway", "", "MacAddress", "", "Networks",
	                              network_endpoints(cli_gopts(), rec->config, rec->id)));
	return o;
}

const struct cli_cmd cli_cmd_inspect = {
	"inspect",
	"[OPTIONS] NAME|ID [NAME|ID...]",
	"Low-level information on containers, images, networks and volumes.",
	inspect_opts,
	1,
	-1,
	OPTS_INTERSPERSED
};

int cmd_inspect(int argc, char **argv)
{
	struct inspect_cfg c = { 0 };
	struct format fo = { 0 };
	struct werr ferr = { 0 };
	json_t *all = json_array();
	int ind, rc = 0, r = cli_parse(&cli_cmd_inspect, argc, argv, &ind, inspect_opt, &c);

	if (r >= 0) {
		json_decref(all);
		return r;
	}
	if (c.format && format_begin(&fo, stdout, c.format, NULL, NULL, &ferr) < 0) {
		json_decref(all);
		return cli_error(&ferr);
	}
	for (int i = ind; i < argc; i++) {
		struct record rec;
		struct werr err = { 0 };
		json_t *o = NULL;
		if ((!c.type || !strcmp(c.type, "container")) &&
		    record_lookup(cli_gopts(), argv[i], &rec, &err) == 0) {
			state_refresh(&rec, &err);
			o = inspect_object(&rec);
			record_free(&rec);
		} else if ((!c.type || !strcmp(c.type, "image")) &&
		           (o = img_inspect(argv[i], &err))) {
			/* Docker's order: a container, an image, a network, a volume */
		} else if ((!c.type || !strcmp(c.type, "network")) &&
		           network_inspect(cli_gopts(), argv[i], &o, &err) == 0) {
		} else if ((!c.type || !strcmp(c.type, "volume")) &&
		           volume_inspect(cli_gopts(), argv[i], &o, &err) == 0) {
			json_object_del(o, "Anonymous");
		}
		if (!o) {
			werr_set(&err, ENOENT, "no such object: %s", argv[i]);
			rc = cli_error(&err);
			continue;
		}
		if (c.format && format_object(&fo, o, &ferr) < 0)
			rc = cli_error(&ferr);
		json_array_append_new(all, o);
	}
	if (c.format)
		format_end(&fo);
	if (!c.format && (json_array_size(all) || !rc)) {
		char *s;
		format_sort_maps(all);
		s = json_dumps(all, JSON_INDENT(4));
		puts(s ? s : "[]");
		free(s);
	}
	json_decref(all);
	return rc;
}

/* "0.0.0.0:8080", or "[::1]:8080" */
static void port_print_binding(const char *prefix, json_t *b)
{
	const char *ip = json_string_value(json_object_get(b, "HostIp")) ?: "";
	bool v6 = strchr(ip, ':') != NULL;

	printf("%s%s%s%s:%s\n", prefix, v6 ? "[" : "", ip, v6 ? "]" : "",
	       json_string_value(json_object_get(b, "HostPort")) ?: "");
}

/* Docker's lines: "80/tcp -> 0.0.0.0:8080" each, or for one PORT[/PROTO]
 * its host addresses */
static int port_print(const struct record *rec, const char *want, struct werr *err)
{
	json_t *ports = config_net_ports(rec, state_running_pid(rec) != 0), *arr, *b;
	char key[32], prefix[48];
	const char *k;
	size_t i;
	int r = 0;

	if (want) {
		snprintf(key, sizeof(key), "%s%s", want, strchr(want, '/') ? "" : "/tcp");
		arr = json_object_get(ports, key);
		if (json_array_size(arr) == 0)
			r = werr_set(err, ENOENT, "no public port '%s' published for %s", key,
			             record_name(rec));
		json_array_foreach(arr, i, b) port_print_binding("", b);
	} else {
		json_object_foreach(ports, k, arr)
		{
			snprintf(prefix, sizeof(prefix), "%s -> ", k);
			json_array_foreach(arr, i, b) port_print_binding(prefix, b);
		}
	}
	json_decref(ports);
	return r;
}

static const struct opt_def port_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

const struct cli_cmd cli_cmd_port = { "port",
	                              "CONTAINER [PRIVATE_PORT[/PROTO]]",
	                              "List port mappings, or the public address of one port.",
	                              port_opts,
	                              1,
	                              2,
	                              OPTS_INTERSPERSED };

int cmd_port(int argc, char **argv)
{
	struct record rec;
	struct werr err = { 0 };
	int ind, r = cli_parse(&cli_cmd_port, argc, argv, &ind, inspect_opt, NULL);

	if (r >= 0)
		return r;
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0)
		return cli_error(&err);
	state_refresh(&rec, &err);
	r = port_print(&rec, ind + 1 < argc ? argv[ind + 1] : NULL, &err);
	record_free(&rec);
	return r < 0 ? cli_error(&err) : 0;
}
