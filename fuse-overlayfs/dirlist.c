/* dirlist.c - merged directory listings: a snapshot of a directory node's
 * layers, where whiteouts and .wh. names hide lower entries and offsets are
 * cookies made from the names; the emptiness and link count of a merged
 * directory come from one. Never lists a whiteout or the overlay's names. */
#include "ovl.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "dirlist.h"

static uint32_t dir_hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static int dir_hash_grow(struct ovl_dirlist *l)
{
	size_t cap = l->hcap ? l->hcap * 2 : 256;
	uint32_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		size_t b = dir_hash_name(ovl_dirent_name(l, i)) & (cap - 1);
		while (h[b])
			b = (b + 1) & (cap - 1);
		h[b] = (uint32_t)i + 1;
	}
	free(l->hash);
	l->hash = h;
	l->hcap = cap;
	return 0;
}

/* index of @name in the snapshot, or -1; *slot is where to insert it */
static long dir_find(const struct ovl_dirlist *l, const char *name, size_t *slot)
{
	size_t b = dir_hash_name(name) & (l->hcap - 1);

	while (l->hash[b]) {
		if (strcmp(ovl_dirent_name(l, l->hash[b] - 1), name) == 0)
			return (long)l->hash[b] - 1;
		b = (b + 1) & (l->hcap - 1);
	}
	*slot = b;
	return -1;
}

static int dir_add(struct ovl_dirlist *l, const char *name, uint8_t type, uint64_t ino)
{
	size_t len = strlen(name) + 1, slot;

	if ((l->n + 1) * 2 > l->hcap && dir_hash_grow(l) < 0)
		return -ENOMEM;
	if (dir_find(l, name, &slot) >= 0)
		return 0;
	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		void *p = realloc(l->ents, cap * sizeof(*l->ents));
		if (!p)
			return -ENOMEM;
		l->ents = p;
		l->cap = cap;
	}
	if (l->nlen + len > l->ncap) {
		size_t cap = l->ncap ? l->ncap * 2 : 4096;
		while (cap < l->nlen + len)
			cap *= 2;
		void *p = realloc(l->names, cap);
		if (!p)
			return -ENOMEM;
		l->names = p;
		l->ncap = cap;
	}
	memcpy(l->names + l->nlen, name, len);
	l->ents[l->n] = (struct ovl_dirent){ .ino = ino, .name = (uint32_t)l->nlen, .type = type };
	l->nlen += len;
	l->hash[slot] = (uint32_t)++l->n;
	return 0;
}

/* one entry of layer @layer's directory @fd */
static int dir_merge_entry(struct ovl_fs *fs, struct ovl_dirlist *l, int layer, int fd, bool xwh,
                           const char *name, uint8_t type, uint64_t ino)
{
	struct stat st;
	size_t slot;
	long i;

	if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0 || strcmp(name, OVL_WH_OPAQUE) == 0)
		return 0;
	if (ovl_name_reserved(name))
		return dir_add(l, name + sizeof(OVL_WH_PREFIX) - 1, DT_HIDDEN, 0);
	i = dir_find(l, name, &slot);
	if (i >= 0) {
		/* a directory merged with lower ones shows the bottom one's number */
		if (l->ents[i].type == DT_DIR && type == DT_DIR)
			l->ents[i].ino = ovl_present_ino(fs, layer, ino);
		return 0;
	}
	if (type == DT_UNKNOWN || type == DT_CHR || (type == DT_REG && xwh)) {
		if (fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
			return errno == ENOENT ? 0 : -errno;
		type = IFTODT(st.st_mode);
		if (ovl_is_whiteout(&st, fd, name, xwh))
			type = DT_HIDDEN;
	}
	return dir_add(l, name, type, ovl_present_ino(fs, layer, ino));
}

static int dir_read_layer(struct ovl_fs *fs, struct ovl_dirlist *l, int layer, int fd)
{
	static _Thread_local char buf[65536];
	bool xwh = ovl_dir_has_xwhiteouts(fd, "");

	for (;;) {
		long n = syscall(SYS_getdents64, fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		if (n == 0)
			return 0;
		for (long off = 0; off < n;) {
			struct dirent64 *de = (struct dirent64 *)(buf + off);
			int r = dir_merge_entry(fs, l, layer, fd, xwh, de->d_name, de->d_type,
			                        de->d_ino);
			if (r < 0)
				return r;
			off += de->d_reclen;
		}
	}
}

/**
 * ovl_dirlist_free() - close the layer directories of @l and free it (NULL
 * is nothing); a listing read ahead and never taken counts itself out.
 */
void ovl_dirlist_free(struct ovl_dirlist *l)
{
	if (!l)
		return;
	for (int i = 0; i < OVL_MAX_LAYERS; i++)
		if (l->fds[i] >= 0)
			close(l->fds[i]);
	free(l->ents);
	free(l->names);
	free(l->hash);
	free(l->sorted);
	free(l->found);
	if (l->ahead)
		atomic_fetch_sub(l->ahead, 1);
	free(l);
}

static int dir_cmp_cookie(const void *a, const void *b, void *list)
{
	const struct ovl_dirlist *l = list;
	uint64_t x = l->ents[*(const uint32_t *)a].cookie;
	uint64_t y = l->ents[*(const uint32_t *)b].cookie;

	return x < y ? -1 : x > y;
}

/*
 * Offsets are cookies made from the names (as ext4's hashed directories do),
 * not positions: a listing rebuilt after a change continues after the same
 * name, so an entry that stays is never skipped or listed twice.
 */
static int dir_sort_cookies(struct ovl_dirlist *l)
{
	l->sorted = malloc((l->n ? l->n : 1) * sizeof(*l->sorted));
	if (!l->sorted)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		uint64_t h = 14695981039346656037u;
		if (l->ents[i].type == DT_HIDDEN)
			continue;
		for (const char *p = ovl_dirent_name(l, i); *p; p++)
			h = (h ^ (uint8_t)*p) * 1099511628211u;
		l->ents[i].cookie = i < 2 ? i + 1 : (h >> 2) + 3;
		l->sorted[l->nsorted++] = (uint32_t)i;
	}
	qsort_r(l->sorted, l->nsorted, sizeof(*l->sorted), dir_cmp_cookie, l);
	return 0;
}

/**
 * ovl_dir_read() - snapshot of the merged directory @dir.
 * Return: 0 with *@out (ovl_dirlist_free() it), or -errno.
 */
int ovl_dir_read(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_dirlist **out)
{
	struct ovl_dirlist *l = calloc(1, sizeof(*l));
	char path[PATH_MAX];
	int r;

	if (!l)
		return -ENOMEM;
	for (int i = 0; i < OVL_MAX_LAYERS; i++)
		l->fds[i] = -1;
	r = ovl_node_path(fs, dir, path, sizeof(path));
	if (r == 0)
		r = dir_add(l, ".", DT_DIR, dir->ino);
	if (r == 0)
		r = dir_add(l, "..", DT_DIR, dir->parent ? dir->parent->ino : dir->ino);
	l->lmask = dir->lmask;
	for (int layer = 0; r == 0 && layer < fs->nlayers; layer++) {
		if (!(l->lmask & ovl_bit(layer)))
			continue;
		l->fds[layer] = ovl_open_at(fs, layer, path, O_RDONLY | O_DIRECTORY, 0);
		if (l->fds[layer] < 0) {
			r = l->fds[layer];
			break;
		}
		r = dir_read_layer(fs, l, layer, l->fds[layer]);
	}
	if (r == 0)
		r = dir_sort_cookies(l);
	if (r < 0) {
		ovl_dirlist_free(l);
		return r;
	}
	*out = l;
	return 0;
}

/**
 * ovl_dir_is_empty() - does the merged directory @dir list nothing but . and ..?
 */
bool ovl_dir_is_empty(struct ovl_fs *fs, struct ovl_node *dir, int *err)
{
	struct ovl_dirlist *l;
	bool empty = true;

	*err = ovl_dir_read(fs, dir, &l);
	if (*err < 0)
		return false;
	for (size_t i = 2; i < l->n && empty; i++)
		empty = l->ents[i].type == DT_HIDDEN;
	ovl_dirlist_free(l);
	return empty;
}

/* how many subdirectories the merged listing of @dir shows, or -errno */
static long dir_count_subdirs(struct ovl_fs *fs, struct ovl_node *dir)
{
	struct ovl_dirlist *l;
	long count = 0;
	int r = ovl_dir_read(fs, dir, &l);

	if (r < 0)
		return r;
	for (size_t i = 2; i < l->n; i++)
		count += l->ents[i].type == DT_DIR;
	ovl_dirlist_free(l);
	return count;
}

/**
 * ovl_dir_fix_nlink() - the link count of a merged directory as a plain one
 * has it, 2 + its subdirectories, not its top layer's (which misses the
 * subdirectories of the layers below); a directory of one layer has it
 * right already. The count is kept while nothing changes (fs->gen).
 */
void ovl_dir_fix_nlink(struct ovl_fs *fs, struct ovl_node *dir, struct stat *st)
{
	uint64_t lmask = atomic_load(&dir->lmask), gen = atomic_load(&fs->gen);
	/* a count made while a change runs might miss its end: not kept */
	bool quiet = atomic_load(&fs->changing) == 0;
	long count = -1;

	if (!S_ISDIR(st->st_mode) || (lmask & (lmask - 1)) == 0)
		return;
	/* trylock: a readdirplus holding its parent's lock gets here */
	if (pthread_mutex_trylock(&dir->list_lock) == 0) {
		if (quiet && dir->nsubdirs_gen == gen)
			count = dir->nsubdirs;
		pthread_mutex_unlock(&dir->list_lock);
	}
	if (count < 0 && (count = dir_count_subdirs(fs, dir)) < 0)
		return; /* the top layer's count, rather than none */
	st->st_nlink = 2 + (nlink_t)count;
	if (quiet && atomic_load(&fs->gen) == gen && atomic_load(&fs->changing) == 0 &&
	    pthread_mutex_trylock(&dir->list_lock) == 0) {
		dir->nsubdirs = (uint32_t)count;
		dir->nsubdirs_gen = gen;
		pthread_mutex_unlock(&dir->list_lock);
	}
}
