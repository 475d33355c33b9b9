/* seccomp_profile.h - the container's seccomp filter: a compiled-in profile with the
 * semantics of Docker's default, or a Docker-format JSON profile; compiled to
 * BPF in warren's process (before fork) and installed in the container's
 * process just before exec. */
#ifndef WARREN_SECCOMP_PROFILE_H
#define WARREN_SECCOMP_PROFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "caps.h"
#include "werr.h"

struct seccomp_bpf {
	void *insns;  /* struct sock_filter[], heap */
	size_t count; /* number of instructions */
};

/**
 * seccomp_compile() - build the BPF program for a profile.
 * @profile_json: a Docker seccomp profile (JSON text), or NULL for the
 *   compiled-in default profile
 * @caps: the container's capabilities: rules with "includes"/"excludes"
 *   "caps" conditions apply as Docker applies them
 * @out: filled on success; release with seccomp_bpf_free()
 * Return: 0, or a negative errno with @err naming the problem in the profile.
 */
int seccomp_compile(const char *profile_json, caps_mask_t caps, struct seccomp_bpf *out,
                    struct werr *err);

/**
 * seccomp_compile_cached() - seccomp_compile(), reusing the BPF compiled by an
 * earlier run with the same profile, capabilities, kernel and binary (kept in
 * $XDG_CACHE_HOME/warren/seccomp/; without a usable cache it just compiles).
 * Return: as seccomp_compile().
 */
int seccomp_compile_cached(const char *profile_json, caps_mask_t caps, struct seccomp_bpf *out,
                           struct werr *err);

/**
 * seccomp_install() - load @prog into the calling thread (needs no_new_privs
 * or CAP_SYS_ADMIN in the namespace). Allocation-free: safe after fork.
 * Return: 0 or -errno.
 */
int seccomp_install(const struct seccomp_bpf *prog);

void seccomp_bpf_free(struct seccomp_bpf *prog);

/* a stacked filter's first instructions (netbypass.c): the
 * host's own ABI only (on x86_64 not the i386 or x32 calls, whose numbers
 * differ: those are left to the container's filter), then the call's
 * number loaded. Needs <linux/audit.h>, <linux/filter.h>,
 * <linux/seccomp.h> and <stddef.h>. */
#if defined(__x86_64__)
#define SECCOMP_HOST_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
#define SECCOMP_HOST_ARCH AUDIT_ARCH_AARCH64
#endif
#define SECCOMP_HOST_ABI_ONLY                                                                      \
	BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch)),                   \
	    BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SECCOMP_HOST_ARCH, 1, 0),                          \
	    BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),                                          \
	    BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr))

/**
 * seccomp_install_fake_chown() - stack the single-ID filter (fakechown.c):
 * chown, fchown, lchown, fchownat and, with @ids, the setuid/setgid/setgroups
 * family succeed without effect, so package managers can run where only one
 * ID is mapped (without @ids, fakeid.c keeps the IDs per process instead).
 * Needs no_new_privs or CAP_SYS_ADMIN in the user namespace.
 * Return: 0 or a negative errno (-ENOSYS on an architecture it lacks).
 */
int seccomp_install_fake_chown(bool ids);

/**
 * seccomp_install_bypass() - stack socket switching's filter (netbypass.c):
 * every connect() (and with @inbound every bind() and getsockname(): the
 * container has published TCP ports) waits for warren-net, to which the filter's listener
 * is sent over @sock. Same needs as seccomp_install_fake_chown().
 * Return: 0 or a negative errno (then every call runs as it is).
 */
int seccomp_install_bypass(int sock, bool inbound);

#endif
