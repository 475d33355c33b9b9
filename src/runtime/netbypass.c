/* netbypass.c - socket switching, the container's side: the last filter
 * stacked before exec hands every connect() of the container's processes
 * to warren-net (SECCOMP_RET_USER_NOTIF), whose bypass thread makes the
 * outbound TCP ones in the host's network namespace (net/bypass.c); with
 * published TCP ports, bind() and getsockname() too, so that a listener on
 * one is bound on the host's side of the port. The
 * listener goes to warren-net over a socket the parent gave it. Where the
 * kernel has no user notification, nothing is stacked and every connect
 * stays on libslirp's path. */
#include "seccomp_profile.h"
#include "util.h"

#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/syscall.h>
#include <unistd.h>

int seccomp_install_bypass(int sock, bool inbound)
{
#ifdef SECCOMP_HOST_ARCH
	/* (i386's socketcall() connects stay as they are). bind() and
	 * getsockname() are rare enough that notifying every one costs
	 * nothing measurable; getsockname() so that a switched socket's
	 * address reads as the container's */
	const struct sock_filter prog[] = {
		SECCOMP_HOST_ABI_ONLY,
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, __NR_connect, 2, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, inbound ? __NR_bind : __NR_connect, 1, 0),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, inbound ? __NR_getsockname : __NR_connect, 0,
		         1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_USER_NOTIF),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog fprog = { .len = sizeof(prog) / sizeof(prog[0]),
		                    .filter = (struct sock_filter *)prog };
	int listener, r;

	listener = (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER,
	                        SECCOMP_FILTER_FLAG_NEW_LISTENER, &fprog);
	if (listener < 0)
		return -errno;
	r = util_fd_send(sock, listener, "l", 1);
	close(listener);
	return r < 0 ? r : 0;
#else
	(void)sock;
	(void)inbound;
	return -ENOSYS;
#endif
}
