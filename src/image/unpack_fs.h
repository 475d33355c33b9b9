/* unpack_fs.h - the layer unpacker's path discipline (private to unpack_*.c):
 * cleaning entry names, resolving parents below the layer root without ever
 * following a symlink, removing lower content, and the set of paths a layer
 * made. */
#ifndef WARREN_UNPACK_FS_H
#define WARREN_UNPACK_FS_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

/**
 * unpack_path_clean() - normalise a tar entry name: drop "." components,
 * empty components and a leading "./"; "" is the layer root.
 * Return: 0; -EXDEV for an absolute path or a ".." component;
 * -ENAMETOOLONG when it does not fit @size.
 */
int unpack_path_clean(const char *in, char *out, size_t size);

/* the set of cleaned paths this layer created (APPLY mode's opaque and
 * whiteout rules apply to lower layers only, OCI image spec layer.md) */
struct unpack_set {
	struct unpack_set_node **slot;
	size_t nslots, n;
};

int unpack_set_add(struct unpack_set *s, const char *path);
bool unpack_set_has(const struct unpack_set *s, const char *path);
void unpack_set_free(struct unpack_set *s);

/**
 * unpack_open_beneath() - open directory @path below @rootfd
 * (RESOLVE_IN_ROOT | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS); with
 * @created non-NULL, missing directories are made (0755) and added to it.
 * Return: the fd, or -errno (-ELOOP: a component is a symlink).
 */
int unpack_open_beneath(int rootfd, const char *path, bool create, struct unpack_set *created);

/**
 * unpack_remove_lower() - remove every child of @dirfd (whose cleaned path is
 * @path) that is not in @created, descending into created directories.
 */
int unpack_remove_lower(int dfd, const char *path, const struct unpack_set *created);

#endif
