/* run_devices.c - --device, --gpus, --device-cgroup-rule, --ipc, --pid and
 * --hpc of run and create: parsed and checked before anything exists (a
 * device the user cannot open, a CDI name no spec declares, a broken
 * spec: one line, exit 125). The nodes become binds (devices.c), CDI
 * names the edits of their specs (cdi.c). */
#include "run_devices.h"
#include "devices.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int run_devices_cdi_add(struct run_devices *d, const char *name, struct werr *err)
{
	char *s = strdup(name);

	if (!s || util_array_push(&d->cdi_names, &d->n_cdi, sizeof(char *), &s) < 0) {
		free(s);
		return werr_errno(err, ENOMEM, "--device");
	}
	return 0;
}

/* Docker's --gpus: all, or device=ID,ID (a count needs a scheduler's view
 * of free GPUs, which a CDI spec does not give) */
static int run_devices_gpus(struct run_devices *d, const char *v, struct werr *err)
{
	char name[256];

	d->gpus = true;
	if (!strcmp(v, "all") || !strcmp(v, "device=all"))
		return run_devices_cdi_add(d, "nvidia.com/gpu=all", err);
	if (strncmp(v, "device=", 7) && strncmp(v, "\"device=", 8))
		return werr_set(err, EINVAL,
		                "invalid --gpus \"%s\": use all or device=ID[,ID...] (a count is "
		                "not supported: name the GPUs)",
		                v);
	v += v[0] == '"' ? 8 : 7;
	for (const char *p = v; *p;) {
		size_t l = strcspn(p, ",\"");
		if (l == 0 || l > 200)
			return werr_set(err, EINVAL, "invalid --gpus: an empty or long GPU ID");
		snprintf(name, sizeof(name), "nvidia.com/gpu=%.*s", (int)l, p);
		if (run_devices_cdi_add(d, name, err) < 0)
			return -err->code;
		p += l;
		p += strspn(p, ",\"");
	}
	return 0;
}

static int run_devices_ns(const char *flag, const char *v, bool *host, bool *set, struct werr *err)
{
	if (!strcmp(v, "host") || !strcmp(v, "private") || !strcmp(v, "") ||
	    (!strcmp(flag, "ipc") && !strcmp(v, "shareable"))) {
		*host = !strcmp(v, "host");
		*set = true;
		return 0;
	}
	return werr_set(err, EINVAL, "invalid --%s \"%s\": warren runs %s or host", flag, v,
	                !strcmp(flag, "ipc") ? "private, shareable" : "private");
}

int run_devices_opt(struct run_devices *d, const struct opt_def *def, const char *v,
                    struct werr *err)
{
	struct mount_spec m;
	int r;

	switch (def->id) {
	case RD_DEVICE:
		if (cdi_name_p(v))
			return run_devices_cdi_add(d, v, err);
		r = devices_parse(v, &m, err);
		if (r < 0)
			return r;
		if (util_array_push(&d->nodes, &d->n_nodes, sizeof(m), &m) < 0) {
			free(m.src);
			free(m.dst);
			return werr_errno(err, ENOMEM, "--device");
		}
		return 0;
	case RD_DEVICE_CGROUP_RULE:
		return werr_set(err, ENOTSUP,
		                "--device-cgroup-rule \"%s\" cannot be applied: a rootless "
		                "container's device rules need privileges (a cgroup v2 BPF "
		                "program); use --device with a node you can open",
		                v);
	case RD_GPUS: return run_devices_gpus(d, v, err);
	case RD_IPC: return run_devices_ns("ipc", v, &d->ipc_host, &d->ipc_set, err);
	case RD_PID: return run_devices_ns("pid", v, &d->pid_host, &d->pid_set, err);
	case RD_HPC: d->hpc = !strcmp(v, "true"); return 0;
	}
	return werr_set(err, EINVAL, "internal: unhandled option %s", def->long_name);
}

int run_devices_resolve(struct run_devices *d, const char *cdi_dirs, struct werr *err)
{
	for (size_t i = 0; i < d->n_cdi; i++) {
		int r;
		if (d->gpus && !strncmp(d->cdi_names[i], "nvidia.com/gpu=", 15) &&
		    !cdi_kind_present(cdi_dirs, "nvidia.com/gpu"))
			return werr_set(err, ENOENT,
			                "--gpus: no CDI spec for nvidia.com/gpu in %s: an "
			                "administrator makes one with nvidia-ctk cdi generate "
			                "--output=/etc/cdi/nvidia.yaml",
			                cdi_dirs ? cdi_dirs : CDI_SPEC_DIRS_DEFAULT);
		r = cdi_resolve(cdi_dirs, d->cdi_names[i], &d->cdi, err);
		if (r < 0)
			return r;
	}
	return 0;
}

void run_devices_apply(const struct run_devices *d, struct container_spec *spec)
{
	spec->ipc_host = d->ipc_host;
	spec->pid_host = d->pid_host;
	spec->hooks = d->cdi.hooks;
	spec->n_hooks = d->cdi.n_hooks;
}

void run_devices_free(struct run_devices *d)
{
	for (size_t i = 0; i < d->n_nodes; i++) {
		free(d->nodes[i].src);
		free(d->nodes[i].dst);
	}
	free(d->nodes);
	for (size_t i = 0; i < d->n_cdi; i++)
		free(d->cdi_names[i]);
	free(d->cdi_names);
	cdi_edits_free(&d->cdi);
	memset(d, 0, sizeof(*d));
}
