/* filters.h - Docker's --filter KEY=VALUE, parsed once for every listing
 * and prune command: each command names its keys, each key how its value
 * is checked. A key the command does not know, or a bad value, is refused
 * with one line; a filter is never ignored. */
#ifndef WARREN_FILTERS_H
#define WARREN_FILTERS_H

#include <jansson.h>
#include <regex.h>
#include <stdbool.h>
#include <stdint.h>

#include "werr.h"

enum filter_kind {
	FILTER_TEXT,  /* any non-empty value */
	FILTER_BOOL,  /* true, false, 1, 0 */
	FILTER_TIME,  /* a duration back from now, a Unix timestamp or a date */
	FILTER_INT,   /* a decimal number (an exit code) */
	FILTER_REGEX, /* a POSIX extended regular expression (Go's RE2 for plain names) */
	FILTER_LABEL, /* KEY or KEY=VALUE */
	FILTER_ENUM,  /* one of @choices */
};

struct filter_key {
	const char *name; /* "dangling", "label!" */
	enum filter_kind kind;
	const char *const *choices; /* FILTER_ENUM: NULL-terminated */
};

struct filter {
	const struct filter_key *key;
	const char *value; /* argv's text after "=" */
	int64_t num;       /* FILTER_BOOL 0/1, FILTER_INT, FILTER_TIME (Unix seconds) */
	regex_t re;        /* FILTER_REGEX */
};

struct filters {
	const char *cmd;               /* "ps", for the messages */
	const struct filter_key *keys; /* the command's, ending with a NULL name */
	struct filter *v;
	size_t n;
};

/**
 * filters_add() - check and keep one --filter argument ("KEY=VALUE", or
 * "label!=VALUE" where the command allows it).
 * Return: 0, or -EINVAL with @err naming the key and the valid keys (or
 * what the value should be).
 */
int filters_add(struct filters *f, const char *arg, struct werr *err);

/** filters_free() - release what filters_add() kept. */
void filters_free(struct filters *f);

/** filters_has() - whether @key was given at least once. */
bool filters_has(const struct filters *f, const char *key);

/**
 * filters_next() - the next filter of @key from index *@i on (start at 0).
 * Return: the filter, or NULL when there is no more.
 */
const struct filter *filters_next(const struct filters *f, const char *key, size_t *i);

/**
 * filters_labels_p() - Docker's label rules on @labels (an object of
 * strings): every label= filter matches (KEY present, or KEY=VALUE equal),
 * and, when label!= filters are given, not all of them match.
 */
bool filters_labels_p(const struct filters *f, json_t *labels);

/**
 * filters_regex_p() - whether any filter of @key matches @s (true when the
 * key is not given); Docker also takes an exact match.
 */
bool filters_regex_p(const struct filters *f, const char *key, const char *s);

/**
 * filters_until_p() - whether @created (Unix seconds) is before every
 * until= filter (true when none is given).
 */
bool filters_until_p(const struct filters *f, int64_t created);

/**
 * filters_parse_time() - Docker's timestamps: a Go duration back from
 * @now ("10m", "1h30m"), Unix seconds ("1700000000", "1700000000.5"), or a
 * date "2006-01-02[THH:MM:SS[.frac]][Z|+hh:mm]" (local time without zone).
 * Return: 0 with *@out in Unix seconds, or -EINVAL.
 */
int filters_parse_time(const char *s, int64_t now, int64_t *out);

#endif
