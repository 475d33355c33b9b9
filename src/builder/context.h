/* context.h - the build context: a directory walked relative to its fd
 * (never following a symlink out of it), filtered by .dockerignore, COPY/ADD
 * sources resolved in it with Docker's rules, and a content hash of what a
 * COPY would copy for the layer cache. Nothing here copies or writes. */
#ifndef WARREN_BUILD_CONTEXT_H
#define WARREN_BUILD_CONTEXT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "dockerignore.h"
#include "werr.h"

struct context {
	int dirfd;                   /* the context directory, O_RDONLY|O_DIRECTORY */
	char *dir;                   /* as given, for messages */
	char *root;                  /* its real path, to locate what symlinks lead to */
	struct dockerignore *ignore; /* NULL when there is no .dockerignore */
	/* a stage's or image's root (COPY --from): a symlink in a source
	 * resolves in it as in a container (an absolute one too), and owners
	 * are part of what is copied */
	bool stage_root;
};

struct context_entry {
	char *path;  /* where it is: relative to the context, '/'-separated, no symlinks */
	char *dst;   /* where a COPY puts it, relative to the destination: the source's
	               * own name for a file source, the path below the directory for
	               * what a directory source holds (walks: same as @path) */
	mode_t mode; /* st_mode (type and permissions) */
	uid_t uid;
	gid_t gid;
	off_t size;
	char *link;    /* symlink target, or NULL */
	size_t source; /* index of the COPY source that produced it */
	dev_t dev;     /* with @ino and @nlink: hard links are copied as links */
	ino_t ino;
	nlink_t nlink;
	bool named; /* a file named by a source (or a wildcard's match), not one
	             * found below a directory source: ADD extracts it if an archive */
};

struct context_list {
	struct context_entry *v;
	size_t n;
	size_t cap;
	bool dir_source; /* a source is a directory: the destination is one too */
};

/**
 * context_open() - open a build context directory and its ignore file.
 * @dir: the context directory
 * @ignore_file: a .dockerignore to use instead of DIR/.dockerignore (e.g. the
 *	Dockerfile's own Dockerfile.dockerignore), or NULL
 * Return: 0 with *@out set (free with context_close()), or a negative errno
 * with @err set ("build context ./app: No such file or directory").
 */
int context_open(const char *dir, const char *ignore_file, struct context **out, struct werr *err);

/** context_close() - release a context (NULL is fine). */
void context_close(struct context *ctx);

/**
 * context_walk() - every file, directory and symlink of the context that
 * .dockerignore does not exclude (a directory excluded but holding re-included
 * files is listed too), depth-first, names sorted per directory. Symlinks are
 * listed, never followed; excluded directories that no exception reaches are
 * not even opened.
 * Return: 0 with @out filled (free with context_list_free()), or a negative
 * errno with @err set.
 */
int context_walk(const struct context *ctx, struct context_list *out, struct werr *err);

/**
 * context_resolve_sources() - what COPY/ADD SRC... would copy, as Docker
 * resolves it: paths cleaned and rooted at the context (a leading '/' is the
 * context root), wildcards matched per path component (filepath.Match),
 * a directory standing for its contents, a symlink given as the source
 * followed (inside the context only), ignored files invisible.
 * Return: 0 with @out filled (entries in source order), or a negative errno
 * with @err a one-line message: a source outside the context ("../x"), a
 * symlink pointing outside it, a source not found, a wildcard matching nothing.
 */
int context_resolve_sources(const struct context *ctx, char *const *srcs, size_t nsrcs,
                            struct context_list *out, struct werr *err);

/**
 * context_copy_dest() - the absolute destination of COPY/ADD SRC... DEST as
 * Docker resolves it: a relative DEST is below @workdir (absolute, "/" when
 * unset), a trailing '/' is kept and means a directory, as do "." and "..".
 * More than one source needs a directory destination ending in '/'.
 * @nsrcs: the number of sources written in the instruction
 * @dir: set when DEST must be a directory; when it is not, a single file
 *	source becomes DEST itself unless DEST exists as a directory in the image
 * Return: 0 with *@out set (free it), or a negative errno with @err set.
 */
int context_copy_dest(const char *workdir, const char *dest, size_t nsrcs, char **out, bool *dir,
                      struct werr *err);

/** context_list_free() - release a list's entries and storage. */
void context_list_free(struct context_list *list);

/**
 * context_hash_sources() - the cache key of a COPY/ADD: SHA-256 over the
 * requested --chown and --chmod, then per entry sorted by (source, dst): its
 * destination path, type, permissions (unless --chmod replaces them), symlink
 * target, size and contents. Owners on disk and times do not count: COPY
 * gives files root (or --chown) ownership, so they do not change the layer.
 * @chown: the --chown value or NULL; @chmod: the --chmod value or NULL
 * @hex: receives 64 hex digits and a NUL
 * Return: 0, or a negative errno with @err set (a file unreadable or changed
 * into something else while hashing).
 */
int context_hash_sources(const struct context *ctx, const struct context_list *list,
                         const char *chown, const char *chmod, char hex[65], struct werr *err);

#endif
