/* netnames.c - a network's name table (netnames.h): one small file per
 * leased address, replaced by rename so the responder never reads half of
 * one. Knows nothing of leases or records. */
#include "netnames.h"
#include "cidr.h"
#include "cleanup.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define NETNAMES_DIR "names"

static void netnames_path(const char *netdir, uint32_t addr, char *buf, size_t size)
{
	char ip[16];

	cidr_format_addr(addr, ip);
	snprintf(buf, size, "%s/" NETNAMES_DIR "/%s", netdir, ip);
}

int netnames_write(const char *netdir, uint32_t addr, const char *id, const char *name,
                   char *const *aliases, size_t n, struct werr *err)
{
	char dir[PATH_MAX + 16], path[PATH_MAX + 32], text[8192];
	size_t len;

	snprintf(dir, sizeof(dir), "%s/" NETNAMES_DIR, netdir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "mkdir %s", dir);
	len = (size_t)snprintf(text, sizeof(text), "%s\n%s\n", id, name ? name : "");
	for (size_t i = 0; i < n && len < sizeof(text); i++)
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%s\n", aliases[i]);
	if (len >= sizeof(text))
		return werr_set(err, E2BIG, "too many --network-alias names");
	netnames_path(netdir, addr, path, sizeof(path));
	return util_write_file_atomic(AT_FDCWD, path, text, len, 0600, err);
}

void netnames_remove(const char *netdir, uint32_t addr)
{
	char path[PATH_MAX + 32];

	netnames_path(netdir, addr, path, sizeof(path));
	unlink(path);
}

json_t *netnames_aliases(const char *netdir, uint32_t addr)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX + 32];
	struct werr ignored;
	json_t *out = json_array();
	size_t len, line = 0;

	netnames_path(netdir, addr, path, sizeof(path));
	if (util_read_file(AT_FDCWD, path, 65536, &text, &len, &ignored) < 0)
		return out;
	for (char *p = text, *nl; *p; p = nl + 1, line++) {
		nl = strchr(p, '\n');
		if (!nl)
			break;
		*nl = '\0';
		if (line >= 2 && *p)
			json_array_append_new(out, json_string(p));
	}
	return out;
}

int netnames_rename(const char *netdir, uint32_t addr, const char *name, struct werr *err)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX + 32], out[8192];
	size_t len, idl, oldl;
	int n;

	netnames_path(netdir, addr, path, sizeof(path));
	n = util_read_file(AT_FDCWD, path, 8192, &text, &len, err);
	if (n < 0)
		return n == -ENOENT ? 0 : n; /* not named: not running */
	idl = strcspn(text, "\n");
	if (!text[idl])
		return 0;
	oldl = strcspn(text + idl + 1, "\n");
	n = snprintf(out, sizeof(out), "%.*s\n%s%s", (int)idl, text, name, text + idl + 1 + oldl);
	if (n < 0 || (size_t)n >= sizeof(out))
		return werr_set(err, E2BIG, "%s: too long", path);
	return util_write_file_atomic(AT_FDCWD, path, out, (size_t)n, 0600, err);
}
