/* cmd_run.c - `warren run`: turns Docker's run flags into a container spec and
 * hands it to container/ (ctrrun.h), to run in the foreground or to record.
 * Validates every value here, so that bad input fails with one line and
 * exit 125 before anything is created. */
#include "starttrace.h"
#include "commands.h"
#include "cleanup.h"
#include "create.h"
#include "ctrrun.h"
#include "netref.h"
#include "network.h"
#include "volume.h"
#include "cliutil.h"
#include "ctrevents.h"
#include "opts.h"
#include "run_image.h"
#include "run_mount.h"
#include "run_flags.h"
#include "run_cfg.h"
#include "run_devices.h"
#include "run_limits.h"
#include "ctrcgroup.h"
#include "run_net.h"
#include "security.h"
#include "util.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>

enum run_opt {
	R_ROOTFS,
	R_ENV,
	R_ENV_FILE,
	R_WORKDIR,
	R_USER,
	R_HOSTNAME,
	R_ENTRYPOINT,
	R_VOLUME,
	R_MOUNT,
	R_VOLUMES_FROM,
	R_TMPFS,
	R_ULIMIT,
	R_READ_ONLY,
	R_RM,
	R_TLS_VERIFY,
	R_CAP_ADD,
	R_CAP_DROP,
	R_PRIVILEGED,
	R_SECURITY_OPT,
	R_INIT,
	R_NETWORK,
	R_USERNS,
	R_INTERACTIVE,
	R_TTY,
	R_HELP,
	R_PUBLISH, /* network flags, parsed in run_net.c */
	R_IP,
	R_PUBLISH_ALL,
	R_EXPOSE,
	R_DNS,
	R_DNS_SEARCH,
	R_ADD_HOST,
	R_NETWORK_ALIAS,
};

static const struct opt_def run_opts[] = {
	{ "rootfs", 0, OPT_VALUE, "DIR", "Use DIR as the container's root filesystem", R_ROOTFS },
	{ "env", 'e', OPT_VALUE, "KEY[=VALUE]", "Set an environment variable", R_ENV },
	{ "env-file", 0, OPT_VALUE, "FILE", "Read environment variables from FILE", R_ENV_FILE },
	{ "workdir", 'w', OPT_VALUE, "DIR", "Working directory inside the container", R_WORKDIR },
	{ "user", 'u', OPT_VALUE, "USER[:GROUP]", "Run as this user (name or UID)", R_USER },
	{ "hostname", 'h', OPT_VALUE, "NAME", "Container host name", R_HOSTNAME },
	{ "entrypoint", 0, OPT_VALUE, "CMD", "Command to run before the given arguments",
	  R_ENTRYPOINT },
	{ "volume", 'v', OPT_VALUE, "SRC:DST[:OPTS]",
	  "Bind mount a host path, or mount a volume (NAME:DST, or DST for an anonymous one)",
	  R_VOLUME },
	{ "mount", 0, OPT_VALUE, "type=bind|volume|tmpfs,...",
	  "Mount a bind, volume or tmpfs (source=, target=, readonly, volume-nocopy, tmpfs-size=, "
	  "tmpfs-mode=)",
	  R_MOUNT },
	{ "volumes-from", 0, OPT_VALUE, "CONTAINER[:ro|rw]", "Mount the volumes of a container",
	  R_VOLUMES_FROM },
	{ "tmpfs", 0, OPT_VALUE, "DST[:OPTS]", "Mount a tmpfs at DST", R_TMPFS },
	{ "ulimit", 0, OPT_VALUE, "NAME=SOFT[:HARD]", "Set a resource limit", R_ULIMIT },
	{ "read-only", 0, OPT_FLAG, NULL, "Mount the root filesystem read-only", R_READ_ONLY },
	{ "rm", 0, OPT_FLAG, NULL, "Remove the container when it exits", R_RM },
	{ "tls-verify", 0, OPT_FLAG, NULL,
	  "Verify TLS when pulling the image (false also allows plain http)", R_TLS_VERIFY },
	{ "cap-add", 0, OPT_VALUE, "CAP", "Add a capability (or ALL)", R_CAP_ADD },
	{ "cap-drop", 0, OPT_VALUE, "CAP", "Drop a capability (or ALL)", R_CAP_DROP },
	{ "privileged", 0, OPT_FLAG, NULL, "All capabilities, no seccomp, no masked paths",
	  R_PRIVILEGED },
	{ "security-opt", 0, OPT_VALUE, "OPT",
	  "seccomp=unconfined|FILE, no-new-privileges, fake-chown=false", R_SECURITY_OPT },
	{ "init", 0, OPT_FLAG, NULL, "Run a minimal init that forwards signals and reaps zombies",
	  R_INIT },
	{ "network", 0, OPT_VALUE, "MODE",
	  "slirp[:OPTION,...] (default; options mtu=N, allow_host_loopback=true, "
	  "port_handler=slirp, bypass=false), none, host, container:NAME|ID or a network's NAME",
	  R_NETWORK },
	{ "net", 0, OPT_VALUE, "MODE", "Alias of --network", R_NETWORK },
	{ "ip", 0, OPT_VALUE, "IPv4", "The container's address on --network NAME", R_IP },
	{ "network-alias", 0, OPT_VALUE, "NAME",
	  "Another name of the container in --network NAME's DNS", R_NETWORK_ALIAS },
	{ "userns", 0, OPT_VALUE, "MODE", "keep-id: keep your own uid/gid inside", R_USERNS },
	{ "interactive", 'i', OPT_FLAG, NULL, "Keep stdin open", R_INTERACTIVE },
	{ "tty", 't', OPT_FLAG, NULL, "Allocate a pseudo-terminal", R_TTY },
	{ "publish", 'p', OPT_VALUE, "[IP:][HPORT:]CPORT[/udp]",
	  "Publish a container port (or range) on the host", R_PUBLISH },
	{ "publish-all", 'P', OPT_FLAG, NULL, "Publish every exposed port on a free host port",
	  R_PUBLISH_ALL },
	{ "expose", 0, OPT_VALUE, "PORT[/udp]", "Expose a port (published by -P)", R_EXPOSE },
	{ "dns", 0, OPT_VALUE, "IP", "Nameserver for the container's resolv.conf", R_DNS },
	{ "dns-search", 0, OPT_VALUE, "DOMAIN", "Search domain for the container", R_DNS_SEARCH },
	{ "add-host", 0, OPT_VALUE, "NAME:IP", "Add a line to /etc/hosts (IP may be host-gateway)",
	  R_ADD_HOST },
	CREATE_OPT_TABLE,
	/* the rest of Docker's flags, parsed in run_flags.c */
	{ "cidfile", 0, OPT_VALUE, "FILE", "Write the container ID to FILE (which must not exist)",
	  RF_CIDFILE },
	{ "sysctl", 0, OPT_VALUE, "KEY=VALUE",
	  "Set a namespaced kernel parameter (net.*, kernel.shm*|msg*|sem, fs.mqueue.*)",
	  RF_SYSCTL },
	{ "shm-size", 0, OPT_VALUE, "SIZE", "Size of /dev/shm (default 64m; units b, k, m, g)",
	  RF_SHM_SIZE },
	{ "group-add", 0, OPT_VALUE, "GROUP",
	  "Add a supplementary group (a GID, or a name in the image's /etc/group)", RF_GROUP_ADD },
	{ "platform", 0, OPT_VALUE, "OS/ARCH[/VARIANT]", "The image's platform (this host's only)",
	  RF_PLATFORM },
	{ "pull", 0, OPT_VALUE, "POLICY", "Pull the image: missing (default), always or never",
	  RF_PULL },
	{ "health-cmd", 0, OPT_VALUE, "CMD", "Command that checks health (run by sh -c)",
	  RF_HEALTH_CMD },
	{ "health-interval", 0, OPT_VALUE, "DURATION", "Time between checks (default 30s)",
	  RF_HEALTH_INTERVAL },
	{ "health-timeout", 0, OPT_VALUE, "DURATION", "Longest time a check may take (default 30s)",
	  RF_HEALTH_TIMEOUT },
	{ "health-retries", 0, OPT_VALUE, "N",
	  "Failures in a row that make the container unhealthy (default 3)", RF_HEALTH_RETRIES },
	{ "health-start-period", 0, OPT_VALUE, "DURATION",
	  "Time after the start when failures do not count", RF_HEALTH_START },
	{ "no-healthcheck", 0, OPT_FLAG, NULL, "Disable the image's HEALTHCHECK",
	  RF_NO_HEALTHCHECK },
	{ "attach", 'a', OPT_VALUE, "STREAM",
	  "Attach to stdin, stdout or stderr (default: stdout and stderr)", RF_ATTACH },
	{ "sig-proxy", 0, OPT_FLAG, NULL,
	  "Forward received signals to the container (default true)", RF_SIG_PROXY },
	RUN_LIMITS_OPT_TABLE,
	RUN_LIMITS_RUN_OPT_TABLE,
	RUN_DEVICES_OPT_TABLE,
	{ "help", 0, OPT_FLAG, NULL, "Show this help", R_HELP },
	{ NULL, 0, 0, NULL, NULL, 0 },
};

#define RUN_USAGE                                                                                  \
	"[OPTIONS] IMAGE [COMMAND [ARG...]]\n[OPTIONS] FILE.sqsh [COMMAND [ARG...]]\n[OPTIONS] "   \
	"--rootfs DIR [--] COMMAND [ARG...]"
const struct cli_cmd cli_cmd_run = {
	"run", RUN_USAGE, "Run a command in a new container.", run_opts, 0, -1, OPTS_STOP_AT_OPERAND
};
const struct cli_cmd cli_cmd_create = { "create", RUN_USAGE, "Create a new container.", run_opts,
	                                0,        -1,        OPTS_STOP_AT_OPERAND };

static int env_add(struct run_cfg *cfg, const char *kv, struct werr *err)
{
	char *s;

	if (kv[0] == '=' || kv[0] == '\0')
		return werr_set(err, EINVAL,
		                "invalid environment variable \"%s\": the name is empty", kv);
	if (!strchr(kv, '=')) {
		const char *v = getenv(kv); /* Docker: -e NAME takes the host's value, if any */
		if (!v)
			return 0;
		if (asprintf(&s, "%s=%s", kv, v) < 0)
			return werr_errno(err, ENOMEM, "env");
	} else if (!(s = strdup(kv))) {
		return werr_errno(err, ENOMEM, "env");
	}
	if (util_array_push(&cfg->env, &cfg->n_env, sizeof(char *), &s) < 0) {
		free(s);
		return werr_errno(err, ENOMEM, "env");
	}
	return 0;
}

static int env_file_add(struct run_cfg *cfg, const char *path, struct werr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	int lineno = 0;

	if (util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, err) < 0)
		return werr_prefix(err, "--env-file");
	for (char *line = text, *next; line && *line; line = next) {
		char *end;
		next = strchr(line, '\n');
		if (next)
			*next++ = '\0';
		lineno++;
		while (*line == ' ' || *line == '\t')
			line++;
		end = line + strlen(line);
		while (end > line && (end[-1] == '\r' || end[-1] == ' ' || end[-1] == '\t'))
			*--end = '\0';
		if (!*line || *line == '#')
			continue;
		if (strchr(line, ' ') &&
		    (!strchr(line, '=') || strchr(line, ' ') < strchr(line, '=')))
			return werr_set(err, EINVAL,
			                "--env-file %s:%d: variable name \"%s\" has white space",
			                path, lineno, line);
		if (env_add(cfg, line, err) < 0)
			return werr_prefix(err, "--env-file %s:%d", path, lineno);
	}
	return 0;
}

static const struct {
	const char *name;
	int res;
} ulimit_names[] = {
	{ "core", RLIMIT_CORE },         { "cpu", RLIMIT_CPU },
	{ "data", RLIMIT_DATA },         { "fsize", RLIMIT_FSIZE },
	{ "locks", RLIMIT_LOCKS },       { "memlock", RLIMIT_MEMLOCK },
	{ "msgqueue", RLIMIT_MSGQUEUE }, { "nice", RLIMIT_NICE },
	{ "nofile", RLIMIT_NOFILE },     { "nproc", RLIMIT_NPROC },
	{ "rss", RLIMIT_RSS },           { "rtprio", RLIMIT_RTPRIO },
	{ "rttime", RLIMIT_RTTIME },     { "sigpending", RLIMIT_SIGPENDING },
	{ "stack", RLIMIT_STACK },       { "as", RLIMIT_AS },
};

static int parse_rlim(const char *s, size_t len, rlim_t *out)
{
	char buf[32], *end;
	unsigned long long v;

	if (len == 0 || len >= sizeof(buf))
		return -EINVAL;
	memcpy(buf, s, len);
	buf[len] = '\0';
	if (!strcmp(buf, "unlimited") || !strcmp(buf, "-1")) {
		*out = RLIM_INFINITY;
		return 0;
	}
	if (buf[0] < '0' || buf[0] > '9')
		return -EINVAL;
	errno = 0;
	v = strtoull(buf, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*out = (rlim_t)v;
	return 0;
}

static int ulimit_add(struct run_cfg *cfg, const char *v, struct werr *err)
{
	const char *eq = strchr(v, '='), *colon;
	struct rlimit_spec rs = { .resource = -1 };

	if (!eq)
		return werr_set(
		    err, EINVAL,
		    "invalid --ulimit \"%s\": use NAME=SOFT[:HARD], e.g. nofile=1024:2048", v);
	for (size_t i = 0; i < ARRAY_SIZE(ulimit_names); i++)
		if (strlen(ulimit_names[i].name) == (size_t)(eq - v) &&
		    !strncmp(ulimit_names[i].name, v, (size_t)(eq - v)))
			rs.resource = ulimit_names[i].res;
	if (rs.resource < 0)
		return werr_set(err, EINVAL, "invalid --ulimit \"%s\": unknown limit name \"%.*s\"",
		                v, (int)(eq - v), v);
	colon = strchr(eq + 1, ':');
	if (parse_rlim(eq + 1, colon ? (size_t)(colon - eq - 1) : strlen(eq + 1),
	               &rs.lim.rlim_cur) < 0 ||
	    (colon && parse_rlim(colon + 1, strlen(colon + 1), &rs.lim.rlim_max) < 0))
		return werr_set(err, EINVAL,
		                "invalid --ulimit \"%s\": values are numbers or \"unlimited\"", v);
	if (!colon)
		rs.lim.rlim_max = rs.lim.rlim_cur;
	if (rs.lim.rlim_cur > rs.lim.rlim_max)
		return werr_set(err, EINVAL,
		                "invalid --ulimit \"%s\": the soft limit is above the hard limit",
		                v);
	if (util_array_push(&cfg->rlimits, &cfg->n_rlimits, sizeof(rs), &rs) < 0)
		return werr_errno(err, ENOMEM, "ulimit");
	return 0;
}

static int tmpfs_add(struct run_cfg *cfg, const char *v, struct werr *err)
{
	_cleanup_free_ char *copy = strdup(v);
	char data[512] = "";
	char *opts;
	struct mount_spec m = { .kind = MOUNT_TMPFS, .flags = MS_NOSUID | MS_NODEV | MS_NOEXEC };

	if (!copy)
		return werr_errno(err, ENOMEM, "tmpfs");
	opts = strchr(copy, ':');
	if (opts)
		*opts++ = '\0';
	if (copy[0] != '/')
		return werr_set(err, EINVAL,
		                "invalid --tmpfs \"%s\": the destination must be an absolute path",
		                v);
	for (char *o = opts ? strtok(opts, ",") : NULL; o; o = strtok(NULL, ",")) {
		static const struct {
			const char *name;
			unsigned long set, clear;
		} fl[] = {
			{ "exec", 0, MS_NOEXEC }, { "noexec", MS_NOEXEC, 0 },
			{ "suid", 0, MS_NOSUID }, { "nosuid", MS_NOSUID, 0 },
			{ "dev", 0, MS_NODEV },   { "nodev", MS_NODEV, 0 },
			{ "rw", 0, 0 },
		};
		bool known = false;
		if (!strcmp(o, "ro")) {
			m.readonly = true;
			continue;
		}
		for (size_t i = 0; i < ARRAY_SIZE(fl); i++)
			if (!strcmp(o, fl[i].name)) {
				m.flags = (m.flags | fl[i].set) & ~fl[i].clear;
				known = true;
			}
		if (known)
			continue;
		if (strncmp(o, "size=", 5) && strncmp(o, "mode=", 5) && strncmp(o, "uid=", 4) &&
		    strncmp(o, "gid=", 4) && strncmp(o, "nr_inodes=", 10))
			return werr_set(err, EINVAL,
			                "invalid --tmpfs \"%s\": unknown option \"%s\"", v, o);
		if (strlen(data) + strlen(o) + 2 >= sizeof(data))
			return werr_set(err, EINVAL, "invalid --tmpfs \"%s\": options too long", v);
		if (data[0])
			strcat(data, ",");
		strcat(data, o);
	}
	m.dst = strdup(copy);
	m.options = strdup(data);
	if (!m.dst || !m.options || run_vols_push(&cfg->vols, &m, err) < 0) {
		free(m.dst);
		free(m.options);
		return werr_errno(err, ENOMEM, "tmpfs");
	}
	return 0;
}

/* implements opt_cb for the run table */
static int run_opt_cb(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct run_cfg *cfg = ctx;
	bool on = !strcmp(v, "true");

	switch (def->id) {
	case R_ROOTFS: cfg->rootfs = v; return 0;
	case R_ENV: return env_add(cfg, v, err);
	case R_ENV_FILE: return env_file_add(cfg, v, err);
	case R_WORKDIR:
		if (v[0] != '/')
			return werr_set(err, EINVAL,
			                "invalid --workdir \"%s\": the path must be absolute", v);
		cfg->workdir = v;
		cfg->workdir_given = true;
		return 0;
	case R_USER: cfg->user = v; return 0;
	case R_HOSTNAME:
		if (!*v || strlen(v) > 64)
			return werr_set(err, EINVAL,
			                "invalid --hostname \"%s\": 1 to 64 characters", v);
		cfg->hostname = v;
		return 0;
	case R_ENTRYPOINT: cfg->entrypoint = v; return 0;
	case R_VOLUME: return run_vols_volume(&cfg->vols, v, err);
	case R_MOUNT: return run_vols_mount(&cfg->vols, v, err);
	case R_VOLUMES_FROM: return run_vols_from(&cfg->vols, v, err);
	case R_TMPFS: return tmpfs_add(cfg, v, err);
	case R_ULIMIT: return ulimit_add(cfg, v, err);
	case R_READ_ONLY: cfg->readonly = on; return 0;
	case R_RM: cfg->create.auto_remove = on; return 0;
	case R_TLS_VERIFY: cfg->img.tls_insecure = !on; return 0;
	case R_CAP_ADD:
	case R_CAP_DROP:
	case R_PRIVILEGED:
	case R_SECURITY_OPT: return security_option(&cfg->sec, def->long_name, v, err);
	case R_INIT: cfg->init = on; return 0;
	case R_NETWORK:
	case R_PUBLISH:
	case R_IP:
	case R_PUBLISH_ALL:
	case R_EXPOSE:
	case R_DNS:
	case R_DNS_SEARCH:
	case R_ADD_HOST:
	case R_NETWORK_ALIAS:
		if (run_net_option(&cfg->net, def->long_name, v, err) < 0)
			return -err->code;
		cfg->net_given |= def->id == R_NETWORK;
		cfg->network_host = cfg->net.mode == NET_MODE_HOST;
		return 0;
	case R_USERNS:
		if (strcmp(v, "keep-id") && strcmp(v, ""))
			return werr_set(err, EINVAL, "invalid --userns \"%s\": use keep-id", v);
		cfg->keep_id = !strcmp(v, "keep-id");
		cfg->userns_given = true;
		return 0;
	case R_INTERACTIVE: cfg->interactive = on; return 0;
	case R_TTY: cfg->create.tty = on; return 0;
	case R_HELP: cfg->help = on; return 0;
	}
	if (def->id >= RUN_DEV_FIRST && def->id < RUN_DEV_END)
		return run_devices_opt(&cfg->devs, def, v, err);
	if (def->id >= RUN_LIMIT_FIRST && def->id < RUN_LIMIT_END)
		return run_limits_opt(&cfg->limits, def, v, err);
	if (def->id >= RUN_FLAG_FIRST)
		return run_flags_opt(&cfg->flags, &cfg->img, def, v, err);
	if (def->id >= CREATE_OPT_FIRST)
		return create_opt(&cfg->create, def, v, err);
	return werr_set(err, EINVAL, "internal: unhandled option %s", def->long_name);
}

/* final environment: defaults, then the user's entries; a later key wins */
/* set KEY=VALUE @kv in @env (of *@n entries), replacing an earlier KEY */
static void env_put(char **env, size_t *n, char *kv)
{
	size_t kl = strcspn(kv, "=");
	size_t j;

	for (j = 0; j < *n; j++)
		if (!strncmp(env[j], kv, kl + 1))
			break;
	env[j] = kv;
	if (j == *n)
		(*n)++;
}

/* final environment: defaults, the image's, then the user's; a later key wins */
static char **run_build_env(const struct run_cfg *cfg, const char *hostname)
{
	static char host_kv[80];
	char **img_env = cfg->use_image ? cfg->img.image_env : NULL;
	size_t n_img = 0, n = 0;
	char **env;

	while (img_env && img_env[n_img])
		n_img++;
	env =
	    calloc(cfg->n_env + n_img + cfg->n_pass_env + cfg->devs.cdi.n_env + 4, sizeof(char *));
	if (!env)
		return NULL;
	env[n++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
	snprintf(host_kv, sizeof(host_kv), "HOSTNAME=%s", hostname);
	env[n++] = host_kv;
	/* Docker's default under -t, below the image's ENV and the user's -e */
	if (cfg->create.tty)
		env[n++] = "TERM=xterm";
	for (size_t i = 0; i < n_img; i++)
		if (strchr(img_env[i], '='))
			env_put(env, &n, img_env[i]);
	/* --hpc's host variables and the CDI devices' under the user's -e */
	for (size_t i = 0; i < cfg->n_pass_env; i++)
		env_put(env, &n, cfg->pass_env[i]);
	for (size_t i = 0; i < cfg->devs.cdi.n_env; i++)
		env_put(env, &n, cfg->devs.cdi.env[i]);
	for (size_t i = 0; i < cfg->n_env; i++)
		env_put(env, &n, cfg->env[i]);
	env[n] = NULL;
	return env;
}

static int run_build_argv(struct container_spec *spec, const struct run_cfg *cfg, int argc,
                          char **argv, struct werr *err)
{
	bool ep = cfg->entrypoint && cfg->entrypoint[0];
	size_t n = 0;

	spec->argv = calloc((size_t)argc + 2, sizeof(char *));
	if (!spec->argv)
		return werr_errno(err, ENOMEM, "argv");
	if (ep)
		spec->argv[n++] = (char *)cfg->entrypoint;
	for (int i = 0; i < argc; i++)
		spec->argv[n++] = argv[i];
	if (n == 0)
		return werr_set(err, EINVAL,
		                "no command given: use warren run --rootfs DIR CMD [ARG...]");
	return 0;
}

/* the image's ExposedPorts ("80/tcp"), which -P publishes */
static int run_image_exposed(struct run_cfg *cfg, struct werr *err)
{
	char **ports = config_string_array(&cfg->img.img.cfg, "ExposedPorts");
	int r = 0;

	for (size_t i = 0; r == 0 && ports && ports[i]; i++)
		r = run_net_option(&cfg->net, "expose", ports[i], err);
	config_strv_free(ports);
	return r < 0 ? werr_prefix(err, "the image's ExposedPorts") : 0;
}

/* warren run IMAGE [CMD...]: the image's layer, command and defaults */
static int run_from_image(struct container_spec *spec, struct run_cfg *cfg, int argc, char **argv,
                          struct werr *err)
{
	int r;

	if (argc < 1)
		return werr_set(err, EINVAL,
		                "no image given: use warren run IMAGE [COMMAND] or --rootfs DIR "
		                "COMMAND");
	r = idmap_plan_make(&spec->idmap, cfg->keep_id, err);
	if (r < 0)
		return r;
	r = run_image_prepare(&cfg->img, argv[0], spec->id, &spec->idmap, err);
	cfg->use_image = true;
	if (r < 0)
		return r;
	spec->rootfs = cfg->img.rf.rootfs;
	spec->overlay = cfg->img.rf.copy ? NULL : &cfg->img.ov;
	r = run_image_argv(&cfg->img, cfg->entrypoint, argc - 1, argv + 1, &spec->argv, err);
	if (r == 0)
		r = run_vols_prepare(&cfg->vols, &cfg->img, &spec->idmap, err);
	if (r == 0)
		r = run_image_exposed(cfg, err);
	return r;
}

static int run_prepare(struct container_spec *spec, struct run_cfg *cfg, int argc, char **argv,
                       struct werr *err)
{
	static char id[65], rootfs[PATH_MAX], host[13];
	struct stat st;
	int r;

	if (run_vols_check(&cfg->vols, err) < 0)
		return -err->code;
	if (util_random_hex(id, 64) < 0)
		return werr_errno(err, errno, "getrandom");
	spec->id = id;
	if (!cfg->rootfs) {
		r = run_from_image(spec, cfg, argc, argv, err);
		if (r < 0)
			return r;
	} else {
		if (!realpath(cfg->rootfs, rootfs))
			return werr_errno(err, errno, "--rootfs %s", cfg->rootfs);
		if (stat(rootfs, &st) < 0 || !S_ISDIR(st.st_mode))
			return werr_set(err, ENOTDIR, "--rootfs %s: not a directory", cfg->rootfs);
		r = run_build_argv(spec, cfg, argc, argv, err);
		if (r == 0)
			r = run_vols_prepare(&cfg->vols, NULL, NULL, err);
		if (r < 0)
			return r;
		spec->rootfs = rootfs;
	}
	snprintf(host, sizeof(host), "%.12s", id);
	spec->hostname = cfg->hostname ? cfg->hostname : host;
	spec->workdir = cfg->workdir ? cfg->workdir : cfg->use_image ? cfg->img.workdir : NULL;
	spec->user = cfg->user ? cfg->user : cfg->use_image ? cfg->img.user : NULL;
	spec->readonly = cfg->readonly;
	spec->network_host = cfg->network_host;
	spec->init = cfg->init;
	spec->keep_stdin = cfg->interactive;
	spec->mounts = cfg->vols.mounts;
	spec->n_mounts = cfg->vols.n_mounts;
	spec->rlimits = cfg->rlimits;
	spec->n_rlimits = cfg->n_rlimits;
	run_flags_apply(&cfg->flags, spec);
	run_devices_apply(&cfg->devs, spec);
	if (run_net_check(&cfg->net, err) < 0)
		return -err->code;
	spec->net = cfg->net;
	memset(&cfg->net, 0, sizeof(cfg->net)); /* now owned by @spec */
	spec->env = run_build_env(cfg, spec->hostname);
	if (!spec->env)
		return werr_errno(err, ENOMEM, "env");
	r = security_apply(spec, &cfg->sec, err);
	if (r < 0 || cfg->use_image)
		return r;
	return idmap_plan_make(&spec->idmap, cfg->keep_id, err);
}

static void run_cfg_free(struct run_cfg *cfg)
{
	for (size_t i = 0; i < cfg->n_env; i++)
		free(cfg->env[i]);
	free(cfg->env);
	/* anonymous volumes go with a container that no record keeps */
	if (!cfg->recorded)
		run_vols_remove_anon(&cfg->vols);
	run_vols_free(&cfg->vols);
	free(cfg->rlimits);
	net_spec_free(&cfg->net);
	run_flags_free(&cfg->flags);
	run_devices_free(&cfg->devs);
	for (size_t i = 0; i < cfg->n_pass_env; i++)
		free(cfg->pass_env[i]);
	free(cfg->pass_env);
}

static void run_spec_free(struct container_spec *spec)
{
	free(spec->env);
	free(spec->argv);
	security_release(spec);
	net_spec_free(&spec->net);
}

/* a container with a record, watched by its monitor: create, -d, -t, and
 * every run without --rm, whose exited container Docker keeps for ps -a,
 * logs and start; a --rm run without a name, labels, a restart policy or
 * log options is waited for by warren itself, which starts faster and
 * leaves nothing behind */
static bool run_with_record(const struct run_cfg *cfg, bool create_only)
{
	const struct create_opts *o = &cfg->create;

	return create_only || !o->auto_remove || o->detach || o->tty || o->name || o->labels ||
	       o->restart != RESTART_NO || o->log_max_size || o->log_max_file ||
	       cfg->flags.attach || !cfg->flags.sig_proxy || cfg->flags.health;
}

/* the image's labels under the user's --label ones, as Docker merges them
 * into the container's Config.Labels */
static void run_image_labels(const struct run_cfg *cfg, struct create_opts *o)
{
	json_t *img = json_object_get(json_object_get(cfg->img.img.cfg.root, "config"), "Labels");
	const char *k;
	json_t *v;

	if (!json_object_size(img))
		return;
	if (!o->labels)
		o->labels = json_object();
	json_object_foreach(img, k, v)
	{
		if (!json_object_get(o->labels, k))
			json_object_set(o->labels, k, v);
	}
}

/* create, run -d, run -t...: the record, which an image container's
 * writable layer joins (its directory is the record's), then the start */
static int run_recorded(struct run_cfg *cfg, struct container_spec *spec, const char *image,
                        bool create_only)
{
	struct create_opts *o = &cfg->create;
	struct werr err = { 0 };
	json_t *image_hc = NULL;
	int status;

	if (cfg->use_image) {
		o->image = cfg->img.sqsh[0] ? cfg->img.sqsh : image;
		o->image_id = cfg->img.image_id;
		if (!o->stop_signal)
			o->stop_signal = cfg->img.stop_signal;
		run_image_labels(cfg, o);
		image_hc = json_object_get(json_object_get(cfg->img.img.cfg.root, "config"),
		                           "Healthcheck");
	}
	o->healthcheck = run_flags_health(&cfg->flags, image_hc);
	o->attach = cfg->flags.attach;
	o->no_sig_proxy = !cfg->flags.sig_proxy;
	status = create_publish(spec, o);
	if (status)
		return status; /* run_image_free() removes the layer */
	cfg->recorded = true;
	if (cfg->use_image)
		run_image_keep(&cfg->img);
	if (run_flags_cid_write(&cfg->flags, spec->id, &err) < 0)
		werr_print(&err, "warren");
	return create_launch(spec, o, create_only);
}

/* --network container:REF: that container must exist (and run, unless this
 * one is only created); this one takes its host name, as Docker's does */
static int run_net_join(struct run_cfg *cfg, bool create_only, struct werr *err)
{
	static char hostname[80];

	if (cfg->net.mode != NET_MODE_CONTAINER)
		return 0;
	if (run_net_check(&cfg->net, err) < 0)
		return -err->code;
	if (cfg->hostname)
		return werr_set(err, EINVAL,
		                "--hostname conflicts with --network container:%s: the container "
		                "takes that container's host name",
		                cfg->net.join_ref);
	if (netref_resolve(cli_gopts(), &cfg->net, !create_only, hostname, sizeof(hostname), err) <
	    0)
		return -err->code;
	cfg->hostname = hostname[0] ? hostname : NULL;
	return 0;
}

/* --network NAME for a run without a record: an address, given back when
 * the container is gone */
static int run_net_lease(struct container_spec *spec, int *hold, struct werr *err)
{
	if (spec->net.mode != NET_MODE_BRIDGE)
		return 0;
	/* a run without a record has no name: its short ID names it */
	return network_attach_all(cli_gopts(), &spec->net, spec->id, NULL, hold, err);
}

/* the events of a container that has no record (run --rm in the foreground),
 * as Docker gives them for its --rm run; @code >= 0: the exit code */
static void run_event(const struct run_cfg *cfg, const struct container_spec *spec,
                      const char *action, int code)
{
	char name[32];

	snprintf(name, sizeof(name), "%.12s", spec->id);
	ctrevents_log(cli_gopts(), action, spec->id, cfg->create.name ? cfg->create.name : name,
	              cfg->create.image ? cfg->create.image : spec->rootfs, cfg->create.labels,
	              code >= 0 ? json_pack("{s:o}", "exitCode", json_sprintf("%d", code)) : NULL);
}

/* the limits into @spec, refused (or, cgroup-limits = warn, dropped with a
 * warning) when this host delegates no cgroup for them: before anything
 * is created */
static int run_limits_cgroup(struct run_cfg *cfg, struct container_spec *spec, struct werr *err)
{
	char warning[WERR_MSG_MAX + 256];

	run_limits_apply(&cfg->limits, spec);
	if (ctrcgroup_check(spec, cli_gopts()->cgroup_limits_warn, warning, sizeof(warning), err) <
	    0)
		return -err->code;
	if (warning[0])
		fprintf(stderr, "warren: warning: %s\n", warning);
	/* the cgroups a killed warren left go before this one is made */
	if (cgroup_limits_any(&spec->limits))
		ctrcgroup_gc();
	return 0;
}

/* the part of cmd_run that owns @cfg and @spec, so that every path frees them */
static int run_main(struct run_cfg *cfg, struct container_spec *spec, int argc, char **argv,
                    bool create_only)
{
	struct werr err = { 0 };
	int ind = 1, status = 0, lease = -1;

	if (run_net_defaults(&cfg->net, cli_gopts()->slirp_options, cli_gopts()->slirp_options_from,
	                     &err) < 0 ||
	    opts_parse(run_opts, argc, argv, &ind, OPTS_STOP_AT_OPERAND, run_opt_cb, cfg, argv[0],
	               &err) < 0) {
		werr_print(&err, "warren");
		return EXIT_WARREN;
	}
	starttrace_mark("options parsed");
	if (cfg->help) {
		cli_print_help(create_only ? &cli_cmd_create : &cli_cmd_run);
		return 0;
	}
	if (run_hpc(cfg, &err) < 0 || run_limits_check(&cfg->limits, false, &err) < 0 ||
	    run_limits_cgroup(cfg, spec, &err) < 0 ||
	    run_flags_check(&cfg->flags,
	                    cfg->net.mode != NET_MODE_HOST && cfg->net.mode != NET_MODE_CONTAINER,
	                    cfg->create.detach, &err) < 0 ||
	    run_net_join(cfg, create_only, &err) < 0 || run_devices_mount(cfg, &err) < 0 ||
	    run_prepare(spec, cfg, argc - ind, argv + ind, &err) < 0) {
		werr_print(&err, "warren");
		return EXIT_WARREN;
	}
	starttrace_mark("run prepared (ID plan, security)");
	if (spec->idmap.warning[0])
		fprintf(stderr, "warren: warning: %s\n", spec->idmap.warning);
	if (run_with_record(cfg, create_only))
		return run_recorded(cfg, spec, argv[ind], create_only);
	run_event(cfg, spec, "create", -1);
	run_event(cfg, spec, "start", -1);
	starttrace_mark("create/start events logged");
	if (run_flags_cid_write(&cfg->flags, spec->id, &err) < 0 ||
	    run_net_lease(spec, &lease, &err) < 0 || ctrrun_foreground(spec, &status, &err) < 0) {
		werr_print(&err, "warren");
		if (status == 0)
			status = EXIT_WARREN;
	}
	if (spec->net.mode == NET_MODE_BRIDGE)
		network_release(cli_gopts(), spec->net.bridge_net, spec->id);
	for (size_t i = 0; i < spec->net.n_bridge_more; i++)
		network_release(cli_gopts(), spec->net.bridge_more[i].bridge_net, spec->id);
	if (lease >= 0) /* held while the run lasted: nobody took it back */
		close(lease);
	run_event(cfg, spec, "die", status);
	run_event(cfg, spec, "destroy", -1);
	starttrace_mark("die/destroy events logged");
	if (spec->overlay_died)
		fprintf(stderr,
		        "warren: warren-overlay, which served the container's files, was killed "
		        "(signal %d) while the container ran: its files were unreachable from then "
		        "on\n",
		        spec->overlay_died);
	return status;
}

static int run_or_create(int argc, char **argv, bool create_only)
{
	struct run_cfg cfg = { .sec = SECURITY_OPTS_INIT,
		               .create = CREATE_OPTS_INIT,
		               .flags = RUN_FLAGS_INIT };
	struct container_spec spec = { 0 };
	int status = run_main(&cfg, &spec, argc, argv, create_only);

	if (cfg.use_image)
		run_image_free(&cfg.img, &spec.idmap);
	run_spec_free(&spec);
	run_cfg_free(&cfg);
	create_opts_free(&cfg.create);
	return status;
}

int cmd_run(int argc, char **argv)
{
	cli_error_exit_set(EXIT_WARREN);
	return run_or_create(argc, argv, false);
}

int cmd_create(int argc, char **argv)
{
	cli_error_exit_set(EXIT_WARREN);
	return run_or_create(argc, argv, true);
}
