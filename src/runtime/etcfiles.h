/* etcfiles.h - the generated /etc/hostname, /etc/hosts and /etc/resolv.conf
 * that are bind-mounted into the container. */
#ifndef WARREN_ETCFILES_H
#define WARREN_ETCFILES_H

#include <stdbool.h>

#include "werr.h"

/**
 * etcfiles_write() - write hostname, hosts and resolv.conf into @dirfd.
 * @network_host: the container shares the host's network: the host's hosts
 *   and resolv.conf are the base; otherwise loopback nameservers, which the
 *   container cannot reach, are left out.
 * Return: 0 or a negative errno with @err set.
 */
int etcfiles_write(int dirfd, const char *hostname, bool network_host, struct werr *err);

#endif
