/* mounts.c - assembles the container's root filesystem in the child, then
 * pivots into it. Must never mount onto a path resolved outside the rootfs:
 * every target is opened with openat2(RESOLVE_IN_ROOT) and mounted through
 * /proc/self/fd/N. */
#include "mounts.h"
#include "ovlmount.h"
#include "etcfiles.h"
#include "hooks.h"
#include "netsetup.h"
#include "cleanup.h"
#include "resolve.h"
#include "starttrace.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FD_PATH_MAX 32

/* Docker's masked and read-only paths (moby's oci defaults) */
static const char *const masked_paths[] = {
	"/proc/acpi",
	"/proc/asound",
	"/proc/kcore",
	"/proc/keys",
	"/proc/latency_stats",
	"/proc/timer_list",
	"/proc/timer_stats",
	"/proc/sched_debug",
	"/proc/scsi",
	"/sys/firmware",
	"/sys/devices/virtual/powercap",
	"/proc/interrupts",
};

static const char *const readonly_paths[] = {
	"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger",
};

static const char *const dev_nodes[] = { "null", "zero", "full", "random", "urandom", "tty" };

static void fd_path(char *buf, int fd)
{
	snprintf(buf, FD_PATH_MAX, "/proc/self/fd/%d", fd);
}

int mounts_open_in_root(int rootfd, const char *path, char create, struct werr *err)
{
	char parent[4096];
	const char *base;
	_cleanup_close_ int pfd = -1;
	int fd = resolve_open(rootfd, path, O_PATH, RESOLVE_IN_ROOT);

	if (fd >= 0 || errno != ENOENT || !create)
		return fd >= 0 ? fd : werr_errno(err, errno, "%s in the container", path);
	base = strrchr(path, '/');
	if (!base || strlen(path) >= sizeof(parent))
		return werr_set(err, EINVAL, "bad container path '%s'", path);
	snprintf(parent, sizeof(parent), "%.*s", (int)(base - path), path);
	base++;
	if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		return werr_set(err, EINVAL, "bad container path '%s'", path);
	pfd = parent[0] ? mounts_open_in_root(rootfd, parent, 'd', err) : dup(rootfd);
	if (pfd < 0)
		return pfd;
	{
		/* O_PATH fds cannot be used with mkdirat's dirfd reliably: reopen */
		char p[FD_PATH_MAX];
		_cleanup_close_ int dfd = -1;
		fd_path(p, pfd);
		dfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		if (dfd < 0)
			return werr_errno(err, errno, "%s in the container", parent);
		if (create == 'd') {
			if (mkdirat(dfd, base, 0755) < 0 && errno != EEXIST)
				return werr_errno(err, errno, "mkdir %s in the container", path);
		} else {
			int f =
			    openat(dfd, base, O_CREAT | O_WRONLY | O_NOFOLLOW | O_CLOEXEC, 0644);
			if (f < 0 && errno != EEXIST)
				return werr_errno(err, errno, "create %s in the container", path);
			if (f >= 0)
				close(f);
		}
	}
	fd = resolve_open(rootfd, path, O_PATH, RESOLVE_IN_ROOT);
	if (fd < 0)
		return werr_errno(err, errno, "%s in the container", path);
	return fd;
}

static int mount_at(int rootfd, const char *dst, char create, const char *src, const char *fstype,
                    unsigned long flags, const char *data, struct werr *err)
{
	char p[FD_PATH_MAX];
	_cleanup_close_ int fd = mounts_open_in_root(rootfd, dst, create, err);

	if (fd < 0)
		return fd;
	fd_path(p, fd);
	if (mount(src, p, fstype, flags, data) < 0)
		return werr_errno(err, errno, "mount %s on %s", fstype ? fstype : src, dst);
	return 0;
}

static int setattr_at(int rootfd, const char *dst, uint64_t set, bool recursive, struct werr *err)
{
	_cleanup_close_ int fd = mounts_open_in_root(rootfd, dst, 0, err);
	struct mount_attr attr = { .attr_set = set };

	if (fd < 0)
		return fd;
	if (mount_setattr(fd, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr,
	                  sizeof(attr)) < 0)
		return werr_errno(err, errno, "making %s read-only", dst);
	return 0;
}

static int bind_at(int rootfd, const char *src, const char *dst, bool readonly, struct werr *err)
{
	struct stat st;
	int r;

	if (stat(src, &st) < 0)
		return werr_errno(err, errno, "bind mount source %s", src);
	r = mount_at(rootfd, dst, S_ISDIR(st.st_mode) ? 'd' : 'f', src, NULL, MS_BIND | MS_REC,
	             NULL, err);
	if (r < 0)
		return r;
	return readonly ? setattr_at(rootfd, dst, MOUNT_ATTR_RDONLY, true, err) : 0;
}

static int mounts_dev(int rootfd, const struct container_spec *spec, struct werr *err)
{
	_cleanup_close_ int devfd = -1;
	char opts[128];
	int r;

	r = mount_at(rootfd, "/dev", 'd', "tmpfs", "tmpfs", MS_NOSUID | MS_STRICTATIME,
	             "mode=755,size=65536k", err);
	if (r < 0)
		return r;
	devfd = resolve_open(rootfd, "/dev", O_RDONLY | O_DIRECTORY, RESOLVE_IN_ROOT);
	if (devfd < 0)
		return werr_errno(err, errno, "open /dev in the container");
	for (size_t i = 0; i < ARRAY_SIZE(dev_nodes); i++) {
		char src[32], dst[32];
		snprintf(src, sizeof(src), "/dev/%s", dev_nodes[i]);
		snprintf(dst, sizeof(dst), "/dev/%s", dev_nodes[i]);
		r = mount_at(rootfd, dst, 'f', src, NULL, MS_BIND, NULL, err);
		if (r < 0)
			return r;
	}
	if (symlinkat("pts/ptmx", devfd, "ptmx") < 0 ||
	    symlinkat("/proc/self/fd", devfd, "fd") < 0 ||
	    symlinkat("/proc/self/fd/0", devfd, "stdin") < 0 ||
	    symlinkat("/proc/self/fd/1", devfd, "stdout") < 0 ||
	    symlinkat("/proc/self/fd/2", devfd, "stderr") < 0 ||
	    symlinkat("/proc/kcore", devfd, "core") < 0)
		return werr_errno(err, errno, "creating /dev symlinks");
	/* gid 5 (tty) only where the map has it: devpts refuses unmapped gids */
	snprintf(opts, sizeof(opts), "newinstance,ptmxmode=0666,mode=0620%s",
	         idmap_maps_id(&spec->idmap.gids, 5) ? ",gid=5" : "");
	r = mount_at(rootfd, "/dev/pts", 'd', "devpts", "devpts", MS_NOSUID | MS_NOEXEC, opts, err);
	if (r < 0)
		return r;
	/* --ipc host: the host's IPC namespace and its /dev/shm and /dev/mqueue
	 * (an IPC namespace the container does not own cannot mount mqueue) */
	if (spec->ipc_host) {
		r = bind_at(rootfd, "/dev/shm", "/dev/shm", false, err);
		if (r == 0 && access("/dev/mqueue", F_OK) == 0)
			r = bind_at(rootfd, "/dev/mqueue", "/dev/mqueue", false, err);
		return r;
	}
	snprintf(opts, sizeof(opts), "mode=1777,size=%lld",
	         spec->shm_size > 0 ? spec->shm_size : 64LL << 20);
	r = mount_at(rootfd, "/dev/shm", 'd', "shm", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	             opts, err);
	if (r < 0)
		return r;
	return mount_at(rootfd, "/dev/mqueue", 'd', "mqueue", "mqueue",
	                MS_NOSUID | MS_NODEV | MS_NOEXEC, NULL, err);
}

static int mounts_sys(int rootfd, const struct container_spec *spec, struct werr *err)
{
	unsigned long fl = MS_NOSUID | MS_NODEV | MS_NOEXEC;

	if (!spec->network_host)
		return mount_at(rootfd, "/sys", 'd', "sysfs", "sysfs",
		                fl | (spec->privileged ? 0 : MS_RDONLY), NULL, err);
	/* sysfs cannot be mounted without owning the network namespace: bind the host's */
	return bind_at(rootfd, "/sys", "/sys", !spec->privileged, err);
}

static int mounts_mask(int rootfd, struct werr *err)
{
	for (size_t i = 0; i < ARRAY_SIZE(masked_paths); i++) {
		char p[FD_PATH_MAX];
		struct stat st;
		_cleanup_close_ int fd =
		    resolve_open(rootfd, masked_paths[i], O_PATH, RESOLVE_IN_ROOT);

		if (fd < 0)
			continue; /* not present on this kernel */
		if (fstat(fd, &st) < 0)
			return werr_errno(err, errno, "stat %s", masked_paths[i]);
		fd_path(p, fd);
		if (S_ISDIR(st.st_mode)) {
			if (mount("tmpfs", p, "tmpfs", MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
			          "size=0") < 0)
				return werr_errno(err, errno, "masking %s", masked_paths[i]);
		} else if (mount("/dev/null", p, NULL, MS_BIND, NULL) < 0) {
			return werr_errno(err, errno, "masking %s", masked_paths[i]);
		}
	}
	for (size_t i = 0; i < ARRAY_SIZE(readonly_paths); i++) {
		char p[FD_PATH_MAX];
		_cleanup_close_ int fd =
		    resolve_open(rootfd, readonly_paths[i], O_PATH, RESOLVE_IN_ROOT);
		int r;

		if (fd < 0)
			continue;
		fd_path(p, fd);
		if (mount(p, p, NULL, MS_BIND | MS_REC, NULL) < 0)
			return werr_errno(err, errno, "bind %s", readonly_paths[i]);
		r = setattr_at(rootfd, readonly_paths[i], MOUNT_ATTR_RDONLY, true, err);
		if (r < 0)
			return r;
	}
	return 0;
}

/* the generated /etc files live on a small tmpfs of their own, mounted on
 * the container's /dev/.etc only while they are written and bound into /etc:
 * nothing is written to the host's disk for them (on a disk-backed runtime
 * directory that was a third of a container's start) */
static int mounts_etc(int rootfd, const struct container_spec *spec, struct werr *err)
{
	static const char *const files[] = { "hostname", "hosts", "resolv.conf" };
	char p[FD_PATH_MAX], src[FD_PATH_MAX + 16];
	_cleanup_close_ int at = -1, dirfd = -1, devfd = -1;
	int r;

	r = mount_at(rootfd, "/dev/.etc", 'd', "tmpfs", "tmpfs", MS_NOSUID | MS_NODEV | MS_NOEXEC,
	             "mode=755,size=1024k", err);
	if (r < 0)
		return r;
	at = mounts_open_in_root(rootfd, "/dev/.etc", 0, err);
	if (at < 0)
		return at;
	fd_path(p, at);
	dirfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return werr_errno(err, errno, "open /dev/.etc");
	r = etcfiles_write(dirfd, spec->hostname, spec->network_host, err);
	if (r == 0)
		r = netetc_write(&spec->net, dirfd, err);
	for (size_t i = 0; r == 0 && i < ARRAY_SIZE(files); i++) {
		char dst[64];
		snprintf(src, sizeof(src), "/proc/self/fd/%d/%s", dirfd, files[i]);
		snprintf(dst, sizeof(dst), "/etc/%s", files[i]);
		r = mount_at(rootfd, dst, spec->readonly ? 0 : 'f', src, NULL, MS_BIND, NULL, err);
		if (r == -ENOENT && spec->readonly)
			r = 0; /* a read-only rootfs without the file: nothing to bind onto */
	}
	if (r < 0)
		return r;
	if (umount2(p, MNT_DETACH) < 0)
		return werr_errno(err, errno, "unmount /dev/.etc");
	devfd = mounts_open_in_root(rootfd, "/dev", 0, err);
	if (devfd < 0)
		return devfd;
	fd_path(p, devfd);
	snprintf(src, sizeof(src), "%s/.etc", p);
	if (rmdir(src) < 0)
		return werr_errno(err, errno, "rmdir /dev/.etc");
	return 0;
}

int mounts_user(int rootfd, const struct container_spec *spec, struct werr *err)
{
	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct mount_spec *m = &spec->mounts[i];
		int r;

		if (m->kind == MOUNT_BIND)
			r = bind_at(rootfd, m->src, m->dst, m->readonly, err);
		else
			r = mount_at(rootfd, m->dst, 'd', "tmpfs", "tmpfs",
			             m->flags | (m->readonly ? MS_RDONLY : 0), m->options, err);
		if (r < 0)
			return r;
	}
	return 0;
}

static int mounts_pivot(int rootfd, struct werr *err)
{
	if (fchdir(rootfd) < 0)
		return werr_errno(err, errno, "chdir to the rootfs");
	/* pivot_root(".", ".") stacks the old root on the new one; detach it */
	if (syscall(SYS_pivot_root, ".", ".") < 0)
		return werr_errno(err, errno, "pivot_root");
	if (umount2(".", MNT_DETACH) < 0)
		return werr_errno(err, errno, "detaching the old root");
	if (chdir("/") < 0)
		return werr_errno(err, errno, "chdir /");
	return 0;
}

/* relative lower dirs keep the option string short: the kernel takes one page */
int mounts_overlay(const struct container_spec *spec, struct werr *err)
{
	const struct overlay_spec *o = spec->overlay;

	if (o->fuse) {
		/* warren-overlay's mount, made in its own mount namespace */
		if (spec->overlay_fd < 0)
			return werr_set(err, EINVAL, "no mount from warren-overlay");
		if (move_mount(spec->overlay_fd, "", AT_FDCWD, spec->rootfs,
		               MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return werr_errno(err, errno, "attaching warren-overlay's mount at %s",
			                  spec->rootfs);
		close(spec->overlay_fd);
		return 0;
	}
	if (o->squashfs) {
		/* squashfuse_ll's mount of the file, the overlay's lower layer */
		if (spec->overlay_fd < 0)
			return werr_set(err, EINVAL, "no mount from squashfuse_ll");
		if (move_mount(spec->overlay_fd, "", AT_FDCWD, o->lower_base,
		               MOVE_MOUNT_F_EMPTY_PATH) < 0)
			return werr_errno(err, errno, "attaching squashfuse's mount at %s",
			                  o->lower_base);
		close(spec->overlay_fd);
	}
	return ovlmount_mount(o->lower_base, o->lowerdir, o->upperdir, o->workdir, spec->rootfs,
	                      err);
}

int mounts_setup(const struct container_spec *spec, struct werr *err)
{
	_cleanup_close_ int rootfd = -1;
	int r;

	/* nothing we mount may propagate back to the host */
	if (mount(NULL, "/", NULL, MS_REC | MS_SLAVE, NULL) < 0)
		return werr_errno(err, errno, "making mounts private");
	if (spec->overlay && (r = mounts_overlay(spec, err)) < 0)
		return r;
	if (mount(spec->rootfs, spec->rootfs, NULL, MS_BIND | MS_REC, NULL) < 0)
		return werr_errno(err, errno, "bind mount of the rootfs %s", spec->rootfs);
	rootfd = open(spec->rootfs, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return werr_errno(err, errno, "open rootfs %s", spec->rootfs);
	starttrace_mark("child: mounts private, rootfs bound");

	/* --pid host: proc cannot be mounted for a PID namespace the container's
	 * user namespace does not own; the host's is bound instead, as Podman does */
	if (spec->pid_host)
		r = bind_at(rootfd, "/proc", "/proc", false, err);
	else
		r = mount_at(rootfd, "/proc", 'd', "proc", "proc", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		             NULL, err);
	starttrace_mark("child: /proc");
	if (r == 0)
		r = mounts_dev(rootfd, spec, err);
	starttrace_mark("child: /dev");
	if (r == 0)
		r = mounts_sys(rootfd, spec, err);
	starttrace_mark("child: /sys");
	if (r == 0)
		r = mounts_etc(rootfd, spec, err);
	starttrace_mark("child: /etc files");
	if (r == 0)
		r = mounts_user(rootfd, spec, err);
	if (r == 0 && !spec->privileged)
		r = mounts_mask(rootfd, err);
	starttrace_mark("child: user mounts, masked paths");
	if (r == 0 && spec->readonly) {
		struct mount_attr attr = { .attr_set = MOUNT_ATTR_RDONLY };
		if (mount_setattr(rootfd, "", AT_EMPTY_PATH, &attr, sizeof(attr)) < 0)
			r = werr_errno(err, errno, "making the rootfs read-only");
	}
	if (r == 0)
		r = hooks_run(spec, HOOK_CREATE_CONTAINER, err);
	if (r < 0)
		return r;
	return mounts_pivot(rootfd, err);
}
