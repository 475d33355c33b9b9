/* caps.c - capability names and sets, and applying a set to the container's
 * process. caps_apply() runs between fork and exec: no allocation there. */
#include "caps.h"
#include "cleanup.h"
#include "util.h"

#include <ctype.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

/* the kernel's capability names, indexed by number (uapi linux/capability.h) */
static const char *const cap_names[] = {
	"CAP_CHOWN",
	"CAP_DAC_OVERRIDE",
	"CAP_DAC_READ_SEARCH",
	"CAP_FOWNER",
	"CAP_FSETID",
	"CAP_KILL",
	"CAP_SETGID",
	"CAP_SETUID",
	"CAP_SETPCAP",
	"CAP_LINUX_IMMUTABLE",
	"CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST",
	"CAP_NET_ADMIN",
	"CAP_NET_RAW",
	"CAP_IPC_LOCK",
	"CAP_IPC_OWNER",
	"CAP_SYS_MODULE",
	"CAP_SYS_RAWIO",
	"CAP_SYS_CHROOT",
	"CAP_SYS_PTRACE",
	"CAP_SYS_PACCT",
	"CAP_SYS_ADMIN",
	"CAP_SYS_BOOT",
	"CAP_SYS_NICE",
	"CAP_SYS_RESOURCE",
	"CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG",
	"CAP_MKNOD",
	"CAP_LEASE",
	"CAP_AUDIT_WRITE",
	"CAP_AUDIT_CONTROL",
	"CAP_SETFCAP",
	"CAP_MAC_OVERRIDE",
	"CAP_MAC_ADMIN",
	"CAP_SYSLOG",
	"CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND",
	"CAP_AUDIT_READ",
	"CAP_PERFMON",
	"CAP_BPF",
	"CAP_CHECKPOINT_RESTORE",
};

#define BIT(c) (1ULL << (c))

caps_mask_t caps_default(void)
{
	/* Docker's default set (moby oci/caps/defaults.go) */
	return BIT(CAP_CHOWN) | BIT(CAP_DAC_OVERRIDE) | BIT(CAP_FSETID) | BIT(CAP_FOWNER) |
	       BIT(CAP_MKNOD) | BIT(CAP_NET_RAW) | BIT(CAP_SETGID) | BIT(CAP_SETUID) |
	       BIT(CAP_SETFCAP) | BIT(CAP_SETPCAP) | BIT(CAP_NET_BIND_SERVICE) |
	       BIT(CAP_SYS_CHROOT) | BIT(CAP_KILL) | BIT(CAP_AUDIT_WRITE);
}

static int caps_last_cap(void)
{
	static int last = -1;
	char buf[16] = "";
	int fd;

	if (last >= 0)
		return last;
	last = (int)ARRAY_SIZE(cap_names) - 1;
	fd = open("/proc/sys/kernel/cap_last_cap", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		ssize_t n = read(fd, buf, sizeof(buf) - 1);
		close(fd);
		if (n > 0) {
			int v = atoi(buf);
			if (v > 0 && v < 64)
				last = v;
		}
	}
	return last;
}

caps_mask_t caps_all(void)
{
	int last = caps_last_cap();

	return last >= 63 ? ~0ULL : BIT(last + 1) - 1;
}

const char *caps_to_name(int cap)
{
	if (cap < 0 || (size_t)cap >= ARRAY_SIZE(cap_names))
		return NULL;
	return cap_names[cap];
}

int caps_from_name(const char *name, caps_mask_t *mask, struct werr *err)
{
	const char *n = name;

	if (!strcasecmp(name, "ALL")) {
		*mask = caps_all();
		return 0;
	}
	if (!strncasecmp(n, "CAP_", 4))
		n += 4;
	for (size_t i = 0; i < ARRAY_SIZE(cap_names); i++)
		if (!strcasecmp(n, cap_names[i] + 4)) {
			*mask = BIT(i);
			return 0;
		}
	return werr_set(err, EINVAL,
	                "unknown capability \"%s\": use a name like NET_ADMIN or CAP_NET_ADMIN, "
	                "or ALL (see capabilities(7))",
	                name);
}

int caps_apply(caps_mask_t keep, struct werr *err)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2];
	int last = caps_last_cap();

	for (int c = 0; c <= last; c++) {
		if (keep & BIT(c))
			continue;
		if (prctl(PR_CAPBSET_DROP, c, 0, 0, 0) < 0 && errno != EINVAL)
			return werr_errno(err, errno, "dropping %s from the bounding set",
			                  caps_to_name(c) ? caps_to_name(c) : "a capability");
	}
	if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) < 0 && errno != EINVAL)
		return werr_errno(err, errno, "clearing the ambient capabilities");
	d[0].permitted = d[0].effective = d[0].inheritable = (uint32_t)keep;
	d[1].permitted = d[1].effective = d[1].inheritable = (uint32_t)(keep >> 32);
	if (syscall(SYS_capset, &h, d) < 0)
		return werr_errno(err, errno, "setting the container's capabilities");
	return 0;
}
