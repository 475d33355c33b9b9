/* fs.c - mount setup: opening the layers of one mount and the workdir,
 * checking they make an overlay, probing the upper filesystem; and closing
 * it all at the end. Never writes to a lower layer; refuses an upperdir
 * inside a lowerdir (or the reverse). */
#include "ovl.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "cleanup.h"
#include "util.h"

static int fs_open_layer(struct ovl_fs *fs, int idx, const char *path, struct werr *err)
{
	struct stat st;
	int fd = open(path, O_PATH | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0)
		return werr_errno(err, errno, "%s %s", idx == OVL_UPPER ? "upperdir" : "lowerdir",
		                  path);
	if (fstat(fd, &st) < 0) {
		close(fd);
		return werr_errno(err, errno, "stat %s", path);
	}
	fs->layers[idx].fd = fd;
	fs->layers[idx].dev = st.st_dev;
	fs->layers[idx].path = strdup(path);
	fs->layers[idx].fsidx = 0;
	for (int i = 0; i < idx; i++) {
		if (i == OVL_UPPER && !fs->has_upper)
			continue;
		if (fs->layers[i].dev == st.st_dev) {
			fs->layers[idx].fsidx = fs->layers[i].fsidx;
			return 0;
		}
		if (fs->layers[i].fsidx >= fs->layers[idx].fsidx)
			fs->layers[idx].fsidx = fs->layers[i].fsidx + 1;
	}
	if (fs->layers[idx].fsidx)
		fs->xino = true;
	return 0;
}

/* is @inner equal to or below @outer? (both canonical) */
static bool fs_path_within(const char *inner, const char *outer)
{
	size_t n = strlen(outer);

	if (strcmp(outer, "/") == 0)
		return true;
	return strncmp(inner, outer, n) == 0 && (inner[n] == '/' || inner[n] == '\0');
}

static int fs_check_nesting(const struct ovl_config *cfg, char **lowers, int nlower,
                            struct werr *err)
{
	_cleanup_free_ char *up = NULL, *work = NULL;

	if (!cfg->upperdir)
		return 0;
	up = realpath(cfg->upperdir, NULL);
	work = realpath(cfg->workdir, NULL);
	if (!up || !work)
		return werr_errno(err, errno, "resolving upperdir/workdir");
	for (int i = 0; i < nlower; i++) {
		_cleanup_free_ char *low = realpath(lowers[i], NULL);
		if (!low)
			return werr_errno(err, errno, "lowerdir %s", lowers[i]);
		if (fs_path_within(up, low) || fs_path_within(low, up))
			return werr_set(err, EINVAL,
			                "upperdir %s and lowerdir %s overlap (use separate "
			                "directories)",
			                cfg->upperdir, lowers[i]);
	}
	if (fs_path_within(work, up) || fs_path_within(up, work))
		return werr_set(err, EINVAL,
		                "workdir %s and upperdir %s overlap (use sibling directories "
		                "on one filesystem)",
		                cfg->workdir, cfg->upperdir);
	return 0;
}

/* what a previous mount left in workdir/work (it was killed) goes */
static int fs_clear_work(struct ovl_fs *fs, const struct ovl_config *cfg, struct werr *err)
{
	int fd = openat(fs->workfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *de;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return werr_errno(err, errno, "reading %s/work", cfg->workdir);
	}
	while ((de = readdir(d)))
		if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
			util_rm_rf_at(fs->workfd, de->d_name);
	closedir(d);
	return 0;
}

/* workdir/work for temporary files and workdir/index for hard links */
static int fs_open_workdir(struct ovl_fs *fs, const struct ovl_config *cfg, struct werr *err)
{
	_cleanup_close_ int wfd = open(cfg->workdir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	struct stat st;

	if (wfd < 0)
		return werr_errno(err, errno, "workdir %s", cfg->workdir);
	if (fstat(wfd, &st) < 0)
		return werr_errno(err, errno, "stat %s", cfg->workdir);
	if (st.st_dev != fs->layers[OVL_UPPER].dev)
		return werr_set(err, EXDEV,
		                "workdir %s is not on the filesystem of upperdir %s (put both on "
		                "one filesystem)",
		                cfg->workdir, cfg->upperdir);
	if (mkdirat(wfd, "work", 0700) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "creating %s/work", cfg->workdir);
	if (mkdirat(wfd, "index", 0700) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "creating %s/index", cfg->workdir);
	fs->workfd = openat(wfd, "work", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	fs->indexfd = openat(wfd, "index", O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
	if (fs->workfd < 0 || fs->indexfd < 0)
		return werr_errno(err, errno, "opening %s/work", cfg->workdir);
	return fs_clear_work(fs, cfg, err);
}

/* can the upper filesystem hold 0/0 character-device whiteouts and user xattrs? */
static void fs_probe_upper(struct ovl_fs *fs)
{
	char name[64];

	snprintf(name, sizeof(name), "probe-%d", (int)getpid());
	unlinkat(fs->workfd, name, 0);
	fs->wh_chardev = mknodat(fs->workfd, name, S_IFCHR | 0, makedev(0, 0)) == 0;
	if (fs->wh_chardev)
		unlinkat(fs->workfd, name, 0);
	if (mkdirat(fs->workfd, name, 0700) == 0) {
		char p[PATH_MAX];
		snprintf(p, sizeof(p), "/proc/self/fd/%d/%s", fs->workfd, name);
		fs->upper_xattr = lsetxattr(p, "user.overlay.probe", "y", 1, 0) == 0;
		unlinkat(fs->workfd, name, AT_REMOVEDIR);
	}
}

/* the longest name the mount takes: the upper filesystem's (the kernel
 * overlay's rule), less room for a .wh. prefix only where whiteouts must
 * be .wh. files; every operation that makes or finds a name holds to it */
static void fs_name_max(struct ovl_fs *fs)
{
	struct statfs sf;
	int layer = fs->has_upper ? OVL_UPPER : 1;

	fs->name_max = NAME_MAX;
	if (fstatfs(fs->layers[layer].fd, &sf) == 0 && sf.f_namelen > 0 && sf.f_namelen < NAME_MAX)
		fs->name_max = (unsigned)sf.f_namelen;
	if (fs->has_upper && !fs->wh_chardev)
		fs->name_max -= sizeof(OVL_WH_PREFIX) - 1;
}

/**
 * ovl_fs_open() - open and check every layer named in @cfg.
 * Return: 0, or a negative errno with @err naming the directory and the fix.
 */
int ovl_fs_open(struct ovl_fs *fs, const struct ovl_config *cfg, struct werr *err)
{
	char *lowers[OVL_MAX_LAYERS];
	_cleanup_free_ char *spec = NULL;
	int nlower = 0, r;
	char *save = NULL;

	memset(fs, 0, sizeof(*fs));
	fs->workfd = fs->indexfd = -1;
	for (int i = 0; i < OVL_MAX_LAYERS; i++)
		fs->layers[i].fd = -1;
	if (!cfg->lowerdir || !*cfg->lowerdir)
		return werr_set(err, EINVAL, "missing -o lowerdir=DIR[:DIR...]");
	if (!!cfg->upperdir != !!cfg->workdir)
		return werr_set(err, EINVAL,
		                "upperdir and workdir go together (give both or neither)");
	spec = strdup(cfg->lowerdir);
	if (!spec)
		return werr_errno(err, ENOMEM, "lowerdir");
	for (char *t = strtok_r(spec, ":", &save); t; t = strtok_r(NULL, ":", &save)) {
		if (nlower == OVL_MAX_LAYERS - 3)
			return werr_set(err, E2BIG, "too many lower layers (at most %d)",
			                OVL_MAX_LAYERS - 3);
		lowers[nlower++] = t;
	}
	fs->has_upper = cfg->upperdir != NULL;
	if (fs->has_upper && (r = fs_open_layer(fs, OVL_UPPER, cfg->upperdir, err)) < 0)
		return r;
	for (int i = 0; i < nlower; i++)
		if ((r = fs_open_layer(fs, i + 1, lowers[i], err)) < 0)
			return r;
	fs->nlayers = nlower + 1;
	if ((r = fs_check_nesting(cfg, lowers, nlower, err)) < 0)
		return r;
	if (fs->has_upper) {
		if ((r = fs_open_workdir(fs, cfg, err)) < 0)
			return r;
		fs_probe_upper(fs);
	}
	fs_name_max(fs);
	fs->uidmap = cfg->uidmap;
	fs->gidmap = cfg->gidmap;
	fs->xattr_permissions = cfg->xattr_permissions;
	fs->timeout = cfg->timeout;
	atomic_init(&fs->gen, 1); /* 0 stands for "never" in what is kept by it */
	fs->euid = geteuid();
	fs->egid = getegid();
	pthread_rwlock_init(&fs->tree_lock, NULL);
	fs->nbuckets = 1 << 16;
	fs->buckets = calloc(fs->nbuckets, sizeof(*fs->buckets));
	if (!fs->buckets)
		return werr_errno(err, ENOMEM, "node table");
	return 0;
}

/**
 * ovl_fs_close() - at the end: close the layers and free every node, its
 * listing, and the read-ahead state.
 */
void ovl_fs_close(struct ovl_fs *fs)
{
	for (int i = 0; i < OVL_MAX_LAYERS; i++) {
		if (fs->layers[i].fd >= 0)
			close(fs->layers[i].fd);
		free(fs->layers[i].path);
	}
	if (fs->workfd >= 0)
		close(fs->workfd);
	if (fs->indexfd >= 0)
		close(fs->indexfd);
	for (size_t b = 0; fs->buckets && b < fs->nbuckets; b++) {
		while (fs->buckets[b]) {
			struct ovl_node *n = fs->buckets[b];
			fs->buckets[b] = n->hnext;
			while (n->aliases) {
				struct ovl_alias *a = n->aliases;
				n->aliases = a->next;
				free(a);
			}
			ovl_dirlist_free(n->listing);
			free(n->name);
			free(n);
		}
	}
	free(fs->buckets);
	free(fs->ubuckets);
	if (fs->root) {
		ovl_dirlist_free(fs->root->listing);
		free(fs->root->name);
		free(fs->root);
	}
	ovl_ra_free(fs);
	ovl_fa_free(fs);
}
