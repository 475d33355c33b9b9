/* ovlmount.c - mount the kernel's overlay from inside a user namespace.
 * Must never mount anything but an overlay, and never leave the caller in
 * another working directory on success. */
#include "ovlmount.h"
#include "cleanup.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <unistd.h>

int ovlmount_mount(const char *base, const char *lower, const char *upper, const char *work,
                   const char *at, struct werr *err)
{
	_cleanup_free_ char *data = NULL;
	int r = upper ? asprintf(&data, "lowerdir=%s,upperdir=%s,workdir=%s,userxattr", lower,
	                         upper, work)
	              : asprintf(&data, "lowerdir=%s,userxattr", lower);

	if (r < 0)
		return werr_errno(err, ENOMEM, "overlay options");
	if ((size_t)r >= OVLMOUNT_DATA_MAX)
		return werr_set(err, E2BIG,
		                "too many layers for one overlay mount (%d bytes of options, the "
		                "kernel takes %d)",
		                r, OVLMOUNT_DATA_MAX - 1);
	if (chdir(base) < 0)
		return werr_errno(err, errno, "chdir %s", base);
	r = mount("overlay", at, "overlay", upper ? 0 : MS_RDONLY, data) < 0 ? -errno : 0;
	if (chdir("/") < 0 && r == 0)
		return werr_errno(err, errno, "chdir /");
	return r < 0 ? werr_errno(err, -r, "mounting the overlay at %s", at) : 0;
}
