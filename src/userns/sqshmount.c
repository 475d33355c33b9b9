/* sqshmount.c - squashfuse_ll started inside a user namespace and waited
 * for until its mount covers the directory. It never mounts anywhere but
 * the caller's own mount namespace, and the server dies with its parent. */
#include "sqshmount.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#define SQSHMOUNT_PROG       "squashfuse_ll"
#define SQSHMOUNT_TIMEOUT_MS 30000
#define SQSHMOUNT_POLL_MS    2

/* whether a mount covers @dir yet: its device is no longer @under */
static bool sqshmount_covered_p(const char *dir, dev_t under)
{
	struct stat st;

	return stat(dir, &st) == 0 && st.st_dev != under;
}

/*
 * sqshmount_keep_admin - keep CAP_SYS_ADMIN of the user namespace across the
 * exec of squashfuse_ll when the caller is not root in it (--userns keep-id:
 * setns gave every capability, but exec by a non-root ID drops them, and
 * libfuse then falls back to fusermount3, which refuses allow_other unless
 * /etc/fuse.conf has user_allow_other). An ambient capability survives exec;
 * it is one the process already holds, in the container's namespace only.
 */
static void sqshmount_keep_admin(void)
{
	struct __user_cap_header_struct h = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct d[2];

	if (geteuid() == 0 || syscall(SYS_capget, &h, d) < 0 ||
	    !(d[0].permitted & (1U << CAP_SYS_ADMIN)))
		return;
	d[0].inheritable |= 1U << CAP_SYS_ADMIN;
	if (syscall(SYS_capset, &h, d) == 0)
		(void)prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, CAP_SYS_ADMIN, 0, 0);
}

int sqshmount_start(const char *file, const char *dir, pid_t *pid, struct werr *err)
{
	char prog[PATH_MAX];
	pid_t self = getpid(), child;
	struct stat under;
	int st;

	*pid = 0;
	/* squashfuse_ll: the low-level API keeps the image's inode numbers,
	 * so warren-overlay sees hard links as one inode */
	if (util_find_program(SQSHMOUNT_PROG, NULL, true, prog, sizeof(prog)) < 0)
		return werr_set(err, ENOENT,
		                SQSHMOUNT_PROG " not found: running a SquashFS image needs it "
		                               "(Debian and Ubuntu: apt-get install squashfuse)");
	if (stat(dir, &under) < 0)
		return werr_errno(err, errno, "%s", dir);
	child = fork();
	if (child < 0)
		return werr_errno(err, errno, "fork");
	if (child == 0) {
		int null = open("/dev/null", O_RDWR | O_CLOEXEC);
		if (prctl(PR_SET_PDEATHSIG, SIGTERM) < 0 || getppid() != self)
			_exit(EXIT_WARREN);
		/* the server holds neither the caller's stdin and stdout (a
		 * pipe that a reader waits on) nor any descriptor but stderr */
		if (null < 0 || dup2(null, STDIN_FILENO) < 0 || dup2(null, STDOUT_FILENO) < 0)
			_exit(EXIT_WARREN);
		syscall(SYS_close_range, 3, ~0U, 0);
		sqshmount_keep_admin();
		execl(prog, prog, "-f", "-o", "allow_other", file, dir, (char *)NULL);
		fprintf(stderr, "warren: running %s: %s\n", prog, strerror(errno));
		_exit(127);
	}
	for (int i = 0; i < SQSHMOUNT_TIMEOUT_MS / SQSHMOUNT_POLL_MS; i++) {
		if (sqshmount_covered_p(dir, under.st_dev)) {
			*pid = child;
			return 0;
		}
		if (waitpid(child, &st, WNOHANG) == child)
			return werr_set(err, EIO, SQSHMOUNT_PROG " could not mount %s (%s %d)",
			                file, WIFEXITED(st) ? "exit" : "signal",
			                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
		usleep(SQSHMOUNT_POLL_MS * 1000);
	}
	kill(child, SIGKILL);
	waitpid(child, NULL, 0);
	return werr_set(err, ETIMEDOUT, SQSHMOUNT_PROG " did not mount %s within %d s", file,
	                SQSHMOUNT_TIMEOUT_MS / 1000);
}

void sqshmount_stop(pid_t pid)
{
	if (pid <= 0)
		return;
	kill(pid, SIGTERM);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}
