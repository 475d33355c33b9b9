/* run_mount.c - `run`'s and `create`'s mounts: -v, --mount with Docker's
 * keys, --volumes-from, the image's VOLUMEs, and the copy of the image's
 * content into a new volume. Parsing makes nothing in the store: volumes are
 * made by run_vols_prepare(), once the whole command line is known good. */
#include "run_mount.h"
#include "cleanup.h"
#include "commands.h"
#include "record.h"
#include "util.h"
#include "volume.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>

int run_vols_push(struct run_vols *rv, struct mount_spec *m, struct werr *err)
{
	if (util_array_push(&rv->mounts, &rv->n_mounts, sizeof(*m), m) < 0)
		return werr_errno(err, ENOMEM, "mounts");
	return 0;
}

/* a store volume at @dst: @name, or NULL for an anonymous one */
static int vols_request(struct run_vols *rv, const char *name, const char *dst, bool ro,
                        bool nocopy, struct werr *err)
{
	struct mount_spec m = { .kind = MOUNT_BIND, .dst = strdup(dst), .readonly = ro };
	struct run_vol_req q = { rv->n_mounts, name ? strdup(name) : NULL, nocopy };

	if (!m.dst || (name && !q.name) || run_vols_push(rv, &m, err) < 0 ||
	    util_array_push(&rv->reqs, &rv->n_reqs, sizeof(q), &q) < 0) {
		free(q.name);
		return werr_errno(err, ENOMEM, "volume");
	}
	return 0;
}

static int vols_bind(struct run_vols *rv, const char *src, const char *dst, bool ro,
                     struct werr *err)
{
	char real[PATH_MAX];
	struct mount_spec m = { .kind = MOUNT_BIND, .readonly = ro };

	if (!realpath(src, real))
		return werr_errno(err, errno, "volume source %s", src);
	m.src = strdup(real);
	m.dst = strdup(dst);
	if (!m.src || !m.dst || run_vols_push(rv, &m, err) < 0) {
		free(m.src);
		free(m.dst);
		return werr_errno(err, ENOMEM, "volume");
	}
	return 0;
}

int run_vols_volume(struct run_vols *rv, const char *v, struct werr *err)
{
	_cleanup_free_ char *copy = strdup(v);
	char *src, *dst, *mode;
	bool ro = false, nocopy = false;

	if (!copy)
		return werr_errno(err, ENOMEM, "volume");
	src = copy;
	dst = strchr(src, ':');
	if (src[0] == ':')
		return werr_set(err, EINVAL, "invalid volume \"%s\": the source is empty", v);
	if (!dst && src[0] == '/') { /* -v /path: an anonymous volume */
		dst = src;
		src = "";
	} else if (!dst) {
		return werr_set(err, EINVAL, "invalid volume \"%s\": use SRC:DST[:ro|rw]", v);
	} else {
		*dst++ = '\0';
	}
	mode = strchr(dst, ':');
	if (mode)
		*mode++ = '\0';
	if (src[0] && src[0] != '/' && volume_check_name(src, err) < 0)
		return werr_prefix(err, "invalid volume \"%s\"", v);
	if (dst[0] != '/')
		return werr_set(err, EINVAL,
		                "invalid volume \"%s\": the destination must be an absolute path",
		                v);
	for (char *o = mode ? strtok(mode, ",") : NULL; o; o = strtok(NULL, ",")) {
		if (!strcmp(o, "ro"))
			ro = true;
		else if (!strcmp(o, "rw"))
			ro = false;
		else if (!strcmp(o, "nocopy"))
			nocopy = true;
		else if (strcmp(o, "z") && strcmp(o, "Z") && strcmp(o, "rbind") &&
		         strcmp(o, "bind"))
			return werr_set(
			    err, EINVAL,
			    "invalid volume \"%s\": unknown option \"%s\" (use ro, rw or nocopy)",
			    v, o);
	}
	if (src[0] == '/')
		return vols_bind(rv, src, dst, ro, err);
	return vols_request(rv, src[0] ? src : NULL, dst, ro, nocopy, err);
}

/* what one --mount says, field by field */
struct mount_args {
	const char *type, *src, *dst, *tmpfs_size, *tmpfs_mode;
	bool ro, nocopy, volume_key, tmpfs_key;
};

/* Go's strconv.ParseBool, which Docker's --mount uses; a key alone is true */
static int mount_bool(const char *v, bool *out)
{
	static const char *const yes[] = { "", "1", "t", "T", "true", "TRUE", "True" };
	static const char *const no[] = { "0", "f", "F", "false", "FALSE", "False" };

	for (size_t i = 0; i < ARRAY_SIZE(yes); i++)
		if (!strcmp(v, yes[i]))
			return *out = true, 0;
	for (size_t i = 0; i < ARRAY_SIZE(no); i++)
		if (!strcmp(v, no[i]))
			return *out = false, 0;
	return -EINVAL;
}

static bool key_is(const char *k, const char *a, const char *b, const char *c)
{
	return !strcmp(k, a) || (b && !strcmp(k, b)) || (c && !strcmp(k, c));
}

/* one KEY[=VALUE] of --mount @v into @a */
static int mount_field(struct mount_args *a, char *field, const char *v, struct werr *err)
{
	char *eq = strchr(field, '=');
	const char *val = eq ? eq + 1 : "";
	bool *flag = NULL;

	if (eq)
		*eq = '\0';
	if (!eq && !key_is(field, "readonly", "ro", "volume-nocopy"))
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": \"%s\" must be a KEY=VALUE pair", v,
		                field);
	if (key_is(field, "type", NULL, NULL))
		a->type = val;
	else if (key_is(field, "source", "src", NULL))
		a->src = val;
	else if (key_is(field, "target", "destination", "dst"))
		a->dst = val;
	else if (key_is(field, "readonly", "ro", NULL))
		flag = &a->ro;
	else if (key_is(field, "volume-nocopy", NULL, NULL))
		flag = &a->nocopy, a->volume_key = true;
	else if (key_is(field, "tmpfs-size", NULL, NULL))
		a->tmpfs_size = val, a->tmpfs_key = true;
	else if (key_is(field, "tmpfs-mode", NULL, NULL))
		a->tmpfs_mode = val, a->tmpfs_key = true;
	else if (key_is(field, "volume-driver", NULL, NULL) && !strcmp(val, "local"))
		a->volume_key = true;
	else if (!key_is(field, "consistency", "bind-propagation", NULL))
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": unknown key \"%s\" (use type, source, "
		                "target, readonly, volume-nocopy, tmpfs-size or tmpfs-mode)",
		                v, field);
	if (flag && mount_bool(val, flag) < 0)
		return werr_set(
		    err, EINVAL,
		    "invalid --mount \"%s\": %s=%s is not a boolean (use true or false)", v, field,
		    val);
	return 0;
}

/* bytes, or a number with the k, m or g the kernel's size= takes */
static bool tmpfs_size_p(const char *s)
{
	size_t n = strspn(s, "0123456789");

	return n > 0 && n <= 18 && (!s[n] || (strchr("kKmMgG", s[n]) && !s[n + 1]));
}

/* --mount type=tmpfs: Docker's defaults (nosuid, nodev, noexec), size and mode */
static int mount_tmpfs(struct run_vols *rv, const struct mount_args *a, const char *v,
                       struct werr *err)
{
	struct mount_spec m = { .kind = MOUNT_TMPFS,
		                .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC,
		                .readonly = a->ro };
	char opts[128] = "";

	if (a->src && *a->src)
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": a tmpfs takes no source (drop source=)",
		                v);
	if (a->tmpfs_size && !tmpfs_size_p(a->tmpfs_size))
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": tmpfs-size=%s: use bytes or a number with "
		                "k, m or g",
		                v, a->tmpfs_size);
	if (a->tmpfs_mode && (!*a->tmpfs_mode || strlen(a->tmpfs_mode) > 4 ||
	                      strspn(a->tmpfs_mode, "01234567") != strlen(a->tmpfs_mode)))
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": tmpfs-mode=%s: use an octal mode such as "
		                "1777",
		                v, a->tmpfs_mode);
	snprintf(opts, sizeof(opts), "%s%s%s%s%s", a->tmpfs_size ? "size=" : "",
	         a->tmpfs_size ? a->tmpfs_size : "", a->tmpfs_size && a->tmpfs_mode ? "," : "",
	         a->tmpfs_mode ? "mode=" : "", a->tmpfs_mode ? a->tmpfs_mode : "");
	m.dst = strdup(a->dst);
	m.options = strdup(opts);
	if (!m.dst || !m.options || run_vols_push(rv, &m, err) < 0) {
		free(m.dst);
		free(m.options);
		return werr_errno(err, ENOMEM, "tmpfs");
	}
	return 0;
}

/* the checks Docker makes of a whole --mount, then the mount itself */
static int mount_apply(struct run_vols *rv, const struct mount_args *a, const char *v,
                       struct werr *err)
{
	const char *t = a->type ? a->type : "volume"; /* Docker's default type */
	bool bind = !strcmp(t, "bind"), vol = !strcmp(t, "volume"), tmp = !strcmp(t, "tmpfs");

	if (!bind && !vol && !tmp)
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": unknown type \"%s\" (use bind, volume or "
		                "tmpfs)",
		                v, t);
	if (!a->dst || !*a->dst)
		return werr_set(err, EINVAL, "invalid --mount \"%s\": target is required", v);
	if (a->dst[0] != '/')
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": the target must be an absolute path", v);
	if (a->volume_key && !vol)
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": volume-* keys are for type=volume only",
		                v);
	if (a->tmpfs_key && !tmp)
		return werr_set(err, EINVAL,
		                "invalid --mount \"%s\": tmpfs-* keys are for type=tmpfs only", v);
	if (tmp)
		return mount_tmpfs(rv, a, v, err);
	if (bind) {
		if (!a->src || !*a->src)
			return werr_set(err, EINVAL,
			                "invalid --mount \"%s\": type=bind needs source=HOSTPATH",
			                v);
		if (a->src[0] != '/')
			return werr_set(
			    err, EINVAL,
			    "invalid --mount \"%s\": the bind source must be an absolute "
			    "path",
			    v);
		return vols_bind(rv, a->src, a->dst, a->ro, err);
	}
	if (a->src && *a->src && volume_check_name(a->src, err) < 0)
		return werr_prefix(err, "invalid --mount \"%s\"", v);
	return vols_request(rv, a->src && *a->src ? a->src : NULL, a->dst, a->ro, a->nocopy, err);
}

int run_vols_mount(struct run_vols *rv, const char *v, struct werr *err)
{
	_cleanup_free_ char *copy = strdup(v);
	struct mount_args a = { 0 };
	char *save = NULL;

	if (!copy)
		return werr_errno(err, ENOMEM, "--mount");
	for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save))
		if (mount_field(&a, f, v, err) < 0)
			return -err->code;
	return mount_apply(rv, &a, v, err);
}

int run_vols_from(struct run_vols *rv, const char *v, struct werr *err)
{
	const char *colon = strrchr(v, ':');
	char *s;

	if (!*v || v[0] == ':' || (colon && strcmp(colon, ":ro") && strcmp(colon, ":rw")))
		return werr_set(err, EINVAL, "invalid --volumes-from \"%s\": use CONTAINER[:ro|rw]",
		                v);
	s = strdup(v);
	if (!s || util_array_push(&rv->from, &rv->n_from, sizeof(s), &s) < 0) {
		free(s);
		return werr_errno(err, ENOMEM, "--volumes-from");
	}
	return 0;
}

/* @a and @b name the same place: repeated and trailing slashes do not count */
static bool vols_same_dst(const char *a, const char *b)
{
	for (;;) {
		while (*a == '/' && a[1] == '/')
			a++;
		while (*b == '/' && b[1] == '/')
			b++;
		if ((!*a || (*a == '/' && !a[1])) && (!*b || (*b == '/' && !b[1])))
			return true;
		if (*a != *b)
			return false;
		a++;
		b++;
	}
}

/* the first of the first @n mounts at @dst, or -1 */
static ssize_t vols_find(const struct run_vols *rv, size_t n, const char *dst)
{
	for (size_t i = 0; i < n; i++)
		if (vols_same_dst(rv->mounts[i].dst, dst))
			return (ssize_t)i;
	return -1;
}

static bool vols_taken(const struct run_vols *rv, const char *dst)
{
	return vols_find(rv, rv->n_mounts, dst) >= 0;
}

int run_vols_check(const struct run_vols *rv, struct werr *err)
{
	for (size_t i = 1; i < rv->n_mounts; i++)
		if (vols_find(rv, i, rv->mounts[i].dst) >= 0)
			return werr_set(
			    err, EINVAL,
			    "Duplicate mount point: %s (give each mount its own destination)",
			    rv->mounts[i].dst);
	return 0;
}

/* the volumes and bind mounts of one container (not its tmpfs mounts, as
 * Docker's), read-only or read-write with :ro or :rw; a destination the
 * command line mounts itself keeps the command line's */
static int vols_from_one(struct run_vols *rv, const char *v, struct werr *err)
{
	_cleanup_free_ char *ref = strdup(v);
	char *colon = ref ? strrchr(ref, ':') : NULL;
	struct record rec;
	json_t *m;
	size_t i;
	int r = 0;

	if (!ref)
		return werr_errno(err, ENOMEM, "--volumes-from");
	if (colon)
		*colon++ = '\0';
	if (record_lookup(cli_gopts(), ref, &rec, err) < 0)
		return werr_prefix(err, "--volumes-from");
	json_array_foreach(json_object_get(json_object_get(rec.config, "Warren"), "Mounts"), i, m)
	{
		const char *src = json_string_value(json_object_get(m, "Src"));
		const char *dst = json_string_value(json_object_get(m, "Dst"));
		struct mount_spec ms = { .kind = MOUNT_BIND };
		if (json_integer_value(json_object_get(m, "Kind")) != MOUNT_BIND || !src || !dst ||
		    vols_taken(rv, dst))
			continue;
		ms.readonly =
		    colon ? !strcmp(colon, "ro") : json_is_true(json_object_get(m, "ReadOnly"));
		ms.src = strdup(src);
		ms.dst = strdup(dst);
		if (!ms.src || !ms.dst || run_vols_push(rv, &ms, err) < 0) {
			free(ms.src);
			free(ms.dst);
			r = werr_errno(err, ENOMEM, "--volumes-from");
			break;
		}
	}
	record_free(&rec);
	return r;
}

/* make the volume of request @q; an anonymous one is remembered for removal */
static int vols_make(struct run_vols *rv, struct run_vol_req *q, struct werr *err)
{
	char name[65], path[PATH_MAX];
	char *keep;

	if (volume_create(cli_gopts(), q->name, NULL, name, path, err) < 0)
		return werr_prefix(err, "volume %s", q->name ? q->name : "(anonymous)");
	if (!(rv->mounts[q->idx].src = strdup(path)))
		return werr_errno(err, ENOMEM, "volume");
	if (q->name)
		return 0;
	keep = strdup(name);
	if (!keep || util_array_push(&rv->anon, &rv->n_anon, sizeof(keep), &keep) < 0) {
		free(keep);
		return werr_errno(err, ENOMEM, "volume");
	}
	return 0;
}

/* the image's VOLUMEs that nothing else mounts: anonymous volumes, filled */
static int vols_image(struct run_vols *rv, struct run_image *ri, struct werr *err)
{
	char **vols = config_string_array(&ri->img.cfg, "Volumes");
	int r = 0;

	for (size_t i = 0; r == 0 && vols && vols[i]; i++)
		if (vols[i][0] == '/' && !vols_taken(rv, vols[i]))
			r = vols_request(rv, NULL, vols[i], false, false, err);
	config_strv_free(vols);
	return r;
}

int run_vols_prepare(struct run_vols *rv, struct run_image *ri, const struct idmap_plan *plan,
                     struct werr *err)
{
	int r = 0;

	for (size_t i = 0; r == 0 && i < rv->n_from; i++)
		r = vols_from_one(rv, rv->from[i], err);
	if (r == 0 && ri)
		r = vols_image(rv, ri, err);
	for (size_t i = 0; r == 0 && i < rv->n_reqs; i++) {
		struct run_vol_req *q = &rv->reqs[i];
		r = vols_make(rv, q, err);
		/* Docker fills a volume from the image's directory only while the
		 * volume is empty; --rootfs has no image to fill from */
		if (r == 0 && ri && !q->nocopy)
			r = rootfs_volume_fill(&ri->rf, plan, rv->mounts[q->idx].dst,
			                       rv->mounts[q->idx].src, err);
	}
	return r;
}

void run_vols_remove_anon(struct run_vols *rv)
{
	struct werr ignored;

	for (size_t i = 0; i < rv->n_anon; i++)
		volume_remove(cli_gopts(), rv->anon[i], true, &ignored);
}

void run_vols_free(struct run_vols *rv)
{
	for (size_t i = 0; i < rv->n_mounts; i++) {
		free(rv->mounts[i].src);
		free(rv->mounts[i].dst);
		free(rv->mounts[i].options);
	}
	free(rv->mounts);
	for (size_t i = 0; i < rv->n_reqs; i++)
		free(rv->reqs[i].name);
	free(rv->reqs);
	for (size_t i = 0; i < rv->n_from; i++)
		free(rv->from[i]);
	free(rv->from);
	for (size_t i = 0; i < rv->n_anon; i++)
		free(rv->anon[i]);
	free(rv->anon);
	memset(rv, 0, sizeof(*rv));
}
