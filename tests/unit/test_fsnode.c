/* test_fsnode.c - new nodes with their modes (TAP): exact permission bits
 * whatever the umask, compared with what stat(2) shows; a name that is a
 * symlink is never followed, and the file it points to keeps its mode. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fsnode.h"
#include "tap.h"
#include "util.h"

/* the type and permission bits of @name in @dirfd, not following it */
static mode_t mode_of(int dirfd, const char *name)
{
	struct stat st;

	return fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) < 0 ? 0 : st.st_mode;
}

static void test_make(int d)
{
	int fd;

	/* the umask would take 0077 of every mode below */
	umask(0077);
	fd = fsnode_make(d, "dir", S_IFDIR | 02775, 0);
	check(fd >= 0 && mode_of(d, "dir") == (S_IFDIR | 02775), "a directory gets 2775");
	if (fd >= 0)
		close(fd);
	fd = fsnode_make(d, "fifo", S_IFIFO | 0606, 0);
	check(fd >= 0 && mode_of(d, "fifo") == (S_IFIFO | 0606), "a FIFO gets 0606");
	if (fd >= 0)
		close(fd);
	check(fsnode_make(d, "fifo", S_IFIFO | 0600, 0) == -EEXIST, "an existing name: -EEXIST");
	check(fsnode_make(d, "file", S_IFREG | 0644, 0) == -EINVAL, "a regular file: -EINVAL");
	umask(0022);
}

static void test_symlink(int d)
{
	int fd;

	/* a FIFO swapped for a symlink to a file: neither open nor chmod
	 * reaches the file */
	fd = openat(d, "target", O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd >= 0)
		close(fd);
	check(symlinkat("target", d, "link") == 0, "symlink made");
	check(fsnode_open(d, "link", S_IFIFO) == -ELOOP, "fsnode_open of a symlink: -ELOOP");
	check(fsnode_open(d, "dir", S_IFIFO) == -EAGAIN, "fsnode_open of another type: -EAGAIN");
	check(fsnode_make(d, "link", S_IFIFO | 0666, 0) == -EEXIST,
	      "fsnode_make onto a symlink: -EEXIST");
	check(fsnode_chmodat(d, "link", 0666) == -ELOOP, "fsnode_chmodat of a symlink: -ELOOP");
	check(mode_of(d, "target") == (S_IFREG | 0600), "the symlink's target keeps 0600");
	check(fsnode_chmodat(d, "target", 0640) == 0 && mode_of(d, "target") == (S_IFREG | 0640),
	      "fsnode_chmodat of the file itself gives 0640");
}

static void test_chmod(int d)
{
	int fd = fsnode_open(d, "fifo", S_IFIFO);

	/* an O_PATH descriptor of a node that has been renamed since */
	check(fd >= 0 && renameat(d, "fifo", d, "moved") == 0, "FIFO open and renamed");
	check(fd >= 0 && fsnode_chmod(fd, 04640) == 0, "fsnode_chmod through the descriptor");
	check(mode_of(d, "moved") == (S_IFIFO | 04640), "the node itself has 4640");
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	char dir[] = "/tmp/warren-test-fsnode.XXXXXX";
	int d;

	if (!mkdtemp(dir))
		return 1;
	d = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (d < 0)
		return 1;
	test_make(d);
	test_symlink(d);
	test_chmod(d);
	close(d);
	util_rm_rf(dir);
	return tap_done();
}
