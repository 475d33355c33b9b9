/* util.c - whole-file I/O, atomic writes, rm -rf.
 * Must never print or exit; every syscall's result is checked. */
#include "util.h"
#include "cleanup.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

int util_read_fd_all(int fd, size_t max, char **out, size_t *len, struct werr *err)
{
	size_t cap = 4096, n = 0;
	_cleanup_free_ char *buf = malloc(cap + 1);

	if (!buf)
		return werr_errno(err, ENOMEM, "reading file");
	for (;;) {
		ssize_t r;
		if (n == cap) {
			char *nb;
			if (cap >= max)
				return werr_set(err, EFBIG, "file larger than %zu bytes", max);
			cap = cap * 2 > max ? max : cap * 2;
			nb = realloc(buf, cap + 1);
			if (!nb)
				return werr_errno(err, ENOMEM, "reading file");
			buf = nb;
		}
		r = read(fd, buf + n, cap - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return werr_errno(err, errno, "read");
		if (r == 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	*len = n;
	*out = steal_ptr(&buf);
	return 0;
}

int util_read_file(int dirfd, const char *path, size_t max, char **out, size_t *len,
                   struct werr *err)
{
	_cleanup_close_ int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	int r;

	if (fd < 0)
		return werr_errno(err, errno, "open %s", path);
	r = util_read_fd_all(fd, max, out, len, err);
	if (r < 0)
		return werr_prefix(err, "%s", path);
	return 0;
}

int util_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

size_t util_read_upto(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n = read(fd, (char *)buf + got, len - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		got += (size_t)n;
	}
	return got;
}

int util_write_file_atomic(int dirfd, const char *path, const void *buf, size_t len, mode_t mode,
                           struct werr *err)
{
	char tmp[4096], rnd[9];
	_cleanup_close_ int fd = -1;
	_cleanup_close_ int dfd = -1;
	const char *slash = strrchr(path, '/');
	int r;

	if (util_random_hex(rnd, 8) < 0)
		return werr_errno(err, errno, "getrandom");
	/* hidden (.NAME.tmp-RND), so that a writer killed before the rename
	 * leaves nothing that listings of the directory take for an entry */
	if (snprintf(tmp, sizeof(tmp), "%.*s.%s.tmp-%s", slash ? (int)(slash - path + 1) : 0, path,
	             slash ? slash + 1 : path, rnd) >= (int)sizeof(tmp))
		return werr_set(err, ENAMETOOLONG, "path too long: %s", path);
	fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
	if (fd < 0)
		return werr_errno(err, errno, "create %s", tmp);
	r = util_write_all(fd, buf, len);
	if (r == 0 && fsync(fd) < 0)
		r = -errno;
	if (r < 0) {
		unlinkat(dirfd, tmp, 0);
		return werr_errno(err, -r, "write %s", tmp);
	}
	if (renameat(dirfd, tmp, dirfd, path) < 0) {
		r = errno;
		unlinkat(dirfd, tmp, 0);
		return werr_errno(err, r, "rename %s", path);
	}
	if (slash) {
		char dir[4096];
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
		dfd = openat(dirfd, dir[0] ? dir : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	} else {
		dfd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	}
	if (dfd >= 0)
		fsync(dfd);
	return 0;
}

int util_mkdir_p(const char *path, mode_t mode, struct werr *err)
{
	char buf[4096];
	size_t len = strlen(path);

	if (len == 0 || len >= sizeof(buf))
		return werr_set(err, ENAMETOOLONG, "bad directory path '%s'", path);
	memcpy(buf, path, len + 1);
	for (char *p = buf + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			char c = *p;
			*p = '\0';
			if (mkdir(buf, mode) < 0 && errno != EEXIST)
				return werr_errno(err, errno, "mkdir %s", buf);
			*p = c;
			if (c == '\0')
				break;
		}
	}
	return 0;
}

int util_rm_rf_at(int dfd, const char *name)
{
	_cleanup_close_ int fd = -1;
	DIR *d;
	struct dirent *de;
	int r = 0;

	if (unlinkat(dfd, name, 0) == 0 || errno == ENOENT)
		return 0;
	if (errno != EISDIR && errno != EPERM)
		return -errno;
	fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	d = fdopendir(fd);
	if (!d)
		return -errno;
	fd = -1;
	while ((de = readdir(d))) {
		int q;
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		q = util_rm_rf_at(dirfd(d), de->d_name);
		if (q < 0 && r == 0)
			r = q;
	}
	closedir(d);
	if (unlinkat(dfd, name, AT_REMOVEDIR) < 0 && errno != ENOENT && r == 0)
		r = -errno;
	return r;
}

int util_rm_rf(const char *path)
{
	return util_rm_rf_at(AT_FDCWD, path);
}

int util_random_hex(char *buf, size_t n)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char raw[64];
	size_t half = (n + 1) / 2;

	if (half > sizeof(raw))
		return -EINVAL;
	if (getrandom(raw, half, 0) != (ssize_t)half)
		return -1;
	for (size_t i = 0; i < n; i++)
		buf[i] = hex[(raw[i / 2] >> ((i % 2) ? 0 : 4)) & 0xf];
	buf[n] = '\0';
	return 0;
}

int util_array_push(void *arrp, size_t *n, size_t size, const void *item)
{
	char **arr = arrp;
	char *na = realloc(*arr, (*n + 1) * size);

	if (!na)
		return -ENOMEM;
	memcpy(na + *n * size, item, size);
	*arr = na;
	(*n)++;
	return 0;
}

int util_fd_send(int sock, int fd, const void *buf, size_t len)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	struct iovec iov = { (void *)buf, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *c;
		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	return sendmsg(sock, &mh, MSG_NOSIGNAL) < 0 ? -errno : 0;
}

int util_fd_recv(int sock, char *buf, size_t size, size_t *len)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	struct iovec iov = { buf, size - 1 };
	struct msghdr mh = { .msg_iov = &iov,
		             .msg_iovlen = 1,
		             .msg_control = cbuf,
		             .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c;
	ssize_t n;
	int fd = -1;

	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	if (n == 0)
		return -EPIPE;
	buf[n] = '\0';
	if (len)
		*len = (size_t)n;
	c = CMSG_FIRSTHDR(&mh);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(c), sizeof(int));
	return fd;
}

/* the fields of /proc/@pid/stat after its ") " into @buf; Return: them, or NULL */
static const char *util_pid_stat(pid_t pid, char *buf, size_t size)
{
	char path[64];
	_cleanup_close_ int fd = -1;
	ssize_t n;
	char *p;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	n = read(fd, buf, size - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	p = strrchr(buf, ')'); /* comm may hold spaces and parentheses */
	return p && p[1] == ' ' ? p + 2 : NULL;
}

bool util_pid_exiting(pid_t pid)
{
	char buf[1024], state;
	const char *f = util_pid_stat(pid, buf, sizeof(buf));
	unsigned flags;

	/* state is field 3; flags field 9; PF_EXITING is 0x4 */
	if (!f || sscanf(f, "%c %*d %*d %*d %*d %*d %u", &state, &flags) != 2)
		return true;
	return state == 'Z' || state == 'X' || (flags & 0x4);
}

unsigned long long util_pid_start(pid_t pid)
{
	char buf[1024];
	const char *p = util_pid_stat(pid, buf, sizeof(buf));
	unsigned long long start = 0;

	/* a zombie is gone as far as a container goes (its reaper may be a
	 * PID 1 that never reaps) */
	if (!p || p[0] == 'Z' || p[0] == 'X')
		return 0;
	/* state is field 3; starttime is field 22 */
	if (sscanf(p,
	           "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %*u %*u %*d %*d %*d %*d "
	           "%*d %*d %llu",
	           &start) != 1)
		return 0;
	return start;
}

void util_now_rfc3339(char buf[40])
{
	struct timespec ts;
	struct tm tm;
	char sec[32];

	clock_gettime(CLOCK_REALTIME, &ts);
	gmtime_r(&ts.tv_sec, &tm);
	strftime(sec, sizeof(sec), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, 40, "%s.%09ldZ", sec, ts.tv_nsec);
}

/* @dir/@name when it is an executable file */
static bool util_program_at(char *out, size_t size, const char *dir, size_t dirlen,
                            const char *name)
{
	int n = snprintf(out, size, "%.*s/%s", (int)dirlen, dir, name);
	return n > 0 && (size_t)n < size && access(out, X_OK) == 0;
}

int util_find_program(const char *name, const char *build_subdir, bool use_path, char *out,
                      size_t size)
{
	char self[PATH_MAX], sub[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *path = getenv("PATH");

	if (len > 0) {
		char *slash;
		self[len] = '\0';
		slash = strrchr(self, '/');
		*slash = '\0';
		if (util_program_at(out, size, self, strlen(self), name))
			return 0;
		snprintf(sub, sizeof(sub), "%s/../libexec/warren", self);
		if (util_program_at(out, size, sub, strlen(sub), name))
			return 0;
		snprintf(sub, sizeof(sub), "%s/../%s", self, build_subdir ? build_subdir : "");
		if (build_subdir && util_program_at(out, size, sub, strlen(sub), name))
			return 0;
	}
	for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; use_path && *p;) {
		size_t l = strcspn(p, ":");
		if (l > 0 && util_program_at(out, size, p, l, name))
			return 0;
		p += l + (p[l] ? 1 : 0);
	}
	return -ENOENT;
}
