/* nodepath.c - the path of a node below every layer root, built from the
 * names and parents of the node table under its read lock. Never runs a
 * filesystem syscall. */
#include "ovl.h"

#include <stdio.h>
#include <string.h>

/* write the path of @n relative to the layer roots into the end of @buf */
static int node_path_locked(struct ovl_fs *fs, struct ovl_node *n, char *buf, size_t size)
{
	char *p = buf + size - 1;

	*p = '\0';
	if (n == fs->root) {
		memcpy(buf, ".", 2);
		return 0;
	}
	if (n->parked) {
		if (strlen(n->name) + 1 > size)
			return -ENAMETOOLONG;
		strcpy(buf, n->name);
		return 0;
	}
	for (; n && n != fs->root; n = n->parent) {
		size_t len = strlen(n->name);
		/* room for the name and, below the top, the '/' before it: a path
		 * of PATH_MAX - 1 bytes is legal */
		if ((size_t)(p - buf) < len + (n->parent != fs->root))
			return -ENAMETOOLONG;
		p -= len;
		memcpy(p, n->name, len);
		if (n->parent != fs->root)
			*--p = '/';
		if (n->stale)
			return -ENOENT;
	}
	memmove(buf, p, strlen(p) + 1);
	return 0;
}

/**
 * ovl_node_path() - @n's path relative to every layer root ("." for the root).
 * Return: 0, -ENOENT when @n (or a parent) was removed, -ENAMETOOLONG.
 */
int ovl_node_path(struct ovl_fs *fs, struct ovl_node *n, char *buf, size_t size)
{
	int r;

	pthread_rwlock_rdlock(&fs->tree_lock);
	r = node_path_locked(fs, n, buf, size);
	pthread_rwlock_unlock(&fs->tree_lock);
	return r;
}

/**
 * ovl_node_parent_path() - the path of @n's parent into @buf and @n's own name
 * into @name (NAME_MAX + 1 bytes); with @parent, a reference on the parent
 * that the caller drops with ovl_node_unref().
 */
int ovl_node_parent_path(struct ovl_fs *fs, struct ovl_node *n, char *buf, size_t size, char *name,
                         struct ovl_node **parent)
{
	int r = -ENOENT;

	pthread_rwlock_wrlock(&fs->tree_lock);
	if (n->parent && !n->stale) {
		r = node_path_locked(fs, n->parent, buf, size);
		if (r == 0) {
			snprintf(name, NAME_MAX + 1, "%s", n->name);
			if (parent) {
				*parent = n->parent;
				n->parent->refs++;
			}
		}
	}
	pthread_rwlock_unlock(&fs->tree_lock);
	return r;
}
