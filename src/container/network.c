/* network.c - the store's network records. Every change is made under
 * <store>/networks/lock and published with one rename, so two creates at
 * once never pick the same subnet or name; a record is never half there. */
#include "network.h"
#include "netnames.h"
#include "cidr.h"
#include "cleanup.h"
#include "events.h"
#include "netsetup.h"
#include "record.h"
#include "state.h"
#include "util.h"

#include <ctype.h>
#include <dirent.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

static int network_lease_dir(const struct gopts *o, const char *name, char *buf, struct werr *err);

/* --network already means these; Docker refuses its predefined names too */
static const char *const reserved_names[] = {
	"none", "host", "bridge", "default", "slirp", "slirp4netns", "container", NULL,
};

/* the automatic subnets, as Podman picks them: 10.89.0.0/24, 10.89.1.0/24... */
#define AUTO_SUBNET_BASE  0x0a590000u /* 10.89.0.0 */
#define AUTO_SUBNET_COUNT 256

/* <store>/networks into @buf (PATH_MAX); made only when @make (a lookup
 * leaves the store as it was) */
static int network_root(const struct gopts *o, bool make, char *buf, struct werr *err)
{
	if (gopts_store(o, err) < 0)
		return -err->code;
	if (snprintf(buf, PATH_MAX, "%s/networks", o->root) >= PATH_MAX)
		return werr_set(err, ENAMETOOLONG, "store path too long");
	return make ? util_mkdir_p(buf, 0700, err) : 0;
}

/* the networks lock, held until the returned fd is closed */
static int network_lock(const char *root, struct werr *err)
{
	char path[PATH_MAX + 8];
	int fd;

	snprintf(path, sizeof(path), "%s/lock", root);
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		return werr_errno(err, errno, "open %s", path);
	while (flock(fd, LOCK_EX) < 0) {
		if (errno != EINTR) {
			int e = errno;
			close(fd);
			return werr_errno(err, e, "lock %s", path);
		}
	}
	return fd;
}

int network_check_name(const char *name, struct werr *err)
{
	bool ok = isalnum((unsigned char)name[0]) && strlen(name) <= 128;

	for (const char *p = name; ok && *p; p++)
		ok = isalnum((unsigned char)*p) || strchr("_.-", *p);
	if (!ok)
		return werr_set(err, EINVAL,
		                "invalid network name \"%s\": only [a-zA-Z0-9][a-zA-Z0-9_.-] are "
		                "allowed, up to 128 characters",
		                name);
	for (size_t i = 0; reserved_names[i]; i++)
		if (!strcmp(name, reserved_names[i]))
			return werr_set(err, EINVAL,
			                "network name \"%s\" is reserved (--network %s has its own "
			                "meaning): choose another name",
			                name, name);
	return 0;
}

/* the record of network @name in @root, or NULL when there is none */
static json_t *network_load(const char *root, const char *name)
{
	char path[PATH_MAX * 2];
	_cleanup_free_ char *text = NULL;
	struct werr ignored;
	size_t len;

	if (name[0] == '.' || strchr(name, '/'))
		return NULL;
	snprintf(path, sizeof(path), "%s/%s/network.json", root, name);
	if (util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, &ignored) < 0)
		return NULL;
	return json_loadb(text, len, 0, NULL);
}

static int network_list_in(const char *root, json_t **out, struct werr *err)
{
	struct dirent **ents;
	int n = scandir(root, &ents, NULL, alphasort);

	*out = json_array();
	if (n < 0 && errno == ENOENT) /* no network was ever made */
		return 0;
	if (n < 0) {
		json_decref(*out);
		return werr_errno(err, errno, "read %s", root);
	}
	for (int i = 0; i < n; i++) {
		json_t *net =
		    ents[i]->d_name[0] == '.' ? NULL : network_load(root, ents[i]->d_name);
		if (net)
			json_array_append_new(*out, net);
		free(ents[i]);
	}
	free(ents);
	return 0;
}

int network_list(const struct gopts *o, json_t **out, struct werr *err)
{
	char root[PATH_MAX];
	int r = network_root(o, false, root, err);

	return r < 0 ? r : network_list_in(root, out, err);
}

/* the subnet of inspect object @net */
static bool network_subnet(json_t *net, struct cidr *c)
{
	json_t *cfg = json_array_get(json_object_get(json_object_get(net, "IPAM"), "Config"), 0);
	const char *s = json_string_value(json_object_get(cfg, "Subnet"));
	struct werr ignored;

	return s && cidr_parse(s, "subnet", c, &ignored) == 0;
}

/* a subnet no network in @nets and no host route overlaps; @c in: the
 * asked one (prefix 0: pick one) */
static int network_pick_subnet(json_t *nets, struct cidr *c, bool asked, struct werr *err)
{
	for (unsigned i = 0; i < (asked ? 1u : AUTO_SUBNET_COUNT); i++) {
		struct cidr other, route;
		char dev[16], a[20], b[20];
		json_t *net;
		size_t j;
		bool clash = false;

		if (!asked)
			*c = (struct cidr){ AUTO_SUBNET_BASE + (i << 8), 24 };
		json_array_foreach(nets, j, net)
		{
			if (clash || !network_subnet(net, &other) || !cidr_overlap_p(c, &other))
				continue;
			clash = true;
			if (asked) {
				cidr_format(c, a);
				cidr_format(&other, b);
				return werr_set(
				    err, EEXIST,
				    "subnet %s overlaps network %s (%s): choose another "
				    "--subnet",
				    a, json_string_value(json_object_get(net, "Name")), b);
			}
		}
		if (!clash && cidr_host_route_overlap(c, dev, &route)) {
			clash = true;
			if (asked) {
				cidr_format(c, a);
				cidr_format(&route, b);
				return werr_set(err, EEXIST,
				                "subnet %s overlaps the host's route to %s on %s: "
				                "choose another --subnet",
				                a, b, dev);
			}
		}
		if (!clash)
			return 0;
	}
	return werr_set(err, ENOSPC,
	                "no free subnet left in 10.89.0.0/16: remove unused networks (network "
	                "prune) or give --subnet");
}

/* @opts's gateway, checked against @c, or the subnet's first address */
static int network_gateway(const struct network_opts *opts, const struct cidr *c, uint32_t *gw,
                           struct werr *err)
{
	uint32_t last = c->addr | (c->prefix ? ~(~(uint32_t)0 << (32 - c->prefix)) : ~(uint32_t)0);

	if (c->prefix > 30)
		return werr_set(err, EINVAL,
		                "invalid --subnet \"%s\": it leaves no address for containers: use "
		                "a prefix of /30 or shorter",
		                opts->subnet);
	if (!opts->gateway) {
		*gw = c->addr + 1;
		return 0;
	}
	if (cidr_parse_addr(opts->gateway, gw) < 0)
		return werr_set(err, EINVAL,
		                "invalid --gateway \"%s\": use an IPv4 address inside --subnet",
		                opts->gateway);
	if (!cidr_contains_p(c, *gw) || *gw == c->addr || *gw == last)
		return werr_set(err, EINVAL,
		                "invalid --gateway %s: it is not a host address of subnet %s",
		                opts->gateway, opts->subnet);
	return 0;
}

/* Docker's inspect object for a new network */
static json_t *network_object(const struct network_opts *opts, const char *id, const struct cidr *c,
                              uint32_t gw)
{
	char subnet[20], gateway[16], now[40];

	cidr_format(c, subnet);
	cidr_format_addr(gw, gateway);
	state_now(now);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:b, s:{s:s, s:{}, s:[{s:s, s:s}]}, s:b, s:b, "
	                 "s:b, s:{s:s}, s:b, s:{}, s:{}, s:o}",
	                 "Name", opts->name, "Id", id, "Created", now, "Scope", "local", "Driver",
	                 "bridge", "EnableIPv6", 0, "IPAM", "Driver", "default", "Options",
	                 "Config", "Subnet", subnet, "Gateway", gateway, "Internal", opts->internal,
	                 "Attachable", 0, "Ingress", 0, "ConfigFrom", "Network", "", "ConfigOnly",
	                 0, "Containers", "Options", "Labels",
	                 opts->labels ? json_incref(opts->labels) : json_object());
}

/* write @net as <root>/NAME: staged in a dot directory, published by rename */
static int network_publish(const char *root, json_t *net, const char *name, struct werr *err)
{
	char tmp[PATH_MAX], dst[PATH_MAX * 2], file[PATH_MAX + 16], rnd[17];
	_cleanup_free_ char *text = json_dumps(net, JSON_INDENT(4));
	int r;

	if (!text)
		return werr_errno(err, ENOMEM, "network %s", name);
	if (util_random_hex(rnd, 16) < 0)
		return werr_errno(err, errno, "getrandom");
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", root, rnd);
	snprintf(dst, sizeof(dst), "%s/%s", root, name);
	if (mkdir(tmp, 0700) < 0)
		return werr_errno(err, errno, "create %s", tmp);
	snprintf(file, sizeof(file), "%s/network.json", tmp);
	r = util_write_file_atomic(AT_FDCWD, file, text, strlen(text), 0600, err);
	if (r == 0 && rename(tmp, dst) < 0)
		r = werr_errno(err, errno, "publish network %s", name);
	if (r < 0)
		util_rm_rf(tmp);
	return r;
}

int network_create(const struct gopts *o, const struct network_opts *opts, char *id,
                   struct werr *err)
{
	char root[PATH_MAX];
	_cleanup_close_ int lock = -1;
	struct cidr c = { 0, 0 };
	json_t *nets = NULL, *net = NULL;
	uint32_t gw = 0;
	int r;

	if ((r = network_check_name(opts->name, err)) < 0)
		return r;
	if (opts->subnet && (r = cidr_parse(opts->subnet, "--subnet", &c, err)) < 0)
		return r;
	if (opts->gateway && !opts->subnet)
		return werr_set(err, EINVAL,
		                "--gateway %s needs --subnet: give the subnet it belongs to",
		                opts->gateway);
	if (opts->subnet && (r = network_gateway(opts, &c, &gw, err)) < 0)
		return r;
	if ((r = network_root(o, true, root, err)) < 0)
		return r;
	if ((lock = network_lock(root, err)) < 0)
		return lock;
	if ((net = network_load(root, opts->name))) {
		json_decref(net);
		return werr_set(err, EEXIST, "network with name %s already exists", opts->name);
	}
	if ((r = network_list_in(root, &nets, err)) < 0)
		return r;
	r = network_pick_subnet(nets, &c, opts->subnet != NULL, err);
	json_decref(nets);
	if (r < 0)
		return r;
	if (!opts->subnet)
		gw = c.addr + 1;
	if (util_random_hex(id, NETWORK_ID_LEN) < 0)
		return werr_errno(err, errno, "getrandom");
	net = network_object(opts, id, &c, gw);
	if (!net)
		return werr_errno(err, ENOMEM, "network %s", opts->name);
	r = network_publish(root, net, opts->name, err);
	json_decref(net);
	if (r == 0)
		events_log(o, "network", "create", id,
		           json_pack("{s:s, s:s}", "name", opts->name, "type", "bridge"));
	return r;
}

/* the record @ref names in @root: a name, else an ID or a unique prefix */
static int network_find(const char *root, const char *ref, json_t **out, struct werr *err)
{
	json_t *nets, *net, *found = NULL;
	size_t i, len = strlen(ref);
	int r;

	if ((*out = network_load(root, ref)))
		return 0;
	if ((r = network_list_in(root, &nets, err)) < 0)
		return r;
	json_array_foreach(nets, i, net)
	{
		const char *id = json_string_value(json_object_get(net, "Id")) ?: "";
		if (len == 0 || strncmp(id, ref, len))
			continue;
		if (found) {
			json_decref(nets);
			return werr_set(err, EINVAL,
			                "network ID prefix %s is ambiguous: give more of the ID or "
			                "the name",
			                ref);
		}
		found = net;
	}
	if (found)
		*out = json_incref(found);
	json_decref(nets);
	return found ? 0 : werr_set(err, ENOENT, "network %s not found", ref);
}

/* the container ID in lease @dir/@name into @buf (NUL-terminated);
 * Return: its length, or <= 0 when unreadable or empty */
static ssize_t lease_owner(const char *dir, const char *name, char *buf, size_t size)
{
	char path[PATH_MAX * 2];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, buf, size - 1);
	if (fd >= 0)
		close(fd);
	buf[n > 0 ? n : 0] = '\0';
	return n;
}

/* Docker's EndpointID (64 hex digits) of container @cid on network @nid:
 * one per pair, the same at each inspect (warren keeps no endpoint
 * objects); and its MacAddress, 02:42 and the address (NETBRIDGE_MAC) */
static void network_endpoint(const char *nid, const char *cid, uint32_t a, char *id, char *mac)
{
	static const char hex[] = "0123456789abcdef";
	size_t nl = strlen(nid), cl = strlen(cid);

	for (size_t i = 0; i < 64; i++) {
		unsigned x = (unsigned char)(i < nl ? nid[i] : 0) ^
		             (unsigned char)(i < cl ? cid[cl - 1 - i] : 0);
		id[i] = hex[(x ^ (x >> 4) ^ i) & 15];
	}
	id[64] = '\0';
	if (a)
		snprintf(mac, 18, "02:42:%02x:%02x:%02x:%02x", a >> 24, (a >> 16) & 255,
		         (a >> 8) & 255, a & 255);
	else
		mac[0] = '\0';
}

/* Docker's "Containers" of a network: the running containers holding a
 * lease on it, by ID */
static json_t *network_containers(const struct gopts *o, json_t *net)
{
	const char *name = json_string_value(json_object_get(net, "Name")) ?: "";
	char dir[PATH_MAX];
	struct werr ignored;
	struct cidr c = { 0, 0 };
	json_t *out = json_object();
	struct dirent *de;
	DIR *d;

	network_subnet(net, &c);
	if (network_lease_dir(o, name, dir, &ignored) < 0 || !(d = opendir(dir)))
		return out;
	while ((de = readdir(d))) {
		char path[PATH_MAX * 2], id[NETWORK_ID_LEN + 1] = "", eid[65], mac[18];
		struct record rec;
		uint32_t a;
		ssize_t n;
		if (cidr_parse_addr(de->d_name, &a) < 0)
			continue;
		n = lease_owner(dir, de->d_name, id, sizeof(id));
		if (n <= 0 || record_lookup(o, id, &rec, &ignored) < 0)
			continue;
		snprintf(path, sizeof(path), "%s/%u", de->d_name, c.prefix);
		network_endpoint(json_string_value(json_object_get(net, "Id")) ?: "", rec.id, a,
		                 eid, mac);
		if (state_running_pid(&rec))
			json_object_set_new(out, rec.id,
			                    json_pack("{s:s, s:s, s:s, s:s, s:s}", "Name",
			                              record_name(&rec), "EndpointID", eid,
			                              "MacAddress", mac, "IPv4Address", path,
			                              "IPv6Address", ""));
		record_free(&rec);
	}
	closedir(d);
	return out;
}

int network_inspect(const struct gopts *o, const char *ref, json_t **out, struct werr *err)
{
	char root[PATH_MAX];
	int r = network_root(o, false, root, err);

	if (r < 0 || (r = network_find(root, ref, out, err)) < 0)
		return r;
	json_object_set_new(*out, "Containers", network_containers(o, *out));
	return 0;
}

const char *network_in_use(const struct gopts *o, const char *name, char *buf, size_t size)
{
	struct record *recs;
	struct werr ignored;
	const char *found = NULL;
	size_t n;

	if (record_list(o, &recs, &n, &ignored) < 0)
		return NULL;
	for (size_t i = 0; i < n && !found; i++) {
		/* Warren.Networks: the networks a container joins, by name */
		json_t *w = json_object_get(json_object_get(recs[i].config, "Warren"), "Networks");
		if (json_object_get(w, name)) {
			snprintf(buf, size, "%s", record_name(&recs[i]));
			found = buf;
		}
	}
	record_list_free(recs, n);
	return found;
}

int network_remove(const struct gopts *o, const char *ref, char *name, struct werr *err)
{
	char root[PATH_MAX], dir[PATH_MAX * 2], gone[PATH_MAX * 2], user[160],
	    id[NETWORK_ID_LEN + 1];
	_cleanup_close_ int lock = -1;
	json_t *net;
	int r = network_root(o, false, root, err);

	if (r < 0)
		return r;
	if (access(root, F_OK) < 0) /* no network was ever made */
		return werr_set(err, ENOENT, "network %s not found", ref);
	if ((lock = network_lock(root, err)) < 0)
		return lock;
	if ((r = network_find(root, ref, &net, err)) < 0)
		return r;
	snprintf(name, 256, "%s", json_string_value(json_object_get(net, "Name")) ?: ref);
	snprintf(id, sizeof(id), "%s", json_string_value(json_object_get(net, "Id")) ?: "");
	json_decref(net);
	if (network_in_use(o, name, user, sizeof(user)))
		return werr_set(err, EBUSY,
		                "network %s is in use by container %s: remove the container or "
		                "disconnect it first",
		                name, user);
	snprintf(dir, sizeof(dir), "%s/%s", root, name);
	snprintf(gone, sizeof(gone), "%s/.rm-%s", root, name);
	if (rename(dir, gone) < 0)
		return werr_errno(err, errno, "remove network %s", name);
	util_rm_rf(gone);
	events_log(o, "network", "destroy", id,
	           json_pack("{s:s, s:s}", "name", name, "type", "bridge"));
	return 0;
}

/* the lease directory of network @name into @buf (PATH_MAX) */
static int network_lease_dir(const struct gopts *o, const char *name, char *buf, struct werr *err)
{
	char root[PATH_MAX];
	int r = network_root(o, false, root, err);

	if (r < 0)
		return r;
	if (snprintf(buf, PATH_MAX, "%s/%s/leases", root, name) >= PATH_MAX)
		return werr_set(err, ENAMETOOLONG, "store path too long");
	return 0;
}

/* the address leased to @id in @dir, or 0 */
static uint32_t network_lease_find(const char *dir, const char *id)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	uint32_t found = 0;

	while (d && !found && (de = readdir(d))) {
		char owner[NETWORK_ID_LEN + 2] = "";
		uint32_t a;
		ssize_t n;
		if (cidr_parse_addr(de->d_name, &a) < 0)
			continue;
		n = lease_owner(dir, de->d_name, owner, sizeof(owner));
		if (n > 0 && !strncmp(owner, id, strlen(id)) && (size_t)n == strlen(id))
			found = a;
	}
	if (d)
		closedir(d);
	return found;
}

/* take address @a in @dir for @id: 0, -EEXIST when another has it */
static int network_lease_take(const char *dir, uint32_t a, const char *id, struct werr *err)
{
	char ip[16], path[PATH_MAX + 20];
	int fd;

	cidr_format_addr(a, ip);
	snprintf(path, sizeof(path), "%s/%s", dir, ip);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? -EEXIST : werr_errno(err, errno, "lease %s", path);
	if (util_write_all(fd, id, strlen(id)) < 0) {
		int e = errno;
		close(fd);
		unlink(path);
		return werr_errno(err, e, "lease %s", path);
	}
	close(fd);
	return 0;
}

/* @a's lease in @dir, if its container is gone without giving it back (no
 * record, and no foreground run holds it), removed; the caller holds the
 * networks lock. Return: whether it was. */
static bool network_lease_reclaim(const struct gopts *o, const char *dir, uint32_t a)
{
	char ip[16], path[PATH_MAX + 20], owner[NETWORK_ID_LEN + 1] = "";
	_cleanup_close_ int fd = -1;
	struct werr ignored;
	struct record rec;
	ssize_t n;

	cidr_format_addr(a, ip);
	snprintf(path, sizeof(path), "%s/%s", dir, ip);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	n = fd < 0 ? -1 : read(fd, owner, sizeof(owner) - 1);
	if (n <= 0 || flock(fd, LOCK_EX | LOCK_NB) < 0)
		return false;
	if (record_lookup(o, owner, &rec, &ignored) == 0) {
		record_free(&rec);
		return false;
	}
	return unlink(path) == 0;
}

/* a shared flock on the lease of @net: a foreground run's, held while it
 * lasts (taken under the networks lock, so no reclaim comes between) */
static int network_lease_hold(const struct gopts *o, const struct net_spec *net)
{
	char dir[PATH_MAX], ip[16], path[PATH_MAX + 20];
	struct werr ignored;
	int fd;

	if (net->mode != NET_MODE_BRIDGE || !net->bridge_ip ||
	    network_lease_dir(o, net->bridge_net, dir, &ignored) < 0)
		return -1;
	cidr_format_addr(net->bridge_ip, ip);
	snprintf(path, sizeof(path), "%s/%s", dir, ip);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd >= 0 && flock(fd, LOCK_SH) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* network_attach_spec() under the networks lock */
static int network_lease_locked(const struct gopts *o, struct net_spec *net, const char *id,
                                const char *want, struct werr *err);

/* the lease of @net for @id, then its names in the table the DNS
 * responder reads */
static int network_lease_named(const struct gopts *o, struct net_spec *net, const char *id,
                               const char *name, const char *want, struct werr *err)
{
	char root[PATH_MAX];
	int r = network_lease_locked(o, net, id, want, err);

	if (r < 0 || (r = network_root(o, false, root, err)) < 0)
		return r;
	if (snprintf(net->bridge_dir, sizeof(net->bridge_dir), "%s/%s", root, net->bridge_net) >=
	    (int)sizeof(net->bridge_dir))
		return werr_set(err, ENAMETOOLONG, "store path too long");
	r = netnames_write(net->bridge_dir, net->bridge_ip, id, name, net->bridge_aliases,
	                   net->n_bridge_aliases, err);
	if (r < 0)
		network_release(o, net->bridge_net, id);
	return r;
}

int network_attach_spec(const struct gopts *o, struct net_spec *net, const char *id,
                        const char *name, const char *want, int *hold, struct werr *err)
{
	char root[PATH_MAX];
	_cleanup_close_ int lock = -1;
	int r = network_root(o, true, root, err);

	if (r < 0 || (lock = network_lock(root, err)) < 0)
		return r < 0 ? r : lock;
	r = network_lease_named(o, net, id, name, want, err);
	if (r == 0 && hold)
		*hold = network_lease_hold(o, net);
	return r;
}

int network_attach_all(const struct gopts *o, struct net_spec *net, const char *id,
                       const char *name, int *hold, struct werr *err)
{
	int r = network_attach_spec(o, net, id, name, net->bridge_want[0] ? net->bridge_want : NULL,
	                            hold, err);

	for (size_t i = 0; r == 0 && i < net->n_bridge_more; i++) {
		struct net_spec *m = &net->bridge_more[i];
		r = network_attach_spec(o, m, id, name, m->bridge_want[0] ? m->bridge_want : NULL,
		                        NULL, err);
	}
	return r;
}

static int network_lease_locked(const struct gopts *o, struct net_spec *net, const char *id,
                                const char *want, struct werr *err)
{
	char dir[PATH_MAX], sub[20], gwtext[16];
	json_t *rec;
	struct cidr c;
	const char *gw, *nid;
	char root[PATH_MAX];
	uint32_t gwa, a = 0, last;
	int r = network_root(o, false, root, err);

	if (r < 0 || (r = network_find(root, net->bridge_net, &rec, err)) < 0)
		return r;
	nid = json_string_value(json_object_get(rec, "Id")) ?: "";
	gw = json_string_value(json_object_get(
	    json_array_get(json_object_get(json_object_get(rec, "IPAM"), "Config"), 0), "Gateway"));
	if (!network_subnet(rec, &c) || !gw || cidr_parse_addr(gw, &gwa) < 0) {
		json_decref(rec);
		return werr_set(err, EINVAL, "network %s: its record has no subnet",
		                net->bridge_net);
	}
	snprintf(net->bridge_net, sizeof(net->bridge_net), "%s",
	         json_string_value(json_object_get(rec, "Name")) ?: net->bridge_net);
	snprintf(net->bridge_if, sizeof(net->bridge_if), "wb-%.12s", nid);
	net->bridge_internal = json_is_true(json_object_get(rec, "Internal"));
	json_decref(rec); /* @gw and @nid went with it */
	cidr_format_addr(gwa, gwtext);
	net->bridge_gw = gwa;
	net->bridge_prefix = c.prefix;
	last = c.addr | (c.prefix ? ~(~(uint32_t)0 << (32 - c.prefix)) : ~(uint32_t)0);
	cidr_format(&c, sub);
	if (want && (cidr_parse_addr(want, &a) < 0 || !cidr_contains_p(&c, a) || a == c.addr ||
	             a == last || a == gwa))
		return werr_set(err, EINVAL,
		                "invalid --ip %s: use a free host address of network %s (%s, "
		                "gateway %s)",
		                want, net->bridge_net, sub, gwtext);
	if ((r = network_lease_dir(o, net->bridge_net, dir, err)) < 0 ||
	    (r = util_mkdir_p(dir, 0700, err)) < 0)
		return r;
	if ((net->bridge_ip = network_lease_find(dir, id)) && (!want || net->bridge_ip == a))
		return 0;
	if (net->bridge_ip) /* a new --ip for a container that had another */
		network_release(o, net->bridge_net, id);
	if (want) {
		r = network_lease_take(dir, a, id, err);
		if (r == -EEXIST)
			return werr_set(err, EADDRINUSE,
			                "--ip %s is in use on network %s: choose another address",
			                want, net->bridge_net);
		net->bridge_ip = a;
		return r;
	}
	for (a = c.addr + 1; a < last; a++) {
		if (a == gwa)
			continue;
		r = network_lease_take(dir, a, id, err);
		if (r == -EEXIST && network_lease_reclaim(o, dir, a))
			r = network_lease_take(dir, a, id, err);
		if (r == 0) {
			net->bridge_ip = a;
			return 0;
		}
		if (r != -EEXIST)
			return r;
	}
	return werr_set(err, ENOSPC,
	                "network %s (%s) has no free address left: remove containers from it",
	                net->bridge_net, sub);
}

void network_release(const struct gopts *o, const char *name, const char *id)
{
	char dir[PATH_MAX], ip[16], path[PATH_MAX + 20];
	struct werr ignored;
	uint32_t a;

	if (network_lease_dir(o, name, dir, &ignored) < 0 || !(a = network_lease_find(dir, id)))
		return;
	cidr_format_addr(a, ip);
	snprintf(path, sizeof(path), "%s/%s", dir, ip);
	unlink(path);
	dir[strlen(dir) - strlen("/leases")] = '\0';
	netnames_remove(dir, a);
}

int network_leases_count(const struct gopts *o, const char *name)
{
	char dir[PATH_MAX];
	struct werr ignored;
	struct dirent *de;
	DIR *d;
	int n = 0;

	if (network_lease_dir(o, name, dir, &ignored) < 0)
		return -1;
	d = opendir(dir);
	if (!d)
		return errno == ENOENT ? 0 : -1;
	while ((de = readdir(d)))
		n += de->d_name[0] != '.';
	closedir(d);
	return n;
}

/* @fn(network's directory, address, @arg) for each network of @config
 * on which container @id holds a lease */
static void network_each_lease(const struct gopts *o, json_t *config, const char *id,
                               void (*fn)(const char *dir, uint32_t a, void *arg), void *arg)
{
	json_t *nets = json_object_get(json_object_get(config, "Warren"), "Networks"), *v;
	const char *net;

	json_object_foreach(nets, net, v)
	{
		char dir[PATH_MAX];
		struct werr ignored;
		uint32_t a;
		if (network_lease_dir(o, net, dir, &ignored) < 0 ||
		    !(a = network_lease_find(dir, id)))
			continue;
		dir[strlen(dir) - strlen("/leases")] = '\0';
		fn(dir, a, arg);
	}
}

static void network_rename_one(const char *dir, uint32_t a, void *name)
{
	struct werr ignored;

	netnames_rename(dir, a, name, &ignored);
}

void network_rename_config(const struct gopts *o, json_t *config, const char *id, const char *name)
{
	network_each_lease(o, config, id, network_rename_one, (void *)name);
}

static void network_unname_one(const char *dir, uint32_t a, void *arg)
{
	(void)arg;
	netnames_remove(dir, a);
}

void network_unname_config(const struct gopts *o, json_t *config, const char *id)
{
	network_each_lease(o, config, id, network_unname_one, NULL);
}

void network_release_config(const struct gopts *o, json_t *config, const char *id)
{
	json_t *nets = json_object_get(json_object_get(config, "Warren"), "Networks"), *v;
	const char *name;

	json_object_foreach(nets, name, v) network_release(o, name, id);
}

/* Docker's Aliases of an endpoint (@ep, a Warren.Networks entry): the
 * --network-alias names */
static json_t *network_aliases(json_t *ep)
{
	json_t *a = json_object_get(ep, "Aliases");

	return json_is_array(a) ? json_deep_copy(a) : json_array();
}

/* Docker 25's DNSNames: the name, the aliases, the short ID, as the
 * responder answers them (netdns.c) */
static json_t *network_dns_names(json_t *config, json_t *ep, const char *id)
{
	const char *name = json_string_value(json_object_get(config, "Name"));
	json_t *out = json_array(), *a = network_aliases(ep);
	char shortid[13];

	if (name && *name)
		json_array_append_new(out, json_string(name + (*name == '/')));
	json_array_extend(out, a);
	json_decref(a);
	snprintf(shortid, sizeof(shortid), "%.12s", id);
	json_array_append_new(out, json_string(shortid));
	return out;
}

json_t *network_endpoints(const struct gopts *o, json_t *config, const char *id)
{
	json_t *nets = json_object_get(json_object_get(config, "Warren"), "Networks"), *v;
	json_t *out = json_object();
	const char *name;

	json_object_foreach(nets, name, v)
	{
		char dir[PATH_MAX], ip[16] = "", eid[65], mac[18];
		struct werr ignored;
		struct cidr c = { 0, 0 };
		char root[PATH_MAX];
		json_t *rec = NULL, *cfg;
		uint32_t a = 0;
		if (network_root(o, false, root, &ignored) < 0 ||
		    network_find(root, name, &rec, &ignored) < 0)
			continue;
		network_subnet(rec, &c);
		if (network_lease_dir(o, name, dir, &ignored) == 0 &&
		    (a = network_lease_find(dir, id)))
			cidr_format_addr(a, ip);
		cfg = json_array_get(json_object_get(json_object_get(rec, "IPAM"), "Config"), 0);
		network_endpoint(json_string_value(json_object_get(rec, "Id")) ?: "", id, a, eid,
		                 mac);
		json_object_set_new(
		    out, name,
		    json_pack(
		        "{s:O, s:O, s:s, s:i, s:O, s:o, s:o, s:s, s:s}", "NetworkID",
		        json_object_get(rec, "Id"), "Gateway", json_object_get(cfg, "Gateway"),
		        "IPAddress", ip, "IPPrefixLen", a ? (int)c.prefix : 0, "IPAMConfig",
		        json_object_get(v, "IPAMConfig"), "Aliases", network_aliases(v), "DNSNames",
		        network_dns_names(config, v, id), "MacAddress", mac, "EndpointID", eid));
		json_decref(rec);
	}
	return out;
}
