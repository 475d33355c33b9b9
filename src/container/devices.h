/* devices.h - host device nodes in a container: `--device /dev/X[:/dev/Y][:rwm]`
 * and the device nodes of CDI specs (cdi.h) become bind mounts of nodes
 * the user can already open; warren never makes a node (it cannot) and
 * never hands over one the user could not open outside. */
#ifndef WARREN_DEVICES_H
#define WARREN_DEVICES_H

#include <stdbool.h>

#include "container.h"
#include "werr.h"

/**
 * devices_node_check() - @host is a character or block device that the
 * calling user may open as @perms says ("r", "w", "m" in any order; "m",
 * mknod, is granted by the bind itself).
 * @what: how the error names the request ("--device /dev/kvm").
 * Return: 0, or a negative errno with @err set to one line with the fix.
 */
int devices_node_check(const char *host, const char *perms, const char *what, struct werr *err);

/**
 * devices_parse() - one --device value, /dev/X[:/dev/Y][:PERMS], checked
 * (devices_node_check()) and turned into the bind mount @m (owned strings).
 * Return: 0, or a negative errno with @err set.
 */
int devices_parse(const char *v, struct mount_spec *m, struct werr *err);

/** devices_perms_p() - whether @s is a permission string: 1-3 of r, w, m. */
bool devices_perms_p(const char *s);

#endif
