/* dir.c - merged directory listings: a snapshot per directory node, taken
 * when a readdir starts from the beginning (or read ahead, readahead.c), so
 * offsets stay stable while entries come and go; whiteouts and .wh. names
 * hide lower entries; readdirplus answers lookups from the open layer
 * directories. Never lists a whiteout or the overlay's own names. */
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
		r = ovl_lookup_name(fs, dir, ovl_dirlist_fds(l, dir), ovl_dirent_name(l, i), &f);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		n = ovl_node_intern(fs, dir, ovl_dirent_name(l, i), &f, false);
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

/* the listing of @dir for a readdir at @off; dir->list_lock held. A
 * readdir from the start gets a fresh snapshot, or the one read ahead while
 * nothing changed. */
static int dir_listing(struct ovl_fs *fs, struct ovl_node *dir, off_t off)
{
	struct ovl_dirlist *l = dir->listing;

	if (l && !dir->listing_stale && (off != 0 || ovl_ra_take(fs, l)))
		return 0;
	ovl_dirlist_free(l);
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

/* readdirplus's lookup of entry @i of @l: the one read ahead while it is
 * still true (@ahead), else one made now */
static int dir_entry_lookup(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_dirlist *l,
                            size_t i, bool ahead, struct fuse_entry_param *e)
{
	const char *name = ovl_dirent_name(l, i);
	const int *fds = ovl_dirlist_fds(l, dir);

	if (ahead && l->ents[i].found > 0)
		return ovl_lookup_entry_found(fs, dir, fds, name, &l->found[i], e);
	if (ahead && l->ents[i].found < 0) {
		e->ino = 0; /* gone since it was listed */
		return 0;
	}
	return ovl_lookup_entry(fs, dir, fds, name, e);
}

/* one entry of a readdir(plus) reply into @buf; Return: its size, more
 * than @room when it did not fit, 0 when the entry is to be left out */
static size_t dir_add_entry(fuse_req_t req, struct ovl_fs *fs, struct ovl_node *dir,
                            struct ovl_dirlist *l, size_t i, bool plus, bool ahead, char *buf,
                            size_t room, struct fuse_entry_param *e)
{
	const char *name = ovl_dirent_name(l, i);
	off_t next = (off_t)l->ents[i].cookie;
	size_t need;

	memset(e, 0, sizeof(*e));
	if (!plus) {
		struct stat st = { .st_ino = l->ents[i].ino,
			           .st_mode = (mode_t)DTTOIF(l->ents[i].type) };
		need = fuse_add_direntry(req, buf, room, name, &st, next);
		return need ? need : room + 1;
	}
	if (i < 2) {
		e->attr.st_ino = l->ents[i].ino;
		e->attr.st_mode = S_IFDIR;
	} else if (dir_entry_lookup(fs, dir, l, i, ahead, e) < 0 || e->ino == 0) {
		return 0;
	}
	need = fuse_add_direntry_plus(req, buf, room, name, e, next);
	if (need > room && e->ino) {
		ovl_node_forget(fs, ovl_node_get(fs, e->ino), 1);
		e->ino = 0;
	}
	return need ? need : room + 1;
}

/* entries of one READDIRPLUS reply (128 KiB) at most: each is 152 bytes and a name */
#define DIR_PLUS_MAX ((1 << 17) / 152)

static void dir_readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                               struct fuse_file_info *fi, bool plus)
{
	static _Thread_local char buf[1 << 17];
	struct ovl_fs *fs = ovl_fs_of(req);
	struct ovl_node *dir = ovl_node_get(fs, ino), *subdirs[OVL_RA_BATCH];
	/* the entries of the reply, for file read-ahead */
	static _Thread_local struct ovl_node *files[DIR_PLUS_MAX];
	static _Thread_local off_t sizes[DIR_PLUS_MAX];
	/* a walk goes down: a directory read below one read before */
	bool walk = plus && fs->ra && dir->parent && dir->parent->listed;
	struct ovl_dirlist *l;
	size_t used = 0, nsub = 0, nfiles = 0;
	bool ahead;
	int r;

	pthread_mutex_lock(&dir->list_lock);
	r = dir_listing(fs, dir, off);
	if (r < 0) {
		pthread_mutex_unlock(&dir->list_lock);
		fuse_reply_err(req, -r);
		return;
	}
	l = dir->listing;
	if (off == 0)
		dir->listed = true;
	walk = walk && !l->queued;
	ahead = l->found && l->gen == atomic_load(&fs->gen);
	if (size > sizeof(buf))
		size = sizeof(buf);
	size_t p;
	for (p = dir_seek(l, off); p < l->nsorted; p++) {
		struct fuse_entry_param e;
		size_t need = dir_add_entry(req, fs, dir, l, l->sorted[p], plus, ahead, buf + used,
		                            size - used, &e);
		if (need > size - used)
			break;
		used += need;
		if (walk && e.ino && S_ISDIR(e.attr.st_mode) && l->sorted[p] >= 2 &&
		    nsub < OVL_RA_BATCH)
			subdirs[nsub++] = ovl_node_get(fs, e.ino);
		if (plus && fs->fa && e.ino && l->sorted[p] >= 2 &&
		    nfiles < sizeof(files) / sizeof(*files)) {
			sizes[nfiles] = e.attr.st_size;
			files[nfiles++] = ovl_node_get(fs, e.ino);
		}
	}
	l->served = p; /* read-ahead looks up what comes after */
	if (used == 0) {
		/* the end: the kernel keeps the listing in its cache now */
		ovl_dirlist_free(dir->listing);
		dir->listing = NULL;
	}
	pthread_mutex_unlock(&dir->list_lock);
	/* held before the reply: after it, the kernel may forget them */
	ovl_node_ref_many(fs, subdirs, nsub);
	if (nfiles)
		ovl_fa_plan(fs, dir, files, sizes, nfiles);
	fuse_reply_buf(req, buf, used);
	if (nsub)
		ovl_ra_queue(fs, dir, subdirs, nsub);
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
