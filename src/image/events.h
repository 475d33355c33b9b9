/* events.h - the store's event journal, Docker's `events` without a daemon:
 * each command that creates, starts, stops or removes something appends
 * one JSON line (Docker's event message) to <store>/events.log, the way
 * podman's file event logger does; `warren events` reads and follows it. */
#ifndef WARREN_EVENTS_H
#define WARREN_EVENTS_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#include "gopts.h"
#include "werr.h"

/* past this size the journal is moved to events.log.1 (one generation kept) */
#define EVENTS_MAX_BYTES (1024 * 1024)

/**
 * events_path() - <store>/events.log, or with @old its previous generation
 * <store>/events.log.1, into @buf of PATH_MAX.
 * Return: 0, or a negative errno with @err set.
 */
int events_path(const struct gopts *g, bool old, char *buf, struct werr *err);

/**
 * events_log() - append one event: @type ("container", "image", "volume"),
 * @action ("start", "die", "pull"...), the actor's @id and its @attrs (an
 * object of strings, taken over; NULL: none). One write(2) of one line with
 * O_APPEND, so concurrent writers never interleave. Best effort: an event
 * that cannot be written never fails the command that did the thing.
 */
void events_log(const struct gopts *g, const char *type, const char *action, const char *id,
                json_t *attrs);

#endif
