/* seccomp.c - warren-overlay's own seccomp filter, installed once the mount
 * is up: only the syscalls the operations below use. The overlay serves data
 * a container controls; a bug in it must not become a way out. */
#include "ovl.h"

#include <seccomp.h>
#include <sys/prctl.h>

#include "util.h"

/* grouped by who needs them */
static const char *const seccomp_allowed[] = {
	/* the FUSE loop: /dev/fuse, splice pipes, worker threads */
	"read",
	"write",
	"readv",
	"writev",
	"splice",
	"vmsplice",
	"tee",
	"pipe2",
	"poll",
	"ppoll",
	"futex",
	"clone",
	"set_robust_list",
	"rseq",
	"madvise",
	"mmap",
	"munmap",
	"mprotect",
	"mremap",
	"brk",
	"exit",
	"exit_group",
	"rt_sigreturn",
	"rt_sigprocmask",
	"rt_sigaction",
	"sigaltstack",
	"gettid",
	"getpid",
	"tgkill",
	"sched_yield",
	"sched_getaffinity",
	"nanosleep",
	"clock_nanosleep",
	"clock_gettime",
	"gettimeofday",
	"getrandom",
	"prctl",
	"umount2",
	"ioctl",
	/* lookup, getattr, readdir: layer.c, lookup.c, dirlist.c */
	"openat",
	"openat2",
	"open",
	"close",
	"close_range",
	"fstat",
	"newfstatat",
	"statx",
	"lstat",
	"stat",
	"statfs",
	"fstatfs",
	"getdents64",
	"lseek",
	"fcntl",
	"dup",
	"dup3",
	"faccessat",
	"faccessat2",
	"readlinkat",
	"getuid",
	"geteuid",
	"getgid",
	"getegid",
	/* data: ops_file.c, copyup.c */
	"pread64",
	"pwrite64",
	"preadv",
	"pwritev",
	"preadv2",
	"pwritev2",
	"copy_file_range",
	"sendfile",
	"fsync",
	"fdatasync",
	"ftruncate",
	"fallocate",
	/* names: ops_ns.c, ops_rename.c, whiteout.c */
	"mkdirat",
	"mknodat",
	"unlinkat",
	"renameat",
	"renameat2",
	"linkat",
	"symlinkat",
	/* metadata and xattrs: ops_inode.c, ops_xattr.c */
	"fchmod",
	"fchmodat",
	"fchmodat2",
	"fchown",
	"fchownat",
	"utimensat",
	"getxattr",
	"lgetxattr",
	"fgetxattr",
	"setxattr",
	"lsetxattr",
	"fsetxattr",
	"listxattr",
	"llistxattr",
	"flistxattr",
	"removexattr",
	"lremovexattr",
	"fremovexattr",
	"getxattrat",
	"setxattrat",
	"listxattrat",
	"removexattrat",
};

/**
 * ovl_seccomp_install() - confine this process to the syscalls above; any
 * other fails with EPERM (clone3 with ENOSYS, so threads use clone).
 * Return: 0 or -errno with @err set.
 */
int ovl_seccomp_install(struct werr *err)
{
#if defined(__SANITIZE_ADDRESS__)
	/* the sanitizer runtime's leak check at exit stops the world with ptrace
	 * and more: in that build only, other syscalls are logged, not refused */
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_LOG);
#else
	scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ERRNO(EPERM));
#endif
	int r;

	if (!ctx)
		return werr_set(err, ENOMEM, "seccomp: cannot create a filter");
	for (size_t i = 0; i < ARRAY_SIZE(seccomp_allowed); i++) {
		int nr = seccomp_syscall_resolve_name(seccomp_allowed[i]);
		if (nr == __NR_SCMP_ERROR)
			continue; /* not on this architecture */
		if ((r = seccomp_rule_add(ctx, SCMP_ACT_ALLOW, nr, 0)) < 0)
			goto fail;
	}
	r = seccomp_syscall_resolve_name("clone3");
	if (r != __NR_SCMP_ERROR && (r = seccomp_rule_add(ctx, SCMP_ACT_ERRNO(ENOSYS), r, 0)) < 0)
		goto fail;
	if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0) {
		r = -errno;
		goto fail;
	}
	r = seccomp_load(ctx);
fail:
	seccomp_release(ctx);
	return r < 0 ? werr_errno(err, -r, "installing the seccomp filter") : 0;
}
