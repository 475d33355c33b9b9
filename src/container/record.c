/* record.c - container records in the store: publish, find, list, lock,
 * update and remove. Never touches running processes: that is the monitor's
 * and lifecycle.c's job. */
#include "record.h"
#include "cleanup.h"
#include "config.h"
#include "reserve.h"
#include "store.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#define RECORD_JSON_MAX (4 << 20)

/* the record this process created last, still locked (see record_create) */
static struct {
	char id[RECORD_ID_LEN + 1];
	int fd;
} created_lock = { "", -1 };

int record_root(const struct gopts *o, char *buf, struct werr *err)
{
	int r = gopts_store(o, err);

	if (r < 0)
		return r;
	if (snprintf(buf, PATH_MAX, "%s/containers/names", o->root) >= PATH_MAX)
		return werr_set(err, ENAMETOOLONG, "store path too long");
	r = util_mkdir_p(buf, 0700, err);
	buf[strlen(buf) - strlen("/names")] = '\0';
	return r;
}

/* <store>/containers of a record found there */
static void record_dir_root(const struct record *rec, char *buf)
{
	snprintf(buf, PATH_MAX, "%s", rec->dir);
	*strrchr(buf, '/') = '\0';
}

void record_store(const struct record *rec, struct gopts *o)
{
	memset(o, 0, sizeof(*o));
	record_dir_root(rec, o->root);
	*strrchr(o->root, '/') = '\0';
}

static bool record_id_p(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return i == RECORD_ID_LEN;
}

int record_check_name(const char *name, struct werr *err)
{
	if (!isalnum((unsigned char)name[0]) || strlen(name) > 128)
		goto bad;
	for (const char *p = name; *p; p++)
		if (!isalnum((unsigned char)*p) && !strchr("_.-", *p))
			goto bad;
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid container name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
	                "allowed, up to 128 characters",
	                name);
}

static int json_load_at(const char *dir, const char *file, json_t **out, struct werr *err)
{
	char path[PATH_MAX + 32];
	_cleanup_free_ char *text = NULL;
	size_t len;
	json_error_t je;
	int r;

	snprintf(path, sizeof(path), "%s/%s", dir, file);
	r = util_read_file(AT_FDCWD, path, RECORD_JSON_MAX, &text, &len, err);
	if (r < 0)
		return r;
	*out = json_loadb(text, len, 0, &je);
	if (!*out)
		return werr_set(err, EINVAL, "%s: invalid JSON: %s", path, je.text);
	return 0;
}

static int json_save_at(const char *dir, const char *file, json_t *j, struct werr *err)
{
	char path[PATH_MAX + 32], store[PATH_MAX + 8];
	_cleanup_free_ char *text = json_dumps(j, JSON_COMPACT);

	if (!text)
		return werr_set(err, ENOMEM, "serializing %s", file);
	snprintf(path, sizeof(path), "%s/%s", dir, file);
	snprintf(store, sizeof(store), "%s/../..", dir);
	/* the exit of a container that filled the store must still be recorded */
	return reserve_write_file_atomic(AT_FDCWD, store, path, text, strlen(text), 0600, err);
}

int record_load(const struct gopts *o, const char *id, struct record *rec, struct werr *err)
{
	char root[PATH_MAX], dir[PATH_MAX];
	int r = record_root(o, root, err);

	if (r < 0)
		return r;
	if (snprintf(dir, sizeof(dir), "%s/%s", root, id) >= (int)sizeof(dir))
		return werr_set(err, ENAMETOOLONG, "store path too long");
	return record_load_dir(dir, rec, err);
}

int record_load_dir(const char *dir, struct record *rec, struct werr *err)
{
	char copy[PATH_MAX]; /* @dir may be @rec->dir */
	const char *id;
	int r;

	if (snprintf(copy, sizeof(copy), "%s", dir) >= (int)sizeof(copy))
		return werr_set(err, ENAMETOOLONG, "store path too long");
	id = strrchr(copy, '/');
	memset(rec, 0, sizeof(*rec));
	snprintf(rec->id, sizeof(rec->id), "%s", id ? id + 1 : copy);
	memcpy(rec->dir, copy, sizeof(rec->dir));
	r = json_load_at(rec->dir, "config.json", &rec->config, err);
	if (r == 0)
		r = json_load_at(rec->dir, "state.json", &rec->state, err);
	if (r < 0)
		record_free(rec);
	return r;
}

void record_free(struct record *rec)
{
	json_decref(rec->config);
	json_decref(rec->state);
	rec->config = rec->state = NULL;
}

const char *record_name(const struct record *rec)
{
	const char *n = json_string_value(json_object_get(rec->config, "Name"));

	return n ? (n[0] == '/' ? n + 1 : n) : "";
}

/* names/<name> -> id: symlinkat is atomic, so two creates never share a name */
static int name_reserve(const char *root, const char *name, const char *id, struct werr *err)
{
	char link[PATH_MAX], held[RECORD_ID_LEN + 1];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/names/%s", root, name);
	if (symlink(id, link) == 0)
		return 0;
	if (errno != EEXIST)
		return werr_errno(err, errno, "reserving the name %s", name);
	n = readlink(link, held, sizeof(held) - 1);
	held[n > 0 ? n : 0] = '\0';
	return werr_set(err, EEXIST,
	                "the container name \"%s\" is already in use by container %.12s: remove "
	                "or rename that container, or choose another name",
	                name, held);
}

static void name_release(const char *root, const char *name, const char *id)
{
	char link[PATH_MAX], held[RECORD_ID_LEN + 1];
	ssize_t n;

	snprintf(link, sizeof(link), "%s/names/%s", root, name);
	n = readlink(link, held, sizeof(held) - 1);
	if (n == RECORD_ID_LEN && !memcmp(held, id, RECORD_ID_LEN))
		unlink(link);
}

/* an image container: rootfs_create() made its directory @dst for the
 * writable layer (and holds its lock); the record joins it, appearing with
 * config.json, written after state.json, as record_load() needs both */
static int record_join(const char *root, const char *dst, const char *name, const char *id,
                       json_t *config, struct werr *err)
{
	char path[PATH_MAX + 16];
	json_t *state = json_pack("{s:s, s:i, s:i}", "Status", "created", "Pid", 0, "ExitCode", 0);
	int r = json_save_at(dst, "state.json", state, err);

	json_decref(state);
	if (r == 0)
		r = json_save_at(dst, "config.json", config, err);
	if (r < 0) {
		snprintf(path, sizeof(path), "%s/state.json", dst);
		unlink(path);
		name_release(root, name, id);
	}
	return r;
}

int record_create(const struct gopts *o, const char *id, const char *name, json_t *config,
                  struct werr *err)
{
	char root[PATH_MAX], tmp[PATH_MAX], dst[PATH_MAX];
	_cleanup_close_ int lk = -1;
	int dfd;
	json_t *state;
	int r = record_root(o, root, err);

	if (r < 0)
		return r;
	r = name_reserve(root, name, id, err);
	if (r < 0)
		return r;
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", root, id);
	snprintf(dst, sizeof(dst), "%s/%s", root, id);
	if (access(dst, F_OK) == 0)
		return record_join(root, dst, name, id, config, err);
	if (mkdir(tmp, 0700) < 0) {
		r = werr_errno(err, errno, "create %s", tmp);
		goto fail;
	}
	state = json_pack("{s:s, s:i, s:i}", "Status", "created", "Pid", 0, "ExitCode", 0);
	r = json_save_at(tmp, "config.json", config, err);
	if (r == 0)
		r = json_save_at(tmp, "state.json", state, err);
	json_decref(state);
	if (r < 0)
		goto fail;
	/* locked before it is published: no other command can act on the
	 * record before this one has started it (or exited) */
	lk = openat(AT_FDCWD, tmp, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (lk < 0 || mknodat(lk, "lock", S_IFREG | 0600, 0) < 0)
		goto publish_fail;
	dfd = lk;
	lk = openat(dfd, "lock", O_RDWR | O_CLOEXEC);
	close(dfd);
	if (lk < 0 || flock(lk, LOCK_EX) < 0 || rename(tmp, dst) < 0)
		goto publish_fail;
	if (created_lock.fd >= 0)
		close(created_lock.fd);
	snprintf(created_lock.id, sizeof(created_lock.id), "%s", id);
	created_lock.fd = lk;
	lk = -1;
	return 0;
publish_fail:
	r = werr_errno(err, errno, "publishing the record %s", dst);
fail:
	util_rm_rf(tmp);
	name_release(root, name, id);
	return r;
}

int record_remove(const struct record *rec, struct werr *err)
{
	char root[PATH_MAX], gone[PATH_MAX];

	record_dir_root(rec, root);
	snprintf(gone, sizeof(gone), "%s/.rm-%s", root, rec->id);
	if (rename(rec->dir, gone) < 0)
		return werr_errno(err, errno, "removing %s", rec->dir);
	name_release(root, record_name(rec), rec->id);
	if (util_rm_rf(gone) < 0) {
		/* a writable layer holds files of subordinate IDs: remove them
		 * inside a user namespace with the container's own maps. When
		 * /etc/subuid no longer grants them, only root can: they stay. */
		struct idmap_plan plan;
		struct werr ignored;
		if (config_idmap(rec->config, &plan, &ignored) == 0)
			store_rm_tree(gone, &plan, &ignored);
	}
	return 0;
}

int record_rename(struct record *rec, const char *name, struct werr *err)
{
	char root[PATH_MAX], slashed[160];
	_cleanup_free_ char *old = strdup(record_name(rec));
	int r;

	record_dir_root(rec, root);
	if (!old)
		return werr_set(err, ENOMEM, "rename");
	r = name_reserve(root, name, rec->id, err);
	if (r < 0)
		return r;
	snprintf(slashed, sizeof(slashed), "/%s", name);
	json_object_set_new(rec->config, "Name", json_string(slashed));
	r = record_save_config(rec, err);
	if (r < 0) {
		name_release(root, name, rec->id);
		return r;
	}
	name_release(root, old, rec->id);
	return 0;
}

int record_lock(const struct record *rec, struct werr *err)
{
	char path[PATH_MAX + 8];
	int fd;

	if (created_lock.fd >= 0 && !strcmp(created_lock.id, rec->id)) {
		fd = created_lock.fd;
		created_lock.fd = -1;
		return fd;
	}
	snprintf(path, sizeof(path), "%s/lock", rec->dir);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return werr_errno(err, errno, "container %.12s: lock", rec->id);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return werr_errno(err, e, "container %.12s: lock", rec->id);
		}
	}
	return fd;
}

int record_save_state(const struct record *rec, struct werr *err)
{
	return json_save_at(rec->dir, "state.json", rec->state, err);
}

int record_save_config(const struct record *rec, struct werr *err)
{
	return json_save_at(rec->dir, "config.json", rec->config, err);
}

static int created_cmp(const void *a, const void *b)
{
	const struct record *x = a, *y = b;
	const char *cx = json_string_value(json_object_get(x->config, "Created"));
	const char *cy = json_string_value(json_object_get(y->config, "Created"));

	return strcmp(cx ? cx : "", cy ? cy : "");
}

int record_list(const struct gopts *o, struct record **out, size_t *n, struct werr *err)
{
	char root[PATH_MAX];
	DIR *d;
	struct dirent *de;
	struct record *recs = NULL;
	size_t cnt = 0;
	int r = record_root(o, root, err);

	*out = NULL;
	*n = 0;
	if (r < 0)
		return r;
	d = opendir(root);
	if (!d)
		return werr_errno(err, errno, "open %s", root);
	while ((de = readdir(d))) {
		struct record rec;
		struct werr ignored;
		struct record *nr;

		if (!record_id_p(de->d_name))
			continue;
		/* removed between readdir and the read: not a record any more */
		if (record_load(o, de->d_name, &rec, &ignored) < 0)
			continue;
		nr = realloc(recs, (cnt + 1) * sizeof(*recs));
		if (!nr) {
			record_free(&rec);
			record_list_free(recs, cnt);
			closedir(d);
			return werr_set(err, ENOMEM, "listing containers");
		}
		recs = nr;
		recs[cnt++] = rec;
	}
	closedir(d);
	if (cnt)
		qsort(recs, cnt, sizeof(*recs), created_cmp);
	*out = recs;
	*n = cnt;
	return 0;
}

void record_list_free(struct record *recs, size_t n)
{
	for (size_t i = 0; i < n; i++)
		record_free(&recs[i]);
	free(recs);
}

int record_lookup(const struct gopts *o, const char *ref, struct record *rec, struct werr *err)
{
	char root[PATH_MAX], link[PATH_MAX], id[RECORD_ID_LEN + 1] = "", found[RECORD_ID_LEN + 1];
	size_t len = strlen(ref), matches = 0;
	ssize_t n;
	DIR *d;
	struct dirent *de;
	int r = record_root(o, root, err);

	if (r < 0)
		return r;
	if (!*ref)
		return werr_set(err, EINVAL, "empty container name or ID");
	if (record_id_p(ref))
		return record_load(o, ref, rec, err) < 0
		           ? werr_set(err, ENOENT, "no such container: %s", ref)
		           : 0;
	if (!strchr(ref, '/') && snprintf(link, sizeof(link), "%s/names/%s", root, ref) > 0 &&
	    (n = readlink(link, id, sizeof(id) - 1)) == RECORD_ID_LEN) {
		id[n] = '\0';
		if (record_load(o, id, rec, err) == 0)
			return 0;
	}
	d = opendir(root);
	if (!d)
		return werr_errno(err, errno, "open %s", root);
	while ((de = readdir(d)))
		if (record_id_p(de->d_name) && !strncmp(de->d_name, ref, len)) {
			matches++;
			memcpy(found, de->d_name, sizeof(found));
		}
	closedir(d);
	if (matches > 1)
		return werr_set(
		    err, EINVAL,
		    "container ID prefix \"%s\" is ambiguous: %zu containers match (give "
		    "more characters or the name)",
		    ref, matches);
	if (matches == 0 || record_load(o, found, rec, err) < 0)
		return werr_set(err, ENOENT, "no such container: %s", ref);
	return 0;
}
