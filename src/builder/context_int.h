/* context_int.h - helpers the build-context files share (walking, listing,
 * confined opens); not for the builder. */
#ifndef WARREN_BUILD_CONTEXT_INT_H
#define WARREN_BUILD_CONTEXT_INT_H

#include <sys/stat.h>

#include "context.h"
#include "strbuf.h"

struct walk {
	const struct context *ctx;
	struct context_list *out;
	size_t source;
	struct werr *err;
};

/** ctx_list_add() - append an entry (takes @link). */
int ctx_list_add(struct context_list *l, const char *path, const char *dst, const struct stat *st,
                 char *link, size_t source, struct werr *err);

/** ctx_entry_free() - release the strings of one entry. */
void ctx_entry_free(struct context_entry *e);

/** ctx_join() - "A/B", or B when A is empty; NULL on ENOMEM. */
char *ctx_join(const char *a, const char *b);

/** ctx_dir_names() - the sorted entry names of directory @dfd. */
int ctx_dir_names(int dfd, const char *rel, struct strv *names, struct werr *err);

/** ctx_read_link() - the target of symlink @name in @dfd, or NULL (errno set). */
char *ctx_read_link(int dfd, const char *name);

/**
 * ctx_walk_dir() - append what is visible below @dfd (not ignored, symlinks
 * not followed); @rel is its context path, @dst its destination path.
 */
int ctx_walk_dir(struct walk *w, int dfd, const char *rel, const char *dst, unsigned depth);

#endif
