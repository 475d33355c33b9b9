/* builder_mountspec.c - RUN --mount=... read as BuildKit's Dockerfile
 * frontend reads it: keys, defaults and which type takes which, variables
 * expanded, and what each mount adds to the step's cache key. Touches no
 * file but the context's, to hash what a bind mount copies. */
#include "builder_int.h"
#include "cleanup.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *const type_names[] = { "bind", "cache", "tmpfs", "secret", "ssh" };

/* "true", "false" or bare (true), as Go's strconv.ParseBool the usual ones */
static int parse_bool(const char *v, bool *out)
{
	if (!v || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

/* tmpfs size= as docker's units.RAMInBytes: a number with b, k, m, g, t
 * (optionally followed by b or ib), binary multiples */
static int parse_size(const char *v, uint64_t *out)
{
	char *end;
	unsigned long long n;
	int shift = 0;

	errno = 0;
	n = strtoull(v, &end, 10);
	if (end == v || errno)
		return -1;
	switch (*end | 0x20) {
	case 'k': shift = 10; break;
	case 'm': shift = 20; break;
	case 'g': shift = 30; break;
	case 't': shift = 40; break;
	}
	if (shift || (*end | 0x20) == 'b')
		end++;
	if (shift && (!strcasecmp(end, "ib") || !strcasecmp(end, "b")))
		end += strlen(end);
	if (*end || (shift && n > (UINT64_MAX >> shift)))
		return -1;
	*out = (uint64_t)n << shift;
	return 0;
}

static int parse_id(const char *v, long *out)
{
	char *end;

	errno = 0;
	*out = strtol(v, &end, 10);
	return end == v || *end || errno || *out < 0 || *out > 0x7fffffff ? -1 : 0;
}

/* one key=value of a --mount */
static int mount_key(struct bmount *m, const char *k, const char *v, struct werr *err)
{
	char **str = NULL;
	bool on;

	if (!strcmp(k, "from"))
		str = &m->from;
	else if (!strcmp(k, "id"))
		str = &m->id;
	else if (!strcmp(k, "source") || !strcmp(k, "src"))
		str = &m->source;
	else if (!strcmp(k, "target") || !strcmp(k, "dst") || !strcmp(k, "destination"))
		str = &m->target;
	else if (!strcmp(k, "env"))
		str = &m->env;
	if (str) {
		if (!v)
			return werr_set(err, EINVAL, "%s needs a value (%s=...)", k, k);
		free(*str);
		*str = strdup(v);
		return *str ? 0 : werr_errno(err, ENOMEM, "--mount");
	}
	if (!strcmp(k, "readonly") || !strcmp(k, "ro") || !strcmp(k, "readwrite") ||
	    !strcmp(k, "rw") || !strcmp(k, "required")) {
		if (parse_bool(v, &on) < 0)
			return werr_set(err, EINVAL, "%s=%s: use true or false", k, v);
		if (k[0] == 'r' && k[1] == 'e' && k[2] == 'q')
			m->required = on;
		else if (!strcmp(k, "readonly") || !strcmp(k, "ro"))
			m->readonly = on;
		else
			m->readonly = !on;
		m->rw_set = true;
		return 0;
	}
	if (!v)
		return werr_set(err, EINVAL, "unexpected key '%s' (use key=value)", k);
	if (!strcmp(k, "sharing")) {
		if (!strcmp(v, "shared"))
			m->sharing = BMOUNT_SHARED;
		else if (!strcmp(v, "private"))
			m->sharing = BMOUNT_PRIVATE;
		else if (!strcmp(v, "locked"))
			m->sharing = BMOUNT_LOCKED;
		else
			return werr_set(err, EINVAL, "sharing=%s: use shared, private or locked",
			                v);
		return 0;
	}
	if (!strcmp(k, "mode")) {
		char *end;
		unsigned long mode = strtoul(v, &end, 8);
		if (end == v || *end || mode > 07777)
			return werr_set(err, EINVAL, "mode=%s: use an octal mode such as 0755", v);
		m->mode = (mode_t)mode;
		return 0;
	}
	if (!strcmp(k, "uid") || !strcmp(k, "gid")) {
		long *id = k[0] == 'u' ? &m->uid : &m->gid;
		if (parse_id(v, id) < 0)
			return werr_set(err, EINVAL, "%s=%s: use a number", k, v);
		return 0;
	}
	if (!strcmp(k, "size")) {
		if (parse_size(v, &m->size) < 0)
			return werr_set(err, EINVAL, "size=%s: use bytes or a size such as 64m", v);
		return 0;
	}
	return werr_set(err, EINVAL, "unexpected key '%s'", k);
}

/* which keys each type takes, as BuildKit's parser checks them */
static int mount_check(struct bmount *m, size_t nssh, struct werr *err)
{
	const char *t = type_names[m->type];

	if (m->from && m->type != BMOUNT_BIND && m->type != BMOUNT_CACHE)
		return werr_set(err, EINVAL, "from is not allowed for type=%s", t);
	if (m->from && m->type == BMOUNT_CACHE)
		return werr_set(err, ENOTSUP,
		                "from is not supported for type=cache by warren (seed the cache "
		                "in the RUN step instead)");
	if (m->size && m->type != BMOUNT_TMPFS)
		return werr_set(err, EINVAL, "size is only for type=tmpfs");
	if (m->sharing != BMOUNT_SHARED && m->type != BMOUNT_CACHE)
		return werr_set(err, EINVAL, "sharing is only for type=cache");
	if (m->env && m->type != BMOUNT_SECRET)
		return werr_set(err, EINVAL, "env is only for type=secret");
	if (m->type == BMOUNT_SSH && (m->uid >= 0 || m->gid >= 0 || m->mode != (mode_t)-1))
		return werr_set(err, ENOTSUP,
		                "uid, gid and mode are not supported for type=ssh (the agent's "
		                "socket is bound as it is)");
	if ((m->type == BMOUNT_TMPFS || m->type == BMOUNT_BIND) &&
	    (m->uid >= 0 || m->gid >= 0 || m->mode != (mode_t)-1))
		return werr_set(err, EINVAL, "uid, gid and mode are not allowed for type=%s", t);
	if (m->type == BMOUNT_SECRET) {
		if (!m->id && m->target) {
			const char *base = strrchr(m->target, '/');
			m->id = strdup(base ? base + 1 : m->target);
		}
		if (!m->id || !*m->id)
			return werr_set(err, EINVAL, "type=secret needs id= or target=");
		if (!m->target && !m->env && asprintf(&m->target, "/run/secrets/%s", m->id) < 0)
			m->target = NULL;
	} else if (m->type == BMOUNT_SSH) {
		if (!m->id)
			m->id = strdup("default");
		if (!m->target && asprintf(&m->target, "/run/buildkit/ssh_agent.%zu", nssh) < 0)
			m->target = NULL;
	} else if (!m->target) {
		return werr_set(err, EINVAL, "type=%s needs target=", t);
	}
	if (m->required && m->type != BMOUNT_SECRET && m->type != BMOUNT_SSH)
		return werr_set(err, EINVAL, "required is only for type=secret and type=ssh");
	if (m->type == BMOUNT_CACHE && !m->id)
		m->id = strdup(m->target);
	if ((m->type == BMOUNT_SECRET || m->type == BMOUNT_SSH || m->type == BMOUNT_CACHE) &&
	    !m->id)
		return werr_errno(err, ENOMEM, "--mount");
	if (m->type == BMOUNT_BIND && !m->rw_set)
		m->readonly = true;
	if (m->mode == (mode_t)-1)
		m->mode = m->type == BMOUNT_SECRET ? 0400 : m->type == BMOUNT_SSH ? 0600 : 0755;
	return 0;
}

/* a relative target is below the working directory, as BuildKit */
static int mount_target(struct bmount *m, const char *workdir, struct werr *err)
{
	char *abs = NULL;

	if (!m->target || m->target[0] == '/')
		return 0;
	if (asprintf(&abs, "%s/%s", workdir && workdir[0] == '/' ? workdir : "", m->target) < 0)
		return werr_errno(err, ENOMEM, "--mount");
	free(m->target);
	m->target = abs;
	return 0;
}

/* one --mount value: comma-separated key[=value], variables expanded */
static int mount_parse(struct builder *b, struct bstage *sg, const char *spec, struct bmount *m,
                       size_t nssh, struct werr *err)
{
	_cleanup_free_ char *text = NULL;
	char *save = NULL, *tok;
	const char *wd = json_string_value(json_object_get(bconfig_get(sg), "WorkingDir"));
	int r = shellex_expand(spec, &sg->scope, b->df->escape, &text, err);

	memset(m, 0, sizeof(*m));
	m->uid = m->gid = -1;
	m->mode = (mode_t)-1;
	m->type = BMOUNT_BIND;
	if (r < 0)
		return r;
	for (tok = strtok_r(text, ",", &save); r == 0 && tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq)
			*eq++ = '\0';
		if (!strcmp(tok, "type")) {
			size_t i;
			for (i = 0; eq && i < ARRAY_SIZE(type_names); i++)
				if (!strcmp(eq, type_names[i]))
					break;
			if (!eq || i == ARRAY_SIZE(type_names))
				r = werr_set(err, EINVAL,
				             "type=%s: use bind, cache, tmpfs, secret or ssh",
				             eq ? eq : "");
			else
				m->type = (enum bmount_type)i;
		} else {
			r = mount_key(m, tok, eq, err);
		}
	}
	if (r == 0)
		r = mount_check(m, nssh, err);
	if (r == 0)
		r = mount_target(m, wd, err);
	return r;
}

int bmount_from(struct builder *b, struct bstage *sg, const char *from, const struct bstage **out,
                struct bstage *tmp, struct werr *err)
{
	long idx = dockerfile_stage_find(b->df, from);

	if (idx >= 0) {
		if (&b->stages[idx] >= sg || !b->stages[idx].built)
			return werr_set(err, EINVAL,
			                "from=%s names a stage that is not built before this one "
			                "(a stage can only use those above it)",
			                from);
		*out = &b->stages[idx];
		return 0;
	}
	if (bconfig_from_image(b, tmp, from, err) < 0)
		return werr_prefix(err, "from=%s", from);
	*out = tmp;
	return 0;
}

/* the source of a bind from the context: the files it names and their
 * content hash for the cache key */
static int bind_context_key(struct builder *b, const struct bmount *m, struct strbuf *key,
                            struct werr *err)
{
	char *src = m->source && *m->source ? m->source : ".";
	struct context_list list = { 0 };
	char hex[65];
	int r = context_resolve_sources(b->ctx, &src, 1, &list, err);

	if (r == 0)
		r = context_hash_sources(b->ctx, &list, NULL, NULL, hex, err);
	context_list_free(&list);
	if (r < 0)
		return r;
	strbuf_adds(key, " context:");
	strbuf_adds(key, hex);
	return 0;
}

int bmounts_parse(struct builder *b, struct bstage *sg, const struct df_instr *x,
                  struct bmounts *ms, struct werr *err)
{
	struct strbuf key = { 0 };
	size_t nssh = 0;
	int r = 0;

	memset(ms, 0, sizeof(*ms));
	for (size_t i = 0; r == 0 && i < x->nflags; i++) {
		struct bmount *m, *nv;
		if (strcmp(x->flags[i].name, "mount"))
			continue;
		nv = realloc(ms->v, (ms->n + 1) * sizeof(*nv));
		if (!nv)
			return werr_errno(err, ENOMEM, "--mount");
		ms->v = nv;
		m = &ms->v[ms->n++];
		r = mount_parse(b, sg, x->flags[i].value ? x->flags[i].value : "", m, nssh, err);
		if (r < 0)
			break;
		nssh += m->type == BMOUNT_SSH;
		strbuf_addc(&key, '\n');
		strbuf_adds(&key, type_names[m->type]);
		strbuf_adds(&key, m->target ? m->target : "");
		if (m->type == BMOUNT_BIND && !m->from) {
			r = bind_context_key(b, m, &key, err);
		} else if (m->type == BMOUNT_BIND) {
			struct bstage tmp = { 0 };
			const struct bstage *f = NULL;
			r = bmount_from(b, sg, m->from, &f, &tmp, err);
			if (r == 0) {
				strbuf_adds(&key, " from:");
				strbuf_adds(&key, f == &tmp ? f->image : f->key);
			}
			bstage_free(&tmp);
		}
	}
	ms->key = strbuf_steal(&key);
	if (r < 0) {
		const char *v = NULL;
		for (size_t i = 0, k = 0; i < x->nflags && !v; i++)
			if (!strcmp(x->flags[i].name, "mount") && ++k == ms->n)
				v = x->flags[i].value;
		return werr_prefix(err, "%s:%u: RUN --mount=%s", b->df->filename, b->line,
		                   v ? v : "");
	}
	return ms->key ? 0 : werr_errno(err, ENOMEM, "--mount");
}
