/* readdir.c - the READDIR and READDIRPLUS operations: a directory node keeps
 * the listing (dirlist.c) a readdir from the start took, or the one read
 * ahead (readahead.c), so offsets stay stable while entries come and go;
 * READDIRPLUS answers lookups from the open layer directories. Never lists
 * a whiteout or the overlay's own names. */
#include "ovl.h"

#include <dirent.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "dirlist.h"

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

/**
 * ovl_dir_fill_ops() - the directory operations of @ops: opendir,
 * readdir, readdirplus, releasedir, fsyncdir.
 */
void ovl_dir_fill_ops(struct fuse_lowlevel_ops *ops)
{
	ops->opendir = dir_opendir;
	ops->readdir = dir_readdir;
	ops->readdirplus = dir_readdirplus;
	ops->releasedir = dir_releasedir;
	ops->fsyncdir = dir_fsyncdir;
}
