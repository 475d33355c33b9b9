/* store.c - the on-disk image store: blobs, layers by chain ID, image
 * records, staging, locking, garbage collection, usage and checks. Content
 * only ever appears by rename(2) from a staging directory, so nothing
 * half-written can be mistaken for complete. Never prints. */
#include "store.h"
#include "cleanup.h"
#include "reference.h"
#include "reserve.h"
#include "userns_exec.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static const char *const store_dirs[] = { "blobs",  "blobs/sha256", "layers",
	                                  "images", "containers",   "tmp" };

int store_open(struct store *s, const struct gopts *o, struct werr *err)
{
	s->rootfd = s->lockfd = -1;
	if (gopts_store(o, err) < 0)
		return -err->code;
	if (snprintf(s->root, sizeof(s->root), "%s", o->root) >= (int)sizeof(s->root))
		return werr_set(err, ENAMETOOLONG, "store path too long");
	if (util_mkdir_p(s->root, 0700, err) < 0)
		return werr_prefix(err, "creating the store");
	s->rootfd = open(s->root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->rootfd < 0)
		return werr_errno(err, errno, "open the store %s", s->root);
	for (size_t i = 0; i < ARRAY_SIZE(store_dirs); i++)
		if (mkdirat(s->rootfd, store_dirs[i], 0700) < 0 && errno != EEXIST)
			return werr_errno(err, errno, "create %s/%s", s->root, store_dirs[i]);
	reserve_keep(s->rootfd);
	return 0;
}

void store_close(struct store *s)
{
	store_unlock(s);
	if (s->rootfd >= 0)
		close(s->rootfd);
	s->rootfd = -1;
}

int store_lock(struct store *s, struct werr *err)
{
	if (s->lockfd >= 0)
		return 0;
	s->lockfd = openat(s->rootfd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (s->lockfd < 0)
		return werr_errno(err, errno, "open %s/lock", s->root);
	while (flock(s->lockfd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(s->lockfd);
			s->lockfd = -1;
			return werr_errno(err, e, "lock %s/lock", s->root);
		}
	}
	return 0;
}

void store_unlock(struct store *s)
{
	if (s->lockfd >= 0)
		close(s->lockfd);
	s->lockfd = -1;
}

static int staging_make(struct store *s, struct staging *st, struct werr *err)
{
	char hex[17], hidden[64];

	if (util_random_hex(hex, 16) < 0)
		return werr_errno(err, errno, "getrandom");
	/* made as tmp/.HEX and renamed once locked: a tmp/HEX without its
	 * flock is always a killed command's, never one being made */
	snprintf(hidden, sizeof(hidden), "tmp/.%s", hex);
	snprintf(st->name, sizeof(st->name), "tmp/%s", hex);
	/* a full store: gc and rm stage what they remove, so they get the reserve */
	if (mkdirat(s->rootfd, hidden, 0700) < 0 &&
	    (!reserve_full_p(errno) || !reserve_release(s->rootfd, ".") ||
	     mkdirat(s->rootfd, hidden, 0700) < 0))
		return werr_errno(err, errno, "create %s/%s", s->root, hidden);
	st->fd = openat(s->rootfd, hidden, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (st->fd < 0 || flock(st->fd, LOCK_EX | LOCK_NB) < 0 ||
	    renameat(s->rootfd, hidden, s->rootfd, st->name) < 0) {
		int e = errno;
		if (st->fd >= 0)
			close(st->fd);
		st->fd = -1;
		unlinkat(s->rootfd, hidden, AT_REMOVEDIR);
		return werr_errno(err, e, "lock %s/%s", s->root, hidden);
	}
	return 0;
}

int store_staging_new_bare(struct store *s, struct staging *st, struct werr *err)
{
	bool held = s->lockfd >= 0;
	int r;

	/* under the store lock, which gc holds from its look at tmp/ to its
	 * last removal: a command's staging is either there for gc to see (gc
	 * then removes no layer or blob), or made after gc, and then whatever
	 * it finds in the store stays until its staging is done */
	if (!held && (r = store_lock(s, err)) < 0)
		return r;
	r = staging_make(s, st, err);
	if (!held)
		store_unlock(s);
	return r;
}

int store_staging_new(struct store *s, struct staging *st, struct werr *err)
{
	int r = store_staging_new_bare(s, st, err);

	/* what killed commands left goes with ours */
	if (r == 0)
		store_staging_reap(s, st);
	return r;
}

static int rm_tree_fn(void *arg, struct werr *err)
{
	int r = util_rm_rf(arg);

	return r < 0 ? werr_errno(err, -r, "remove %s", (char *)arg) : 0;
}

int store_rm_tree(const char *path, const struct idmap_plan *plan, struct werr *err)
{
	/* most trees are ours alone: only go into a namespace when needed */
	if (util_rm_rf(path) == 0)
		return 0;
	if (!plan)
		return werr_set(err, EPERM, "cannot remove %s", path);
	return userns_exec(plan, rm_tree_fn, (void *)path, err);
}

void store_staging_done(struct store *s, struct staging *st, const struct idmap_plan *plan)
{
	char p[PATH_MAX + 80];
	struct werr ignored;

	if (st->fd < 0)
		return;
	snprintf(p, sizeof(p), "%s/%s", s->root, st->name);
	store_rm_tree(p, plan, &ignored);
	close(st->fd);
	st->fd = -1;
}

void store_blob_path(const struct store *s, const char *digest, char *buf, size_t size)
{
	snprintf(buf, size, "%s/blobs/sha256/%s", s->root, digest_hex(digest));
}

static void blob_rel(const char *digest, char *buf, size_t size)
{
	snprintf(buf, size, "blobs/sha256/%s", digest_hex(digest));
}

bool store_blob_has(struct store *s, const char *digest)
{
	char rel[100];

	if (!digest_valid(digest))
		return false;
	blob_rel(digest, rel, sizeof(rel));
	return faccessat(s->rootfd, rel, F_OK, 0) == 0;
}

int store_blob_open(struct store *s, const char *digest, struct werr *err)
{
	char rel[100];
	int fd;

	if (!digest_valid(digest))
		return werr_set(err, EINVAL, "invalid digest \"%s\"", digest);
	blob_rel(digest, rel, sizeof(rel));
	fd = openat(s->rootfd, rel, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return werr_errno(err, errno, "blob %s", digest);
	return fd;
}

int store_blob_put(struct store *s, const char *digest, const void *buf, size_t len, char *out,
                   struct werr *err)
{
	char got[DIGEST_STR_LEN + 1], rel[100];
	int r = digest_buf(buf, len, got);

	if (r < 0)
		return digest_init_error(r, err);
	if (digest && strcmp(digest, got))
		return werr_set(err, EBADMSG, "digest mismatch: expected %s, got %s", digest, got);
	if (out)
		memcpy(out, got, sizeof(got));
	blob_rel(got, rel, sizeof(rel));
	if (faccessat(s->rootfd, rel, F_OK, 0) == 0)
		return 0;
	return util_write_file_atomic(s->rootfd, rel, buf, len, 0600, err);
}

int store_blob_read(struct store *s, const char *digest, size_t max, char **buf, size_t *len,
                    struct werr *err)
{
	char rel[100], got[DIGEST_STR_LEN + 1];
	int r;

	if (!digest_valid(digest))
		return werr_set(err, EINVAL, "invalid digest \"%s\"", digest);
	blob_rel(digest, rel, sizeof(rel));
	if (util_read_file(s->rootfd, rel, max, buf, len, err) < 0)
		return werr_prefix(err, "blob %s", digest);
	r = digest_buf(*buf, *len, got);
	if (r < 0) {
		free(*buf);
		*buf = NULL;
		return digest_init_error(r, err);
	}
	if (strcmp(got, digest)) {
		free(*buf);
		*buf = NULL;
		return werr_set(err, EBADMSG,
		                "stored blob %s is damaged (its content hashes to %s): remove "
		                "the image and pull it again",
		                digest, got);
	}
	return 0;
}

int store_blob_commit(struct store *s, struct staging *st, const char *name, const char *digest,
                      struct werr *err)
{
	char rel[100];

	blob_rel(digest, rel, sizeof(rel));
	if (renameat(st->fd, name, s->rootfd, rel) < 0)
		return werr_errno(err, errno, "store blob %s", digest);
	return 0;
}

bool store_layer_has(struct store *s, const char *chain_id)
{
	char rel[100];

	snprintf(rel, sizeof(rel), "layers/%s", digest_hex(chain_id));
	return faccessat(s->rootfd, rel, F_OK, 0) == 0;
}

void store_layer_path(const struct store *s, const char *chain_id, char *buf, size_t size)
{
	snprintf(buf, size, "%s/layers/%s/diff", s->root, digest_hex(chain_id));
}

uint64_t store_layer_size(struct store *s, const char *chain_id)
{
	_cleanup_free_ char *t = NULL;
	char rel[100];
	size_t len;
	struct werr ignored;

	if (!digest_valid(chain_id))
		return 0;
	snprintf(rel, sizeof(rel), "layers/%s/size", digest_hex(chain_id));
	if (util_read_file(s->rootfd, rel, 64, &t, &len, &ignored) < 0)
		return 0;
	return strtoull(t, NULL, 10);
}

int store_layer_commit(struct store *s, struct staging *st, const char *name, const char *chain_id,
                       struct werr *err)
{
	char rel[100];

	snprintf(rel, sizeof(rel), "layers/%s", digest_hex(chain_id));
	/* RENAME_NOREPLACE: a layer committed by a concurrent pull stays; ours
	 * remains in staging and goes with it */
	if (renameat2(st->fd, name, s->rootfd, rel, RENAME_NOREPLACE) < 0 && errno != EEXIST &&
	    errno != ENOTEMPTY)
		return werr_errno(err, errno, "store layer %s", chain_id);
	return 0;
}
