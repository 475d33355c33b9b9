/* health.h - a container's health check (Config.Healthcheck, Docker's
 * shape): one check run in the running container, and its result kept in
 * health.json of the record, for inspect's State.Health, ps's STATUS and
 * its health= filter. Nothing runs checks by itself: `healthcheck run`
 * does, by hand or from the monitor at the interval. */
#ifndef WARREN_HEALTH_H
#define WARREN_HEALTH_H

#include <jansson.h>
#include <stdbool.h>

#include "record.h"
#include "werr.h"

/* Docker's defaults: interval 30s, timeout 30s, 3 retries, no start period */
#define HEALTH_DEFAULT_NS      30000000000LL
#define HEALTH_DEFAULT_RETRIES 3

/** health_configured_p() - whether @config has a check (a Test other than NONE). */
bool health_configured_p(json_t *config);

/** health_interval_ns() - the check's interval (the default when not set). */
long long health_interval_ns(json_t *config);

/**
 * health_status() - "none" (no check), "starting", "healthy" or "unhealthy"
 * for the current (or last) run of @rec.
 */
const char *health_status(const struct record *rec);

/** health_state() - State.Health for inspect, or NULL without a check. */
json_t *health_state(const struct record *rec);

/**
 * health_run() - run @rec's check once (it must be running), record the
 * result under the record's lock.
 * Return: 0 with *@healthy set, or a negative errno with @err set.
 */
int health_run(struct record *rec, bool *healthy, struct werr *err);

#endif
