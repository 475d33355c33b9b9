/* builder_run.c - a RUN step: a short-lived container over the stage's
 * layers with a fresh upper directory (the step's layer), the config's Env,
 * WorkingDir, User and the build args, the build's --network, Docker's
 * default capabilities and seccomp filter. Never runs anything on the host. */
#include "builder_int.h"
#include "cleanup.h"
#include "ctrrun.h"
#include "manifest.h"
#include "security.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <string.h>
#include <unistd.h>

/* RUN <<EOF with nothing else on the line: its one heredoc, else NULL */
static const struct df_heredoc *run_heredoc_alone(const struct df_instr *x)
{
	const char *cmd = x->nargs ? x->args[0] : "";
	size_t n = strspn(cmd, " \t");

	if (!x->json && x->nheredocs == 1 && !strncmp(cmd + n, "<<", 2)) {
		const char *w = cmd + n + 2 + (cmd[n + 2] == '-');
		size_t wl = strcspn(w, " \t");
		if (w[wl + strspn(w + wl, " \t")] == '\0')
			return &x->heredocs[0];
	}
	return NULL;
}

/* BuildKit: a heredoc alone whose body starts with #! is not given to the
 * shell as a script but bound as a file, which the shell executes, so the
 * kernel starts its interpreter (Docker's reference: the Python example of
 * its here-documents section) */
static const struct df_heredoc *run_shebang(const struct df_instr *x)
{
	const struct df_heredoc *hd = run_heredoc_alone(x);

	return hd && !strncmp(hd->content, "#!", 2) ? hd : NULL;
}

/* RUN <<EOF alone: the heredoc is the script; otherwise the bodies follow
 * the command line, and the shell reads them as its own here-documents */
static char *run_script(const struct df_instr *x)
{
	const char *cmd = x->nargs ? x->args[0] : "";
	const struct df_heredoc *alone = run_heredoc_alone(x);
	struct strbuf sb = { 0 };

	if (alone)
		return strdup(alone->content);
	strbuf_adds(&sb, cmd);
	for (size_t i = 0; i < x->nheredocs; i++) {
		strbuf_addc(&sb, '\n');
		strbuf_adds(&sb, x->heredocs[i].content);
		strbuf_adds(&sb, x->heredocs[i].name);
	}
	if (sb.oom) {
		strbuf_free(&sb);
		return NULL;
	}
	return strbuf_steal(&sb);
}

static char **run_argv(struct bstage *sg, const struct df_instr *x, const char *script)
{
	json_t *shell = json_object_get(bconfig_get(sg), "Shell"), *v;
	struct strv out = { 0 };
	size_t i;

	if (x->json) {
		for (i = 0; i < x->nargs; i++)
			strv_push(&out, x->args[i]);
	} else {
		if (json_array_size(shell))
			json_array_foreach(shell, i, v) strv_push(&out, json_string_value(v));
		else {
			strv_push(&out, "/bin/sh");
			strv_push(&out, "-c");
		}
		strv_push(&out, script);
	}
	if (out.oom || out.n == 0) {
		strv_free(&out);
		return NULL;
	}
	return out.v;
}

/* what the runtime creates in the root as mount points when the image
 * lacks them; they are not the step's work, and podman build leaves them
 * out of its layers too */
static const char *const mount_points[] = { "etc/hostname", "etc/hosts", "etc/resolv.conf",
	                                    "dev",          "proc",      "sys",
	                                    "etc" };

static bool lower_has(struct builder *b, const struct bstage *sg, const char *path)
{
	char p[PATH_MAX + 200];
	struct stat st;

	for (size_t i = 0; i < sg->n_layers; i++) {
		snprintf(p, sizeof(p), "%s/layers/%s/diff/%s", b->s.root, digest_hex(sg->chain[i]),
		         path);
		if (lstat(p, &st) == 0)
			return true;
	}
	return false;
}

/* an empty mount point the runtime made at @path, and the parents it made
 * for it, out of the layer (what the lower layers hold stays) */
static void prune_stub(struct builder *b, const struct bstage *sg, int up, const char *path)
{
	char p[PATH_MAX];
	struct stat st;

	snprintf(p, sizeof(p), "%s", path + strspn(path, "/"));
	while (*p && !lower_has(b, sg, p) && fstatat(up, p, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		char *sl;
		if (S_ISREG(st.st_mode) && st.st_size == 0) {
			if (unlinkat(up, p, 0) < 0)
				break;
		} else if (!S_ISDIR(st.st_mode) || unlinkat(up, p, AT_REMOVEDIR) < 0) {
			break; /* not empty: the step wrote there */
		}
		sl = strrchr(p, '/');
		if (!sl)
			break;
		*sl = '\0';
	}
}

/* remove the mount points the runtime made, when still empty: its own and
 * those of the RUN's --mount targets (BuildKit leaves no stub of them) */
static void prune_mount_points(struct builder *b, const struct bstage *sg,
                               const struct bstep_dir *d, const struct bmounts *ms)
{
	_cleanup_close_ int up = open(d->upper, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (up < 0)
		return;
	for (size_t i = 0; i < ms->nspecs; i++)
		prune_stub(b, sg, up, ms->specs[i].dst);
	for (size_t i = 0; i < ARRAY_SIZE(mount_points); i++)
		prune_stub(b, sg, up, mount_points[i]);
}

/* RUN's flags: --network=none|host|default overrides the build's; --mount
 * is builder_mount.c's; --security and --device are refused rather than
 * ignored (the command would run without what it asked for) */
static int run_flags(struct builder *b, const struct df_instr *x, enum net_mode *net,
                     struct werr *err)
{
	*net = b->o->network;
	for (size_t i = 0; i < x->nflags; i++) {
		const char *n = x->flags[i].name, *v = x->flags[i].value ? x->flags[i].value : "";
		if (!strcmp(n, "network") && !strcmp(v, "none"))
			*net = NET_MODE_NONE;
		else if (!strcmp(n, "network") && !strcmp(v, "host"))
			*net = NET_MODE_HOST;
		else if (!strcmp(n, "network") && !strcmp(v, "default"))
			*net = b->o->network;
		else if (!strcmp(n, "mount"))
			continue;
		else
			return werr_set(
			    err, ENOTSUP,
			    "%s:%u: RUN --%s%s%s is not supported (RUN takes --mount and "
			    "--network=none|host|default)",
			    b->df->filename, b->line, n, *v ? "=" : "", v);
	}
	return 0;
}

/* the step's environment and what its mounts add (SSH_AUTH_SOCK, secrets
 * with env=): only the step sees them, never the image */
static char **run_env(const struct bstage *sg, const struct bmounts *ms)
{
	char **env = bconfig_run_env(sg), **nv;
	size_t n = 0;

	if (!env || !ms->env.n)
		return env;
	while (env[n])
		n++;
	nv = realloc(env, (n + ms->env.n + 1) * sizeof(char *));
	if (!nv) {
		config_strv_free(env);
		return NULL;
	}
	for (size_t i = 0; i < ms->env.n; i++)
		nv[n + i] = strdup(ms->env.v[i]);
	nv[n + ms->env.n] = NULL;
	for (size_t i = 0; i < ms->env.n; i++)
		if (!nv[n + i]) {
			config_strv_free(nv);
			return NULL;
		}
	return nv;
}

/* the container of one RUN; stdout and stderr are ours (dropped with -q) */
static int run_container(struct builder *b, struct bstage *sg, struct bstep_dir *d, char **argv,
                         enum net_mode net, struct bmounts *ms, int *status, struct werr *err)
{
	json_t *c = bconfig_get(sg);
	struct overlay_spec ov = {
		d->lower_base, d->lowerdir, d->upper, d->work, b->driver == ROOTFS_FUSE, NULL
	};
	struct container_spec spec = { 0 };
	const struct security_opts sec = SECURITY_OPTS_INIT;
	char id[65], host[13];
	_cleanup_close_ int saved_out = -1, saved_err = -1;
	char **env = run_env(sg, ms);
	const char *wd = json_string_value(json_object_get(c, "WorkingDir"));
	const char *user = json_string_value(json_object_get(c, "User"));
	int r;

	if (!env)
		return werr_errno(err, ENOMEM, "environment");
	if (util_random_hex(id, 64) < 0) {
		config_strv_free(env);
		return werr_errno(err, errno, "getrandom");
	}
	snprintf(host, sizeof(host), "%.12s", id);
	spec.rootfs = d->merged;
	spec.overlay = d->copied ? NULL : &ov; /* vfs: a copy of the stage's tree */
	spec.argv = argv;
	spec.env = env;
	spec.workdir = wd && *wd ? wd : NULL;
	spec.user = user && *user ? user : NULL;
	spec.hostname = host;
	spec.id = id;
	spec.idmap = b->plan;
	spec.net.mode = net;
	spec.network_host = net == NET_MODE_HOST;
	spec.overlay_fd = -1;
	spec.mounts = ms->specs;
	spec.n_mounts = ms->nspecs;
	spec.limits = b->o->limits;
	/* what `warren run` gives a container by default: Docker's capabilities
	 * and seccomp profile (compiled once, then from the per-user cache) */
	r = security_apply(&spec, &sec, err);
	if (r < 0) {
		config_strv_free(env);
		return r;
	}
	fflush(NULL);
	if (b->o->quiet) {
		_cleanup_close_ int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
		saved_out = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
		saved_err = fcntl(STDERR_FILENO, F_DUPFD_CLOEXEC, 3);
		if (null >= 0) {
			dup2(null, STDOUT_FILENO);
			dup2(null, STDERR_FILENO);
		}
	}
	r = ctrrun_foreground(&spec, status, err);
	if (saved_out >= 0)
		dup2(saved_out, STDOUT_FILENO);
	if (saved_err >= 0)
		dup2(saved_err, STDERR_FILENO);
	security_release(&spec);
	config_strv_free(env);
	return r;
}

int brun_step(struct builder *b, struct bstage *sg, const struct df_instr *x, int *status,
              struct werr *err)
{
	_cleanup_free_ char *script = run_script(x), *text = binstr_text(x), *envtext = NULL,
	                    *pipe_path = NULL;
	char **argv = NULL, **env = bconfig_run_env(sg);
	struct strbuf sb = { 0 };
	struct bstep_dir d = { 0 };
	struct bmounts ms = { 0 };
	char diff_id[DIGEST_STR_LEN + 1], created[32];
	uint64_t size = 0;
	const struct df_heredoc *shebang;
	enum net_mode net;
	bool hit;
	int r;

	*status = EXIT_WARREN;
	if (run_flags(b, x, &net, err) < 0) {
		config_strv_free(env);
		return -err->code;
	}
	if (!script || !text || !env) {
		config_strv_free(env);
		return werr_errno(err, ENOMEM, "RUN");
	}
	r = bmounts_parse(b, sg, x, &ms, err);
	/* the key: the instruction, the environment it runs with, and what its
	 * mounts bind (the context's files by content, a stage by its key);
	 * never a cache's content nor a secret */
	strbuf_adds(&sb, text);
	for (size_t i = 0; env[i]; i++) {
		strbuf_addc(&sb, '\n');
		strbuf_adds(&sb, env[i]);
	}
	if (ms.key)
		strbuf_adds(&sb, ms.key);
	config_strv_free(env);
	envtext = strbuf_steal(&sb);
	if (r == 0 && !envtext)
		r = werr_errno(err, ENOMEM, "RUN");
	if (r < 0)
		goto out;
	bcache_key(sg, envtext);
	r = bcache_lookup(b, sg, x->original, &hit, err);
	if (r < 0 || hit) {
		*status = 0;
		r = r < 0 ? r : 1;
		goto out;
	}
	/* BuildKit gives the file's path to the shell (SHELL or /bin/sh -c),
	 * which executes it */
	shebang = run_shebang(x);
	if (shebang && asprintf(&pipe_path, "/dev/pipes/%s", shebang->name) < 0)
		pipe_path = NULL;
	argv = shebang && !pipe_path ? NULL : run_argv(sg, x, shebang ? pipe_path : script);
	if (!argv) {
		r = werr_set(err, EINVAL, "%s:%u: RUN needs a command", b->df->filename, b->line);
		goto out;
	}
	r = bstep_dir_new(b, sg, &d, err);
	if (r == 0 && b->driver == ROOTFS_VFS)
		r = bcopymode_prepare(b, sg, &d, err);
	if (r == 0)
		r = bmounts_prepare(b, sg, &ms, err);
	if (r == 0 && shebang)
		r = bmounts_add_file(&ms, shebang->content, 0755, pipe_path, err);
	if (r == 0)
		r = run_container(b, sg, &d, argv, net, &ms, status, err);
	if (r == 0 && *status != 0)
		r = werr_set(err, ECANCELED, "%s:%u: %s: the command returned a non-zero code: %d",
		             b->df->filename, b->line, x->original, *status);
	else if (r < 0 && strncmp(err->msg, b->df->filename, strlen(b->df->filename)))
		werr_prefix(err, "%s:%u: %s", b->df->filename, b->line, x->original);
	if (r == 0 && d.copied)
		r = bcopymode_diff(b, &d, err);
	if (r == 0) {
		*status = 0;
		prune_mount_points(b, sg, &d, &ms);
		r = blayer_commit(b, sg, &d, diff_id, &size, err);
	}
	bstep_dir_free(b, &d);
	config_strv_free(argv);
	bmounts_release(b, &ms);
	if (r < 0)
		return r;
	bnow(created, sizeof(created));
	bhistory_add(sg, created, x->original, false);
	return bcache_save(b, sg, diff_id, size, created, err);
out:
	bmounts_release(b, &ms);
	return r;
}
