/* ovlfuse.c - starts warren-overlay for the fuse-overlay storage driver: a
 * child joins the container's user namespace, unshares a mount namespace of
 * its own (so the container's pivot_root never moves it), and execs
 * warren-overlay --mount-fd, which mounts, then sends a detached copy of the
 * mount back over a socket and serves it until it is stopped. For a
 * SquashFS image the child first has squashfuse_ll mount the file as the
 * lower layer in that mount namespace (sqshmount.c); it ends with
 * warren-overlay, its parent after the exec. */
#include "ovlfuse.h"
#include "cleanup.h"
#include "container.h"
#include "sqshmount.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define OVLFUSE_PROG       "warren-overlay"
#define OVLFUSE_TIMEOUT_MS 30000

/* next to warren (an installed tree or a build tree), then PATH */
static int ovlfuse_find(char *out, size_t size, struct werr *err)
{
	if (util_find_program(OVLFUSE_PROG, "fuse-overlayfs", true, out, size) == 0)
		return 0;
	return werr_set(err, ENOENT,
	                OVLFUSE_PROG " not found next to warren or in PATH: install it, or "
	                             "use --storage-driver overlay or vfs");
}

/* whether this user namespace maps one ID only (single-ID mode) */
static bool ovlfuse_single_id_p(void)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/uid_map", "re");
	unsigned inner, outer, count = 0;
	int n = 0;

	while (f && fscanf(f, "%u %u %u", &inner, &outer, &count) == 3)
		n++;
	return n == 1 && count == 1;
}

/* every descriptor but stderr, and stdin and stdout onto /dev/null */
static void ovlfuse_close_all(void)
{
	int null = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	syscall(SYS_close_range, 3, ~0U, 0);
}

/* the kernel's overlay over a SquashFS file: squashfuse_ll's mount sent
 * detached, as warren-overlay sends its own (the container attaches it at
 * lower_base and mounts the overlay on it); this process then only waits
 * for squashfuse_ll, which ends when the container's copy of the mount
 * goes, and ends with it, so its exit means what warren-overlay's does */
static void ovlfuse_sqsh_hold(const struct overlay_spec *o, pid_t sqfs, int sock)
{
	int tree = (int)syscall(SYS_open_tree, AT_FDCWD, o->lower_base,
	                        OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	int st;

	if (tree < 0 || util_fd_send(sock, tree, "m", 1) < 0) {
		fprintf(stderr, "warren: sending squashfuse's mount of %s: %s\n", o->squashfs,
		        strerror(errno));
		return;
	}
	close(tree);
	umount2(o->lower_base, MNT_DETACH);
	/* no exec closes what this fork of warren inherited: the monitor's
	 * lock, ready pipe and attach socket must not outlive it here */
	ovlfuse_close_all();
	while (waitpid(sqfs, &st, 0) < 0 && errno == EINTR)
		;
	_exit(0);
}

/* the child: into the container's user namespace, a mount namespace of its
 * own, then warren-overlay (or, for the kernel's overlay over a SquashFS
 * file, squashfuse_ll's mount); returns only on failure (the caller
 * _exits) */
static void ovlfuse_child(const char *prog, const struct overlay_spec *o, const char *mountpoint,
                          pid_t pid, int sock)
{
	char path[64], opts[PATH_MAX * 3 + 64], fdarg[32];
	struct werr err = { 0 };
	sigset_t none;
	pid_t sqfs;
	int userns;

	/* warren blocks the signals it forwards; the server must see SIGTERM */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	snprintf(path, sizeof(path), "/proc/%d/ns/user", (int)pid);
	userns = open(path, O_RDONLY | O_CLOEXEC);
	if (userns < 0 || setns(userns, CLONE_NEWUSER) < 0 || unshare(CLONE_NEWNS) < 0 ||
	    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0) {
		fprintf(stderr, "warren: starting " OVLFUSE_PROG ": %s\n", strerror(errno));
		return;
	}
	if (o->squashfs && sqshmount_start(o->squashfs, o->lower_base, &sqfs, &err) < 0) {
		werr_print(&err, "warren");
		return;
	}
	if (!o->fuse) {
		ovlfuse_sqsh_hold(o, sqfs, sock);
		return;
	}
	if (chdir(o->lower_base) < 0) {
		fprintf(stderr, "warren: starting " OVLFUSE_PROG ": %s: %s\n", o->lower_base,
		        strerror(errno));
		return;
	}
	if (dup2(sock, 3) < 0)
		return;
	snprintf(fdarg, sizeof(fdarg), "--mount-fd=3");
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s,workdir=%s", o->lowerdir, o->upperdir,
	         o->workdir);
	/* single-ID mode: squashfuse shows the image's owners this namespace
	 * cannot map as the overflow ID; shown as its root instead, as the
	 * files of a single-ID unpack are */
	if (o->squashfs && ovlfuse_single_id_p())
		strcat(opts, ",uidmapping=0:0:1:65534:0:1,gidmapping=0:0:1:65534:0:1");
	execl(prog, prog, fdarg, "-o", opts, mountpoint, (char *)NULL);
	fprintf(stderr, "warren: running %s: %s\n", prog, strerror(errno));
}

/* the detached mount warren-overlay sends once it has mounted */
static int ovlfuse_receive(int sock, struct werr *err)
{
	struct pollfd pfd = { sock, POLLIN, 0 };
	char b[2];
	int fd, r;

	do
		r = poll(&pfd, 1, OVLFUSE_TIMEOUT_MS);
	while (r < 0 && errno == EINTR);
	if (r == 0)
		return werr_set(err, ETIMEDOUT, OVLFUSE_PROG " did not mount within %d s",
		                OVLFUSE_TIMEOUT_MS / 1000);
	fd = util_fd_recv(sock, b, sizeof(b), NULL);
	if (fd < 0)
		return werr_reported(err, EIO); /* its one-line error is on stderr */
	return fd;
}

int ovlfuse_start(const struct overlay_spec *o, const char *mountpoint, pid_t pid, pid_t *daemon,
                  struct werr *err)
{
	char prog[PATH_MAX];
	int sv[2], fd;
	pid_t child;

	*daemon = 0;
	if (o->fuse && ovlfuse_find(prog, sizeof(prog), err) < 0)
		return -err->code;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return werr_errno(err, errno, "socketpair");
	child = fork();
	if (child < 0) {
		close(sv[0]);
		close(sv[1]);
		return werr_errno(err, errno, "fork");
	}
	if (child == 0) {
		close(sv[0]);
		ovlfuse_child(prog, o, mountpoint, pid, sv[1]);
		_exit(EXIT_WARREN);
	}
	close(sv[1]);
	fd = ovlfuse_receive(sv[0], err);
	close(sv[0]);
	if (fd < 0) {
		ovlfuse_stop(child);
		return fd;
	}
	*daemon = child;
	return fd;
}

/* wait up to @ms for @daemon to exit; Return: true when it did */
static bool ovlfuse_wait(pid_t daemon, int ms, int *st)
{
	int pidfd = (int)syscall(SYS_pidfd_open, daemon, 0);

	/* woken at its exit, not at the next tick of the loop below (which
	 * then finds it at once): the daemon ends just after the container */
	if (pidfd >= 0) {
		struct pollfd pfd = { pidfd, POLLIN, 0 };
		while (poll(&pfd, 1, ms) < 0 && errno == EINTR)
			;
		close(pidfd);
	}
	for (int i = 0; i < ms / 10; i++) {
		pid_t r = waitpid(daemon, st, WNOHANG);
		if (r == daemon || (r < 0 && errno == ECHILD))
			return true;
		usleep(10000);
	}
	return false;
}

int ovlfuse_stop(pid_t daemon)
{
	int st = 0;

	if (daemon <= 0)
		return 0;
	/* it exits by itself once the container's copy of its mount is gone,
	 * after the kernel has written back what the container left dirty */
	if (ovlfuse_wait(daemon, 5000, &st))
		return WIFSIGNALED(st) ? WTERMSIG(st) : 0;
	kill(daemon, SIGTERM);
	if (!ovlfuse_wait(daemon, 2000, &st)) {
		kill(daemon, SIGKILL);
		while (waitpid(daemon, NULL, 0) < 0 && errno == EINTR)
			;
	}
	return 0;
}
