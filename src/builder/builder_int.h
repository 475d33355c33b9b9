/* builder_int.h - what the builder's files share: the build's state, a
 * stage's image being built, a step's directories, and the cache. Private
 * to src/builder/builder*.c. */
#ifndef WARREN_BUILD_BUILDER_INT_H
#define WARREN_BUILD_BUILDER_INT_H

#include <jansson.h>
#include <limits.h>

#include "builder.h"
#include "context.h"
#include "rootfs.h"
#include "dockerfile.h"
#include "shellex.h"
#include "store.h"
#include "strbuf.h"

/* the image a stage is making, step by step */
struct bstage {
	json_t *cfg;    /* the whole image config (owned) */
	json_t *layers; /* the manifest's layer descriptors (owned) */
	char (*chain)[DIGEST_STR_LEN + 1];
	size_t n_layers;
	char key[DIGEST_STR_LEN + 1]; /* cache key of the state so far */
	struct shellex_scope scope;   /* ARG and ENV values, for expansion */
	struct strv args;             /* ARG names declared in the stage */
	struct strv onbuild;          /* the base image's ONBUILD triggers, to run first */
	bool cmd_set;                 /* CMD given in this stage (an ENTRYPOINT keeps it) */
	bool built;
	json_t *ckeys; /* the cache key of each history entry this build added */
	/* the image of the last step (or the base), or "" */
	char image[DIGEST_STR_LEN + 1];
};

struct builder {
	const struct build_opts *o;
	struct dockerfile *df;
	struct context *ctx;
	struct store s;
	struct staging st;
	char stdir[PATH_MAX]; /* the staging directory, absolute */
	struct idmap_plan plan;
	struct shellex_scope meta; /* ARGs before the first FROM */
	struct bstage *stages;
	unsigned step, nsteps;
	unsigned seq;              /* names of step directories in staging */
	enum rootfs_driver driver; /* the store's: RUN steps use it, as warren run does */
	unsigned line;             /* the Dockerfile line of the step running, for messages */
	json_t *cfrom;             /* --cache-from: step key -> entry (as store/build-cache/'s) */
};

/* a step's writable layer: staging/sN/diff over the stage's layers */
struct bstep_dir {
	char name[32];
	char upper[PATH_MAX + 64], work[PATH_MAX + 64], merged[PATH_MAX + 64];
	char lower_base[PATH_MAX + 16];
	char *lowerdir; /* "HEX/diff:...", top first, relative to @lower_base */
	/* copy mode (builder_copymode.c): @merged is a copy of the stage's tree,
	 * compared with the stat of its entries before the step, in this file */
	bool copied;
	char snapshot[PATH_MAX + 64];
};

/* builder_layer.c */
/* "HEX/diff:...", top first, relative to the store's layers/ (malloc'd) */
char *bstage_lowerdir(const struct bstage *sg);
int bstep_dir_new(struct builder *b, const struct bstage *sg, struct bstep_dir *d,
                  struct werr *err);
void bstep_dir_free(struct builder *b, struct bstep_dir *d);
int blayer_commit(struct builder *b, struct bstage *sg, struct bstep_dir *d, char *diff_id,
                  uint64_t *size, struct werr *err);
int blayer_append(struct builder *b, struct bstage *sg, const char *diff_id, uint64_t size,
                  struct werr *err);
void bcache_key(struct bstage *sg, const char *text);
int bcache_lookup(struct builder *b, struct bstage *sg, const char *created_by, bool *hit,
                  struct werr *err);
int bcache_save(struct builder *b, const struct bstage *sg, const char *diff_id, uint64_t size,
                const char *created, struct werr *err);
void bhistory_add(struct bstage *sg, const char *created, const char *created_by, bool empty);
void bnow(char *buf, size_t size);

/* builder_inline.c: the inline cache (--cache-to type=inline, --cache-from) */
/* the image config's private field: per history entry, the step's key */
#define BINLINE_FIELD "warren.cache.v0"
/* the --cache-from images' keys into @b->cfrom (a missing one pulled; one
 * that cannot be had is a warning on stderr) */
int binline_load(struct builder *b, struct werr *err);
/* the map of @sg's history into its config */
int binline_write(const struct builder *b, struct bstage *sg, struct werr *err);

/* builder_config.c */
int bconfig_apply(struct builder *b, struct bstage *sg, const struct df_instr *x, struct werr *err);
/* the store's record of image @ref (in *@images, for the caller to
 * json_decref), pulled when absent or when @again; NULL with @err set */
json_t *bimage_find(struct builder *b, const char *ref, bool again, json_t **images,
                    struct werr *err);
int bconfig_from_image(struct builder *b, struct bstage *sg, const char *ref, struct werr *err);
char **bconfig_run_env(const struct bstage *sg);
/* Env gets BuildKit's default PATH when the base gave none (as Docker and
 * podman write it into the image) */
int bconfig_default_path(struct bstage *sg);
json_t *bconfig_get(struct bstage *sg);
/* the config's Env into the expansion scope */
void bconfig_scope_from_env(struct bstage *sg);
void bstage_free(struct bstage *sg);
char *binstr_text(const struct df_instr *x);

/* builder_copymode.c */
/* @d->merged becomes a copy of the stage's tree, @d->snapshot its entries' stat */
int bcopymode_prepare(struct builder *b, const struct bstage *sg, struct bstep_dir *d,
                      struct werr *err);
/* what differs between the two copies into @d->upper, in overlay upper form */
int bcopymode_diff(struct builder *b, const struct bstep_dir *d, struct werr *err);
/* copy of the tree of @sg at @dest (created) */
int bcopymode_tree(struct builder *b, const struct bstage *sg, const char *dest, struct werr *err);

/* builder_image.c */
/* the image of the stage so far (config and manifest blobs, record); @name
 * tags it; an @intermediate one is hidden from `warren images` */
int bimage_commit(struct builder *b, struct bstage *sg, const char *name, bool intermediate,
                  char *id, struct werr *err);
/* the intermediate image of the step just done, which becomes @sg->image */
int bimage_step(struct builder *b, struct bstage *sg, struct werr *err);

/* builder_mount.c: RUN --mount */
enum bmount_type { BMOUNT_BIND, BMOUNT_CACHE, BMOUNT_TMPFS, BMOUNT_SECRET, BMOUNT_SSH };
enum bmount_sharing { BMOUNT_SHARED, BMOUNT_PRIVATE, BMOUNT_LOCKED };

/* one --mount, as written with BuildKit's defaults filled in */
struct bmount {
	enum bmount_type type;
	char *target; /* absolute (a relative one is below WORKDIR); secret with only env=: NULL */
	char *source, *from, *id, *env;
	bool readonly, rw_set, required;
	enum bmount_sharing sharing;
	mode_t mode;   /* cache 0755, secret 0400, ssh 0600 by default */
	long uid, gid; /* -1: not given (0) */
	uint64_t size; /* tmpfs: 0 is unlimited */
};

struct mount_spec; /* the runtime's, through ctrrun.h */

/* the mounts of one RUN and what they hold while it runs */
struct bmounts {
	struct bmount *v;
	size_t n;
	char *key;                /* what they add to the step's cache key */
	struct mount_spec *specs; /* for the container */
	size_t nspecs;
	struct strv env;   /* SSH_AUTH_SOCK, secrets with env= */
	struct strv trees; /* copies made for binds, removed after */
	struct strv files; /* secret files, removed after */
	char secdir[PATH_MAX];
	int *locks; /* cache locks held while the step runs */
	size_t nlocks;
};

/* builder_mountspec.c: parse @x's --mount flags (expanded in @sg's scope)
 * and their cache key */
int bmounts_parse(struct builder *b, struct bstage *sg, const struct df_instr *x,
                  struct bmounts *ms, struct werr *err);
/* the stage or image that from=@from names, built before @sg (an image is
 * loaded into @tmp, which the caller frees with bstage_free()) */
int bmount_from(struct builder *b, struct bstage *sg, const char *from, const struct bstage **out,
                struct bstage *tmp, struct werr *err);
/* builder_mount.c: make the sources: copies, cache directories (locked),
 * secret files */
int bmounts_prepare(struct builder *b, struct bstage *sg, struct bmounts *ms, struct werr *err);
/* a file of the runtime directory holding @data, bound read-only at @target
 * for the step (a RUN heredoc with a shebang) */
int bmounts_add_file(struct bmounts *ms, const char *data, mode_t mode, const char *target,
                     struct werr *err);
/* unlock, remove the copies and secret files, free */
void bmounts_release(struct builder *b, struct bmounts *ms);

/* builder_run.c */
int brun_step(struct builder *b, struct bstage *sg, const struct df_instr *x, int *status,
              struct werr *err);

/* builder_checksum.c: ADD --checksum */
/* refuses a malformed digest and non-http(s) sources */
int badd_checksum_check(struct builder *b, const struct df_instr *x, struct werr *err);
/* the downloaded @file of @url against the digest; a mismatch names both */
int badd_checksum_verify(const struct df_instr *x, const char *url, const char *file,
                         struct werr *err);

/* builder_workdir.c: WORKDIR, its directory made (1 when the cache had it) */
int bworkdir_step(struct builder *b, struct bstage *sg, const struct df_instr *x, struct werr *err);

/* builder_copylist.c: a COPY/ADD's entries and destination as BuildKit has them */
/* --exclude: the entries @exclude matches (a path matched as it is below its
 * source, a file source by its name) removed from @list; NULL removes none */
void bcopy_exclude(const struct dockerignore *exclude, struct context_list *list);
/* --parents: each entry's destination becomes its path from the root of the
 * context or stage (@srcs, as written), or from a "/./" pivot in its source */
int bcopy_parents(char *const *srcs, struct context_list *list, struct werr *err);
/* @path (absolute in the image) with the symbolic links on it resolved in
 * the root @rootfd: a dangling link's target is where the copy goes, the
 * link stays (malloc'd, or NULL with @err set) */
char *bcopy_dest_follow(int rootfd, const char *path, struct werr *err);

/* builder_copy.c */
int bcopy_step(struct builder *b, struct bstage *sg, const struct df_instr *x, struct werr *err);

#endif
