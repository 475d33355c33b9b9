/* rootfs.c - prepares a container's writable layer in the store: the
 * overlay's upper/work/merged directories and lower dir list, or a private
 * copy unpacked from the layer blobs. The container directory is flock-held
 * for the container's life, so rmi and gc see it is in use. */
#include "rootfs.h"
#include "sqshmount.h"
#include "ovlmount.h"
#include "cleanup.h"
#include "treecopy.h"
#include "userns_exec.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

struct probe_arg {
	const struct ctr_rootfs *rf;
};

/* in a user namespace: mount the overlay at rf->rootfs in a mount namespace
 * of our own (it goes away with the process) */
static int overlay_mount_private(const struct ctr_rootfs *rf, struct werr *err)
{
	if (unshare(CLONE_NEWNS) < 0)
		return werr_errno(err, errno, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return werr_errno(err, errno, "making mounts private");
	return ovlmount_mount(rf->layers_dir, rf->lowerdir, rf->upper, rf->work, rf->rootfs, err);
}

/* runs in a user namespace: can the kernel mount this overlay here? */
static int probe_in_ns(void *arg, struct werr *err)
{
	return overlay_mount_private(((struct probe_arg *)arg)->rf, err);
}

/* can the kernel mount an overlay of this store's layers in a user
 * namespace? Probed once per store with a throwaway lower layer. */
static bool overlay_works(struct store *s, const struct idmap_plan *plan)
{
	struct ctr_rootfs probe = { 0 };
	struct probe_arg a = { &probe };
	struct werr e;
	char dir[PATH_MAX + 40], lower[] = "l";
	bool ok;

	if (faccessat(s->rootfd, "overlay-ok", F_OK, 0) == 0)
		return true;
	if (faccessat(s->rootfd, "overlay-no", F_OK, 0) == 0)
		return false;
	snprintf(dir, sizeof(dir), "%s/tmp-overlay-probe.XXXXXX", s->root);
	if (!mkdtemp(dir))
		return false;
	snprintf(probe.layers_dir, sizeof(probe.layers_dir), "%s", dir);
	snprintf(probe.upper, sizeof(probe.upper), "%s/u", dir);
	snprintf(probe.work, sizeof(probe.work), "%s/w", dir);
	snprintf(probe.rootfs, sizeof(probe.rootfs), "%s/m", dir);
	probe.lowerdir = lower;
	ok = mkdirat(AT_FDCWD, probe.upper, 0755) == 0 && mkdir(probe.work, 0700) == 0 &&
	     mkdir(probe.rootfs, 0755) == 0 && chdir(dir) == 0 && mkdir("l", 0755) == 0 &&
	     chdir("/") == 0 && userns_exec(plan, probe_in_ns, &a, &e) == 0;
	store_rm_tree(dir, plan, &e);
	util_write_file_atomic(s->rootfd, ok ? "overlay-ok" : "overlay-no", "", 0, 0600, &e);
	return ok;
}

const char *rootfs_driver_name(enum rootfs_driver d)
{
	return d == ROOTFS_OVERLAY ? "overlay" : d == ROOTFS_FUSE ? "fuse-overlay" : "vfs";
}

/* what the fuse-overlay driver needs: warren-overlay installed (where the
 * runtime's ovlfuse.c looks for it) and /dev/fuse usable; asked here, where
 * the driver is chosen, and only when no driver was named */
static bool fuse_usable(void)
{
	char prog[PATH_MAX];
	int found = util_find_program("warren-overlay", "fuse-overlayfs", true, prog, sizeof(prog));

	return found == 0 && access("/dev/fuse", R_OK | W_OK) == 0;
}

int rootfs_driver_choose(struct store *s, const struct gopts *o, const struct idmap_plan *plan,
                         struct rootfs_choice *c, struct werr *err)
{
	const char *want = o->driver, *from = o->driver_from;

	if (*want) {
		if (!strcmp(want, "overlay"))
			c->driver = ROOTFS_OVERLAY;
		else if (!strcmp(want, "fuse-overlay"))
			c->driver = ROOTFS_FUSE;
		else if (!strcmp(want, "vfs") || !strcmp(want, "copy"))
			c->driver = ROOTFS_VFS;
		else
			return werr_set(err, EINVAL,
			                "unknown storage driver \"%s\" (from %s): use overlay, "
			                "fuse-overlay or vfs",
			                want, from);
		snprintf(c->why, sizeof(c->why), "chosen by %s", from);
		return 0;
	}
	if (overlay_works(s, plan)) {
		c->driver = ROOTFS_OVERLAY;
		snprintf(c->why, sizeof(c->why),
		         "the kernel's overlayfs mounts in a user namespace over %s", s->root);
	} else if (fuse_usable()) {
		c->driver = ROOTFS_FUSE;
		snprintf(c->why, sizeof(c->why),
		         "the kernel's overlayfs cannot be mounted in a user namespace over %s; "
		         "warren-overlay and /dev/fuse are usable",
		         s->root);
	} else {
		c->driver = ROOTFS_VFS;
		snprintf(c->why, sizeof(c->why),
		         "neither the kernel's overlayfs nor warren-overlay (with /dev/fuse mode "
		         "0666) can be used here: containers get a copy of the image");
	}
	return 0;
}

static int lowerdir_build(struct ctr_rootfs *rf, const struct image_loaded *img, struct werr *err)
{
	size_t len = img->n_layers * (DIGEST_HEX_LEN + 6) + 1;
	char *p;

	if (img->n_layers == 0)
		return werr_set(err, EINVAL, "the image has no layers: nothing to run");
	rf->lowerdir = p = calloc(1, len);
	if (!p)
		return werr_errno(err, ENOMEM, "lowerdir");
	for (size_t i = img->n_layers; i-- > 0;)
		p += sprintf(p, "%s%s/diff", i == img->n_layers - 1 ? "" : ":",
		             digest_hex(img->chain[i]));
	return 0;
}

static int rootfs_dirs(struct store *s, const char *image_id, const char *ctr_id,
                       struct ctr_rootfs *rf, struct werr *err)
{
	int r;

	snprintf(rf->dir, sizeof(rf->dir), "%s/containers/%s", s->root, ctr_id);
	snprintf(rf->layers_dir, sizeof(rf->layers_dir), "%s/layers", s->root);
	snprintf(rf->upper, sizeof(rf->upper), "%s/upper", rf->dir);
	snprintf(rf->work, sizeof(rf->work), "%s/work", rf->dir);
	if (mkdir(rf->dir, 0700) < 0)
		return werr_errno(err, errno, "create %s", rf->dir);
	rf->lock_fd = open(rf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rf->lock_fd < 0)
		return werr_errno(err, errno, "open %s", rf->dir);
	{
		_cleanup_close_ int lfd =
		    openat(rf->lock_fd, "lock", O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (lfd < 0 || flock(lfd, LOCK_EX | LOCK_NB) < 0)
			return werr_errno(err, errno, "lock %s/lock", rf->dir);
		/* the lock lives as long as this descriptor: keep it in lock_fd */
		close(rf->lock_fd);
		rf->lock_fd = steal_fd(&lfd);
	}
	r = rootfs_record(rf, "image", image_id, err);
	if (r == 0 && (mkdir(rf->upper, 0755) < 0 || mkdir(rf->work, 0700) < 0))
		r = werr_errno(err, errno, "create %s/upper and work", rf->dir);
	return r;
}

int rootfs_create(struct store *s, const struct image_loaded *img, const char *image_id,
                  const char *ctr_id, const struct idmap_plan *plan, enum rootfs_driver driver,
                  rootfs_copy_fn copy, struct ctr_rootfs *rf, struct werr *err)
{
	int r;

	memset(rf, 0, sizeof(*rf));
	rf->lock_fd = -1;
	/* under the store lock: an rmi either sees this container or removed
	 * the layers before we looked */
	r = store_lock(s, err);
	if (r < 0)
		return r;
	for (size_t i = 0; i < img->n_layers; i++)
		if (!store_layer_has(s, img->chain[i])) {
			store_unlock(s);
			return werr_set(err, ENOENT,
			                "layer %s of image %s is not in the store (it was removed: "
			                "pull the image again)",
			                img->chain[i], image_id);
		}
	r = rootfs_dirs(s, image_id, ctr_id, rf, err);
	store_unlock(s);
	if (r == 0)
		r = lowerdir_build(rf, img, err);
	if (r == 0) {
		snprintf(rf->rootfs, sizeof(rf->rootfs), "%s/merged", rf->dir);
		if (mkdir(rf->rootfs, 0755) < 0)
			r = werr_errno(err, errno, "create %s", rf->rootfs);
	}
	/* the kernel takes one page of mount options: very deep images are copied */
	rf->driver = driver;
	if (r == 0 && driver == ROOTFS_OVERLAY &&
	    strlen(rf->lowerdir) + strlen(rf->upper) + strlen(rf->work) + 64 >= 4096)
		rf->driver = ROOTFS_VFS;
	if (r == 0 && rf->driver == ROOTFS_VFS) {
		rf->copy = true;
		snprintf(rf->rootfs, sizeof(rf->rootfs), "%s/rootfs", rf->dir);
		r = copy(image_id, rf->rootfs, plan, err);
	} else if (r == 0) {
		/* the layers this overlay needs: gc keeps them while the
		 * container exists, even after rmi -f of its image */
		r = rootfs_record(rf, "lower", rf->lowerdir, err);
	}
	if (r < 0 && rf->dir[0])
		rootfs_destroy(rf, plan);
	return r;
}

int rootfs_create_sqsh(struct store *s, const char *file, const char *ctr_id,
                       const struct idmap_plan *plan, enum rootfs_driver driver,
                       struct ctr_rootfs *rf, struct werr *err)
{
	int r;

	if (driver == ROOTFS_VFS)
		return werr_set(
		    err, EINVAL,
		    "a SquashFS image is mounted, never copied: it needs the overlay or "
		    "fuse-overlay storage driver, not vfs");

	memset(rf, 0, sizeof(*rf));
	rf->lock_fd = -1;
	r = store_lock(s, err);
	if (r < 0)
		return r;
	r = rootfs_dirs(s, file, ctr_id, rf, err);
	store_unlock(s);
	/* single-ID mode: warren-overlay, which can show the owners squashfuse
	 * cannot map as the namespace's root (ovlfuse.c) */
	rf->driver = plan->single ? ROOTFS_FUSE : driver;
	rf->squashfs = file;
	/* squashfuse's mount point, in warren-overlay's mount namespace only */
	snprintf(rf->layers_dir, sizeof(rf->layers_dir), "%s/sqsh", rf->dir);
	snprintf(rf->rootfs, sizeof(rf->rootfs), "%s/merged", rf->dir);
	if (r == 0 && (mkdir(rf->layers_dir, 0700) < 0 || mkdir(rf->rootfs, 0755) < 0))
		r = werr_errno(err, errno, "create %s/sqsh and merged", rf->dir);
	if (r == 0 && !(rf->lowerdir = strdup(".")))
		r = werr_errno(err, ENOMEM, "lowerdir");
	if (r < 0 && rf->dir[0])
		rootfs_destroy(rf, plan);
	return r;
}

struct fill_arg {
	const struct ctr_rootfs *rf;
	const char *ctr_path;
	const char *dir;
};

/* whether the directory @fd holds nothing */
static int dir_empty_p(int fd, bool *empty, struct werr *err)
{
	DIR *d = fdopendir(fcntl(fd, F_DUPFD_CLOEXEC, 0));
	struct dirent *de;

	if (!d)
		return werr_errno(err, errno, "read the volume");
	*empty = true;
	while (*empty && (de = readdir(d)))
		*empty = !strcmp(de->d_name, ".") || !strcmp(de->d_name, "..");
	closedir(d);
	return 0;
}

/* a new container's files are the SquashFS file's: mounted privately with
 * squashfuse_ll for the copy, unmounted after */
static int fill_from_sqsh(const struct ctr_rootfs *rf, const char *ctr_path, int vfd,
                          struct werr *err)
{
	_cleanup_close_ int rootfd = -1;
	pid_t pid;
	int r;

	if (unshare(CLONE_NEWNS) < 0)
		return werr_errno(err, errno, "unshare(CLONE_NEWNS)");
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
		return werr_errno(err, errno, "making mounts private");
	r = sqshmount_start(rf->squashfs, rf->layers_dir, &pid, err);
	if (r < 0)
		return r;
	rootfd = open(rf->layers_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	r = rootfd < 0 ? werr_errno(err, errno, "open %s", rf->squashfs)
	               : treecopy_from_root(rootfd, ctr_path, vfd, err);
	if (rootfd >= 0)
		close(steal_fd(&rootfd));
	sqshmount_stop(pid);
	return r;
}

/* runs in a user namespace: the image's content at ctr_path into the volume,
 * which may belong to a subordinate ID since an earlier fill */
static int fill_in_ns(void *arg, struct werr *err)
{
	struct fill_arg *a = arg;
	_cleanup_close_ int rootfd = -1;
	_cleanup_close_ int vfd = open(a->dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	bool empty = false;
	int r;

	if (vfd < 0)
		return werr_errno(err, errno, "open %s", a->dir);
	/* Docker copies only into an empty volume: what a volume holds wins */
	r = dir_empty_p(vfd, &empty, err);
	if (r < 0 || !empty)
		return r;
	if (a->rf->squashfs)
		return fill_from_sqsh(a->rf, a->ctr_path, vfd, err);
	r = a->rf->copy ? 0 : overlay_mount_private(a->rf, err);
	if (r < 0)
		return r;
	rootfd = open(a->rf->rootfs, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return werr_errno(err, errno, "open %s", a->rf->rootfs);
	return treecopy_from_root(rootfd, a->ctr_path, vfd, err);
}

int rootfs_volume_fill(const struct ctr_rootfs *rf, const struct idmap_plan *plan,
                       const char *ctr_path, const char *dir, struct werr *err)
{
	struct fill_arg a = { rf, ctr_path, dir };

	return userns_exec(plan, fill_in_ns, &a, err);
}

int rootfs_record(struct ctr_rootfs *rf, const char *name, const char *text, struct werr *err)
{
	_cleanup_close_ int dfd = open(rf->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dfd < 0)
		return werr_errno(err, errno, "open %s", rf->dir);
	return util_write_file_atomic(dfd, name, text, strlen(text), 0600, err);
}

void rootfs_release(struct ctr_rootfs *rf)
{
	if (rf->lock_fd >= 0)
		close(rf->lock_fd);
	rf->lock_fd = -1;
	free(rf->lowerdir);
	rf->lowerdir = NULL;
}

void rootfs_destroy(struct ctr_rootfs *rf, const struct idmap_plan *plan)
{
	struct werr ignored;

	if (rf->dir[0])
		store_rm_tree(rf->dir, plan, &ignored);
	rootfs_release(rf);
	rf->dir[0] = '\0';
}
