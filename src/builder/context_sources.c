/* context_sources.c - COPY/ADD sources resolved in the build context as
 * Docker does: rooted and cleaned paths, wildcards per path component,
 * directories standing for their contents, symlinked sources followed only
 * inside the context. Refuses anything that would read outside it. */
#include "context_int.h"
#include "cleanup.h"
#include "resolve.h"

#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* Docker's containsWildcards: * ? [ not escaped by a backslash */
static bool has_wildcards(const char *s)
{
	for (; *s; s++) {
		if (*s == '\\' && s[1])
			s++;
		else if (*s == '*' || *s == '?' || *s == '[')
			return true;
	}
	return false;
}

/* the context-relative real path of @fd ("" for the root), or NULL */
static char *real_rel(const struct context *ctx, int fd)
{
	char proc[64], real[PATH_MAX];
	size_t rl = strlen(ctx->root);
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, real, sizeof(real) - 1);
	if (n < 0)
		return NULL;
	real[n] = '\0';
	if (strcmp(real, ctx->root) == 0)
		return strdup("");
	if (strncmp(real, ctx->root, rl) != 0 || (real[rl] != '/' && strcmp(ctx->root, "/") != 0)) {
		errno = EXDEV;
		return NULL;
	}
	return strdup(real + rl + (strcmp(ctx->root, "/") != 0));
}

/* a directory source: what it holds, paths relative to it */
static int add_dir_contents(struct walk *w, int fd, const char *rel)
{
	_cleanup_close_ int dfd = resolve_open(fd, ".", O_RDONLY | O_DIRECTORY, RESOLVE_BENEATH);

	if (dfd < 0)
		return werr_errno(w->err, errno, "build context: %s", *rel ? rel : ".");
	w->out->dir_source = true;
	return ctx_walk_dir(w, dfd, rel, "", 1);
}

static int not_found(struct walk *w, const char *src, const char *why)
{
	return werr_set(w->err, ENOENT, "source %.200s: not found in the build context %.200s%s",
	                src, w->ctx->dir, why);
}

/* a source without wildcards, @clean relative and cleaned */
static int resolve_path(struct walk *w, const char *src, const char *clean)
{
	_cleanup_close_ int fd = -1;
	_cleanup_free_ char *rel = NULL;
	const char *base;
	struct stat st;

	if (strcmp(clean, ".") == 0)
		return add_dir_contents(w, w->ctx->dirfd, "");
	fd = resolve_open(w->ctx->dirfd, clean, O_PATH, RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	if (fd >= 0) {
		rel = strdup(clean);
	} else if (errno == ELOOP) {
		/* a symlink on the way: follow it, but only inside the context
		 * (in a stage's root, as the container would: "/" is its root) */
		fd = resolve_open(w->ctx->dirfd, clean, O_PATH,
		                  w->ctx->stage_root ? RESOLVE_IN_ROOT : RESOLVE_BENEATH);
		if (fd < 0 && (errno == EXDEV || errno == ELOOP))
			return werr_set(w->err, EXDEV,
			                "source %.200s: a symlink in it points outside the build "
			                "context %.200s (copy the file into the context instead)",
			                src, w->ctx->dir);
		if (fd >= 0 && !(rel = real_rel(w->ctx, fd)))
			return werr_errno(w->err, errno, "source %.200s", src);
	}
	if (fd < 0 && (errno == ENOENT || errno == ENOTDIR))
		return not_found(w, src, "");
	if (fd < 0)
		return werr_errno(w->err, errno, "source %.200s", src);
	if (!rel)
		return werr_errno(w->err, ENOMEM, "source %.200s", src);
	if (fstat(fd, &st) < 0)
		return werr_errno(w->err, errno, "source %.200s", src);
	if (*rel && dockerignore_excluded(w->ctx->ignore, rel) &&
	    !(S_ISDIR(st.st_mode) && !dockerignore_dir_skippable(w->ctx->ignore, rel)))
		return not_found(w, src, " (it is excluded by .dockerignore)");
	if (S_ISDIR(st.st_mode))
		return add_dir_contents(w, fd, rel);
	base = strrchr(clean, '/');
	if (ctx_list_add(w->out, rel, base ? base + 1 : clean, &st, NULL, w->source, w->err) < 0)
		return -w->err->code;
	w->out->v[w->out->n - 1].named = true;
	return 0;
}

/* wildcard component @k of @comps below @dfd (context path @rel) */
static int glob_level(struct walk *w, int dfd, const char *rel, char **comps, size_t ncomps,
                      size_t k, size_t *matches)
{
	struct strv names = { 0 };
	int r = ctx_dir_names(dfd, *rel ? rel : ".", &names, w->err);

	for (size_t i = 0; i < names.n && r == 0; i++) {
		_cleanup_free_ char *crel = ctx_join(rel, names.v[i]);
		_cleanup_close_ int sub = -1;
		struct stat st;
		bool excluded;

		if (dockerignore_glob_match(comps[k], names.v[i]) != 1)
			continue;
		if (!crel) {
			r = werr_errno(w->err, ENOMEM, "resolving sources");
			break;
		}
		if (fstatat(dfd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0)
			continue;
		excluded = dockerignore_excluded(w->ctx->ignore, crel);
		if (excluded &&
		    !(S_ISDIR(st.st_mode) && !dockerignore_dir_skippable(w->ctx->ignore, crel)))
			continue;
		if (S_ISDIR(st.st_mode)) {
			sub = openat(dfd, names.v[i],
			             O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
			if (sub < 0) {
				r = werr_errno(w->err, errno, "build context: %s", crel);
				break;
			}
		}
		if (k + 1 < ncomps) {
			if (sub >= 0)
				r = glob_level(w, sub, crel, comps, ncomps, k + 1, matches);
			continue;
		}
		(*matches)++;
		if (sub >= 0) {
			w->out->dir_source = true;
			r = ctx_walk_dir(w, sub, crel, "", 1);
		} else {
			char *link = S_ISLNK(st.st_mode) ? ctx_read_link(dfd, names.v[i]) : NULL;
			r = ctx_list_add(w->out, crel, names.v[i], &st, link, w->source, w->err);
			if (r == 0)
				w->out->v[w->out->n - 1].named = true;
		}
	}
	strv_free(&names);
	return r;
}

static int resolve_glob(struct walk *w, const char *src, char *clean)
{
	struct strv comps = { 0 };
	size_t matches = 0;
	char *save = NULL, *c;
	int r;

	for (c = strtok_r(clean, "/", &save); c; c = strtok_r(NULL, "/", &save)) {
		if (dockerignore_glob_match(c, "x") < 0) {
			strv_free(&comps);
			return werr_set(w->err, EINVAL, "source %.200s: syntax error in pattern",
			                src);
		}
		strv_push(&comps, c);
	}
	if (comps.oom) {
		strv_free(&comps);
		return werr_errno(w->err, ENOMEM, "resolving sources");
	}
	r = glob_level(w, w->ctx->dirfd, "", comps.v, comps.n, 0, &matches);
	strv_free(&comps);
	if (r == 0 && !matches)
		return werr_set(w->err, ENOENT,
		                "source %.200s: no file in the build context %.200s matches (is it "
		                "excluded by .dockerignore?)",
		                src, w->ctx->dir);
	return r;
}

int context_resolve_sources(const struct context *ctx, char *const *srcs, size_t nsrcs,
                            struct context_list *out, struct werr *err)
{
	struct walk w = { .ctx = ctx, .out = out, .err = err };
	int r = 0;

	memset(out, 0, sizeof(*out));
	for (size_t i = 0; i < nsrcs && r == 0; i++) {
		const char *s = srcs[i];
		_cleanup_free_ char *clean = NULL;

		while (*s == '/')
			s++;
		/* room for the "." an empty path cleans to */
		if (!(clean = calloc(strlen(s) + 2, 1)) || !strcpy(clean, s)) {
			r = werr_errno(err, ENOMEM, "resolving sources");
			break;
		}
		dockerignore_clean(clean);
		if (strcmp(clean, "..") == 0 || strncmp(clean, "../", 3) == 0) {
			r = werr_set(
			    err, EXDEV,
			    "source %.200s is outside the build context %.200s (sources are "
			    "paths inside the context; move the file into it)",
			    srcs[i], ctx->dir);
			break;
		}
		w.source = i;
		r = has_wildcards(clean) ? resolve_glob(&w, srcs[i], clean)
		                         : resolve_path(&w, srcs[i], clean);
	}
	if (r < 0)
		context_list_free(out);
	return r;
}

int context_copy_dest(const char *workdir, const char *dest, size_t nsrcs, char **out, bool *dir,
                      struct werr *err)
{
	size_t n = strlen(dest);
	bool slash = n && dest[n - 1] == '/';
	const char *base;
	char *joined;

	*out = NULL;
	if (!n)
		return werr_set(err, EINVAL, "an empty destination (name a path in the image)");
	if (nsrcs > 1 && !slash)
		return werr_set(err, EINVAL,
		                "with more than one source the destination must be a directory "
		                "and end with a / (write %.200s/)",
		                dest);
	if (dest[0] == '/')
		joined = strdup(dest);
	else if (asprintf(&joined, "/%s/%s", workdir && *workdir ? workdir : "", dest) < 0)
		joined = NULL;
	if (!joined || !(*out = calloc(strlen(joined) + 3, 1))) {
		free(joined);
		return werr_errno(err, ENOMEM, "destination %.200s", dest);
	}
	strcpy(*out, joined);
	free(joined);
	dockerignore_clean(*out);
	base = strrchr(dest, '/');
	base = base ? base + 1 : dest;
	*dir = slash || strcmp(base, ".") == 0 || strcmp(base, "..") == 0 || strcmp(*out, "/") == 0;
	if (*dir && strcmp(*out, "/") != 0)
		strcat(*out, "/");
	return 0;
}
