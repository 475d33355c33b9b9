/* builder.h - `warren build`: a Dockerfile turned into a layered image in
 * the store. Each RUN is a short-lived container over the layers so far
 * with a fresh upper directory, which becomes the step's layer; COPY and
 * ADD write into such an upper directory; metadata instructions only change
 * the config. Steps are cached by parent, instruction and copied content.
 * Tar work is the caller's (hooks): warren itself links no libarchive. */
#ifndef WARREN_BUILD_BUILDER_H
#define WARREN_BUILD_BUILDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "ctrcgroup.h"
#include "digest.h"
#include "gopts.h"
#include "netspec.h"
#include "werr.h"

struct idmap_plan;

struct build_hooks {
	/* pull @ref into the store; its image ID ("sha256:...") into @id */
	int (*pull)(void *ctx, const char *ref, char *id, size_t size, struct werr *err);
	/* write directory @dir (overlay upper form) as a layer tar to @out */
	int (*layer_diff)(void *ctx, const char *dir, const char *out,
	                  char digest[DIGEST_STR_LEN + 1], uint64_t *size, struct werr *err);
	/* extract @file into the directory @dir of a step's layer: with @layer
	 * a layer tar (whiteouts in the overlay form), else an ADD archive
	 * (whose .wh. names are refused: a layer cannot hold them); @owner
	 * "UID:GID" owns every entry instead of the tar's owners, or NULL */
	int (*untar)(void *ctx, const char *file, const char *dir, bool layer, const char *owner,
	             struct werr *err);
	/* download @url (ADD) into the new file @out */
	int (*fetch)(void *ctx, const char *url, const char *out, struct werr *err);
	void *ctx;
	/* a private copy of image @image_id's tree in the new directory @dest
	 * (steps on the fuse-overlay and vfs storage drivers) */
	int (*rootfs_copy)(const char *image_id, const char *dest, const struct idmap_plan *plan,
	                   struct werr *err);
	/* --output: the final image's tree, copied at @tree, exported as
	 * build_opts.output says */
	int (*output)(void *ctx, const char *tree, struct werr *err);
};

/* --output type=local,dest=DIR | type=tar,dest=FILE (- for stdout) */
enum build_output { BUILD_OUTPUT_NONE, BUILD_OUTPUT_LOCAL, BUILD_OUTPUT_TAR };

/* --secret id=ID,src=FILE or id=ID,env=VAR */
struct build_secret {
	const char *id;
	const char *src; /* or NULL */
	const char *env; /* or NULL */
};

/* --ssh ID[=SOCKET] */
struct build_ssh {
	const char *id;
	const char *path; /* the agent's socket */
};

struct build_opts {
	const char *context;         /* the context directory */
	const char *dockerfile;      /* NULL: CONTEXT/Dockerfile */
	const char *dockerfile_text; /* -f -: the Dockerfile read from stdin, or NULL */
	size_t dockerfile_len;
	const char *target; /* NULL: the last stage */
	char **build_args;  /* "K=V" (or "K": its value from the environment) */
	size_t n_build_args;
	char **tags; /* as given; checked before anything is built */
	size_t n_tags;
	char **labels; /* "K=V", added to the final image */
	size_t n_labels;
	bool no_cache;
	/* --build-arg BUILDKIT_INLINE_CACHE=1 or --cache-to type=inline: the
	 * steps' cache keys go into the image config */
	bool cache_inline;
	char **cache_from; /* --cache-from: images whose layers steps may reuse */
	size_t n_cache_from;
	bool pull; /* --pull: base images pulled again even when present */
	enum build_output output;
	const char *output_dest;
	struct build_secret *secrets;
	size_t n_secrets;
	struct build_ssh *ssh;
	size_t n_ssh;
	bool quiet;                  /* -q: no step output, the command's output dropped */
	enum net_mode network;       /* for RUN */
	const char *platform;        /* --platform for base images, or NULL */
	const struct gopts *gopts;   /* the store and storage driver */
	struct cgroup_limits limits; /* --memory, --cpus...: each RUN step's cgroup */
	struct build_hooks hooks;
};

/* exit codes for the user: a RUN that failed gives 1 (as Docker), bad input 125 */
#define BUILD_EXIT_STEP 1

/**
 * build_image() - build the Dockerfile of @o and record the image, tagged
 * with @o->tags. Steps are reported on stdout unless @o->quiet.
 * @id: the image ID (DIGEST_STR_LEN + 1)
 * Return: 0, or a negative errno with @err set and *@status the exit code
 * (125 for bad input or our own failure, 1 for a failed RUN). Nothing is
 * tagged on failure.
 */
int build_image(const struct build_opts *o, char *id, int *status, struct werr *err);

#endif
