/* cmd_network.c - `warren network create|ls|inspect|rm|prune|connect|disconnect` with
 * Docker's output, filters and exit codes. The records live in the store
 * (src/container/network.c); a network a container is on is never removed. */
#include "cliutil.h"
#include "cmdtab.h"
#include "commands.h"
#include "filters.h"
#include "format.h"
#include "netconnect.h"
#include "network.h"
#include "prune.h"
#include "state.h"
#include "util.h"

#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum {
	N_QUIET = 1,
	N_FORMAT,
	N_FORCE,
	N_LABEL,
	N_DRIVER,
	N_FILTER,
	N_SUBNET,
	N_GATEWAY,
	N_INTERNAL,
	N_NO_TRUNC,
	N_ALIAS,
	N_IP,
};

struct network_cfg {
	bool quiet, force, no_trunc;
	const char *format;
	struct network_opts create;
	struct filters filters;
	struct werr filter_err; /* a refused --filter: exit 1, not a flag error's 125 */
	struct netconnect_opts connect;
};

static const char *const type_choices[] = { "custom", "builtin", NULL };
static const struct filter_key ls_keys[] = {
	{ "dangling", FILTER_BOOL, NULL },     { "driver", FILTER_TEXT, NULL },
	{ "id", FILTER_TEXT, NULL },           { "label", FILTER_LABEL, NULL },
	{ "name", FILTER_TEXT, NULL },         { "scope", FILTER_TEXT, NULL },
	{ "type", FILTER_ENUM, type_choices }, { NULL, 0, NULL },
};

/* implements opt_cb for the network verbs */
static int network_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct network_cfg *c = ctx;
	bool on = !strcmp(v, "true");

	switch (def->id) {
	case N_QUIET: c->quiet = on; return 0;
	case N_FORCE: c->force = on; return 0;
	case N_NO_TRUNC: c->no_trunc = on; return 0;
	case N_INTERNAL: c->create.internal = on; return 0;
	case N_IP: {
		unsigned char a4[4];
		if (inet_pton(AF_INET, v, a4) != 1)
			return werr_set(err, EINVAL, "invalid --ip \"%s\": use an IPv4 address", v);
		c->connect.ip = v;
		return 0;
	}
	case N_ALIAS: {
		size_t len = strlen(v);
		if (len == 0 || len > 253 ||
		    strspn(v,
		           "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.") !=
		        len ||
		    v[0] == '.' || v[0] == '-')
			return werr_set(err, EINVAL,
			                "invalid --alias \"%s\": use a host name (letters, digits, "
			                "'-', '_' and '.')",
			                v);
		return util_array_push(&c->connect.aliases, &c->connect.n_aliases, sizeof(char *),
		                       &v) < 0
		           ? werr_errno(err, ENOMEM, "--alias")
		           : 0;
	}
	case N_FORMAT: c->format = v; return format_check(v, err);
	case N_FILTER:
		if (!c->filter_err.code)
			filters_add(&c->filters, v, &c->filter_err);
		return 0;
	case N_DRIVER:
		if (strcmp(v, "bridge"))
			return werr_set(err, EINVAL,
			                "network driver \"%s\" is not supported: use bridge", v);
		return 0;
	case N_SUBNET:
		if (c->create.subnet)
			return werr_set(err, EINVAL,
			                "only one --subnet is supported (IPv4): give one");
		c->create.subnet = v;
		return 0;
	case N_GATEWAY:
		if (c->create.gateway)
			return werr_set(err, EINVAL, "only one --gateway is supported: give one");
		c->create.gateway = v;
		return 0;
	case N_LABEL: {
		const char *eq = strchr(v, '=');
		char key[256];
		if (eq == v || !*v)
			return werr_set(err, EINVAL, "invalid --label \"%s\": use KEY=VALUE", v);
		snprintf(key, sizeof(key), "%.*s", (int)(eq ? eq - v : (long)strlen(v)), v);
		json_object_set_new(c->create.labels, key, json_string(eq ? eq + 1 : ""));
		return 0;
	}
	}
	return 0;
}

static const struct opt_def create_opts[] = {
	{ "driver", 'd', OPT_VALUE, "DRIVER", "Only bridge", N_DRIVER },
	{ "subnet", 0, OPT_VALUE, "CIDR", "IPv4 subnet (default: the first free 10.89.N.0/24)",
	  N_SUBNET },
	{ "gateway", 0, OPT_VALUE, "IP", "Gateway address (default: the subnet's first)",
	  N_GATEWAY },
	{ "internal", 0, OPT_FLAG, NULL, "No way out of the network", N_INTERNAL },
	{ "label", 0, OPT_VALUE, "KEY=VALUE", "Set a label", N_LABEL },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def ls_opts[] = {
	{ "quiet", 'q', OPT_FLAG, NULL, "Only show IDs", N_QUIET },
	{ "format", 0, OPT_VALUE, "FORMAT", "json or a Go template", N_FORMAT },
	{ "no-trunc", 0, OPT_FLAG, NULL, "Do not truncate the IDs", N_NO_TRUNC },
	{ "filter", 'f', OPT_VALUE, "KEY=VALUE",
	  "dangling=BOOL, driver=bridge, id=ID, label=KEY[=VALUE], name=NAME, scope=local, "
	  "type=custom|builtin",
	  N_FILTER },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def inspect_opts[] = {
	{ "format", 'f', OPT_VALUE, "FORMAT", "json or a Go template", N_FORMAT },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def rm_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "No error for a network that does not exist", N_FORCE },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def connect_opts[] = {
	{ "alias", 0, OPT_VALUE, "NAME", "Another name of the container on the network", N_ALIAS },
	{ "ip", 0, OPT_VALUE, "IPv4", "The container's address on the network", N_IP },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def disconnect_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "Force the container off the network", N_FORCE },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};
static const struct opt_def prune_opts[] = {
	{ "force", 'f', OPT_FLAG, NULL, "Do not prompt for confirmation", N_FORCE },
	{ "filter", 0, OPT_VALUE, "KEY=VALUE", "until=TIME, label=KEY[=VALUE], label!=KEY[=VALUE]",
	  N_FILTER },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_network_create = {
	"network create", "[OPTIONS] NETWORK", "Create a network.", create_opts, 1, 1,
	OPTS_INTERSPERSED
};
const struct cli_cmd cli_cmd_network_ls = { "network ls",     "[OPTIONS]", "List networks.",
	                                    ls_opts,          0,           0,
	                                    OPTS_INTERSPERSED };
const struct cli_cmd cli_cmd_network_inspect = { "network inspect",
	                                         "[OPTIONS] NETWORK [NETWORK...]",
	                                         "Information on networks.",
	                                         inspect_opts,
	                                         1,
	                                         -1,
	                                         OPTS_INTERSPERSED };
const struct cli_cmd cli_cmd_network_rm = {
	"network rm",     "[OPTIONS] NETWORK [NETWORK...]", "Remove networks.", rm_opts, 1, -1,
	OPTS_INTERSPERSED
};
const struct cli_cmd cli_cmd_network_connect = { "network connect",
	                                         "[OPTIONS] NETWORK CONTAINER",
	                                         "Connect a container to a network.",
	                                         connect_opts,
	                                         2,
	                                         2,
	                                         OPTS_INTERSPERSED };
const struct cli_cmd cli_cmd_network_disconnect = { "network disconnect",
	                                            "[OPTIONS] NETWORK CONTAINER",
	                                            "Disconnect a container from a network.",
	                                            disconnect_opts,
	                                            2,
	                                            2,
	                                            OPTS_INTERSPERSED };
const struct cli_cmd cli_cmd_network_prune = {
	"network prune",  "[OPTIONS]", "Remove the networks no container is on.", prune_opts, 0, 0,
	OPTS_INTERSPERSED
};

/* Docker's network ls row: "Labels" as k=v,k=v */
static json_t *network_row(json_t *net, bool no_trunc)
{
	const char *id = json_string_value(json_object_get(net, "Id")) ?: "";
	json_t *labels = json_object_get(net, "Labels"), *v;
	const char *k;
	char *text = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&text, &len);
	bool first = true;
	json_t *row;

	json_object_foreach(labels, k, v)
	{
		if (m)
			fprintf(m, "%s%s=%s", first ? "" : ",", k, json_string_value(v) ?: "");
		first = false;
	}
	if (m)
		fclose(m);
	row = json_pack("{s:s%, s:O, s:O, s:O, s:s, s:s, s:O, s:s}", "ID", id,
	                no_trunc ? strlen(id) : strnlen(id, 12), "Name",
	                json_object_get(net, "Name"), "Driver", json_object_get(net, "Driver"),
	                "Scope", json_object_get(net, "Scope"), "IPv6", "false", "Internal",
	                json_is_true(json_object_get(net, "Internal")) ? "true" : "false",
	                "CreatedAt", json_object_get(net, "Created"), "Labels", text ? text : "");
	free(text);
	return row;
}

/* Docker's network ls filters: name and id match a part, the rest whole */
static bool network_match(const struct filters *f, json_t *net)
{
	static const char *const keys[] = { "name", "id", "driver", "scope", "type", "dangling" };
	const char *name = json_string_value(json_object_get(net, "Name")) ?: "";
	const char *id = json_string_value(json_object_get(net, "Id")) ?: "";
	char user[160];

	if (!filters_labels_p(f, json_object_get(net, "Labels")))
		return false;
	for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++) {
		const struct filter *fl;
		size_t i = 0;
		bool seen = false, ok = false;
		while ((fl = filters_next(f, keys[k], &i))) {
			seen = true;
			if (k == 0)
				ok |= strstr(name, fl->value) != NULL;
			else if (k == 1)
				ok |= strstr(id, fl->value) != NULL;
			else if (k == 2)
				ok |= !strcmp(fl->value, "bridge");
			else if (k == 3)
				ok |= !strcmp(fl->value, "local");
			else if (k == 4)
				ok |= !strcmp(fl->value, "custom");
			else
				ok |= (fl->num != 0) ==
				      !network_in_use(cli_gopts(), name, user, sizeof(user));
		}
		if (seen && !ok)
			return false;
	}
	return true;
}

static int network_ls(int argc, char **argv, struct network_cfg *c)
{
	static const char *const heads[] = { "ID",     "NETWORK ID", "Name",  "NAME", "Driver",
		                             "DRIVER", "Scope",      "SCOPE", NULL };
	struct werr err = { 0 };
	struct format fo;
	json_t *all, *net;
	size_t i;
	int ind, r;

	c->filters = (struct filters){ .cmd = "network ls", .keys = ls_keys };
	r = cli_parse(&cli_cmd_network_ls, argc, argv, &ind, network_opt, c);
	if (r < 0 && c->filter_err.code)
		r = cli_fail(&c->filter_err);
	if (r >= 0)
		return r;
	if (network_list(cli_gopts(), &all, &err) < 0)
		return cli_error(&err);
	if (!c->quiet &&
	    format_begin(&fo, stdout, c->format,
	                 "table {{.ID}}\t{{.Name}}\t{{.Driver}}\t{{.Scope}}", heads, &err) < 0) {
		json_decref(all);
		return cli_error(&err);
	}
	json_array_foreach(all, i, net)
	{
		json_t *row;
		if (!network_match(&c->filters, net))
			continue;
		row = network_row(net, c->no_trunc);
		if (c->quiet)
			printf("%s\n", json_string_value(json_object_get(row, "ID")));
		else if (format_object(&fo, row, &err) < 0)
			i = json_array_size(all);
		json_decref(row);
	}
	if (!c->quiet)
		format_end(&fo);
	json_decref(all);
	return err.code ? cli_error(&err) : 0;
}

static int network_inspect_one(const char *ref, const char *format, json_t *found)
{
	struct werr err = { 0 };
	json_t *net;

	if (network_inspect(cli_gopts(), ref, &net, &err) < 0)
		return cli_error(&err);
	if (format) {
		struct format fo;
		int r = 0;
		if (format_begin(&fo, stdout, format, NULL, NULL, &err) < 0 ||
		    format_object(&fo, net, &err) < 0)
			r = cli_error(&err);
		format_end(&fo);
		json_decref(net);
		return r;
	}
	json_array_append_new(found, net);
	return 0;
}

static int network_inspect_cmd(int argc, char **argv, const char *format)
{
	json_t *found = json_array();
	int rc = 0;

	for (int i = 0; i < argc; i++)
		if (network_inspect_one(argv[i], format, found))
			rc = cli_error_exit();
	if (!format) {
		/* Docker prints what it found, as one array, even when some failed */
		char *s;
		format_sort_maps(found);
		s = json_dumps(found, JSON_INDENT(4));
		if (json_array_size(found) || !rc)
			printf("%s\n", s ? s : "[]");
		free(s);
	}
	json_decref(found);
	return rc;
}

static int network_rm_cmd(int argc, char **argv, bool force)
{
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		struct werr err = { 0 };
		char name[256];
		if (network_remove(cli_gopts(), argv[i], name, &err) == 0)
			printf("%s\n", argv[i]);
		else if (!(force && err.code == ENOENT))
			rc = cli_error(&err);
	}
	return rc;
}

#define NETWORK_PRUNE_WARNING                                                                      \
	"WARNING! This will remove all custom networks not used by at least one container.\n"      \
	"Are you sure you want to continue?"

void prune_networks(const struct filters *f)
{
	struct werr err = { 0 };
	bool header = false;
	json_t *all, *net;
	size_t i;

	if (network_list(cli_gopts(), &all, &err) < 0)
		return;
	json_array_foreach(all, i, net)
	{
		const char *name = json_string_value(json_object_get(net, "Name"));
		const char *created = json_string_value(json_object_get(net, "Created"));
		char user[160], gone[256];
		struct werr ignored;
		if (!name || !filters_labels_p(f, json_object_get(net, "Labels")) ||
		    !filters_until_p(f, state_time_ns(created ?: "") / 1000000000) ||
		    network_in_use(cli_gopts(), name, user, sizeof(user)) ||
		    network_remove(cli_gopts(), name, gone, &ignored) < 0)
			continue;
		if (!header)
			printf("Deleted Networks:\n");
		header = true;
		printf("%s\n", name);
	}
	if (header)
		printf("\n");
	json_decref(all);
}

static int network_prune_cmd(int argc, char **argv, struct network_cfg *c)
{
	int ind, r;

	c->filters = (struct filters){ .cmd = "network prune", .keys = prune_keys };
	r = cli_parse(&cli_cmd_network_prune, argc, argv, &ind, network_opt, c);
	if (r < 0 && c->filter_err.code)
		r = cli_fail(&c->filter_err);
	if (r >= 0)
		return r;
	if (!c->force && !cli_confirm(NETWORK_PRUNE_WARNING))
		return 0; /* Docker: a no cancels, exit 0 */
	prune_networks(&c->filters);
	return 0;
}

/* `warren network --help`: the subcommands with their summaries */
static int network_usage(FILE *f, int rc)
{
	static const struct cli_cmd *const subs[] = {
		&cli_cmd_network_connect, &cli_cmd_network_create, &cli_cmd_network_disconnect,
		&cli_cmd_network_inspect, &cli_cmd_network_ls,     &cli_cmd_network_prune,
		&cli_cmd_network_rm,
	};

	fprintf(f, "Usage: warren network COMMAND\n\nManage networks.\n\nCommands:\n");
	for (size_t i = 0; i < sizeof(subs) / sizeof(subs[0]); i++)
		fprintf(f, "  %-10s %s\n", subs[i]->name + strlen("network "), subs[i]->summary);
	fprintf(f, "\nRun 'warren network COMMAND --help' for more information on a command.\n");
	return rc;
}

static int network_dispatch(int argc, char **argv, struct network_cfg *c)
{
	const char *verb = argv[0];
	const struct cli_cmd *cmd = NULL;
	struct werr err = { 0 };
	char id[NETWORK_ID_LEN + 1];
	int ind, r;

	if (!strcmp(verb, "ls") || !strcmp(verb, "list"))
		return network_ls(argc, argv, c);
	if (!strcmp(verb, "prune"))
		return network_prune_cmd(argc, argv, c);
	if (!strcmp(verb, "create"))
		cmd = &cli_cmd_network_create;
	else if (!strcmp(verb, "inspect"))
		cmd = &cli_cmd_network_inspect;
	else if (!strcmp(verb, "rm") || !strcmp(verb, "remove"))
		cmd = &cli_cmd_network_rm;
	else if (!strcmp(verb, "connect"))
		cmd = &cli_cmd_network_connect;
	else if (!strcmp(verb, "disconnect"))
		cmd = &cli_cmd_network_disconnect;
	if (!cmd) {
		fprintf(stderr,
		        "warren: unknown command \"network %s\" (see 'warren network --help')\n",
		        verb);
		return cli_error_exit();
	}
	r = cli_parse(cmd, argc, argv, &ind, network_opt, c);
	if (r >= 0)
		return r;
	if (cmd == &cli_cmd_network_inspect)
		return network_inspect_cmd(argc - ind, argv + ind, c->format);
	if (cmd == &cli_cmd_network_rm)
		return network_rm_cmd(argc - ind, argv + ind, c->force);
	if (cmd == &cli_cmd_network_connect || cmd == &cli_cmd_network_disconnect) {
		r = cmd == &cli_cmd_network_connect
		        ? netconnect_connect(cli_gopts(), argv[ind], argv[ind + 1], &c->connect,
		                             &err)
		        : netconnect_disconnect(cli_gopts(), argv[ind], argv[ind + 1], &err);
		return r < 0 ? cli_error(&err) : 0;
	}
	c->create.name = argv[ind];
	if (network_create(cli_gopts(), &c->create, id, &err) < 0)
		return cli_error(&err);
	printf("%s\n", id);
	return 0;
}

int cmd_network(int argc, char **argv)
{
	struct network_cfg c = { .create.labels = json_object() };
	int r;

	if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))
		r = network_usage(argc < 2 ? stderr : stdout, argc < 2 ? cli_error_exit() : 0);
	else
		r = network_dispatch(argc - 1, argv + 1, &c);
	json_decref(c.create.labels);
	filters_free(&c.filters);
	free(c.connect.aliases);
	return r;
}
