/* builder_copylist.c - what a COPY/ADD copies and where, as BuildKit makes
 * it before copying: the entry list cut by --exclude and spread by
 * --parents, and the destination resolved through the image's symlinks.
 * Pure path work on lists (and lookups below a root fd); nothing written. */
#include "builder_int.h"
#include "cleanup.h"
#include "context_int.h"
#include "resolve.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#define COPY_MAX_HOPS 40

char *bcopy_dest_follow(int rootfd, const char *path, struct werr *err)
{
	char cur[PATH_MAX] = "", rest[2 * PATH_MAX + 2], tmp[2 * PATH_MAX + 2];
	const char *p = rest;
	unsigned hops = 0;
	char *out;

	snprintf(rest, sizeof(rest), "%s", path);
	while (*p) {
		size_t n, cl = strlen(cur);
		_cleanup_close_ int fd = -1;
		struct stat st;
		char t[PATH_MAX];
		ssize_t len;

		p += strspn(p, "/");
		n = strcspn(p, "/");
		if (!n)
			break;
		if (n == 1 && p[0] == '.') {
			p += n;
			continue;
		}
		if (n == 2 && p[0] == '.' && p[1] == '.') {
			*(strrchr(cur, '/') ? strrchr(cur, '/') : cur) = '\0';
			p += n;
			continue;
		}
		if (cl + n + 2 > sizeof(cur)) {
			werr_set(err, ENAMETOOLONG, "destination %s: path too long", path);
			return NULL;
		}
		cur[cl] = '/';
		memcpy(cur + cl + 1, p, n);
		cur[cl + 1 + n] = '\0';
		p += n;
		fd = resolve_open(rootfd, cur, O_PATH | O_NOFOLLOW, RESOLVE_IN_ROOT);
		if (fd < 0 || fstat(fd, &st) < 0 || !S_ISLNK(st.st_mode))
			continue; /* a directory, a file, or missing: kept as written */
		len = readlinkat(fd, "", t, sizeof(t) - 1);
		if (len <= 0 || ++hops > COPY_MAX_HOPS) {
			werr_errno(err, len < 0 ? errno : ELOOP, "destination %s: symbolic link %s",
			           path, cur);
			return NULL;
		}
		t[len] = '\0';
		cur[t[0] == '/' ? 0 : cl] = '\0';
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s/%s", t, p) >= sizeof(tmp)) {
			werr_set(err, ENAMETOOLONG, "destination %s: path too long", path);
			return NULL;
		}
		memcpy(rest, tmp, sizeof(rest));
		p = rest;
	}
	if (asprintf(&out, "%s", *cur ? cur : "/") < 0) {
		werr_errno(err, ENOMEM, "destination %s", path);
		return NULL;
	}
	return out;
}

void bcopy_exclude(const struct dockerignore *exclude, struct context_list *list)
{
	size_t k = 0;

	if (!exclude)
		return;
	for (size_t i = 0; i < list->n; i++) {
		struct context_entry *e = &list->v[i];
		const char *p = e->dst && *e->dst ? e->dst : e->path;
		if (dockerignore_excluded(exclude, p) &&
		    (!S_ISDIR(e->mode) || dockerignore_dir_skippable(exclude, p)))
			ctx_entry_free(e);
		else
			list->v[k++] = *e;
	}
	list->n = k;
}

int bcopy_parents(char *const *srcs, struct context_list *list, struct werr *err)
{
	for (size_t i = 0; i < list->n; i++) {
		struct context_entry *e = &list->v[i];
		const char *src = srcs[e->source], *pivot = strstr(src, "/./");
		_cleanup_free_ char *clean = NULL, *pre = NULL, *full = NULL;
		size_t n;

		while (*src == '/')
			src++;
		clean = calloc(strlen(src) + 2, 1);
		pre = calloc(strlen(src) + 2, 1);
		if (!clean || !pre)
			return werr_errno(err, ENOMEM, "COPY --parents");
		strcpy(clean, src);
		dockerignore_clean(clean);
		if (pivot && pivot >= src) {
			memcpy(pre, src, (size_t)(pivot - src));
			dockerignore_clean(pre);
		}
		if (strpbrk(src, "*?["))
			full = strdup(e->path); /* a wildcard's match: its own path */
		else if (e->named)
			full = strdup(clean);
		else
			full = ctx_join(strcmp(clean, ".") ? clean : "", e->dst);
		if (!full)
			return werr_errno(err, ENOMEM, "COPY --parents");
		n = strlen(pre);
		if (*pre && strcmp(pre, ".") && !strncmp(full, pre, n) && full[n] == '/')
			memmove(full, full + n + 1, strlen(full + n + 1) + 1);
		free(e->dst);
		e->dst = steal_ptr(&full);
	}
	list->dir_source = true;
	return 0;
}
