/* netconnect.c - network connect and disconnect (netconnect.h), under the
 * container's record lock: the record is changed last, once the lease and
 * (for a running container) the interface are in place, so a refusal
 * leaves everything as it was. */
#include "netconnect.h"
#include "cidr.h"
#include "cleanup.h"
#include "netbridge.h"
#include "netegress.h"
#include "netnames.h"
#include "netspec.h"
#include "network.h"
#include "record.h"
#include "state.h"

#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* the container's record, locked (*@lock), and the network's name (@name,
 * 129 bytes) */
static int netconnect_open(const struct gopts *o, const char *net, const char *ctr,
                           struct record *rec, int *lock, char *name, struct werr *err)
{
	struct record fresh;
	json_t *found;
	int r = record_lookup(o, ctr, rec, err);

	if (r < 0)
		return r;
	if ((r = network_inspect(o, net, &found, err)) < 0) {
		record_free(rec);
		return r;
	}
	snprintf(name, 129, "%s", json_string_value(json_object_get(found, "Name")) ?: net);
	json_decref(found);
	*lock = record_lock(rec, err);
	/* what it is now that it is locked */
	if (*lock < 0 || (r = record_load(o, rec->id, &fresh, err)) < 0) {
		record_free(rec);
		return *lock < 0 ? *lock : r;
	}
	record_free(rec);
	*rec = fresh;
	return 0;
}

/* the lowest ethN (N >= 1) no entry of @nets has */
static void netconnect_free_eth(json_t *nets, char *eth, size_t size)
{
	for (unsigned n = 1;; n++) {
		const char *k;
		json_t *ep;
		bool used = false;
		snprintf(eth, size, "eth%u", n);
		json_object_foreach(nets, k, ep)
		{
			used |=
			    !strcmp(json_string_value(json_object_get(ep, "Interface")) ?: "", eth);
		}
		if (!used)
			return;
	}
}

/* under the user's network lock: wire (@attach) or unwire @net's interface
 * of running process @pid */
static int netconnect_wire(struct net_spec *net, pid_t pid, bool attach, uint32_t gw,
                           struct werr *err)
{
	struct idmap_plan plan;
	bool fresh = false;
	int lock, pidfd, r;

	if (idmap_plan_make(&plan, false, err) < 0)
		return -err->code;
	lock = netbridge_holder(net, &plan, &fresh, err);
	if (lock < 0)
		return lock;
	pidfd = (int)syscall(SYS_pidfd_open, net->join_pid, 0);
	if (pidfd < 0)
		r = werr_errno(err, errno, "the network namespace's holder");
	else if (fresh) /* the container is not in this namespace: it left it */
		r = werr_set(err, ESRCH, "the container's network namespace is gone");
	else if (attach) {
		/* a network with a way out needs the namespace's warren-net,
		 * which no container may have started yet */
		struct netegress eg;
		r = netegress_begin(net, &eg, err);
		if (r == 0)
			r = netbridge_attach(net, pidfd, pid, err);
		if (r == 0)
			r = netegress_finish(net, &eg, err);
		netegress_abort(&eg);
	} else
		r = netbridge_detach(pidfd, pid, net->bridge_eth, gw, err);
	if (pidfd >= 0)
		close(pidfd);
	if (fresh)
		kill(net->join_pid, SIGKILL);
	close(lock);
	return r;
}

int netconnect_connect(const struct gopts *o, const char *net, const char *ctr,
                       const struct netconnect_opts *opts, struct werr *err)
{
	struct record rec;
	struct net_spec m = { .mode = NET_MODE_BRIDGE, .bridge_extra = true };
	char name[129];
	_cleanup_close_ int lock = -1;
	json_t *w, *nets, *ep, *aliases;
	const char *mode;
	pid_t pid;
	int r = netconnect_open(o, net, ctr, &rec, &lock, name, err);

	if (r < 0)
		return r;
	w = json_object_get(rec.config, "Warren");
	nets = json_object_get(w, "Networks");
	mode = json_string_value(
	           json_object_get(json_object_get(rec.config, "HostConfig"), "NetworkMode"))
	           ?: "";
	if (!json_object_size(nets)) {
		r = werr_set(err, ENOTSUP,
		             "container %s is on network \"%s\", not on one made by network "
		             "create: warren connects only those (create it with --network NAME)",
		             record_name(&rec), mode);
		goto out;
	}
	if (json_object_get(nets, name)) {
		r = werr_set(err, EEXIST, "container %s is already on network %s",
		             record_name(&rec), name);
		goto out;
	}
	snprintf(m.bridge_net, sizeof(m.bridge_net), "%s", name);
	netconnect_free_eth(nets, m.bridge_eth, sizeof(m.bridge_eth));
	m.bridge_aliases = opts->aliases;
	m.n_bridge_aliases = opts->n_aliases;
	r = network_attach_spec(o, &m, rec.id, record_name(&rec), opts->ip, NULL, err);
	if (r < 0)
		goto out;
	pid = state_running_pid(&rec);
	if (pid > 0 && (r = netconnect_wire(&m, pid, true, 0, err)) < 0) {
		network_release(o, name, rec.id);
		goto out;
	}
	if (pid <= 0) /* named from its next start on */
		netnames_remove(m.bridge_dir, m.bridge_ip);
	aliases = json_array();
	for (size_t i = 0; i < opts->n_aliases; i++)
		json_array_append_new(aliases, json_string(opts->aliases[i]));
	ep = json_pack("{s:{s:s?}, s:o, s:s}", "IPAMConfig", "IPv4Address", opts->ip, "Aliases",
	               aliases, "Interface", m.bridge_eth);
	json_object_set_new(nets, name, ep);
	r = record_save_config(&rec, err);
out:
	m.bridge_aliases = NULL; /* the caller's */
	m.n_bridge_aliases = 0;
	net_spec_free(&m);
	record_free(&rec);
	return r;
}

/* the gateway (host order) of the first of @nets other than @gone that has a
 * way out, which the default route goes through once @gone is off; 0: none */
static uint32_t netconnect_next_gateway(const struct gopts *o, json_t *nets, const char *gone)
{
	const char *name;
	json_t *ep;

	json_object_foreach(nets, name, ep)
	{
		json_t *rec;
		struct werr ignored = { 0 };
		const char *gw;
		uint32_t a = 0;
		if (!strcmp(name, gone) || network_inspect(o, name, &rec, &ignored) < 0)
			continue;
		gw = json_string_value(json_object_get(
		    json_array_get(json_object_get(json_object_get(rec, "IPAM"), "Config"), 0),
		    "Gateway"));
		if (!json_is_true(json_object_get(rec, "Internal")) && gw &&
		    cidr_parse_addr(gw, &a) < 0)
			a = 0;
		json_decref(rec);
		if (a)
			return a;
	}
	return 0;
}

int netconnect_disconnect(const struct gopts *o, const char *net, const char *ctr, struct werr *err)
{
	struct record rec;
	struct net_spec m = { .mode = NET_MODE_BRIDGE };
	char name[129];
	_cleanup_close_ int lock = -1;
	json_t *nets, *host;
	const char *mode, *eth;
	pid_t pid;
	int r = netconnect_open(o, net, ctr, &rec, &lock, name, err);

	if (r < 0)
		return r;
	nets = json_object_get(json_object_get(rec.config, "Warren"), "Networks");
	host = json_object_get(rec.config, "HostConfig");
	mode = json_string_value(json_object_get(host, "NetworkMode")) ?: "";
	if (!json_object_get(nets, name)) {
		r = werr_set(err, ENOENT, "container %s is not connected to network %s",
		             record_name(&rec), name);
		goto out;
	}
	eth = json_string_value(json_object_get(json_object_get(nets, name), "Interface"));
	snprintf(m.bridge_net, sizeof(m.bridge_net), "%s", name);
	snprintf(m.bridge_eth, sizeof(m.bridge_eth), "%s", eth ? eth : "eth0");
	pid = state_running_pid(&rec);
	if (pid > 0 &&
	    (r = netconnect_wire(&m, pid, false, netconnect_next_gateway(o, nets, name), err)) < 0)
		goto out;
	network_release(o, name, rec.id);
	json_object_del(nets, name);
	/* off its first network: the next one is first (eth0 from the next
	 * start on); off its last: no network at all, as Docker leaves it */
	if (!strcmp(mode, name)) {
		const char *next = NULL;
		json_t *ep;
		json_object_foreach(nets, next, ep) break;
		if (next)
			json_object_del(json_object_get(nets, next), "Interface");
		json_object_set_new(host, "NetworkMode", json_string(next ? next : "none"));
	}
	r = record_save_config(&rec, err);
out:
	net_spec_free(&m);
	record_free(&rec);
	return r;
}
