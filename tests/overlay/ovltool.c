/* ovltool.c - small probes for the overlay behaviour suite (suite.sh): the
 * checks a shell cannot make (readdir offsets while entries go, mmap, locks,
 * fsync, statfs, inode numbers). Each prints a deterministic line, so the
 * same run on a plain directory, the kernel overlay and warren-overlay can be
 * compared byte for byte. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int fail(const char *what)
{
	printf("%s: %s\n", what, strerror(errno));
	return 1;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* list DIR while removing each entry right after reading it: every name must
 * be seen exactly once and the directory must end empty */
static int t_readdir_unlink(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	char *seen[4096];
	int n = 0, dups = 0, left = 0;

	if (!d)
		return fail("opendir");
	while ((de = readdir(d)) && n < 4096) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		seen[n++] = strdup(de->d_name);
		if (unlinkat(dirfd(d), de->d_name, 0) < 0 && errno == EISDIR)
			unlinkat(dirfd(d), de->d_name, AT_REMOVEDIR);
	}
	closedir(d);
	qsort(seen, n, sizeof(*seen), cmp_str);
	for (int i = 1; i < n; i++)
		dups += !strcmp(seen[i], seen[i - 1]);
	d = opendir(dir);
	while (d && (de = readdir(d)))
		left += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	if (d)
		closedir(d);
	printf("seen %d, duplicates %d, left %d\n", n, dups, left);
	return 0;
}

/* telldir/seekdir: reading on from a saved offset gives the same names */
static int t_readdir_offsets(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t cap = 1 << 22;
	char *a = calloc(1, cap), *b = calloc(1, cap);
	long pos;
	int i = 0;

	if (!d || !a || !b)
		return fail("opendir");
	while (i++ < 5 && readdir(d))
		;
	pos = telldir(d);
	for (size_t n = 0; (de = readdir(d)) && n + 300 < cap;)
		n += sprintf(a + n, "%s/", de->d_name);
	seekdir(d, pos);
	for (size_t n = 0; (de = readdir(d)) && n + 300 < cap;)
		n += sprintf(b + n, "%s/", de->d_name);
	closedir(d);
	printf("offsets %s\n", strcmp(a, b) == 0 ? "stable" : "unstable");
	free(a);
	free(b);
	return 0;
}

/* write TEXT at the start of FILE through a shared writable mapping */
static int t_mmap_write(const char *file, const char *text)
{
	int fd = open(file, O_RDWR);
	struct stat st;
	char buf[4096];
	ssize_t n;

	if (fd < 0 || fstat(fd, &st) < 0)
		return fail("open");
	char *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap");
	memcpy(p, text, strlen(text));
	if (msync(p, st.st_size, MS_SYNC) < 0)
		return fail("msync");
	munmap(p, st.st_size);
	close(fd);
	fd = open(file, O_RDONLY);
	n = read(fd, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	printf("after mmap: %s", buf);
	close(fd);
	return 0;
}

/* a second opener is refused a conflicting flock and fcntl lock */
static int t_locks(const char *file)
{
	int fd = open(file, O_RDWR);
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int status;

	if (fd < 0)
		return fail("open");
	if (flock(fd, LOCK_EX) < 0 || fcntl(fd, F_SETLK, &fl) < 0)
		return fail("lock");
	pid_t pid = fork();
	if (pid == 0) {
		int fd2 = open(file, O_RDWR);
		int f = flock(fd2, LOCK_EX | LOCK_NB) < 0 && errno == EWOULDBLOCK;
		int c = fcntl(fd2, F_SETLK, &fl) < 0 && (errno == EAGAIN || errno == EACCES);
		struct flock q = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
		fcntl(fd2, F_GETLK, &q);
		printf("flock %s, fcntl %s, F_GETLK owner %s\n", f ? "blocked" : "GRANTED",
		       c ? "blocked" : "GRANTED", q.l_pid == getppid() ? "parent" : "other");
		_exit(0);
	}
	waitpid(pid, &status, 0);
	flock(fd, LOCK_UN);
	close(fd);
	return 0;
}

static int t_fsync(const char *file, const char *text)
{
	int fd = open(file, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) < 0 || fsync(fd) < 0 || fdatasync(fd) < 0)
		return fail("fsync");
	close(fd);
	printf("fsync ok\n");
	return 0;
}

/* fsync and fdatasync of a directory (a merged one, or one made in upperdir) */
static int t_fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY);

	if (fd < 0 || fsync(fd) < 0 || fdatasync(fd) < 0)
		return fail("fsync of a directory");
	close(fd);
	printf("fsync %s ok\n", dir);
	return 0;
}

static int t_statfs(const char *dir)
{
	struct statfs s;

	if (statfs(dir, &s) < 0)
		return fail("statfs");
	printf("statfs %s\n", s.f_blocks > 0 && s.f_bsize > 0 && s.f_namelen >= 200 ? "ok" : "bad");
	return 0;
}

/* the inode number of FILE stays the same when a write copies it up */
static int t_ino_stable(const char *file)
{
	struct stat a, b;
	int fd;

	if (stat(file, &a) < 0)
		return fail("stat");
	fd = open(file, O_WRONLY | O_APPEND);
	if (fd < 0 || write(fd, "+\n", 2) != 2)
		return fail("append");
	close(fd);
	if (stat(file, &b) < 0)
		return fail("stat");
	printf("inode %s\n", a.st_ino == b.st_ino ? "same" : "changed");
	return 0;
}

static int t_fallocate(const char *file, const char *len)
{
	int fd = open(file, O_RDWR);
	struct stat st;

	if (fd < 0 || fallocate(fd, 0, 0, atol(len)) < 0 || fstat(fd, &st) < 0)
		return fail("fallocate");
	printf("size after fallocate %lld\n", (long long)st.st_size);
	close(fd);
	return 0;
}

static int t_sock(const char *path)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);
	struct stat st;

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
		return fail("bind");
	close(fd);
	if (lstat(path, &st) < 0)
		return fail("lstat");
	printf("socket %s\n", S_ISSOCK(st.st_mode) ? "yes" : "no");
	return 0;
}

/* an open file keeps working after its name is removed: a new file written
 * on, and a lower file read on */
static int t_unlinked(const char *newfile, const char *lower)
{
	char buf[256];
	struct stat st;
	int fd = open(newfile, O_RDWR | O_CREAT, 0644), lfd = open(lower, O_RDONLY);
	ssize_t n;

	if (fd < 0 || lfd < 0 || write(fd, "abc", 3) != 3)
		return fail("open");
	if (unlink(newfile) < 0 || unlink(lower) < 0)
		return fail("unlink");
	if (write(fd, "def", 3) != 3 || fstat(fd, &st) < 0)
		return fail("write after unlink");
	n = pread(fd, buf, sizeof(buf) - 1, 0);
	buf[n < 0 ? 0 : n] = '\0';
	printf("removed new file: %s, size %lld, links %d\n", buf, (long long)st.st_size,
	       (int)st.st_nlink);
	n = read(lfd, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	printf("removed lower file reads: %s", buf);
	close(fd);
	close(lfd);
	return 0;
}

/* open FILE (or directory), remove its name, and say what fstat and a read
 * see: no links left */
static int t_open_unlink(const char *path)
{
	char buf[64];
	struct stat st;
	int fd = open(path, O_RDWR);
	bool dir = fd < 0 && errno == EISDIR;
	ssize_t n;

	/* no stat before the removal: the kernel would keep its count */
	if (dir)
		fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return fail("open");
	if ((dir ? rmdir(path) : unlink(path)) < 0)
		return fail("remove");
	if (fstat(fd, &st) < 0)
		return fail("fstat after the removal");
	n = S_ISDIR(st.st_mode) ? 0 : read(fd, buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	printf("%s removed while open: links %d, reads %s", path, (int)st.st_nlink,
	       S_ISDIR(st.st_mode) ? "(a directory)\n" : buf);
	close(fd);
	return 0;
}

/* write TEXT, fsync it, say so, then wait to be killed (fault test) */
static int t_hold(const char *file, const char *text)
{
	if (t_fsync(file, text))
		return 1;
	fflush(stdout);
	pause();
	return 0;
}

int main(int argc, char **argv)
{
	const char *c = argc > 1 ? argv[1] : "";
	const char *a = argc > 2 ? argv[2] : "", *b = argc > 3 ? argv[3] : "";

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(c, "readdir-unlink"))
		return t_readdir_unlink(a);
	if (!strcmp(c, "readdir-offsets"))
		return t_readdir_offsets(a);
	if (!strcmp(c, "mmap-write"))
		return t_mmap_write(a, b);
	if (!strcmp(c, "locks"))
		return t_locks(a);
	if (!strcmp(c, "fsync"))
		return t_fsync(a, b);
	if (!strcmp(c, "fsync-dir"))
		return t_fsync_dir(a);
	if (!strcmp(c, "statfs"))
		return t_statfs(a);
	if (!strcmp(c, "ino-stable"))
		return t_ino_stable(a);
	if (!strcmp(c, "fallocate"))
		return t_fallocate(a, b);
	if (!strcmp(c, "sock"))
		return t_sock(a);
	if (!strcmp(c, "unlinked"))
		return t_unlinked(a, b);
	if (!strcmp(c, "open-unlink"))
		return t_open_unlink(a);
	if (!strcmp(c, "hold"))
		return t_hold(a, b);
	fprintf(stderr, "usage: ovltool COMMAND ARGS\n");
	return 2;
}
