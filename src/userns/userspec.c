/* userspec.c - parses the container's passwd and group files to turn a -u
 * value into uid, gid, supplementary groups and home. Runs in the container's
 * process after pivot_root, so it must not use the host's NSS. In userns/,
 * the layer below both users of it: the runtime (the process's credentials)
 * and the builder (COPY --chown, resolved in the stage's tree). */
#include "userspec.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* strict decimal ID: digits only, < 2^32 - 1 */
static bool parse_id(const char *s, size_t len, uint32_t *out)
{
	uint64_t v = 0;

	if (len == 0 || len > 10)
		return false;
	for (size_t i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (v >= UINT32_MAX)
		return false;
	*out = (uint32_t)v;
	return true;
}

/* split one line into up to @max ':'-separated fields (in place) */
static size_t split_fields(char *line, char **f, size_t max)
{
	size_t n = 0;

	f[n++] = line;
	for (char *p = line; *p && n < max; p++)
		if (*p == ':') {
			*p = '\0';
			f[n++] = p + 1;
		}
	return n;
}

/* calls @fn for every well-formed line of @text with its fields; stops when fn returns true */
static bool each_line(const char *text, size_t nfields, bool (*fn)(char **f, size_t n, void *ctx),
                      void *ctx)
{
	char line[1024];

	while (text && *text) {
		size_t len = strcspn(text, "\n");
		char *f[8];
		size_t n;

		if (len < sizeof(line) && text[0] != '#') {
			memcpy(line, text, len);
			line[len] = '\0';
			n = split_fields(line, f, nfields);
			if (n == nfields && fn(f, n, ctx))
				return true;
		}
		text += len + (text[len] ? 1 : 0);
	}
	return false;
}

struct pw_query {
	const char *name;
	size_t name_len;
	uint32_t uid;
	bool by_id;
	bool found;
	char user_name[64];
	uint32_t out_uid, out_gid;
	char home[256];
};

static bool pw_match(char **f, size_t n, void *ctx)
{
	struct pw_query *q = ctx;
	uint32_t uid, gid;

	if (!parse_id(f[2], strlen(f[2]), &uid) || !parse_id(f[3], strlen(f[3]), &gid))
		return false;
	if (q->by_id ? uid != q->uid
	             : (strlen(f[0]) != q->name_len || strncmp(f[0], q->name, q->name_len)))
		return false;
	q->found = true;
	q->out_uid = uid;
	q->out_gid = gid;
	snprintf(q->user_name, sizeof(q->user_name), "%s", f[0]);
	snprintf(q->home, sizeof(q->home), "%s", f[5][0] ? f[5] : "/");
	return true;
}

struct gr_query {
	const char *name;
	size_t name_len;
	uint32_t gid;
	bool found;
};

static bool gr_match(char **f, size_t n, void *ctx)
{
	struct gr_query *q = ctx;
	uint32_t gid;

	if (!parse_id(f[2], strlen(f[2]), &gid))
		return false;
	if (strlen(f[0]) != q->name_len || strncmp(f[0], q->name, q->name_len))
		return false;
	q->found = true;
	q->gid = gid;
	return true;
}

/* a group by GID or by name in the group file's text */
static int group_lookup(const char *g, const char *group, gid_t *gid, struct werr *err)
{
	struct gr_query gq = { .name = g, .name_len = strlen(g) };
	uint32_t id;

	if (parse_id(g, strlen(g), &id)) {
		*gid = id;
		return 0;
	}
	each_line(group, 4, gr_match, &gq);
	if (!gq.found)
		return werr_set(err, ENOENT,
		                "unable to find group %s: no matching entries in the container's "
		                "/etc/group",
		                g);
	*gid = gq.gid;
	return 0;
}

struct member_query {
	const char *user;
	struct userspec *out;
};

static bool member_match(char **f, size_t n, void *ctx)
{
	struct member_query *q = ctx;
	uint32_t gid;
	char *save = NULL;

	if (!q->user[0] || !parse_id(f[2], strlen(f[2]), &gid))
		return false;
	for (char *m = strtok_r(f[3], ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		if (strcmp(m, q->user))
			continue;
		for (size_t i = 0; i < q->out->n_groups; i++)
			if (q->out->groups[i] == gid)
				return false;
		if (q->out->n_groups < USERSPEC_MAX_GROUPS)
			q->out->groups[q->out->n_groups++] = gid;
		return false;
	}
	return false;
}

int userspec_resolve(const char *spec, const char *passwd, const char *group, struct userspec *out,
                     struct werr *err)
{
	const char *colon = strchr(spec, ':');
	size_t ulen = colon ? (size_t)(colon - spec) : strlen(spec);
	struct pw_query pq = { .name = spec, .name_len = ulen };
	struct member_query mq;

	memset(out, 0, sizeof(*out));
	if (ulen == 0)
		return werr_set(err, EINVAL, "invalid --user '%s': the user part is empty", spec);
	pq.by_id = parse_id(spec, ulen, &pq.uid);
	each_line(passwd, 7, pw_match, &pq);
	if (!pq.found && !pq.by_id)
		return werr_set(
		    err, ENOENT,
		    "unable to find user %.*s: no matching entries in the container's /etc/passwd",
		    (int)ulen, spec);
	out->uid = pq.found ? pq.out_uid : pq.uid;
	out->gid = pq.found ? pq.out_gid : 0;
	snprintf(out->home, sizeof(out->home), "%s", pq.found ? pq.home : "/");

	if (colon) {
		const char *g = colon + 1;
		if (!*g)
			return werr_set(err, EINVAL, "invalid --user '%s': the group part is empty",
			                spec);
		if (group_lookup(g, group, &out->gid, err) < 0)
			return -err->code;
	}
	/* Docker: supplementary groups from /etc/group membership of the user */
	mq.user = pq.found ? pq.user_name : "";
	mq.out = out;
	each_line(group, 4, member_match, &mq);
	return 0;
}

int userspec_add_group(struct userspec *u, const char *g, const char *group, struct werr *err)
{
	gid_t gid;

	if (group_lookup(g, group, &gid, err) < 0)
		return -err->code;
	for (size_t i = 0; i < u->n_groups; i++)
		if (u->groups[i] == gid)
			return 0;
	if (u->n_groups >= USERSPEC_MAX_GROUPS)
		return werr_set(err, E2BIG, "--group-add %s: more than %d groups", g,
		                USERSPEC_MAX_GROUPS);
	u->groups[u->n_groups++] = gid;
	return 0;
}
