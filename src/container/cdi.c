/* cdi.c - resolves CDI device names against the specs of the CDI spec
 * directories (github.com/cncf-tags/container-device-interface, SPEC.md):
 * a spec's kind and devices, the spec-level containerEdits applied once
 * with each device's own. Rootless, so device nodes are bound from the
 * host (devices.c), never made; a node the user cannot open is refused. */
#include "cdi.h"
#include "cleanup.h"
#include "devices.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>

#define CDI_SPEC_MAX (4 << 20)

static const char *const cdi_versions[] = { "0.3.0", "0.4.0", "0.5.0", "0.6.0", "0.7.0", "0.8.0" };

/* one spec file, read and checked */
struct cdi_spec {
	char path[4096];
	json_t *root; /* NULL: broken, @why says why */
	char why[512];
	const char *kind;
	char kind_seen[256]; /* the kind a broken spec names, if it names one */
};

bool cdi_name_p(const char *s)
{
	const char *slash = strchr(s, '/'), *eq = strchr(s, '=');

	return slash && eq && slash < eq && s[0] != '/';
}

/* SPEC.md's grammar: starts and ends with a letter or digit, and between
 * them letters, digits and the characters of @extra */
static bool cdi_word_p(const char *s, size_t n, const char *extra)
{
	if (n == 0)
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alnum =
		    (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
		if (!alnum && (i == 0 || i == n - 1 || !strchr(extra, c)))
			return false;
	}
	return true;
}

/* "vendor.com/class": vendor of letters, digits, '.', '-', '_'; class of
 * letters, digits, '-', '_' */
static bool cdi_kind_p(const char *kind, size_t n)
{
	const char *slash = memchr(kind, '/', n);

	return slash && cdi_word_p(kind, (size_t)(slash - kind), ".-_") &&
	       cdi_word_p(slash + 1, n - (size_t)(slash - kind) - 1, "-_");
}

static bool cdi_ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a > b && !strcmp(s + a - b, suffix);
}

/* the checks every spec must pass, whatever is asked of it */
static int cdi_spec_check(struct cdi_spec *s)
{
	const char *v = json_string_value(json_object_get(s->root, "cdiVersion"));
	json_t *devs = json_object_get(s->root, "devices"), *d;
	bool known = false;
	size_t i;

	if (!json_is_object(s->root))
		return snprintf(s->why, sizeof(s->why), "not an object"), -1;
	for (i = 0; v && i < ARRAY_SIZE(cdi_versions); i++)
		known |= !strcmp(v, cdi_versions[i]);
	if (!known)
		return snprintf(s->why, sizeof(s->why),
		                "cdiVersion \"%s\" is not one warren reads (0.3.0 to 0.8.0)",
		                v ? v : "(missing)"),
		       -1;
	s->kind = json_string_value(json_object_get(s->root, "kind"));
	if (!s->kind || !cdi_kind_p(s->kind, strlen(s->kind)))
		return snprintf(s->why, sizeof(s->why), "kind \"%s\" is not vendor.com/class",
		                s->kind ? s->kind : ""),
		       -1;
	if (!json_is_array(devs) || json_array_size(devs) == 0)
		return snprintf(s->why, sizeof(s->why), "it has no devices"), -1;
	json_array_foreach(devs, i, d)
	{
		const char *n = json_string_value(json_object_get(d, "name"));
		if (!n || !cdi_word_p(n, strlen(n), "-_.:"))
			return snprintf(s->why, sizeof(s->why), "device %zu has no valid name", i),
			       -1;
		if (!json_is_object(json_object_get(d, "containerEdits")))
			return snprintf(s->why, sizeof(s->why),
			                "device \"%s\" has no containerEdits", n),
			       -1;
	}
	return 0;
}

static void cdi_spec_load(struct cdi_spec *s)
{
	_cleanup_free_ char *text = NULL;
	struct werr e = { 0 };
	json_error_t je;
	size_t len;

	s->root = NULL;
	if (util_read_file(AT_FDCWD, s->path, CDI_SPEC_MAX, &text, &len, &e) < 0) {
		snprintf(s->why, sizeof(s->why), "%s", e.msg);
		return;
	}
	if (cdi_ends_with(s->path, ".json")) {
		s->root = json_loadb(text, len, 0, &je);
		if (!s->root)
			snprintf(s->why, sizeof(s->why), "line %d: %s", je.line, je.text);
	} else {
		s->root = cdi_yaml_parse(text, len, s->why, sizeof(s->why));
	}
	if (s->root)
		snprintf(s->kind_seen, sizeof(s->kind_seen), "%s",
		         json_string_value(json_object_get(s->root, "kind")) ?: "");
	if (s->root && cdi_spec_check(s) < 0) {
		json_decref(s->root);
		s->root = NULL;
	}
}

static int cdi_name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* every spec of @dirs, the highest priority first: the last directory
 * first, and in a directory by file name */
static int cdi_specs_load(const char *dirs, struct cdi_spec **out, size_t *n_out, struct werr *err)
{
	_cleanup_free_ char *copy = strdup(dirs ? dirs : CDI_SPEC_DIRS_DEFAULT);
	char *list[64];
	size_t n_dirs = 0;

	*out = NULL;
	*n_out = 0;
	if (!copy)
		return werr_errno(err, ENOMEM, "CDI");
	for (char *d = strtok(copy, ":"); d && n_dirs < ARRAY_SIZE(list); d = strtok(NULL, ":"))
		list[n_dirs++] = d;
	while (n_dirs-- > 0) {
		DIR *dir = opendir(list[n_dirs]);
		char **names = NULL;
		size_t n_names = 0;
		struct dirent *de;

		if (!dir)
			continue; /* a missing directory holds no specs */
		while ((de = readdir(dir))) {
			char *nm;
			if (de->d_name[0] == '.' || !(cdi_ends_with(de->d_name, ".json") ||
			                              cdi_ends_with(de->d_name, ".yaml") ||
			                              cdi_ends_with(de->d_name, ".yml")))
				continue;
			nm = strdup(de->d_name);
			if (!nm || util_array_push(&names, &n_names, sizeof(char *), &nm) < 0) {
				free(nm);
				break;
			}
		}
		closedir(dir);
		if (names)
			qsort(names, n_names, sizeof(char *), cdi_name_cmp);
		for (size_t i = 0; i < n_names; i++) {
			struct cdi_spec s = { 0 };
			snprintf(s.path, sizeof(s.path), "%s/%s", list[n_dirs], names[i]);
			free(names[i]);
			cdi_spec_load(&s);
			if (util_array_push(out, n_out, sizeof(s), &s) < 0) {
				json_decref(s.root);
				return werr_errno(err, ENOMEM, "CDI");
			}
		}
		free(names);
	}
	return 0;
}

static void cdi_specs_free(struct cdi_spec *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		json_decref(s[i].root);
	free(s);
}

static int cdi_push_mount(struct cdi_edits *e, const char *src, const char *dst, bool ro,
                          struct werr *err)
{
	struct mount_spec m = { .kind = MOUNT_BIND, .readonly = ro };

	m.src = strdup(src);
	m.dst = strdup(dst);
	if (!m.src || !m.dst || util_array_push(&e->mounts, &e->n_mounts, sizeof(m), &m) < 0) {
		free(m.src);
		free(m.dst);
		return werr_errno(err, ENOMEM, "CDI");
	}
	return 0;
}

/* a deviceNode: the host's node (hostPath, else path) bound at path; a
 * type or major/minor that the spec gives must be the host node's */
static int cdi_node(struct cdi_edits *e, json_t *n, const char *what, struct werr *err)
{
	const char *path = json_string_value(json_object_get(n, "path"));
	const char *host = json_string_value(json_object_get(n, "hostPath"));
	const char *perms = json_string_value(json_object_get(n, "permissions"));
	const char *type = json_string_value(json_object_get(n, "type"));
	json_t *major = json_object_get(n, "major"), *minor = json_object_get(n, "minor");
	struct stat st;
	int r;

	if (!path || path[0] != '/')
		return werr_set(err, EINVAL, "%s: a deviceNode has no absolute path", what);
	if (!host || !*host)
		host = path;
	if (perms && *perms && !devices_perms_p(perms))
		return werr_set(err, EINVAL,
		                "%s: deviceNode %s: permissions \"%s\" are not r, w, m", what, path,
		                perms);
	r = devices_node_check(host, perms && *perms ? perms : "rwm", what, err);
	if (r < 0)
		return r;
	if (stat(host, &st) < 0)
		return werr_errno(err, errno, "%s: %s", what, host);
	if ((type && ((!strcmp(type, "c") || !strcmp(type, "u")) != !!S_ISCHR(st.st_mode))) ||
	    (json_is_integer(major) &&
	     json_integer_value(major) != (json_int_t)major(st.st_rdev)) ||
	    (json_is_integer(minor) && json_integer_value(minor) != (json_int_t)minor(st.st_rdev)))
		return werr_set(err, EINVAL,
		                "%s: deviceNode %s: the host's %s is %s %u:%u, not what the spec "
		                "says (warren binds host nodes and cannot make one)",
		                what, path, host, S_ISCHR(st.st_mode) ? "c" : "b",
		                major(st.st_rdev), minor(st.st_rdev));
	return cdi_push_mount(e, host, path, false, err);
}

/* a JSON array of strings as a NULL-terminated array of copies */
static char **cdi_strv(json_t *a)
{
	size_t n = json_array_size(a);
	char **v = calloc(n + 1, sizeof(char *));

	for (size_t i = 0; v && i < n; i++)
		if (!(v[i] = strdup(json_string_value(json_array_get(a, i)) ?: ""))) {
			while (i-- > 0)
				free(v[i]);
			free(v);
			return NULL;
		}
	return v;
}

static void cdi_strv_free(char **v)
{
	for (char **p = v; p && *p; p++)
		free(*p);
	free(v);
}

static int cdi_hook(struct cdi_edits *e, json_t *h, const char *what, struct werr *err)
{
	const char *name = json_string_value(json_object_get(h, "hookName"));
	const char *path = json_string_value(json_object_get(h, "path"));
	json_t *args = json_object_get(h, "args"), *env = json_object_get(h, "env");
	struct hook_spec hk = { 0 };

	if (!name || !path || path[0] != '/')
		return werr_set(err, EINVAL, "%s: a hook needs a hookName and an absolute path",
		                what);
	if (!strcmp(name, "createContainer"))
		hk.stage = HOOK_CREATE_CONTAINER;
	else if (!strcmp(name, "startContainer"))
		hk.stage = HOOK_START_CONTAINER;
	else
		return werr_set(err, ENOTSUP,
		                "%s: %s hooks cannot run rootless: warren runs createContainer and "
		                "startContainer hooks",
		                what, name);
	hk.timeout = (int)json_integer_value(json_object_get(h, "timeout"));
	hk.path = strdup(path);
	if (json_array_size(args))
		hk.args = cdi_strv(args);
	if (json_array_size(env))
		hk.env = cdi_strv(env);
	if (!hk.path || (json_array_size(args) && !hk.args) || (json_array_size(env) && !hk.env) ||
	    util_array_push(&e->hooks, &e->n_hooks, sizeof(hk), &hk) < 0) {
		free(hk.path);
		cdi_strv_free(hk.args);
		cdi_strv_free(hk.env);
		return werr_errno(err, ENOMEM, "CDI");
	}
	return 0;
}

/* one containerEdits object into @e */
static int cdi_apply(struct cdi_edits *e, json_t *edits, const char *what, struct werr *err)
{
	json_t *v;
	size_t i;
	int r;

	json_array_foreach(json_object_get(edits, "env"), i, v)
	{
		const char *kv = json_string_value(v);
		char *s;
		if (!kv || !strchr(kv, '=') || kv[0] == '=')
			return werr_set(err, EINVAL, "%s: env entry %zu is not KEY=VALUE", what, i);
		s = strdup(kv);
		if (!s || util_array_push(&e->env, &e->n_env, sizeof(char *), &s) < 0) {
			free(s);
			return werr_errno(err, ENOMEM, "CDI");
		}
	}
	json_array_foreach(json_object_get(edits, "deviceNodes"), i,
	                   v) if ((r = cdi_node(e, v, what, err)) < 0) return r;
	json_array_foreach(json_object_get(edits, "mounts"), i, v)
	{
		const char *src = json_string_value(json_object_get(v, "hostPath"));
		const char *dst = json_string_value(json_object_get(v, "containerPath"));
		json_t *o;
		size_t k;
		bool ro = false;
		if (!src || !dst || src[0] != '/' || dst[0] != '/')
			return werr_set(err, EINVAL,
			                "%s: a mount needs an absolute hostPath and containerPath",
			                what);
		json_array_foreach(json_object_get(v, "options"), k, o) ro |=
		    !strcmp(json_string_value(o) ?: "", "ro");
		if ((r = cdi_push_mount(e, src, dst, ro, err)) < 0)
			return r;
	}
	json_array_foreach(json_object_get(edits, "hooks"), i,
	                   v) if ((r = cdi_hook(e, v, what, err)) < 0) return r;
	return 0;
}

/* whether @dn is among the @n names of @seen */
static bool cdi_seen_p(const char *const *seen, size_t n, const char *dn)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(seen[i], dn))
			return true;
	return false;
}

/* the devices of @s that @dev names ("all": every one not in @seen, the
 * names a higher-priority spec gave already) into @e, after the spec's own
 * edits; Return: how many, or a negative errno */
static int cdi_spec_apply(const struct cdi_spec *s, const char *name, const char *dev,
                          const char ***seen, size_t *n_seen, struct cdi_edits *e, struct werr *err)
{
	json_t *d;
	size_t i;
	int n = 0, r;

	json_array_foreach(json_object_get(s->root, "devices"), i, d)
	{
		const char *dn = json_string_value(json_object_get(d, "name"));
		char what[4200];
		if ((strcmp(dev, "all") && strcmp(dev, dn)) || cdi_seen_p(*seen, *n_seen, dn))
			continue;
		if (util_array_push(seen, n_seen, sizeof(char *), &dn) < 0)
			return werr_errno(err, ENOMEM, "CDI");
		if (n++ == 0 && json_is_object(json_object_get(s->root, "containerEdits"))) {
			snprintf(what, sizeof(what), "CDI device %s (%s)", name, s->path);
			r = cdi_apply(e, json_object_get(s->root, "containerEdits"), what, err);
			if (r < 0)
				return r;
		}
		snprintf(what, sizeof(what), "CDI device %s=%s (%s)", s->kind, dn, s->path);
		r = cdi_apply(e, json_object_get(d, "containerEdits"), what, err);
		if (r < 0)
			return r;
		if (strcmp(dev, "all"))
			break;
	}
	return n;
}

int cdi_resolve(const char *dirs, const char *name, struct cdi_edits *e, struct werr *err)
{
	const char *eq = strchr(name, '=');
	struct cdi_spec *specs = NULL;
	const struct cdi_spec *broken = NULL;
	const char **seen = NULL; /* device names given, borrowed from @specs */
	size_t n = 0, n_seen = 0, klen;
	int r, found = 0;

	if (!eq || !cdi_kind_p(name, (size_t)(eq - name)) ||
	    !cdi_word_p(eq + 1, strlen(eq + 1), "-_.:"))
		return werr_set(err, EINVAL,
		                "invalid CDI device \"%s\": use vendor.com/class=name (or =all)",
		                name);
	klen = (size_t)(eq - name);
	r = cdi_specs_load(dirs, &specs, &n, err);
	for (size_t i = 0; r == 0 && i < n; i++) {
		const struct cdi_spec *s = &specs[i];
		if (!s->root) {
			/* the one to name: a broken spec of the kind asked for, else the first */
			if (!broken ||
			    (strlen(s->kind_seen) == klen && !strncmp(s->kind_seen, name, klen)))
				broken = s;
			continue;
		}
		if (strlen(s->kind) != klen || strncmp(s->kind, name, klen))
			continue;
		r = cdi_spec_apply(s, name, eq + 1, &seen, &n_seen, e, err);
		if (r > 0)
			found += r;
		/* a name is the highest-priority spec's; "all" is every spec's */
		if (r >= 0 && found && strcmp(eq + 1, "all"))
			break;
		r = r < 0 ? r : 0;
	}
	if (r == 0 && !found) {
		if (broken)
			r = werr_set(
			    err, EINVAL,
			    "unknown CDI device %s, and the CDI spec %s is broken: %s (fix "
			    "or remove it)",
			    name, broken->path, broken->why);
		else
			r = werr_set(err, ENOENT,
			             "unknown CDI device %s: no spec in %s declares it (list them "
			             "with nvidia-ctk cdi list, or write a spec there)",
			             name, dirs ? dirs : CDI_SPEC_DIRS_DEFAULT);
	}
	free(seen);
	cdi_specs_free(specs, n);
	return r < 0 ? r : 0;
}

bool cdi_kind_present(const char *dirs, const char *kind)
{
	struct cdi_spec *specs = NULL;
	struct werr err = { 0 };
	size_t n = 0;
	bool found = false;

	if (cdi_specs_load(dirs, &specs, &n, &err) < 0)
		return false;
	for (size_t i = 0; i < n; i++)
		found |= specs[i].root && !strcmp(specs[i].kind, kind);
	cdi_specs_free(specs, n);
	return found;
}

void cdi_edits_free(struct cdi_edits *e)
{
	for (size_t i = 0; i < e->n_env; i++)
		free(e->env[i]);
	for (size_t i = 0; i < e->n_mounts; i++) {
		free(e->mounts[i].src);
		free(e->mounts[i].dst);
	}
	for (size_t i = 0; i < e->n_hooks; i++) {
		free(e->hooks[i].path);
		cdi_strv_free(e->hooks[i].args);
		cdi_strv_free(e->hooks[i].env);
	}
	free(e->env);
	free(e->mounts);
	free(e->hooks);
	memset(e, 0, sizeof(*e));
}
