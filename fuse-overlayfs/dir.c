/* dir.c - merged directory listings: one snapshot per open directory, taken
 * at opendir, so offsets stay stable while entries come and go; whiteouts and
 * .wh. names hide lower entries; readdirplus answers lookups from the open
 * layer directories. Never lists a whiteout or the overlay's own names. */
#include "ovl.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#define DT_HIDDEN 0xff /* a name a whiteout hides: never listed */

struct ovl_dirent {
	uint64_t ino;
	uint64_t cookie; /* the readdir offset after this entry: a hash of the name */
	uint32_t name;
	uint8_t type;
};

struct ovl_dirlist {
	int fds[OVL_MAX_LAYERS]; /* O_RDONLY per layer of the snapshot, else -1 */
	uint64_t lmask;          /* layers the snapshot read */
	struct ovl_dirent *ents;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
	uint32_t *hash; /* open addressing: index + 1 into ents, 0 empty */
	size_t hcap;
	uint32_t *sorted; /* visible entries by cookie */
	size_t nsorted;
};

static uint32_t dir_hash_name(const char *s)
{
	uint32_t h = 2166136261u;

	while (*s)
		h = (h ^ (uint8_t)*s++) * 16777619u;
	return h;
}

static const char *dirent_name(const struct ovl_dirlist *l, size_t i)
{
	return l->names + l->ents[i].name;
}

static int dir_hash_grow(struct ovl_dirlist *l)
{
	size_t cap = l->hcap ? l->hcap * 2 : 256;
	uint32_t *h = calloc(cap, sizeof(*h));

	if (!h)
		return -ENOMEM;
	for (size_t i = 0; i < l->n; i++) {
		size_t b = dir_hash_name(dirent_name(l, i)) & (cap - 1);
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
		if (strcmp(dirent_name(l, l->hash[b] - 1), name) == 0)
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
		for (const char *p = dirent_name(l, i); *p; p++)
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

/* the layer directory fds of @l, when they still match @dir's layers */
static const int *dirlist_fds(const struct ovl_dirlist *l, const struct ovl_node *dir)
{
	return l->lmask == dir->lmask ? l->fds : NULL;
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

/**
 * ovl_dirlist_each_child() - call @fn on the node of every entry of @l (a
 * snapshot of @dir), each held by a temporary reference.
 * Return: 0 or the first negative value.
 */
int ovl_dirlist_each_child(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_dirlist *l,
                           int (*fn)(struct ovl_fs *, struct ovl_node *))
{
	for (size_t i = 2; i < l->n; i++) {
		struct ovl_found f;
		struct ovl_node *n;
		int r;
		if (l->ents[i].type == DT_HIDDEN)
			continue;
		r = ovl_lookup_name(fs, dir, dirlist_fds(l, dir), dirent_name(l, i), &f);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		n = ovl_node_intern(fs, dir, dirent_name(l, i), &f, false);
		if (!n)
			return -ENOMEM;
		r = fn(fs, n);
		ovl_node_unref(fs, n);
		if (r < 0)
			return r;
	}
	return 0;
}

/* implements fuse_lowlevel_ops.opendir: ENOSYS once, and the kernel stops
 * sending OPENDIR and RELEASEDIR (two round trips less per directory); the
 * listing lives in the node instead, see dir_listing() */
static void dir_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, ENOSYS);
}

/**
 * ovl_dir_changed() - a name in @dir came or went: the next readdir rebuilds.
 */
void ovl_dir_changed(struct ovl_node *dir)
{
	pthread_mutex_lock(&dir->list_lock);
	dir->listing_stale = true;
	pthread_mutex_unlock(&dir->list_lock);
}

/* the listing of @dir for a readdir at @off; dir->list_lock held */
static int dir_listing(struct ovl_fs *fs, struct ovl_node *dir, off_t off)
{
	if (dir->listing && !dir->listing_stale && off != 0)
		return 0;
	ovl_dirlist_free(dir->listing);
	dir->listing = NULL;
	dir->listing_stale = false;
	return ovl_dir_read(fs, dir, &dir->listing);
}

/* first position in @l's cookie order after @off */
static size_t dir_seek(const struct ovl_dirlist *l, off_t off)
{
	size_t lo = 0, hi = l->nsorted;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (l->ents[l->sorted[mid]].cookie <= (uint64_t)off)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static void dir_readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                               struct fuse_file_info *fi, bool plus)
{
	static _Thread_local char buf[1 << 17];
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *dir = ovl_node_get(fs, ino);
	struct ovl_dirlist *l;
	size_t used = 0;
	int r;

	pthread_mutex_lock(&dir->list_lock);
	r = dir_listing(fs, dir, off);
	if (r < 0) {
		pthread_mutex_unlock(&dir->list_lock);
		fuse_reply_err(req, -r);
		return;
	}
	l = dir->listing;
	if (size > sizeof(buf))
		size = sizeof(buf);
	for (size_t p = dir_seek(l, off); p < l->nsorted; p++) {
		size_t i = l->sorted[p];
		const char *name = dirent_name(l, i);
		off_t next = (off_t)l->ents[i].cookie;
		size_t need;
		if (plus) {
			struct fuse_entry_param e = { 0 };
			if (i < 2) {
				e.attr.st_ino = l->ents[i].ino;
				e.attr.st_mode = S_IFDIR;
			} else {
				int lr = ovl_lookup_entry(fs, dir, dirlist_fds(l, dir), name, &e);
				if (lr < 0 || e.ino == 0)
					continue;
			}
			need = fuse_add_direntry_plus(req, buf + used, size - used, name, &e, next);
			if (need > size - used) {
				if (e.ino)
					ovl_node_forget(fs, ovl_node_get(fs, e.ino), 1);
				break;
			}
		} else {
			struct stat st = { .st_ino = l->ents[i].ino,
				           .st_mode = (mode_t)DTTOIF(l->ents[i].type) };
			need = fuse_add_direntry(req, buf + used, size - used, name, &st, next);
			if (need > size - used)
				break;
		}
		used += need;
	}
	if (used == 0) {
		/* the end: the kernel keeps the listing in its cache now */
		ovl_dirlist_free(dir->listing);
		dir->listing = NULL;
	}
	pthread_mutex_unlock(&dir->list_lock);
	fuse_reply_buf(req, buf, used);
}

/* implements fuse_lowlevel_ops.readdir */
static void dir_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                        struct fuse_file_info *fi)
{
	dir_readdir_common(req, ino, size, off, fi, false);
}

/* implements fuse_lowlevel_ops.readdirplus */
static void dir_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                            struct fuse_file_info *fi)
{
	dir_readdir_common(req, ino, size, off, fi, true);
}

/* implements fuse_lowlevel_ops.releasedir */
static void dir_releasedir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

/* implements fuse_lowlevel_ops.fsyncdir: opendir is zero-message (fi->fh is
 * nothing of ours), so the upper directory is opened here */
static void dir_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync, struct fuse_file_info *fi)
{
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *dir = ovl_node_get(fs, ino);
	int fd, r = 0;

	if (fs->has_upper && dir->layer == OVL_UPPER) {
		fd = ovl_node_open(fs, dir, O_RDONLY | O_DIRECTORY);
		if (fd < 0)
			r = fd;
		else {
			if ((datasync ? fdatasync(fd) : fsync(fd)) < 0)
				r = -errno;
			close(fd);
		}
	}
	fuse_reply_err(req, -r);
}

void ovl_dir_fill_ops(struct fuse_lowlevel_ops *ops)
{
	ops->opendir = dir_opendir;
	ops->readdir = dir_readdir;
	ops->readdirplus = dir_readdirplus;
	ops->releasedir = dir_releasedir;
	ops->fsyncdir = dir_fsyncdir;
}
