/* seccomp.c - warren-net's own seccomp filter, installed once start-up is
 * over: only the system calls the poll loop, libslirp and the forwarder use.
 * Anything else fails with EPERM: a bug fed by the container's packets must
 * not reach the rest of the kernel's interface. */
#include "net.h"

#include <seccomp.h>
#include <stddef.h>

/* every thread of warren-net after start-up */
static const int netseccomp_main[] = {
	/* poll loop and forwarder */
	SCMP_SYS(poll),
	SCMP_SYS(ppoll),
	SCMP_SYS(epoll_wait),
	SCMP_SYS(epoll_pwait),
	SCMP_SYS(epoll_ctl),
	SCMP_SYS(read),
	SCMP_SYS(write),
	SCMP_SYS(readv),
	SCMP_SYS(writev),
	SCMP_SYS(splice),
	SCMP_SYS(pipe2),
	SCMP_SYS(fcntl),
	SCMP_SYS(close),
	SCMP_SYS(accept4),
	SCMP_SYS(shutdown),
	/* libslirp's sockets towards the host */
	SCMP_SYS(socket),
	SCMP_SYS(connect),
	SCMP_SYS(bind),
	SCMP_SYS(listen),
	SCMP_SYS(accept),
	SCMP_SYS(setsockopt),
	SCMP_SYS(getsockopt),
	SCMP_SYS(getsockname),
	SCMP_SYS(getpeername),
	SCMP_SYS(recvfrom),
	SCMP_SYS(sendto),
	SCMP_SYS(recvmsg),
	SCMP_SYS(sendmsg),
	SCMP_SYS(ioctl),
	/* libslirp rereads /etc/resolv.conf for the DNS forwarder */
	SCMP_SYS(openat),
	SCMP_SYS(newfstatat),
	SCMP_SYS(fstat),
	SCMP_SYS(lseek),
	/* time, memory, threads, exit */
	SCMP_SYS(clock_gettime),
	SCMP_SYS(gettimeofday),
	SCMP_SYS(clock_nanosleep),
	SCMP_SYS(brk),
	SCMP_SYS(mmap),
	SCMP_SYS(munmap),
	SCMP_SYS(mremap),
	SCMP_SYS(madvise),
	SCMP_SYS(mprotect),
	SCMP_SYS(futex),
	SCMP_SYS(getrandom),
	SCMP_SYS(getpid),
	SCMP_SYS(gettid),
	SCMP_SYS(tgkill),
	SCMP_SYS(rt_sigreturn),
	SCMP_SYS(rt_sigprocmask),
	SCMP_SYS(exit),
	SCMP_SYS(exit_group),
	SCMP_SYS(restart_syscall),
	SCMP_SYS(rseq),
	SCMP_SYS(set_robust_list),
	/* AddressSanitizer checks the signal stack before noreturn calls */
	SCMP_SYS(sigaltstack),
	/* stopping and reaping the socket factory at exit */
	SCMP_SYS(kill),
	SCMP_SYS(wait4),
};

/* the socket factory: requests, sockets, replies */
static const int netseccomp_factory[] = {
	SCMP_SYS(read),       SCMP_SYS(write),   SCMP_SYS(socket),
	SCMP_SYS(sendmsg),    SCMP_SYS(recvmsg), SCMP_SYS(close),
	SCMP_SYS(exit_group), SCMP_SYS(exit),    SCMP_SYS(rt_sigreturn),
};

int netseccomp_install(bool factory, struct werr *err)
{
	const int *list = factory ? netseccomp_factory : netseccomp_main;
	size_t n = factory ? sizeof(netseccomp_factory) / sizeof(int)
	                   : sizeof(netseccomp_main) / sizeof(int);
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
	int r;

	if (!ctx)
		return werr_set(err, ENOMEM, "seccomp_init");
	r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_TSYNC, 1);
	for (size_t i = 0; r == 0 && i < n; i++)
		r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, list[i], 0);
	if (r == 0)
		r = seccomp_load(ctx);
	seccomp_release(ctx);
	if (r < 0)
		return werr_errno(err, -r, "installing warren-net's seccomp filter");
	return 0;
}
