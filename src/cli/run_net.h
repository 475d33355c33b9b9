/* run_net.h - `warren run`'s network flags (--network, -p, -P, --expose,
 * --dns, --dns-search, --add-host) turned into a struct net_spec. */
#ifndef WARREN_RUN_NET_H
#define WARREN_RUN_NET_H

#include "netspec.h"
#include "werr.h"

/**
 * run_net_defaults() - "slirp-options = OPTS" of warren.conf (@from its
 * FILE:LINE) into @net before the flags: what --network slirp:OPTS takes.
 * Return: 0, or a negative errno with @err naming the file and line.
 */
int run_net_defaults(struct net_spec *net, const char *opts, const char *from, struct werr *err);

/**
 * run_net_option() - apply one network flag, named by its long name
 * ("network", "publish", ...), to @net; @value stays referenced.
 * Return: 0, or a negative errno with @err naming the bad value and the
 * accepted forms.
 */
int run_net_option(struct net_spec *net, const char *name, const char *value, struct werr *err);

/**
 * run_net_check() - the flags that only make sense together: -p and -P
 * need --network slirp.
 * Return: 0, or a negative errno with @err set.
 */
int run_net_check(const struct net_spec *net, struct werr *err);

#endif
