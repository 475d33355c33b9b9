/* volume.h - named and anonymous volumes: <store>/volumes/<name>/_data with
 * volume.json beside it (Docker's "local" driver, without options). */
#ifndef WARREN_VOLUME_H
#define WARREN_VOLUME_H

#include <jansson.h>
#include <stdbool.h>

#include "gopts.h"
#include "werr.h"

/**
 * volume_create() - create volume @name (NULL: an anonymous one with a random
 * name); an existing named volume is fine. *@name_out (65 bytes) gets the name,
 * @path (PATH_MAX) its _data directory.
 */
int volume_create(const struct gopts *o, const char *name, json_t *labels, char *name_out,
                  char *path, struct werr *err);

/** volume_inspect() - Docker's volume inspect object for @name. */
int volume_inspect(const struct gopts *o, const char *name, json_t **out, struct werr *err);

/** volume_list() - the inspect objects of every volume, by name. */
int volume_list(const struct gopts *o, json_t **out, struct werr *err);

/** volume_in_use() - the name of a container that mounts @name, or NULL. */
const char *volume_in_use(const struct gopts *o, const char *name, char *buf, size_t size);

/** volume_remove() - remove @name; refused while a container uses it (unless @force). */
int volume_remove(const struct gopts *o, const char *name, bool force, struct werr *err);

/**
 * volume_remove_anonymous() - remove the anonymous volumes that @config (of
 * container @id) mounts and no other container does.
 */
void volume_remove_anonymous(const struct gopts *o, json_t *config, const char *id);

/** volume_check_name() - Docker's rule for volume names. */
int volume_check_name(const char *name, struct werr *err);

#endif
