/* netdns_filter.c - the seccomp filter of the network namespace's holder
 * (netbridge.c), which parses every DNS message a container sends: once its
 * sockets are open, it may poll, receive and send, accept on its listener,
 * read the name tables and take its lock, and nothing else. No exec, no
 * file opened for writing, no new socket but the netlink one if_nameindex()
 * makes, no namespace, mount, ptrace or ID call: a parser bug is not the
 * user's files. What it is not allowed fails with EPERM rather than killing
 * it, so that an unforeseen call of the C library costs a name, not the
 * networks. */
#include "netdns.h"

#include <fcntl.h>
#include <seccomp.h>
#include <stddef.h>
#include <sys/prctl.h>
#include <sys/socket.h>

/* calls with no argument worth checking */
static const char *const netdns_allowed[] = {
	"read", "write", "close", "fstat", "newfstatat", "statx", "lseek", "getdents64", "mmap",
	"munmap", "mremap", "brk", "madvise", "mprotect", "poll", "ppoll", "recvfrom", "recvmsg",
	"sendto", "sendmsg", "accept", "accept4", "bind", "getsockname", "getsockopt", "setsockopt",
	"shutdown", "fcntl", "flock", "unlink", "unlinkat", "rmdir", "getrandom", "getpid",
	"gettid", "clock_gettime", "gettimeofday", "time", "clock_nanosleep", "nanosleep", "futex",
	"restart_syscall", "rt_sigreturn", "rt_sigprocmask", "sched_yield", "exit", "exit_group",
	"close_range",
	/* AddressSanitizer's runtime, in the sanitizer build */
	"sigaltstack", "readlink", "prctl", "getrlimit", "prlimit64", NULL
};

int netdns_filter(void)
{
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r = ctx ? 0 : -ENOMEM;

	for (size_t i = 0; r == 0 && netdns_allowed[i]; i++) {
		int nr = seccomp_syscall_resolve_name(netdns_allowed[i]);
		if (nr != __NR_SCMP_ERROR)
			r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0);
	}
	/* files for reading only (the name tables, resolv.conf, the lock) */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(openat), 1,
		                     SCMP_A2(SCMP_CMP_MASKED_EQ,
		                             O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY));
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(open), 1,
		                     SCMP_A1(SCMP_CMP_MASKED_EQ,
		                             O_ACCMODE | O_CREAT | O_TRUNC | O_APPEND, O_RDONLY));
	/* if_nameindex()'s netlink socket, and nothing else new */
	if (r == 0)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, SCMP_SYS(socket), 1,
		                     SCMP_A0(SCMP_CMP_EQ, AF_NETLINK));
	if (r == 0 && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0)
		r = -errno;
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	return r;
}
