/* unpack_fs.c - path cleaning and symlink-free resolution below a layer root,
 * recursive removal, and the set of paths a layer created. Nothing here
 * ever follows a symlink or builds a path by concatenating onto a host path. */
#include "unpack_fs.h"
#include "cleanup.h"
#include "resolve.h"
#include "util.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

int unpack_path_clean(const char *in, char *out, size_t size)
{
	size_t o = 0;

	if (in[0] == '/')
		return -EXDEV;
	while (*in) {
		size_t len = strcspn(in, "/");

		if (len == 2 && in[0] == '.' && in[1] == '.')
			return -EXDEV;
		if (len > 0 && !(len == 1 && in[0] == '.')) {
			if (o + (o > 0) + len + 1 > size)
				return -ENAMETOOLONG;
			if (o > 0)
				out[o++] = '/';
			memcpy(out + o, in, len);
			o += len;
		}
		in += len;
		while (*in == '/')
			in++;
	}
	out[o] = '\0';
	return 0;
}

struct unpack_set_node {
	struct unpack_set_node *next;
	char path[];
};

static uint64_t unpack_hash(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	while (*s)
		h = (h ^ (unsigned char)*s++) * 1099511628211ULL;
	return h;
}

static int unpack_set_grow(struct unpack_set *s)
{
	size_t n = s->nslots ? s->nslots * 2 : 1024;
	struct unpack_set_node **slot = calloc(n, sizeof(struct unpack_set_node *));

	if (!slot)
		return -ENOMEM;
	for (size_t i = 0; i < s->nslots; i++) {
		struct unpack_set_node *e = s->slot[i], *next;
		for (; e; e = next) {
			size_t k = unpack_hash(e->path) & (n - 1);
			next = e->next;
			e->next = slot[k];
			slot[k] = e;
		}
	}
	free(s->slot);
	s->slot = slot;
	s->nslots = n;
	return 0;
}

int unpack_set_add(struct unpack_set *s, const char *path)
{
	struct unpack_set_node *e;
	size_t len = strlen(path), k;

	if (unpack_set_has(s, path))
		return 0;
	if (s->n >= s->nslots && unpack_set_grow(s) < 0)
		return -ENOMEM;
	e = malloc(sizeof(*e) + len + 1);
	if (!e)
		return -ENOMEM;
	memcpy(e->path, path, len + 1);
	k = unpack_hash(path) & (s->nslots - 1);
	e->next = s->slot[k];
	s->slot[k] = e;
	s->n++;
	return 0;
}

bool unpack_set_has(const struct unpack_set *s, const char *path)
{
	if (!s->nslots)
		return false;
	for (struct unpack_set_node *e = s->slot[unpack_hash(path) & (s->nslots - 1)]; e;
	     e = e->next)
		if (strcmp(e->path, path) == 0)
			return true;
	return false;
}

void unpack_set_free(struct unpack_set *s)
{
	for (size_t i = 0; i < s->nslots; i++) {
		struct unpack_set_node *e = s->slot[i], *next;
		for (; e; e = next) {
			next = e->next;
			free(e);
		}
	}
	free(s->slot);
	memset(s, 0, sizeof(*s));
}

int unpack_open_beneath(int rootfd, const char *path, bool create, struct unpack_set *created)
{
	char comp[NAME_MAX + 1];
	_cleanup_close_ int cur = -1;
	const char *p = path;
	int fd = resolve_open(rootfd, path[0] ? path : ".", O_RDONLY | O_DIRECTORY,
	                      RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);

	if (fd != -ENOENT || !create)
		return fd;
	/* walk and make the missing directories one component at a time */
	cur = resolve_open(rootfd, ".", O_RDONLY | O_DIRECTORY,
	                   RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS);
	if (cur < 0)
		return cur;
	while (*p) {
		size_t len = strcspn(p, "/");
		int next;

		if (len > NAME_MAX)
			return -ENAMETOOLONG;
		memcpy(comp, p, len);
		comp[len] = '\0';
		next = resolve_open(cur, comp, O_RDONLY | O_DIRECTORY,
		                    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		if (next == -ENOENT) {
			if (mkdirat(cur, comp, 0755) < 0 && errno != EEXIST)
				return -errno;
			if (created) {
				char done[PATH_MAX];
				size_t end = (size_t)(p - path) + len;
				memcpy(done, path, end);
				done[end] = '\0';
				if (unpack_set_add(created, done) < 0)
					return -ENOMEM;
			}
			next = resolve_open(cur, comp, O_RDONLY | O_DIRECTORY,
			                    RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
		}
		if (next < 0)
			return next;
		close(cur);
		cur = next;
		p += len;
		while (*p == '/')
			p++;
	}
	return steal_fd(&cur);
}

int unpack_remove_lower(int dfd, const char *path, const struct unpack_set *created)
{
	_cleanup_close_ int fd = openat(dfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	steal_fd(&fd);
	while ((errno = 0, de = readdir(d))) {
		char child[PATH_MAX];
		int r2 = 0;

		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (snprintf(child, sizeof(child), "%s%s%s", path, path[0] ? "/" : "",
		             de->d_name) >= (int)sizeof(child))
			r2 = -ENAMETOOLONG;
		else if (!unpack_set_has(created, child))
			r2 = util_rm_rf_at(dirfd(d), de->d_name);
		else if (de->d_type == DT_DIR || de->d_type == DT_UNKNOWN) {
			_cleanup_close_ int sub = openat(
			    dirfd(d), de->d_name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub >= 0)
				r2 = unpack_remove_lower(sub, child, created);
			else if (errno != ENOTDIR && errno != ELOOP)
				r2 = -errno;
		}
		if (r2 < 0 && r == 0)
			r = r2;
	}
	closedir(d);
	return r;
}
