/* hooks.h - the OCI hooks of a container spec (from CDI specs): each run
 * as the user, in the container's namespaces, with the container's state
 * on its stdin. Never runs a hook with more privilege than the user has. */
#ifndef WARREN_HOOKS_H
#define WARREN_HOOKS_H

#include "container.h"
#include "werr.h"

/**
 * hooks_run() - run @spec's hooks of @stage in order, in the calling
 * (container) process's namespaces, waiting for each. createContainer
 * hooks run before pivot_root (their paths are the host's),
 * startContainer hooks after it (their paths are the container's).
 * Return: 0, or a negative errno with @err naming the hook that failed.
 */
int hooks_run(const struct container_spec *spec, enum hook_stage stage, struct werr *err);

#endif
