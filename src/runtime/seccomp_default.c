/* seccomp_default.c - the compiled-in default seccomp profile, with the
 * semantics of Docker's default: every syscall a normal program needs is
 * allowed, kernel-wide or namespace-creating ones only with the capability
 * that makes them meaningful, everything else fails with EPERM. Data only. */
#include "seccomp_rules.h"

#include <linux/capability.h>
#include <linux/sched.h>

#define CAPB(c) (1ULL << (c))

static const char *const allow_always[] = {
	"accept", "accept4", "access", "adjtimex", "alarm", "bind", "brk", "cachestat",
	"capget", "capset", "chdir", "chmod", "chown", "chown32", "clock_adjtime",
	"clock_adjtime64", "clock_getres", "clock_getres_time64", "clock_gettime",
	"clock_gettime64", "clock_nanosleep", "clock_nanosleep_time64", "close", "close_range",
	"connect", "copy_file_range", "creat", "dup", "dup2", "dup3", "epoll_create",
	"epoll_create1", "epoll_ctl", "epoll_ctl_old", "epoll_pwait", "epoll_pwait2",
	"epoll_wait", "epoll_wait_old", "eventfd", "eventfd2", "execve", "execveat", "exit",
	"exit_group", "faccessat", "faccessat2", "fadvise64", "fadvise64_64", "fallocate",
	"fanotify_mark", "fchdir", "fchmod", "fchmodat", "fchmodat2", "fchown", "fchown32",
	"fchownat", "fcntl", "fcntl64", "fdatasync", "fgetxattr", "flistxattr", "flock", "fork",
	"fremovexattr", "fsetxattr", "fstat", "fstat64", "fstatat64", "fstatfs", "fstatfs64",
	"fsync", "ftruncate", "ftruncate64", "futex", "futex_requeue", "futex_time64",
	"futex_wait", "futex_waitv", "futex_wake", "futimesat", "getcpu", "getcwd", "getdents",
	"getdents64", "getegid", "getegid32", "geteuid", "geteuid32", "getgid", "getgid32",
	"getgroups", "getgroups32", "getitimer", "getpeername", "getpgid", "getpgrp", "getpid",
	"getppid", "getpriority", "getrandom", "getresgid", "getresgid32", "getresuid",
	"getresuid32", "getrlimit", "get_robust_list", "getrusage", "getsid", "getsockname",
	"getsockopt", "get_thread_area", "gettid", "gettimeofday", "getuid", "getuid32",
	"getxattr", "inotify_add_watch", "inotify_init", "inotify_init1", "inotify_rm_watch",
	"io_cancel", "ioctl", "io_destroy", "io_getevents", "io_pgetevents",
	"io_pgetevents_time64", "ioprio_get", "ioprio_set", "io_setup", "io_submit",
	"io_uring_enter", "io_uring_register", "io_uring_setup", "ipc", "kill",
	"landlock_add_rule", "landlock_create_ruleset", "landlock_restrict_self", "lchown",
	"lchown32", "lgetxattr", "link", "linkat", "listen", "listxattr", "llistxattr",
	"_llseek", "lremovexattr", "lseek", "lsetxattr", "lstat", "lstat64", "madvise",
	"map_shadow_stack", "membarrier", "memfd_create", "memfd_secret", "mincore", "mkdir",
	"mkdirat", "mknod", "mknodat", "mlock", "mlock2", "mlockall", "mmap", "mmap2",
	"mprotect", "mq_getsetattr", "mq_notify", "mq_open", "mq_timedreceive",
	"mq_timedreceive_time64", "mq_timedsend", "mq_timedsend_time64", "mq_unlink", "mremap",
	"msgctl", "msgget", "msgrcv", "msgsnd", "msync", "munlock", "munlockall", "munmap",
	"name_to_handle_at", "nanosleep", "newfstatat", "_newselect", "open", "openat",
	"openat2", "pause", "pidfd_open", "pidfd_send_signal", "pipe", "pipe2", "pkey_alloc",
	"pkey_free", "pkey_mprotect", "poll", "ppoll", "ppoll_time64", "prctl", "pread64",
	"preadv", "preadv2", "prlimit64", "process_mrelease", "pselect6", "pselect6_time64",
	"pwrite64", "pwritev", "pwritev2", "read", "readahead", "readlink", "readlinkat",
	"readv", "recv", "recvfrom", "recvmmsg", "recvmmsg_time64", "recvmsg",
	"remap_file_pages", "removexattr", "rename", "renameat", "renameat2", "restart_syscall",
	"rmdir", "rseq", "rt_sigaction", "rt_sigpending", "rt_sigprocmask", "rt_sigqueueinfo",
	"rt_sigreturn", "rt_sigsuspend", "rt_sigtimedwait", "rt_sigtimedwait_time64",
	"rt_tgsigqueueinfo", "sched_getaffinity", "sched_getattr", "sched_getparam",
	"sched_get_priority_max", "sched_get_priority_min", "sched_getscheduler",
	"sched_rr_get_interval", "sched_rr_get_interval_time64", "sched_setaffinity",
	"sched_setattr", "sched_setparam", "sched_setscheduler", "sched_yield", "seccomp",
	"select", "semctl", "semget", "semop", "semtimedop", "semtimedop_time64", "send",
	"sendfile", "sendfile64", "sendmmsg", "sendmsg", "sendto", "setfsgid", "setfsgid32",
	"setfsuid", "setfsuid32", "setgid", "setgid32", "setgroups", "setgroups32", "setitimer",
	"setpgid", "setpriority", "setregid", "setregid32", "setresgid", "setresgid32",
	"setresuid", "setresuid32", "setreuid", "setreuid32", "setrlimit", "set_robust_list",
	"setsid", "setsockopt", "set_thread_area", "set_tid_address", "setuid", "setuid32",
	"setxattr", "shmat", "shmctl", "shmdt", "shmget", "shutdown", "sigaltstack",
	"signalfd", "signalfd4", "sigprocmask", "sigreturn", "socketcall", "socketpair",
	"splice", "stat", "stat64", "statfs", "statfs64", "statx", "symlink", "symlinkat",
	"sync", "sync_file_range", "syncfs", "sysinfo", "tee", "tgkill", "time", "timer_create",
	"timer_delete", "timer_getoverrun", "timer_gettime", "timer_gettime64", "timer_settime",
	"timer_settime64", "timerfd_create", "timerfd_gettime", "timerfd_gettime64",
	"timerfd_settime", "timerfd_settime64", "times", "tkill", "truncate", "truncate64",
	"ugetrlimit", "umask", "uname", "unlink", "unlinkat", "utime", "utimensat",
	"utimensat_time64", "utimes", "vfork", "vmsplice", "wait4", "waitid", "waitpid",
	"write", "writev", "arch_prctl", "modify_ldt",
	/* since Linux 4.8 ptrace cannot be used to bypass seccomp, so Docker allows it */
	"ptrace", "process_vm_readv", "process_vm_writev",
	NULL,
};

static const char *const n_socket[] = { "socket", NULL };
static const char *const n_personality[] = { "personality", NULL };
static const char *const n_clone[] = { "clone", NULL };
static const char *const n_clone3[] = { "clone3", NULL };
static const char *const n_sys_admin[] = {
	"bpf", "clone", "clone3", "fanotify_init", "fsconfig", "fsmount", "fsopen", "fspick",
	"lookup_dcookie", "mount", "mount_setattr", "move_mount", "open_tree", "perf_event_open",
	"quotactl", "quotactl_fd", "setdomainname", "sethostname", "setns", "syslog", "umount",
	"umount2", "unshare", NULL,
};
static const char *const n_sys_boot[] = { "reboot", NULL };
static const char *const n_sys_chroot[] = { "chroot", NULL };
static const char *const n_sys_module[] = { "delete_module", "init_module", "finit_module", NULL };
static const char *const n_sys_pacct[] = { "acct", NULL };
static const char *const n_sys_ptrace[] = { "kcmp", "pidfd_getfd", "process_madvise", NULL };
static const char *const n_sys_rawio[] = { "iopl", "ioperm", NULL };
static const char *const n_sys_time[] = { "settimeofday", "stime", "clock_settime",
					  "clock_settime64", NULL };
static const char *const n_sys_tty[] = { "vhangup", NULL };
static const char *const n_sys_nice[] = { "get_mempolicy", "mbind", "set_mempolicy",
					  "set_mempolicy_home_node", NULL };
static const char *const n_syslog[] = { "syslog", NULL };
static const char *const n_bpf[] = { "bpf", NULL };
static const char *const n_perfmon[] = { "perf_event_open", NULL };

#define NS_FLAGS                                                                           \
	(CLONE_NEWNS | CLONE_NEWUTS | CLONE_NEWIPC | CLONE_NEWUSER | CLONE_NEWPID |        \
	 CLONE_NEWNET | CLONE_NEWCGROUP)
#define ALLOW SCMP_ACT_ALLOW
#define ARG(i, o, v) { .index = (i), .op = (o), .value = (v) }

static const struct sc_rule default_rules[] = {
	{ .names = allow_always, .action = ALLOW },
	/* AF_VSOCK reaches the host's hypervisor sockets */
	{ .names = n_socket, .action = ALLOW, .args = { ARG(0, SCMP_CMP_NE, 40) }, .n_args = 1 },
	/* personality: only the harmless domains (Linux, 32-bit, no ASLR is not one) */
	{ .names = n_personality, .action = ALLOW, .args = { ARG(0, SCMP_CMP_EQ, 0x0) }, .n_args = 1 },
	{ .names = n_personality, .action = ALLOW, .args = { ARG(0, SCMP_CMP_EQ, 0x8) }, .n_args = 1 },
	{ .names = n_personality, .action = ALLOW, .args = { ARG(0, SCMP_CMP_EQ, 0x20000) }, .n_args = 1 },
	{ .names = n_personality, .action = ALLOW, .args = { ARG(0, SCMP_CMP_EQ, 0x20008) }, .n_args = 1 },
	{ .names = n_personality, .action = ALLOW, .args = { ARG(0, SCMP_CMP_EQ, 0xffffffff) }, .n_args = 1 },
	/* clone without namespace flags; clone3's flags cannot be inspected: ENOSYS
	 * makes libc fall back to clone */
	{ .names = n_clone, .action = ALLOW,
	  .args = { { .index = 0, .op = SCMP_CMP_MASKED_EQ, .value = NS_FLAGS, .value_two = 0 } },
	  .n_args = 1, .caps_none = CAPB(CAP_SYS_ADMIN) },
	{ .names = n_clone3, .action = SCMP_ACT_ERRNO(38), .caps_none = CAPB(CAP_SYS_ADMIN) },
	{ .names = n_sys_admin, .action = ALLOW, .caps_all = CAPB(CAP_SYS_ADMIN) },
	{ .names = n_sys_boot, .action = ALLOW, .caps_all = CAPB(CAP_SYS_BOOT) },
	{ .names = n_sys_chroot, .action = ALLOW, .caps_all = CAPB(CAP_SYS_CHROOT) },
	{ .names = n_sys_module, .action = ALLOW, .caps_all = CAPB(CAP_SYS_MODULE) },
	{ .names = n_sys_pacct, .action = ALLOW, .caps_all = CAPB(CAP_SYS_PACCT) },
	{ .names = n_sys_ptrace, .action = ALLOW, .caps_all = CAPB(CAP_SYS_PTRACE) },
	{ .names = n_sys_rawio, .action = ALLOW, .caps_all = CAPB(CAP_SYS_RAWIO) },
	{ .names = n_sys_time, .action = ALLOW, .caps_all = CAPB(CAP_SYS_TIME) },
	{ .names = n_sys_tty, .action = ALLOW, .caps_all = CAPB(CAP_SYS_TTY_CONFIG) },
	{ .names = n_sys_nice, .action = ALLOW, .caps_all = CAPB(CAP_SYS_NICE) },
	{ .names = n_syslog, .action = ALLOW, .caps_all = CAPB(CAP_SYSLOG) },
	{ .names = n_bpf, .action = ALLOW, .caps_all = CAPB(CAP_BPF) },
	{ .names = n_perfmon, .action = ALLOW, .caps_all = CAPB(CAP_PERFMON) },
};

static const struct sc_profile default_profile = {
	.default_action = SCMP_ACT_ERRNO(1),
	.rules = default_rules,
	.n_rules = sizeof(default_rules) / sizeof(default_rules[0]),
#if defined(__x86_64__)
	.arches = { SCMP_ARCH_X86, SCMP_ARCH_X32 },
	.n_arches = 2,
#elif defined(__aarch64__)
	.arches = { SCMP_ARCH_ARM },
	.n_arches = 1,
#endif
};

const struct sc_profile *seccomp_default_profile(void)
{
	return &default_profile;
}
