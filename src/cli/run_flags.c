/* run_flags.c - --cidfile, --sysctl, --shm-size, --group-add, --platform,
 * --pull, --health-*, -a and --sig-proxy of run and create (run_flags.h):
 * Docker's syntax and rules, checked before anything is created. */
#include "run_flags.h"
#include "cleanup.h"
#include "cliutil.h"
#include "manifest.h"
#include "util.h"

#include <ctype.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

/* append @s to the NULL-terminated @v of *@n strings */
static int strv_push(char ***v, size_t *n, char *s)
{
	char **nv = realloc(*v, (*n + 2) * sizeof(char *));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = s;
	nv[*n] = NULL;
	*v = nv;
	return 0;
}

/* Docker's RAMInBytes: a number, an optional unit b, k, m, g, t (KiB...),
 * an optional "i" and "b" */
int run_flags_size_parse(const char *v, long long *out)
{
	static const char units[] = "bkmgt";
	char *end;
	double n;
	const char *u;
	int shift = 0;

	if (!isdigit((unsigned char)*v))
		return -EINVAL;
	errno = 0;
	n = strtod(v, &end);
	if (errno || end == v)
		return -EINVAL;
	if (*end == ' ')
		end++;
	if (*end && (u = strchr(units, tolower((unsigned char)*end)))) {
		shift = 10 * (int)(u - units);
		end++;
		if (shift && (*end == 'i' || *end == 'I'))
			end++;
		if (shift && (*end == 'b' || *end == 'B'))
			end++;
	}
	if (*end)
		return -EINVAL;
	n *= (double)(1LL << shift);
	if (n >= 9.2e18)
		return -ERANGE;
	*out = (long long)n;
	return 0;
}

/* the sysctls a container may set: those of the namespaces it owns */
static bool sysctl_namespaced_p(const char *key, size_t len)
{
	static const char *const exact[] = { "kernel.sem" };
	static const char *const prefixes[] = { "kernel.shm", "kernel.msg", "fs.mqueue.", "net." };

	for (size_t i = 0; i < ARRAY_SIZE(exact); i++)
		if (strlen(exact[i]) == len && !strncmp(key, exact[i], len))
			return true;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (len > strlen(prefixes[i]) && !strncmp(key, prefixes[i], strlen(prefixes[i])))
			return true;
	return false;
}

static int sysctl_add(struct run_flags *f, const char *v, struct werr *err)
{
	const char *eq = strchr(v, '=');
	size_t len = eq ? (size_t)(eq - v) : 0;
	char *s;

	if (!eq || len == 0 || !eq[1])
		return werr_set(
		    err, EINVAL,
		    "invalid --sysctl \"%s\": use KEY=VALUE, e.g. net.ipv4.ip_forward=1", v);
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)v[i]) && !strchr("._-", v[i]))
			return werr_set(err, EINVAL,
			                "invalid --sysctl \"%s\": the key may hold only letters, "
			                "digits and . _ -",
			                v);
	if (strstr(v, "..") || v[0] == '.' || v[len - 1] == '.' || strchr(eq + 1, '\n'))
		return werr_set(err, EINVAL, "invalid --sysctl \"%s\": malformed key or value", v);
	if (!sysctl_namespaced_p(v, len))
		return werr_set(err, EINVAL,
		                "--sysctl %.*s is not allowed: only namespaced parameters are "
		                "(net.*, kernel.shm*, kernel.msg*, kernel.sem, fs.mqueue.*)",
		                (int)len, v);
	if (!(s = strdup(v)) || strv_push(&f->sysctls, &f->n_sysctls, s) < 0) {
		free(s);
		return werr_errno(err, ENOMEM, "--sysctl");
	}
	return 0;
}

static int group_add(struct run_flags *f, const char *v, struct werr *err)
{
	char *s;

	/* keep-groups (crun's, Podman's): the caller's own supplementary
	 * groups stay, which only a group_add holding it alone can say */
	if ((!strcmp(v, "keep-groups") && f->n_groups) ||
	    (f->n_groups && !strcmp(f->groups[0], "keep-groups")))
		return werr_set(err, EINVAL,
		                "--group-add keep-groups cannot be combined with other "
		                "--group-add values: give it alone");
	if (!*v || strchr(v, ':') || strchr(v, '\n'))
		return werr_set(err, EINVAL,
		                "invalid --group-add \"%s\": use a GID or a group name", v);
	if (!(s = strdup(v)) || strv_push(&f->groups, &f->n_groups, s) < 0) {
		free(s);
		return werr_errno(err, ENOMEM, "--group-add");
	}
	return 0;
}

static int platform_check(const char *v, struct werr *err)
{
	char os[64], arch[64], var[64];
	const char *hos, *harch, *hvar;

	manifest_host_platform(&hos, &harch, &hvar);
	if (manifest_parse_platform(v, os, arch, var, err) < 0)
		return werr_prefix(err, "invalid --platform \"%s\"", v);
	if (strcmp(os, hos) || strcmp(arch, harch) || (var[0] && hvar[0] && strcmp(var, hvar)))
		return werr_set(
		    err, ENOTSUP,
		    "--platform %s: this host is %s/%s%s%s and warren runs only its own "
		    "platform (no emulation); use --platform %s/%s",
		    v, hos, harch, hvar[0] ? "/" : "", hvar, hos, harch);
	return 0;
}

static json_t *health_obj(struct run_flags *f)
{
	if (!f->health)
		f->health = json_object();
	return f->health;
}

static int health_duration(struct run_flags *f, const char *key, const char *name, const char *v,
                           struct werr *err)
{
	double secs;
	size_t len = strlen(v);

	/* Go's durations: a unit is needed ("10" is refused), but for 0 */
	if (cli_parse_duration(v, &secs, err) < 0 ||
	    (strcmp(v, "0") && (len == 0 || !isalpha((unsigned char)v[len - 1]))))
		return werr_set(err, EINVAL,
		                "invalid --%s \"%s\": use a duration such as 30s, 1m30s or 500ms",
		                name, v);
	if (secs != 0 && secs < 0.001)
		return werr_set(err, EINVAL, "invalid --%s \"%s\": at least 1ms", name, v);
	json_object_set_new(health_obj(f), key, json_integer((json_int_t)(secs * 1e9 + 0.5)));
	return 0;
}

static int attach_add(struct run_flags *f, const char *v, struct werr *err)
{
	if (!strcasecmp(v, "stdin"))
		f->attach |= ATTACH_IN;
	else if (!strcasecmp(v, "stdout"))
		f->attach |= ATTACH_OUT;
	else if (!strcasecmp(v, "stderr"))
		f->attach |= ATTACH_ERR;
	else
		return werr_set(err, EINVAL,
		                "invalid -a/--attach \"%s\": use stdin, stdout or stderr", v);
	return 0;
}

int run_flags_opt(struct run_flags *f, struct run_image *ri, const struct opt_def *def,
                  const char *v, struct werr *err)
{
	long n;

	switch (def->id) {
	case RF_CIDFILE:
		if (!*v)
			return werr_set(err, EINVAL, "invalid --cidfile \"\": name a file");
		f->cidfile = v;
		return 0;
	case RF_SYSCTL: return sysctl_add(f, v, err);
	case RF_SHM_SIZE:
		if (run_flags_size_parse(v, &f->shm_size) < 0 || f->shm_size < 0)
			return werr_set(err, EINVAL,
			                "invalid --shm-size \"%s\": use a size such as 64m, 1g or "
			                "512k (units b, k, m, g)",
			                v);
		return 0;
	case RF_GROUP_ADD: return group_add(f, v, err);
	case RF_PLATFORM:
		if (platform_check(v, err) < 0)
			return -err->code;
		f->platform = ri->platform = v;
		return 0;
	case RF_PULL:
		if (!strcmp(v, "missing"))
			ri->pull = RUN_PULL_MISSING;
		else if (!strcmp(v, "always"))
			ri->pull = RUN_PULL_ALWAYS;
		else if (!strcmp(v, "never"))
			ri->pull = RUN_PULL_NEVER;
		else
			return werr_set(err, EINVAL,
			                "invalid --pull \"%s\": use missing, always or never", v);
		return 0;
	case RF_HEALTH_CMD:
		json_object_set_new(health_obj(f), "Test", json_pack("[s, s]", "CMD-SHELL", v));
		return 0;
	case RF_HEALTH_INTERVAL: return health_duration(f, "Interval", def->long_name, v, err);
	case RF_HEALTH_TIMEOUT: return health_duration(f, "Timeout", def->long_name, v, err);
	case RF_HEALTH_START: return health_duration(f, "StartPeriod", def->long_name, v, err);
	case RF_HEALTH_RETRIES:
		if (cli_parse_int(v, 0, INT_MAX, &n, "--health-retries", err) < 0)
			return -err->code;
		json_object_set_new(health_obj(f), "Retries", json_integer(n));
		return 0;
	case RF_NO_HEALTHCHECK: f->no_healthcheck = !strcmp(v, "true"); return 0;
	case RF_ATTACH: return attach_add(f, v, err);
	case RF_SIG_PROXY: f->sig_proxy = !strcmp(v, "true"); return 0;
	}
	return werr_set(err, EINVAL, "internal: unhandled option %s", def->long_name);
}

int run_flags_check(struct run_flags *f, bool own_netns, bool detach, struct werr *err)
{
	for (size_t i = 0; i < f->n_sysctls; i++)
		if (!own_netns && !strncmp(f->sysctls[i], "net.", 4))
			return werr_set(err, EINVAL,
			                "--sysctl %s: the container shares a network namespace "
			                "(--network host or container:), whose parameters are not "
			                "its own to set",
			                f->sysctls[i]);
	if (f->no_healthcheck && f->health)
		return werr_set(err, EINVAL,
		                "--no-healthcheck conflicts with the --health-* options: give one "
		                "or the other");
	if (f->attach && detach)
		return werr_set(err, EINVAL,
		                "conflicting options: -a/--attach and -d/--detach: give one or "
		                "the other");
	if (!f->cidfile)
		return 0;
	f->cid_fd = open(f->cidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
	if (f->cid_fd < 0 && errno == EEXIST)
		return werr_set(err, EEXIST,
		                "container ID file %s exists: make sure the other container is "
		                "not running, or delete the file",
		                f->cidfile);
	if (f->cid_fd < 0)
		return werr_errno(err, errno, "--cidfile %s", f->cidfile);
	return 0;
}

void run_flags_apply(const struct run_flags *f, struct container_spec *spec)
{
	spec->sysctls = f->n_sysctls ? f->sysctls : NULL;
	spec->group_add = f->n_groups ? f->groups : NULL;
	spec->shm_size = f->shm_size;
}

json_t *run_flags_health(const struct run_flags *f, json_t *image_hc)
{
	json_t *hc, *test;
	const char *k;
	json_t *v;

	if (f->no_healthcheck)
		return json_pack("{s:[s]}", "Test", "NONE");
	hc = json_is_object(image_hc) ? json_deep_copy(image_hc) : json_object();
	if (!hc)
		return NULL;
	/* Docker: a field given on the command line replaces the image's */
	json_object_foreach(f->health, k, v)
	{
		json_object_set(hc, k, v);
	}
	test = json_object_get(hc, "Test");
	if (!json_is_array(test) || json_array_size(test) == 0) {
		json_decref(hc);
		return NULL;
	}
	return hc;
}

int run_flags_cid_write(struct run_flags *f, const char *id, struct werr *err)
{
	int r;

	if (f->cid_fd < 0)
		return 0;
	r = util_write_all(f->cid_fd, id, strlen(id));
	close(f->cid_fd);
	f->cid_fd = -1;
	if (r < 0)
		return werr_errno(err, -r, "writing the container ID to %s", f->cidfile);
	f->cidfile = NULL; /* written: it stays */
	return 0;
}

void run_flags_free(struct run_flags *f)
{
	if (f->cid_fd >= 0) {
		close(f->cid_fd);
		unlink(f->cidfile); /* nothing was created */
	}
	for (size_t i = 0; i < f->n_sysctls; i++)
		free(f->sysctls[i]);
	for (size_t i = 0; i < f->n_groups; i++)
		free(f->groups[i]);
	free(f->sysctls);
	free(f->groups);
	json_decref(f->health);
}
