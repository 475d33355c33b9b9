/* unpack.c - unpacks one layer tar stream into a directory: libarchive reads
 * and decompresses, every file is created here relative to the layer root
 * (unpack_fs.c resolves parents without following symlinks). It must never
 * write outside the root nor through a symlink, whatever the tar says.
 * libarchive's ARCHIVE_EXTRACT_SECURE_* flags belong to archive_write_disk,
 * which resolves names through the process's cwd; the same three rules (no
 * "..", no absolute path, no symlink on the way) are applied here instead,
 * by openat2(RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS) from the root's fd. */
#include "unpack.h"
#include "cleanup.h"
#include "fsnode.h"
#include "unpack_fs.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#define UNPACK_WH_PREFIX  ".wh."
#define UNPACK_WH_META    ".wh..wh."
#define UNPACK_WH_OPAQUE  ".wh..wh..opq"
#define UNPACK_READ_BLOCK ((size_t)128 * 1024)

/* a directory's mode and times, applied once its children are in place */
struct unpack_dirfix {
	char *path;
	mode_t mode;
	struct timespec times[2];
};

struct unpack_ctx {
	struct archive *a;
	int rootfd;
	enum unpack_whiteouts mode;
	bool owner_root;
	bool owner_set; /* @uid, @gid own every entry */
	uid_t uid;
	gid_t gid;
	struct unpack_stats *stats;
	struct werr *err;
	char path[PATH_MAX]; /* the current entry, cleaned */
	const char *raw;     /* the current entry as the tar spells it */
	char parent_path[PATH_MAX];
	int parent_fd; /* cache: the last parent directory, or -1 */
	struct unpack_set created;
	struct unpack_dirfix *fix;
	size_t nfix, capfix;
	int fd; /* the blob, when followed as it grows */
	const struct unpack_opts *follow;
	uint64_t follow_off;
	char *follow_buf;
};

static void unpack_drop_parent(struct unpack_ctx *c)
{
	cleanup_closep(&c->parent_fd);
	c->parent_fd = -1;
}

static int unpack_fail(struct unpack_ctx *c, int code, const char *why)
{
	return werr_set(c->err, code, "layer entry %.512s %s", c->raw, why);
}

static int unpack_fail_errno(struct unpack_ctx *c, int code, const char *what)
{
	return werr_errno(c->err, code, "layer entry %.512s: %s", c->raw, what);
}

/* the parent directory of c->path (cached), and the entry's last component */
static int unpack_parent(struct unpack_ctx *c, const char **name)
{
	char *slash = strrchr(c->path, '/');
	size_t plen = slash ? (size_t)(slash - c->path) : 0;
	int fd;

	*name = slash ? slash + 1 : c->path;
	if (c->parent_fd >= 0 && strlen(c->parent_path) == plen &&
	    memcmp(c->parent_path, c->path, plen) == 0)
		return c->parent_fd;
	unpack_drop_parent(c);
	memcpy(c->parent_path, c->path, plen);
	c->parent_path[plen] = '\0';
	fd = unpack_open_beneath(c->rootfd, c->parent_path, true,
	                         c->mode == UNPACK_WHITEOUT_APPLY ? &c->created : NULL);
	if (fd == -ELOOP)
		return unpack_fail(c, EXDEV,
		                   "goes through a symlink (writing through symlinks is refused)");
	if (fd == -ENOTDIR)
		return unpack_fail(c, ENOTDIR, "has a parent that is not a directory");
	if (fd < 0)
		return unpack_fail_errno(c, -fd, "opening its parent directory");
	c->parent_fd = fd;
	return fd;
}

/* make room for a new inode at @name: what is there goes, except a
 * directory that a directory entry merges into.
 * Return: 1 when an existing directory stays, 0 when the name is free. */
static int unpack_clear(struct unpack_ctx *c, int pfd, const char *name, bool want_dir)
{
	struct stat st;
	int r;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
		if (errno == ENOENT)
			return 0;
		return unpack_fail_errno(c, errno, "stat");
	}
	if (want_dir && S_ISDIR(st.st_mode))
		return 1;
	r = util_rm_rf_at(pfd, name);
	if (r < 0)
		return unpack_fail_errno(c, -r, "removing what it replaces");
	return 0;
}

/* the directory @dfd (this layer's) hides the lower layers' one: overlay.opaque
 * "y", which the kernel overlay (userxattr) and warren-overlay both read */
static int unpack_mark_opaque(struct unpack_ctx *c, int dfd)
{
	if (fsetxattr(dfd, "user.overlay.opaque", "y", 1, 0) < 0)
		return unpack_fail_errno(c, errno, "marking the directory opaque");
	return 0;
}

/* @name in @pfd is a whiteout this layer made (overlay form): a 0/0
 * character device, or an empty file with the overlay.whiteout xattr */
static bool unpack_whiteout_p(int pfd, const char *name)
{
	char path[64 + NAME_MAX];
	struct stat st;

	if (fstatat(pfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return false;
	if (S_ISCHR(st.st_mode))
		return st.st_rdev == makedev(0, 0);
	if (!S_ISREG(st.st_mode) || st.st_size != 0)
		return false;
	/* the file is mode 0000: read its xattr by name, below the held parent */
	snprintf(path, sizeof(path), "/proc/self/fd/%d/%s", pfd, name);
	return lgetxattr(path, "user.overlay.whiteout", NULL, 0) >= 0;
}

static bool unpack_xattr_allowed(const char *name)
{
	/* our own overlay and override metadata must come from us, never from
	 * the image: a layer could otherwise fake whiteouts, redirects or owners */
	if (strncmp(name, "user.overlay.", 13) == 0 || strncmp(name, "trusted.", 8) == 0 ||
	    strcmp(name, UNPACK_XATTR_OVERRIDE_STAT) == 0)
		return false;
	return strncmp(name, "user.", 5) == 0 || strcmp(name, "security.capability") == 0 ||
	       strncmp(name, "system.posix_acl_", 17) == 0;
}

/* xattrs the filesystem and the namespace take; the rest is dropped */
static void unpack_xattrs(int fd, struct archive_entry *e)
{
	const char *name;
	const void *value;
	size_t size;

	archive_entry_xattr_reset(e);
	while (archive_entry_xattr_next(e, &name, &value, &size) == ARCHIVE_OK)
		if (name && unpack_xattr_allowed(name))
			(void)fsetxattr(fd, name, value, size, 0);
}

static int unpack_owner(struct unpack_ctx *c, struct archive_entry *e, uid_t *uid, gid_t *gid)
{
	la_int64_t u = c->owner_root ? 0 : c->owner_set ? c->uid : archive_entry_uid(e);
	la_int64_t g = c->owner_root ? 0 : c->owner_set ? c->gid : archive_entry_gid(e);

	/* (uid_t)-1 would mean "leave unchanged" to chown */
	if (u < 0 || g < 0 || u >= UINT32_MAX || g >= UINT32_MAX)
		return unpack_fail(c, EINVAL, "has an owner outside 0..4294967294");
	*uid = (uid_t)u;
	*gid = (gid_t)g;
	return 0;
}

static void unpack_times(struct archive_entry *e, struct timespec ts[2])
{
	ts[1].tv_sec = archive_entry_mtime(e);
	ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	if (archive_entry_atime_is_set(e)) {
		ts[0].tv_sec = archive_entry_atime(e);
		ts[0].tv_nsec = archive_entry_atime_nsec(e);
	} else {
		ts[0] = ts[1];
	}
}

/* owner, xattrs and (for non-directories) mode of a new inode open as @fd;
 * *@perm gets the mode to set, widened for us when the owner is kept in the
 * override xattr */
static int unpack_fd_meta(struct unpack_ctx *c, int fd, struct archive_entry *e, mode_t *perm)
{
	mode_t mode = archive_entry_mode(e);
	uid_t uid = 0;
	gid_t gid = 0;

	*perm = mode & 07777;
	if (unpack_owner(c, e, &uid, &gid) < 0)
		return -c->err->code;
	if (fchown(fd, uid, gid) < 0) {
		char v[64];
		if (errno != EINVAL && errno != EPERM)
			return unpack_fail_errno(c, errno, "chown");
		/* the namespace cannot represent this owner (single-ID mode) */
		snprintf(v, sizeof(v), "%u:%u:%o", (unsigned)uid, (unsigned)gid, (unsigned)mode);
		if (fsetxattr(fd, UNPACK_XATTR_OVERRIDE_STAT, v, strlen(v), 0) < 0)
			return unpack_fail_errno(
			    c, errno, "keeping its owner in " UNPACK_XATTR_OVERRIDE_STAT);
		*perm |= S_ISDIR(mode) ? S_IRWXU : (S_IRUSR | S_IWUSR);
	}
	/* after chown, which clears security.capability */
	unpack_xattrs(fd, e);
	return 0;
}

/* owner and times of the symlink @name in @pfd; with @name "", owner, mode
 * and times of the node open as @pfd (an O_PATH descriptor from fsnode.h:
 * never a name that could have become a symlink since) */
static int unpack_at_meta(struct unpack_ctx *c, int pfd, const char *name, struct archive_entry *e)
{
	int at = name[0] ? AT_SYMLINK_NOFOLLOW : AT_EMPTY_PATH;
	struct timespec ts[2];
	uid_t uid = 0;
	gid_t gid = 0;
	int r;

	if (unpack_owner(c, e, &uid, &gid) < 0)
		return -c->err->code;
	if (fchownat(pfd, name, uid, gid, at) < 0 && errno != EINVAL && errno != EPERM)
		return unpack_fail_errno(c, errno, "chown");
	/* after chown, which clears the setuid and setgid bits */
	if (!name[0] && (r = fsnode_chmod(pfd, archive_entry_mode(e) & 07777)) < 0)
		return unpack_fail_errno(c, -r, "chmod");
	unpack_times(e, ts);
	if (utimensat(pfd, name, ts, at) < 0)
		return unpack_fail_errno(c, errno, "setting its times");
	return 0;
}

static int unpack_data(struct unpack_ctx *c, int fd, struct archive_entry *e)
{
	la_int64_t end = 0;

	for (;;) {
		const void *buf;
		size_t size;
		la_int64_t off;
		int r = archive_read_data_block(c->a, &buf, &size, &off);

		if (r == ARCHIVE_EOF)
			break;
		if (r < ARCHIVE_WARN)
			return werr_set(c->err, EIO, "layer entry %.512s: %s", c->raw,
			                archive_error_string(c->a));
		/* sparse files: holes are the offsets libarchive skips */
		for (size_t done = 0; done < size;) {
			ssize_t n = pwrite(fd, (const char *)buf + done, size - done,
			                   (off_t)(off + (la_int64_t)done));
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0)
				return unpack_fail_errno(c, errno, "writing");
			done += (size_t)n;
		}
		if (off + (la_int64_t)size > end)
			end = off + (la_int64_t)size;
		if (c->stats)
			c->stats->bytes += size;
	}
	if (archive_entry_size_is_set(e) && archive_entry_size(e) > end)
		end = archive_entry_size(e);
	if (ftruncate(fd, (off_t)end) < 0)
		return unpack_fail_errno(c, errno, "setting its size");
	return 0;
}

static int unpack_file(struct unpack_ctx *c, int pfd, const char *name, struct archive_entry *e)
{
	_cleanup_close_ int fd = -1;
	struct timespec ts[2];
	mode_t perm;
	int r;

	fd = openat(pfd, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return unpack_fail_errno(c, errno, "creating");
	r = unpack_data(c, fd, e);
	if (r < 0)
		return r;
	r = unpack_fd_meta(c, fd, e, &perm);
	if (r < 0)
		return r;
	/* after chown, which clears the setuid and setgid bits */
	if (fchmod(fd, perm) < 0)
		return unpack_fail_errno(c, errno, "chmod");
	unpack_times(e, ts);
	if (futimens(fd, ts) < 0)
		return unpack_fail_errno(c, errno, "setting its times");
	return 0;
}

static int unpack_dir(struct unpack_ctx *c, int pfd, const char *name, struct archive_entry *e)
{
	_cleanup_close_ int fd = -1;
	struct unpack_dirfix *f;
	mode_t perm;
	/* ".wh.NAME" then "NAME/" in one layer: a new directory over the lower one */
	bool whited = c->mode == UNPACK_WHITEOUT_OVERLAY && unpack_whiteout_p(pfd, name);
	int r = unpack_clear(c, pfd, name, true);

	if (r < 0)
		return r;
	if (r == 0 && mkdirat(pfd, name, 0700) < 0)
		return unpack_fail_errno(c, errno, "mkdir");
	fd = openat(pfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return unpack_fail_errno(c, errno, "opening the new directory");
	if (whited && (r = unpack_mark_opaque(c, fd)) < 0)
		return r;
	r = unpack_fd_meta(c, fd, e, &perm);
	if (r < 0)
		return r;
	/* mode and times last: a read-only directory must still take its
	 * children, and creating them would change its mtime */
	if (c->nfix == c->capfix) {
		size_t n = c->capfix ? c->capfix * 2 : 256;
		void *p = realloc(c->fix, n * sizeof(*c->fix));
		if (!p)
			return werr_set(c->err, ENOMEM, "out of memory");
		c->fix = p;
		c->capfix = n;
	}
	f = &c->fix[c->nfix];
	f->path = strdup(c->path);
	if (!f->path)
		return werr_set(c->err, ENOMEM, "out of memory");
	f->mode = perm;
	unpack_times(e, f->times);
	c->nfix++;
	return 0;
}

static int unpack_symlink(struct unpack_ctx *c, int pfd, const char *name, struct archive_entry *e)
{
	const char *target = archive_entry_symlink(e);

	if (!target)
		return unpack_fail(c, EINVAL, "is a symlink without a target");
	/* the target is only stored, never followed by us: it may say anything */
	if (symlinkat(target, pfd, name) < 0)
		return unpack_fail_errno(c, errno, "creating the symlink");
	return unpack_at_meta(c, pfd, name, e);
}

static int unpack_hardlink(struct unpack_ctx *c, int pfd, const char *name, const char *link)
{
	char target[PATH_MAX];
	_cleanup_close_ int tfd = -1;
	char *slash;
	const char *tname = target;
	struct stat st;
	int r = unpack_path_clean(link, target, sizeof(target));

	if (r == -EXDEV || (r == 0 && target[0] == '\0'))
		return werr_set(c->err, EXDEV,
		                "layer entry %.400s: hard link target %.400s is outside the layer",
		                c->raw, link);
	if (r < 0)
		return unpack_fail(c, ENAMETOOLONG, "has a hard link target that is too long");
	if (strcmp(target, c->path) == 0)
		return unpack_fail(c, EINVAL, "is a hard link to itself");
	slash = strrchr(target, '/');
	if (slash) {
		*slash = '\0';
		tname = slash + 1;
	}
	tfd = unpack_open_beneath(c->rootfd, slash ? target : "", false, NULL);
	if (slash)
		*slash = '/';
	if (tfd == -ELOOP)
		return werr_set(c->err, EXDEV,
		                "layer entry %.400s: hard link target %.400s goes through a "
		                "symlink (refused)",
		                c->raw, link);
	if (tfd < 0 || fstatat(tfd, tname, &st, AT_SYMLINK_NOFOLLOW) < 0)
		return werr_set(c->err, ENOENT,
		                "layer entry %.400s: hard link target %.400s is not in the layer",
		                c->raw, link);
	if (S_ISDIR(st.st_mode))
		return werr_set(c->err, EPERM,
		                "layer entry %.400s: hard link target %.400s is a directory",
		                c->raw, link);
	r = unpack_clear(c, pfd, name, false);
	if (r < 0)
		return r;
	/* flags 0: a target that is a symlink is linked itself, not followed */
	if (linkat(tfd, tname, pfd, name, 0) < 0)
		return unpack_fail_errno(c, errno, "creating the hard link");
	return 0;
}

static int unpack_special(struct unpack_ctx *c, int pfd, const char *name, struct archive_entry *e)
{
	mode_t type = archive_entry_filetype(e);
	_cleanup_close_ int fd = -1;
	dev_t dev = 0;

	if (type == AE_IFCHR || type == AE_IFBLK)
		dev = makedev(archive_entry_rdevmajor(e), archive_entry_rdevminor(e));
	else if (type != AE_IFIFO)
		return 1; /* sockets have no place in a layer */
	fd = fsnode_make(pfd, name, type | (archive_entry_mode(e) & 07777), dev);
	if (fd == -EPERM && type != AE_IFIFO) {
		if (c->stats)
			c->stats->skipped_devices++;
		return 1;
	}
	if (fd == -EAGAIN)
		return unpack_fail(c, EAGAIN, "was replaced while it was being made");
	if (fd < 0)
		return unpack_fail_errno(c, -fd, "mknod");
	return unpack_at_meta(c, fd, "", e);
}

/* this layer's directory @target in @pfd, also whited out by this layer: a
 * whiteout hides lower layers only (OCI image spec, layer.md), so the
 * directory stays with its own entries and the lower ones go, as if it
 * were opaque. Return: 1 when @target is no directory of this layer */
static int unpack_whiteout_own_dir(struct unpack_ctx *c, int pfd, const char *target,
                                   const char *path)
{
	_cleanup_close_ int fd = -1;
	int r;

	if (c->mode == UNPACK_WHITEOUT_APPLY && !unpack_set_has(&c->created, path))
		return 1;
	fd = openat(pfd, target, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return 1;
	if (c->mode == UNPACK_WHITEOUT_OVERLAY)
		return unpack_mark_opaque(c, fd);
	r = unpack_remove_lower(fd, path, &c->created);
	return r < 0 ? unpack_fail_errno(c, -r, "deleting what it whites out") : 0;
}

/* implements ".wh.NAME": NAME of the lower layers is deleted */
static int unpack_whiteout(struct unpack_ctx *c, int pfd, const char *target)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX];
	struct stat st;
	int r;

	snprintf(path, sizeof(path), "%s%s%s", c->parent_path, c->parent_path[0] ? "/" : "",
	         target);
	r = unpack_whiteout_own_dir(c, pfd, target, path);
	if (r <= 0)
		return r;
	if (c->mode == UNPACK_WHITEOUT_APPLY) {
		if (unpack_set_has(&c->created, path))
			return 0; /* whiteouts hide lower layers only */
		r = util_rm_rf_at(pfd, target);
		return r < 0 ? unpack_fail_errno(c, -r, "deleting what it whites out") : 0;
	}
	if (fstatat(pfd, target, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0; /* made by this very layer: it stays */
	if (mknodat(pfd, target, S_IFCHR, makedev(0, 0)) == 0)
		return 0;
	if (errno != EPERM)
		return unpack_fail_errno(c, errno, "creating the whiteout");
	/* kernels that refuse the device take the xattr form (Linux >= 6.7) */
	fd = openat(pfd, target, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0000);
	if (fd < 0 || fsetxattr(fd, "user.overlay.whiteout", "y", 1, 0) < 0 ||
	    (fsetxattr(pfd, "user.overlay.opaque", "x", 1, XATTR_CREATE) < 0 && errno != EEXIST))
		return unpack_fail_errno(c, errno, "creating the whiteout");
	return 0;
}

/* implements ".wh..wh..opq": the lower layers' content of the directory is hidden */
static int unpack_opaque(struct unpack_ctx *c, int pfd)
{
	int r;

	if (c->mode == UNPACK_WHITEOUT_OVERLAY)
		return unpack_mark_opaque(c, pfd);
	r = unpack_remove_lower(pfd, c->parent_path, &c->created);
	return r < 0 ? unpack_fail_errno(c, -r, "emptying the opaque directory") : 0;
}

/* ".wh.*" entries; Return: 1 when @name is not a whiteout */
static int unpack_whiteout_entry(struct unpack_ctx *c, const char *name)
{
	const char *target = name + strlen(UNPACK_WH_PREFIX);
	int pfd;

	if (strncmp(name, UNPACK_WH_PREFIX, strlen(UNPACK_WH_PREFIX)) != 0)
		return 1;
	if (strcmp(target, "") == 0 || strcmp(target, ".") == 0 || strcmp(target, "..") == 0)
		return unpack_fail(c, EXDEV, "escapes the layer root");
	pfd = unpack_parent(c, &name);
	if (pfd < 0)
		return pfd;
	if (strcmp(name, UNPACK_WH_OPAQUE) == 0)
		return unpack_opaque(c, pfd);
	if (strncmp(name, UNPACK_WH_META, strlen(UNPACK_WH_META)) == 0)
		return 0; /* other AUFS metadata: nothing to apply */
	return unpack_whiteout(c, pfd, target);
}

/* a component of the cleaned @path starts with ".wh." */
static bool unpack_has_wh_name(const char *path)
{
	for (const char *p = path; p; p = strchr(p, '/')) {
		if (*p == '/')
			p++;
		if (strncmp(p, UNPACK_WH_PREFIX, strlen(UNPACK_WH_PREFIX)) == 0)
			return true;
	}
	return false;
}

/* Return: 0 when created, 1 when skipped, or a negative errno */
static int unpack_create(struct unpack_ctx *c, int pfd, const char *name, struct archive_entry *e)
{
	const char *link = archive_entry_hardlink(e);
	mode_t type = archive_entry_filetype(e);
	int r;

	if (link)
		return unpack_hardlink(c, pfd, name, link);
	if (type == AE_IFDIR)
		return unpack_dir(c, pfd, name, e);
	r = unpack_clear(c, pfd, name, false);
	if (r < 0)
		return r;
	switch (type) {
	case AE_IFREG: return unpack_file(c, pfd, name, e);
	case AE_IFLNK: return unpack_symlink(c, pfd, name, e);
	default: return unpack_special(c, pfd, name, e);
	}
}

static int unpack_entry(struct unpack_ctx *c, struct archive_entry *e)
{
	const char *name;
	mode_t type = archive_entry_filetype(e);
	int r, pfd;

	c->raw = archive_entry_pathname(e);
	if (!c->raw)
		return werr_set(c->err, EINVAL, "layer entry without a name");
	r = unpack_path_clean(c->raw, c->path, sizeof(c->path));
	if (r == -EXDEV)
		return unpack_fail(c, EXDEV, "escapes the layer root");
	if (r < 0)
		return unpack_fail(c, ENAMETOOLONG, "has a path that is too long");
	if (c->path[0] == '\0') {
		if (type == AE_IFDIR && !archive_entry_hardlink(e))
			return 0; /* the root: its metadata is the store's */
		return unpack_fail(c, EXDEV, "would replace the layer root");
	}
	if (c->mode == UNPACK_WHITEOUT_REFUSE && unpack_has_wh_name(c->path))
		return werr_set(c->err, EINVAL,
		                "archive entry %.512s: a name starting with .wh. would be a "
		                "whiteout in the image layer; rename it",
		                c->raw);
	name = strrchr(c->path, '/');
	if (c->mode == UNPACK_WHITEOUT_OVERLAY || c->mode == UNPACK_WHITEOUT_APPLY) {
		r = unpack_whiteout_entry(c, name ? name + 1 : c->path);
		if (r <= 0)
			return r;
	}
	pfd = unpack_parent(c, &name);
	if (pfd < 0)
		return pfd;
	if (c->mode == UNPACK_WHITEOUT_APPLY && unpack_set_add(&c->created, c->path) < 0)
		return werr_set(c->err, ENOMEM, "out of memory");
	r = unpack_create(c, pfd, name, e);
	if (r == 0 && c->stats)
		c->stats->files++;
	return r < 0 ? r : 0;
}

/* directory modes and times, deepest first */
static int unpack_fix_dirs(struct unpack_ctx *c)
{
	while (c->nfix > 0) {
		struct unpack_dirfix *f = &c->fix[--c->nfix];
		_cleanup_close_ int fd = unpack_open_beneath(c->rootfd, f->path, false, NULL);

		int r = 0;

		/* a directory replaced or deleted by a later entry has nothing to fix */
		if (fd >= 0 && (fchmod(fd, f->mode) < 0 || futimens(fd, f->times) < 0))
			r = werr_errno(c->err, errno, "layer directory %.512s: setting its mode",
			               f->path);
		free(f->path);
		if (r < 0)
			return r;
	}
	return 0;
}

/* libarchive's read callback for a blob that is still arriving: what is
 * in the file, else wait for the downloader's next write */
static la_ssize_t unpack_follow_read(struct archive *a, void *ud, const void **buf)
{
	struct unpack_ctx *c = ud;
	uint64_t size = c->follow->follow_size;

	while (c->follow_off < size) {
		size_t want = size - c->follow_off < UNPACK_READ_BLOCK
		                  ? (size_t)(size - c->follow_off)
		                  : UNPACK_READ_BLOCK;
		ssize_t n = pread(c->fd, c->follow_buf, want, (off_t)c->follow_off);
		uint64_t v;

		if (n > 0) {
			c->follow_off += (uint64_t)n;
			*buf = c->follow_buf;
			return n;
		}
		if (n < 0 && errno != EINTR) {
			archive_set_error(a, errno, "reading the blob");
			return ARCHIVE_FATAL;
		}
		if (n == 0) {
			/* the eventfd blocks until the next write (or the abort) */
			if (read(c->follow->follow_fd, &v, sizeof(v)) < 0 && errno != EINTR) {
				archive_set_error(a, errno, "waiting for the download");
				return ARCHIVE_FATAL;
			}
			if (v >= UNPACK_FOLLOW_ABORT) {
				archive_set_error(a, ECONNRESET, "the download failed");
				return ARCHIVE_FATAL;
			}
		}
	}
	return 0;
}

static int unpack_open_archive(struct unpack_ctx *c, int fd)
{
	c->a = archive_read_new();
	if (!c->a)
		return werr_set(c->err, ENOMEM, "out of memory");
	/* an ADD archive may also be bzip2 or xz compressed, as BuildKit reads */
	if (c->mode == UNPACK_WHITEOUT_REFUSE &&
	    (archive_read_support_filter_bzip2(c->a) != ARCHIVE_OK ||
	     archive_read_support_filter_xz(c->a) != ARCHIVE_OK))
		return werr_set(c->err, ENOTSUP,
		                "this libarchive cannot read bzip2 and xz itself: %s",
		                archive_error_string(c->a));
	if (archive_read_support_filter_gzip(c->a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(c->a) != ARCHIVE_OK ||
	    archive_read_support_filter_none(c->a) != ARCHIVE_OK ||
	    archive_read_support_format_tar(c->a) != ARCHIVE_OK ||
	    archive_read_support_format_empty(c->a) != ARCHIVE_OK)
		return werr_set(c->err, ENOTSUP,
		                "this libarchive cannot read gzip, zstd and tar itself: %s",
		                archive_error_string(c->a));
	if (c->follow) {
		c->fd = fd;
		c->follow_buf = malloc(UNPACK_READ_BLOCK);
		if (!c->follow_buf)
			return werr_set(c->err, ENOMEM, "out of memory");
		if (archive_read_open(c->a, c, NULL, unpack_follow_read, NULL) != ARCHIVE_OK)
			return werr_set(c->err, EIO, "reading the layer: %s",
			                archive_error_string(c->a));
	} else if (archive_read_open_fd(c->a, fd, UNPACK_READ_BLOCK) != ARCHIVE_OK)
		return werr_set(c->err, EIO, "reading the layer: %s", archive_error_string(c->a));
	return 0;
}

int unpack_layer(int fd, int dirfd, const struct unpack_opts *opts, struct unpack_stats *stats,
                 struct werr *err)
{
	struct unpack_ctx c = {
		.rootfd = dirfd,
		.mode = opts ? opts->whiteouts : UNPACK_WHITEOUT_OVERLAY,
		.owner_root = opts && opts->owner_root,
		.owner_set = opts && opts->owner_set,
		.uid = opts ? opts->uid : 0,
		.gid = opts ? opts->gid : 0,
		.stats = stats,
		.err = err,
		.parent_fd = -1,
		.fd = -1,
		.follow = opts && opts->follow ? opts : NULL,
	};
	struct archive_entry *e;
	int r;

	if (stats)
		memset(stats, 0, sizeof(*stats));
	r = unpack_open_archive(&c, fd);
	while (r == 0) {
		int ar = archive_read_next_header(c.a, &e);
		if (ar == ARCHIVE_EOF)
			break;
		if (ar < ARCHIVE_WARN) {
			r = werr_set(err, EIO, "reading the layer: %s", archive_error_string(c.a));
			break;
		}
		r = unpack_entry(&c, e);
	}
	if (r == 0)
		r = unpack_fix_dirs(&c);
	unpack_drop_parent(&c);
	for (size_t i = 0; i < c.nfix; i++)
		free(c.fix[i].path);
	free(c.fix);
	unpack_set_free(&c.created);
	if (c.a)
		archive_read_free(c.a);
	free(c.follow_buf);
	return r;
}
