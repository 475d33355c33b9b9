/* config_net.h - a container's network options kept in its config.json, so
 * that every start of a recorded container publishes the same ports with the
 * same DNS and hosts entries, and the live port map for port, ps, inspect. */
#ifndef WARREN_CONFIG_NET_H
#define WARREN_CONFIG_NET_H

#include <jansson.h>
#include <stdbool.h>

#include "netspec.h"
#include "record.h"

/**
 * config_net_to_json() - @net into @config's "Warren.Net" (what start reads)
 * and Docker's HostConfig.PortBindings, PublishAllPorts, Dns, DnsSearch,
 * ExtraHosts and Config.ExposedPorts; "Warren", "HostConfig" and "Config"
 * exist already.
 */
void config_net_to_json(const struct net_spec *net, json_t *config);

/**
 * config_net_from_json() - fill @net (its mode already set) from "Warren.Net";
 * strings point into @config. Free with net_spec_free().
 * Return: 0 or -ENOMEM.
 */
int config_net_from_json(json_t *config, struct net_spec *net);

/**
 * config_net_ports() - Docker's NetworkSettings.Ports: each published port
 * ("80/tcp": [{"HostIp": "0.0.0.0", "HostPort": "8080"}]) while @running,
 * from warren-net's ports.json, and each exposed port not published as null.
 * Return: a new JSON object (never NULL unless out of memory).
 */
json_t *config_net_ports(const struct record *rec, bool running);

#endif
