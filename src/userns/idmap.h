/* idmap.h - planning and writing the container's user namespace ID maps.
 * Podman's layout: container root is the calling user, IDs 1..N come from the
 * user's subordinate ranges; single-ID mode maps only the user's own IDs.
 * A container's plan is made once, at create, and stored in its record
 * (idmap_json.c); later commands load it and check it still holds. */
#ifndef WARREN_IDMAP_H
#define WARREN_IDMAP_H

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "subid.h"
#include "werr.h"

/* a map holds at most 340 lines (the kernel's limit since 4.15) and is
 * written in one write of less than a page: idmap_layout() keeps to both */
#define IDMAP_MAX_EXTENTS 340
#define IDMAP_TEXT_MAX    4095
#define IDMAP_FREE_FIRST  100000 /* idmap_free_range() suggests nothing below */

struct idmap_extent {
	uint32_t inside, outside, count;
};

struct idmap {
	struct idmap_extent ext[IDMAP_MAX_EXTENTS];
	size_t n;
};

struct idmap_plan {
	bool single;  /* only our own uid/gid mapped, setgroups denied */
	bool keep_id; /* --userns=keep-id: our own uid/gid inside too */
	uid_t host_uid;
	gid_t host_gid;
	uid_t uid; /* default user inside: 0, or host uid with keep-id */
	gid_t gid;
	struct idmap uids, gids;
	char uid_helper[PATH_MAX]; /* setuid helper that writes uid_map (full mode) */
	char gid_helper[PATH_MAX];
	char helper_kind[48];  /* "setuid root" or "file capabilities" (both, if they differ) */
	char subid_source[64]; /* the `subid:` source of nsswitch.conf; "" for the files */
	char warning[512];     /* why single-ID mode, and how to get ranges; "" if none */
};

/**
 * idmap_plan_make() - decide the maps for the calling user.
 * @keep_id: --userns=keep-id: the user's own uid/gid inside, the range around it
 * Reads /etc/subuid and /etc/subgid and looks for warren-newuidmap next to
 * the running binary, then in PATH, then shadow's newuidmap. Without both
 * ranges and a usable helper, plans single-ID mode and fills @plan->warning.
 * A file that cannot be read costs only the ranges (a warning); a line of
 * the user's in /etc/subuid or /etc/subgid that runs past the last ID is
 * an error (-ERANGE, @err naming the file and line).
 * Return: 0 or a negative errno with @err set.
 */
int idmap_plan_make(struct idmap_plan *plan, bool keep_id, struct werr *err);

/**
 * idmap_plan_helpers() - find the setuid helpers that write a full plan's
 * maps (as idmap_plan_make() does), for a plan loaded from a record.
 * Return: 0 (also for a single-ID plan, which needs none) or -ENOENT with
 * @err saying what to install.
 */
int idmap_plan_helpers(struct idmap_plan *plan, struct werr *err);

/**
 * idmap_plan_check() - whether a stored plan still holds for the caller:
 * made for the calling user, and every host ID of a full plan other than
 * the user's own still granted by /etc/subuid and /etc/subgid.
 * Return: 0; -EPERM with @err naming the host IDs, the file, the user and
 * what it grants now (no fix: the caller knows it); -EACCES when the plan
 * is another user's; another negative errno when a file cannot be read.
 */
int idmap_plan_check(const struct idmap_plan *plan, struct werr *err);

/**
 * idmap_first_ungranted() - the first extent of @map whose host IDs are
 * not all inside @ranges (the extent that maps only @own skipped).
 * Exposed for unit tests.
 * Return: its index, or -1 when every extent is granted.
 */
int idmap_first_ungranted(const struct idmap *map, uint32_t own, const struct subid_range *ranges,
                          size_t n);

/**
 * idmap_free_range() - the range of 65536 IDs to suggest to a user without
 * one: the lowest 65536-aligned one at or above IDMAP_FREE_FIRST that no line
 * of @subuid or @subgid overlaps, for any user. Exposed for unit tests.
 * Return: 0 with @start set, -ENOSPC when none is free, or another negative
 * errno when a file cannot be read; @err says which.
 */
int idmap_free_range(const char *subuid, const char *subgid, uint32_t *start, struct werr *err);

/**
 * idmap_plan_maps_id() - whether inside ID @id is mapped in @map.
 */
bool idmap_maps_id(const struct idmap *map, uint32_t id);

/**
 * idmap_write() - write the planned maps for process @pid (in its new user
 * namespace) from the parent: through the helpers in full mode, directly
 * (setgroups "deny" first) in single-ID mode.
 * Return: 0 or a negative errno with @err naming the helper and its message.
 */
int idmap_write(const struct idmap_plan *plan, pid_t pid, struct werr *err);

/**
 * idmap_layout() - fill @map for @own (the host ID) and the subordinate
 * @ranges: @own appears inside as @own_inside, the ranges fill the IDs
 * around it from 0 up. Exposed for unit tests.
 */
void idmap_layout(struct idmap *map, uint32_t own, uint32_t own_inside,
                  const struct subid_range *ranges, size_t n);

#endif
