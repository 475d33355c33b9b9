/* volume.c - volumes in the store. A volume's data is a plain directory the
 * container gets as a bind mount; removing one never follows symlinks. */
#include "volume.h"
#include "events.h"
#include "cleanup.h"
#include "record.h"
#include "state.h"
#include "store.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static int volume_root(const struct gopts *o, char *buf, struct werr *err)
{
	if (gopts_store(o, err) < 0)
		return -err->code;
	if (snprintf(buf, PATH_MAX, "%s/volumes", o->root) >= PATH_MAX)
		return werr_set(err, ENAMETOOLONG, "store path too long");
	return util_mkdir_p(buf, 0700, err);
}

int volume_check_name(const char *name, struct werr *err)
{
	bool ok = isalnum((unsigned char)name[0]) && strlen(name) <= 64;

	for (const char *p = name; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr("_.-", *p);
	return ok ? 0
	          : werr_set(err, EINVAL,
	                     "invalid volume name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
	                     "allowed, up to 64 characters",
	                     name);
}

int volume_create(const struct gopts *o, const char *name, json_t *labels, char *name_out,
                  char *path, struct werr *err)
{
	char root[PATH_MAX], dir[PATH_MAX], tmp[PATH_MAX], rnd[65], tmprnd[17], now[40];
	_cleanup_free_ char *text = NULL;
	json_t *meta;
	int r = volume_root(o, root, err);

	if (r < 0)
		return r;
	if (!name) {
		if (util_random_hex(rnd, 64) < 0)
			return werr_errno(err, errno, "getrandom");
		name = rnd;
	} else if ((r = volume_check_name(name, err)) < 0) {
		return r;
	}
	snprintf(name_out, 65, "%s", name);
	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	snprintf(path, PATH_MAX, "%s/_data", dir);
	if (access(path, F_OK) == 0)
		return 0;
	/* build it aside and publish it with one rename: two creates never clash */
	if (util_random_hex(tmprnd, 16) < 0)
		return werr_errno(err, errno, "getrandom");
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", root, tmprnd);
	state_now(now);
	meta = json_pack("{s:s, s:s, s:s, s:o, s:s, s:{}, s:b}", "Name", name, "Driver", "local",
	                 "CreatedAt", now, "Labels", labels ? json_incref(labels) : json_object(),
	                 "Scope", "local", "Options", "Anonymous", name == rnd);
	text = json_dumps(meta, JSON_COMPACT);
	json_decref(meta);
	if (mkdir(tmp, 0700) < 0)
		return werr_errno(err, errno, "create %s", tmp);
	{
		char data[PATH_MAX + 8];
		snprintf(data, sizeof(data), "%s/_data", tmp);
		r = mkdir(data, 0755) < 0 ? werr_errno(err, errno, "create %s", data) : 0;
	}
	if (r == 0)
		r = util_write_file_atomic(AT_FDCWD, strcat(tmp, "/volume.json"), text,
		                           strlen(text), 0600, err);
	tmp[strlen(tmp) - strlen("/volume.json")] = '\0';
	if (r == 0 && rename(tmp, dir) < 0) {
		if (errno != EEXIST && errno != ENOTEMPTY)
			r = werr_errno(err, errno, "publish volume %s", name);
	} else if (r == 0) {
		events_log(o, "volume", "create", name, json_pack("{s:s}", "driver", "local"));
	}
	util_rm_rf(tmp);
	return r;
}

int volume_inspect(const struct gopts *o, const char *name, json_t **out, struct werr *err)
{
	char root[PATH_MAX], path[PATH_MAX + 80];
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r = volume_root(o, root, err);

	if (r < 0)
		return r;
	if (volume_check_name(name, err) < 0)
		return werr_set(err, ENOENT, "no such volume: %s", name);
	snprintf(path, sizeof(path), "%s/%s/volume.json", root, name);
	if (util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, err) < 0)
		return werr_set(err, ENOENT, "no such volume: %s", name);
	*out = json_loadb(text, len, 0, NULL);
	if (!*out)
		return werr_set(err, EINVAL, "%s: invalid JSON", path);
	snprintf(path, sizeof(path), "%s/%s/_data", root, name);
	json_object_set_new(*out, "Mountpoint", json_string(path));
	return 0;
}

int volume_list(const struct gopts *o, json_t **out, struct werr *err)
{
	char root[PATH_MAX];
	DIR *d;
	struct dirent *de;
	int r = volume_root(o, root, err);

	if (r < 0)
		return r;
	*out = json_array();
	d = opendir(root);
	if (!d)
		return werr_errno(err, errno, "open %s", root);
	while ((de = readdir(d))) {
		json_t *v;
		struct werr ignored;
		if (de->d_name[0] == '.' || volume_inspect(o, de->d_name, &v, &ignored) < 0)
			continue;
		json_array_append_new(*out, v);
	}
	closedir(d);
	return 0;
}

/* a container other than @except_id (NULL: any) that mounts @name */
static const char *in_use_by(const struct gopts *o, const char *name, const char *except_id,
                             char *buf, size_t size)
{
	struct record *recs;
	size_t n;
	struct werr ignored;
	const char *found = NULL;

	if (record_list(o, &recs, &n, &ignored) < 0)
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		json_t *mounts = json_object_get(recs[i].config, "Mounts"), *m;
		size_t j;
		if (except_id && !strcmp(recs[i].id, except_id))
			continue;
		json_array_foreach(mounts, j, m)
		{
			const char *vn = json_string_value(json_object_get(m, "Name"));
			if (vn && !strcmp(vn, name)) {
				snprintf(buf, size, "%s", record_name(&recs[i]));
				found = buf;
			}
		}
	}
	record_list_free(recs, n);
	return found;
}

const char *volume_in_use(const struct gopts *o, const char *name, char *buf, size_t size)
{
	return in_use_by(o, name, NULL, buf, size);
}

int volume_remove(const struct gopts *o, const char *name, bool force, struct werr *err)
{
	char root[PATH_MAX], dir[PATH_MAX], gone[PATH_MAX], user[160];
	json_t *v;
	int r = volume_inspect(o, name, &v, err);

	if (r < 0)
		return r;
	json_decref(v);
	if (!force && volume_in_use(o, name, user, sizeof(user)))
		return werr_set(err, EBUSY,
		                "volume %s is in use by container %s: remove the container first",
		                name, user);
	r = volume_root(o, root, err);
	if (r < 0)
		return r;
	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	snprintf(gone, sizeof(gone), "%s/.rm-%s", root, name);
	if (rename(dir, gone) < 0)
		return werr_errno(err, errno, "remove volume %s", name);
	/* a volume filled from an image or written by a container holds files
	 * of subordinate IDs, which only the user namespace can remove */
	if (util_rm_rf(gone) < 0) {
		struct idmap_plan plan;
		struct werr ignored;
		if (idmap_plan_make(&plan, false, &ignored) == 0)
			store_rm_tree(gone, &plan, &ignored);
	}
	events_log(o, "volume", "destroy", name, json_pack("{s:s}", "driver", "local"));
	return 0;
}

void volume_remove_anonymous(const struct gopts *o, json_t *config, const char *id)
{
	json_t *m;
	size_t i;

	json_array_foreach(json_object_get(config, "Mounts"), i, m)
	{
		const char *name = json_string_value(json_object_get(m, "Name"));
		char user[160];
		json_t *v;
		struct werr ignored;
		if (!name || volume_inspect(o, name, &v, &ignored) < 0)
			continue;
		/* one that another container mounts too (--volumes-from) stays,
		 * as Docker's volume reference count keeps it */
		if (json_is_true(json_object_get(v, "Anonymous")) &&
		    !in_use_by(o, name, id, user, sizeof(user)))
			volume_remove(o, name, true, &ignored);
		json_decref(v);
	}
}
