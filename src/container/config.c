/* config.c - the runtime spec to and from config.json. The Docker-shaped
 * part is written for readers; only the "Warren" part is read back, so the
 * container that starts again is the one that was created. */
#include "config.h"
#include "caps.h"
#include "config_net.h"
#include "netspec.h"
#include "ctrcgroup.h"
#include "cleanup.h"
#include "idmap_json.h"
#include "state.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *strv_json(char **v)
{
	json_t *a = json_array();

	for (; v && *v; v++)
		json_array_append_new(a, json_string(*v));
	return a;
}

static json_t *mounts_docker(const struct container_spec *spec)
{
	json_t *a = json_array();

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct mount_spec *m = &spec->mounts[i];
		const char *vol = m->src ? strstr(m->src, "/volumes/") : NULL;
		json_t *o = json_pack("{s:s, s:s, s:s, s:b}", "Type",
		                      m->kind == MOUNT_TMPFS ? "tmpfs"
		                      : vol                  ? "volume"
		                                             : "bind",
		                      "Source", m->src ? m->src : "", "Destination", m->dst, "RW",
		                      !m->readonly);
		if (vol && m->kind == MOUNT_BIND) {
			char name[256];
			int end = 0;
			/* a store volume; an image's VOLUME of an image container lives
			 * in containers/ID/volumes/N and has no name */
			if (sscanf(vol, "/volumes/%255[^/]/_data%n", name, &end) == 1 && end &&
			    !vol[end])
				json_object_set_new(o, "Name", json_string(name));
		}
		json_array_append_new(a, o);
	}
	return a;
}

static json_t *mounts_warren(const struct container_spec *spec)
{
	json_t *a = json_array();

	for (size_t i = 0; i < spec->n_mounts; i++) {
		const struct mount_spec *m = &spec->mounts[i];
		json_array_append_new(a, json_pack("{s:i, s:s?, s:s, s:b, s:s?, s:I}", "Kind",
		                                   (int)m->kind, "Src", m->src, "Dst", m->dst,
		                                   "ReadOnly", m->readonly, "Options", m->options,
		                                   "Flags", (json_int_t)m->flags));
	}
	return a;
}

static json_t *rlimits_json(const struct container_spec *spec)
{
	json_t *a = json_array();

	for (size_t i = 0; i < spec->n_rlimits; i++)
		json_array_append_new(a, json_pack("{s:i, s:I, s:I}", "Resource",
		                                   spec->rlimits[i].resource, "Cur",
		                                   (json_int_t)spec->rlimits[i].lim.rlim_cur, "Max",
		                                   (json_int_t)spec->rlimits[i].lim.rlim_max));
	return a;
}

static const char *restart_name(enum restart_policy p)
{
	static const char *const names[] = { "no", "on-failure", "always", "unless-stopped" };

	return names[p];
}

/* HostConfig.NetworkMode: Podman's names, or the network's name as
 * Docker's; records from before networking say "none" */
static const char *net_mode_name(const struct net_spec *net)
{
	if (net->mode == NET_MODE_BRIDGE)
		return net->bridge_net;
	return net->mode == NET_MODE_HOST   ? "host"
	       : net->mode == NET_MODE_NONE ? "none"
	                                    : "slirp4netns";
}

static enum net_mode net_mode_from(const char *name)
{
	if (name && !strcmp(name, "host"))
		return NET_MODE_HOST;
	if (name && !strcmp(name, "slirp4netns"))
		return NET_MODE_SLIRP;
	if (!name || !strcmp(name, "none") || !strncmp(name, "container:", 10))
		return NET_MODE_NONE;
	return NET_MODE_BRIDGE;
}

/* the writable layer's overlay (kernel or warren-overlay) over the image */
static json_t *overlay_json(const struct overlay_spec *ov)
{
	json_t *o =
	    json_pack("{s:s, s:s, s:s, s:s, s:b}", "LowerBase", ov->lower_base, "Lower",
	              ov->lowerdir, "Upper", ov->upperdir, "Work", ov->workdir, "Fuse", ov->fuse);

	if (o && ov->squashfs)
		json_object_set_new(o, "Squashfs", json_string(ov->squashfs));
	return o;
}

static int overlay_from(json_t *o, struct container_spec *spec)
{
	struct overlay_spec *ov;

	if (!o)
		return 0;
	ov = calloc(1, sizeof(*ov));
	if (!ov)
		return -ENOMEM;
	ov->lower_base = json_string_value(json_object_get(o, "LowerBase"));
	ov->lowerdir = json_string_value(json_object_get(o, "Lower"));
	ov->upperdir = json_string_value(json_object_get(o, "Upper"));
	ov->workdir = json_string_value(json_object_get(o, "Work"));
	ov->fuse = json_is_true(json_object_get(o, "Fuse"));
	ov->squashfs = json_string_value(json_object_get(o, "Squashfs"));
	spec->overlay = ov;
	return ov->lower_base && ov->lowerdir && ov->upperdir && ov->workdir ? 0 : -EINVAL;
}

/* HostConfig.Sysctls, ShmSize and GroupAdd, as Docker names them; read back
 * by config_host_extra_from() */
static void config_host_extra(const struct container_spec *spec, json_t *host)
{
	json_t *sysctls = json_object();

	for (char **kv = spec->sysctls; kv && *kv; kv++) {
		const char *eq = strchr(*kv, '=');
		char key[256];
		if (!eq)
			continue;
		snprintf(key, sizeof(key), "%.*s", (int)(eq - *kv), *kv);
		json_object_set_new(sysctls, key, json_string(eq + 1));
	}
	json_object_set_new(host, "Sysctls", sysctls);
	json_object_set_new(host, "ShmSize",
	                    json_integer(spec->shm_size > 0 ? spec->shm_size : 64LL << 20));
	json_object_set_new(host, "GroupAdd", strv_json(spec->group_add));
	json_object_set_new(host, "IpcMode", json_string(spec->ipc_host ? "host" : "private"));
	json_object_set_new(host, "PidMode", json_string(spec->pid_host ? "host" : ""));
	ctrcgroup_to_json(spec, host);
}

/* Warren.Hooks: the CDI hooks, read back by hooks_from() */
static json_t *hooks_json(const struct container_spec *spec)
{
	json_t *a = json_array();

	for (size_t i = 0; i < spec->n_hooks; i++) {
		const struct hook_spec *h = &spec->hooks[i];
		json_array_append_new(
		    a, json_pack("{s:i, s:s, s:o, s:o, s:i}", "Stage", (int)h->stage, "Path",
		                 h->path, "Args", h->args ? strv_json(h->args) : json_null(), "Env",
		                 h->env ? strv_json(h->env) : json_null(), "Timeout", h->timeout));
	}
	return a;
}

json_t *config_from_spec(const struct container_spec *spec, const struct create_opts *o,
                         const char *name)
{
	char now[40], slashed[160], caps[32];
	const char *userns = spec->idmap.keep_id ? "keep-id" : ""; /* for readers only */
	json_t *c, *cfg, *host, *w, *logcfg;

	state_now(now);
	snprintf(slashed, sizeof(slashed), "/%s", name);
	snprintf(caps, sizeof(caps), "%llx", (unsigned long long)spec->caps);
	logcfg = json_object();
	if (o->log_max_size)
		json_object_set_new(logcfg, "max-size", json_integer(o->log_max_size));
	if (o->log_max_file)
		json_object_set_new(logcfg, "max-file", json_integer(o->log_max_file));
	cfg =
	    json_pack("{s:s, s:s?, s:o, s:o, s:s, s:O, s:b, s:b, s:b, s:s?, s:i, s:s}", "Hostname",
	              spec->hostname, "User", spec->user, "Env", strv_json(spec->env), "Cmd",
	              strv_json(spec->argv), "WorkingDir", spec->workdir ? spec->workdir : "",
	              "Labels", o->labels, "Tty", o->tty, "OpenStdin", spec->keep_stdin,
	              "AttachStdin", spec->keep_stdin, "StopSignal", o->stop_signal, "StopTimeout",
	              o->stop_timeout < 0 ? 10 : o->stop_timeout, "Image", o->image);
	host = json_pack("{s:b, s:{s:s, s:i}, s:{s:s, s:o}, s:b, s:b, s:b, s:s, s:s}", "AutoRemove",
	                 o->auto_remove, "RestartPolicy", "Name", restart_name(o->restart),
	                 "MaximumRetryCount", o->restart_max, "LogConfig", "Type", "k8s-file",
	                 "Config", logcfg, "ReadonlyRootfs", spec->readonly, "Privileged",
	                 spec->privileged, "Init", spec->init, "NetworkMode",
	                 net_mode_name(&spec->net), "UsernsMode", userns);
	if (host)
		config_host_extra(spec, host);
	if (cfg && o->healthcheck)
		json_object_set(cfg, "Healthcheck", o->healthcheck);
	if (spec->net.mode == NET_MODE_CONTAINER) /* Docker's "container:<id>" */
		json_object_set_new(host, "NetworkMode",
		                    json_sprintf("container:%s", spec->net.join_ref));
	w = json_pack("{s:s, s:s, s:b, s:b, s:s?, s:o, s:o, s:o, s:b}", "Rootfs", spec->rootfs,
	              "Caps", caps, "NoNewPrivs", spec->no_new_privs, "Seccomp", spec->seccomp,
	              "SeccompProfile", spec->seccomp_profile, "Argv", strv_json(spec->argv),
	              "Mounts", mounts_warren(spec), "Rlimits", rlimits_json(spec), "KeepStdin",
	              spec->keep_stdin);
	if (spec->overlay)
		json_object_set_new(w, "Overlay", overlay_json(spec->overlay));
	if (w && spec->n_hooks)
		json_object_set_new(w, "Hooks", hooks_json(spec));
	if (w && spec->fake_chown_off)
		json_object_set_new(w, "FakeChownOff", json_true());
	/* the networks it joins, as Docker's EndpointsConfig: network_in_use() */
	if (w && spec->net.mode == NET_MODE_BRIDGE) {
		json_t *aliases = json_array();
		for (size_t i = 0; i < spec->net.n_bridge_aliases; i++)
			json_array_append_new(aliases, json_string(spec->net.bridge_aliases[i]));
		json_t *nets = json_pack(
		    "{s:{s:{s:s?}, s:o}}", spec->net.bridge_net, "IPAMConfig", "IPv4Address",
		    spec->net.bridge_want[0] ? spec->net.bridge_want : NULL, "Aliases", aliases);
		/* the others in order, with their interfaces (network connect adds more) */
		for (size_t i = 0; nets && i < spec->net.n_bridge_more; i++) {
			const struct net_spec *m = &spec->net.bridge_more[i];
			json_t *al = json_array();
			for (size_t k = 0; k < m->n_bridge_aliases; k++)
				json_array_append_new(al, json_string(m->bridge_aliases[k]));
			json_object_set_new(nets, m->bridge_net,
			                    json_pack("{s:{s:s?}, s:o, s:s}", "IPAMConfig",
			                              "IPv4Address",
			                              m->bridge_want[0] ? m->bridge_want : NULL,
			                              "Aliases", al, "Interface", m->bridge_eth));
		}
		json_object_set_new(w, "Networks", nets);
	}
	/* decided once, here: start, exec, cp... use it, never a fresh plan */
	if (w && json_object_set_new(w, "IdMap", idmap_plan_to_json(&spec->idmap)) < 0) {
		json_decref(w);
		w = NULL;
	}
	c = json_pack("{s:s, s:s, s:s, s:s, s:s, s:o, s:o, s:o, s:o, s:o}", "Id", spec->id, "Name",
	              slashed, "Created", now, "Image", o->image_id ? o->image_id : o->image,
	              "Path", spec->argv[0], "Args", strv_json(spec->argv + 1), "Config", cfg,
	              "HostConfig", host, "Mounts", mounts_docker(spec), "Warren", w);
	if (c)
		config_net_to_json(&spec->net, c);
	/* socket switching (warren's): outbound TCP through the host's kernel */
	if (c)
		json_object_set_new(json_object_get(c, "HostConfig"), "NetworkBypass",
		                    json_boolean(container_bypasses(spec)));
	return c;
}

static json_t *config_at(json_t *config, const char *path)
{
	char key[64];
	json_t *j = config;

	while (j && *path) {
		size_t l = strcspn(path, ".");
		snprintf(key, sizeof(key), "%.*s", (int)l, path);
		j = json_object_get(j, key);
		path += l + (path[l] == '.');
	}
	return j;
}

const char *config_get(json_t *config, const char *path)
{
	return json_string_value(config_at(config, path));
}

long long config_get_int(json_t *config, const char *path)
{
	return json_integer_value(config_at(config, path));
}

static char **strv_from(json_t *a)
{
	size_t i, n = json_array_size(a);
	char **v = calloc(n + 1, sizeof(char *));

	for (i = 0; v && i < n; i++)
		v[i] = (char *)json_string_value(json_array_get(a, i));
	return v;
}

static int config_host_extra_from(json_t *host, struct container_spec *spec)
{
	json_t *sysctls = json_object_get(host, "Sysctls"), *v;
	const char *key;
	size_t n = 0;

	spec->shm_size = json_integer_value(json_object_get(host, "ShmSize"));
	ctrcgroup_from_json(host, spec);
	spec->group_add = strv_from(json_object_get(host, "GroupAdd"));
	spec->ipc_host = !strcmp(json_string_value(json_object_get(host, "IpcMode")) ?: "", "host");
	spec->pid_host = !strcmp(json_string_value(json_object_get(host, "PidMode")) ?: "", "host");
	spec->sysctls = calloc(json_object_size(sysctls) + 1, sizeof(char *));
	if (!spec->group_add || !spec->sysctls)
		return -ENOMEM;
	json_object_foreach(sysctls, key, v)
	{
		char *kv;
		if (!json_is_string(v))
			continue;
		if (asprintf(&kv, "%s=%s", key, json_string_value(v)) < 0)
			return -ENOMEM;
		spec->sysctls[n++] = kv;
	}
	return 0;
}

static int mounts_from(json_t *a, struct container_spec *spec)
{
	size_t i, n = json_array_size(a);

	spec->mounts = calloc(n + 1, sizeof(*spec->mounts));
	if (!spec->mounts)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		json_t *m = json_array_get(a, i);
		struct mount_spec *ms = &spec->mounts[i];
		ms->kind = (enum mount_kind)json_integer_value(json_object_get(m, "Kind"));
		ms->src = (char *)json_string_value(json_object_get(m, "Src"));
		ms->dst = (char *)json_string_value(json_object_get(m, "Dst"));
		ms->readonly = json_is_true(json_object_get(m, "ReadOnly"));
		ms->options = (char *)json_string_value(json_object_get(m, "Options"));
		ms->flags = (unsigned long)json_integer_value(json_object_get(m, "Flags"));
		if (!ms->dst)
			return -EINVAL;
	}
	spec->n_mounts = n;
	return 0;
}

static int hooks_from(json_t *a, struct container_spec *spec)
{
	size_t n = json_array_size(a);

	spec->n_hooks = 0;
	if (!n)
		return 0;
	spec->hooks = calloc(n, sizeof(*spec->hooks));
	if (!spec->hooks)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		json_t *j = json_array_get(a, i);
		struct hook_spec *h = &spec->hooks[spec->n_hooks++];
		h->stage = (enum hook_stage)json_integer_value(json_object_get(j, "Stage"));
		h->path = (char *)json_string_value(json_object_get(j, "Path"));
		h->timeout = (int)json_integer_value(json_object_get(j, "Timeout"));
		if (json_is_array(json_object_get(j, "Args")) &&
		    !(h->args = strv_from(json_object_get(j, "Args"))))
			return -ENOMEM;
		if (json_is_array(json_object_get(j, "Env")) &&
		    !(h->env = strv_from(json_object_get(j, "Env"))))
			return -ENOMEM;
		if (!h->path)
			return -EINVAL;
	}
	return 0;
}

static int rlimits_from(json_t *a, struct container_spec *spec)
{
	size_t i, n = json_array_size(a);

	spec->rlimits = calloc(n + 1, sizeof(*spec->rlimits));
	if (!spec->rlimits)
		return -ENOMEM;
	for (i = 0; i < n; i++) {
		json_t *r = json_array_get(a, i);
		spec->rlimits[i].resource = (int)json_integer_value(json_object_get(r, "Resource"));
		spec->rlimits[i].lim.rlim_cur =
		    (rlim_t)json_integer_value(json_object_get(r, "Cur"));
		spec->rlimits[i].lim.rlim_max =
		    (rlim_t)json_integer_value(json_object_get(r, "Max"));
	}
	spec->n_rlimits = n;
	return 0;
}

/* config_idmap() without the container's name on its errors */
static int config_idmap_load(json_t *config, struct idmap_plan *plan, struct werr *err)
{
	json_t *stored = config_at(config, "Warren.IdMap");
	int r;

	/* records written before the plan was stored keep what they always
	 * had: a plan made afresh on every load, keep-id from UsernsMode */
	if (!stored)
		return idmap_plan_make(
		    plan, !strcmp(config_get(config, "HostConfig.UsernsMode") ?: "", "keep-id"),
		    err);
	if (idmap_plan_from_json(stored, plan, err) < 0)
		return werr_prefix(err, "config.json \"Warren\".\"IdMap\"");
	r = idmap_plan_check(plan, err);
	if (r == -EPERM) {
		size_t len = strlen(err->msg);
		snprintf(err->msg + len, sizeof(err->msg) - len,
		         "; restore the range, or remove the container and create it again");
	}
	return r < 0 ? r : idmap_plan_helpers(plan, err);
}

/* the networks of Warren.Networks (@nets) after the first (@first) into
 * @net->bridge_more, each with its recorded interface and aliases */
static int config_more_networks(struct net_spec *net, json_t *nets, const char *first,
                                struct werr *err)
{
	const char *name;
	json_t *ep;

	json_object_foreach(nets, name, ep)
	{
		struct net_spec *m;
		json_t *al = json_object_get(ep, "Aliases");
		const char *eth = json_string_value(json_object_get(ep, "Interface"));
		if (!strcmp(name, first))
			continue;
		if (net_spec_add_network(net, name) < 0)
			return werr_errno(err, ENOMEM, "networks");
		m = &net->bridge_more[net->n_bridge_more - 1];
		if (eth)
			snprintf(m->bridge_eth, sizeof(m->bridge_eth), "%s", eth);
		snprintf(m->bridge_want, sizeof(m->bridge_want), "%s",
		         json_string_value(
		             json_object_get(json_object_get(ep, "IPAMConfig"), "IPv4Address"))
		             ?: "");
		for (size_t i = 0; i < json_array_size(al); i++) {
			const char *a = json_string_value(json_array_get(al, i));
			if (a && util_array_push(&m->bridge_aliases, &m->n_bridge_aliases,
			                         sizeof(char *), &a) < 0)
				return werr_errno(err, ENOMEM, "network aliases");
		}
	}
	return 0;
}

/* config_to_spec() without the container's name on its errors */
static int config_spec_load(json_t *config, struct container_spec *spec, struct werr *err)
{
	json_t *w = json_object_get(config, "Warren");
	json_t *host = json_object_get(config, "HostConfig");
	const char *caps = config_get(config, "Warren.Caps");
	const char *wd = config_get(config, "Config.WorkingDir");
	int r;

	memset(spec, 0, sizeof(*spec));
	if (!w || !caps)
		return werr_set(err, EINVAL, "config.json has no runtime spec (\"Warren\")");
	spec->id = config_get(config, "Id");
	spec->rootfs = config_get(config, "Warren.Rootfs");
	spec->hostname = config_get(config, "Config.Hostname");
	spec->user = config_get(config, "Config.User");
	spec->workdir = wd && *wd ? wd : NULL;
	spec->argv = strv_from(json_object_get(w, "Argv"));
	spec->env = strv_from(json_object_get(json_object_get(config, "Config"), "Env"));
	spec->readonly = json_is_true(json_object_get(host, "ReadonlyRootfs"));
	spec->privileged = json_is_true(json_object_get(host, "Privileged"));
	spec->init = json_is_true(json_object_get(host, "Init"));
	spec->net.mode = net_mode_from(config_get(config, "HostConfig.NetworkMode"));
	if (spec->net.mode == NET_MODE_BRIDGE) {
		json_t *nets = json_object_get(w, "Networks"), *ep;
		const char *name = config_get(config, "HostConfig.NetworkMode");
		snprintf(spec->net.bridge_net, sizeof(spec->net.bridge_net), "%s", name);
		ep = json_object_get(json_object_get(nets, name), "IPAMConfig");
		snprintf(spec->net.bridge_want, sizeof(spec->net.bridge_want), "%s",
		         json_string_value(json_object_get(ep, "IPv4Address")) ?: "");
		ep = json_object_get(json_object_get(nets, name), "Aliases");
		for (size_t i = 0; i < json_array_size(ep); i++) {
			const char *a = json_string_value(json_array_get(ep, i));
			if (a &&
			    util_array_push(&spec->net.bridge_aliases, &spec->net.n_bridge_aliases,
			                    sizeof(char *), &a) < 0)
				return werr_errno(err, ENOMEM, "network aliases");
		}
		if ((r = config_more_networks(&spec->net, nets, name, err)) < 0)
			return r;
	}
	if (!strncmp(config_get(config, "HostConfig.NetworkMode") ?: "", "container:", 10)) {
		spec->net.mode = NET_MODE_CONTAINER;
		snprintf(spec->net.join_ref, sizeof(spec->net.join_ref), "%s",
		         config_get(config, "HostConfig.NetworkMode") + 10);
	}
	spec->network_host = spec->net.mode == NET_MODE_HOST;
	spec->no_new_privs = json_is_true(json_object_get(w, "NoNewPrivs"));
	spec->keep_stdin = json_is_true(json_object_get(w, "KeepStdin"));
	spec->fake_chown_off = json_is_true(json_object_get(w, "FakeChownOff"));
	spec->caps = (caps_mask_t)strtoull(caps, NULL, 16);
	if (!spec->id || !spec->rootfs || !spec->hostname || !spec->argv || !spec->argv[0] ||
	    !spec->env || mounts_from(json_object_get(w, "Mounts"), spec) < 0 ||
	    rlimits_from(json_object_get(w, "Rlimits"), spec) < 0 ||
	    hooks_from(json_object_get(w, "Hooks"), spec) < 0 ||
	    config_host_extra_from(host, spec) < 0 ||
	    overlay_from(json_object_get(w, "Overlay"), spec) < 0 ||
	    config_net_from_json(config, &spec->net) < 0)
		return werr_set(err, EINVAL, "config.json: the runtime spec is incomplete");
	if (json_is_true(json_object_get(w, "Seccomp"))) {
		const char *prof = config_get(config, "Warren.SeccompProfile");
		r = seccomp_compile(prof, spec->caps, &spec->seccomp_prog, err);
		if (r < 0)
			return werr_prefix(err, "seccomp profile");
		spec->seccomp = true;
	}
	return config_idmap_load(config, &spec->idmap, err);
}

int config_to_spec(json_t *config, struct container_spec *spec, struct werr *err)
{
	int r = config_spec_load(config, spec, err);

	return r < 0 ? werr_prefix(err, "container %.12s", config_get(config, "Id") ?: "?") : 0;
}

int config_idmap(json_t *config, struct idmap_plan *plan, struct werr *err)
{
	int r = config_idmap_load(config, plan, err);

	return r < 0 ? werr_prefix(err, "container %.12s", config_get(config, "Id") ?: "?") : 0;
}

void config_spec_free(struct container_spec *spec)
{
	free(spec->argv);
	free(spec->env);
	free(spec->mounts);
	free(spec->rlimits);
	for (char **kv = spec->sysctls; kv && *kv; kv++)
		free(*kv);
	free(spec->sysctls);
	free(spec->group_add);
	spec->sysctls = spec->group_add = NULL;
	for (size_t i = 0; i < spec->n_hooks; i++) {
		free(spec->hooks[i].args);
		free(spec->hooks[i].env);
	}
	free(spec->hooks);
	spec->hooks = NULL;
	spec->n_hooks = 0;
	seccomp_bpf_free(&spec->seccomp_prog);
	net_spec_free(&spec->net);
	free((void *)spec->overlay);
	spec->overlay = NULL;
	spec->argv = spec->env = NULL;
	spec->mounts = NULL;
	spec->rlimits = NULL;
}

int config_restart_parse(const char *v, struct create_opts *o, struct werr *err)
{
	char *end;
	long n;

	o->restart_max = 0;
	if (!strcmp(v, "no") || !*v)
		o->restart = RESTART_NO;
	else if (!strcmp(v, "always"))
		o->restart = RESTART_ALWAYS;
	else if (!strcmp(v, "unless-stopped"))
		o->restart = RESTART_UNLESS_STOPPED;
	else if (!strncmp(v, "on-failure", 10) && (v[10] == '\0' || v[10] == ':')) {
		o->restart = RESTART_ON_FAILURE;
		if (v[10] == ':') {
			errno = 0;
			n = strtol(v + 11, &end, 10);
			if (errno || *end || end == v + 11 || n < 0 || n > 1000000)
				goto bad;
			o->restart_max = (int)n;
		}
	} else {
		goto bad;
	}
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid --restart \"%s\": use no, on-failure[:MAX-RETRIES], always or "
	                "unless-stopped",
	                v);
}

int config_log_opt_parse(const char *v, struct create_opts *o, struct werr *err)
{
	char *end;
	unsigned long long n;

	if (!strncmp(v, "max-size=", 9)) {
		errno = 0;
		n = strtoull(v + 9, &end, 10);
		if (errno || end == v + 9)
			goto bad;
		switch (tolower((unsigned char)*end)) {
		case 'k':
			n <<= 10;
			end++;
			break;
		case 'm':
			n <<= 20;
			end++;
			break;
		case 'g':
			n <<= 30;
			end++;
			break;
		}
		if (*end == 'b' || *end == 'B')
			end++;
		if (*end || n < 1024)
			goto bad;
		o->log_max_size = (long long)n;
		return 0;
	}
	if (!strncmp(v, "max-file=", 9)) {
		errno = 0;
		n = strtoull(v + 9, &end, 10);
		if (errno || *end || end == v + 9 || n < 1 || n > 100)
			goto bad;
		o->log_max_file = (int)n;
		return 0;
	}
bad:
	return werr_set(err, EINVAL,
	                "invalid --log-opt \"%s\": use max-size=SIZE (at least 1k, e.g. 10m) "
	                "or max-file=N (1 to 100)",
	                v);
}
