/* run_hpc.c - what run's cluster flags add to its configuration before the
 * spec is built: the --hpc preset (docs/hpc.md) and the binds of --device
 * nodes and CDI devices. */
#include "run_cfg.h"
#include "commands.h"
#include "util.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

/* the host variables a job's processes need inside: Open MPI's and
 * PMIx's (how a rank finds its launcher), PMI's and Slurm's */
static const char *const hpc_env_prefixes[] = { "OMPI_", "OPAL_", "PMIX_", "PMI_", "SLURM_" };

static int run_hpc_env(struct run_cfg *cfg, struct werr *err)
{
	extern char **environ;
	/* Open MPI refuses vader's single copy (CMA) between processes of two
	 * user namespaces, as every container's is, and its 4.1 fallback then
	 * hangs on large messages: copy through the shared segment instead,
	 * unless the job says otherwise (its variable comes later and wins) */
	char *cma = strdup("OMPI_MCA_btl_vader_single_copy_mechanism=none");

	if (!cma || util_array_push(&cfg->pass_env, &cfg->n_pass_env, sizeof(char *), &cma) < 0) {
		free(cma);
		return werr_errno(err, ENOMEM, "--hpc");
	}

	for (char **e = environ; e && *e; e++) {
		bool pass = !strncmp(*e, "HOME=", 5);
		char *s;
		for (size_t i = 0; i < ARRAY_SIZE(hpc_env_prefixes); i++)
			pass |= !strncmp(*e, hpc_env_prefixes[i], strlen(hpc_env_prefixes[i]));
		if (!pass)
			continue;
		if (!(s = strdup(*e)) ||
		    util_array_push(&cfg->pass_env, &cfg->n_pass_env, sizeof(char *), &s) < 0) {
			free(s);
			return werr_errno(err, ENOMEM, "--hpc");
		}
	}
	return 0;
}

static int run_hpc_bind(struct run_cfg *cfg, const char *path, struct werr *err)
{
	struct mount_spec m = { .kind = MOUNT_BIND, .src = strdup(path), .dst = strdup(path) };

	if (!m.src || !m.dst || run_vols_push(&cfg->vols, &m, err) < 0) {
		free(m.src);
		free(m.dst);
		return werr_errno(err, ENOMEM, "--hpc");
	}
	return 0;
}

int run_hpc(struct run_cfg *cfg, struct werr *err)
{
	static char cwd[PATH_MAX], host[65];
	const char *home = getenv("HOME");

	if (!cfg->devs.hpc)
		return 0;
	if (!cfg->userns_given)
		cfg->keep_id = true;
	if (!cfg->net_given) {
		if (run_net_option(&cfg->net, "network", "host", err) < 0)
			return -err->code;
		cfg->network_host = true;
	}
	if (!cfg->devs.ipc_set)
		cfg->devs.ipc_host = true;
	if (!cfg->devs.pid_set)
		cfg->devs.pid_host = true;
	/* the host's name, as Docker gives a --network host container: MPI
	 * names its shared-memory segments after it, so every rank must agree */
	if (!cfg->hostname && cfg->net.mode == NET_MODE_HOST &&
	    gethostname(host, sizeof(host) - 1) == 0 && host[0])
		cfg->hostname = host;
	if (!getcwd(cwd, sizeof(cwd)))
		return werr_errno(err, errno, "--hpc: the current directory");
	/* the home, /tmp (where MPI and PMIx keep their session directories,
	 * which the ranks share with their launcher), $TMPDIR and the working
	 * directory, each unless an earlier one's bind holds it already */
	{
		const char *want[] = { home, "/tmp", getenv("TMPDIR"), cwd };
		for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
			bool held = !want[i] || want[i][0] != '/' || !strcmp(want[i], "/");
			for (size_t j = 0; !held && j < i; j++) {
				size_t l = want[j] && want[j][0] == '/' && strcmp(want[j], "/")
				               ? strlen(want[j])
				               : 0;
				held = l && !strncmp(want[i], want[j], l) &&
				       (want[i][l] == '/' || !want[i][l]);
			}
			/* the user's own mount of the same place wins */
			for (size_t k = 0; !held && k < cfg->vols.n_mounts; k++)
				held = cfg->vols.mounts[k].dst &&
				       !strcmp(cfg->vols.mounts[k].dst, want[i]);
			if (!held && run_hpc_bind(cfg, want[i], err) < 0)
				return -err->code;
		}
	}
	if (!cfg->workdir_given)
		cfg->workdir = cwd;
	return run_hpc_env(cfg, err);
}

int run_devices_mount(struct run_cfg *cfg, struct werr *err)
{
	struct run_devices *d = &cfg->devs;
	const char *dirs = cli_gopts()->cdi_spec_dirs;

	if (run_devices_resolve(d, dirs[0] ? dirs : NULL, err) < 0)
		return -err->code;
	/* their strings become the mounts': what is not moved stays @d's */
	while (d->n_nodes > 0) {
		if (run_vols_push(&cfg->vols, &d->nodes[0], err) < 0)
			return -err->code;
		memmove(d->nodes, d->nodes + 1, --d->n_nodes * sizeof(*d->nodes));
	}
	while (d->cdi.n_mounts > 0) {
		if (run_vols_push(&cfg->vols, &d->cdi.mounts[0], err) < 0)
			return -err->code;
		memmove(d->cdi.mounts, d->cdi.mounts + 1,
		        --d->cdi.n_mounts * sizeof(*d->cdi.mounts));
	}
	return 0;
}
