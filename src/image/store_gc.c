/* store_gc.c - whole-store operations: which containers use an image,
 * garbage collection of unreferenced blobs and layers and of killed
 * commands' staging, usage for `system df`, and `system check` (whose
 * --repair removes what is broken). GC never runs while another command is
 * staging content (it could be about to record it); live staging is never
 * taken. */
#include "store.h"
#include "cleanup.h"
#include "reserve.h"
#include "util.h"

#include <dirent.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <time.h>
#include <unistd.h>

typedef int (*entry_fn)(struct store *s, const char *dir, const char *name, void *ctx);

static int for_each_entry(struct store *s, const char *dir, entry_fn fn, void *ctx)
{
	int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return -errno;
	}
	while ((de = readdir(d)) && r >= 0)
		if (de->d_name[0] != '.')
			r = fn(s, dir, de->d_name, ctx);
	closedir(d);
	return r;
}

/* whether the flock on DIR/NAME (or DIR/NAME/lock) is held by a live command */
static bool entry_live(struct store *s, const char *rel)
{
	_cleanup_close_ int fd = openat(s->rootfd, rel, O_RDONLY | O_CLOEXEC);

	if (fd < 0)
		return false;
	if (flock(fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK;
	flock(fd, LOCK_UN);
	return false;
}

/* bytes under the directory @dfd (best effort: what cannot be read counts 0) */
static uint64_t tree_bytes(int dfd)
{
	DIR *d = fdopendir(dfd);
	struct dirent *de;
	uint64_t sum = 0;
	struct stat st;

	if (!d) {
		close(dfd);
		return 0;
	}
	while ((de = readdir(d))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..") ||
		    fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			int fd = openat(dirfd(d), de->d_name,
			                O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (fd >= 0)
				sum += tree_bytes(fd);
		} else {
			sum += (uint64_t)st.st_blocks * 512;
		}
	}
	closedir(d);
	return sum;
}

/* whether tmp/NAME is staging that a killed command left (no live flock) */
static bool staging_dead(struct store *s, const char *dir, const char *name, const char *own)
{
	char rel[300];

	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	return (!own || strcmp(rel, own)) && !entry_live(s, rel);
}

static int reap_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct staging *st = ctx;
	char rel[300];

	if (!staging_dead(s, dir, name, st->name))
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	renameat(s->rootfd, rel, st->fd, name);
	return 0;
}

void store_staging_reap(struct store *s, struct staging *st)
{
	for_each_entry(s, "tmp", reap_fn, st);
}

struct in_use_ctx {
	const char *id;
	bool found;
};

static int in_use_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct in_use_ctx *c = ctx;
	char rel[300];
	_cleanup_free_ char *img = NULL;
	size_t len;
	struct werr ignored;

	snprintf(rel, sizeof(rel), "%s/%s/lock", dir, name);
	if (!entry_live(s, rel))
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s/image", dir, name);
	if (util_read_file(s->rootfd, rel, 4096, &img, &len, &ignored) == 0 && !strcmp(img, c->id))
		c->found = true;
	return 0;
}

bool store_image_in_use(struct store *s, const char *id)
{
	struct in_use_ctx c = { id, false };

	for_each_entry(s, "containers", in_use_fn, &c);
	return c.found;
}

static bool referenced(json_t *images, const char *field, const char *value)
{
	size_t i, j;
	json_t *rec, *l;

	json_array_foreach(images, i, rec)
	{
		if (!strcmp(field, "blob")) {
			const char *m = json_string_value(json_object_get(rec, "manifest"));
			const char *c = json_string_value(json_object_get(rec, "config"));
			const char *x = json_string_value(json_object_get(rec, "index"));
			if ((m && !strcmp(m + 7, value)) || (c && !strcmp(c + 7, value)) ||
			    (x && !strcmp(x + 7, value)))
				return true;
		}
		json_array_foreach(json_object_get(rec, "layers"), j, l)
		{
			const char *v = json_string_value(
			    json_object_get(l, !strcmp(field, "blob") ? "digest" : "chain_id"));
			if (v && !strcmp(v + 7, value))
				return true;
		}
	}
	return false;
}

struct gc_ctx {
	json_t *images;
	char *lowers; /* the containers' lower files, one after another */
	size_t lowers_len;
	const char *own; /* our staging dir name */
	int staging_fd;  /* where dead layers go before removal */
	bool busy;       /* another command is staging */
	struct werr *err;
};

static int gc_tmp_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct gc_ctx *c = ctx;
	char rel[300];

	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	if (!strcmp(rel, c->own))
		return 0;
	if (entry_live(s, rel)) {
		c->busy = true;
		return 0;
	}
	/* a killed command's staging: move it into ours, removed with it */
	renameat(s->rootfd, rel, c->staging_fd, name);
	return 0;
}

/* a container's layers, which stay while it exists (rmi -f of its image) */
static void lowers_add(struct store *s, const char *dir, const char *name, char **lowers,
                       size_t *lowers_len)
{
	char rel[300];
	_cleanup_free_ char *text = NULL;
	size_t len;
	struct werr ignored;
	char *more;

	snprintf(rel, sizeof(rel), "%s/%s/lower", dir, name);
	if (util_read_file(s->rootfd, rel, 1 << 20, &text, &len, &ignored) < 0)
		return;
	more = realloc(*lowers, *lowers_len + len + 2);
	if (!more)
		return;
	*lowers = more;
	memcpy(*lowers + *lowers_len, text, len);
	*lowers_len += len;
	(*lowers)[(*lowers_len)++] = ':';
	(*lowers)[*lowers_len] = '\0';
}

static int gc_container_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct gc_ctx *c = ctx;
	char rel[300], dst[300];

	lowers_add(s, dir, name, &c->lowers, &c->lowers_len);
	/* container records (their names/ too) stay until rm: only what a
	 * killed foreground run left behind goes */
	snprintf(rel, sizeof(rel), "%s/%s/config.json", dir, name);
	if (!strcmp(name, "names") || faccessat(s->rootfd, rel, F_OK, 0) == 0)
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s/lock", dir, name);
	if (entry_live(s, rel))
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	snprintf(dst, sizeof(dst), "ctr-%s", name);
	renameat(s->rootfd, rel, c->staging_fd, dst);
	return 0;
}

static int gc_layer_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct gc_ctx *c = ctx;
	char rel[300], dst[300];

	if (referenced(c->images, "layer", name) || (c->lowers && strstr(c->lowers, name)))
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	snprintf(dst, sizeof(dst), "layer-%s", name);
	if (renameat(s->rootfd, rel, c->staging_fd, dst) < 0)
		return werr_errno(c->err, errno, "remove layer %s", name);
	return 0;
}

static int gc_blob_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct gc_ctx *c = ctx;
	char rel[300];

	if (referenced(c->images, "blob", name))
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	if (unlinkat(s->rootfd, rel, 0) < 0 && errno != ENOENT)
		return werr_errno(c->err, errno, "remove blob sha256:%s", name);
	return 0;
}

/* remove the hidden .NAME.tmp-RND files of util_write_file_atomic() in
 * @dir that a killed writer left: an hour old, so never one being written */
static void gc_stale_tmp(struct store *s, const char *dir)
{
	int fd = openat(s->rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	time_t old = time(NULL) - 3600;
	struct dirent *de;
	struct stat st;
	DIR *d;

	if (fd < 0)
		return;
	d = fdopendir(fd);
	if (!d) {
		close(fd);
		return;
	}
	while ((de = readdir(d)))
		if (de->d_name[0] == '.' && strstr(de->d_name, ".tmp-") &&
		    fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
		    st.st_mtime < old)
			unlinkat(fd, de->d_name, 0);
	closedir(d);
}

int store_gc(struct store *s, json_t *images, const struct idmap_plan *plan, struct werr *err)
{
	struct staging st = { -1, "" };
	struct gc_ctx c = { images, NULL, 0, NULL, -1, false, err };
	int r = store_staging_new(s, &st, err);

	if (r < 0)
		return r;
	c.own = st.name;
	c.staging_fd = st.fd;
	for_each_entry(s, "tmp", gc_tmp_fn, &c);
	for_each_entry(s, "containers", gc_container_fn, &c);
	if (!c.busy) {
		r = for_each_entry(s, "layers", gc_layer_fn, &c);
		if (r >= 0)
			r = for_each_entry(s, "blobs/sha256", gc_blob_fn, &c);
		gc_stale_tmp(s, "blobs/sha256");
		gc_stale_tmp(s, "images");
	}
	store_staging_done(s, &st, plan);
	free(c.lowers);
	return r < 0 ? r : 0;
}

static int usage_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct store_usage *u = ctx;
	char rel[300];
	struct stat st;

	if (!strcmp(dir, "layers")) {
		snprintf(rel, sizeof(rel), "sha256:%s", name);
		u->layers++;
		u->layer_bytes += store_layer_size(s, rel);
	} else if (!strcmp(dir, "containers")) {
		u->containers += strcmp(name, "names") != 0;
	} else if (!strcmp(dir, "tmp")) {
		int fd;
		if (!staging_dead(s, dir, name, NULL))
			return 0;
		snprintf(rel, sizeof(rel), "%s/%s", dir, name);
		u->staging++;
		fd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		if (fd >= 0)
			u->staging_bytes += tree_bytes(fd);
	} else {
		snprintf(rel, sizeof(rel), "%s/%s", dir, name);
		u->blobs++;
		if (fstatat(s->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0)
			u->blob_bytes += (uint64_t)st.st_size;
	}
	return 0;
}

int store_usage(struct store *s, json_t *images, struct store_usage *u, struct werr *err)
{
	size_t i, j;
	json_t *rec, *l;

	memset(u, 0, sizeof(*u));
	u->images = json_array_size(images);
	for_each_entry(s, "layers", usage_fn, u);
	for_each_entry(s, "blobs/sha256", usage_fn, u);
	for_each_entry(s, "containers", usage_fn, u);
	for_each_entry(s, "tmp", usage_fn, u);
	json_array_foreach(images, i, rec) json_array_foreach(json_object_get(rec, "layers"), j, l)
	    u->images_bytes +=
	    store_layer_size(s, json_string_value(json_object_get(l, "chain_id")) ?: "");
	return store_bcache_usage(s, images, u, err);
}

struct check_ctx {
	char *report;
	size_t len;
	int problems, repaired;
	json_t *images;
	struct staging *st; /* with --repair: where broken content goes */
	char *lowers;       /* the containers' lower files */
	size_t lowers_len;
};

/* one line of the report; @fixed: whether --repair removed it */
__attribute__((format(printf, 3, 4))) static void check_add(struct check_ctx *c, bool fixed,
                                                            const char *fmt, ...)
{
	char line[512];
	va_list ap;
	char *n;
	size_t l;

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (fixed)
		strncat(line, " (removed)", sizeof(line) - strlen(line) - 1);
	l = strlen(line);
	n = realloc(c->report, c->len + l + 2);
	if (!n)
		return;
	c->report = n;
	memcpy(c->report + c->len, line, l);
	c->len += l;
	c->report[c->len++] = '\n';
	c->report[c->len] = '\0';
	c->problems++;
	c->repaired += fixed;
}

/* with --repair, move layer @hex into the staging that goes at the end;
 * a layer a container stands on stays (removing it would break the container) */
static bool check_drop_layer(struct store *s, struct check_ctx *c, const char *hex)
{
	char rel[300], dst[300];

	if (!c->st || (c->lowers && strstr(c->lowers, hex)))
		return false;
	snprintf(rel, sizeof(rel), "layers/%s", hex);
	snprintf(dst, sizeof(dst), "layer-%s", hex);
	return renameat(s->rootfd, rel, c->st->fd, dst) == 0 || errno == ENOENT;
}

static int check_blob_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct check_ctx *c = ctx;
	char rel[300], got[DIGEST_STR_LEN + 1];
	_cleanup_close_ int fd = -1;
	struct werr e;
	bool fixed;

	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	fd = openat(s->rootfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && digest_fd(fd, got, NULL, &e) == 0 && !strcmp(got + 7, name))
		return 0;
	/* a damaged blob goes: the records that name it then report it missing */
	fixed = c->st && unlinkat(s->rootfd, rel, 0) == 0;
	if (fd < 0)
		check_add(c, fixed, "blob sha256:%s cannot be read", name);
	else
		check_add(c, fixed, "blob sha256:%s is damaged: its content hashes to %s", name,
		          got);
	return 0;
}

/* a layer directory is whole when it has diff/ and size; unpacking writes
 * both before the rename that makes it appear */
static int check_layer_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct check_ctx *c = ctx;
	char rel[300], chain[DIGEST_STR_LEN + 8];
	struct stat st;
	bool diff, size;

	snprintf(chain, sizeof(chain), "sha256:%s", name);
	if (!digest_valid(chain)) {
		check_add(c, false, "layers/%s is not named by a chain ID", name);
		return 0;
	}
	snprintf(rel, sizeof(rel), "%s/%s/diff", dir, name);
	diff = fstatat(s->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISDIR(st.st_mode);
	snprintf(rel, sizeof(rel), "%s/%s/size", dir, name);
	size = fstatat(s->rootfd, rel, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode);
	if (!diff || !size)
		check_add(c, check_drop_layer(s, c, name), "layer %s is incomplete: no %s", chain,
		          !diff ? "diff/" : "size");
	return 0;
}

static int check_staging_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct check_ctx *c = ctx;
	char rel[300], sz[32];
	int fd;

	if (!staging_dead(s, dir, name, c->st ? c->st->name : NULL))
		return 0;
	snprintf(rel, sizeof(rel), "%s/%s", dir, name);
	fd = openat(s->rootfd, rel, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	snprintf(sz, sizeof(sz), "%llu bytes", (unsigned long long)(fd >= 0 ? tree_bytes(fd) : 0));
	check_add(c, c->st && renameat(s->rootfd, rel, c->st->fd, name) == 0,
	          "staging %s was left by a killed command (%s)", rel, sz);
	return 0;
}

/* the record's first name, for the report (a dropped record is pulled by it) */
static const char *check_name(json_t *rec)
{
	const char *n = json_string_value(json_array_get(json_object_get(rec, "names"), 0));

	return n ? n : "<none>";
}

/* pass 1: a layer without its blob cannot be pushed or saved; with --repair
 * it goes, so that the next pull fetches the blob and unpacks it again */
static void check_layer_blobs(struct store *s, json_t *rec, struct check_ctx *c)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	size_t i;
	json_t *l;

	json_array_foreach(json_object_get(rec, "layers"), i, l)
	{
		const char *chain = json_string_value(json_object_get(l, "chain_id"));
		const char *blob = json_string_value(json_object_get(l, "digest"));

		if (!chain || !digest_valid(chain) || !store_layer_has(s, chain) ||
		    (blob && store_blob_has(s, blob)))
			continue;
		check_add(c, check_drop_layer(s, c, digest_hex(chain)),
		          "image %.19s (%s): layer %zu (chain %s) has no blob %s", id,
		          check_name(rec), i, chain, blob ? blob : "(none)");
	}
}

/* pass 2: a record needs its manifest, config and layers; with --repair one
 * that misses any goes, and a pull of its name writes it again */
static void check_record(struct store *s, json_t *rec, struct check_ctx *c)
{
	const char *id = json_string_value(json_object_get(rec, "id"));
	const char *keys[] = { "manifest", "config" };
	char what[200] = "";
	size_t i;
	json_t *l;

	for (i = 0; i < ARRAY_SIZE(keys) && !what[0]; i++) {
		const char *d = json_string_value(json_object_get(rec, keys[i]));
		if (!d || !store_blob_has(s, d))
			snprintf(what, sizeof(what), "its %s blob %s is missing", keys[i],
			         d ? d : "(none)");
	}
	json_array_foreach(json_object_get(rec, "layers"), i, l)
	{
		const char *chain = json_string_value(json_object_get(l, "chain_id"));
		if (what[0])
			break;
		if (!chain || !digest_valid(chain) || !store_layer_has(s, chain))
			snprintf(what, sizeof(what), "layer %zu (chain %s) is missing", i,
			         chain ? chain : "(none)");
	}
	if (what[0])
		check_add(c, c->st && id && store_image_delete(s, id, &(struct werr){ 0 }) == 0,
		          "image %.19s (%s): %s", id, check_name(rec), what);
}

/* a full filesystem is not damage, but it is why the next command will fail
 * (the reserve, kept for recording exits and for rm, is not room) */
static void check_space(struct store *s, struct check_ctx *c)
{
	struct statvfs v;
	uint64_t avail;

	if (fstatvfs(s->rootfd, &v) < 0)
		return;
	avail = (uint64_t)v.f_bavail * v.f_frsize;
	if (avail < RESERVE_BYTES)
		check_add(c, false,
		          "the store's filesystem has no space left (%llu kB free): remove "
		          "containers (warren rm) or images (warren rmi, warren system prune)",
		          (unsigned long long)(avail / 1024));
}

static int check_lowers_fn(struct store *s, const char *dir, const char *name, void *ctx)
{
	struct check_ctx *c = ctx;

	lowers_add(s, dir, name, &c->lowers, &c->lowers_len);
	return 0;
}

int store_check(struct store *s, const struct idmap_plan *plan, bool repair, char **report,
                int *repaired, struct werr *err)
{
	struct staging st = { -1, "" };
	struct check_ctx c = { 0 };
	json_t *rec;
	size_t i;
	int r;

	if (repair) {
		/* no store_staging_new(): its reaping would hide what we report */
		r = store_staging_new_bare(s, &st, err);
		if (r < 0)
			return r;
		c.st = &st;
	}
	r = store_images_load(s, &c.images, err);
	if (r < 0)
		goto out;
	check_space(s, &c);
	for_each_entry(s, "containers", check_lowers_fn, &c);
	for_each_entry(s, "tmp", check_staging_fn, &c);
	for_each_entry(s, "blobs/sha256", check_blob_fn, &c);
	for_each_entry(s, "layers", check_layer_fn, &c);
	json_array_foreach(c.images, i, rec) check_layer_blobs(s, rec, &c);
	json_array_foreach(c.images, i, rec) check_record(s, rec, &c);
	r = c.problems;
	*report = c.report;
	*repaired = c.repaired;
out:
	json_decref(c.images);
	free(c.lowers);
	if (repair)
		store_staging_done(s, &st, plan);
	return r;
}
