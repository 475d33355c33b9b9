/* fsnode.h - making a directory, FIFO or device node, or changing a mode,
 * in a directory that someone else may change at the same time (a running
 * container's tree seen from the host): the mode is set through a
 * descriptor of the node itself, never by name again, so a name swapped for
 * a symlink between two calls cannot turn a chmod onto a host file. Nothing
 * here prints. */
#ifndef WARREN_FSNODE_H
#define WARREN_FSNODE_H

#include <sys/types.h>

/**
 * fsnode_make() - create @name in @dirfd as a directory, a FIFO or a
 * character or block device (the type bits of @mode; @dev for a device)
 * with exactly the permission bits of @mode (setuid, setgid and sticky
 * included, whatever the umask), never following a symlink.
 *
 * To give it an owner, fchownat(fd, "", uid, gid, AT_EMPTY_PATH) on the
 * descriptor returned, then fsnode_chmod() again: a chown clears the setuid
 * and setgid bits of a non-directory.
 *
 * Return: an O_PATH descriptor of the new node (close it), or -errno:
 * -EEXIST when @name exists, -EAGAIN when @name stopped being the node made
 * here before it could be opened (someone swapped it: nothing was changed).
 */
int fsnode_make(int dirfd, const char *name, mode_t mode, dev_t dev);

/**
 * fsnode_open() - an O_PATH descriptor of the existing @name in @dirfd,
 * which must be of @type (S_IFDIR, S_IFIFO, ...), without following a
 * symlink.
 * Return: the descriptor, or -errno (-ELOOP: a symlink; -EAGAIN: another
 * type).
 */
int fsnode_open(int dirfd, const char *name, mode_t type);

/**
 * fsnode_chmod() - set the permission bits of the node open as @fd (an
 * O_PATH descriptor is fine) to @perm: fchmodat2(AT_EMPTY_PATH) (Linux >=
 * 6.6), else through /proc/self/fd, which names the inode, not a path.
 * Return: 0 or -errno.
 */
int fsnode_chmod(int fd, mode_t perm);

/**
 * fsnode_chmodat() - set the permission bits of the existing @name in
 * @dirfd to @perm, never following a symlink: fchmodat(dirfd, name, perm,
 * 0) would, and a container that swaps the name can aim that at a host file.
 * Return: 0 or -errno (-ELOOP: @name is a symlink).
 */
int fsnode_chmodat(int dirfd, const char *name, mode_t perm);

#endif
