/* bpf.c - builds a seccomp allow-list filter by hand: check the
 * architecture, load the system call number, one jump per allowed number,
 * EPERM otherwise. A few dozen instructions; no compiler library needed. */
#include "bpf.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#if defined(__x86_64__)
#define BPF_AUDIT_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define BPF_AUDIT_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
#define BPF_AUDIT_ARCH AUDIT_ARCH_RISCV64
#else
#error "warren-net: add this architecture's AUDIT_ARCH_* to net/bpf.c"
#endif

#define BPF_MAX_RULES 200 /* a jump offset is 8 bits */

int bpf_install_allowlist(const long *nrs, size_t n, bool tsync, struct werr *err)
{
	struct sock_filter f[BPF_MAX_RULES + 6];
	struct sock_fprog prog = { 0 };
	size_t k = 0;
	long r;

	if (n > BPF_MAX_RULES)
		return werr_set(err, E2BIG, "seccomp allow-list of %zu calls is too long", n);
	/* layout: [0] ld arch, [1] arch?, [2] ld nr, [3..3+n) nr?, then
	 * [3+n] EPERM, [4+n] ALLOW, [5+n] KILL */
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                      offsetof(struct seccomp_data, arch));
	f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, BPF_AUDIT_ARCH, 0,
	                                      (unsigned char)(n + 3));
	f[k++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
	                                      offsetof(struct seccomp_data, nr));
	for (size_t i = 0; i < n; i++)
		f[k++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (unsigned)nrs[i],
		                                      (unsigned char)(n - i), 0);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	f[k++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_KILL_PROCESS);
	prog.len = (unsigned short)k;
	prog.filter = f;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		return werr_errno(err, errno, "setting no_new_privs");
	r = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, tsync ? SECCOMP_FILTER_FLAG_TSYNC : 0,
	            &prog);
	if (r < 0)
		return werr_errno(err, errno, "installing the seccomp filter");
	if (r > 0) /* TSYNC: the thread that could not take it */
		return werr_set(err, EAGAIN, "installing the seccomp filter: thread %ld refused it",
		                r);
	return 0;
}
