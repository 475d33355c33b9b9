/* ctrevents.h - a container's events (events.h) with Docker's attributes:
 * its image, its name and its labels. */
#ifndef WARREN_CTREVENTS_H
#define WARREN_CTREVENTS_H

#include <jansson.h>

#include "gopts.h"
#include "record.h"

/**
 * ctrevents_log() - a container event for @id in the store of @g, with
 * attributes image=@image, name=@name (a leading "/" dropped), @labels (an
 * object of strings, not taken; NULL: none) and @extra (taken; NULL: none).
 */
void ctrevents_log(const struct gopts *g, const char *action, const char *id, const char *name,
                   const char *image, json_t *labels, json_t *extra);

/**
 * ctrevents_record() - ctrevents_log() for the container of @rec, whose
 * store is found from its record's directory (the monitor has no options).
 */
void ctrevents_record(const struct record *rec, const char *action, json_t *extra);

#endif
