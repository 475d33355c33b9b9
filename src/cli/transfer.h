/* transfer.h - warren's commands that move images in and out (pull, push,
 * save, load, import, login) live in a second program, warren-transfer, so
 * that `warren` itself never loads libcurl or libarchive: loading them cost
 * more than the rest of a container's start. `warren` execs or spawns it;
 * the user sees one program. */
#ifndef WARREN_TRANSFER_H
#define WARREN_TRANSFER_H

#include "idmap.h"
#include "werr.h"

/**
 * cmd_transfer() - a command table entry that hands the command to
 * warren-transfer: execs it with argv (argv[0] is the command's name).
 * Return: only on failure, 125 after printing the error.
 */
int cmd_transfer(int argc, char **argv);

/**
 * transfer_run() - run warren-transfer with @argv (the command and its
 * arguments, NULL-terminated) and wait for it; its stderr is ours, its
 * stdout is captured into @out (NUL-terminated, at most @size - 1 bytes).
 * Return: 0 when it exited 0, else a negative errno with @err set; when it
 * failed with its own one-line error (exit 125), @err is werr_reported().
 */
int transfer_run(const char *const argv[], char *out, size_t size, struct werr *err);

/**
 * transfer_rootfs_copy() - implements rootfs_copy_fn: a private copy of an
 * image's layers made by warren-transfer in the ID maps of @plan.
 */
int transfer_rootfs_copy(const char *image_id, const char *dest, const struct idmap_plan *plan,
                         struct werr *err);

#endif
