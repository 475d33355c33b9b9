/* idmap_json.h - an ID plan as JSON, the form a container's record keeps it
 * in ("Warren"."IdMap" of its config.json) and warren hands warren-transfer.
 * Only the decision is stored: helper paths are found again on load. */
#ifndef WARREN_IDMAP_JSON_H
#define WARREN_IDMAP_JSON_H

#include <jansson.h>

#include "idmap.h"
#include "werr.h"

/**
 * idmap_plan_to_json() - @plan as
 * {"Mode": "full" | "single", "KeepId": BOOL, "HostUid": N, "HostGid": N,
 *  "UidMappings": [{"containerID": N, "hostID": N, "size": N}, ...],
 *  "GidMappings": [...]}; the mapping objects are the OCI runtime spec's
 * linux.uidMappings entries.
 * Return: a new object, NULL on allocation failure.
 */
json_t *idmap_plan_to_json(const struct idmap_plan *plan);

/**
 * idmap_plan_from_json() - the plan idmap_plan_to_json() wrote, checked
 * for shape: every number a 32-bit ID, no extent empty or past the last ID,
 * at most IDMAP_MAX_EXTENTS, one extent per map in single-ID mode, and the
 * default user inside (0, or the host uid with keep-id) mapped to the
 * user's own ID. Does not look at /etc/subuid (idmap_plan_check()) nor for
 * the helpers (idmap_plan_helpers()).
 * Return: 0, or -EINVAL with @err naming the bad field.
 */
int idmap_plan_from_json(json_t *j, struct idmap_plan *plan, struct werr *err);

#endif
