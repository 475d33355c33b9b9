/* climage.h - what the image commands share: their options, opening the
 * store and the ID-map plan, pulling with progress, and the "warren IMAGE"
 * argument rules. CLI only: modules below never include it. */
#ifndef WARREN_CLIMAGE_H
#define WARREN_CLIMAGE_H

#include <stdbool.h>
#include <stdint.h>

#include "idmap.h"
#include "cliutil.h"
#include "opts.h"
#include "store.h"
#include "werr.h"

/* every option of the image commands; each command's table picks its own */
enum img_opt {
	IO_HELP = CLI_HELP_ID, /* the row CLI_HELP_OPT makes */
	IO_QUIET,
	IO_ALL,
	IO_FORCE,
	IO_FORMAT,
	IO_FILTER,
	IO_PLATFORM,
	IO_TLS_VERIFY,
	IO_OUTPUT,
	IO_INPUT,
	IO_USERNAME,
	IO_PASSWORD,
	IO_PASSWORD_STDIN,
	IO_NO_TRUNC,
	IO_CHANGE,
	IO_MESSAGE,
	IO_REPAIR,
};

struct img_args {
	bool help, quiet, all, force, no_trunc, password_stdin, repair;
	int tls_verify; /* -1: default */
	const char *format, *platform, *output, *input, *username, *password;
	const char *format_kind; /* save: "docker-archive", "oci-archive" */
	char **changes;
	size_t n_changes;
	char **filters; /* --filter KEY=VALUE, unchecked */
	size_t n_filters;
	const char *message;
};

/**
 * img_parse() - parse @cmd's options into @a; prints its usage on --help.
 * Return: 1 when the command should go on with operands from argv[*ind],
 * 0 after --help, or -1 after printing the error (exit 125).
 */
int img_parse(const struct cli_cmd *cmd, int argc, char **argv, int *ind, struct img_args *a);

/**
 * img_open() - open the store and plan the ID maps.
 */
int img_open(struct store *s, struct idmap_plan *plan, struct werr *err);

/**
 * img_pull() - pull @ref with progress (on stderr) unless @quiet.
 */
int img_pull(struct store *s, const struct idmap_plan *plan, const char *ref, bool quiet,
             bool tls_verify, const char *platform, char *id, struct werr *err);

/**
 * img_labels() - the Labels of image record @rec's config (a new
 * reference; an empty object when it has none or cannot be read).
 */
json_t *img_labels(struct store *s, json_t *rec);

/**
 * img_created() - Unix seconds of @rec's "created" (0 when unknown).
 */
int64_t img_created(json_t *rec);
/** img_created_ns() - the same in nanoseconds (BuildKit writes them). */
int64_t img_created_ns(json_t *rec);

/**
 * img_inspect() - `image inspect`'s object for @ref (what `inspect` shows of
 * an image), or NULL with @err set.
 */
json_t *img_inspect(const char *ref, struct werr *err);

/**
 * img_fail() - print @err; Return: cli_error_exit() (1, or 125 within run,
 * create and build).
 */
int img_fail(const struct werr *err);

/**
 * img_event() - an image event (events.h) for @id with the attribute
 * name=@name (@id when NULL), as Docker records pull, push, tag, untag,
 * delete, import, load and save.
 */
void img_event(const char *action, const char *id, const char *name);

#endif
