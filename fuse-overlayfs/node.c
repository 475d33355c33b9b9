/* node.c - the table of inodes the kernel knows: lookup by presented inode
 * number (so hard links are one node), names and parents for building layer
 * paths, reference counts. The table lock is held only for these in-memory
 * steps, never across a filesystem syscall. */
#include "ovl.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static size_t node_bucket(struct ovl_fs *fs, uint64_t ino)
{
	ino ^= ino >> 29;
	ino *= UINT64_C(0xbf58476d1ce4e5b9);
	ino ^= ino >> 32;
	return ino & (fs->nbuckets - 1);
}

/**
 * ovl_node_get() - the node behind a FUSE inode id (the root is id 1).
 */
struct ovl_node *ovl_node_get(struct ovl_fs *fs, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? fs->root : (struct ovl_node *)(uintptr_t)ino;
}

/* take @n off the chain of nodes by upper_ino; caller holds tree_lock for writing */
static void node_unmap_locked(struct ovl_fs *fs, struct ovl_node *n)
{
	struct ovl_node **pp = &fs->ubuckets[node_bucket(fs, n->upper_ino)];

	while (*pp && *pp != n)
		pp = &(*pp)->unext;
	if (*pp) {
		*pp = n->unext;
		atomic_fetch_sub(&fs->nremapped, 1);
	}
	n->upper_ino = 0;
}

/**
 * ovl_node_set_upper_ino() - @n was copied up without a record of its
 * origin (a symlink holds no user xattr; an upper filesystem without
 * xattrs): its upper copy is presented as @uino by a lookup, which must
 * still find @n, under its own number, while the kernel knows it.
 */
void ovl_node_set_upper_ino(struct ovl_fs *fs, struct ovl_node *n, uint64_t uino)
{
	pthread_rwlock_wrlock(&fs->tree_lock);
	if (!fs->ubuckets)
		fs->ubuckets = calloc(fs->nbuckets, sizeof(*fs->ubuckets));
	if (fs->ubuckets && n->refs) {
		size_t b = node_bucket(fs, uino);
		if (n->upper_ino)
			node_unmap_locked(fs, n);
		n->upper_ino = uino;
		n->unext = fs->ubuckets[b];
		fs->ubuckets[b] = n;
		atomic_fetch_add(&fs->nremapped, 1);
	}
	pthread_rwlock_unlock(&fs->tree_lock);
}

/**
 * ovl_node_map_upper_ino() - the number to present for an upper entry
 * whose own presented number is @uino: that of the node it was copied up
 * from (ovl_node_set_upper_ino()), else @uino.
 */
uint64_t ovl_node_map_upper_ino(struct ovl_fs *fs, uint64_t uino)
{
	uint64_t ino = uino;

	if (atomic_load(&fs->nremapped) == 0)
		return uino;
	pthread_rwlock_rdlock(&fs->tree_lock);
	for (struct ovl_node *n = fs->ubuckets[node_bucket(fs, uino)]; n; n = n->unext)
		if (n->upper_ino == uino) {
			ino = n->ino;
			break;
		}
	pthread_rwlock_unlock(&fs->tree_lock);
	return ino;
}

/* caller holds tree_lock for writing */
static void node_release_locked(struct ovl_fs *fs, struct ovl_node *n)
{
	while (n && --n->refs == 0 && n != fs->root) {
		struct ovl_node *parent = n->parent;
		struct ovl_node **pp = &fs->buckets[node_bucket(fs, n->ino)];
		while (*pp && *pp != n)
			pp = &(*pp)->hnext;
		if (*pp)
			*pp = n->hnext;
		fs->count--;
		if (n->upper_ino)
			node_unmap_locked(fs, n);
		if (n->parked && n->drop_parked)
			unlinkat(ovl_layer_fd(fs, n->layer), n->name,
			         S_ISDIR(n->type) ? AT_REMOVEDIR : 0);
		while (n->aliases) {
			struct ovl_alias *a = n->aliases;
			n->aliases = a->next;
			node_release_locked(fs, a->parent);
			free(a);
		}
		pthread_mutex_destroy(&n->lock);
		pthread_mutex_destroy(&n->list_lock);
		ovl_dirlist_free(n->listing);
		free(n->name);
		free(n);
		n = parent;
	}
}

/**
 * ovl_node_ref_parent() - a counted reference on @n's current parent, or NULL.
 */
struct ovl_node *ovl_node_ref_parent(struct ovl_fs *fs, struct ovl_node *n)
{
	struct ovl_node *p;

	pthread_rwlock_wrlock(&fs->tree_lock);
	p = n->parent;
	if (p)
		p->refs++;
	pthread_rwlock_unlock(&fs->tree_lock);
	return p;
}

/**
 * ovl_node_ref_many() - a temporary reference on each of @n[0..@count), to be
 * dropped with ovl_node_unref() (the nodes must be alive: the caller holds
 * a reference, or the kernel one it has not been told of yet).
 */
void ovl_node_ref_many(struct ovl_fs *fs, struct ovl_node **n, size_t count)
{
	if (count == 0)
		return;
	pthread_rwlock_wrlock(&fs->tree_lock);
	for (size_t i = 0; i < count; i++)
		n[i]->refs++;
	pthread_rwlock_unlock(&fs->tree_lock);
}

/**
 * ovl_node_unref() - drop a temporary reference on @n; the last one frees
 * it, and then its parent's reference.
 */
void ovl_node_unref(struct ovl_fs *fs, struct ovl_node *n)
{
	pthread_rwlock_wrlock(&fs->tree_lock);
	node_release_locked(fs, n);
	pthread_rwlock_unlock(&fs->tree_lock);
}

static struct ovl_node *node_find_locked(struct ovl_fs *fs, uint64_t ino)
{
	struct ovl_node *n = fs->buckets[node_bucket(fs, ino)];

	while (n && n->ino != ino)
		n = n->hnext;
	return n;
}

/**
 * ovl_node_find_ref() - the node presented as @ino, with a reference that the
 * caller drops with ovl_node_unref(); NULL when the kernel knows none.
 */
struct ovl_node *ovl_node_find_ref(struct ovl_fs *fs, uint64_t ino)
{
	struct ovl_node *n;

	pthread_rwlock_wrlock(&fs->tree_lock);
	n = node_find_locked(fs, ino);
	if (n)
		n->refs++;
	pthread_rwlock_unlock(&fs->tree_lock);
	return n;
}

/* point @n at @parent/@name; caller holds the write lock */
static int node_rename_locked(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *parent,
                              const char *name)
{
	char *copy;
	struct ovl_node *old = n->parent;

	if (!n->parked && old == parent && strcmp(n->name, name) == 0) {
		n->stale = n->gone = false;
		return 0;
	}
	copy = strdup(name);
	if (!copy)
		return -ENOMEM;
	if (n->parked) {
		/* found under a name again: the one of ours is no longer needed in
		 * workdir/work (an index name stays: it counts for the links) */
		if (n->drop_parked && n->layer == OVL_WORK_LAYER)
			unlinkat(fs->workfd, n->name, 0);
		n->parked = n->drop_parked = false;
		n->layer = OVL_UPPER;
		n->lmask = ovl_bit(OVL_UPPER);
	}
	free(n->name);
	n->name = copy;
	parent->refs++;
	n->parent = parent;
	n->stale = n->gone = false;
	node_release_locked(fs, old);
	return 0;
}

static bool node_is(const struct ovl_node *n, const struct ovl_node *parent, const char *name)
{
	return n->parent == parent && strcmp(n->name, name) == 0;
}

/* remember @parent/@name as another name of the hard-linked @n */
static void node_add_alias_locked(struct ovl_node *n, struct ovl_node *parent, const char *name)
{
	struct ovl_alias *a;

	if (node_is(n, parent, name))
		return;
	for (a = n->aliases; a; a = a->next)
		if (a->parent == parent && strcmp(a->name, name) == 0)
			return;
	a = malloc(sizeof(*a) + strlen(name) + 1);
	if (!a)
		return; /* only costs a lookup later */
	strcpy(a->name, name);
	a->parent = parent;
	parent->refs++;
	a->next = n->aliases;
	n->aliases = a;
}

/* the alias @parent/@name of @n, unlinked from the list, or NULL */
static struct ovl_alias *node_take_alias_locked(struct ovl_node *n, struct ovl_node *parent,
                                                const char *name)
{
	for (struct ovl_alias **pp = &n->aliases; *pp; pp = &(*pp)->next) {
		struct ovl_alias *a = *pp;
		if (a->parent == parent && strcmp(a->name, name) == 0) {
			*pp = a->next;
			return a;
		}
	}
	return NULL;
}

/**
 * ovl_node_intern() - the node for an entry found by ovl_lookup_name(): the
 * existing one with that inode number, or a new one under @parent.
 * @kernel_ref: count one more kernel lookup reference (a reply with an entry);
 *              else the caller gets a temporary reference to ovl_node_unref()
 * Return: the node, or NULL when out of memory.
 */
struct ovl_node *ovl_node_intern(struct ovl_fs *fs, struct ovl_node *parent, const char *name,
                                 const struct ovl_found *f, bool kernel_ref)
{
	struct ovl_node *n;

	pthread_rwlock_wrlock(&fs->tree_lock);
	n = node_find_locked(fs, f->st.st_ino);
	if (n) {
		if (n->stale || n->gone || n->parked || S_ISDIR(n->type))
			node_rename_locked(fs, n, parent, name);
		else
			node_add_alias_locked(n, parent, name);
		if (S_ISDIR(n->type) || f->layer < n->layer) {
			n->lmask = f->lmask;
			n->layer = f->layer;
		}
	} else {
		n = calloc(1, sizeof(*n));
		if (!n || !(n->name = strdup(name))) {
			free(n);
			pthread_rwlock_unlock(&fs->tree_lock);
			return NULL;
		}
		n->ino = f->st.st_ino;
		n->type = f->st.st_mode & S_IFMT;
		n->lmask = f->lmask;
		n->layer = f->layer;
		n->parent = parent;
		parent->refs++;
		pthread_mutex_init(&n->lock, NULL);
		pthread_mutex_init(&n->list_lock, NULL);
		size_t b = node_bucket(fs, n->ino);
		n->hnext = fs->buckets[b];
		fs->buckets[b] = n;
		fs->count++;
		n->refs = 0;
	}
	if (!kernel_ref)
		n->refs++; /* a temporary reference: the caller drops it */
	else if (n->nlookup++ == 0)
		n->refs++;
	pthread_rwlock_unlock(&fs->tree_lock);
	return n;
}

/**
 * ovl_node_forget() - drop @nlookup kernel references (FUSE forget).
 */
void ovl_node_forget(struct ovl_fs *fs, struct ovl_node *n, uint64_t nlookup)
{
	if (n == fs->root)
		return;
	pthread_rwlock_wrlock(&fs->tree_lock);
	if (nlookup >= n->nlookup) {
		bool had = n->nlookup != 0;
		n->nlookup = 0;
		if (had)
			node_release_locked(fs, n);
	} else {
		n->nlookup -= nlookup;
	}
	pthread_rwlock_unlock(&fs->tree_lock);
}

/**
 * ovl_node_rename() - after a rename, the name @oldparent/@oldname of @n is
 * @parent/@name (its main name or one of its hard-link aliases).
 */
void ovl_node_rename(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *oldparent,
                     const char *oldname, struct ovl_node *parent, const char *name)
{
	struct ovl_alias *a;

	pthread_rwlock_wrlock(&fs->tree_lock);
	a = node_take_alias_locked(n, oldparent, oldname);
	if (a) {
		node_add_alias_locked(n, parent, name);
		node_release_locked(fs, a->parent);
		free(a);
	} else {
		node_rename_locked(fs, n, parent, name);
	}
	pthread_rwlock_unlock(&fs->tree_lock);
}

/**
 * ovl_node_open() - open @n in its topmost layer with @flags.
 * Return: a file descriptor or -errno.
 */
int ovl_node_open(struct ovl_fs *fs, struct ovl_node *n, int flags)
{
	int r = ovl_node_path(fs, n, ovl_pathbuf, sizeof(ovl_pathbuf));

	if (r < 0)
		return r;
	return ovl_open_at(fs, n->layer, ovl_pathbuf, flags, 0);
}

/**
 * ovl_node_stat() - stat @n as the mount presents it.
 * Return: 0 or -errno.
 */
int ovl_node_stat(struct ovl_fs *fs, struct ovl_node *n, struct stat *st)
{
	struct ovl_xpath x = { .fd = -1 };
	const char *xp = NULL;
	int layer = n->layer;
	int r = ovl_node_path(fs, n, ovl_pathbuf, sizeof(ovl_pathbuf));

	if (r < 0)
		return r;
	if (fstatat(ovl_layer_fd(fs, layer), ovl_pathbuf, st, AT_SYMLINK_NOFOLLOW) < 0)
		return -errno;
	if (fs->xattr_permissions)
		xp = ovl_xpath(&x, ovl_layer_fd(fs, layer), ovl_pathbuf);
	ovl_present_stat(fs, st, fs->xattr_permissions ? xp : NULL);
	ovl_xpath_done(&x);
	ovl_fix_nlink(fs, st, n->ino, layer);
	/* a lower object: its removed name still counts there */
	if (n->gone && st->st_nlink > 0)
		st->st_nlink = S_ISDIR(st->st_mode) ? 0 : st->st_nlink - 1;
	ovl_dir_fix_nlink(fs, n, st);
	st->st_ino = n->ino;
	return 0;
}

/**
 * ovl_node_drop_name() - @dir/@name, a name of @n, was removed: paths through
 * @n fail until a lookup finds another of its names.
 */
void ovl_node_drop_name(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *dir,
                        const char *name, enum ovl_keep keep)
{
	struct ovl_alias *a;
	char *idx = malloc(32);

	pthread_rwlock_wrlock(&fs->tree_lock);
	if (!node_is(n, dir, name)) {
		a = node_take_alias_locked(n, dir, name);
	} else if ((a = n->aliases)) {
		/* the main name goes: another name of the same file takes its place */
		n->aliases = a->next;
		node_rename_locked(fs, n, a->parent, a->name);
	} else if (keep != OVL_KEEP_NONE && idx) {
		/* its other names (or the kernel alone) hold it: the index reaches it */
		ovl_index_name(idx, 32, n->ino);
		free(n->name);
		n->name = idx;
		idx = NULL;
		n->parked = true;
		n->drop_parked = keep == OVL_KEEP_INDEX_DROP;
		n->layer = OVL_INDEX_LAYER;
		n->lmask = ovl_bit(OVL_INDEX_LAYER);
	} else if (n->layer == OVL_UPPER) {
		n->stale = true;
	} else {
		n->gone = true; /* it stays in its lower layer: open users read on */
	}
	if (a) {
		node_release_locked(fs, a->parent);
		free(a);
	}
	pthread_rwlock_unlock(&fs->tree_lock);
	free(idx);
}

/**
 * ovl_node_name_state() - whether the kernel holds @n (@held) and whether
 * @dir/@name is the one name of it the table knows (@only).
 */
void ovl_node_name_state(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *dir,
                         const char *name, bool *held, bool *only)
{
	pthread_rwlock_rdlock(&fs->tree_lock);
	*held = n->nlookup != 0;
	*only = node_is(n, dir, name) && !n->aliases;
	pthread_rwlock_unlock(&fs->tree_lock);
}

/**
 * ovl_node_park() - @dir/@name, the last known name of the upper file or
 * (emptied) directory @n, was moved to workdir/work/@tmp by its removal:
 * when the kernel still holds @n (an open file), it lives on there until
 * forgotten.
 * Return: true when parked (the caller keeps @tmp), false to remove it.
 */
bool ovl_node_park(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *dir, const char *name,
                   const char *tmp)
{
	bool park = false;
	char *copy = strdup(tmp);

	pthread_rwlock_wrlock(&fs->tree_lock);
	if (copy && n->nlookup && !n->aliases && node_is(n, dir, name)) {
		free(n->name);
		n->name = copy;
		copy = NULL;
		n->parked = n->drop_parked = true;
		n->layer = OVL_WORK_LAYER;
		n->lmask = ovl_bit(OVL_WORK_LAYER);
		park = true;
	}
	pthread_rwlock_unlock(&fs->tree_lock);
	free(copy);
	return park;
}
