/* sqsh.h - SquashFS image files (`warren save --format squashfs`, `warren
 * run IMG.sqsh`): which run operand names one, and the checks and the image
 * config a file carries. Reads the file only; mounting is squashfuse's job
 * (src/runtime/ovlfuse.c). */
#ifndef WARREN_SQSH_H
#define WARREN_SQSH_H

#include <stdbool.h>
#include <stddef.h>

#include "werr.h"

/* SquashFS 4.0's superblock: "hsqs" at 0, bytes_used (u64 LE) at 40 */
#define SQSH_MAGIC      "hsqs"
#define SQSH_SUPER_SIZE 96
/* the image config follows the SquashFS bytes (from the next 4 KiB
 * boundary): this line, then the config's JSON to the end of the file.
 * Readers of SquashFS stop at bytes_used, so the file stays one any
 * SquashFS tool reads. */
#define SQSH_TRAILER "warren-image-config v1\n"
#define SQSH_ALIGN   4096

/**
 * sqsh_operand_p() - whether a run/create operand names a SquashFS file
 * rather than an image: it starts with "/" or "." (no image reference
 * does), or it ends with ".sqsh" or ".squashfs" and a regular file has
 * that name.
 */
bool sqsh_operand_p(const char *arg);

/**
 * sqsh_probe() - check that @path is a whole SquashFS 4.0 file and read the
 * image config after it.
 * @config: set to the config's JSON (malloc'd, NUL-terminated), or NULL
 *          for a SquashFS file without one (made by mksquashfs)
 * Return: 0, or a negative errno with @err saying what is wrong with the
 * file (missing, not SquashFS, truncated, a damaged config).
 */
int sqsh_probe(const char *path, char **config, size_t *len, struct werr *err);

#endif
