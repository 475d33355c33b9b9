/* container.c - creates the container's process in new namespaces, writes its
 * ID maps from the parent, and in the child applies the root filesystem,
 * credentials, capabilities and seccomp before exec; the parent forwards
 * signals and waits. Between clone and exec the child reports failures
 * through a pipe and _exit()s: it never returns into the CLI. */
#include "container.h"
#include "child.h"
#include "cleanup.h"
#include "console.h"
#include "fakeid.h"
#include "hooks.h"
#include "init.h"
#include "mounts.h"
#include "netbridge.h"
#include "netegress.h"
#include "netjoin.h"
#include "ovlfuse.h"
#include "userns_exec.h"
#include "userspec.h"
#include "rundir.h"
#include "starttrace.h"
#include "util.h"

#include <fcntl.h>
#include <grp.h>
#include <linux/capability.h>
#include <net/if.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* signals warren forwards to the container (and SIGCHLD, which it waits for) */
static const int forwarded_signals[] = {
	SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGALRM, SIGTERM, SIGWINCH, SIGCONT,
};

/* report a failure to the parent and die; only used in the child */
__attribute__((noreturn)) void child_fail(int err_fd, int code, const char *msg)
{
	char buf[WERR_MSG_MAX + 16];
	int n = snprintf(buf, sizeof(buf), "%d %s", code, msg);

	if (n > 0)
		util_write_all(err_fd, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
	_exit(code);
}

static int child_loopback_up(struct werr *err)
{
	struct ifreq ifr = { 0 };
	_cleanup_close_ int s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	if (s < 0)
		return werr_errno(err, errno, "socket");
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "lo");
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return werr_errno(err, errno, "reading the flags of lo");
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return werr_errno(err, errno, "bringing lo up");
	return 0;
}

int child_resolve_user(const struct container_spec *spec, struct userspec *u, struct werr *err)
{
	_cleanup_free_ char *passwd = NULL, *group = NULL;
	char def[32];
	size_t len;
	struct werr ignored;

	if (util_read_file(AT_FDCWD, "/etc/passwd", 1 << 22, &passwd, &len, &ignored) < 0)
		passwd = NULL;
	if (util_read_file(AT_FDCWD, "/etc/group", 1 << 22, &group, &len, &ignored) < 0)
		group = NULL;
	if (!spec->user)
		snprintf(def, sizeof(def), "%u:%u", (unsigned)spec->idmap.uid,
		         (unsigned)spec->idmap.gid);
	if (userspec_resolve(spec->user ? spec->user : def, passwd, group, u, err) < 0)
		return -err->code;
	for (char **g = spec->group_add; g && *g && !container_keeps_groups(spec); g++)
		if (userspec_add_group(u, *g, group, err) < 0)
			return -err->code;
	return 0;
}

/* --sysctl: through the host's /proc/sys, still visible before the root
 * changes; what a file there shows is the opener's namespace's (network,
 * IPC), which the container owns */
static int child_sysctls(const struct container_spec *spec, struct werr *err)
{
	for (char **kv = spec->sysctls; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		char path[300];
		size_t n;
		int fd, r;

		if (!eq)
			continue;
		n = (size_t)snprintf(path, sizeof(path), "/proc/sys/%.*s", (int)(eq - *kv), *kv);
		if (n >= sizeof(path))
			return werr_set(err, ENAMETOOLONG, "--sysctl %s: name too long", *kv);
		for (char *p = path + 10; *p; p++)
			if (*p == '.')
				*p = '/';
		fd = open(path, O_WRONLY | O_CLOEXEC | O_NOFOLLOW);
		if (fd < 0)
			return werr_errno(err, errno, "--sysctl %s: opening %s", *kv, path);
		r = util_write_all(fd, eq + 1, strlen(eq + 1));
		close(fd);
		if (r < 0)
			return werr_errno(err, -r, "--sysctl %s: writing %s", *kv, path);
	}
	return 0;
}

int child_workdir(const char *dir, struct werr *err)
{
	if (chdir(dir) == 0)
		return 0;
	/* Docker creates a missing working directory */
	if (errno == ENOENT && util_mkdir_p(dir, 0755, err) == 0 && chdir(dir) == 0)
		return 0;
	return werr_errno(err, errno, "working directory %s", dir);
}

static int child_capset_full(void)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d) < 0)
		return -errno;
	d[0].effective = d[0].permitted;
	d[1].effective = d[1].permitted;
	return syscall(SYS_capset, &h, d) < 0 ? -errno : 0;
}

/* groups, gid, uid, then capabilities: setuid keeps the permitted set
 * (KEEPCAPS) so that the capabilities can be trimmed after it */
int child_credentials(const struct container_spec *spec, const struct userspec *u, struct werr *err)
{
	gid_t groups[USERSPEC_MAX_GROUPS];
	size_t n = 0;

	if (!idmap_maps_id(&spec->idmap.uids, u->uid))
		return werr_set(err, EINVAL,
		                "user %u is not mapped in the container's user namespace%s",
		                (unsigned)u->uid,
		                spec->idmap.single ? " (single-ID mode maps only one ID)" : "");
	if (!idmap_maps_id(&spec->idmap.gids, u->gid))
		return werr_set(err, EINVAL,
		                "group %u is not mapped in the container's user namespace%s",
		                (unsigned)u->gid,
		                spec->idmap.single ? " (single-ID mode maps only one ID)" : "");
	/* single-ID mode: setgroups is denied, the caller's groups stay anyway */
	if (!spec->idmap.single && !container_keeps_groups(spec)) {
		for (size_t i = 0; i < u->n_groups; i++)
			if (idmap_maps_id(&spec->idmap.gids, u->groups[i]))
				groups[n++] = u->groups[i];
		if (setgroups(n, groups) < 0)
			return werr_errno(err, errno, "setgroups");
	}
	if (setresgid(u->gid, u->gid, u->gid) < 0)
		return werr_errno(err, errno, "setresgid %u", (unsigned)u->gid);
	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0)
		return werr_errno(err, errno, "PR_SET_KEEPCAPS");
	if (setresuid(u->uid, u->uid, u->uid) < 0)
		return werr_errno(err, errno, "setresuid %u", (unsigned)u->uid);
	if (child_capset_full() < 0)
		return werr_errno(err, errno, "capset");
	if (caps_apply(spec->caps, err) < 0)
		return -err->code;
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0)
		return werr_errno(err, errno, "PR_SET_KEEPCAPS");
	return 0;
}

static bool env_has(char **env, const char *key)
{
	size_t kl = strlen(key);

	for (; env && *env; env++)
		if (!strncmp(*env, key, kl) && (*env)[kl] == '=')
			return true;
	return false;
}

static const char *env_get(char **env, const char *key)
{
	size_t kl = strlen(key);

	for (; env && *env; env++)
		if (!strncmp(*env, key, kl) && (*env)[kl] == '=')
			return *env + kl + 1;
	return NULL;
}

/* the parent's word that the container's network is up (with a warren-net
 * of its own): nothing of the container's own runs before it */
static int child_wait_network(const struct container_spec *spec, int sock)
{
	char b;
	ssize_t n;

	if (!netsetup_helper_p(&spec->net))
		return 0;
	while ((n = recv(sock, &b, 1, 0)) < 0 && errno == EINTR)
		;
	return n == 1 && b == 'n' ? 0 : -1;
}

/* execve through the container's PATH; returns only on failure */
__attribute__((noreturn)) void child_exec(const struct child_ctx *c, char **env)
{
	char **argv = c->spec->argv;
	const char *path = env_get(env, "PATH");
	char msg[WERR_MSG_MAX], full[4096];
	int saw_eacces = 0, e;

	if (strchr(argv[0], '/')) {
		execve(argv[0], argv, env);
		e = errno;
		snprintf(msg, sizeof(msg), "cannot execute %s: %s", argv[0], strerror(e));
		child_fail(c->err_fd, e == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC, msg);
	}
	for (const char *p = path ? path : ""; *p;) {
		size_t l = strcspn(p, ":");
		if (l > 0 && snprintf(full, sizeof(full), "%.*s/%s", (int)l, p, argv[0]) <
		                 (int)sizeof(full)) {
			execve(full, argv, env);
			if (errno == EACCES)
				saw_eacces = 1;
			else if (errno != ENOENT && errno != ENOTDIR) {
				e = errno;
				snprintf(msg, sizeof(msg), "cannot execute %s: %s", full,
				         strerror(e));
				child_fail(c->err_fd, EXIT_CANNOT_EXEC, msg);
			}
		}
		p += l + (p[l] ? 1 : 0);
	}
	if (saw_eacces) {
		snprintf(msg, sizeof(msg), "cannot execute \"%s\": permission denied", argv[0]);
		child_fail(c->err_fd, EXIT_CANNOT_EXEC, msg);
	}
	snprintf(msg, sizeof(msg), "\"%s\": executable file not found in $PATH", argv[0]);
	child_fail(c->err_fd, EXIT_NOT_FOUND, msg);
}

static int child_setup(struct child_ctx *c, struct userspec *u, struct werr *err)
{
	struct container_spec *spec = c->spec;
	int r;

	/* a shared network (--network container:) is the other container's to set up */
	if (!spec->network_host && spec->net.mode != NET_MODE_CONTAINER &&
	    child_loopback_up(err) < 0)
		return -err->code;
	if (child_sysctls(spec, err) < 0)
		return -err->code;
	r = mounts_setup(spec, err);
	if (r < 0)
		return r;
	starttrace_mark("child: mounts and pivot_root done");
	if (sethostname(spec->hostname, strlen(spec->hostname)) < 0)
		return werr_errno(err, errno, "sethostname %s", spec->hostname);
	r = child_resolve_user(spec, u, err);
	if (r < 0)
		return r;
	if (child_workdir(spec->workdir ? spec->workdir : "/", err) < 0)
		return -err->code;
	for (size_t i = 0; i < spec->n_rlimits; i++)
		if (setrlimit(spec->rlimits[i].resource, &spec->rlimits[i].lim) < 0)
			return werr_errno(
			    err, errno,
			    "--ulimit: setting resource %d to %llu:%llu (a hard limit "
			    "cannot be raised above warren's own)",
			    spec->rlimits[i].resource,
			    (unsigned long long)spec->rlimits[i].lim.rlim_cur,
			    (unsigned long long)spec->rlimits[i].lim.rlim_max);
	/* -t without -i: the terminal stays stdin, as with Docker (`tty` answers) */
	if (!spec->keep_stdin && !(c->stdio && c->stdio->tty)) {
		int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
		if (fd < 0 || dup2(fd, STDIN_FILENO) < 0)
			return werr_errno(err, errno, "stdin from /dev/null");
		close(fd);
	}
	/* warren-net joins before the IDs change (then, until exec, the process
	 * is not dumpable and /proc/PID/ns is closed to it) */
	if (child_wait_network(spec, c->sync_fd) < 0)
		_exit(EXIT_WARREN); /* the parent failed to start it and will report it */
	starttrace_mark("child: network up");
	r = hooks_run(spec, HOOK_START_CONTAINER, err);
	if (r < 0)
		return r;
	r = child_credentials(spec, u, err);
	if (r < 0)
		return r;
	starttrace_mark("child: user, workdir, credentials");
	if (spec->no_new_privs && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return werr_errno(err, errno, "PR_SET_NO_NEW_PRIVS");
	return 0;
}

/* wait for the parent's go; takes the fuse-overlay mount's fd if it sends one */
static int child_wait_release(int sock, int *fd)
{
	char b[2];
	size_t n = 0;
	int r = util_fd_recv(sock, b, sizeof(b), &n);

	if (r >= 0)
		*fd = r;
	return n == 1 && r >= -1 ? 0 : -1;
}

void child_signals_default(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			signal(sig, SIG_DFL); /* fails harmlessly for the numbers glibc keeps */
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
}

int child_stdio(const struct container_stdio *io, struct werr *err)
{
	int fds[3] = { io->in, io->out, io->err };

	for (int i = 0; i < 3; i++)
		if (fds[i] >= 0 && dup2(fds[i], i) < 0)
			return werr_errno(err, errno, "stdio fd %d", i);
	return 0;
}

__attribute__((noreturn)) static void child_main(struct child_ctx *c)
{
	struct container_spec *spec = c->spec;
	struct werr err = { 0 };
	struct userspec u;
	char home[300];
	size_t n = 0;
	char **env;

	starttrace_mark("child: running");
	if (child_wait_release(c->sync_fd, &spec->overlay_fd) < 0)
		_exit(EXIT_WARREN); /* the parent failed to map us and will report it */
	starttrace_mark("child: released");
	/* in its cgroup now: the cgroup namespace's root is that cgroup */
	if (spec->in_cgroup && unshare(CLONE_NEWCGROUP) < 0)
		child_fail(c->err_fd, EXIT_WARREN, "unshare of the cgroup namespace failed");
	if (c->stdio && !c->stdio->tty && child_stdio(c->stdio, &err) < 0)
		child_fail(c->err_fd, EXIT_WARREN, err.msg);
	if (child_setup(c, &u, &err) < 0)
		child_fail(c->err_fd, EXIT_WARREN, err.msg);
	/* -t: in the container's devpts, as the container's user */
	if (c->stdio && c->stdio->tty && console_setup(&c->stdio->ws, c->sync_fd, &err) < 0)
		child_fail(c->err_fd, EXIT_WARREN, err.msg);
	close(c->sync_fd);

	while (spec->env && spec->env[n])
		n++;
	env = calloc(n + 2, sizeof(char *));
	if (!env)
		child_fail(c->err_fd, EXIT_WARREN, "out of memory");
	memcpy(env, spec->env, n * sizeof(char *));
	if (!env_has(env, "HOME")) {
		snprintf(home, sizeof(home), "HOME=%s", u.home);
		env[n++] = home;
	}

	if (spec->init) {
		sigset_t all;
		pid_t pid;

		/* init_run() takes every signal with sigwaitinfo: block them all */
		sigfillset(&all);
		sigprocmask(SIG_SETMASK, &all, NULL);
		pid = fork();
		if (pid < 0)
			child_fail(c->err_fd, EXIT_WARREN, "fork of the init's child failed");
		if (pid > 0) {
			/* the init never execs, so O_CLOEXEC does not close what it
			 * inherited: a monitor's ready pipe held open here kept the
			 * CLI of `run --init` waiting until the container ended */
			close_range(3, ~0U, 0);
			init_run(pid);
		}
	}
	child_signals_default();
	starttrace_mark("child: signals reset");
	if (spec->seccomp) {
		int r = seccomp_install(&spec->seccomp_prog);
		if (r < 0) {
			werr_errno(&err, -r, "installing the seccomp filter");
			child_fail(c->err_fd, EXIT_WARREN, err.msg);
		}
		starttrace_mark("child: seccomp filter loaded");
	}
	if (container_fakes_chown(spec)) {
		int r = seccomp_install_fake_chown(c->fakeid_fd < 0);
		if (r < 0) {
			werr_errno(&err, -r, "installing the single-ID chown filter");
			child_fail(c->err_fd, EXIT_WARREN, err.msg);
		}
		if (c->fakeid_fd >= 0 && (r = fakeid_install(c->fakeid_fd)) < 0) {
			werr_errno(&err, -r, "installing the single-ID user and group filter");
			child_fail(c->err_fd, EXIT_WARREN, err.msg);
		}
		if (c->fakeid_fd >= 0 && r == 1 && (r = seccomp_install_fake_chown(true)) < 0) {
			werr_errno(&err, -r, "installing the single-ID chown filter");
			child_fail(c->err_fd, EXIT_WARREN, err.msg);
		}
	}
	/* last: no connect of warren's own may wait for warren-net. Without
	 * it (an old kernel) warren-net's thread just ends: nothing switched */
	if (c->bypass_fd >= 0) {
		seccomp_install_bypass(c->bypass_fd, netsetup_tcp_ports_p(&spec->net));
		close(c->bypass_fd);
	}
	starttrace_mark("child: filters installed, exec");
	starttrace_flush();
	child_exec(c, env);
}

size_t container_read_report(int fd, char *buf, size_t size)
{
	size_t got = 0;

	while (got < size - 1) {
		ssize_t n = read(fd, buf + got, size - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	buf[got] = '\0';
	return got;
}

/* the limits that must hold before the child runs anything of its own:
 * its cgroup (made by container_spawn()) and --oom-score-adj */
static int parent_limits(const struct container_spec *spec, const struct cgroup_host *cg, pid_t pid,
                         struct werr *err)
{
	if (cg && cgroup_attach(cg, spec->id, pid, err) < 0)
		return werr_prefix(err, "moving the container into its cgroup");
	if (spec->oom_score_adj_set) {
		char path[64], v[16];
		int fd, r;
		snprintf(path, sizeof(path), "/proc/%d/oom_score_adj", (int)pid);
		snprintf(v, sizeof(v), "%d", spec->oom_score_adj);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd < 0)
			return werr_errno(err, errno, "--oom-score-adj: opening %s", path);
		r = util_write_all(fd, v, strlen(v));
		close(fd);
		/* lowering it needs CAP_SYS_RESOURCE of the host */
		if (r < 0)
			return werr_errno(err, -r,
			                  "--oom-score-adj %d: only privileged processes may set a "
			                  "value below the current one",
			                  spec->oom_score_adj);
	}
	return 0;
}

/* --network NAME: the container is made in the user namespace of the
 * per-user network namespace's holder, with a network namespace of its
 * own, and wired onto its network's bridge under the network lock (so the
 * holder cannot leave in between). Returns like clone(). */
static pid_t container_clone_bridged(struct container_spec *spec, unsigned long flags,
                                     struct werr *err)
{
	struct idmap_plan plan;
	struct netegress egress = { .ready = -1 };
	bool fresh = false;
	int lock, pidfd = -1;
	pid_t pid;

	/* the namespace is every network container's: mapped as by default,
	 * whichever container starts it (netjoin_open() refuses one that maps
	 * otherwise) */
	if (idmap_plan_make(&plan, false, err) < 0)
		return -err->code;
	lock = netbridge_holder(&spec->net, &plan, &fresh, err);
	if (lock < 0)
		return lock;
	/* the namespace's warren-net starts while the container is made */
	pid = netegress_begin(&spec->net, &egress, err);
	if (pid == 0)
		pid = pidfd = netjoin_open(&spec->net, &spec->idmap, err);
	if (pid >= 0)
		pid = netjoin_clone(&spec->net, pidfd, flags, err);
	if (pid == 0) {
		close(lock);
		close(pidfd);
		if (egress.ready >= 0)
			close(egress.ready);
		return 0;
	}
	if (pid > 0 && (netbridge_attach_all(&spec->net, pidfd, pid, err) < 0 ||
	                netegress_finish(&spec->net, &egress, err) < 0)) {
		int st;
		kill(pid, SIGKILL);
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
		pid = -err->code;
	}
	netegress_abort(&egress); /* started and not finished: failed */
	/* a holder started for this container alone has nothing to hold */
	if (pid < 0 && fresh)
		kill(spec->net.join_pid, SIGKILL);
	if (pidfd >= 0)
		close(pidfd);
	close(lock);
	return pid;
}

/* whether the container's process may set itself up while its warren-net
 * joins: not when a --sysctl (which may act on warren-net's interface) or
 * a hook (which may look at the network) runs before the wait for it */
static bool container_net_overlaps(const struct container_spec *spec)
{
	return !(spec->sysctls && spec->sysctls[0]) && spec->n_hooks == 0;
}

/* wait for the container's warren-net, if it has one, to be ready */
static int parent_network_wait(struct container_spec *spec, struct netsetup_pending *np,
                               struct werr *err)
{
	int r = netsetup_finish(&spec->net, np, err);

	starttrace_mark("network started");
	return r;
}

/* the container's network is up: sent on the sync socket after the
 * release, where child_wait_network() waits for it */
static int parent_network_tell(const struct container_spec *spec, int sync_fd, struct werr *err)
{
	int r;

	if (!netsetup_helper_p(&spec->net))
		return 0;
	r = util_fd_send(sync_fd, -1, "n", 1);
	return r < 0 ? werr_errno(err, -r, "telling the container process its network is up") : 0;
}

/* the child's report @buf ("CODE message", child_fail()) into @status and @err */
static int parent_child_failed(const char *buf, int *status, struct werr *err)
{
	const char *sp = strchr(buf, ' ');

	*status = atoi(buf);
	werr_set(err, EPERM, "%s", sp ? sp + 1 : buf);
	return -EPERM;
}

/* the parent's side after clone: map IDs, release the child, take its
 * terminal's master (-t), hear its errors. warren-net (slirp) is spawned
 * first, so that its exec overlaps the ID-map helpers, and, where
 * container_net_overlaps(), joins while the child mounts its root */
static int parent_start(struct container_spec *spec, const struct cgroup_host *cg,
                        struct container_stdio *stdio, pid_t pid, int sync_fd, int err_fd,
                        int bypass_fd, int *status, struct werr *err)
{
	char buf[WERR_MSG_MAX + 16];
	struct netsetup_pending np = { -1, -1, false };
	bool overlap = container_net_overlaps(spec);
	size_t got = 0;
	int mnt = -1, r;

	*status = EXIT_WARREN;
	r = netsetup_begin(&spec->net, pid, bypass_fd, &np, err);
	/* a container that joined another's user namespace is mapped already */
	if (r == 0 && spec->net.mode != NET_MODE_CONTAINER && spec->net.mode != NET_MODE_BRIDGE &&
	    idmap_write(&spec->idmap, pid, err) < 0)
		r = werr_prefix(err, "setting up the user namespace");
	starttrace_mark("ID maps written");
	if (r == 0)
		r = parent_limits(spec, cg, pid, err);
	if (r == 0)
		r = netsetup_go(&spec->net, &np, err);
	if (r == 0 && !overlap)
		r = parent_network_wait(spec, &np, err);
	if (r == 0 && spec->overlay && (spec->overlay->fuse || spec->overlay->squashfs)) {
		mnt = ovlfuse_start(spec->overlay, spec->rootfs, pid, &spec->overlay_daemon, err);
		r = mnt < 0 ? mnt : 0;
	}
	if (r < 0) {
		kill(pid, SIGKILL);
		netsetup_pending_close(&np);
		return r;
	}
	r = util_fd_send(sync_fd, mnt, "1", 1);
	if (mnt >= 0)
		close(mnt);
	if (r < 0) {
		netsetup_pending_close(&np);
		return werr_errno(err, -r, "releasing the container process");
	}
	starttrace_mark("child released");
	if ((overlap && parent_network_wait(spec, &np, err) < 0) ||
	    parent_network_tell(spec, sync_fd, err) < 0) {
		/* the child may have failed first (and warren-net for that): its
		 * reason is the one to tell */
		kill(pid, SIGKILL);
		netsetup_pending_close(&np);
		got = container_read_report(err_fd, buf, sizeof(buf));
		return got ? parent_child_failed(buf, status, err) : -err->code;
	}
	if (stdio && stdio->tty)
		stdio->master = console_receive(sync_fd);
	got = container_read_report(err_fd, buf, sizeof(buf));
	starttrace_mark("child exec'd (its error pipe closed)");
	if (got == 0 && (!stdio || !stdio->tty || stdio->master >= 0))
		return 0;
	if (stdio && stdio->master >= 0)
		close(stdio->master);
	if (stdio)
		stdio->master = -1;
	*status = EXIT_WARREN;
	if (got == 0) {
		kill(pid, SIGKILL);
		return werr_set(err, EIO, "the container's process did not open its terminal");
	}
	return parent_child_failed(buf, status, err);
}

static int parent_wait(pid_t pid, const sigset_t *set, int *status)
{
	for (;;) {
		siginfo_t si;
		int sig = sigwaitinfo(set, &si);
		int st;

		if (sig < 0)
			continue;
		if (sig != SIGCHLD) {
			/* a terminal's signals already reached the container's process group */
			if (si.si_code != SI_KERNEL)
				kill(pid, sig);
			continue;
		}
		if (waitpid(pid, &st, WNOHANG) == pid) {
			*status = WIFSIGNALED(st) ? 128 + WTERMSIG(st) : WEXITSTATUS(st);
			return 0;
		}
	}
}

/* the path only: a foreground container needs no files on the host (creating
 * and removing a directory on a disk-backed runtime directory costs more
 * than the rest of the start); whatever needs one creates it */
static int container_state_dir(struct container_spec *spec, struct werr *err)
{
	char base[4096];
	int r = rundir_get(base, sizeof(base), err);

	if (r < 0)
		return r;
	/* a caller (the monitor) may have chosen the directory already */
	if (!spec->state_dir[0] && snprintf(spec->state_dir, sizeof(spec->state_dir), "%s/%.12s",
	                                    base, spec->id) >= (int)sizeof(spec->state_dir))
		return werr_set(err, ENAMETOOLONG, "runtime directory path too long");
	return netsetup_prepare(&spec->net, spec->state_dir, err);
}

void container_cgroup_remove(struct container_spec *spec)
{
	struct cgroup_host h;

	if (!spec->in_cgroup)
		return;
	cgroup_host_probe(&h);
	cgroup_remove(&h, spec->id);
	spec->in_cgroup = false;
}

void container_helpers_stop(struct container_spec *spec)
{
	netsetup_stop(&spec->net);
	if (spec->overlay_daemon)
		spec->overlay_died = ovlfuse_stop(spec->overlay_daemon);
	spec->overlay_daemon = 0;
}

static int clone_error(int e, struct werr *err)
{
	char why[512];

	if (e != EPERM && e != ENOSPC && e != EUSERS)
		return werr_errno(err, e, "creating the container's namespaces (clone)");
	userns_denied_why(e, NULL, why, sizeof(why));
	return werr_set(err, e, "%s", why);
}

/* the container's cgroup, made before its first process exists, when it
 * has limits; refused (nothing made) when the host delegates none */
static int container_cgroup(struct container_spec *spec, struct cgroup_host *h, struct werr *err)
{
	spec->in_cgroup = false;
	if (spec->cgroups_disabled || !cgroup_limits_any(&spec->limits))
		return 0;
	cgroup_host_probe(h);
	if (cgroup_host_check(h, cgroup_limits_needs(&spec->limits), err) < 0)
		return werr_prefix(err, "cannot apply the container's resource limits");
	if (cgroup_create(h, spec->id, &spec->limits, err) < 0)
		return -err->code;
	spec->in_cgroup = true;
	return 0;
}

void container_fakeid_start(const struct container_spec *spec, int fakep[2])
{
	if (!container_fakes_chown(spec) || !spec->idmap.uids.n || !spec->idmap.gids.n)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fakep) < 0) {
		fakep[0] = fakep[1] = -1;
		return;
	}
	if (fakeid_supervisor_start(fakep[0], spec->idmap.uids.ext[0].inside,
	                            spec->idmap.gids.ext[0].inside) < 0) {
		close(fakep[1]);
		fakep[1] = -1;
	}
	close(fakep[0]);
	fakep[0] = -1;
}

unsigned long container_clone_flags(const struct container_spec *spec)
{
	unsigned long flags = CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWCGROUP;

	if (!spec->network_host)
		flags |= CLONE_NEWNET;
	if (!spec->ipc_host)
		flags |= CLONE_NEWIPC;
	if (!spec->pid_host)
		flags |= CLONE_NEWPID;
	return flags;
}

/* clone the container's first process and release it once its ID maps are
 * written; on failure it has been reaped and *@status holds the exit code */
static int container_spawn(struct container_spec *spec, struct container_stdio *stdio,
                           const sigset_t *childmask, pid_t *pidp, int *status, struct werr *err)
{
	int syncp[2] = { -1, -1 }, errp[2] = { -1, -1 }, bypassp[2] = { -1, -1 };
	int fakep[2] = { -1, -1 };
	unsigned long flags = container_clone_flags(spec);
	struct cgroup_host cg;
	pid_t pid;
	int r;

	*status = EXIT_WARREN;
	spec->overlay_fd = -1;
	if (stdio)
		stdio->master = -1;
	r = container_cgroup(spec, &cg, err);
	if (r < 0)
		return r;
	/* the child unshares it once it is in its cgroup */
	if (spec->in_cgroup)
		flags &= ~(unsigned long)CLONE_NEWCGROUP;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, syncp) < 0 ||
	    pipe2(errp, O_CLOEXEC) < 0 ||
	    (container_bypasses(spec) &&
	     socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, bypassp) < 0)) {
		r = werr_errno(err, errno, "pipe");
		goto out;
	}
	fflush(NULL);
	container_fakeid_start(spec, fakep);
	starttrace_mark("clone");
	if (spec->net.mode == NET_MODE_CONTAINER) {
		int pidfd = netjoin_open(&spec->net, &spec->idmap, err);
		pid = pidfd < 0 ? pidfd : netjoin_clone(&spec->net, pidfd, flags, err);
		if (pidfd >= 0)
			close(pidfd);
		if (pid < 0) {
			r = pid;
			goto out;
		}
	} else if (spec->net.mode == NET_MODE_BRIDGE) {
		pid = container_clone_bridged(spec, flags, err);
		if (pid < 0) {
			r = pid;
			goto out;
		}
	} else {
		pid = (pid_t)syscall(SYS_clone, flags | SIGCHLD, NULL, NULL, NULL, NULL);
		if (pid < 0) {
			r = clone_error(errno, err);
			goto out;
		}
	}
	if (pid == 0) {
		struct child_ctx c = { spec,       syncp[0], errp[1], bypassp[1],
			               *childmask, stdio,    fakep[1] };
		close(syncp[1]);
		close(errp[0]);
		if (bypassp[0] >= 0)
			close(bypassp[0]);
		child_main(&c);
	}
	starttrace_mark("cloned");
	close(syncp[0]);
	close(errp[1]);
	if (bypassp[1] >= 0)
		close(bypassp[1]);
	if (fakep[1] >= 0)
		close(fakep[1]);
	syncp[0] = errp[1] = bypassp[1] = fakep[1] = -1;
	r = parent_start(spec, spec->in_cgroup ? &cg : NULL, stdio, pid, syncp[1], errp[0],
	                 bypassp[0], status, err);
	if (r < 0) {
		int st;
		while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
			;
	}
	*pidp = pid;
out:
	if (r < 0) {
		container_helpers_stop(spec);
		container_cgroup_remove(spec);
	}
	for (int i = 0; i < 2; i++) {
		if (syncp[i] >= 0)
			close(syncp[i]);
		if (errp[i] >= 0)
			close(errp[i]);
		if (bypassp[i] >= 0)
			close(bypassp[i]);
		if (fakep[i] >= 0)
			close(fakep[i]);
	}
	return r;
}

int container_run(struct container_spec *spec, int *status, struct werr *err)
{
	sigset_t set, oldmask;
	pid_t pid;
	int r;

	*status = EXIT_WARREN;
	r = container_state_dir(spec, err);
	if (r < 0)
		return r;
	starttrace_mark("state dir");
	sigemptyset(&set);
	for (size_t i = 0; i < ARRAY_SIZE(forwarded_signals); i++) {
		/* an ignored signal is never pending: a shell's background job
		 * ignores SIGINT, yet it must reach the container */
		signal(forwarded_signals[i], SIG_DFL);
		sigaddset(&set, forwarded_signals[i]);
	}
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &oldmask);
	r = container_spawn(spec, NULL, &oldmask, &pid, status, err);
	if (r == 0) {
		parent_wait(pid, &set, status);
		starttrace_mark("reaped");
		container_helpers_stop(spec);
		container_cgroup_remove(spec);
		starttrace_mark("helpers stopped");
	}
	sigprocmask(SIG_SETMASK, &oldmask, NULL);
	util_rm_rf(spec->state_dir);
	starttrace_mark("state dir removed");
	return r;
}

int container_create(struct container_spec *spec, struct container_stdio *stdio, pid_t *pid,
                     int *status, struct werr *err)
{
	sigset_t none;
	int r;

	*status = EXIT_WARREN;
	r = container_state_dir(spec, err);
	if (r < 0)
		return r;
	sigemptyset(&none);
	return container_spawn(spec, stdio, &none, pid, status, err);
}
