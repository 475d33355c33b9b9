/* ctrcgroup.h - a container's resource limits as the commands see them:
 * the refusal (or warning) for a limit the host cannot apply, the limits
 * in the record (HostConfig, Docker's names), `update`, stats and OOM from
 * the container's cgroup, and the removal of cgroups a crash left. The
 * cgroup itself is the runtime's (cgroup.h). */
#ifndef WARREN_CTRCGROUP_H
#define WARREN_CTRCGROUP_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "cgroup.h"
#include "container.h"
#include "gopts.h"
#include "record.h"
#include "werr.h"

/** ctrcgroup_configure() - the process's cgroup root from @g (main() only). */
void ctrcgroup_configure(const struct gopts *g);

/**
 * ctrcgroup_check() - whether this host can apply @spec's limits: refused
 * with one line per the first flag it cannot (which controller, why, the
 * fix); with @warn (cgroup-limits = warn) the limits are dropped from
 * @spec instead and @warning says which and why.
 * Return: 0, or a negative errno with @err set.
 */
int ctrcgroup_check(struct container_spec *spec, bool warn, char *warning, size_t size,
                    struct werr *err);

/** ctrcgroup_to_json() - @spec's limits into @host (HostConfig, Docker's names). */
void ctrcgroup_to_json(const struct container_spec *spec, json_t *host);

/** ctrcgroup_from_json() - the limits of a HostConfig back into @spec. */
void ctrcgroup_from_json(json_t *host, struct container_spec *spec);

/**
 * ctrcgroup_merge() - @l's set fields over @base (what `update` gives over
 * what the container had).
 */
void ctrcgroup_merge(struct cgroup_limits *base, const struct cgroup_limits *l);

/**
 * ctrcgroup_update() - @l on the container of @rec: into its running
 * cgroup (made now, its processes moved in, if it had none) and into its
 * record, so that the next start has them. The caller holds the lock.
 * Return: 0, or a negative errno with @err set.
 */
int ctrcgroup_update(struct record *rec, const struct cgroup_limits *l, struct werr *err);

/**
 * ctrcgroup_exited() - after the container of @rec ended: State.OOMKilled
 * from its cgroup, then the cgroup removed.
 */
void ctrcgroup_exited(struct record *rec);

/** ctrcgroup_remove() - the cgroup of container @id removed, if any. */
void ctrcgroup_remove(const char *id);

/**
 * ctrcgroup_gc() - remove the cgroups of containers that no warren watches
 * any more (a killed run or monitor left them): empty ones, whose monitor
 * is gone, made more than 2 s ago (a younger one may be a starting run's).
 */
void ctrcgroup_gc(void);

/**
 * ctrcgroup_stats() - container @id's usage from its cgroup.
 * Return: 0, or -ENOENT when it has none (then /proc is the source).
 */
int ctrcgroup_stats(const char *id, struct cgroup_stats *s);

/** ctrcgroup_describe() - one line for `warren info`. */
void ctrcgroup_describe(char *buf, size_t size);

#endif
