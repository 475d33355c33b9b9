/* mounts.h - the container's root filesystem, built in the child's private
 * mount namespace: the rootfs bind, /proc, /dev, /sys, masked and read-only
 * paths, generated /etc files, volumes and tmpfs mounts, then pivot_root.
 * Every path inside the rootfs is resolved under the root (openat2
 * RESOLVE_IN_ROOT), never by string concatenation. */
#ifndef WARREN_MOUNTS_H
#define WARREN_MOUNTS_H

#include "container.h"

/**
 * mounts_setup() - build the root filesystem for @spec and pivot_root into
 * it; on return "/" is the container's root and the old root is detached.
 * Runs in the child, in the new user and mount namespaces, before exec.
 * Return: 0 or a negative errno with @err set.
 */
int mounts_setup(const struct container_spec *spec, struct werr *err);

/**
 * mounts_open_in_root() - open @path (absolute, inside the container) under
 * @rootfd as an O_PATH fd; with @create 'd' or 'f', missing components are
 * created as directories and the last one as a directory or an empty file.
 * Return: the fd, or a negative errno with @err set.
 */
int mounts_open_in_root(int rootfd, const char *path, char create, struct werr *err);

/**
 * mounts_overlay() - mount @spec->overlay at @spec->rootfs in the current
 * mount namespace: the kernel's overlay, or warren-overlay's detached mount
 * (@spec->overlay_fd) for the fuse driver. Also used to reach a stopped
 * container's files (cp, export).
 * Return: 0 or a negative errno with @err set.
 */
int mounts_overlay(const struct container_spec *spec, struct werr *err);

/**
 * mounts_user() - @spec's volumes and tmpfs mounts below @rootfd, in the
 * current mount namespace (also how cp reaches a stopped container's volumes).
 * Return: 0 or a negative errno with @err set.
 */
int mounts_user(int rootfd, const struct container_spec *spec, struct werr *err);

#endif
