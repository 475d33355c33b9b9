/* store_records.c - image records (images/HEX.json): loading, saving,
 * finding an image by reference or ID, moving tags. Records are written
 * atomically; callers hold the store lock across read-modify-write. */
#include "store.h"
#include "cleanup.h"
#include "reference.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int store_images_load(struct store *s, json_t **images, struct werr *err)
{
	_cleanup_close_ int fd = openat(s->rootfd, "images", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	json_t *arr = json_array();
	DIR *d;
	struct dirent *de;

	if (fd < 0 || !arr) {
		json_decref(arr);
		return werr_errno(err, fd < 0 ? errno : ENOMEM, "open %s/images", s->root);
	}
	d = fdopendir(fd);
	if (!d) {
		json_decref(arr);
		return werr_errno(err, errno, "read %s/images", s->root);
	}
	fd = -1;
	while ((de = readdir(d))) {
		size_t l = strlen(de->d_name);
		json_error_t je;
		json_t *rec;
		char rel[300];
		if (l != DIGEST_HEX_LEN + 5 || strcmp(de->d_name + DIGEST_HEX_LEN, ".json"))
			continue;
		snprintf(rel, sizeof(rel), "images/%s", de->d_name);
		{
			_cleanup_close_ int rfd = openat(s->rootfd, rel, O_RDONLY | O_CLOEXEC);
			_cleanup_free_ char *text = NULL;
			size_t len;
			struct werr e2;
			if (rfd < 0 || util_read_fd_all(rfd, 1 << 20, &text, &len, &e2) < 0)
				continue;
			rec = json_loadb(text, len, 0, &je);
		}
		if (!json_is_object(rec) || !json_is_string(json_object_get(rec, "id"))) {
			json_decref(rec);
			continue; /* system check reports it */
		}
		json_array_append_new(arr, rec);
	}
	closedir(d);
	*images = arr;
	return 0;
}

int store_image_save(struct store *s, json_t *rec, struct werr *err)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	_cleanup_free_ char *text = NULL;
	char rel[100];

	if (!id || !digest_valid(id))
		return werr_set(err, EINVAL, "internal: image record without a valid id");
	text = json_dumps(rec, JSON_INDENT(1) | JSON_SORT_KEYS);
	if (!text)
		return werr_errno(err, ENOMEM, "image record");
	snprintf(rel, sizeof(rel), "images/%s.json", digest_hex(id));
	return util_write_file_atomic(s->rootfd, rel, text, strlen(text), 0600, err);
}

int store_image_delete(struct store *s, const char *id, struct werr *err)
{
	char rel[100];

	snprintf(rel, sizeof(rel), "images/%s.json", digest_hex(id));
	if (unlinkat(s->rootfd, rel, 0) < 0 && errno != ENOENT)
		return werr_errno(err, errno, "remove image record %s", id);
	return 0;
}

static bool rec_has_name(json_t *rec, const char *name)
{
	size_t i;
	json_t *v;

	json_array_foreach(json_object_get(rec, "names"), i,
	                   v) if (!strcmp(json_string_value(v), name)) return true;
	return false;
}

/* a short name matches the same repository path on any registry
 * ("alpine" finds "quay.io/alpine:latest" and "docker.io/library/alpine:latest") */
static bool rec_short_match(json_t *rec, const char *path, const char *tag)
{
	size_t i, pl = strlen(path), tl = strlen(tag);
	json_t *v;

	json_array_foreach(json_object_get(rec, "names"), i, v)
	{
		const char *n = json_string_value(v);
		const char *colon = strrchr(n, ':');
		size_t rl;
		if (!colon || strcmp(colon + 1, tag))
			continue;
		rl = (size_t)(colon - n);
		if (rl > pl && n[rl - pl - 1] == '/' && !strncmp(n + rl - pl, path, pl) &&
		    (size_t)(strlen(n) - rl - 1) == tl)
			return true;
	}
	return false;
}

static bool hex_prefix_p(const char *s)
{
	size_t l = strlen(s);

	if (l < 3 || l > DIGEST_HEX_LEN)
		return false;
	for (size_t i = 0; i < l; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

static json_t *find_by_id(json_t *images, const char *what)
{
	const char *hex = !strncmp(what, "sha256:", 7) ? what + 7 : what;
	json_t *found = NULL, *rec;
	size_t i;

	if (!hex_prefix_p(hex))
		return NULL;
	json_array_foreach(images, i, rec)
	{
		const char *id = json_string_value(json_object_get(rec, "id"));
		if (strncmp(id + 7, hex, strlen(hex)))
			continue;
		if (found)
			return NULL; /* ambiguous */
		found = rec;
	}
	return found;
}

json_t *store_image_find(json_t *images, const char *what, struct werr *err)
{
	struct image_ref ref;
	char name[REF_STR_MAX];
	bool short_name;
	json_t *rec;
	size_t i;

	if ((rec = find_by_id(images, what)))
		return rec;
	if (ref_parse(what, &ref, &short_name, err) < 0)
		return NULL;
	ref_format(&ref, name, sizeof(name));
	json_array_foreach(images, i, rec)
	{
		if (ref.digest[0]) {
			/* by manifest digest: repo@sha256:... */
			char repo[REF_STR_MAX];
			json_t *v;
			size_t j;
			ref_repo(&ref, repo, sizeof(repo));
			strncat(repo, "@", sizeof(repo) - strlen(repo) - 1);
			strncat(repo, ref.digest, sizeof(repo) - strlen(repo) - 1);
			json_array_foreach(json_object_get(rec, "digests"), j,
			                   v) if (!strcmp(json_string_value(v), repo)) return rec;
			continue;
		}
		if (rec_has_name(rec, name))
			return rec;
	}
	if (short_name && !ref.digest[0]) {
		const char *path = ref.path;
		if (!strncmp(path, "library/", 8) && !strchr(what, '/'))
			path += 8;
		json_array_foreach(images, i,
		                   rec) if (rec_short_match(rec, path, ref.tag)) return rec;
	}
	werr_set(err, ENOENT, "image not known: %s (pull it first: warren pull %s)", what, what);
	return NULL;
}

int store_name_remove(struct store *s, json_t *images, const char *name, struct werr *err)
{
	size_t i;
	json_t *rec;

	json_array_foreach(images, i, rec)
	{
		json_t *names = json_object_get(rec, "names");
		size_t j;
		json_t *v;
		bool changed = false;
		for (j = 0; j < json_array_size(names);) {
			v = json_array_get(names, j);
			if (!strcmp(json_string_value(v), name)) {
				json_array_remove(names, j);
				changed = true;
			} else {
				j++;
			}
		}
		if (changed && store_image_save(s, rec, err) < 0)
			return -err->code;
	}
	return 0;
}
