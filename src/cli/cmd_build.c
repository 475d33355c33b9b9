/* cmd_build.c - `warren build [OPTIONS] CONTEXT`: options into struct
 * build_opts, and the hooks that hand tar work to warren-transfer (pulling
 * a base image, writing a step's layer), so warren links no libarchive. */
#include "builder.h"
#include "cleanup.h"
#include "commands.h"
#include "ctrcgroup.h"
#include "run_limits.h"
#include "cliutil.h"
#include "opts.h"
#include "transfer.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <fcntl.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

enum build_opt {
	BO_TAG,
	BO_FILE,
	BO_BUILD_ARG,
	BO_TARGET,
	BO_NO_CACHE,
	BO_NETWORK,
	BO_PLATFORM,
	BO_LABEL,
	BO_QUIET,
	BO_TLS_VERIFY,
	BO_PULL,
	BO_SECRET,
	BO_SSH,
	BO_PROGRESS,
	BO_IIDFILE,
	BO_CACHE_FROM,
	BO_CACHE_TO,
	BO_OUTPUT,
	BO_IGNORED,
	BO_HELP,
};

static const struct opt_def build_opts_table[] = {
	{ "tag", 't', OPT_VALUE, "NAME[:TAG]", "Name the image (repeatable)", BO_TAG },
	{ "file", 'f', OPT_VALUE, "PATH", "The Dockerfile (default CONTEXT/Dockerfile)", BO_FILE },
	{ "build-arg", 0, OPT_VALUE, "KEY[=VALUE]", "Set a build argument (repeatable)",
	  BO_BUILD_ARG },
	{ "target", 0, OPT_VALUE, "STAGE", "Build this stage (and what it needs) only", BO_TARGET },
	{ "no-cache", 0, OPT_FLAG, NULL, "Do not use the step cache", BO_NO_CACHE },
	{ "network", 0, OPT_VALUE, "MODE", "Network of RUN steps: slirp (default), none or host",
	  BO_NETWORK },
	{ "platform", 0, OPT_VALUE, "OS/ARCH", "Platform of the image (only this machine's)",
	  BO_PLATFORM },
	{ "label", 0, OPT_VALUE, "KEY=VALUE", "Add a label to the image (repeatable)", BO_LABEL },
	{ "quiet", 'q', OPT_FLAG, NULL, "Print only the image ID", BO_QUIET },
	{ "tls-verify", 0, OPT_FLAG, NULL,
	  "Verify TLS when pulling a base image (false also allows plain http)", BO_TLS_VERIFY },
	{ "pull", 0, OPT_FLAG, NULL, "Pull the base images again even when present", BO_PULL },
	{ "secret", 0, OPT_VALUE, "id=ID,src=FILE|env=VAR",
	  "A secret for RUN --mount=type=secret (repeatable)", BO_SECRET },
	{ "ssh", 0, OPT_VALUE, "default|ID[=SOCKET]",
	  "An SSH agent socket for RUN --mount=type=ssh (default: $SSH_AUTH_SOCK)", BO_SSH },
	{ "progress", 0, OPT_VALUE, "auto|plain|tty|quiet",
	  "Output: the steps (auto, plain, tty) or only the image ID (quiet)", BO_PROGRESS },
	{ "iidfile", 0, OPT_VALUE, "FILE", "Write the image ID to FILE", BO_IIDFILE },
	{ "cache-from", 0, OPT_VALUE, "IMAGE|type=registry,ref=IMAGE",
	  "Reuse the layers of an image built with the inline cache (repeatable)", BO_CACHE_FROM },
	{ "cache-to", 0, OPT_VALUE, "type=inline",
	  "Write the steps' cache keys into the image (as BUILDKIT_INLINE_CACHE=1)", BO_CACHE_TO },
	{ "output", 'o', OPT_VALUE, "DIR|-|type=local,dest=DIR|type=tar,dest=FILE",
	  "Also export the final stage's filesystem: into DIR, or as a tar (- for stdout)",
	  BO_OUTPUT },
	{ "rm", 0, OPT_FLAG, NULL, "Accepted for Docker compatibility (always true)", BO_IGNORED },
	{ "force-rm", 0, OPT_FLAG, NULL, "Accepted for Docker compatibility", BO_IGNORED },
	RUN_LIMITS_OPT_TABLE,
	{ "help", 0, OPT_FLAG, NULL, "Show this help", BO_HELP },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

const struct cli_cmd cli_cmd_build = {
	"build", "[OPTIONS] CONTEXT", "Build an image from a Dockerfile.", build_opts_table, 1,
	1,       OPTS_INTERSPERSED
};

struct build_cli {
	struct build_opts o;
	struct run_limits limits; /* --memory, --cpus... of the RUN steps */
	bool help;
	bool tls_insecure; /* --tls-verify=false: the base images' pulls too */
	const char *iidfile;
	int output_fd;         /* --output type=tar,dest=-: the real stdout */
	char *dockerfile_text; /* -f - */
	char **strs;           /* what --secret and --ssh point into */
	size_t n_strs;
};

static int push_str(char ***v, size_t *n, const char *s, struct werr *err)
{
	char **nv = realloc(*v, (*n + 1) * sizeof(char *));

	if (!nv || !(nv[*n] = strdup(s))) {
		if (nv)
			*v = nv;
		return werr_errno(err, ENOMEM, "options");
	}
	*v = nv;
	(*n)++;
	return 0;
}

/* --build-arg KEY alone takes KEY's value from the environment, as Docker */
static int build_arg(struct build_cli *c, const char *v, struct werr *err)
{
	_cleanup_free_ char *kv = NULL;
	const char *env;

	if (strchr(v, '='))
		return push_str(&c->o.build_args, &c->o.n_build_args, v, err);
	env = getenv(v);
	if (!env)
		return 0;
	if (asprintf(&kv, "%s=%s", v, env) < 0)
		return werr_errno(err, ENOMEM, "--build-arg");
	return push_str(&c->o.build_args, &c->o.n_build_args, kv, err);
}

/* --secret id=ID[,src=FILE|,source=FILE|,env=VAR][,type=file|env], as
 * buildx: src defaults to id's environment variable when set (type=env),
 * else to the file named id */
static int build_secret(struct build_cli *c, const char *v, struct werr *err)
{
	struct build_secret s = { 0 }, *nv;
	char *save = NULL, *tok, *copy;
	const char *type = NULL;

	if (push_str(&c->strs, &c->n_strs, v, err) < 0)
		return -err->code;
	copy = c->strs[c->n_strs - 1];
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (!eq)
			return werr_set(err, EINVAL,
			                "--secret %s: use id=ID,src=FILE or id=ID,env=VAR", v);
		*eq++ = '\0';
		if (!strcmp(tok, "id"))
			s.id = eq;
		else if (!strcmp(tok, "src") || !strcmp(tok, "source"))
			s.src = eq;
		else if (!strcmp(tok, "env"))
			s.env = eq;
		else if (!strcmp(tok, "type") && (!strcmp(eq, "file") || !strcmp(eq, "env")))
			type = eq;
		else
			return werr_set(err, EINVAL,
			                "--secret %s: unexpected key %s (use id, src, env)", v,
			                tok);
	}
	if (!s.id)
		s.id = s.src ? (strrchr(s.src, '/') ? strrchr(s.src, '/') + 1 : s.src) : s.env;
	if (!s.id || !*s.id)
		return werr_set(err, EINVAL, "--secret %s: give id=ID", v);
	if (type && !strcmp(type, "env") && !s.env)
		s.env = s.src ? s.src : s.id, s.src = NULL;
	if (!s.src && !s.env) {
		if (getenv(s.id) && !(type && !strcmp(type, "file")))
			s.env = s.id;
		else
			s.src = s.id;
	}
	nv = realloc(c->o.secrets, (c->o.n_secrets + 1) * sizeof(*nv));
	if (!nv)
		return werr_errno(err, ENOMEM, "--secret");
	c->o.secrets = nv;
	nv[c->o.n_secrets++] = s;
	return 0;
}

/* --ssh default (the user's $SSH_AUTH_SOCK) or ID=SOCKET */
static int build_ssh(struct build_cli *c, const char *v, struct werr *err)
{
	struct build_ssh s = { 0 }, *nv;
	char *copy, *eq;

	if (push_str(&c->strs, &c->n_strs, v, err) < 0)
		return -err->code;
	copy = c->strs[c->n_strs - 1];
	eq = strchr(copy, '=');
	if (eq)
		*eq++ = '\0';
	s.id = copy;
	s.path = eq && *eq ? eq : getenv("SSH_AUTH_SOCK");
	if (!*s.id || !s.path || strchr(s.path, ','))
		return werr_set(err, EINVAL,
		                "--ssh %s: give default (with SSH_AUTH_SOCK set) or ID=SOCKET", v);
	nv = realloc(c->o.ssh, (c->o.n_ssh + 1) * sizeof(*nv));
	if (!nv)
		return werr_errno(err, ENOMEM, "--ssh");
	c->o.ssh = nv;
	nv[c->o.n_ssh++] = s;
	return 0;
}

/* --cache-from IMAGE or type=registry,ref=IMAGE: only BuildKit's inline
 * cache, read from an image (the registry cache export is not supported) */
static int build_cache_from(struct build_cli *c, const char *v, struct werr *err)
{
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL, *tok;
	const char *ref = NULL, *type = "registry";

	if (!copy)
		return werr_errno(err, ENOMEM, "--cache-from");
	if (!strchr(v, '='))
		return *v ? push_str(&c->o.cache_from, &c->o.n_cache_from, v, err)
		          : werr_set(err, EINVAL, "--cache-from: give an image");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq && !strncmp(tok, "type=", 5))
			type = eq + 1;
		else if (eq && !strncmp(tok, "ref=", 4))
			ref = eq + 1;
		else
			return werr_set(err, EINVAL,
			                "--cache-from %s: unexpected %s (use IMAGE or "
			                "type=registry,ref=IMAGE)",
			                v, tok);
	}
	if (strcmp(type, "registry"))
		return werr_set(err, ENOTSUP,
		                "--cache-from %s: cache type %s is not supported (use IMAGE or "
		                "type=registry,ref=IMAGE, an image built with the inline cache)",
		                v, type);
	if (!ref || !*ref)
		return werr_set(err, EINVAL, "--cache-from %s: give ref=IMAGE", v);
	return push_str(&c->o.cache_from, &c->o.n_cache_from, ref, err);
}

/* --cache-to type=inline: the only export, the keys in the image config */
static int build_cache_to(struct build_cli *c, const char *v, struct werr *err)
{
	if (strcmp(v, "type=inline"))
		return werr_set(err, ENOTSUP,
		                "--cache-to %s: only type=inline is supported (the cache goes "
		                "into the image: push it and build with --cache-from IMAGE)",
		                v);
	c->o.cache_inline = true;
	return 0;
}

/* --output DIR, -, or type=local,dest=DIR / type=tar,dest=FILE|- as
 * Docker's; the image exporters (type=image, registry, oci, docker) are
 * refused: the image is always in the store */
static int build_output(struct build_cli *c, const char *v, struct werr *err)
{
	_cleanup_free_ char *copy = strdup(v);
	char *save = NULL, *tok;
	const char *type = NULL, *dest = NULL;

	if (!copy)
		return werr_errno(err, ENOMEM, "--output");
	if (c->o.output != BUILD_OUTPUT_NONE)
		return werr_set(err, EINVAL, "--output %s: only one --output may be given", v);
	if (!*v)
		return werr_set(err, EINVAL, "--output: give a directory, - or type=...,dest=...");
	if (!strchr(v, '=')) {
		c->o.output = strcmp(v, "-") ? BUILD_OUTPUT_LOCAL : BUILD_OUTPUT_TAR;
		return push_str(&c->strs, &c->n_strs, v, err) < 0
		           ? -err->code
		           : (c->o.output_dest = c->strs[c->n_strs - 1], 0);
	}
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		if (eq && !strncmp(tok, "type=", 5))
			type = eq + 1;
		else if (eq && !strncmp(tok, "dest=", 5))
			dest = eq + 1;
		else
			return werr_set(err, EINVAL,
			                "--output %s: unexpected %s (use type=local,dest=DIR or "
			                "type=tar,dest=FILE)",
			                v, tok);
	}
	if (!type || (strcmp(type, "local") && strcmp(type, "tar")))
		return werr_set(err, ENOTSUP,
		                "--output %s: type %s is not supported (use type=local,dest=DIR or "
		                "type=tar,dest=FILE; the image itself is always in the store)",
		                v, type ? type : "(none)");
	if (!dest || !*dest)
		return werr_set(err, EINVAL, "--output %s: give dest=%s", v,
		                strcmp(type, "local") ? "FILE" : "DIR");
	if (!strcmp(type, "local") && !strcmp(dest, "-"))
		return werr_set(err, EINVAL,
		                "--output %s: a local output needs a directory (type=tar,dest=- "
		                "writes to stdout)",
		                v);
	c->o.output = strcmp(type, "local") ? BUILD_OUTPUT_TAR : BUILD_OUTPUT_LOCAL;
	if (push_str(&c->strs, &c->n_strs, dest, err) < 0)
		return -err->code;
	c->o.output_dest = c->strs[c->n_strs - 1];
	return 0;
}

/* implements opt_cb */
static int build_opt_cb(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct build_cli *c = ctx;
	bool on = !strcmp(v, "true");

	if (def->id >= RUN_LIMIT_FIRST && def->id < RUN_LIMIT_END)
		return run_limits_opt(&c->limits, def, v, err);
	switch (def->id) {
	case BO_TAG: return push_str(&c->o.tags, &c->o.n_tags, v, err);
	case BO_FILE: c->o.dockerfile = v; return 0;
	case BO_BUILD_ARG: return build_arg(c, v, err);
	case BO_TARGET: c->o.target = v; return 0;
	case BO_NO_CACHE: c->o.no_cache = on; return 0;
	case BO_NETWORK:
		if (!strcmp(v, "none"))
			c->o.network = NET_MODE_NONE;
		else if (!strcmp(v, "host"))
			c->o.network = NET_MODE_HOST;
		else if (!strcmp(v, "slirp") || !strcmp(v, "default") || !strcmp(v, "bridge"))
			c->o.network = NET_MODE_SLIRP;
		else
			return werr_set(err, EINVAL,
			                "--network %s: use none, slirp or host for build steps", v);
		return 0;
	case BO_PLATFORM: c->o.platform = v; return 0;
	case BO_LABEL:
		if (!strchr(v, '='))
			return werr_set(err, EINVAL, "--label %s: use KEY=VALUE", v);
		return push_str(&c->o.labels, &c->o.n_labels, v, err);
	case BO_QUIET: c->o.quiet = on; return 0;
	case BO_TLS_VERIFY: c->tls_insecure = !on; return 0;
	case BO_PULL: c->o.pull = on; return 0;
	case BO_SECRET: return build_secret(c, v, err);
	case BO_SSH: return build_ssh(c, v, err);
	case BO_PROGRESS:
		if (!strcmp(v, "quiet"))
			c->o.quiet = true;
		else if (strcmp(v, "auto") && strcmp(v, "plain") && strcmp(v, "tty"))
			return werr_set(err, EINVAL, "--progress %s: use auto, plain, tty or quiet",
			                v);
		return 0;
	case BO_IIDFILE: c->iidfile = v; return 0;
	case BO_CACHE_FROM: return build_cache_from(c, v, err);
	case BO_CACHE_TO: return build_cache_to(c, v, err);
	case BO_OUTPUT: return build_output(c, v, err);
	case BO_IGNORED: return 0;
	case BO_HELP: c->help = on; return 0;
	}
	return werr_set(err, EINVAL, "internal: unhandled option %s", def->long_name);
}

/* the RUN steps' limits, checked as run checks them, before anything is built */
static int build_limits(struct build_cli *c, struct werr *err)
{
	struct container_spec probe = { 0 };
	char warning[WERR_MSG_MAX + 256];

	if (run_limits_check(&c->limits, false, err) < 0)
		return -err->code;
	run_limits_apply(&c->limits, &probe);
	if (ctrcgroup_check(&probe, cli_gopts()->cgroup_limits_warn, warning, sizeof(warning),
	                    err) < 0)
		return -err->code;
	if (warning[0])
		fprintf(stderr, "warren: warning: %s\n", warning);
	c->o.limits = probe.limits;
	return 0;
}

/* implements build_hooks.pull */
static int hook_pull(void *ctx, const char *ref, char *id, size_t size, struct werr *err)
{
	const struct build_cli *c = ctx;
	const char *argv[5] = { "pull" }, **a = argv + 1;
	char out[128], *nl;

	if (c->o.quiet)
		*a++ = "-q";
	if (c->tls_insecure)
		*a++ = "--tls-verify=false";
	*a = ref;
	if (transfer_run(argv, out, sizeof(out), err) < 0)
		return -err->code;
	nl = strchr(out, '\n');
	if (nl)
		*nl = '\0';
	snprintf(id, size, "sha256:%s", out);
	return 0;
}

/* implements build_hooks.layer_diff: warren-transfer layer-diff DIR OUT
 * prints "DIGEST SIZE" */
static int hook_layer_diff(void *ctx, const char *dir, const char *out,
                           char digest[DIGEST_STR_LEN + 1], uint64_t *size, struct werr *err)
{
	const char *argv[] = { "layer-diff", dir, out, NULL };
	char res[160];
	unsigned long long sz;

	(void)ctx;
	if (transfer_run(argv, res, sizeof(res), err) < 0)
		return -err->code;
	if (sscanf(res, "%71s %llu", digest, &sz) != 2 || !digest_valid(digest))
		return werr_set(err, EIO, "warren-transfer layer-diff: unexpected answer \"%s\"",
		                res);
	*size = sz;
	return 0;
}

/* implements build_hooks.untar */
static int hook_untar(void *ctx, const char *file, const char *dir, bool layer, const char *owner,
                      struct werr *err)
{
	char opt[48];
	const char *argv[] = { "untar", layer ? "--layer" : "--archive", file, dir, NULL, NULL };
	char out[8];

	if (owner) {
		snprintf(opt, sizeof(opt), "--owner=%s", owner);
		argv[4] = opt;
	}

	(void)ctx;
	return transfer_run(argv, out, sizeof(out), err) < 0 ? -err->code : 0;
}

/* implements build_hooks.fetch */
static int hook_fetch(void *ctx, const char *url, const char *file, struct werr *err)
{
	const char *argv[] = { "fetch", url, file, NULL };
	char out[8];

	(void)ctx;
	return transfer_run(argv, out, sizeof(out), err) < 0 ? -err->code : 0;
}

/* implements build_hooks.output: warren-transfer build-output */
static int hook_output(void *ctx, const char *tree, struct werr *err)
{
	const struct build_cli *c = ctx;
	char fdnum[16], out[8];
	const char *argv[] = { "build-output", tree,
		               c->o.output == BUILD_OUTPUT_LOCAL ? "local"
		               : c->output_fd >= 0               ? "tar-fd"
		                                                 : "tar",
		               c->output_fd >= 0 ? fdnum : c->o.output_dest, NULL };
	int flags = c->output_fd >= 0 ? fcntl(c->output_fd, F_GETFD) : 0, r;

	snprintf(fdnum, sizeof(fdnum), "%d", c->output_fd);
	/* the real stdout, inherited by warren-transfer for this call only */
	if (c->output_fd >= 0 && fcntl(c->output_fd, F_SETFD, flags & ~FD_CLOEXEC) < 0)
		return werr_errno(err, errno, "--output -");
	r = transfer_run(argv, out, sizeof(out), err) < 0 ? -err->code : 0;
	if (c->output_fd >= 0)
		fcntl(c->output_fd, F_SETFD, flags);
	return r;
}

/* --output's destination, checked before anything is built: a tar's
 * directory and a local output's parent must be there and writable, and a
 * local output that exists must be a directory */
static int output_check(const struct build_cli *c, struct werr *err)
{
	const char *dest = c->o.output_dest;
	_cleanup_free_ char *copy = NULL;
	struct stat st;
	char *slash;

	if (c->o.output == BUILD_OUTPUT_NONE || !strcmp(dest, "-"))
		return 0;
	if (c->o.output == BUILD_OUTPUT_LOCAL && stat(dest, &st) == 0)
		return S_ISDIR(st.st_mode) ? 0
		                           : werr_set(err, ENOTDIR,
		                                      "--output %s: not a directory (give a "
		                                      "directory, made if missing)",
		                                      dest);
	if (!(copy = strdup(dest)))
		return werr_errno(err, ENOMEM, "--output");
	slash = strrchr(copy, '/');
	if (slash)
		slash[slash == copy ? 1 : 0] = '\0';
	if (access(slash ? copy : ".", W_OK | X_OK) < 0)
		return werr_errno(err, errno, "--output %s: %s", dest, slash ? copy : ".");
	return 0;
}

/* --output type=tar,dest=-: the tar goes to the real stdout; everything the
 * build prints (steps, RUN output) goes to stderr meanwhile, as BuildKit's */
static int output_stdout(struct build_cli *c, struct werr *err)
{
	if (c->o.output != BUILD_OUTPUT_TAR || strcmp(c->o.output_dest, "-"))
		return 0;
	if (isatty(STDOUT_FILENO))
		return werr_set(err, EINVAL,
		                "--output -: cowardly refusing to write a tar to a terminal "
		                "(redirect it, or give type=tar,dest=FILE)");
	fflush(stdout);
	c->output_fd = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3);
	if (c->output_fd < 0 || dup2(STDERR_FILENO, STDOUT_FILENO) < 0)
		return werr_errno(err, errno, "--output -");
	return 0;
}

static void build_cli_free(struct build_cli *c)
{
	for (size_t i = 0; i < c->o.n_tags; i++)
		free(c->o.tags[i]);
	for (size_t i = 0; i < c->o.n_build_args; i++)
		free(c->o.build_args[i]);
	for (size_t i = 0; i < c->o.n_labels; i++)
		free(c->o.labels[i]);
	for (size_t i = 0; i < c->o.n_cache_from; i++)
		free(c->o.cache_from[i]);
	free(c->o.cache_from);
	for (size_t i = 0; i < c->n_strs; i++)
		free(c->strs[i]);
	free(c->strs);
	free(c->o.tags);
	free(c->o.build_args);
	free(c->o.labels);
	free(c->o.secrets);
	free(c->o.ssh);
	free(c->dockerfile_text);
	if (c->output_fd >= 0)
		close(c->output_fd);
}

/* -f -: the Dockerfile from stdin */
static int read_stdin_dockerfile(struct build_cli *c, struct werr *err)
{
	size_t len;

	if (util_read_fd_all(STDIN_FILENO, 16 << 20, &c->dockerfile_text, &len, err) < 0)
		return werr_prefix(err, "-f -: reading the Dockerfile from stdin");
	c->o.dockerfile_text = c->dockerfile_text;
	c->o.dockerfile_len = len;
	return 0;
}

/* --iidfile: "sha256:HEX" without a newline, as Docker writes it */
static int write_iidfile(const char *path, const char *id, struct werr *err)
{
	if (util_write_file_atomic(AT_FDCWD, path, id, strlen(id), 0644, err) < 0)
		return werr_prefix(err, "--iidfile %s", path);
	return 0;
}

int cmd_build(int argc, char **argv)
{
	struct build_cli c = { .o = { .gopts = cli_gopts(),
		                      .hooks = { hook_pull, hook_layer_diff, hook_untar, hook_fetch,
		                                 NULL, transfer_rootfs_copy, hook_output } },
		               .output_fd = -1 };
	struct werr err = { 0 };
	char id[DIGEST_STR_LEN + 1];
	int ind = 1, status = EXIT_WARREN;

	cli_error_exit_set(EXIT_WARREN);
	if (opts_parse(build_opts_table, argc, argv, &ind, OPTS_INTERSPERSED, build_opt_cb, &c,
	               "build", &err) < 0)
		goto fail;
	if (c.help) {
		cli_print_help(&cli_cmd_build);
		build_cli_free(&c);
		return 0;
	}
	if (argc - ind != 1) {
		werr_set(&err, EINVAL,
		         "build needs exactly one context directory (warren build [OPTIONS] DIR)");
		goto fail;
	}
	c.o.context = argv[ind];
	c.o.hooks.ctx = &c;
	if (build_limits(&c, &err) < 0)
		goto fail;
	if (c.o.dockerfile && !strcmp(c.o.dockerfile, "-") && read_stdin_dockerfile(&c, &err) < 0)
		goto fail;
	if (output_check(&c, &err) < 0 || output_stdout(&c, &err) < 0)
		goto fail;
	if (build_image(&c.o, id, &status, &err) < 0)
		goto fail;
	if (c.iidfile && write_iidfile(c.iidfile, id, &err) < 0) {
		status = EXIT_WARREN;
		goto fail;
	}
	/* with the tar on stdout, the ID goes with the rest to stderr */
	printf("%s\n", digest_hex(id));
	build_cli_free(&c);
	return 0;
fail:
	werr_print(&err, "warren");
	build_cli_free(&c);
	return status;
}
