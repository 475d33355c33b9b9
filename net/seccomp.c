/* seccomp.c - warren-net's own seccomp filter, installed once start-up is
 * over: only the system calls the poll loop, libslirp and the forwarder use.
 * Anything else fails with EPERM: a bug fed by the container's packets must
 * not reach the rest of the kernel's interface. Built by bpf.c, without
 * libseccomp (whose pages would stay resident). */
#include "net.h"

#include "bpf.h"

#include <sys/syscall.h>

#define SYS_(name) SYS_##name

/* every thread of warren-net after start-up */
static const long netseccomp_main[] = {
/* poll loop and forwarder */
#ifdef SYS_poll /* not on every architecture */
	SYS_(poll),
	SYS_(epoll_wait),
#endif
	SYS_(ppoll),
	SYS_(epoll_pwait),
	SYS_(epoll_ctl),
	SYS_(read),
	SYS_(write),
	SYS_(readv),
	SYS_(writev),
	SYS_(splice),
	SYS_(pipe2),
	SYS_(fcntl),
	SYS_(close),
	SYS_(accept4),
	SYS_(shutdown),
	/* libslirp's sockets towards the host */
	SYS_(socket),
	SYS_(connect),
	SYS_(bind),
	SYS_(listen),
	SYS_(accept),
	SYS_(setsockopt),
	SYS_(getsockopt),
	SYS_(getsockname),
	SYS_(getpeername),
	SYS_(recvfrom),
	SYS_(sendto),
	SYS_(recvmsg),
	SYS_(sendmsg),
	SYS_(ioctl),
	/* libslirp rereads /etc/resolv.conf for the DNS forwarder */
	SYS_(openat),
	SYS_(newfstatat),
	SYS_(fstat),
	SYS_(lseek),
	/* time, memory, threads, exit */
	SYS_(clock_gettime),
	SYS_(gettimeofday),
	SYS_(clock_nanosleep),
	SYS_(brk),
	SYS_(mmap),
	SYS_(munmap),
	SYS_(mremap),
	SYS_(madvise),
	SYS_(mprotect),
	SYS_(futex),
	SYS_(getrandom),
	SYS_(getpid),
	SYS_(gettid),
	SYS_(tgkill),
	SYS_(rt_sigreturn),
	SYS_(rt_sigprocmask),
	SYS_(exit),
	SYS_(exit_group),
	SYS_(restart_syscall),
	SYS_(rseq),
	SYS_(set_robust_list),
	/* AddressSanitizer checks the signal stack before noreturn calls */
	SYS_(sigaltstack),
	/* socket switching (bypass.c): the connect's address and socket */
	SYS_(process_vm_readv),
	/* a switched socket's getsockname(): /proc/PID/mem */
	SYS_(pread64),
	SYS_(pwrite64),
	SYS_(pidfd_open),
	SYS_(pidfd_getfd),
	/* stopping and reaping the socket factory at exit */
	SYS_(kill),
	SYS_(wait4),
};

int netseccomp_install(struct werr *err)
{
	return bpf_install_allowlist(netseccomp_main, sizeof(netseccomp_main) / sizeof(long), true,
	                             err);
}
