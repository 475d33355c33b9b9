/* bpf.h - a seccomp allow-list as a classic BPF program, built and installed
 * without libseccomp: warren-net and its socket factory (a static program)
 * both use it, and neither keeps libseccomp's pages resident. */
#ifndef WARREN_NET_BPF_H
#define WARREN_NET_BPF_H

#include <stdbool.h>
#include <stddef.h>

#include "werr.h"

/**
 * bpf_install_allowlist() - set no_new_privs and confine this process to the
 * system calls numbered in @nrs[@n] (SYS_*, this architecture only; any
 * other one fails with EPERM, another architecture's ABI kills the process).
 * @tsync: apply the filter to every thread of the process
 * Return: 0, or a negative errno with @err set.
 */
int bpf_install_allowlist(const long *nrs, size_t n, bool tsync, struct werr *err);

#endif
