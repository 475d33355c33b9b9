/* test_unpack.c - unit tests for the layer unpacker and userns_exec (TAP).
 * Tarballs are built in memory with libarchive's writer; each test unpacks
 * into a fresh directory next to an "outside" directory that must stay
 * untouched. Owner checks need root (the suite runs as root); the single-ID
 * checks run in a user namespace that maps only our own ID. */
#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "idmap.h"
#include "unpack.h"
#include "userns_exec.h"
#include "util.h"
#include "tap.h"

static char base[64]; /* the test's temp dir: root/ and outside/ below */

static void skip(const char *what, const char *why)
{
	tap_tests++;
	printf("ok %d - %s # skip %s\n", tap_tests, what, why);
}

/* one tar entry; zero fields mean defaults (a 0644 regular file of root) */
struct ent {
	const char *path;
	mode_t mode; /* with the type bits; 0: S_IFREG | 0644 */
	const char *data;
	const char *symlink, *hardlink;
	int64_t uid, gid;
	const char *xname, *xvalue;
	size_t xlen; /* 0: strlen(xvalue) */
	unsigned major, minor;
	time_t mtime;
};

#define TAR_MAX (16u << 20)

enum filter { PLAIN, GZIP, ZSTD };

/* the tar of @ents into a memfd, rewound; *@len gets its size */
static int tar_make(const struct ent *ents, size_t n, enum filter f, size_t *len)
{
	struct archive *a = archive_write_new();
	char *buf = malloc(TAR_MAX);
	size_t used = 0;
	int fd;

	archive_write_set_format_pax_restricted(a);
	if (f == GZIP)
		archive_write_add_filter_gzip(a);
	if (f == ZSTD)
		archive_write_add_filter_zstd(a);
	archive_write_open_memory(a, buf, TAR_MAX, &used);
	for (size_t i = 0; i < n; i++) {
		const struct ent *x = &ents[i];
		struct archive_entry *e = archive_entry_new();
		size_t dlen = x->data ? strlen(x->data) : 0;

		archive_entry_set_pathname(e, x->path);
		archive_entry_set_mode(e, x->mode ? x->mode : S_IFREG | 0644);
		archive_entry_set_uid(e, x->uid);
		archive_entry_set_gid(e, x->gid);
		archive_entry_set_mtime(e, x->mtime ? x->mtime : 1000000000, 0);
		if (x->symlink)
			archive_entry_set_symlink(e, x->symlink);
		if (x->hardlink)
			archive_entry_set_hardlink(e, x->hardlink);
		if (x->xname)
			archive_entry_xattr_add_entry(e, x->xname, x->xvalue,
			                              x->xlen ? x->xlen : strlen(x->xvalue));
		if (x->major || x->minor)
			archive_entry_set_rdev(e, makedev(x->major, x->minor));
		if (S_ISREG(archive_entry_mode(e)) && !x->hardlink) {
			archive_entry_set_size(e, (int64_t)dlen);
		}
		archive_write_header(a, e);
		if (dlen)
			archive_write_data(a, x->data, dlen);
		archive_entry_free(e);
	}
	archive_write_close(a);
	archive_write_free(a);
	fd = memfd_create("layer", MFD_CLOEXEC);
	util_write_all(fd, buf, used);
	lseek(fd, 0, SEEK_SET);
	free(buf);
	*len = used;
	return fd;
}

/* the output of a shell command (a tar writer) in a rewound memfd */
static int tar_from_cmd(const char *cmd)
{
	FILE *p = popen(cmd, "r");
	char buf[65536];
	size_t n;
	int fd = memfd_create("layer", MFD_CLOEXEC);

	if (!p)
		return -1;
	while ((n = fread(buf, 1, sizeof(buf), p)) > 0)
		util_write_all(fd, buf, n);
	if (pclose(p) != 0) {
		close(fd);
		return -1;
	}
	lseek(fd, 0, SEEK_SET);
	return fd;
}

static int rootfd = -1;
static struct werr err;
static struct unpack_stats stats;

/* a fresh root/ and outside/ (with outside/file "keep") */
static void fresh(void)
{
	char p[128];

	if (rootfd >= 0)
		close(rootfd);
	snprintf(p, sizeof(p), "%s/root", base);
	util_rm_rf(p);
	mkdir(p, 0755);
	rootfd = open(p, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(p, sizeof(p), "%s/outside", base);
	util_rm_rf(p);
	mkdir(p, 0755);
	snprintf(p, sizeof(p), "%s/outside/file", base);
	util_write_file_atomic(AT_FDCWD, p, "keep", 4, 0644, &err);
}

static int unpack_fd(int fd, enum unpack_whiteouts wh)
{
	struct unpack_opts o = { .whiteouts = wh };
	int r;

	memset(&err, 0, sizeof(err));
	r = unpack_layer(fd, rootfd, &o, &stats, &err);
	close(fd);
	return r;
}

static int unpack_ents(const struct ent *ents, size_t n, enum unpack_whiteouts wh)
{
	size_t len;

	return unpack_fd(tar_make(ents, n, PLAIN, &len), wh);
}

#define UNPACK(wh, ...)                                                                            \
	unpack_ents((const struct ent[]){ __VA_ARGS__ },                                           \
	            sizeof((const struct ent[]){ __VA_ARGS__ }) / sizeof(struct ent), wh)

static int lst(const char *path, struct stat *st)
{
	return fstatat(rootfd, path, st, AT_SYMLINK_NOFOLLOW);
}

static bool content_is(const char *path, const char *want)
{
	char *got = NULL;
	size_t len;
	bool ok = util_read_file(rootfd, path, 1 << 20, &got, &len, &err) == 0 &&
	          len == strlen(want) && memcmp(got, want, len) == 0;

	free(got);
	return ok;
}

/* outside/ holds exactly its one file, unchanged, and nothing else appeared */
static bool outside_untouched(void)
{
	char p[128], *got = NULL;
	size_t len, n = 0;
	bool ok;
	DIR *d;

	snprintf(p, sizeof(p), "%s/outside/file", base);
	ok = util_read_file(AT_FDCWD, p, 100, &got, &len, &err) == 0 && len == 4 &&
	     memcmp(got, "keep", 4) == 0;
	free(got);
	snprintf(p, sizeof(p), "%s/outside", base);
	d = opendir(p);
	while (d && readdir(d))
		n++;
	if (d)
		closedir(d);
	snprintf(p, sizeof(p), "%s/x", base);
	return ok && n == 3 && access(p, F_OK) < 0;
}

static bool err_has(const char *s)
{
	return strstr(err.msg, s) != NULL;
}

static void test_basic(void)
{
	struct stat st, st2;
	char target[64] = "";
	int r;

	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "etc/", .mode = S_IFDIR | 0750, .mtime = 5 },
	           { .path = "etc/passwd", .data = "root:x:0:0\n", .mtime = 7 },
	           { .path = "./usr/bin//tool", .data = "#!", .mode = S_IFREG | 0755 },
	           { .path = "lnk", .mode = S_IFLNK | 0777, .symlink = "/etc/passwd" },
	           { .path = "hard", .hardlink = "etc/passwd" },
	           { .path = "fifo", .mode = S_IFIFO | 0600 },
	           { .path = "x", .data = "xa", .xname = "user.test", .xvalue = "v1" },
	           { .path = "y", .data = "y", .xname = "user.overlay.opaque", .xvalue = "y" });
	check(r == 0, "a plain layer unpacks");
	check(stats.files == 8 && stats.bytes == 16, "stats count entries and bytes");
	check(content_is("etc/passwd", "root:x:0:0\n") && content_is("usr/bin/tool", "#!"),
	      "file contents; missing parents are created; ./ and // are cleaned");
	check(lst("etc", &st) == 0 && S_ISDIR(st.st_mode) && (st.st_mode & 07777) == 0750 &&
	          st.st_mtime == 5,
	      "a directory gets its mode and mtime after its children");
	check(lst("etc/passwd", &st) == 0 && st.st_mtime == 7 && (st.st_mode & 07777) == 0644,
	      "a file gets its mode and mtime");
	check(readlinkat(rootfd, "lnk", target, sizeof(target)) == 11 &&
	          strncmp(target, "/etc/passwd", 11) == 0,
	      "a symlink keeps its target as written");
	check(lst("hard", &st) == 0 && lst("etc/passwd", &st2) == 0 && st.st_ino == st2.st_ino &&
	          st.st_nlink == 2,
	      "a hard link shares the inode of its target");
	check(lst("fifo", &st) == 0 && S_ISFIFO(st.st_mode), "a fifo is created");
	{
		char v[16] = "";
		int fd = openat(rootfd, "x", O_RDONLY | O_CLOEXEC);
		ssize_t n = fgetxattr(fd, "user.test", v, sizeof(v));
		check(n == 2 && memcmp(v, "v1", 2) == 0, "user.* xattrs are kept");
		close(fd);
		fd = openat(rootfd, "y", O_RDONLY | O_CLOEXEC);
		check(fgetxattr(fd, "user.overlay.opaque", v, sizeof(v)) < 0,
		      "user.overlay.* xattrs from the image are dropped");
		close(fd);
	}
}

static void test_owners(void)
{
	struct stat st;
	int r;

	if (geteuid() != 0) {
		skip("owners and setuid bits from the header", "needs root");
		return;
	}
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY,
	           { .path = "su", .data = "x", .mode = S_IFREG | 04755, .uid = 1000, .gid = 1000 },
	           { .path = "sg", .data = "x", .mode = S_IFREG | 02711, .uid = 65534, .gid = 50 },
	           { .path = "d/", .mode = S_IFDIR | 01777, .uid = 1000, .gid = 7 },
	           { .path = "l", .mode = S_IFLNK | 0777, .symlink = "su", .uid = 3, .gid = 4 });
	check(r == 0 && lst("su", &st) == 0 && st.st_uid == 1000 && st.st_gid == 1000 &&
	          (st.st_mode & 07777) == 04755,
	      "a setuid file keeps its owner and its setuid bit (chmod after chown)");
	check(lst("sg", &st) == 0 && st.st_uid == 65534 && st.st_gid == 50 &&
	          (st.st_mode & 07777) == 02711,
	      "a setgid file keeps owner 65534 and its setgid bit");
	check(lst("d", &st) == 0 && st.st_uid == 1000 && st.st_gid == 7 &&
	          (st.st_mode & 07777) == 01777,
	      "a sticky directory keeps its owner and mode");
	check(lst("l", &st) == 0 && st.st_uid == 3 && st.st_gid == 4, "a symlink gets its owner");
	{
		/* VFS_CAP_REVISION_2 | effective, permitted CAP_NET_RAW (13) */
		static const unsigned char cap[20] = { 0x01, 0, 0, 0x02, 0, 0x20 };
		unsigned char got[32];
		ssize_t n = -1;
		int fd;

		r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "ping",
		                                      .data = "p",
		                                      .mode = S_IFREG | 0755,
		                                      .xname = "security.capability",
		                                      .xvalue = (const char *)cap,
		                                      .xlen = sizeof(cap) });
		fd = openat(rootfd, "ping", O_RDONLY | O_CLOEXEC);
		if (fd >= 0)
			n = fgetxattr(fd, "security.capability", got, sizeof(got));
		close(fd);
		check(r == 0 && n == 20 && memcmp(got, cap, 20) == 0,
		      "security.capability survives (set after chown, which clears it)");
	}
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "bad", .data = "x", .uid = 4294967295LL });
	check(r < 0 && err_has("owner"), "owner 4294967295 ((uid_t)-1) is refused");
}

static void test_sparse_and_streams(void)
{
	struct stat st;
	size_t len;
	int r;

	/* libarchive's writer does not place sparse data where GNU tar reads
	 * it: the sparse layer comes from GNU tar, as image builders make them */
	{
		char cmd[256], path[128];
		int fd;

		snprintf(path, sizeof(path), "%s/sparse", base);
		fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
		(void)!pwrite(fd, "beg", 3, 0);
		(void)!pwrite(fd, "end", 3, (64 << 20) - 3);
		close(fd);
		snprintf(cmd, sizeof(cmd), "tar --sparse --format=pax -cf - -C %s sparse", base);
		fd = tar_from_cmd(cmd);
		unlink(path);
		fresh();
		r = fd < 0 ? -1 : unpack_fd(fd, UNPACK_WHITEOUT_OVERLAY);
	}
	check(r == 0 && lst("sparse", &st) == 0 && st.st_size == 64 << 20 &&
	          st.st_blocks * 512 < (1 << 20),
	      "a sparse file (GNU tar, pax) keeps its size and its holes");
	{
		char tail[4] = "";
		int fd = openat(rootfd, "sparse", O_RDONLY | O_CLOEXEC);
		check(pread(fd, tail, 3, (64 << 20) - 3) == 3 && memcmp(tail, "end", 3) == 0 &&
		          pread(fd, tail, 3, 0) == 3 && memcmp(tail, "beg", 3) == 0,
		      "the sparse file's data sits where it was");
		close(fd);
	}
	for (int f = GZIP; f <= ZSTD; f++) {
		const struct ent e[] = { { .path = "c/f", .data = "compressed" } };
		fresh();
		r = unpack_fd(tar_make(e, 1, (enum filter)f, &len), UNPACK_WHITEOUT_OVERLAY);
		check(r == 0 && content_is("c/f", "compressed"),
		      f == GZIP ? "a gzip layer is detected and unpacked"
		                : "a zstd layer is detected and unpacked");
	}
	/* streaming: a pipe written in small pieces by another process */
	{
		const struct ent e[] = { { .path = "big", .data = "0123456789abcdef" },
			                 { .path = "p/q", .data = "streamed" } };
		int tfd = tar_make(e, 2, GZIP, &len), p[2];
		char *buf = malloc(len);
		pid_t pid;

		fresh();
		(void)!read(tfd, buf, len);
		close(tfd);
		(void)!pipe(p);
		pid = fork();
		if (pid == 0) {
			close(p[0]);
			for (size_t off = 0; off < len; off += 7) {
				util_write_all(p[1], buf + off, len - off < 7 ? len - off : 7);
				usleep(1000);
			}
			_exit(0);
		}
		close(p[1]);
		r = unpack_fd(p[0], UNPACK_WHITEOUT_OVERLAY);
		waitpid(pid, NULL, 0);
		free(buf);
		check(r == 0 && content_is("p/q", "streamed"),
		      "a layer arriving slowly through a pipe unpacks");
	}
}

static void test_bad_streams(void)
{
	char big[20000];
	size_t len;
	int fd, r;

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		const struct ent e[] = { { .path = "f", .data = big } };
		char *buf;
		int t;

		fd = tar_make(e, 1, PLAIN, &len);
		buf = malloc(len);
		(void)!read(fd, buf, len);
		close(fd);
		fresh();
		t = memfd_create("t", MFD_CLOEXEC);
		util_write_all(t, buf, 5000);
		lseek(t, 0, SEEK_SET);
		r = unpack_fd(t, UNPACK_WHITEOUT_OVERLAY);
		check(r < 0 && err_has("layer entry f"), "a tar truncated inside a file fails");
		fd = tar_make(e, 1, GZIP, &len);
		(void)!read(fd, buf, len);
		close(fd);
		t = memfd_create("t", MFD_CLOEXEC);
		util_write_all(t, buf, len / 2);
		lseek(t, 0, SEEK_SET);
		r = unpack_fd(t, UNPACK_WHITEOUT_OVERLAY);
		check(r < 0, "a truncated gzip stream fails");
		free(buf);
	}
	fd = memfd_create("t", MFD_CLOEXEC);
	for (int i = 0; i < 100; i++)
		util_write_all(fd, "this is not a tar archive, just text\n", 37);
	lseek(fd, 0, SEEK_SET);
	r = unpack_fd(fd, UNPACK_WHITEOUT_OVERLAY);
	check(r < 0 && err_has("reading the layer"), "garbage input is refused");
	fd = memfd_create("t", MFD_CLOEXEC);
	util_write_all(fd, "\x1f\x8b\x08\x00garbage-after-gzip-magic", 28);
	lseek(fd, 0, SEEK_SET);
	r = unpack_fd(fd, UNPACK_WHITEOUT_OVERLAY);
	check(r < 0, "a corrupt gzip stream is refused");
	fd = memfd_create("t", MFD_CLOEXEC);
	r = unpack_fd(fd, UNPACK_WHITEOUT_OVERLAY);
	check(r == 0 && stats.files == 0, "an empty stream is an empty layer");
}

static void test_hostile(void)
{
	char lname[5000], sname[600];
	char outside[128];
	int r;

	snprintf(outside, sizeof(outside), "%s/outside", base);
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "ok", .data = "x" },
	           { .path = "../x", .data = "evil" });
	check(r < 0 && strcmp(err.msg, "layer entry ../x escapes the layer root") == 0 &&
	          outside_untouched(),
	      "../x is refused, the error names it, nothing lands outside");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "a/b/../../../x", .data = "evil" });
	check(r < 0 && err_has("escapes the layer root") && outside_untouched(),
	      "a .. component deeper in the path is refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "/abs", .data = "evil" });
	check(r < 0 && err_has("layer entry /abs escapes"), "an absolute path is refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY,
	           { .path = "evil", .mode = S_IFLNK | 0777, .symlink = outside },
	           { .path = "evil/pwned", .data = "evil" });
	check(r < 0 && err_has("layer entry evil/pwned goes through a symlink") &&
	          outside_untouched(),
	      "symlink to an absolute dir, then a write through it: refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY,
	           { .path = "rel", .mode = S_IFLNK | 0777, .symlink = "../outside" },
	           { .path = "rel/file", .data = "evil" });
	check(r < 0 && err_has("symlink") && outside_untouched(),
	      "symlink to ../outside, then a write through it: refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "d/", .mode = S_IFDIR | 0755 },
	           { .path = "inner", .mode = S_IFLNK | 0777, .symlink = "d" },
	           { .path = "inner/f", .data = "x" });
	check(r < 0 && err_has("symlink"),
	      "a write through a symlink pointing inside is refused too");
	fresh();
	snprintf(lname, sizeof(lname), "%s/file", outside);
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY,
	           { .path = "s", .mode = S_IFLNK | 0777, .symlink = lname },
	           { .path = "s", .data = "overwrite" });
	check(r == 0 && outside_untouched() && content_is("s", "overwrite"),
	      "a file entry replaces a symlink of that name, never writes through it");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "hl", .hardlink = "../outside/file" });
	check(r < 0 && err_has("hard link target ../outside/file is outside the layer") &&
	          outside_untouched(),
	      "a hard link to outside is refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "hl", .hardlink = lname });
	check(r < 0 && err_has("outside the layer"), "a hard link to an absolute path is refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY,
	           { .path = "s", .mode = S_IFLNK | 0777, .symlink = outside },
	           { .path = "hl", .hardlink = "s/file" });
	check(r < 0 && err_has("symlink") && outside_untouched(),
	      "a hard link through a symlink to outside is refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "f", .data = "orig" },
	           { .path = "hl", .hardlink = "f" }, { .path = "hl", .data = "new" });
	check(r == 0 && content_is("f", "orig") && content_is("hl", "new"),
	      "a file entry replacing a hard link does not write into the shared inode");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "d/sub/a", .data = "a" },
	           { .path = "d", .mode = S_IFLNK | 0777, .symlink = outside },
	           { .path = "d/sub/b", .data = "evil" }, { .path = "d/file", .data = "evil" });
	check(r < 0 && err_has("layer entry d/sub/b goes through a symlink") && outside_untouched(),
	      "a directory replaced by a symlink between two writes below it: refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY,
	           { .path = "loop", .mode = S_IFLNK | 0777, .symlink = "loop" },
	           { .path = "loop/x", .data = "x" });
	check(r < 0 && err_has("symlink"), "a symlink loop then a write through it is refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "a/.wh..", .data = "" });
	check(r < 0 && err_has("escapes"), "a whiteout of .. is refused");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "./", .mode = S_IFDIR | 0700 },
	           { .path = ".", .data = "x" });
	check(r < 0 && err_has("would replace the layer root"),
	      "a root dir entry is ignored, a file at the root is refused");
	fresh();
	memset(sname, 'n', sizeof(sname) - 1);
	sname[sizeof(sname) - 1] = '\0';
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = sname, .data = "x" });
	check(r < 0 && err.msg[0], "a 599-byte file name fails with a message");
	for (size_t i = 0; i < sizeof(lname) - 1; i++)
		lname[i] = i % 100 == 99 ? '/' : 'd';
	lname[sizeof(lname) - 1] = '\0';
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = lname, .data = "x" });
	check(r < 0 && err_has("too long"), "a 4999-byte path is refused");
}

static void test_overlay_whiteouts(void)
{
	struct stat st;
	char v[8] = "";
	int r, fd;

	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = "gone/.wh.file" }, { .path = ".wh.dir" },
	           { .path = "o/", .mode = S_IFDIR | 0755 }, { .path = "o/.wh..wh..opq" },
	           { .path = "o/new", .data = "n" }, { .path = "mine", .data = "m" },
	           { .path = ".wh.mine" }, { .path = ".wh..wh.plnk" });
	check(r == 0 && lst("gone/file", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0 &&
	          lst(".wh.dir", &st) < 0 && lst("dir", &st) == 0 && S_ISCHR(st.st_mode),
	      "overlay: .wh.NAME becomes a 0/0 character device");
	fd = openat(rootfd, "o", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	check(fgetxattr(fd, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y' &&
	          content_is("o/new", "n") && lst("o/.wh..wh..opq", &st) < 0,
	      "overlay: an opaque marker sets user.overlay.opaque=y and keeps the layer's files");
	close(fd);
	check(content_is("mine", "m") && lst(".wh..wh.plnk", &st) < 0,
	      "overlay: a whiteout never hides the layer's own file; AUFS metadata is skipped");
}

static void test_apply(void)
{
	struct stat st;
	int r;

	fresh();
	r = UNPACK(UNPACK_WHITEOUT_APPLY, { .path = "a", .data = "a" },
	           { .path = "b", .data = "b" }, { .path = "d/x", .data = "x" },
	           { .path = "d/y", .data = "y" }, { .path = "o/old", .data = "old" },
	           { .path = "o/sub/deep", .data = "d" }, { .path = "f2d", .data = "file" },
	           { .path = "d2f/z", .data = "z" });
	check(r == 0, "apply: the lower layer unpacks");
	r = UNPACK(
	    UNPACK_WHITEOUT_APPLY, { .path = ".wh.a" }, { .path = "d/.wh.x" },
	    { .path = "d/new", .data = "n" }, { .path = "o/", .mode = S_IFDIR | 0755 },
	    { .path = "o/-early", .data = "e" }, { .path = "o/sub/", .mode = S_IFDIR | 0755 },
	    { .path = "o/sub/mine", .data = "m" }, { .path = "o/.wh..wh..opq" },
	    { .path = "o/late", .data = "l" }, { .path = "hl", .hardlink = "b" },
	    { .path = "f2d/", .mode = S_IFDIR | 0755 }, { .path = "d2f", .data = "now a file" },
	    { .path = "mine", .data = "m" }, { .path = ".wh.mine" });
	check(r == 0, "apply: the upper layer applies");
	check(lst("a", &st) < 0 && lst("d/x", &st) < 0 && content_is("d/y", "y") &&
	          content_is("d/new", "n") && content_is("b", "b"),
	      "apply: whiteouts delete lower files, the rest stays");
	check(lst("o/old", &st) < 0 && lst("o/sub/deep", &st) < 0 && content_is("o/-early", "e") &&
	          content_is("o/sub/mine", "m") && content_is("o/late", "l"),
	      "apply: an opaque dir loses lower content only, wherever the marker sits");
	{
		struct stat s2;
		check(lst("hl", &st) == 0 && lst("b", &s2) == 0 && st.st_ino == s2.st_ino,
		      "apply: a hard link to a lower layer's file works");
	}
	check(lst("f2d", &st) == 0 && S_ISDIR(st.st_mode) && content_is("d2f", "now a file") &&
	          content_is("mine", "m"),
	      "apply: file and directory replace each other; a layer's own file survives its "
	      "whiteout");
}

/* issue 26: ".wh.a" and a new "a/" in one layer, in either order */
static bool opaque_is_y(const char *dir)
{
	char v[8] = "";
	int fd = openat(rootfd, dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	bool y = fd >= 0 && fgetxattr(fd, "user.overlay.opaque", v, sizeof(v)) == 1 && v[0] == 'y';

	if (fd >= 0)
		close(fd);
	return y;
}

static void test_same_layer_dir_whiteout(void)
{
	struct stat st;
	int r;

	fresh();
	r = UNPACK(UNPACK_WHITEOUT_OVERLAY, { .path = ".wh.a" },
	           { .path = "a/", .mode = S_IFDIR | 0750 }, { .path = "a/1", .data = "1" },
	           { .path = "b/", .mode = S_IFDIR | 0750 }, { .path = "b/1", .data = "1" },
	           { .path = ".wh.b" });
	check(r == 0 && lst("a", &st) == 0 && S_ISDIR(st.st_mode) && content_is("a/1", "1") &&
	          lst("b", &st) == 0 && S_ISDIR(st.st_mode) && content_is("b/1", "1"),
	      "overlay: a directory whited out in its own layer keeps its entries");
	check(opaque_is_y("a") && opaque_is_y("b"),
	      "overlay: .wh.a with a new a/ (either order) makes a/ opaque");
	fresh();
	r = UNPACK(UNPACK_WHITEOUT_APPLY, { .path = "a/2", .data = "2" },
	           { .path = "a/sub/3", .data = "3" }, { .path = "b/2", .data = "2" });
	check(r == 0, "apply: the lower layer unpacks");
	r = UNPACK(UNPACK_WHITEOUT_APPLY, { .path = ".wh.a" },
	           { .path = "a/", .mode = S_IFDIR | 0750 }, { .path = "a/1", .data = "1" },
	           { .path = "b/", .mode = S_IFDIR | 0750 }, { .path = "b/1", .data = "1" },
	           { .path = ".wh.b" });
	check(r == 0 && content_is("a/1", "1") && lst("a/2", &st) < 0 && lst("a/sub", &st) < 0 &&
	          content_is("b/1", "1") && lst("b/2", &st) < 0,
	      "apply: .wh.a with a new a/ (either order) leaves only the layer's a/ entries");
}

/* --- in a user namespace that maps only our own ID --- */

static struct idmap_plan single_plan(void)
{
	struct idmap_plan p = { .single = true, .host_uid = getuid(), .host_gid = getgid() };

	p.uids.n = p.gids.n = 1;
	p.uids.ext[0] = (struct idmap_extent){ 0, getuid(), 1 };
	p.gids.ext[0] = (struct idmap_extent){ 0, getgid(), 1 };
	return p;
}

static int ns_unpack(void *arg, struct werr *e)
{
	struct unpack_opts o = { .whiteouts = UNPACK_WHITEOUT_OVERLAY };
	int *fds = arg;

	return unpack_layer(fds[0], rootfd, &o, (struct unpack_stats *)(void *)(fds + 2), e);
}

static int ns_whoami(void *arg, struct werr *e)
{
	(void)arg;
	if (getuid() != 0 || geteuid() != 0)
		return werr_set(e, EPERM, "not root in the namespace (uid %u)", (unsigned)getuid());
	return werr_set(e, 42, "message from the child");
}

static int ns_crash(void *arg, struct werr *e)
{
	(void)arg;
	(void)e;
	raise(SIGKILL);
	return 0;
}

static void test_userns(void)
{
	struct idmap_plan plan = single_plan();
	struct unpack_stats *shared;
	struct stat st;
	char v[64] = "";
	size_t len;
	int *fds, r;

	memset(&err, 0, sizeof(err));
	r = userns_exec(&plan, ns_whoami, NULL, &err);
	if (r == -EPERM && !err_has("message")) {
		skip("userns_exec and single-ID unpacking", err.msg);
		return;
	}
	check(r == -42 && strcmp(err.msg, "message from the child") == 0,
	      "userns_exec: the child runs as root of the namespace; code and message travel back");
	memset(&err, 0, sizeof(err));
	r = userns_exec(&plan, ns_crash, NULL, &err);
	check(r < 0 && err_has("signal 9"), "userns_exec: a child that dies is reported");

	fds = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	shared = (struct unpack_stats *)(void *)(fds + 2);
	{
		const struct ent e[] = {
			{ .path = "su",
			  .data = "x",
			  .mode = S_IFREG | 04755,
			  .uid = 1000,
			  .gid = 1001 },
			{ .path = "d/", .mode = S_IFDIR | 0500, .uid = 7, .gid = 8 },
			{ .path = "d/f", .data = "f" },
			{ .path = "dev/null", .mode = S_IFCHR | 0666, .major = 1, .minor = 3 },
			{ .path = "dev/sda", .mode = S_IFBLK | 0660, .major = 8, .minor = 0 },
			{ .path = ".wh.gone" },
		};
		fresh();
		fds[0] = tar_make(e, sizeof(e) / sizeof(e[0]), PLAIN, &len);
		memset(&err, 0, sizeof(err));
		r = userns_exec(&plan, ns_unpack, fds, &err);
		close(fds[0]);
	}
	check(r == 0, "single-ID: the layer unpacks in the user namespace");
	{
		int fd = openat(rootfd, "su", O_RDONLY | O_CLOEXEC);
		ssize_t n = fgetxattr(fd, UNPACK_XATTR_OVERRIDE_STAT, v, sizeof(v) - 1);
		v[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	check(strcmp(v, "1000:1001:104755") == 0 && lst("su", &st) == 0 && st.st_uid == getuid(),
	      "single-ID: an unmappable owner goes to user.containers.override_stat UID:GID:MODE");
	{
		int fd = openat(rootfd, "d", O_RDONLY | O_CLOEXEC);
		ssize_t n = fgetxattr(fd, UNPACK_XATTR_OVERRIDE_STAT, v, sizeof(v) - 1);
		v[n > 0 ? n : 0] = '\0';
		close(fd);
	}
	check(strcmp(v, "7:8:40500") == 0 && lst("d", &st) == 0 && (st.st_mode & 0700) == 0700 &&
	          content_is("d/f", "f"),
	      "single-ID: a directory keeps its mode in the xattr and stays usable by us");
	check(shared->skipped_devices == 2 && shared->files == 3 && lst("dev/null", &st) < 0,
	      "device nodes the namespace cannot create are skipped and counted (not as files)");
	check(lst("gone", &st) == 0 && S_ISCHR(st.st_mode) && st.st_rdev == 0,
	      "the namespace root can create overlay whiteout devices");
	munmap(fds, 4096);
}

int main(void)
{
	snprintf(base, sizeof(base), "/tmp/test_unpack.XXXXXX");
	if (!mkdtemp(base)) {
		perror("mkdtemp");
		return 1;
	}
	chmod(base, 0755);
	test_basic();
	test_owners();
	test_sparse_and_streams();
	test_bad_streams();
	test_hostile();
	test_overlay_whiteouts();
	test_apply();
	test_same_layer_dir_whiteout();
	test_userns();
	close(rootfd);
	util_rm_rf(base);
	return tap_done();
}
