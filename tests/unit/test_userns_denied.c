/* test_userns_denied.c - the reason given when the kernel refuses a user
 * namespace (TAP): each sysctl that can forbid one is named with its fix,
 * read from a fake /proc/sys per case, as on Debian, Ubuntu 23.10+ and a
 * host whose limit is 0 or reached. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "tap.h"
#include "userns_exec.h"

static char root[64];

/* set NAME VALUE under the fake /proc/sys (NULL VALUE: absent) */
static void set(const char *name, const char *value)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, name);
	if (!value) {
		unlink(path);
		return;
	}
	if ((f = fopen(path, "w"))) {
		fprintf(f, "%s\n", value);
		fclose(f);
	}
}

/* the reason for @e holds @want */
static int says(int e, const char *want)
{
	char why[512];

	userns_denied_why(e, root, why, sizeof(why));
	if (!strstr(why, want)) {
		printf("# got: %s\n", why);
		return 0;
	}
	return 1;
}

int main(void)
{
	char d[128];

	snprintf(root, sizeof(root), "/tmp/test_userns_denied.XXXXXX");
	if (!mkdtemp(root))
		return 1;
	snprintf(d, sizeof(d), "%s/user", root);
	mkdir(d, 0700);
	snprintf(d, sizeof(d), "%s/kernel", root);
	mkdir(d, 0700);

	set("user/max_user_namespaces", "0");
	check(says(ENOSPC, "user.max_user_namespaces is 0") &&
	          says(EPERM, "sysctl -w user.max_user_namespaces=15000"),
	      "a limit of 0 is named with its fix, whatever the errno");
	set("user/max_user_namespaces", "63000");
	set("kernel/unprivileged_userns_clone", "0");
	check(says(EPERM, "kernel.unprivileged_userns_clone is 0; as root: sysctl -w "
	                  "kernel.unprivileged_userns_clone=1"),
	      "Debian's unprivileged_userns_clone=0 is named with its fix");
	set("kernel/unprivileged_userns_clone", "1");
	set("kernel/apparmor_restrict_unprivileged_userns", "1");
	check(says(EPERM, "AppArmor restricts unprivileged user namespaces") &&
	          says(EPERM, "docs/apparmor.md"),
	      "Ubuntu's AppArmor restriction is named, with the profile to install");
	set("kernel/apparmor_restrict_unprivileged_userns", "0");
	check(says(ENOSPC, "the limit user.max_user_namespaces (63000) is reached"),
	      "a reached limit gives its value");
	check(says(EPERM, "seccomp filter or a security module"),
	      "sysctls that allow it: the environment's filter is blamed");
	set("kernel/unprivileged_userns_clone", NULL);
	set("kernel/apparmor_restrict_unprivileged_userns", NULL);
	set("user/max_user_namespaces", NULL);
	check(says(EPERM, "seccomp filter"), "a kernel without these sysctls: the same");
	snprintf(d, sizeof(d), "rm -rf %s", root);
	if (system(d) != 0)
		return 1;
	return tap_done();
}
