/* builder_mount.c - the sources of RUN --mount (builder_mountspec.c reads
 * them): bind (a copy of a context path, a stage's or an image's tree),
 * cache (a per-user directory under the store, kept between builds), tmpfs,
 * secret (--secret, in the runtime directory) and ssh (--ssh). Their
 * content never reaches the step's layer: each is a mount over the root. */
#include "builder_int.h"
#include "cleanup.h"
#include "ctrrun.h"
#include "resolve.h"
#include "rundir.h"
#include "userns_exec.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#define CACHE_MOUNTS_DIR "cache-mounts"

static void bmount_free(struct bmount *m)
{
	free(m->target);
	free(m->source);
	free(m->from);
	free(m->id);
	free(m->env);
}

static int push_spec(struct bmounts *ms, enum mount_kind kind, const char *src, const char *dst,
                     bool ro, const char *options, struct werr *err)
{
	struct mount_spec *nv = realloc(ms->specs, (ms->nspecs + 1) * sizeof(*nv));
	struct mount_spec *s;

	if (!nv)
		return werr_errno(err, ENOMEM, "--mount");
	ms->specs = nv;
	s = &nv[ms->nspecs];
	memset(s, 0, sizeof(*s));
	s->kind = kind;
	s->readonly = ro;
	s->flags = MS_NOSUID;
	s->src = src ? strdup(src) : NULL;
	s->dst = strdup(dst);
	s->options = options ? strdup(options) : NULL;
	ms->nspecs++;
	if ((src && !s->src) || !s->dst || (options && !s->options))
		return werr_errno(err, ENOMEM, "--mount");
	return 0;
}

/* @path below @root, symlinks resolved inside @root (RESOLVE_IN_ROOT), as
 * an absolute host path in @out */
static int path_in_root(const char *root, const char *path, char *out, size_t size,
                        struct werr *err)
{
	_cleanup_close_ int rfd = open(root, O_PATH | O_DIRECTORY | O_CLOEXEC), fd = -1;
	char proc[64];
	ssize_t n;

	if (rfd < 0)
		return werr_errno(err, errno, "open %s", root);
	fd = resolve_open(rfd, path && *path ? path : ".", O_PATH, RESOLVE_IN_ROOT);
	if (fd < 0)
		return werr_errno(err, errno, "source=%s", path);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	n = readlink(proc, out, size - 1);
	if (n < 0 || (size_t)n >= size - 1)
		return werr_errno(err, n < 0 ? errno : ENAMETOOLONG, "source=%s", path);
	out[n] = '\0';
	return 0;
}

/* one entry of a context walk into @dfd at its dst (parents made as needed) */
static int copy_entry(const struct context *ctx, const struct context_entry *e, int dfd,
                      struct werr *err)
{
	_cleanup_close_ int in = -1, out = -1;
	char buf[65536];
	ssize_t n;

	for (char *sl = strchr(e->dst, '/'); sl; sl = strchr(sl + 1, '/')) {
		*sl = '\0';
		int r = mkdirat(dfd, e->dst, 0755);
		*sl = '/';
		if (r < 0 && errno != EEXIST)
			return werr_errno(err, errno, "create %s", e->dst);
	}
	if (S_ISDIR(e->mode))
		return mkdirat(dfd, e->dst, e->mode & 07777) < 0 && errno != EEXIST
		           ? werr_errno(err, errno, "create %s", e->dst)
		           : 0;
	if (e->link)
		return symlinkat(e->link, dfd, e->dst) < 0 ? werr_errno(err, errno, "%s", e->dst)
		                                           : 0;
	if (!S_ISREG(e->mode))
		return 0; /* sockets, fifos, devices: not sources, as for COPY */
	in = openat(ctx->dirfd, e->path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	out = openat(dfd, e->dst, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	             e->mode & 07777);
	if (in < 0 || out < 0)
		return werr_errno(err, errno, "copy %s", e->path);
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (util_write_all(out, buf, (size_t)n) < 0)
			return werr_errno(err, errno, "copy %s", e->path);
	if (n < 0 || fchmod(out, e->mode & 07777) < 0)
		return werr_errno(err, errno, "copy %s", e->path);
	return 0;
}

/* a private copy of what source= names in the context: what .dockerignore
 * hides stays hidden, and writes (rw) are discarded with the copy */
static int bind_context(struct builder *b, const struct bmount *m, const char *dest, char *src,
                        size_t size, struct werr *err)
{
	char *s = m->source && *m->source ? m->source : ".";
	struct context_list list = { 0 };
	_cleanup_close_ int dfd = -1, probe = -1;
	struct stat st;
	bool file;
	int r;

	while (*s == '/' && s[1])
		s++;
	probe = resolve_open(b->ctx->dirfd, *s == '/' ? "." : s, O_PATH, RESOLVE_IN_ROOT);
	if (probe < 0 || fstat(probe, &st) < 0)
		return werr_errno(err, errno, "source=%s in the build context", s);
	file = !S_ISDIR(st.st_mode);
	r = context_resolve_sources(b->ctx, &s, 1, &list, err);
	if (r < 0)
		return r;
	if (mkdir(dest, 0755) < 0 || (dfd = open(dest, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		r = werr_errno(err, errno, "create %s", dest);
	for (size_t i = 0; r == 0 && i < list.n; i++)
		r = copy_entry(b->ctx, &list.v[i], dfd, err);
	if (r == 0 && file && list.n == 1)
		snprintf(src, size, "%s/%s", dest, list.v[0].dst);
	else
		snprintf(src, size, "%s", dest);
	context_list_free(&list);
	return r;
}

/* a bind mount's source: a copy of the context's, or of a stage's tree */
static int prep_bind(struct builder *b, struct bstage *sg, struct bmounts *ms,
                     const struct bmount *m, struct werr *err)
{
	char dest[PATH_MAX + 64], src[PATH_MAX];
	struct bstage tmp = { 0 };
	const struct bstage *f = NULL;
	int r;

	snprintf(dest, sizeof(dest), "%s/mnt%u", b->stdir, ++b->seq);
	if (!m->from) {
		strv_push(&ms->trees, dest);
		r = bind_context(b, m, dest, src, sizeof(src), err);
	} else {
		r = bmount_from(b, sg, m->from, &f, &tmp, err);
		if (r == 0) {
			strv_push(&ms->trees, dest);
			r = bcopymode_tree(b, f, dest, err);
		}
		if (r == 0)
			r = path_in_root(dest, m->source, src, sizeof(src), err);
		bstage_free(&tmp);
	}
	if (r == 0)
		r = push_spec(ms, MOUNT_BIND, src, m->target, m->readonly, NULL, err);
	return r;
}

struct cache_dir {
	const char *path;
	mode_t mode;
	uid_t uid;
	gid_t gid;
};

/* implements userns_exec()'s fn: the cache directory owned by uid:gid */
static int cache_dir_make(void *arg, struct werr *err)
{
	const struct cache_dir *c = arg;

	if (mkdir(c->path, 0700) < 0)
		return errno == EEXIST ? 0 : werr_errno(err, errno, "create %s", c->path);
	if (chown(c->path, c->uid, c->gid) < 0 || chmod(c->path, c->mode) < 0)
		return werr_errno(err, errno, "chown %s", c->path);
	return 0;
}

/* the cache of @m->id: cache-mounts/HEX[-N] under the store, flock-held by
 * HEX[-N].lock as its sharing says (private: the first instance no one
 * holds; locked: wait for the others; shared: only excludes those two) */
static int prep_cache(struct builder *b, struct bmounts *ms, const struct bmount *m,
                      struct werr *err)
{
	char hex[DIGEST_STR_LEN + 1], dir[PATH_MAX + 128], lock[PATH_MAX + 160];
	struct cache_dir cd = { dir, m->mode, m->uid < 0 ? 0 : (uid_t)m->uid,
		                m->gid < 0 ? 0 : (gid_t)m->gid };
	int fd = -1, *nl, r = 0;

	if (digest_buf(m->id, strlen(m->id), hex) < 0)
		return werr_errno(err, ENOMEM, "cache id");
	snprintf(dir, sizeof(dir), "%s/%s", b->s.root, CACHE_MOUNTS_DIR);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "create %s", dir);
	for (unsigned n = 0;; n++) {
		snprintf(dir, sizeof(dir), "%s/%s/%s", b->s.root, CACHE_MOUNTS_DIR,
		         digest_hex(hex));
		if (n)
			snprintf(dir + strlen(dir), sizeof(dir) - strlen(dir), "-%u", n);
		snprintf(lock, sizeof(lock), "%s.lock", dir);
		fd = open(lock, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0)
			return werr_errno(err, errno, "open %s", lock);
		if (m->sharing != BMOUNT_PRIVATE) {
			while ((r = flock(fd, m->sharing == BMOUNT_LOCKED ? LOCK_EX : LOCK_SH)) <
			           0 &&
			       errno == EINTR)
				;
			break;
		}
		if ((r = flock(fd, LOCK_EX | LOCK_NB)) == 0 || errno != EWOULDBLOCK)
			break;
		close(fd);
	}
	nl = realloc(ms->locks, (ms->nlocks + 1) * sizeof(int));
	if (r < 0 || !nl) {
		r = werr_errno(err, nl ? errno : ENOMEM, "lock %s", lock);
		close(fd);
		if (nl)
			ms->locks = nl;
		return r;
	}
	ms->locks = nl;
	ms->locks[ms->nlocks++] = fd;
	if (access(dir, F_OK) < 0) {
		if (cd.uid || cd.gid)
			r = userns_exec(&b->plan, cache_dir_make, &cd, err);
		else if ((mkdir(dir, 0700) < 0 && errno != EEXIST) || chmod(dir, m->mode) < 0)
			r = werr_errno(err, errno, "create %s", dir);
		if (r < 0)
			return r;
	}
	return push_spec(ms, MOUNT_BIND, dir, m->target, m->readonly, NULL, err);
}

/* the runtime directory's build-XXXXXX for this RUN's secrets (never on the
 * store's disk: it is usually a tmpfs) */
static int secret_dir(struct bmounts *ms, struct werr *err)
{
	char run[PATH_MAX];

	if (ms->secdir[0])
		return 0;
	if (rundir_get(run, sizeof(run), err) < 0)
		return -err->code;
	snprintf(ms->secdir, sizeof(ms->secdir), "%s/build-XXXXXX", run);
	if (!mkdtemp(ms->secdir)) {
		ms->secdir[0] = '\0';
		return werr_errno(err, errno, "create a directory in %s", run);
	}
	return 0;
}

/* implements userns_exec()'s fn: a secret file owned by uid:gid */
static int secret_chown(void *arg, struct werr *err)
{
	const struct cache_dir *c = arg;

	if (chown(c->path, c->uid, c->gid) < 0)
		return werr_errno(err, errno, "chown %s", c->path);
	return 0;
}

static const struct build_secret *secret_find(const struct build_opts *o, const char *id)
{
	for (size_t i = o->n_secrets; i-- > 0;)
		if (!strcmp(o->secrets[i].id, id))
			return &o->secrets[i];
	return NULL;
}

/* a secret: a file of the runtime directory with its mode and owner, bound
 * read-only at the target, and/or an environment variable of the step */
static int prep_secret(struct builder *b, struct bmounts *ms, const struct bmount *m,
                       struct werr *err)
{
	const struct build_secret *s = secret_find(b->o, m->id);
	_cleanup_free_ char *data = NULL, *kv = NULL;
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX + 32];
	struct cache_dir cd = { path, m->mode, m->uid < 0 ? 0 : (uid_t)m->uid,
		                m->gid < 0 ? 0 : (gid_t)m->gid };
	size_t len = 0;
	int r;

	if (!s && m->required)
		return werr_set(err, ENOENT,
		                "secret %s is required but not given (warren build --secret "
		                "id=%s,src=FILE)",
		                m->id, m->id);
	if (!s)
		return 0; /* BuildKit: an optional secret not given mounts nothing */
	if (s->env) {
		const char *v = getenv(s->env);
		if (!v)
			return werr_set(err, ENOENT, "secret %s: the variable %s is not set", m->id,
			                s->env);
		data = strdup(v);
		len = data ? strlen(data) : 0;
		if (!data)
			return werr_errno(err, ENOMEM, "secret");
	} else if (util_read_file(AT_FDCWD, s->src, 1 << 24, &data, &len, err) < 0) {
		return werr_prefix(err, "secret %s", m->id);
	}
	if (m->env) {
		if (asprintf(&kv, "%s=%.*s", m->env, (int)len, data) < 0)
			return werr_errno(err, ENOMEM, "secret");
		strv_push(&ms->env, kv);
	}
	if (!m->target)
		return 0;
	r = secret_dir(ms, err);
	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%zu", ms->secdir, ms->nspecs);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || util_write_all(fd, data, len) < 0 || fchmod(fd, m->mode) < 0)
		return werr_errno(err, errno, "write %s", path);
	strv_push(&ms->files, path);
	if ((cd.uid || cd.gid) && userns_exec(&b->plan, secret_chown, &cd, err) < 0)
		return -err->code;
	return push_spec(ms, MOUNT_BIND, path, m->target, true, NULL, err);
}

static int prep_ssh(struct builder *b, struct bmounts *ms, const struct bmount *m, bool first,
                    struct werr *err)
{
	const char *sock = NULL;
	_cleanup_free_ char *kv = NULL;
	struct stat st;

	for (size_t i = b->o->n_ssh; i-- > 0 && !sock;)
		if (!strcmp(b->o->ssh[i].id, m->id))
			sock = b->o->ssh[i].path;
	if (!sock && m->required)
		return werr_set(err, ENOENT,
		                "ssh agent %s is required but not given (warren build --ssh %s)",
		                m->id, m->id);
	if (!sock)
		return 0;
	if (stat(sock, &st) < 0 || !S_ISSOCK(st.st_mode))
		return werr_set(err, ENOENT, "ssh %s: %s is not a socket (is the agent running?)",
		                m->id, sock);
	if (first) {
		if (asprintf(&kv, "SSH_AUTH_SOCK=%s", m->target) < 0)
			return werr_errno(err, ENOMEM, "ssh");
		strv_push(&ms->env, kv);
	}
	return push_spec(ms, MOUNT_BIND, sock, m->target, false, NULL, err);
}

int bmounts_add_file(struct bmounts *ms, const char *data, mode_t mode, const char *target,
                     struct werr *err)
{
	_cleanup_close_ int fd = -1;
	char path[PATH_MAX + 32];
	int r = secret_dir(ms, err);

	if (r < 0)
		return r;
	snprintf(path, sizeof(path), "%s/%zu", ms->secdir, ms->nspecs);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0 || util_write_all(fd, data, strlen(data)) < 0 || fchmod(fd, mode) < 0)
		return werr_errno(err, errno, "write %s", path);
	strv_push(&ms->files, path);
	if (ms->files.oom)
		return werr_errno(err, ENOMEM, "%s", target);
	return push_spec(ms, MOUNT_BIND, path, target, true, NULL, err);
}

int bmounts_prepare(struct builder *b, struct bstage *sg, struct bmounts *ms, struct werr *err)
{
	bool ssh_first = true;
	int r = 0;

	for (size_t i = 0; r == 0 && i < ms->n; i++) {
		const struct bmount *m = &ms->v[i];
		char opts[48];
		switch (m->type) {
		case BMOUNT_BIND: r = prep_bind(b, sg, ms, m, err); break;
		case BMOUNT_CACHE: r = prep_cache(b, ms, m, err); break;
		case BMOUNT_TMPFS:
			snprintf(opts, sizeof(opts), "size=%llu", (unsigned long long)m->size);
			r = push_spec(ms, MOUNT_TMPFS, NULL, m->target, false,
			              m->size ? opts : NULL, err);
			break;
		case BMOUNT_SECRET: r = prep_secret(b, ms, m, err); break;
		case BMOUNT_SSH:
			r = prep_ssh(b, ms, m, ssh_first, err);
			ssh_first = false;
			break;
		}
		if (r == 0 && (ms->env.oom || ms->trees.oom || ms->files.oom))
			r = werr_errno(err, ENOMEM, "--mount");
	}
	return r < 0 ? werr_prefix(err, "%s:%u: RUN --mount", b->df->filename, b->line) : 0;
}

void bmounts_release(struct builder *b, struct bmounts *ms)
{
	struct werr e;

	for (size_t i = 0; i < ms->nlocks; i++)
		close(ms->locks[i]);
	for (size_t i = 0; i < ms->files.n; i++)
		unlink(ms->files.v[i]);
	if (ms->secdir[0])
		rmdir(ms->secdir);
	for (size_t i = 0; i < ms->trees.n; i++)
		if (access(ms->trees.v[i], F_OK) == 0)
			store_rm_tree(ms->trees.v[i], &b->plan, &e);
	for (size_t i = 0; i < ms->nspecs; i++) {
		free(ms->specs[i].src);
		free(ms->specs[i].dst);
		free(ms->specs[i].options);
	}
	for (size_t i = 0; i < ms->n; i++)
		bmount_free(&ms->v[i]);
	free(ms->specs);
	free(ms->locks);
	free(ms->v);
	free(ms->key);
	strv_free(&ms->env);
	strv_free(&ms->trees);
	strv_free(&ms->files);
	memset(ms, 0, sizeof(*ms));
}
