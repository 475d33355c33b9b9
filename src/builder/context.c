/* context.c - walking a build context and resolving COPY/ADD sources in it.
 * Every open is relative to the context's directory fd; directories are
 * walked with O_NOFOLLOW and a source's symlinks are resolved with
 * openat2(RESOLVE_BENEATH), so nothing outside the context is ever read.
 * Ignored files are invisible; nothing is copied. */
#include "context_int.h"
#include "cleanup.h"
#include "resolve.h"
#include "strbuf.h"
#include "util.h"

#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#define CONTEXT_MAX_DEPTH 256
#define IGNORE_MAX_SIZE   (4 << 20)

static int ctx_load_ignore(struct context *ctx, const char *ignore_file, struct werr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int r;

	if (ignore_file) {
		r = util_read_file(AT_FDCWD, ignore_file, IGNORE_MAX_SIZE, &text, &len, err);
	} else {
		_cleanup_close_ int fd =
		    resolve_open(ctx->dirfd, ".dockerignore", O_RDONLY, RESOLVE_BENEATH);
		/* BuildKit reads it from the context as sent, where a symlink out
		 * of the context leads nowhere: no ignore file, not an error */
		if (fd < 0 && (errno == ENOENT || errno == EXDEV || errno == ELOOP))
			return 0;
		if (fd < 0)
			return werr_errno(err, errno, "%s/.dockerignore", ctx->dir);
		r = util_read_fd_all(fd, IGNORE_MAX_SIZE, &text, &len, err);
		if (r < 0)
			return werr_prefix(err, "%s/.dockerignore", ctx->dir);
	}
	if (r < 0)
		return r;
	return dockerignore_parse(text, len, ignore_file ? ignore_file : ".dockerignore",
	                          &ctx->ignore, err);
}

int context_open(const char *dir, const char *ignore_file, struct context **out, struct werr *err)
{
	struct context *ctx = calloc(1, sizeof(*ctx));
	char proc[64], real[PATH_MAX];
	ssize_t n;
	int r;

	*out = NULL;
	if (!ctx || !(ctx->dir = strdup(dir))) {
		free(ctx);
		return werr_errno(err, ENOMEM, "build context %s", dir);
	}
	ctx->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (ctx->dirfd < 0) {
		r = werr_errno(err, errno, "build context %s", dir);
		context_close(ctx);
		return r;
	}
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", ctx->dirfd);
	n = readlink(proc, real, sizeof(real) - 1);
	if (n < 0 || !(ctx->root = strndup(real, (size_t)n))) {
		r = werr_errno(err, n < 0 ? errno : ENOMEM, "build context %s: resolving it", dir);
		context_close(ctx);
		return r;
	}
	if ((r = ctx_load_ignore(ctx, ignore_file, err)) < 0) {
		context_close(ctx);
		return r;
	}
	*out = ctx;
	return 0;
}

void context_close(struct context *ctx)
{
	if (!ctx)
		return;
	if (ctx->dirfd >= 0)
		close(ctx->dirfd);
	dockerignore_free(ctx->ignore);
	free(ctx->dir);
	free(ctx->root);
	free(ctx);
}

void ctx_entry_free(struct context_entry *e)
{
	free(e->path);
	free(e->dst);
	free(e->link);
}

void context_list_free(struct context_list *list)
{
	for (size_t i = 0; i < list->n; i++)
		ctx_entry_free(&list->v[i]);
	free(list->v);
	memset(list, 0, sizeof(*list));
}

int ctx_list_add(struct context_list *l, const char *path, const char *dst, const struct stat *st,
                 char *link, size_t source, struct werr *err)
{
	struct context_entry *e;

	if (l->n == l->cap) {
		size_t cap = l->cap ? l->cap * 2 : 64;
		struct context_entry *v = realloc(l->v, cap * sizeof(*v));
		if (!v) {
			free(link);
			return werr_errno(err, ENOMEM, "listing the build context");
		}
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n++];
	memset(e, 0, sizeof(*e));
	e->path = strdup(path);
	e->dst = strdup(dst);
	e->link = link;
	e->mode = st->st_mode;
	e->uid = st->st_uid;
	e->gid = st->st_gid;
	e->size = st->st_size;
	e->source = source;
	e->dev = st->st_dev;
	e->ino = st->st_ino;
	e->nlink = st->st_nlink;
	if (!e->path || !e->dst)
		return werr_errno(err, ENOMEM, "listing the build context");
	return 0;
}

char *ctx_join(const char *a, const char *b)
{
	char *s;

	if (!a || !*a)
		return strdup(b);
	return asprintf(&s, "%s/%s", a, b) < 0 ? NULL : s;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the sorted names of directory @dfd */
int ctx_dir_names(int dfd, const char *rel, struct strv *names, struct werr *err)
{
	int fd = fcntl(dfd, F_DUPFD_CLOEXEC, 3);
	struct dirent *de;
	DIR *d;

	if (fd < 0)
		return werr_errno(err, errno, "build context: %s", rel);
	if (lseek(fd, 0, SEEK_SET) < 0 || !(d = fdopendir(fd))) {
		int e = errno;
		close(fd);
		return werr_errno(err, e, "build context: %s", rel);
	}
	errno = 0;
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			strv_push(names, de->d_name);
	closedir(d);
	if (names->oom)
		return werr_errno(err, ENOMEM, "build context: %s", rel);
	if (names->n)
		qsort(names->v, names->n, sizeof(char *), name_cmp);
	return 0;
}

char *ctx_read_link(int dfd, const char *name)
{
	char buf[PATH_MAX];
	ssize_t n = readlinkat(dfd, name, buf, sizeof(buf) - 1);

	return n < 0 ? NULL : strndup(buf, (size_t)n);
}

static int open_subdir(int dfd, const char *name, const char *rel, struct werr *err)
{
	int fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return werr_errno(err, errno, "build context: %s", rel);
	return fd;
}

/* everything visible below @dfd; @rel its context path, @dst its COPY path */
int ctx_walk_dir(struct walk *w, int dfd, const char *rel, const char *dst, unsigned depth)
{
	struct strv names = { 0 };
	int r;

	if (depth > CONTEXT_MAX_DEPTH)
		return werr_set(w->err, ELOOP, "build context: %s: directories nested too deeply",
		                rel);
	if ((r = ctx_dir_names(dfd, rel, &names, w->err)) < 0)
		goto out;
	for (size_t i = 0; i < names.n && r == 0; i++) {
		_cleanup_free_ char *crel = ctx_join(rel, names.v[i]),
		                    *cdst = ctx_join(dst, names.v[i]);
		bool excluded;
		struct stat st;

		if (!crel || !cdst) {
			r = werr_errno(w->err, ENOMEM, "listing the build context");
			break;
		}
		if (fstatat(dfd, names.v[i], &st, AT_SYMLINK_NOFOLLOW) < 0) {
			if (errno == ENOENT)
				continue; /* removed while we walk */
			r = werr_errno(w->err, errno, "build context: %s", crel);
			break;
		}
		excluded = dockerignore_excluded(w->ctx->ignore, crel);
		if (S_ISDIR(st.st_mode)) {
			_cleanup_close_ int sub = -1;
			size_t mark = w->out->n;
			if (excluded && dockerignore_dir_skippable(w->ctx->ignore, crel))
				continue;
			if ((r = ctx_list_add(w->out, crel, cdst, &st, NULL, w->source, w->err)) <
			        0 ||
			    (r = sub = open_subdir(dfd, names.v[i], crel, w->err)) < 0 ||
			    (r = ctx_walk_dir(w, sub, crel, cdst, depth + 1)) < 0)
				break;
			if (excluded && w->out->n == mark + 1)
				ctx_entry_free(&w->out->v[--w->out->n]);
		} else if (!excluded) {
			char *link = S_ISLNK(st.st_mode) ? ctx_read_link(dfd, names.v[i]) : NULL;
			if (S_ISLNK(st.st_mode) && !link) {
				r = werr_errno(w->err, errno, "build context: %s", crel);
				break;
			}
			r = ctx_list_add(w->out, crel, cdst, &st, link, w->source, w->err);
		}
	}
out:
	strv_free(&names);
	return r;
}

int context_walk(const struct context *ctx, struct context_list *out, struct werr *err)
{
	struct walk w = { .ctx = ctx, .out = out, .err = err };
	int r;

	memset(out, 0, sizeof(*out));
	r = ctx_walk_dir(&w, ctx->dirfd, "", "", 0);
	if (r < 0)
		context_list_free(out);
	return r;
}
