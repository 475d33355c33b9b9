/* devices.c - `--device` and CDI device nodes as bind mounts of host nodes.
 * A user namespace cannot make device nodes, and a device cgroup is not the
 * user's to program, so the only gate is the node's own permissions: each
 * is checked with access(2) for what was asked before anything exists. */
#include "devices.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

bool devices_perms_p(const char *s)
{
	size_t n = strlen(s);

	if (n < 1 || n > 3)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!strchr("rwm", s[i]) || strchr(s + i + 1, s[i]))
			return false;
	return true;
}

int devices_node_check(const char *host, const char *perms, const char *what, struct werr *err)
{
	struct stat st;
	int mode = 0;

	if (host[0] != '/')
		return werr_set(err, EINVAL, "%s: %s is not an absolute path", what, host);
	if (stat(host, &st) < 0)
		return werr_errno(err, errno, "%s: %s", what, host);
	if (!S_ISCHR(st.st_mode) && !S_ISBLK(st.st_mode))
		return werr_set(err, EINVAL, "%s: %s is not a device node", what, host);
	if (strchr(perms, 'r'))
		mode |= R_OK;
	if (strchr(perms, 'w'))
		mode |= W_OK;
	if (mode && access(host, mode) < 0)
		return werr_set(err, errno,
		                "%s: you cannot open %s for %s (%s; ask for less with :r or :w, "
		                "or ask an administrator for access, e.g. membership of its "
		                "group with --group-add keep-groups)",
		                what, host,
		                mode == (R_OK | W_OK) ? "reading and writing"
		                : mode == R_OK        ? "reading"
		                                      : "writing",
		                strerror(errno));
	return 0;
}

int devices_parse(const char *v, struct mount_spec *m, struct werr *err)
{
	char what[4200], host[4096], ctr[4096], perms[8] = "rwm";
	const char *c1 = strchr(v, ':'), *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
	int r;

	snprintf(what, sizeof(what), "--device %s", v);
	if (strlen(v) >= sizeof(host))
		return werr_set(err, ENAMETOOLONG, "%s: too long", what);
	snprintf(host, sizeof(host), "%.*s", c1 ? (int)(c1 - v) : (int)strlen(v), v);
	snprintf(ctr, sizeof(ctr), "%s", host);
	if (c1 && !c2) {
		/* /dev/X:/dev/Y or /dev/X:rwm, Docker's reading */
		if (devices_perms_p(c1 + 1))
			snprintf(perms, sizeof(perms), "%s", c1 + 1);
		else
			snprintf(ctr, sizeof(ctr), "%s", c1 + 1);
	} else if (c2) {
		snprintf(ctr, sizeof(ctr), "%.*s", (int)(c2 - c1 - 1), c1 + 1);
		if (!devices_perms_p(c2 + 1))
			return werr_set(
			    err, EINVAL,
			    "invalid %s: the permissions \"%s\" are not a combination of "
			    "r, w and m",
			    what, c2 + 1);
		snprintf(perms, sizeof(perms), "%s", c2 + 1);
	}
	if (ctr[0] != '/' || !strcmp(ctr, "/dev") || !strcmp(ctr, "/"))
		return werr_set(err, EINVAL,
		                "invalid %s: the container path \"%s\" must be an absolute path "
		                "of a file, e.g. /dev/mydev",
		                what, ctr);
	r = devices_node_check(host, perms, what, err);
	if (r < 0)
		return r;
	memset(m, 0, sizeof(*m));
	m->kind = MOUNT_BIND;
	m->src = strdup(host);
	m->dst = strdup(ctr);
	if (!m->src || !m->dst) {
		free(m->src);
		free(m->dst);
		return werr_errno(err, ENOMEM, "--device");
	}
	return 0;
}
