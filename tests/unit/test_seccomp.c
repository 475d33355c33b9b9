/* test_seccomp.c - unit tests for capability names and seccomp profiles:
 * each filter is installed in a forked child and probed with real syscalls. */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <linux/capability.h>

#include "caps.h"
#include "seccomp_profile.h"

static int tests, failed;

static void check(int ok, const char *what)
{
	tests++;
	if (!ok)
		failed++;
	printf("%sok %d - %s\n", ok ? "" : "not ", tests, what);
	fflush(stdout);
}

enum probe { P_UNSHARE, P_MOUNT, P_GETPID, P_MKDIR, P_CLONE3, P_IO_URING };

/* install @prog in a child, run @probe there; returns the errno it saw (0 = success) */
static int probe_errno(const struct seccomp_bpf *prog, enum probe probe)
{
	int pfd[2], e = -1, st;
	pid_t pid;

	if (pipe(pfd) < 0)
		return -1;
	pid = fork();
	if (pid == 0) {
		int r = 0;
		close(pfd[0]);
		if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 || seccomp_install(prog) < 0)
			_exit(99);
		switch (probe) {
		case P_UNSHARE: r = unshare(CLONE_NEWUSER); break;
		case P_MOUNT: r = mount("none", "/nonexistent-dir", "tmpfs", 0, NULL); break;
		case P_GETPID: r = getpid() > 0 ? 0 : -1; break;
		case P_MKDIR:
			r = mkdir("/tmp/warren-test-seccomp-dir-should-not-exist", 0700);
			break;
		case P_CLONE3: r = (int)syscall(SYS_clone3, NULL, 0); break;
		/* with a NULL params pointer the kernel would answer EFAULT (or
		 * EPERM/ENOSYS where io_uring is off); the filter answers first */
		case P_IO_URING: r = (int)syscall(SYS_io_uring_setup, 1, NULL); break;
		}
		e = r < 0 ? errno : 0;
		if (write(pfd[1], &e, sizeof(e)) != sizeof(e))
			_exit(98);
		_exit(0);
	}
	close(pfd[1]);
	if (read(pfd[0], &e, sizeof(e)) != sizeof(e))
		e = -1;
	close(pfd[0]);
	waitpid(pid, &st, 0);
	return e;
}

static int compile_err(const char *json, const char *needle)
{
	struct seccomp_bpf prog;
	struct werr err = { 0 };
	int r = seccomp_compile(json, caps_default(), &prog, &err);

	if (r == 0) {
		seccomp_bpf_free(&prog);
		return 0;
	}
	printf("# %s\n", err.msg);
	return strstr(err.msg, needle) != NULL && strchr(err.msg, '\n') == NULL;
}

int main(void)
{
	struct seccomp_bpf def, admin, deny;
	struct werr err;
	caps_mask_t m;
	int e;

	printf("1..21\n");
	check(seccomp_compile(NULL, caps_default(), &def, &err) == 0 && def.count > 50,
	      "the default profile compiles");
	check(probe_errno(&def, P_GETPID) == 0, "default: getpid is allowed");
	e = probe_errno(&def, P_UNSHARE);
	check(e == EPERM, "default without CAP_SYS_ADMIN: unshare fails with EPERM");
	check(probe_errno(&def, P_MOUNT) == EPERM,
	      "default without CAP_SYS_ADMIN: mount fails with EPERM");
	check(probe_errno(&def, P_CLONE3) == ENOSYS,
	      "default: clone3 gives ENOSYS so libc falls back");
	check(probe_errno(&def, P_IO_URING) == EPERM, "default: io_uring_setup fails with EPERM");
	check(seccomp_compile(NULL, caps_default() | (1ULL << CAP_SYS_ADMIN), &admin, &err) == 0,
	      "the default profile compiles with CAP_SYS_ADMIN");
	/* with the capability, the filter lets mount through: the kernel answers
	 * (ENOENT for the missing target, or EPERM from the kernel for a non-root
	 * test run, but never the filter's EPERM for a root run) */
	e = probe_errno(&admin, P_MOUNT);
	check(getuid() == 0 ? e == ENOENT : (e == EPERM || e == ENOENT),
	      "with CAP_SYS_ADMIN the filter lets mount reach the kernel");
	check(seccomp_compile(
	          "{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":"
	          "[\"mkdir\",\"mkdirat\"],\"action\":\"SCMP_ACT_ERRNO\",\"errnoRet\":1}]}",
	          caps_default(), &deny, &err) == 0,
	      "a JSON profile compiles");
	check(probe_errno(&deny, P_MKDIR) == EPERM, "JSON profile: mkdir fails with EPERM");
	check(probe_errno(&deny, P_GETPID) == 0, "JSON profile: other syscalls pass");
	check(compile_err("{\"defaultAction\": ", "invalid JSON"), "bad JSON syntax is refused");
	check(compile_err("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"x\"],"
	                  "\"action\":\"SCMP_ACT_FOO\"}]}",
	                  "syscalls[0].action"),
	      "unknown action names its field");
	check(
	    compile_err("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":\"mkdir\","
	                "\"action\":\"SCMP_ACT_ERRNO\"}]}",
	                "syscalls[0].names"),
	    "names that is not an array is refused");
	check(
	    compile_err("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
	                "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":7,\"value\":1,\"op\":"
	                "\"SCMP_CMP_EQ\"}]}]}",
	                "args[0].index"),
	    "an argument index of 7 is refused");
	check(
	    compile_err("{\"defaultAction\":\"SCMP_ACT_ALLOW\",\"syscalls\":[{\"names\":[\"read\"],"
	                "\"action\":\"SCMP_ACT_ERRNO\",\"args\":[{\"index\":0,\"value\":1,\"op\":"
	                "\"SCMP_CMP_XX\"}]}]}",
	                "args[0].op"),
	    "an unknown operator is refused");
	check(compile_err("{\"syscalls\":[]}", "defaultAction"),
	      "a missing defaultAction is refused");
	check(caps_from_name("net_admin", &m, &err) == 0 && m == (1ULL << CAP_NET_ADMIN) &&
	          caps_from_name("CAP_NET_ADMIN", &m, &err) == 0 && m == (1ULL << CAP_NET_ADMIN),
	      "capability names with and without CAP_, any case");
	check(caps_from_name("NOPE", &m, &err) < 0 && strstr(err.msg, "NOPE"),
	      "an unknown capability is refused by name");
	check(caps_default() == 0xa80425fbULL && __builtin_popcountll(caps_default()) == 14,
	      "the default set is Docker's 14 capabilities");
	check(caps_from_name("ALL", &m, &err) == 0 && m == caps_all(), "ALL is every capability");
	seccomp_bpf_free(&def);
	seccomp_bpf_free(&admin);
	seccomp_bpf_free(&deny);
	return failed ? 1 : 0;
}
