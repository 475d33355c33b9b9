/* reference.c - Docker's reference grammar, short names, and the parts of
 * containers' registries.conf that decide where a short name is looked for.
 * Pure string work: never touches the network or the store. */
#include "reference.h"
#include "cleanup.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static bool path_char_p(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' ||
	       c == '-' || c == '/';
}

static bool sep_p(char c)
{
	return c == '.' || c == '_' || c == '-';
}

static int path_check(const char *p, const char *input, struct werr *err)
{
	size_t len = strlen(p);

	if (len == 0)
		return werr_set(err, EINVAL, "invalid reference \"%s\": the name is empty", input);
	for (size_t i = 0; i < len; i++) {
		if (p[i] >= 'A' && p[i] <= 'Z')
			return werr_set(err, EINVAL,
			                "invalid reference \"%s\": repository names must be "
			                "lowercase",
			                input);
		if (!path_char_p(p[i]))
			return werr_set(err, EINVAL,
			                "invalid reference \"%s\": '%c' is not allowed in a name",
			                input, p[i]);
		/* components start and end with a letter or digit */
		if ((sep_p(p[i]) || p[i] == '/') &&
		    (i == 0 || i == len - 1 || p[i - 1] == '/' || p[i + 1] == '/'))
			return werr_set(err, EINVAL,
			                "invalid reference \"%s\": bad name component in \"%s\"",
			                input, p);
	}
	return 0;
}

static int tag_check(const char *t, const char *input, struct werr *err)
{
	size_t len = strlen(t);

	if (len == 0 || len > 128)
		return werr_set(err, EINVAL,
		                "invalid reference \"%s\": a tag has 1 to 128 characters", input);
	for (size_t i = 0; i < len; i++) {
		char c = t[i];
		bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		          (c >= '0' && c <= '9') || c == '_' || (i > 0 && (c == '.' || c == '-'));
		if (!ok)
			return werr_set(err, EINVAL, "invalid reference \"%s\": bad tag \"%s\"",
			                input, t);
	}
	return 0;
}

static bool domain_p(const char *first, size_t len)
{
	if (len == 9 && !strncmp(first, "localhost", 9))
		return true;
	for (size_t i = 0; i < len; i++)
		if (first[i] == '.' || first[i] == ':' || (first[i] >= 'A' && first[i] <= 'Z'))
			return true;
	return false;
}

static int domain_check(const char *d, const char *input, struct werr *err)
{
	for (const char *p = d; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		      (*p >= '0' && *p <= '9') || *p == '.' || *p == '-' || *p == ':'))
			return werr_set(err, EINVAL,
			                "invalid reference \"%s\": bad registry \"%s\"", input, d);
	return 0;
}

int ref_parse(const char *s, struct image_ref *ref, bool *short_name, struct werr *err)
{
	char name[REF_STR_MAX];
	const char *at, *slash;
	char *colon;
	size_t nl;

	memset(ref, 0, sizeof(*ref));
	if (short_name)
		*short_name = false;
	if (!s || !*s || strlen(s) >= REF_STR_MAX)
		return werr_set(err, EINVAL, "invalid reference \"%s\": empty or too long",
		                s ? s : "");
	at = strchr(s, '@');
	nl = at ? (size_t)(at - s) : strlen(s);
	if (at) {
		if (!digest_valid(at + 1))
			return werr_set(err, EINVAL,
			                "invalid reference \"%s\": the digest must be sha256: and "
			                "64 hex digits",
			                s);
		snprintf(ref->digest, sizeof(ref->digest), "%s", at + 1);
	}
	snprintf(name, sizeof(name), "%.*s", (int)nl, s);
	slash = strrchr(name, '/');
	colon = strrchr(name, ':');
	if (colon && (!slash || colon > slash)) {
		*colon = '\0';
		if (tag_check(colon + 1, s, err) < 0)
			return -EINVAL;
		snprintf(ref->tag, sizeof(ref->tag), "%s", colon + 1);
	}
	slash = strchr(name, '/');
	if (slash && domain_p(name, (size_t)(slash - name))) {
		if ((size_t)(slash - name) >= sizeof(ref->domain))
			return werr_set(err, EINVAL, "invalid reference \"%s\": registry too long",
			                s);
		snprintf(ref->domain, sizeof(ref->domain), "%.*s", (int)(slash - name), name);
		if (domain_check(ref->domain, s, err) < 0)
			return -EINVAL;
		snprintf(ref->path, sizeof(ref->path), "%s", slash + 1);
	} else {
		snprintf(ref->domain, sizeof(ref->domain), "docker.io");
		snprintf(ref->path, sizeof(ref->path), "%s", name);
		if (short_name)
			*short_name = true;
	}
	if (!strcmp(ref->domain, "docker.io") && !strchr(ref->path, '/')) {
		char tmp[REF_PATH_MAX];
		snprintf(tmp, sizeof(tmp), "library/%s", ref->path);
		memcpy(ref->path, tmp, sizeof(tmp));
	}
	if (path_check(ref->path, s, err) < 0)
		return -EINVAL;
	if (!ref->tag[0] && !ref->digest[0])
		snprintf(ref->tag, sizeof(ref->tag), "latest");
	return 0;
}

void ref_repo(const struct image_ref *ref, char *buf, size_t size)
{
	snprintf(buf, size, "%s/%s", ref->domain, ref->path);
}

void ref_format(const struct image_ref *ref, char *buf, size_t size)
{
	if (ref->tag[0])
		snprintf(buf, size, "%s/%s:%s", ref->domain, ref->path, ref->tag);
	else
		snprintf(buf, size, "%s/%s@%s", ref->domain, ref->path, ref->digest);
}

const char *ref_registry_host(const char *domain)
{
	return strcmp(domain, "docker.io") ? domain : "registry-1.docker.io";
}

/* the next "quoted" string at *@p into @out; advances *@p past it */
static bool conf_string(const char **p, char *out, size_t size)
{
	const char *q = strchr(*p, '"'), *e;

	if (!q)
		return false;
	e = strchr(q + 1, '"');
	if (!e)
		return false;
	snprintf(out, size, "%.*s", (int)(e - q - 1), q + 1);
	*p = e + 1;
	return true;
}

void ref_conf_parse(const char *text, const char *alias_of, char *alias, bool *have_alias,
                    char search[][REF_DOMAIN_MAX], size_t *n_search, bool *have_search)
{
	bool in_aliases = false;

	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n'), *p = line;
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char l[2048];

		snprintf(l, sizeof(l), "%.*s", (int)(len < sizeof(l) ? len : sizeof(l) - 1), line);
		line = end ? end + 1 : NULL;
		for (p = l; *p == ' ' || *p == '\t'; p++)
			;
		if (*p == '#' || !*p)
			continue;
		if (*p == '[') {
			in_aliases = !strncmp(p, "[aliases]", 9);
			continue;
		}
		if (in_aliases && *p == '"') {
			char key[REF_STR_MAX], val[REF_STR_MAX];
			if (conf_string(&p, key, sizeof(key)) && strchr(p, '=') &&
			    conf_string(&p, val, sizeof(val)) && alias_of &&
			    !strcmp(key, alias_of)) {
				snprintf(alias, REF_STR_MAX, "%s", val);
				*have_alias = true;
			}
			continue;
		}
		if (!strncmp(p, "unqualified-search-registries", 29)) {
			char reg[REF_DOMAIN_MAX];
			*n_search = 0;
			*have_search = true;
			p = strchr(p, '[');
			/* a multi-line array is not supported: only what is on this line */
			while (p && *n_search < REF_SEARCH_MAX &&
			       conf_string(&p, reg, sizeof(reg))) {
				memcpy(search[*n_search], reg, sizeof(reg));
				(*n_search)++;
			}
		}
	}
}

static void conf_read(const char *path, const char *alias_of, char *alias, bool *have_alias,
                      char search[][REF_DOMAIN_MAX], size_t *n_search, bool *have_search)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	struct werr ignored;

	if (util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, &ignored) == 0)
		ref_conf_parse(text, alias_of, alias, have_alias, search, n_search, have_search);
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* read the registries.conf files in the order containers/image gives them weight */
static void conf_load(const char *alias_of, char *alias, bool *have_alias,
                      char search[][REF_DOMAIN_MAX], size_t *n_search)
{
	const char *env = getenv("CONTAINERS_REGISTRIES_CONF");
	const char *xdg = getenv("XDG_CONFIG_HOME"), *home = getenv("HOME");
	char user[4096] = "";
	bool have_search = false;

	*have_alias = false;
	*n_search = 0;
	if (env && *env) {
		conf_read(env, alias_of, alias, have_alias, search, n_search, &have_search);
		return;
	}
	if (xdg && *xdg)
		snprintf(user, sizeof(user), "%s/containers/registries.conf", xdg);
	else if (home && *home)
		snprintf(user, sizeof(user), "%s/.config/containers/registries.conf", home);
	if (user[0] && access(user, R_OK) == 0) {
		conf_read(user, alias_of, alias, have_alias, search, n_search, &have_search);
		return;
	}
	conf_read("/etc/containers/registries.conf", alias_of, alias, have_alias, search, n_search,
	          &have_search);
	{
		DIR *d = opendir("/etc/containers/registries.conf.d");
		struct dirent *de;
		char **names = NULL;
		size_t n = 0;

		while (d && (de = readdir(d))) {
			size_t l = strlen(de->d_name);
			char **nn;
			if (l < 6 || strcmp(de->d_name + l - 5, ".conf"))
				continue;
			nn = realloc(names, (n + 1) * sizeof(char *));
			if (!nn)
				break;
			names = nn;
			if (!(names[n] = strdup(de->d_name)))
				break;
			n++;
		}
		if (d)
			closedir(d);
		qsort(names, n, sizeof(char *), name_cmp);
		for (size_t i = 0; i < n; i++) {
			char p[4096];
			snprintf(p, sizeof(p), "/etc/containers/registries.conf.d/%s", names[i]);
			conf_read(p, alias_of, alias, have_alias, search, n_search, &have_search);
			free(names[i]);
		}
		free(names);
	}
}

int ref_candidates(const char *input, struct image_ref *out, struct werr *err)
{
	char search[REF_SEARCH_MAX][REF_DOMAIN_MAX], alias[REF_STR_MAX], name[REF_STR_MAX];
	char full[REF_STR_MAX * 2];
	size_t n_search = 0, nl;
	bool short_name, have_alias;
	int r = ref_parse(input, &out[0], &short_name, err);

	if (r < 0 || !short_name)
		return r < 0 ? r : 1;
	/* the alias key is the name as typed, without tag or digest */
	nl = strcspn(input, "@");
	snprintf(name, sizeof(name), "%.*s", (int)nl, input);
	if (strrchr(name, ':'))
		*strrchr(name, ':') = '\0';
	conf_load(name, alias, &have_alias, search, &n_search);
	if (have_alias) {
		snprintf(full, sizeof(full), "%s%s", alias, input + strlen(name));
		r = ref_parse(full, &out[0], NULL, err);
		return r < 0 ? werr_prefix(err, "registries.conf alias for %s", name) : 1;
	}
	if (n_search == 0)
		return 1; /* docker.io, as parsed */
	for (size_t i = 0; i < n_search; i++) {
		snprintf(full, sizeof(full), "%s/%s", search[i], input);
		r = ref_parse(full, &out[i], NULL, err);
		if (r < 0)
			return werr_prefix(err, "unqualified-search registry %s", search[i]);
	}
	return (int)n_search;
}
