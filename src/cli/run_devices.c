/* run_devices.c - --device, --gpus, --device-cgroup-rule, --ipc, --pid and
 * --hpc of run and create: parsed and checked before anything exists (a
 * device the user cannot open, a CDI name no spec declares, a broken
 * spec: one line, exit 125). The nodes become binds (devices.c), CDI
 * names the edits of their specs (cdi.c). */
#include "run_devices.h"
#include "devices.h"
#include "util.h"

#include <errno.h>
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

/* run_devices_gpus_field - the next field of --gpus's value at *@p, a CSV
 * line as Docker reads it (double quotes group, so "device=0,1" is one
 * field), unquoted into @out. Return: 0, or -1 when unbalanced or too long */
static int run_devices_gpus_field(const char **p, char *out, size_t size)
{
	bool quoted = false;
	size_t n = 0;

	for (; **p && (quoted || **p != ','); (*p)++) {
		if (**p == '"') {
			quoted = !quoted;
			continue;
		}
		if (n + 1 >= size)
			return -1;
		out[n++] = **p;
	}
	out[n] = '\0';
	if (**p == ',')
		(*p)++;
	return quoted ? -1 : 0;
}

/* run_devices_gpus_count - a --gpus count: all (-1) or a number of GPUs */
static int run_devices_gpus_count(const char *v, long *count, struct werr *err)
{
	char *end;

	if (!strcmp(v, "all")) {
		*count = -1;
		return 0;
	}
	errno = 0;
	*count = strtol(v, &end, 10);
	if (errno || end == v || *end || *count < 0 || *count > 1024)
		return werr_set(err, EINVAL,
		                "invalid --gpus count \"%s\": all or a number of GPUs (0 to 1024)",
		                v);
	return 0;
}

/*
 * run_devices_gpus - Docker's --gpus: a CSV list of [count=]all|N,
 * device=ID[,ID...] (quoted, as --gpus '"device=0,1"'), driver=nvidia,
 * capabilities=... and options=... (the CDI spec decides what a GPU brings,
 * so those two change nothing). Each GPU becomes the CDI device
 * nvidia.com/gpu=ID, a count N the first N: 0 to N-1, the names
 * nvidia-ctk cdi generate gives them.
 */
static int run_devices_gpus(struct run_devices *d, const char *v, struct werr *err)
{
	char field[1024], name[256], ids[1024] = "";
	const char *p = v;
	bool seen_count = false, seen_device = false, seen_driver = false;
	long count = 1;

	d->gpus = true;
	if (!*v)
		return werr_set(err, EINVAL, "invalid --gpus \"\": use all, a count or device=ID");
	while (*p) {
		char *val;
		if (run_devices_gpus_field(&p, field, sizeof(field)) < 0)
			return werr_set(
			    err, EINVAL,
			    "invalid --gpus \"%s\": an unbalanced quote or a field longer "
			    "than %zu bytes",
			    v, sizeof(field) - 1);
		val = strchr(field, '=');
		if (val)
			*val++ = '\0';
		if (!val || !strcmp(field, "count")) {
			if (seen_count)
				return werr_set(err, EINVAL,
				                "invalid --gpus \"%s\": the count is given twice",
				                v);
			seen_count = true;
			if (run_devices_gpus_count(val ? val : field, &count, err) < 0)
				return -err->code;
		} else if (!strcmp(field, "device")) {
			if (seen_device || !*val)
				return werr_set(
				    err, EINVAL,
				    "invalid --gpus \"%s\": device=ID[,ID...] once, not empty", v);
			seen_device = true;
			snprintf(ids, sizeof(ids), "%s", val);
		} else if (!strcmp(field, "driver")) {
			if (seen_driver || strcmp(val, "nvidia"))
				return werr_set(
				    err, EINVAL,
				    "invalid --gpus driver \"%s\": warren knows GPUs through "
				    "CDI specs of kind nvidia.com/gpu (for others: --device "
				    "VENDOR/CLASS=NAME)",
				    val);
			seen_driver = true;
		} else if (strcmp(field, "capabilities") && strcmp(field, "options")) {
			return werr_set(err, EINVAL,
			                "invalid --gpus \"%s\": unknown key \"%s\" (known: all, a "
			                "count, count=, device=, driver=, capabilities=, options=)",
			                v, field);
		}
	}
	if (seen_count && seen_device)
		return werr_set(err, EINVAL,
		                "invalid --gpus \"%s\": a count and device= exclude each other "
		                "(quote the list: --gpus '\"device=0,1\"')",
		                v);
	if (seen_device) {
		for (const char *q = ids; *q;) {
			size_t l = strcspn(q, ",");
			if (l == 0 || l > 200)
				return werr_set(err, EINVAL,
				                "invalid --gpus \"%s\": an empty or long GPU ID",
				                v);
			snprintf(name, sizeof(name), "nvidia.com/gpu=%.*s", (int)l, q);
			if (run_devices_cdi_add(d, name, err) < 0)
				return -err->code;
			q += l + (q[l] == ',');
		}
		return 0;
	}
	if (count < 0)
		return run_devices_cdi_add(d, "nvidia.com/gpu=all", err);
	for (long i = 0; i < count; i++) {
		snprintf(name, sizeof(name), "nvidia.com/gpu=%ld", i);
		if (run_devices_cdi_add(d, name, err) < 0)
			return -err->code;
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
	/* joining another container's IPC or PID namespace needs this one
	 * made in that container's user namespace (as --network container:
	 * is, netjoin.c); not done for these two */
	if (!strncmp(v, "container:", 10))
		return werr_set(err, ENOTSUP,
		                "--%s %s is not supported: warren cannot yet join another "
		                "container's %s namespace; use --%s host for both containers",
		                flag, v, !strcmp(flag, "ipc") ? "IPC" : "PID", flag);
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
		if (r == -ENOENT && d->gpus && !strncmp(d->cdi_names[i], "nvidia.com/gpu=", 15))
			return werr_set(
			    err, ENOENT,
			    "--gpus: the CDI specs in %s declare no GPU %s (nvidia-ctk "
			    "cdi list shows the GPUs; after a change of hardware, as an "
			    "administrator: nvidia-ctk cdi generate "
			    "--output=/etc/cdi/nvidia.yaml)",
			    cdi_dirs ? cdi_dirs : CDI_SPEC_DIRS_DEFAULT, d->cdi_names[i]);
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
