/* context_hash.c - the layer-cache key of a COPY/ADD: SHA-256 (digest.h)
 * over what would be copied. Reads file contents through the context's
 * directory fd with RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS; never writes. */
#include "context_int.h"
#include "cleanup.h"
#include "digest.h"
#include "resolve.h"

#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int entry_cmp(const void *a, const void *b, void *data)
{
	const struct context_list *l = data;
	const struct context_entry *x = &l->v[*(const size_t *)a];
	const struct context_entry *y = &l->v[*(const size_t *)b];

	if (x->source != y->source)
		return x->source < y->source ? -1 : 1;
	return strcmp(x->dst, y->dst);
}

/* a length-prefixed field, so "ab"+"c" and "a"+"bc" hash differently */
static void hash_field(struct digest_ctx *md, const void *p, size_t n)
{
	uint64_t len = n;

	digest_update(md, &len, sizeof(len));
	digest_update(md, p, n);
}

static void hash_str(struct digest_ctx *md, const char *s)
{
	hash_field(md, s ? s : "", s ? strlen(s) + 1 : 0);
}

static int hash_content(const struct context *ctx, struct digest_ctx *md,
                        const struct context_entry *e, struct werr *err)
{
	_cleanup_close_ int fd = resolve_open(ctx->dirfd, e->path, O_RDONLY | O_NOFOLLOW,
	                                      RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS);
	char buf[65536];
	uint64_t total = 0;
	struct stat st;
	ssize_t n;

	if (fd < 0)
		return werr_errno(err, errno, "reading %s from the build context", e->path);
	if (fstat(fd, &st) < 0)
		return werr_errno(err, errno, "reading %s from the build context", e->path);
	if (!S_ISREG(st.st_mode))
		return werr_set(err, EAGAIN, "%s in the build context changed while hashing",
		                e->path);
	while ((n = read(fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return werr_errno(err, errno, "reading %s from the build context", e->path);
		digest_update(md, buf, (size_t)n);
		total += (uint64_t)n;
	}
	/* the size counts after the bytes: a file that grew is a different file */
	digest_update(md, &total, sizeof(total));
	return 0;
}

/* the destination of the first entry before @k (in @order) of the same
 * source that is the same file as entry @k, which is copied as a hard link
 * to it; or NULL */
static const char *hash_link_group(const struct context_list *l, const size_t *order, size_t k)
{
	const struct context_entry *e = &l->v[order[k]];

	if (!S_ISREG(e->mode) || e->nlink < 2)
		return NULL;
	for (size_t i = 0; i < k; i++) {
		const struct context_entry *f = &l->v[order[i]];
		if (S_ISREG(f->mode) && f->source == e->source && f->dev == e->dev &&
		    f->ino == e->ino)
			return f->dst;
	}
	return NULL;
}

static int hash_entry(const struct context *ctx, struct digest_ctx *md,
                      const struct context_entry *e, bool chmod_given, bool owners,
                      const char *link_to, struct werr *err)
{
	uint32_t type = (uint32_t)(e->mode & S_IFMT);
	uint32_t perm = chmod_given ? 0 : (uint32_t)(e->mode & 07777);
	uint32_t owner[2] = { owners ? (uint32_t)e->uid : 0, owners ? (uint32_t)e->gid : 0 };

	hash_str(md, e->dst);
	hash_field(md, &type, sizeof(type));
	hash_field(md, &perm, sizeof(perm));
	hash_str(md, e->link);
	hash_field(md, owner, sizeof(owner));
	hash_str(md, link_to);
	if (link_to)
		return 0;
	if (S_ISREG(e->mode))
		return hash_content(ctx, md, e, err);
	return 0;
}

int context_hash_sources(const struct context *ctx, const struct context_list *list,
                         const char *chown, const char *chmod, char hex[65], struct werr *err)
{
	_cleanup_free_ size_t *order = calloc(list->n + 1, sizeof(size_t));
	struct digest_ctx md;
	char digest[DIGEST_STR_LEN + 1];
	int r;

	if (!order)
		return werr_errno(err, ENOMEM, "hashing COPY sources");
	r = digest_init(&md);
	if (r < 0)
		return digest_init_error(r, err);
	for (size_t i = 0; i < list->n; i++)
		order[i] = i;
	qsort_r(order, list->n, sizeof(*order), entry_cmp, (void *)list);
	hash_str(&md, "warren-copy-v3");
	hash_str(&md, chown);
	hash_str(&md, chmod);
	for (size_t i = 0; i < list->n && r == 0; i++)
		r = hash_entry(ctx, &md, &list->v[order[i]], chmod != NULL,
		               ctx->stage_root && !chown, hash_link_group(list, order, i), err);
	if (r < 0) {
		digest_free(&md);
		return r;
	}
	digest_final(&md, digest);
	memcpy(hex, digest_hex(digest), 64);
	hex[64] = '\0';
	return 0;
}
