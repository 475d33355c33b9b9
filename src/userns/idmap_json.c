/* idmap_json.c - an ID plan to and from JSON. A stored plan is input that
 * decides whose IDs a container gets: every field is checked, a malformed
 * one is an error, never a guess or a plan made afresh. */
#include "idmap_json.h"

#include <string.h>

static json_t *idmap_json_map(const struct idmap *map)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < map->n; i++)
		if (json_array_append_new(a, json_pack("{s:I, s:I, s:I}", "containerID",
		                                       (json_int_t)map->ext[i].inside, "hostID",
		                                       (json_int_t)map->ext[i].outside, "size",
		                                       (json_int_t)map->ext[i].count)) < 0) {
			json_decref(a);
			return NULL;
		}
	return a;
}

json_t *idmap_plan_to_json(const struct idmap_plan *plan)
{
	json_t *u = idmap_json_map(&plan->uids), *g = idmap_json_map(&plan->gids);

	if (!u || !g) {
		json_decref(u);
		json_decref(g);
		return NULL;
	}
	return json_pack("{s:s, s:b, s:I, s:I, s:o, s:o}", "Mode", plan->single ? "single" : "full",
	                 "KeepId", plan->keep_id, "HostUid", (json_int_t)plan->host_uid, "HostGid",
	                 (json_int_t)plan->host_gid, "UidMappings", u, "GidMappings", g);
}

/* @key of @o as a number from 0 to UINT32_MAX */
static int idmap_json_u32(json_t *o, const char *key, uint32_t *out)
{
	json_t *v = json_object_get(o, key);
	json_int_t n;

	if (!json_is_integer(v))
		return -EINVAL;
	n = json_integer_value(v);
	if (n < 0 || n > (json_int_t)UINT32_MAX)
		return -ERANGE;
	*out = (uint32_t)n;
	return 0;
}

static int idmap_json_map_from(json_t *o, const char *key, struct idmap *map, struct werr *err)
{
	json_t *a = json_object_get(o, key);
	size_t n = json_array_size(a);

	if (!json_is_array(a) || n == 0 || n > IDMAP_MAX_EXTENTS)
		return werr_set(err, EINVAL, "%s must be an array of 1 to %d mappings", key,
		                IDMAP_MAX_EXTENTS);
	map->n = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *m = json_array_get(a, i);
		struct idmap_extent *e = &map->ext[i];

		if (!json_is_object(m) || idmap_json_u32(m, "containerID", &e->inside) < 0 ||
		    idmap_json_u32(m, "hostID", &e->outside) < 0 ||
		    idmap_json_u32(m, "size", &e->count) < 0)
			return werr_set(err, EINVAL,
			                "%s[%zu] needs containerID, hostID and size, each a number "
			                "from 0 to %u",
			                key, i, UINT32_MAX);
		if (e->count == 0 || (uint64_t)e->inside + e->count > UINT32_MAX ||
		    (uint64_t)e->outside + e->count > UINT32_MAX)
			return werr_set(err, EINVAL,
			                "%s[%zu]: size %u is empty or runs past the last ID", key,
			                i, e->count);
		map->n++;
	}
	return 0;
}

/* the extent that holds inside ID @id maps it to @host */
static bool idmap_json_maps_to(const struct idmap *map, uint32_t id, uint32_t host)
{
	for (size_t i = 0; i < map->n; i++)
		if (id >= map->ext[i].inside && id - map->ext[i].inside < map->ext[i].count)
			return map->ext[i].outside + (id - map->ext[i].inside) == host;
	return false;
}

int idmap_plan_from_json(json_t *j, struct idmap_plan *plan, struct werr *err)
{
	const char *mode = json_string_value(json_object_get(j, "Mode"));
	json_t *keep = json_object_get(j, "KeepId");
	uint32_t hu, hg;
	int r;

	memset(plan, 0, sizeof(*plan));
	if (!json_is_object(j))
		return werr_set(err, EINVAL, "the ID plan is not a JSON object");
	if (!mode || (strcmp(mode, "full") && strcmp(mode, "single")))
		return werr_set(err, EINVAL, "Mode must be \"full\" or \"single\"");
	if (!json_is_boolean(keep))
		return werr_set(err, EINVAL, "KeepId must be true or false");
	if (idmap_json_u32(j, "HostUid", &hu) < 0 || idmap_json_u32(j, "HostGid", &hg) < 0 ||
	    hu == UINT32_MAX || hg == UINT32_MAX)
		return werr_set(err, EINVAL, "HostUid and HostGid must be IDs from 0 to %u",
		                UINT32_MAX - 1);
	plan->single = !strcmp(mode, "single");
	plan->keep_id = json_is_true(keep);
	plan->host_uid = hu;
	plan->host_gid = hg;
	plan->uid = plan->keep_id ? hu : 0;
	plan->gid = plan->keep_id ? hg : 0;
	r = idmap_json_map_from(j, "UidMappings", &plan->uids, err);
	if (r == 0)
		r = idmap_json_map_from(j, "GidMappings", &plan->gids, err);
	if (r < 0)
		return r;
	if (plan->single && (plan->uids.n != 1 || plan->gids.n != 1 ||
	                     plan->uids.ext[0].count != 1 || plan->gids.ext[0].count != 1))
		return werr_set(err, EINVAL, "a single-ID plan maps exactly one uid and one gid");
	if (!idmap_json_maps_to(&plan->uids, plan->uid, hu) ||
	    !idmap_json_maps_to(&plan->gids, plan->gid, hg))
		return werr_set(err, EINVAL,
		                "the default user inside (%u:%u) is not mapped to HostUid:HostGid "
		                "(%u:%u)",
		                (unsigned)plan->uid, (unsigned)plan->gid, hu, hg);
	return 0;
}
