/* record.h - container records: <store>/containers/<id>/ holds config.json
 * (fixed at create, Docker-shaped), state.json (status, pid, exit code) and
 * a lock file, and for an image container its writable layer (rootfs.h);
 * names/<name> is a symlink to the id that reserves the name. Records
 * appear and disappear with one rename, so readers never see half of one. */
#ifndef WARREN_RECORD_H
#define WARREN_RECORD_H

#include <jansson.h>
#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#include "gopts.h"
#include "werr.h"

#define RECORD_ID_LEN 64

struct record {
	char id[RECORD_ID_LEN + 1];
	char dir[PATH_MAX]; /* <store>/containers/<id> */
	json_t *config;     /* config.json */
	json_t *state;      /* state.json */
};

/**
 * record_root() - <store>/containers (created), into @buf of PATH_MAX.
 */
int record_root(const struct gopts *o, char *buf, struct werr *err);

/**
 * record_create() - reserve @name and publish a new record with @config and
 * a "created" state. The record is published locked and stays locked by this
 * process until its first record_lock() here (which returns that lock) or
 * the exit: nothing can remove or start it before its creator starts it.
 * Return: 0, -EEXIST with @err naming the holder of the name.
 */
int record_create(const struct gopts *o, const char *id, const char *name, json_t *config,
                  struct werr *err);

/**
 * record_lookup() - find a record by full id, name, or unique id prefix.
 * Return: 0 with @rec filled (record_free() it), or -ENOENT / -EINVAL
 * (ambiguous prefix) with a one-line @err.
 */
int record_lookup(const struct gopts *o, const char *ref, struct record *rec, struct werr *err);

/**
 * record_load() - (re)read config.json and state.json of record @id.
 */
int record_load(const struct gopts *o, const char *id, struct record *rec, struct werr *err);

/**
 * record_load_dir() - record_load() of the record in @dir
 * (<store>/containers/<id>), for a program handed the directory.
 */
int record_load_dir(const char *dir, struct record *rec, struct werr *err);

/**
 * record_list() - every complete record, oldest first.
 * Return: 0 with *@out (record_list_free()) and *@n set.
 */
int record_list(const struct gopts *o, struct record **out, size_t *n, struct werr *err);
void record_list_free(struct record *recs, size_t n);

/**
 * record_lock() - take the record's exclusive flock (blocks).
 * Return: the lock fd (close it to unlock) or a negative errno.
 */
int record_lock(const struct record *rec, struct werr *err);

/** record_save_state() - write rec->state atomically. */
int record_save_state(const struct record *rec, struct werr *err);

/** record_save_config() - write rec->config atomically. */
int record_save_config(const struct record *rec, struct werr *err);

/**
 * record_remove() - make the record disappear (one rename), delete it and
 * release its name.
 */
int record_remove(const struct record *rec, struct werr *err);

/**
 * record_rename() - move the record's name to @name (must be free).
 */
int record_rename(struct record *rec, const char *name, struct werr *err);

/**
 * record_store() - the options that find the store @rec lives in (its
 * --root; no storage driver: the record names its own).
 */
void record_store(const struct record *rec, struct gopts *o);

/** record_name() - the name without Docker's leading "/". */
const char *record_name(const struct record *rec);

/** record_free() - release the JSON of @rec. */
void record_free(struct record *rec);

/** record_check_name() - Docker's rule: [a-zA-Z0-9][a-zA-Z0-9_.-]*. */
int record_check_name(const char *name, struct werr *err);

#endif
