/* config_net.c - a container's network options in its config.json: the
 * runtime's net_spec under "Warren.Net" (read back at each start), Docker's
 * fields for readers (HostConfig.PortBindings, Dns, ExtraHosts,
 * Config.ExposedPorts), and the live port map that port, ps and inspect show. */
#include "config_net.h"
#include "cleanup.h"
#include "state.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static json_t *strn_json(char **v, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static void port_key(char *buf, size_t size, unsigned port, bool udp)
{
	snprintf(buf, size, "%u/%s", port, udp ? "udp" : "tcp");
}

/* Docker's HostConfig.PortBindings and Config.ExposedPorts */
static void config_net_docker(const struct net_spec *net, json_t *config)
{
	json_t *bind = json_object(), *exposed = json_object(), *host;
	char key[32], hp[8];

	for (size_t i = 0; i < net->n_ports; i++) {
		const struct net_port *p = &net->ports[i];
		json_t *arr;
		port_key(key, sizeof(key), p->container_port, p->udp);
		arr = json_object_get(bind, key);
		if (!arr)
			json_object_set_new(bind, key, arr = json_array());
		snprintf(hp, sizeof(hp), "%u", (unsigned)p->host_port);
		json_array_append_new(arr, json_pack("{s:s, s:s}", "HostIp", p->host_ip, "HostPort",
		                                     p->host_port ? hp : ""));
		json_object_set_new(exposed, key, json_object());
	}
	for (size_t i = 0; i < net->n_exposed; i++) {
		port_key(key, sizeof(key), net->exposed[i].port, net->exposed[i].udp);
		json_object_set_new(exposed, key, json_object());
	}
	host = json_object_get(config, "HostConfig");
	json_object_set_new(host, "PortBindings", bind);
	json_object_set_new(host, "PublishAllPorts", json_boolean(net->publish_all));
	/* socket switching (warren's): outbound TCP through the host's kernel */
	json_object_set_new(host, "NetworkBypass",
	                    json_boolean(net->mode == NET_MODE_SLIRP && !net->no_bypass));
	json_object_set_new(host, "Dns", strn_json(net->dns, net->n_dns));
	json_object_set_new(host, "DnsSearch", strn_json(net->dns_search, net->n_dns_search));
	json_object_set_new(host, "ExtraHosts", strn_json(net->add_hosts, net->n_add_hosts));
	json_object_set_new(json_object_get(config, "Config"), "ExposedPorts", exposed);
}

void config_net_to_json(const struct net_spec *net, json_t *config)
{
	json_t *ports = json_array(), *exposed = json_array();

	for (size_t i = 0; i < net->n_ports; i++) {
		const struct net_port *p = &net->ports[i];
		json_array_append_new(ports,
		                      json_pack("{s:s, s:i, s:i, s:b}", "HostIp", p->host_ip,
		                                "HostPort", (int)p->host_port, "ContainerPort",
		                                (int)p->container_port, "Udp", p->udp));
	}
	for (size_t i = 0; i < net->n_exposed; i++)
		json_array_append_new(exposed,
		                      json_pack("{s:i, s:b}", "Port", (int)net->exposed[i].port,
		                                "Udp", net->exposed[i].udp));
	json_object_set_new(
	    json_object_get(config, "Warren"), "Net",
	    json_pack("{s:b, s:i, s:b, s:b, s:b, s:b, s:o, s:o, s:o, s:o, s:o}", "PortHandlerSlirp",
	              net->port_handler == NET_PORTS_SLIRP, "Mtu", (int)net->mtu,
	              "AllowHostLoopback", net->allow_host_loopback, "NoIpv6", net->no_ipv6,
	              "NoBypass", net->no_bypass, "PublishAll", net->publish_all, "Ports", ports,
	              "Exposed", exposed, "Dns", strn_json(net->dns, net->n_dns), "DnsSearch",
	              strn_json(net->dns_search, net->n_dns_search), "AddHosts",
	              strn_json(net->add_hosts, net->n_add_hosts)));
	config_net_docker(net, config);
}

/* an array of strings into *@v (pointing into @a) and *@n */
static int strn_from(json_t *a, char ***v, size_t *n)
{
	size_t cnt = json_array_size(a);

	*n = 0;
	*v = NULL;
	if (cnt == 0)
		return 0;
	*v = calloc(cnt, sizeof(char *));
	if (!*v)
		return -ENOMEM;
	for (size_t i = 0; i < cnt; i++)
		if (json_is_string(json_array_get(a, i)))
			(*v)[(*n)++] = (char *)json_string_value(json_array_get(a, i));
	return 0;
}

static int ports_from(json_t *a, struct net_spec *net)
{
	size_t i;
	json_t *p;

	json_array_foreach(a, i, p)
	{
		struct net_port np = { .fd = -1 };
		snprintf(np.host_ip, sizeof(np.host_ip), "%s",
		         json_string_value(json_object_get(p, "HostIp")) ?: "");
		np.host_port = (uint16_t)json_integer_value(json_object_get(p, "HostPort"));
		np.container_port =
		    (uint16_t)json_integer_value(json_object_get(p, "ContainerPort"));
		np.udp = json_is_true(json_object_get(p, "Udp"));
		if (util_array_push(&net->ports, &net->n_ports, sizeof(np), &np) < 0)
			return -ENOMEM;
	}
	return 0;
}

int config_net_from_json(json_t *config, struct net_spec *net)
{
	json_t *n = json_object_get(json_object_get(config, "Warren"), "Net"), *e;
	size_t i;
	int r;

	if (!n) /* a record from before networking options were kept */
		return 0;
	net->port_handler = json_is_true(json_object_get(n, "PortHandlerSlirp")) ? NET_PORTS_SLIRP
	                                                                         : NET_PORTS_SPLICE;
	net->mtu = (unsigned)json_integer_value(json_object_get(n, "Mtu"));
	net->allow_host_loopback = json_is_true(json_object_get(n, "AllowHostLoopback"));
	net->no_ipv6 = json_is_true(json_object_get(n, "NoIpv6"));
	net->no_bypass = json_is_true(json_object_get(n, "NoBypass"));
	net->publish_all = json_is_true(json_object_get(n, "PublishAll"));
	r = ports_from(json_object_get(n, "Ports"), net);
	json_array_foreach(json_object_get(n, "Exposed"), i, e)
	{
		if (r == 0)
			r = net_spec_expose(
			    net, (uint16_t)json_integer_value(json_object_get(e, "Port")),
			    json_is_true(json_object_get(e, "Udp")));
	}
	if (r == 0)
		r = strn_from(json_object_get(n, "Dns"), &net->dns, &net->n_dns);
	if (r == 0)
		r = strn_from(json_object_get(n, "DnsSearch"), &net->dns_search,
		              &net->n_dns_search);
	if (r == 0)
		r = strn_from(json_object_get(n, "AddHosts"), &net->add_hosts, &net->n_add_hosts);
	return r;
}

json_t *config_net_ports(const struct record *rec, bool running)
{
	char dir[PATH_MAX], path[PATH_MAX + 32];
	_cleanup_free_ char *text = NULL;
	struct werr ignored;
	json_t *ports = NULL, *exposed, *v;
	const char *key;
	size_t len;

	/* written by netports_bind() at each start, gone with the monitor */
	if (running && state_rundir(rec->id, dir, false, &ignored) == 0 &&
	    snprintf(path, sizeof(path), "%s/%s", dir, NETSETUP_PORTS_FILE) > 0 &&
	    util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, &ignored) == 0)
		ports = json_loadb(text, len, 0, NULL);
	if (!json_is_object(ports)) {
		json_decref(ports);
		ports = json_object();
	}
	exposed = json_object_get(json_object_get(rec->config, "Config"), "ExposedPorts");
	json_object_foreach(exposed, key, v)
	{
		if (!json_object_get(ports, key))
			json_object_set_new(ports, key, json_null());
	}
	return ports;
}
