/* fakechown.c - the filter that lets package managers work in single-ID
 * mode: with only the user's own ID mapped, chown to any other owner and a
 * switch to another user fail (EINVAL, EPERM), and dpkg, apt and rpm stop.
 * As enroot and Charliecloud do, this filter makes those calls succeed
 * without effect (SECCOMP_RET_ERRNO with 0); it is stacked on the
 * container's own filter, and a refusal of that one still wins. */
#include "seccomp_profile.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stdbool.h>
#include <stddef.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>

#if defined(__x86_64__)
#define FAKE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define FAKE_ARCH AUDIT_ARCH_AARCH64
#endif

#define FAKE(nr)                                                                                   \
	BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, (nr), 0, 1),                                           \
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO)

int seccomp_install_fake_chown(bool ids)
{
#ifdef FAKE_ARCH
	/* the host's own ABI only (on x86_64 not the i386 or x32 calls, whose
	 * numbers differ): anything else is left to the container's filter */
	static const struct sock_filter head[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, FAKE_ARCH, 1, 0),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
#ifdef __NR_chown
		FAKE(__NR_chown),
#endif
#ifdef __NR_lchown
		FAKE(__NR_lchown),
#endif
		FAKE(__NR_fchown),
		FAKE(__NR_fchownat),
	};
	/* without fakeid.c's supervisor: the ID changes succeed without
	 * effect, and the get calls still say the real ID */
	static const struct sock_filter idcalls[] = {
		FAKE(__NR_setuid),    FAKE(__NR_setgid),    FAKE(__NR_setreuid),
		FAKE(__NR_setregid),  FAKE(__NR_setresuid), FAKE(__NR_setresgid),
		FAKE(__NR_setgroups), FAKE(__NR_setfsuid),  FAKE(__NR_setfsgid),
	};
	static const struct sock_filter tail = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	struct sock_filter
	    prog[sizeof(head) / sizeof(head[0]) + sizeof(idcalls) / sizeof(idcalls[0]) + 1];
	size_t n = 0;

	memcpy(prog, head, sizeof(head));
	n += sizeof(head) / sizeof(head[0]);
	if (ids) {
		memcpy(prog + n, idcalls, sizeof(idcalls));
		n += sizeof(idcalls) / sizeof(idcalls[0]);
	}
	prog[n++] = tail;

	struct sock_fprog fprog = { .len = (unsigned short)n, .filter = prog };

	if (prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &fprog, 0, 0) < 0)
		return -errno;
	return 0;
#else
	return -ENOSYS;
#endif
}
