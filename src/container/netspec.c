/* netspec.c - a container's struct net_spec (declared by the runtime's
 * netsetup.h) as the layers above the runtime build and free it: the exposed
 * ports that the CLI's flags, the image and a record's config.json add, and
 * the free of everything the spec holds, listeners included. Here, not in
 * runtime/, because only those layers build one (cli and the builder call
 * container/, never the runtime). */
#include "netspec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int net_spec_expose(struct net_spec *net, uint16_t port, bool udp)
{
	struct net_expose *e;

	for (size_t i = 0; i < net->n_exposed; i++)
		if (net->exposed[i].port == port && net->exposed[i].udp == udp)
			return 0;
	e = realloc(net->exposed, (net->n_exposed + 1) * sizeof(*e));
	if (!e)
		return -ENOMEM;
	net->exposed = e;
	e[net->n_exposed++] = (struct net_expose){ port, udp };
	return 0;
}

int net_spec_add_network(struct net_spec *net, const char *name)
{
	struct net_spec *m;

	if (!strcmp(net->bridge_net, name))
		return 0;
	for (size_t i = 0; i < net->n_bridge_more; i++)
		if (!strcmp(net->bridge_more[i].bridge_net, name))
			return 0;
	m = realloc(net->bridge_more, (net->n_bridge_more + 1) * sizeof(*m));
	if (!m)
		return -ENOMEM;
	net->bridge_more = m;
	m += net->n_bridge_more++;
	memset(m, 0, sizeof(*m));
	m->mode = NET_MODE_BRIDGE;
	m->bridge_extra = true;
	snprintf(m->bridge_net, sizeof(m->bridge_net), "%s", name);
	snprintf(m->bridge_eth, sizeof(m->bridge_eth), "eth%zu", net->n_bridge_more);
	return 0;
}

void net_spec_free(struct net_spec *net)
{
	for (size_t i = 0; i < net->n_bridge_more; i++)
		net_spec_free(&net->bridge_more[i]);
	free(net->bridge_more);
	net->bridge_more = NULL;
	net->n_bridge_more = 0;
	for (size_t i = 0; i < net->n_ports; i++)
		if (net->ports[i].fd >= 0)
			close(net->ports[i].fd);
	free(net->ports);
	free(net->exposed);
	free(net->dns);
	free(net->dns_search);
	free(net->add_hosts);
	free(net->bridge_aliases);
	net->bridge_aliases = NULL;
	net->n_bridge_aliases = 0;
	free(net->join_hosts);
	free(net->join_resolv);
	net->join_hosts = net->join_resolv = NULL;
	net->ports = NULL;
	net->exposed = NULL;
	net->n_ports = net->n_exposed = 0;
	net->dns = net->dns_search = net->add_hosts = NULL;
}
