/* subid_nss.c - subordinate ID ranges through shadow's libsubid, for sites
 * whose /etc/nsswitch.conf names a `subid:` source (SSSD, a site module).
 * libsubid is opened with dlopen, only then: a host with ranges in the
 * files needs neither the library nor its package (Debian's libsubid4). */
#include "subid_nss.h"

#include <ctype.h>
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* libsubid's range, as <shadow/subid.h> (ABI 4) declares it */
struct libsubid_range {
	unsigned long start;
	unsigned long count;
};

void subid_nss_source(const char *nsswitch, char *buf, size_t size)
{
	char line[1024];
	FILE *f = fopen(nsswitch ? nsswitch : "/etc/nsswitch.conf", "re");

	buf[0] = '\0';
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		char *p = line;
		size_t n;

		if (strncasecmp(p, "subid:", 6) != 0)
			continue;
		p += 6;
		while (*p == ' ' || *p == '\t')
			p++;
		n = strcspn(p, " \t\n#");
		if (n == 0)
			continue;
		if (!(n == 5 && !strncmp(p, "files", 5)))
			snprintf(buf, size, "%.*s", (int)n, p);
		break;
	}
	fclose(f);
}

int subid_nss_ranges(const char *source, const char *user, bool gid, struct subid_range *out,
                     size_t max, size_t *n, struct werr *err)
{
	static void *lib;
	static bool inited;
	int (*get)(const char *, struct libsubid_range **);
	bool (*init)(const char *, FILE *);
	struct libsubid_range *r = NULL;
	int got;

	*n = 0;
	if (!lib && !(lib = dlopen("libsubid.so.4", RTLD_NOW | RTLD_LOCAL)))
		return werr_set(err, ENOENT,
		                "/etc/nsswitch.conf takes subordinate IDs from '%s', but shadow's "
		                "libsubid.so.4 is not installed; install it (Debian: libsubid4, "
		                "Fedora: shadow-utils-subid)",
		                source);
	init = (bool (*)(const char *, FILE *))dlsym(lib, "subid_init");
	get = (int (*)(const char *, struct libsubid_range **))dlsym(
	    lib, gid ? "subid_get_gid_ranges" : "subid_get_uid_ranges");
	if (!get)
		return werr_set(err, ENOSYS, "libsubid.so.4 has no %s",
		                gid ? "subid_get_gid_ranges" : "subid_get_uid_ranges");
	/* once, with no name (libsubid would keep a copy for good) and its
	 * messages to /dev/null: ours name the source */
	if (init && !inited)
		inited = init(NULL, NULL);
	if (!user)
		return werr_set(err, ENOENT, "your user has no name, which '%s' needs", source);
	got = get(user, &r);
	if (got < 0) {
		free(r);
		return werr_set(err, EIO,
		                "the subordinate ID source '%s' of /etc/nsswitch.conf failed for "
		                "user %s (is its service running?)",
		                source, user);
	}
	for (int i = 0; i < got && *n < max; i++) {
		if (r[i].count == 0)
			continue;
		if (r[i].start > UINT32_MAX || r[i].count > UINT32_MAX ||
		    r[i].start + r[i].count - 1 >= UINT32_MAX) {
			werr_set(
			    err, ERANGE,
			    "the subordinate %s range %lu+%lu that '%s' gives user %s runs past "
			    "the last ID (4294967294); its administrator must correct it",
			    gid ? "gid" : "uid", r[i].start, r[i].count, source, user);
			free(r);
			*n = 0;
			return -ERANGE;
		}
		out[(*n)++] = (struct subid_range){ (uint32_t)r[i].start, (uint32_t)r[i].count };
	}
	free(r);
	return 0;
}
