/* SPDX-License-Identifier: Apache-2.0 */
/*
 * DOC: spank_warren.c - a Slurm SPANK plugin that runs a step's tasks in
 * warren containers, with pyxis's options:
 *
 *   srun --container-image=IMAGE|FILE.sqsh [--container-mounts=SRC:DST[:ro|rw],...]
 *        [--container-workdir=DIR] [--container-name=NAME]
 *        [--container-env=NAME[,NAME...]] CMD...
 *
 * One container per task (docs/slurm.md says why): in slurm_spank_task_init,
 * the last hook Slurm calls in the task's own process (already the job's
 * user, in the step's cgroup, with the task's environment), the process
 * becomes `warren run --rm --init ... IMAGE CMD...`. Slurm tracks, signals
 * and waits for it as it would for CMD; warren makes no cgroup of its own
 * (--cgroups=disabled), so the container's processes stay in the job's.
 * Once per node and step, slurm_spank_user_init makes sure the image is in
 * the user's store (pulled when missing), so that two tasks never pull at
 * once and a missing image fails the step with one line; it also learns
 * the image's environment, whose variables win over the job's (as pyxis).
 *
 * The plugin's arguments in plugstack.conf: warren=PATH (default: the
 * warren installed next to this plugin's prefix); device=VENDOR/CLASS=NAME,
 * as often as needed: a CDI device every container of the site gets (its
 * GPUs: nvidia.com/gpu=all; Slurm's device cgroup still decides which of
 * them a job may open); cdi-spec-dirs=DIR[:DIR] where the site's CDI specs
 * are (default /etc/cdi:/var/run/cdi).
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <inttypes.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#include <slurm/spank.h>

SPANK_PLUGIN(warren, 1);

#ifndef WARREN_BINDIR
#define WARREN_BINDIR "/usr/local/bin"
#endif

/* the step's choices, from the options (in srun and again in slurmstepd) */
static char *opt_image, *opt_mounts, *opt_workdir, *opt_name, *opt_env;
static char warren_path[PATH_MAX] = WARREN_BINDIR "/warren";
/* the site's CDI devices and spec directories, from plugstack.conf */
#define SPANK_DEVICES_MAX 16
static char *site_devices[SPANK_DEVICES_MAX];
static size_t site_devices_n;
static char *site_cdi_dirs;
/* the image's environment, one "NAME=VALUE" a line, or why the image is
 * not there (both from slurm_spank_user_init, for the tasks) */
static char image_env[16384];
static char image_error[1200];
/* whether a task of this node ended by a signal, and the global IDs of those
 * tasks (slurm_spank_task_exit) */
static bool task_signalled;
static uint32_t signalled_ids[1024];
static size_t signalled_n;

/* variables of the job that describe the host, not the task: never passed */
static const char *const env_host_only[] = { "HOME",   "HOSTNAME", "PWD",
	                                     "OLDPWD", "SHLVL",    "_",
	                                     "TMPDIR", "PATH",     "WARREN_CDI_SPEC_DIRS",
	                                     NULL };

/* spank_mounts_check - whether @spec is SRC:DST[:ro|rw][,...] with absolute
 * paths; the reason in @why when not. Return: 0 or -1 */
static int spank_mounts_check(const char *spec, char *why, size_t n)
{
	char buf[8192], *save = NULL;

	if (snprintf(buf, sizeof(buf), "%s", spec) >= (int)sizeof(buf)) {
		snprintf(why, n, "the list is longer than %zu bytes", sizeof(buf) - 1);
		return -1;
	}
	if (!*spec || spec[0] == ',' || strstr(spec, ",,") || spec[strlen(spec) - 1] == ',') {
		snprintf(why, n, "an empty entry");
		return -1;
	}
	for (char *m = strtok_r(buf, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
		char *dst = strchr(m, ':'), *mode = dst ? strchr(dst + 1, ':') : NULL;

		if (!dst || m[0] != '/' || dst[1] != '/') {
			snprintf(why, n, "\"%s\" is not SRC:DST[:ro|rw] with absolute paths", m);
			return -1;
		}
		if (mode && strcmp(mode, ":ro") && strcmp(mode, ":rw")) {
			snprintf(why, n, "\"%s\": the mode must be ro or rw", m);
			return -1;
		}
	}
	return 0;
}

/* spank_name_check - a container name as Docker takes it. Return: 0 or -1 */
static int spank_name_check(const char *name)
{
	if (!*name || strlen(name) > 200 ||
	    !strchr("abcdefghijklmnopqrstuvwxyz"
	            "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789",
	            name[0]))
		return -1;
	return strspn(name, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-") ==
	               strlen(name)
	           ? 0
	           : -1;
}

/* spank_set - keep @v in *@slot. Return: 0 or -1 (no memory) */
static int spank_set(char **slot, const char *v)
{
	free(*slot);
	*slot = strdup(v);
	return *slot ? 0 : -1;
}

/* implements spank_opt_cb_f for every option; @val says which */
static int spank_opt(int val, const char *optarg, int remote)
{
	char why[512];

	(void)remote;
	if (!optarg || !*optarg) {
		slurm_error("warren: an option of the plugin needs a value");
		return -1;
	}
	switch (val) {
	case 'i':
		if (optarg[0] == '-') {
			slurm_error("warren: invalid --container-image \"%s\": an image name or a "
			            "path, not an option",
			            optarg);
			return -1;
		}
		return spank_set(&opt_image, optarg);
	case 'm':
		if (spank_mounts_check(optarg, why, sizeof(why)) < 0) {
			slurm_error("warren: invalid --container-mounts: %s", why);
			return -1;
		}
		return spank_set(&opt_mounts, optarg);
	case 'w':
		if (optarg[0] != '/') {
			slurm_error(
			    "warren: invalid --container-workdir \"%s\": the path must be absolute",
			    optarg);
			return -1;
		}
		return spank_set(&opt_workdir, optarg);
	case 'e':
		if (optarg[0] == ',' || strstr(optarg, ",,") || strchr(optarg, '=') ||
		    optarg[strlen(optarg) - 1] == ',') {
			slurm_error("warren: invalid --container-env \"%s\": NAME[,NAME...]",
			            optarg);
			return -1;
		}
		return spank_set(&opt_env, optarg);
	case 'n':
		if (spank_name_check(optarg) < 0) {
			slurm_error(
			    "warren: invalid --container-name \"%s\": letters, digits, _ . - "
			    "(a letter or digit first)",
			    optarg);
			return -1;
		}
		return spank_set(&opt_name, optarg);
	}
	return -1;
}

struct spank_option spank_options[] = {
	{ "container-image", "IMAGE", "[warren] run the step's tasks in a container of IMAGE", 1,
	  'i', spank_opt },
	{ "container-mounts", "SRC:DST[:ro|rw],...", "[warren] bind mounts for the container", 1,
	  'm', spank_opt },
	{ "container-workdir", "DIR", "[warren] working directory inside the container", 1, 'w',
	  spank_opt },
	{ "container-env", "NAME[,NAME...]",
	  "[warren] these variables take the job's values even where the image sets them", 1, 'e',
	  spank_opt },
	{ "container-name", "NAME", "[warren] name the containers NAME-TASKID", 1, 'n', spank_opt },
	SPANK_OPTIONS_TABLE_END
};

/* implements slurm_spank_init: the plugin's own arguments */
int slurm_spank_init(spank_t sp, int ac, char **av)
{
	(void)sp;
	for (int i = 0; i < ac; i++) {
		if (!strncmp(av[i], "warren=", 7) && av[i][7] == '/') {
			snprintf(warren_path, sizeof(warren_path), "%s", av[i] + 7);
		} else if (!strncmp(av[i], "device=", 7)) {
			/* VENDOR/CLASS=NAME, as warren run --device takes it */
			const char *v = av[i] + 7, *slash = strchr(v, '/'), *eq = strchr(v, '=');
			if (!slash || slash == v || !eq || eq < slash || !eq[1]) {
				slurm_error("warren: invalid plugstack.conf argument \"%s\": a CDI "
				            "device is VENDOR/CLASS=NAME (nvidia.com/gpu=all)",
				            av[i]);
				return -1;
			}
			if (site_devices_n == SPANK_DEVICES_MAX) {
				slurm_error("warren: more than %d device= arguments in "
				            "plugstack.conf",
				            SPANK_DEVICES_MAX);
				return -1;
			}
			if (!(site_devices[site_devices_n++] = strdup(v)))
				return -1;
		} else if (!strncmp(av[i], "cdi-spec-dirs=", 14) && av[i][14] == '/') {
			if (spank_set(&site_cdi_dirs, av[i] + 14) < 0)
				return -1;
		} else {
			slurm_error("warren: unknown plugstack.conf argument \"%s\" (known: "
			            "warren=/PATH, device=VENDOR/CLASS=NAME, cdi-spec-dirs=/DIR)",
			            av[i]);
			return -1;
		}
	}
	return 0;
}

/* spank_sqsh_p - whether the image is a SquashFS file, passed as a path */
static bool spank_sqsh_p(void)
{
	size_t n = strlen(opt_image);
	return n > 5 && !strcmp(opt_image + n - 5, ".sqsh");
}

/*
 * spank_warren_out - run warren ARGS as the job's user (fully: real, effective
 * and saved IDs) with the job's environment, its stdout into @out (up to
 * @size, NUL-terminated) and the last line of its stderr into @errline.
 * Return: warren's exit code, or -1 when it could not run
 */
static int spank_warren_out(spank_t sp, char *const args[], char *out, size_t size, char *errline,
                            size_t errsize)
{
	uid_t uid;
	gid_t gid;
	char **env = NULL;
	int po[2], pe[2], status;
	size_t len = 0;
	char ebuf[4096];
	size_t elen = 0;
	pid_t pid;

	if (spank_get_item(sp, S_JOB_UID, &uid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_GID, &gid) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_ENV, &env) != ESPANK_SUCCESS)
		return -1;
	if (pipe2(po, O_CLOEXEC) < 0)
		return -1;
	if (pipe2(pe, O_CLOEXEC) < 0) {
		close(po[0]);
		close(po[1]);
		return -1;
	}
	pid = fork();
	if (pid < 0) {
		close(po[0]);
		close(po[1]);
		close(pe[0]);
		close(pe[1]);
		return -1;
	}
	if (pid == 0) {
		int null = open("/dev/null", O_RDONLY | O_CLOEXEC);
		struct passwd pw, *pwp = NULL;
		char pwbuf[4096];

		/* as root (slurm_spank_exit), the user's groups first; with the
		 * user's effective ID (user_init), slurmstepd has set them */
		if (geteuid() == 0 && (getpwuid_r(uid, &pw, pwbuf, sizeof(pwbuf), &pwp) != 0 ||
		                       !pwp || initgroups(pw.pw_name, gid) < 0))
			_exit(127);
		if (null < 0 || dup2(null, 0) < 0 || dup2(po[1], 1) < 0 || dup2(pe[1], 2) < 0 ||
		    setresgid(gid, gid, gid) < 0 || setresuid(uid, uid, uid) < 0)
			_exit(127);
		execve(warren_path, args, env);
		dprintf(2, "cannot run %s: %s (set warren=PATH in plugstack.conf)\n", warren_path,
		        strerror(errno));
		_exit(127);
	}
	close(po[1]);
	close(pe[1]);
	/* stdout first, then stderr: warren writes little to either */
	for (;;) {
		ssize_t r = read(po[0], out + len, size - 1 - len);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
		if (len == size - 1) {
			char sink[4096];
			while (read(po[0], sink, sizeof(sink)) > 0) {
			}
			break;
		}
	}
	out[len] = '\0';
	for (;;) {
		ssize_t r = read(pe[0], ebuf + elen, sizeof(ebuf) - 1 - elen);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		elen += (size_t)r;
		if (elen == sizeof(ebuf) - 1) {
			/* keep the end: the last line is the one that counts */
			memmove(ebuf, ebuf + elen / 2, elen - elen / 2);
			elen -= elen / 2;
		}
	}
	ebuf[elen] = '\0';
	close(po[0]);
	close(pe[0]);
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			return -1;
	while (elen && ebuf[elen - 1] == '\n')
		ebuf[--elen] = '\0';
	{
		char *last = strrchr(ebuf, '\n');
		snprintf(errline, errsize, "%s", last ? last + 1 : ebuf);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* implements slurm_spank_user_init: once per node, as the job's user (its
 * effective ID), before the tasks: the image in the store, its environment */
int slurm_spank_user_init(spank_t sp, int ac, char **av)
{
	char errline[1024], out[64];
	char *const inspect[] = { "warren",
		                  "image",
		                  "inspect",
		                  "--format",
		                  "{{range .Config.Env}}{{println .}}{{end}}",
		                  opt_image,
		                  NULL };
	char *const pull[] = { "warren", "pull", "--quiet", opt_image, NULL };
	int rc;

	(void)ac;
	(void)av;
	if (!opt_image || spank_context() != S_CTX_REMOTE || spank_sqsh_p())
		return 0;
	rc = spank_warren_out(sp, inspect, image_env, sizeof(image_env), errline, sizeof(errline));
	if (rc == 0)
		return 0;
	if (rc < 0) {
		snprintf(image_error, sizeof(image_error), "cannot run %s: %s", warren_path,
		         strerror(errno));
		return 0;
	}
	rc = spank_warren_out(sp, pull, out, sizeof(out), errline, sizeof(errline));
	if (rc == 0)
		rc = spank_warren_out(sp, inspect, image_env, sizeof(image_env), errline,
		                      sizeof(errline));
	if (rc != 0) {
		/* the tasks fail with it: slurmstepd would log a failed user_init
		 * but let srun exit 0 */
		char *why = errline;
		if (!strncmp(why, "warren: ", 8))
			why += 8;
		snprintf(image_error, sizeof(image_error), "%s", *why ? why : "warren pull failed");
	}
	return 0;
}

/* srun's limits, which slurmstepd would apply after the last SPANK hook */
static const struct {
	const char *name;
	int resource;
} rlimits[] = {
	{ "SLURM_RLIMIT_CPU", RLIMIT_CPU },         { "SLURM_RLIMIT_FSIZE", RLIMIT_FSIZE },
	{ "SLURM_RLIMIT_DATA", RLIMIT_DATA },       { "SLURM_RLIMIT_STACK", RLIMIT_STACK },
	{ "SLURM_RLIMIT_CORE", RLIMIT_CORE },       { "SLURM_RLIMIT_RSS", RLIMIT_RSS },
	{ "SLURM_RLIMIT_NPROC", RLIMIT_NPROC },     { "SLURM_RLIMIT_NOFILE", RLIMIT_NOFILE },
	{ "SLURM_RLIMIT_MEMLOCK", RLIMIT_MEMLOCK }, { "SLURM_RLIMIT_AS", RLIMIT_AS },
};

/* spank_rlimit_p - whether @kv is one of srun's limits; if so, it is set
 * as the soft limit (up to the hard one), as slurmstepd sets it on a task */
static bool spank_rlimit_p(const char *kv)
{
	for (size_t i = 0; i < sizeof(rlimits) / sizeof(rlimits[0]); i++) {
		size_t n = strlen(rlimits[i].name);
		struct rlimit rl;
		unsigned long long v;
		char *end;

		if (strncmp(kv, rlimits[i].name, n) || kv[n] != '=')
			continue;
		errno = 0;
		v = strtoull(kv + n + 1 + (kv[n + 1] == 'U'), &end, 10);
		if (!errno && end != kv + n + 1 && !*end &&
		    getrlimit(rlimits[i].resource, &rl) == 0) {
			rl.rlim_cur = (rlim_t)v < rl.rlim_max ? (rlim_t)v : rl.rlim_max;
			(void)setrlimit(rlimits[i].resource, &rl); /* best effort, as Slurm's */
		}
		return true;
	}
	return false;
}

/* spank_env_passed_p - whether the job's variable @kv goes into the
 * container: not one of the host's own, not one the image sets */
static bool spank_env_passed_p(const char *kv)
{
	size_t n = strcspn(kv, "=");

	if (!kv[n] || !n || spank_rlimit_p(kv))
		return false;
	for (const char *const *h = env_host_only; *h; h++)
		if (strlen(*h) == n && !strncmp(kv, *h, n))
			return false;
	/* --container-env: the job's value wins */
	for (const char *e = opt_env; e && *e;) {
		size_t len = strcspn(e, ",");
		if (len == n && !strncmp(e, kv, n))
			return true;
		e += len + (e[len] == ',');
	}
	for (const char *l = image_env; *l;) {
		if (!strncmp(l, kv, n) && l[n] == '=')
			return false;
		l = strchr(l, '\n');
		if (!l)
			break;
		l++;
	}
	return true;
}

/* getenv_in - whether @env holds a variable @name */
static bool getenv_in(char **env, const char *name)
{
	size_t n = strlen(name);

	for (; env && *env; env++)
		if (!strncmp(*env, name, n) && (*env)[n] == '=')
			return true;
	return false;
}

/* implements slurm_spank_task_init: the task's process, about to exec the
 * command, execs warren run with it instead */
int slurm_spank_task_init(spank_t sp, int ac, char **av)
{
	int argc = 0, nenv = 0, nmounts = 0, i = 0;
	char **argv = NULL, **env = NULL, **args;
	char name[256], host[256] = "", *mounts = NULL, *save = NULL;
	uint32_t taskid = 0;

	(void)ac;
	(void)av;
	if (!opt_image || spank_context() != S_CTX_REMOTE)
		return 0;
	/* for warren itself (never passed into the container, env_host_only) */
	if (site_cdi_dirs &&
	    spank_setenv(sp, "WARREN_CDI_SPEC_DIRS", site_cdi_dirs, 1) != ESPANK_SUCCESS) {
		slurm_error("warren: cannot set WARREN_CDI_SPEC_DIRS for the task");
		return -1;
	}
	if (spank_get_item(sp, S_JOB_ARGV, &argc, &argv) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_JOB_ENV, &env) != ESPANK_SUCCESS ||
	    spank_get_item(sp, S_TASK_GLOBAL_ID, &taskid) != ESPANK_SUCCESS) {
		slurm_error("warren: cannot read the task's command and environment");
		return -1;
	}
	if (*image_error) {
		int localid = 1;
		/* one line a node, from its first task; every task fails */
		if (spank_get_item(sp, S_TASK_ID, &localid) == ESPANK_SUCCESS && localid == 0)
			dprintf(2, "warren: --container-image=%s: %s\n", opt_image, image_error);
		_exit(125);
	}
	while (env[nenv])
		nenv++;
	for (const char *m = opt_mounts; m && *m; m++)
		nmounts += *m == ',';
	nmounts += opt_mounts ? 1 : 0;
	/* warren run + 18 options, 2 words a mount, a device and a variable,
	 * IMAGE, CMD, NULL */
	args = calloc(19 + 2 * (size_t)nmounts + 2 * site_devices_n + 2 * (size_t)nenv +
	                  (size_t)argc + 2,
	              sizeof(*args));
	if (!args)
		return -1;
	args[i++] = "warren";
	args[i++] = "run";
	args[i++] = "--rm";
	args[i++] = "--init";
	args[i++] = "--interactive"; /* srun's stdin (task 0's, or /dev/null) */
	args[i++] = "--network=host";
	/* the node's /dev/shm and SysV IPC, as a step's host tasks share them:
	 * MPI's shared-memory transport between the tasks of one node */
	args[i++] = "--ipc=host";
	args[i++] = "--userns=keep-id";
	args[i++] = "--cgroups=disabled";
	if (!spank_sqsh_p())
		args[i++] = "--pull=never";
	/* the node's name, as Docker's --network host gives (MPI compares them) */
	if (gethostname(host, sizeof(host) - 1) == 0 && *host) {
		args[i++] = "--hostname";
		args[i++] = host;
	}
	if (opt_workdir) {
		args[i++] = "--workdir";
		args[i++] = opt_workdir;
	}
	if (opt_name) {
		snprintf(name, sizeof(name), "%s-%" PRIu32, opt_name, taskid);
		args[i++] = "--name";
		args[i++] = name;
	}
	if (opt_mounts) {
		mounts = strdup(opt_mounts);
		if (!mounts)
			return -1;
		for (char *m = strtok_r(mounts, ",", &save); m; m = strtok_r(NULL, ",", &save)) {
			args[i++] = "--volume";
			args[i++] = m;
		}
	}
	/* Open MPI refuses vader's single copy (CMA) between two user
	 * namespaces, and 4.1's fallback hangs on large messages: copy through
	 * the shared segment, unless the job chose (as warren run --hpc) */
	if (!getenv_in(env, "OMPI_MCA_btl_vader_single_copy_mechanism")) {
		args[i++] = "--env";
		args[i++] = "OMPI_MCA_btl_vader_single_copy_mechanism=none";
	}
	for (size_t d = 0; d < site_devices_n; d++) {
		args[i++] = "--device";
		args[i++] = site_devices[d];
	}
	for (int e = 0; e < nenv; e++)
		if (spank_env_passed_p(env[e])) {
			args[i++] = "--env"; /* -e NAME: the value from the environment */
			args[i++] = strndup(env[e], strcspn(env[e], "="));
			if (!args[i - 1])
				return -1;
		}
	args[i++] = opt_image;
	for (int a = 0; a < argc; a++)
		args[i++] = argv[a];
	args[i] = NULL;
	execve(warren_path, args, env);
	slurm_error("warren: cannot run %s: %s (set warren=PATH in plugstack.conf)", warren_path,
	            strerror(errno));
	return -1;
}

/* implements slurm_spank_task_exit: in slurmstepd, as each task ends */
int slurm_spank_task_exit(spank_t sp, int ac, char **av)
{
	int status = 0;

	(void)ac;
	(void)av;
	if (opt_image && spank_context() == S_CTX_REMOTE &&
	    spank_get_item(sp, S_TASK_EXIT_STATUS, &status) == ESPANK_SUCCESS &&
	    WIFSIGNALED(status)) {
		uint32_t id;
		task_signalled = true;
		if (spank_get_item(sp, S_TASK_GLOBAL_ID, &id) == ESPANK_SUCCESS &&
		    signalled_n < sizeof(signalled_ids) / sizeof(signalled_ids[0]))
			signalled_ids[signalled_n++] = id;
	}
	return 0;
}

/*
 * spank_rm_named - warren rm -f of the named containers of the tasks that were
 * killed: a named container has a record, and its monitor (which holds the
 * container) is no child of the task's warren run, so Slurm's kill of the
 * step's processes does not reach it
 */
static void spank_rm_named(spank_t sp)
{
	static char names[sizeof(signalled_ids) / sizeof(signalled_ids[0])][256];
	char *args[sizeof(signalled_ids) / sizeof(signalled_ids[0]) + 5];
	char out[4096], errline[1024];
	size_t a = 0;

	args[a++] = "warren";
	args[a++] = "rm";
	args[a++] = "--force";
	for (size_t i = 0; i < signalled_n; i++) {
		snprintf(names[i], sizeof(names[i]), "%s-%" PRIu32, opt_name, signalled_ids[i]);
		args[a++] = names[i];
	}
	args[a] = NULL;
	if (spank_warren_out(sp, args, out, sizeof(out), errline, sizeof(errline)) != 0)
		slurm_error("warren: removing the killed tasks' containers: %s", errline);
}

/*
 * implements slurm_spank_exit: in slurmstepd, once the step's tasks on this
 * node are gone. A cancelled step (scancel) kills its processes with SIGKILL,
 * so a task's warren run --rm could not remove its container's writable
 * layer; the store's garbage collection removes what a killed foreground run
 * left (and nothing else: an image prune of the images with a label none
 * has).
 */
int slurm_spank_exit(spank_t sp, int ac, char **av)
{
	char out[256], errline[1024];
	char *const gc[] = { "warren",  "image",    "prune",
		             "--force", "--filter", "label=org.warren.slurm.none",
		             NULL };

	(void)ac;
	(void)av;
	if (!opt_image || spank_context() != S_CTX_REMOTE || !task_signalled)
		return 0;
	if (opt_name && signalled_n)
		spank_rm_named(sp);
	if (spank_warren_out(sp, gc, out, sizeof(out), errline, sizeof(errline)) != 0)
		slurm_error("warren: removing the killed containers' files: %s", errline);
	return 0;
}
