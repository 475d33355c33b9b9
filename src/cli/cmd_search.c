/* cmd_search.c - `warren search REGISTRY/TERM` as podman searches a v2
 * registry: the repositories of /v2/_catalog whose name holds TERM, or with
 * --list-tags the tags of one repository. Part of warren-transfer (it
 * needs the registry client). */
#include "cliutil.h"
#include "commands.h"
#include "format.h"
#include "registry.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { SE_LIMIT = 1, SE_FORMAT, SE_NO_TRUNC, SE_LIST_TAGS, SE_TLS_VERIFY };

static const struct opt_def search_opts[] = {
	{ "limit", 0, OPT_VALUE, "N", "At most N results (default 25)", SE_LIMIT },
	{ "format", 0, OPT_VALUE, "FORMAT", "json or a Go template ({{.Name}}, {{.Tag}})",
	  SE_FORMAT },
	{ "no-trunc", 0, OPT_FLAG, NULL, "Do not truncate descriptions", SE_NO_TRUNC },
	{ "list-tags", 0, OPT_FLAG, NULL, "List the tags of REGISTRY/REPOSITORY", SE_LIST_TAGS },
	{ "tls-verify", 0, OPT_FLAG, NULL, "Verify TLS (false also allows plain http)",
	  SE_TLS_VERIFY },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_search = {
	"search",
	"[OPTIONS] REGISTRY/TERM",
	"Search a registry's repositories (its /v2/_catalog) for TERM.",
	search_opts,
	1,
	1,
	OPTS_INTERSPERSED
};

struct search_cfg {
	long limit;
	const char *format;
	bool no_trunc, list_tags, tls_verify;
};

/* implements opt_cb for search */
static int search_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct search_cfg *c = ctx;
	bool on = !strcmp(v, "true");

	switch (def->id) {
	case SE_LIMIT: return cli_parse_int(v, 1, 100000, &c->limit, "--limit", err);
	case SE_FORMAT: c->format = v; return format_check(v, err);
	case SE_NO_TRUNC: c->no_trunc = on; return 0;
	case SE_LIST_TAGS: c->list_tags = on; return 0;
	case SE_TLS_VERIFY: c->tls_verify = on; return 0;
	}
	return 0;
}

/* GET @url (absolute) and parse its JSON body into *@out */
static int search_get(struct registry *r, const char *url, const char *what, json_t **out,
                      struct werr *err)
{
	struct http_resp resp = { 0 };
	int rc = registry_request(r, "GET", url, NULL, NULL, 0, -1, &resp, err);

	if (rc == 0 && resp.status != 200)
		rc = registry_status_error(r, &resp, what, err);
	if (rc == 0 && !(*out = json_loadb(resp.body, resp.len, 0, NULL)))
		rc = werr_set(err, EPROTO, "%s: the registry %s sent no JSON", what, r->domain);
	http_resp_free(&resp);
	return rc;
}

/* one result row, podman's fields */
static int search_row(struct format *fo, const char *index, const char *name, const char *tag,
                      struct werr *err)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:i, s:s, s:s, s:s}", "Index", index, "Name", name,
	              "Description", "", "Stars", 0, "Official", "", "Automated", "", "Tag", tag);
	int r = o ? format_object(fo, o, err) : werr_set(err, ENOMEM, "out of memory");

	json_decref(o);
	return r;
}

static int search_run(struct search_cfg *c, const char *arg, json_t *rows, struct werr *err)
{
	static const char *const heads[] = { "Name", "NAME", "Description", "DESCRIPTION",
		                             "Tag",  "TAG",  NULL };
	struct image_ref ref = { 0 };
	struct registry reg;
	struct format fo;
	char url[REF_DOMAIN_MAX + REF_PATH_MAX + 64], name[REF_DOMAIN_MAX + REF_PATH_MAX + 2];
	const char *slash = strchr(arg, '/');
	json_t *body = NULL, *list, *v;
	size_t i;
	int r;

	if (!slash || slash == arg ||
	    (!strchr(arg, '.') && !strchr(arg, ':') && strncmp(arg, "localhost/", 10)))
		return werr_set(err, EINVAL,
		                "search needs a registry: warren search REGISTRY/TERM (such as "
		                "127.0.0.1:5000/busybox); there is no default registry to search");
	snprintf(ref.domain, sizeof(ref.domain), "%.*s", (int)(slash - arg), arg);
	snprintf(ref.path, sizeof(ref.path), "%s", slash + 1);
	snprintf(ref.tag, sizeof(ref.tag), "latest");
	r = registry_open(&reg, &ref, c->tls_verify, false, NULL, NULL, err);
	if (r < 0) {
		registry_close(&reg); /* what a failed open holds, as login does */
		return r;
	}
	if (c->list_tags) {
		snprintf(url, sizeof(url), "%s/v2/%s/tags/list", reg.base, ref.path);
		snprintf(name, sizeof(name), "repository %s", ref.path);
		r = search_get(&reg, url, name, &body, err);
		list = json_object_get(body, "tags");
	} else {
		snprintf(url, sizeof(url), "%s/v2/_catalog", reg.base);
		r = search_get(&reg, url, "the catalog (/v2/_catalog)", &body, err);
		list = json_object_get(body, "repositories");
	}
	registry_close(&reg);
	/* podman's: the matches, and nothing at all (no header) for none */
	json_array_foreach(list, i, v)
	{
		const char *s = json_string_value(v);
		if (r < 0 || !s || json_array_size(rows) >= (size_t)c->limit ||
		    (!c->list_tags && !strstr(s, ref.path)))
			continue;
		json_array_append_new(rows, json_string(s));
	}
	json_decref(body);
	if (r < 0 || !json_array_size(rows))
		return r;
	r = format_begin(&fo, stdout, c->format,
	                 c->list_tags ? "table {{.Name}}\t{{.Tag}}"
	                              : "table {{.Name}}\t{{.Description}}",
	                 heads, err);
	if (r < 0)
		return r;
	json_array_foreach(rows, i, v)
	{
		if (c->list_tags)
			snprintf(name, sizeof(name), "%s/%s", ref.domain, ref.path);
		else
			snprintf(name, sizeof(name), "%s/%s", ref.domain, json_string_value(v));
		r = search_row(&fo, ref.domain, name, c->list_tags ? json_string_value(v) : "",
		               err);
		if (r < 0)
			break;
	}
	format_end(&fo);
	return r;
}

int cmd_search(int argc, char **argv)
{
	struct search_cfg c = { .limit = 25, .tls_verify = true };
	struct werr err = { 0 };
	json_t *rows;
	int ind, r = cli_parse(&cli_cmd_search, argc, argv, &ind, search_opt, &c);

	if (r >= 0)
		return r;
	rows = json_array();
	r = search_run(&c, argv[ind], rows, &err) < 0 ? cli_error(&err) : 0;
	json_decref(rows);
	return r;
}
