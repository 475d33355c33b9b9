/* netref.c - finds the container whose network a new one shares
 * (--network container:REF) among the records, and holds its first process
 * with its start time so that a recycled PID is never joined. Reads records
 * only. */
#include "netref.h"
#include "config.h"
#include "record.h"
#include "state.h"

#include <stdio.h>
#include <string.h>

/* the first process of @rec, named for good by its PID and start time */
static int netref_hold(const struct record *rec, struct net_spec *net, struct werr *err)
{
	pid_t pid = state_running_pid(rec);

	if (!pid)
		return werr_set(err, ESRCH,
		                "cannot join the network of container %s: it is not running "
		                "(start it first)",
		                record_name(rec));
	net->join_pid = pid;
	net->join_start = (unsigned long long)state_int(rec, "PidStart");
	return 0;
}

int netref_resolve(const struct gopts *o, struct net_spec *net, bool running, char *hostname,
                   size_t size, struct werr *err)
{
	struct record rec;
	const char *mode, *host;
	int r;

	if (record_lookup(o, net->join_ref, &rec, err) < 0 || state_refresh(&rec, err) < 0)
		return werr_prefix(err, "--network container:%s", net->join_ref);
	mode = config_get(rec.config, "HostConfig.NetworkMode");
	host = config_get(rec.config, "Config.Hostname");
	if (mode && !strcmp(mode, "host"))
		r = werr_set(err, EINVAL,
		             "--network container:%s: container %s uses the host's network: use "
		             "--network host",
		             net->join_ref, record_name(&rec));
	else
		r = running ? netref_hold(&rec, net, err) : 0;
	if (r == 0 && hostname)
		snprintf(hostname, size, "%s", host ? host : "");
	if (r == 0)
		snprintf(net->join_ref, sizeof(net->join_ref), "%s", rec.id);
	record_free(&rec);
	return r;
}
