/* userspec.h - resolving -u NAME|UID[:GROUP|GID] through the container's own
 * /etc/passwd and /etc/group (never the host's NSS): the IDs inside the user
 * namespace, for the runtime's process and the builder's COPY --chown. */
#ifndef WARREN_USERSPEC_H
#define WARREN_USERSPEC_H

#include <stddef.h>
#include <sys/types.h>

#include "werr.h"

#define USERSPEC_MAX_GROUPS 64

struct userspec {
	uid_t uid;
	gid_t gid;
	gid_t groups[USERSPEC_MAX_GROUPS]; /* supplementary groups */
	size_t n_groups;
	char home[256];
};

/**
 * userspec_resolve() - resolve @spec against passwd/group text.
 * @passwd, @group: file contents, or NULL when the file is missing
 * A numeric user missing from passwd is accepted (gid 0, home "/"), as Docker
 * does; a name that is not there is an error. Supplementary groups are the
 * groups that list the user by name, plus an explicit group.
 * Return: 0 or -ENOENT/-EINVAL with @err naming the user or group.
 */
int userspec_resolve(const char *spec, const char *passwd, const char *group, struct userspec *out,
                     struct werr *err);

/**
 * userspec_add_group() - add group @g (a GID, or a name in the @group
 * file's text) to @u's supplementary groups (--group-add).
 * Return: 0 or -ENOENT/-E2BIG with @err naming the group.
 */
int userspec_add_group(struct userspec *u, const char *g, const char *group, struct werr *err);

#endif
