/* ovl.h - warren-overlay's shared types: the layers, the node table and the
 * per-request helpers every operation file uses. Nothing here runs a
 * filesystem syscall while holding the node table lock. */
#ifndef WARREN_OVL_H
#define WARREN_OVL_H

#define FUSE_USE_VERSION 312

#include <fuse_lowlevel.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "werr.h"

#define OVL_MAX_LAYERS 64
#define OVL_UPPER      0                    /* layer index of the upper layer; lowers follow */
#define OVL_WORK_LAYER (OVL_MAX_LAYERS - 1) /* removed files still open: workdir/work */
#define OVL_INDEX_LAYER                                                                            \
	(OVL_MAX_LAYERS - 2) /* a file reached by its workdir/index name (links.c) */
#define OVL_WH_PREFIX ".wh."
#define OVL_WH_OPAQUE ".wh..wh..opq"
#define OVL_MAX_IDMAP 32

struct ovl_idmap_ext {
	uint32_t inner; /* id seen through the mount */
	uint32_t outer; /* id stored in the layers */
	uint32_t len;
};

struct ovl_idmap {
	struct ovl_idmap_ext ext[OVL_MAX_IDMAP];
	int n;
};

/* what main() collected from -o; ovl_fs_open() turns it into a struct ovl_fs */
struct ovl_config {
	char *lowerdir; /* "A:B:C", topmost first */
	char *upperdir;
	char *workdir;
	char *mountpoint;
	const char *source; /* SOURCE of "SOURCE MOUNTPOINT" (mount(8)), or NULL */
	struct ovl_idmap uidmap, gidmap;
	int xattr_permissions; /* 0 off, 2 user.containers.override_stat */
	double timeout;        /* entry/attr cache seconds */
	int threads;           /* worker threads */
	int spin_us;           /* a worker polls this long after a request */
	int readahead;         /* directory listings read ahead of a walk (0: off) */
	bool foreground, debug, allow_other, readonly;
	int mount_fd_to; /* --mount-fd=N: send a detached copy of the mount over socket N; -1 */
	char fuse_opts[1024]; /* options passed through to the kernel mount */
};

struct ovl_layer {
	int fd;     /* O_PATH|O_DIRECTORY root of the layer */
	dev_t dev;  /* st_dev of the root */
	char *path; /* as given, for messages */
	int fsidx;  /* small number per distinct st_dev, for inode numbers */
};

/*
 * One node per inode the kernel knows. Names and parents are protected by
 * fs->tree_lock (short critical sections, no syscalls); a node's own lock
 * serialises its copy-up.
 */
/* another name of a hard-linked node, so removing one name keeps the others */
struct ovl_alias {
	struct ovl_alias *next;
	struct ovl_node *parent; /* holds a reference */
	char name[];
};

struct ovl_node {
	struct ovl_node *hnext;    /* hash chain by ino */
	struct ovl_alias *aliases; /* other names (hard links) seen by lookups */
	struct ovl_node *parent;   /* holds a reference on the parent */
	char *name;
	uint64_t ino;           /* st_ino presented; stable across copy-up */
	uint64_t nlookup;       /* kernel references (tree_lock) */
	uint64_t refs;          /* nlookup != 0 plus children (tree_lock) */
	_Atomic uint64_t lmask; /* directories: layers merged; else the one layer */
	_Atomic int layer;      /* topmost layer holding it */
	mode_t type;            /* S_IFMT bits */
	bool stale;             /* its name was removed; a lookup may revive it */
	bool parked;            /* reached by a name of ours: workdir/work/NAME or index/NAME */
	bool drop_parked;       /* parked: remove that name when the node goes */
	bool gone;              /* a lower file whose name was removed: readable, never copied up */
	bool listed;            /* directories: read from the start at least once */
	uint64_t fa_pos;        /* 1 + its place in the file read-ahead plan, 0 none */
	uint64_t upper_ino;     /* copied up without a recorded origin: the upper copy's
	                         * presented number, which lookups map back to ino */
	struct ovl_node *unext; /* hash chain by upper_ino */
	pthread_mutex_t lock;
	/* directories: the listing readdir serves (readdir.c), rebuilt when stale */
	struct ovl_dirlist *listing;
	bool listing_stale;
	uint32_t nsubdirs;     /* merged directories: subdirectories counted (list_lock) */
	uint64_t nsubdirs_gen; /* fs->gen when counted, 0 never */
	pthread_mutex_t list_lock;
};

struct ovl_fs {
	struct ovl_layer layers[OVL_MAX_LAYERS];
	int nlayers;    /* including slot 0, used only when has_upper */
	bool has_upper; /* else read-only */
	int workfd;     /* O_PATH of workdir/work (temp files for copy-up) */
	int indexfd;    /* O_PATH of workdir/index (hard links across copy-up) */
	bool xino;      /* layers on more than one filesystem */
	struct ovl_idmap uidmap, gidmap;
	int xattr_permissions;
	double timeout;
	uid_t euid;
	gid_t egid;
	bool wh_chardev; /* mknod 0/0 whiteouts work on the upper fs */
	bool upper_xattr;

	pthread_rwlock_t tree_lock;
	struct ovl_node **buckets;
	size_t nbuckets, count;
	struct ovl_node **ubuckets; /* nodes by upper_ino (same size), from the first use */
	_Atomic size_t nremapped;
	unsigned name_max; /* longest name: the upper filesystem's, less 4 for .wh. files */
	struct ovl_node *root;
	atomic_uint_fast64_t tmpseq;

	/* every request that may change the tree bumps gen before it starts and
	 * counts itself in changing while it runs (loop.c): what was read while
	 * gen held still and nothing was changing is still true */
	atomic_uint_fast64_t gen;
	atomic_int changing;
	struct ovl_ra *ra; /* directory read-ahead (readahead.c), NULL when off */
	struct ovl_fa *fa; /* file read-ahead (fileahead.c), NULL when off */
};

/* result of looking a name up through the layers */
struct ovl_found {
	struct stat st; /* of the topmost entry, presented ino filled in */
	int layer;      /* topmost layer */
	uint64_t lmask; /* directories: merged layers; else 1 << layer */
	uint64_t below; /* layers below the topmost that also hold the name */
	bool presented; /* st is as the mount shows it (ID mapping, override_stat) */
};

static inline struct ovl_fs *ovl_fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* the directory fd paths of @layer resolve from */
static inline int ovl_layer_fd(const struct ovl_fs *fs, int layer)
{
	return layer == OVL_WORK_LAYER    ? fs->workfd
	       : layer == OVL_INDEX_LAYER ? fs->indexfd
	                                  : fs->layers[layer].fd;
}

/* a lower layer's index (not the upper layer, not workdir/work) */
static inline bool ovl_layer_is_lower(int layer)
{
	return layer != OVL_UPPER && layer != OVL_WORK_LAYER && layer != OVL_INDEX_LAYER;
}

static inline uint64_t ovl_bit(int layer)
{
	return (uint64_t)1 << layer;
}

/* CLOCK_MONOTONIC in nanoseconds */
static inline long ovl_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/*
 * The files, bottom up: each calls only the files declared above it, never
 * one below (tests/check/cycles.sh keeps it so).
 */

/* layer.c */
int ovl_open_at(struct ovl_fs *fs, int layer, const char *path, int flags, mode_t mode);
uint64_t ovl_present_ino(struct ovl_fs *fs, int layer, ino_t ino);
void ovl_present_stat(struct ovl_fs *fs, struct stat *st, const char *proc_path);
void ovl_fix_nlink(struct ovl_fs *fs, struct stat *st, uint64_t ino, int layer);
void ovl_index_name(char *buf, size_t size, uint64_t ino);
nlink_t ovl_index_lower_left(struct ovl_fs *fs, const char *idx);
#define OVL_LOWER_LINKS_XATTR "user.warren.lowerlinks"

/* a name for the l*xattr calls of a path below a directory fd: the
 * /proc/self/fd/N/PATH form, or when that is longer than PATH_MAX the same
 * through an fd of the path's parent (ovl_xpath_done() closes it) */
struct ovl_xpath {
	char buf[PATH_MAX];
	int fd;
};
const char *ovl_xpath(struct ovl_xpath *x, int dfd, const char *path);
void ovl_xpath_done(struct ovl_xpath *x);
uint32_t ovl_idmap_to_inner(const struct ovl_idmap *m, uint32_t id);
uint32_t ovl_idmap_to_outer(const struct ovl_idmap *m, uint32_t id);
int ovl_parse_idmap(struct ovl_idmap *m, const char *spec);

/* the per-thread path buffer: requests never allocate for paths */
extern _Thread_local char ovl_pathbuf[PATH_MAX];

/* marks.c */
bool ovl_is_whiteout(const struct stat *st, int dfd, const char *name, bool check_xattr);
int ovl_dir_is_opaque(int dfd, const char *name);
bool ovl_dir_has_xwhiteouts(int dfd, const char *dirpath);

/* the overlay's own names and attributes: inline, as every lookup and every
 * xattr request asks */

/**
 * ovl_name_reserved() - names the overlay keeps for itself (.wh.*).
 */
static inline bool ovl_name_reserved(const char *name)
{
	return strncmp(name, OVL_WH_PREFIX, sizeof(OVL_WH_PREFIX) - 1) == 0;
}

/**
 * ovl_xattr_hidden() - attributes the overlay keeps for itself.
 */
static inline bool ovl_xattr_hidden(const char *name)
{
	return strncmp(name, "user.overlay.", 13) == 0 ||
	       strncmp(name, "trusted.overlay.", 16) == 0 ||
	       strncmp(name, "user.warren.", 12) == 0 ||
	       strcmp(name, "user.containers.override_stat") == 0;
}

/* nodepath.c */
int ovl_node_path(struct ovl_fs *fs, struct ovl_node *n, char *buf, size_t size);
int ovl_node_parent_path(struct ovl_fs *fs, struct ovl_node *n, char *buf, size_t size, char *name,
                         struct ovl_node **parent);

/* dirlist.c */
struct ovl_dirlist;
int ovl_dir_read(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_dirlist **out);
void ovl_dirlist_free(struct ovl_dirlist *l);
bool ovl_dir_is_empty(struct ovl_fs *fs, struct ovl_node *dir, int *err);
void ovl_dir_fix_nlink(struct ovl_fs *fs, struct ovl_node *dir, struct stat *st);

/* node.c */
struct ovl_node *ovl_node_get(struct ovl_fs *fs, fuse_ino_t ino);
struct ovl_node *ovl_node_intern(struct ovl_fs *fs, struct ovl_node *parent, const char *name,
                                 const struct ovl_found *f, bool kernel_ref);
void ovl_node_forget(struct ovl_fs *fs, struct ovl_node *n, uint64_t nlookup);
void ovl_node_rename(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *oldparent,
                     const char *oldname, struct ovl_node *parent, const char *name);
/* what holds a file whose last known name goes (links.c decides) */
enum ovl_keep {
	OVL_KEEP_NONE,       /* nothing of ours: stale, or parked in workdir/work */
	OVL_KEEP_INDEX,      /* its index name, which stays (other names remain) */
	OVL_KEEP_INDEX_DROP, /* its index name, removed when the kernel forgets it */
};
void ovl_node_drop_name(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *dir,
                        const char *name, enum ovl_keep keep);
void ovl_node_name_state(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *dir,
                         const char *name, bool *held, bool *only);
void ovl_node_set_upper_ino(struct ovl_fs *fs, struct ovl_node *n, uint64_t uino);
uint64_t ovl_node_map_upper_ino(struct ovl_fs *fs, uint64_t uino);
void ovl_node_unref(struct ovl_fs *fs, struct ovl_node *n);
struct ovl_node *ovl_node_find_ref(struct ovl_fs *fs, uint64_t ino);
void ovl_node_ref_many(struct ovl_fs *fs, struct ovl_node **n, size_t count);
bool ovl_node_park(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *dir, const char *name,
                   const char *tmp);
struct ovl_node *ovl_node_ref_parent(struct ovl_fs *fs, struct ovl_node *n);
int ovl_node_open(struct ovl_fs *fs, struct ovl_node *n, int flags);
int ovl_node_stat(struct ovl_fs *fs, struct ovl_node *n, struct stat *st);

/* lookup.c */
int ovl_lookup_name(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds, const char *name,
                    struct ovl_found *f);
void ovl_found_present(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds, const char *name,
                       struct ovl_found *f);
bool ovl_lower_has(struct ovl_fs *fs, struct ovl_node *dir, const char *name);
struct ovl_node *ovl_lookup_child(struct ovl_fs *fs, struct ovl_node *dir, const char *name,
                                  struct ovl_found *f, int *err);
int ovl_dirlist_each_child(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_dirlist *l,
                           int (*fn)(struct ovl_fs *, struct ovl_node *));

/* links.c */
int ovl_index_prepare(struct ovl_fs *fs, struct ovl_node *n, struct ovl_node *dir, int dfd,
                      const char *name, bool can_park, enum ovl_keep *keep, bool *drop_index);
void ovl_index_lower_linked(struct ovl_fs *fs, const char *idx);
void ovl_index_drop(struct ovl_fs *fs, struct ovl_node *n);

/* whiteout.c */
int ovl_whiteout_make(struct ovl_fs *fs, int dfd, const char *name);
int ovl_whiteout_clear(struct ovl_fs *fs, int dfd, const char *name, bool *was_whiteout);
int ovl_dir_make_opaque(struct ovl_fs *fs, int dfd, const char *name);

/* copyup.c */
int ovl_copy_up(struct ovl_fs *fs, struct ovl_node *n, bool with_data);
int ovl_copy_up_tree(struct ovl_fs *fs, struct ovl_node *n);
int ovl_upper_dirfd(struct ovl_fs *fs, struct ovl_node *dir);
int ovl_tmpname(struct ovl_fs *fs, char *buf, size_t size);
int ovl_set_owner(struct ovl_fs *fs, int dfd, const char *name, uid_t uid, gid_t gid, mode_t mode);
int ovl_copy_xattrs(const char *src, const char *dst);

/* entry.c */
int ovl_lookup_entry(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds, const char *name,
                     struct fuse_entry_param *e);
int ovl_lookup_entry_found(struct ovl_fs *fs, struct ovl_node *dir, const int *dirfds,
                           const char *name, struct ovl_found *f, struct fuse_entry_param *e);
int ovl_index_link_up(struct ovl_fs *fs, struct ovl_node *dir, const char *name,
                      struct ovl_found *f);
int ovl_relink_hardlink(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_node *n,
                        const char *name, const struct ovl_found *f);

/* readahead.c */
int ovl_ra_init(struct ovl_fs *fs, int slots);
void ovl_ra_free(struct ovl_fs *fs);
void ovl_ra_queue(struct ovl_fs *fs, struct ovl_node *from, struct ovl_node **dirs, size_t n);
bool ovl_ra_step(struct ovl_fs *fs);
bool ovl_ra_take(struct ovl_fs *fs, struct ovl_dirlist *l);

/* fileahead.c */
#define OVL_FA_FILE_MAX (64 * 1024) /* larger files are not read ahead */
int ovl_fa_init(struct ovl_fs *fs, bool on);
void ovl_fa_free(struct ovl_fs *fs);
void ovl_fa_plan(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_node **nodes,
                 const off_t *sizes, size_t count);
char *ovl_fa_take(struct ovl_fs *fs, struct ovl_node *n, size_t *len);
bool ovl_fa_step(struct ovl_fs *fs);

/* readdir.c */
void ovl_dir_changed(struct ovl_node *dir);
void ovl_dir_fill_ops(struct fuse_lowlevel_ops *ops);

/* fs.c */
int ovl_fs_open(struct ovl_fs *fs, const struct ovl_config *cfg, struct werr *err);
void ovl_fs_close(struct ovl_fs *fs);

/* ops_*.c: each fills its part of the operation table */
void ovl_rename(fuse_req_t req, fuse_ino_t parent, const char *name, fuse_ino_t newparent,
                const char *newname, unsigned int flags);
void ovl_inode_fill_ops(struct fuse_lowlevel_ops *ops);
void ovl_ns_fill_ops(struct fuse_lowlevel_ops *ops);
void ovl_file_fill_ops(struct fuse_lowlevel_ops *ops);
void ovl_xattr_fill_ops(struct fuse_lowlevel_ops *ops);

/* seccomp.c */
int ovl_seccomp_install(struct werr *err);

/* loop.c */
int ovl_loop_run(struct fuse_session *se, struct ovl_fs *fs, int threads, int spin_us);

#endif
