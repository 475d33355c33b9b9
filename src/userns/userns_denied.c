/* userns_denied.c - why the kernel refused a new user namespace, from the
 * sysctls that can forbid one, and what an administrator changes. */
#include "userns_exec.h"
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* the sysctl @name under @proc_sys ("kernel/unprivileged_userns_clone"),
 * or -1 where this kernel has none or it cannot be read */
static long userns_sysctl(const char *proc_sys, const char *name)
{
	char path[4096], buf[32];
	long v;
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", proc_sys, name);
	if (!(f = fopen(path, "re")))
		return -1;
	v = fgets(buf, sizeof(buf), f) ? strtol(buf, NULL, 10) : -1;
	fclose(f);
	return v;
}

void userns_denied_why(int e, const char *proc_sys, char *buf, size_t size)
{
	if (!proc_sys)
		proc_sys = "/proc/sys";
	if (userns_sysctl(proc_sys, "user/max_user_namespaces") == 0)
		snprintf(buf, size,
		         "cannot create a user namespace: user.max_user_namespaces is 0 here; as "
		         "root: sysctl -w user.max_user_namespaces=15000");
	else if (e == EPERM && userns_sysctl(proc_sys, "kernel/unprivileged_userns_clone") == 0)
		snprintf(
		    buf, size,
		    "cannot create a user namespace: kernel.unprivileged_userns_clone is 0; as "
		    "root: sysctl -w kernel.unprivileged_userns_clone=1");
	else if (e == EPERM &&
	         userns_sysctl(proc_sys, "kernel/apparmor_restrict_unprivileged_userns") == 1)
		snprintf(buf, size,
		         "cannot create a user namespace: AppArmor restricts unprivileged user "
		         "namespaces (kernel.apparmor_restrict_unprivileged_userns is 1); as root, "
		         "install warren's AppArmor profile (docs/apparmor.md) or set that sysctl "
		         "to 0");
	else if (e == ENOSPC || e == EUSERS)
		snprintf(buf, size,
		         "cannot create a user namespace: the limit user.max_user_namespaces (%ld) "
		         "is reached for this user; as root: sysctl -w "
		         "user.max_user_namespaces=15000, or end other containers",
		         userns_sysctl(proc_sys, "user/max_user_namespaces"));
	else
		snprintf(buf, size,
		         "cannot create a user namespace (%s): the sysctls allow it, so a "
		         "seccomp filter or a security module of the environment warren runs in "
		         "forbids it (e.g. a container started without --security-opt "
		         "seccomp=unconfined)",
		         strerror(e));
}
