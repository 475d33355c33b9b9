/* posix.c - POSIX filesystem checks for the overlay conformance run
 * (posix.sh): link counts, rename over every file type, name and path
 * limits, permissions and owners, times, open files whose names are gone.
 * Each check is named and prints what it saw, one deterministic line per
 * observation (results and errno names, never raw numbers that differ from
 * one filesystem to the next), so the same run on a plain directory, the
 * kernel overlay and warren-overlay compare line by line.
 *   posix setup DIR       the fixture of every check, below DIR/NAME
 *   posix run DIR         every check, each in DIR/NAME ("== NAME" first)
 *   posix list            the names
 * The fixture is made twice: in the plain directory, and in the overlays'
 * lower layer, so each check acts on objects that come from below. */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

/* the fixture's times (posix.sh sets them after setup) */
#define FIXED_TIME 1600000000

static void out(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* "ok" or the errno's name, for a call's result */
static const char *rc(long r)
{
	return r < 0 ? strerrorname_np(errno) : "ok";
}

#define DO(label, call) out("%s: %s", label, rc((long)(call)))

static const char *type_of(mode_t m)
{
	return S_ISREG(m)    ? "file"
	       : S_ISDIR(m)  ? "dir"
	       : S_ISLNK(m)  ? "symlink"
	       : S_ISFIFO(m) ? "fifo"
	       : S_ISSOCK(m) ? "socket"
	       : S_ISCHR(m)  ? "chr"
	                     : "other";
}

/* what a user sees of @p: type, mode, owner, links, size (not of dirs) */
static const char *desc(const char *p)
{
	static char b[160];
	struct stat st;

	if (lstat(p, &st) < 0)
		return strerrorname_np(errno);
	snprintf(b, sizeof(b), "%s %04o %u:%u links=%lu", type_of(st.st_mode),
	         (unsigned)(st.st_mode & 07777), (unsigned)st.st_uid, (unsigned)st.st_gid,
	         (unsigned long)st.st_nlink);
	if (!S_ISDIR(st.st_mode))
		snprintf(b + strlen(b), sizeof(b) - strlen(b), " size=%lld", (long long)st.st_size);
	return b;
}

static void show(const char *p)
{
	out("%s: %s", p, desc(p));
}

static const char *content(const char *p)
{
	static char b[64];
	int fd = open(p, O_RDONLY | O_NONBLOCK);
	ssize_t n;

	if (fd < 0)
		return strerrorname_np(errno);
	n = read(fd, b, sizeof(b) - 1);
	close(fd);
	b[n < 0 ? 0 : n] = '\0';
	b[strcspn(b, "\n")] = '\0';
	return b;
}

static void put(const char *p, const char *text)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0644);

	if (fd < 0 || write(fd, text, strlen(text)) < 0)
		perror(p);
	if (fd >= 0)
		close(fd);
}

/* the sorted names in @dir, on one line */
static void list(const char *dir)
{
	struct dirent **ents;
	char line[8192] = "";
	int n = scandir(dir, &ents, NULL, alphasort);

	if (n < 0) {
		out("ls %s: %s", dir, strerrorname_np(errno));
		return;
	}
	for (int i = 0; i < n; i++) {
		if (strcmp(ents[i]->d_name, ".") && strcmp(ents[i]->d_name, "..") &&
		    strlen(line) + strlen(ents[i]->d_name) + 2 < sizeof(line)) {
			strcat(line, " ");
			strcat(line, ents[i]->d_name);
		}
		free(ents[i]);
	}
	free(ents);
	out("ls %s:%s", dir, line);
}

static struct timespec ts_of(const char *p, char which)
{
	struct stat st;
	struct timespec none = { 0, 0 };

	if (lstat(p, &st) < 0)
		return none;
	return which == 'c' ? st.st_ctim : which == 'm' ? st.st_mtim : st.st_atim;
}

static bool ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* until the clock that stamps files moves on: a change after this gets a
 * later time than anything before it (one tick at most) */
static void tick(void)
{
	struct timespec a, b;

	clock_gettime(CLOCK_REALTIME_COARSE, &a);
	do
		clock_gettime(CLOCK_REALTIME_COARSE, &b);
	while (ts_eq(a, b));
}

/* the mtime of @p as "fixed" (the fixture's), or "recent" */
static const char *mtime_of(const char *p)
{
	struct timespec t = ts_of(p, 'm');

	return t.tv_sec == FIXED_TIME ? "fixed" : t.tv_sec == 0 ? "none" : "recent";
}

/* ctime and mtime of @what (a path) around @op */
#define TIMES(label, what, op)                                                                     \
	do {                                                                                       \
		struct timespec c0 = ts_of(what, 'c'), m0 = ts_of(what, 'm');                      \
		tick();                                                                            \
		op;                                                                                \
		out("%s: ctime of %s %s, mtime %s", label, what,                                   \
		    ts_eq(c0, ts_of(what, 'c')) ? "same" : "changed",                              \
		    ts_eq(m0, ts_of(what, 'm')) ? "same" : "changed");                             \
	} while (0)

static int mksock(const char *p)
{
	return mknod(p, S_IFSOCK | 0644, 0);
}

/* make an object of @type ("file", "dir", "full" a dir with a file,
 * "symlink", "fifo", "socket") at @p */
static int make(const char *type, const char *p)
{
	char sub[PATH_MAX];

	if (!strcmp(type, "file")) {
		put(p, type);
		return 0;
	}
	if (!strcmp(type, "dir"))
		return mkdir(p, 0755);
	if (!strcmp(type, "full")) {
		snprintf(sub, sizeof(sub), "%s/inside", p);
		mkdir(p, 0755);
		put(sub, "inside");
		return 0;
	}
	if (!strcmp(type, "symlink"))
		return symlink("target-of-symlink", p);
	if (!strcmp(type, "fifo"))
		return mkfifo(p, 0644);
	return mksock(p);
}

/* ---- link counts ---- */

static void links_setup(void)
{
	put("lower", "lower");
	put("pair1", "pair");
	link("pair1", "pair2");
	mkfifo("lfifo", 0644);
	mkdir("ldir", 0755);
	mkdir("ldir/sub1", 0755);
	mkdir("ldir/sub2", 0755);
}

/* names of one file come and go: the counts of those left, and each name
 * still reaches the file (issue 19, reproduction 1) */
static void links_run(void)
{
	const char *types[] = { "file", "fifo", "socket", "symlink" };
	char a[32], b[32], c[32], d[32];

	for (size_t i = 0; i < 4; i++) {
		snprintf(a, sizeof(a), "%s-a", types[i]);
		snprintf(b, sizeof(b), "%s-b", types[i]);
		snprintf(c, sizeof(c), "%s-c", types[i]);
		snprintf(d, sizeof(d), "%s-d", types[i]);
		make(types[i], a);
		DO("link a b", link(a, b));
		show(a);
		DO("unlink a", unlink(a));
		show(b);
		DO("link b c", link(b, c));
		DO("link c d", link(c, d));
		DO("unlink b d", unlink(b) + unlink(d));
		show(c);
		DO("link c a", link(c, a));
		show(a);
	}
	DO("link lower l2", link("lower", "l2"));
	show("lower");
	DO("unlink lower", unlink("lower"));
	show("l2");
	DO("link l2 l3", link("l2", "l3"));
	show("l3");
	show("pair1");
	DO("append to pair1", (put("pair1", "changed"), 0));
	out("pair2 reads %s", content("pair2"));
	DO("unlink pair2", unlink("pair2"));
	show("pair1");
	DO("link lfifo lf2", link("lfifo", "lf2"));
	DO("unlink lfifo", unlink("lfifo"));
	show("lf2");
	show("ldir");
	DO("mkdir ldir/sub3", mkdir("ldir/sub3", 0755));
	show("ldir");
	DO("rmdir ldir/sub1", rmdir("ldir/sub1"));
	show("ldir");
	DO("rename ldir/sub2 .", rename("ldir/sub2", "sub2"));
	show("ldir");
	show(".");
	list(".");
}

static void links_over_setup(void)
{
	put("victim", "victim");
	link("victim", "victim2");
	put("twin1", "twin");
	link("twin1", "twin2");
	put("pairA", "pair");
	link("pairA", "pairB");
}

/* a name replaced by rename: its other names keep the file (reproduction 1) */
static void links_over_run(void)
{
	const char *types[] = { "file", "fifo", "socket", "symlink" };
	char s[32], d[32], dl[32];

	for (size_t i = 0; i < 4; i++) {
		snprintf(s, sizeof(s), "%s-s", types[i]);
		snprintf(d, sizeof(d), "%s-d", types[i]);
		snprintf(dl, sizeof(dl), "%s-dl", types[i]);
		make(types[i], s);
		make(types[i], d);
		DO("link d dl", link(d, dl));
		DO("rename s d", rename(s, d));
		show(d);
		show(dl);
		DO("rename dl onto its own other name", link(dl, s) + rename(dl, s));
		show(dl);
		show(s);
	}
	put("new", "new");
	DO("rename new victim", rename("new", "victim"));
	show("victim");
	show("victim2");
	out("victim2 reads %s", content("victim2"));
	/* the other name seen first: the one replaced or removed is not the
	 * name the file was first found by */
	show("twin2");
	put("new2", "new2");
	DO("rename new2 twin1", rename("new2", "twin1"));
	show("twin1");
	show("twin2");
	show("pairB");
	DO("unlink pairA", unlink("pairA"));
	show("pairB");
	out("pairB reads %s", content("pairB"));
	list(".");
}

/* ---- rename over every type ---- */

static const char *rn_types[] = { "file", "dir", "full", "symlink", "fifo", "socket" };
#define RN_N (sizeof(rn_types) / sizeof(*rn_types))

static void rename_setup(void)
{
	char s[64], d[64];

	for (size_t i = 0; i < RN_N; i++) {
		if (!strcmp(rn_types[i], "full"))
			continue;
		for (size_t j = 0; j <= RN_N; j++) {
			snprintf(s, sizeof(s), "%s-%s.s", rn_types[i],
			         j < RN_N ? rn_types[j] : "none");
			snprintf(d, sizeof(d), "%s-%s.d", rn_types[i],
			         j < RN_N ? rn_types[j] : "none");
			make(rn_types[i], s);
			if (j < RN_N)
				make(rn_types[j], d);
		}
	}
}

static void rename_all(const char *prefix)
{
	char s[80], d[80];

	for (size_t i = 0; i < RN_N; i++) {
		if (!strcmp(rn_types[i], "full"))
			continue;
		for (size_t j = 0; j <= RN_N; j++) {
			const char *dt = j < RN_N ? rn_types[j] : "none";
			snprintf(s, sizeof(s), "%s%s-%s.s", prefix, rn_types[i], dt);
			snprintf(d, sizeof(d), "%s%s-%s.d", prefix, rn_types[i], dt);
			out("rename %s over %s: %s", rn_types[i], dt, rc(rename(s, d)));
			out("  source %s; target %s", desc(s), desc(d));
		}
	}
}

/* the objects from the layer below */
static void rename_lower_run(void)
{
	rename_all("");
	list(".");
}

/* the same made in the mount */
static void rename_new_run(void)
{
	char s[80], d[80];

	mkdir("new", 0755);
	for (size_t i = 0; i < RN_N; i++) {
		if (!strcmp(rn_types[i], "full"))
			continue;
		for (size_t j = 0; j <= RN_N; j++) {
			const char *dt = j < RN_N ? rn_types[j] : "none";
			snprintf(s, sizeof(s), "new/%s-%s.s", rn_types[i], dt);
			snprintf(d, sizeof(d), "new/%s-%s.d", rn_types[i], dt);
			make(rn_types[i], s);
			if (j < RN_N)
				make(dt, d);
		}
	}
	rename_all("new/");
	list("new");
}

static void rename_flags_setup(void)
{
	put("f", "f");
	mkdir("d", 0755);
	put("d/in", "in");
	symlink("f", "sl");
	mkdir("d2", 0755);
}

/* renameat2 flags, a directory into itself, a name onto itself */
static void rename_flags_run(void)
{
	put("g", "g");
	DO("noreplace g f", renameat2(AT_FDCWD, "g", AT_FDCWD, "f", RENAME_NOREPLACE));
	DO("noreplace g h", renameat2(AT_FDCWD, "g", AT_FDCWD, "h", RENAME_NOREPLACE));
	DO("exchange f d", renameat2(AT_FDCWD, "f", AT_FDCWD, "d", RENAME_EXCHANGE));
	show("f");
	show("d");
	out("d reads %s", content("d"));
	out("f/in reads %s", content("f/in"));
	DO("exchange sl h", renameat2(AT_FDCWD, "sl", AT_FDCWD, "h", RENAME_EXCHANGE));
	show("sl");
	show("h");
	DO("exchange with a missing name",
	   renameat2(AT_FDCWD, "h", AT_FDCWD, "nope", RENAME_EXCHANGE));
	DO("rename f into itself", rename("f", "f/sub"));
	DO("rename d2 onto itself", rename("d2", "d2"));
	DO("rename . away", rename(".", "dot"));
	DO("rename into a missing dir", rename("h", "nope/h"));
	DO("rename a missing name", rename("nope", "h2"));
	list(".");
}

/* ---- limits ---- */

static void names_setup(void)
{
	char n[300];

	memset(n, 'l', 255);
	n[255] = '\0';
	put(n, "longest lower name");
}

/* NAME_MAX: the longest name works in every operation, one more byte fails
 * the same way everywhere (reproduction 4) */
static void names_run(void)
{
	char n255[300], n256[300], l255[300], other[300];
	struct statfs sf;
	struct stat st;

	memset(n255, 'n', 255);
	n255[255] = '\0';
	memset(n256, 'n', 256);
	n256[256] = '\0';
	memset(l255, 'l', 255);
	l255[255] = '\0';
	memset(other, 'o', 255);
	other[255] = '\0';
	out("pathconf NAME_MAX %ld", pathconf(".", _PC_NAME_MAX));
	out("statfs namelen %ld", statfs(".", &sf) < 0 ? -1L : (long)sf.f_namelen);
	DO("create 255", open(n255, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	DO("stat 255", lstat(n255, &st));
	DO("rename 255 to 255", rename(n255, other));
	DO("link 255 to 255", link(other, n255));
	DO("unlink 255", unlink(other));
	DO("mkdir 255", mkdir(other, 0755));
	DO("rmdir 255", rmdir(other));
	DO("symlink 255", symlink(n255, other));
	DO("mkfifo 255", mkfifo(l255 + 1, 0644));
	DO("rename lower 255", rename(l255, other) == 0 && rename(other, l255) == 0 ? 0 : -1);
	DO("create 256", open(n256, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	DO("stat 256", lstat(n256, &st));
	DO("mkdir 256", mkdir(n256, 0755));
	DO("mkfifo 256", mkfifo(n256, 0644));
	DO("symlink 256", symlink("x", n256));
	DO("link to 256", link(n255, n256));
	DO("rename to 256", rename(n255, n256));
	DO("unlink 256", unlink(n256));
	DO("rmdir 256", rmdir(n256));
	list(".");
}

/* a relative path of @len bytes from the check's directory: components of
 * 200 bytes, the last one shorter; its directories made */
static void long_path(char *p, size_t len, bool make_dirs)
{
	size_t at = 0;

	while (len - at > 255) {
		memset(p + at, 'd', 200);
		p[at + 200] = '\0';
		if (make_dirs)
			mkdir(p, 0755);
		p[at + 200] = '/';
		at += 201;
	}
	memset(p + at, 'f', len - at);
	p[len] = '\0';
}

static void paths_setup(void)
{
	char p[PATH_MAX + 8];

	long_path(p, PATH_MAX - 2 - strlen("paths/"), true);
	put(p, "lower");
}

/* PATH_MAX: a path of PATH_MAX - 1 bytes works in every operation, one of
 * PATH_MAX fails (reproduction 3). From the top of the tree, as a user at
 * the top of the mount gives it. */
static void paths_run(void)
{
	char p[PATH_MAX + 16], q[PATH_MAX + 16], lp[PATH_MAX + 8], buf[64];
	struct timespec ts[2] = { { 1500000000, 0 }, { 1500000000, 0 } };
	struct stat st;
	size_t len;

	if (chdir("..") < 0)
		return;
	/* the lower file's path: PATH_MAX - 2 bytes; a new one beside it
	 * PATH_MAX - 1 */
	strcpy(lp, "paths/");
	long_path(lp + 6, PATH_MAX - 2 - 6, false);
	out("lower path of %zu bytes: %s", strlen(lp), content(lp));
	snprintf(p, sizeof(p), "%sg", lp);
	snprintf(q, sizeof(q), "%sh", lp);
	len = strlen(p);
	out("new path of %zu bytes", len);
	DO("create", open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	DO("stat", lstat(p, &st));
	DO("chmod", chmod(p, 0600));
	DO("chown", chown(p, getuid(), getgid()));
	DO("truncate", truncate(p, 3));
	DO("utimens", utimensat(AT_FDCWD, p, ts, 0));
	DO("setxattr", setxattr(p, "user.long", "v", 1, 0));
	DO("getxattr", getxattr(p, "user.long", buf, sizeof(buf)));
	DO("listxattr", listxattr(p, buf, sizeof(buf)));
	DO("open", open(p, O_RDONLY | O_CLOEXEC));
	out("%s", desc(p));
	DO("chmod lower", chmod(lp, 0600));
	DO("xattr lower", setxattr(lp, "user.long", "v", 1, 0));
	out("lower: %s", desc(lp));
	DO("link", link(p, q));
	DO("rename", rename(q, p));
	DO("unlink", unlink(p));
	DO("mkdir", mkdir(p, 0755));
	DO("rmdir", rmdir(p));
	DO("symlink", symlink("t", p));
	DO("readlink", readlink(p, buf, sizeof(buf)));
	DO("unlink symlink", unlink(p));
	DO("mkfifo", mkfifo(p, 0600));
	DO("unlink fifo", unlink(p));
	strcat(p, "g"); /* PATH_MAX bytes */
	DO("create PATH_MAX", open(p, O_CREAT | O_WRONLY | O_CLOEXEC, 0644));
	DO("stat PATH_MAX", lstat(p, &st));
	DO("mkdir PATH_MAX", mkdir(p, 0755));
	if (chdir("paths") < 0)
		return;
}

/* ---- permissions, owners ---- */

static void perms_setup(void)
{
	const char *types[] = { "file", "dir", "symlink", "fifo", "socket" };
	char p[64];

	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "lower-%s", types[i]);
		make(types[i], p);
	}
	put("suid", "suid");
	chmod("suid", 06755);
	mkdir("sgid", 0755);
}

static void perms_one(const char *p)
{
	DO("chmod 0640", fchmodat(AT_FDCWD, p, 0640, AT_SYMLINK_NOFOLLOW));
	DO("chown 1:2", lchown(p, 1, 2));
	show(p);
	DO("chown -1:3", lchown(p, -1, 3));
	show(p);
	DO("chown 0:0", lchown(p, 0, 0));
	DO("chmod 07777", fchmodat(AT_FDCWD, p, 07777, AT_SYMLINK_NOFOLLOW));
	show(p);
	TIMES("chmod 0700", p, fchmodat(AT_FDCWD, p, 0700, AT_SYMLINK_NOFOLLOW));
	TIMES("chown 0:0", p, lchown(p, 0, 0));
	TIMES("chown -1:-1", p, lchown(p, -1, -1));
}

/* chmod and chown of every type, from below and new; the set-ID bits a
 * chown clears; a set-group-ID directory's group for new entries */
static void perms_run(void)
{
	const char *types[] = { "file", "dir", "symlink", "fifo", "socket" };
	char p[64];

	for (size_t i = 0; i < 5; i++) {
		snprintf(p, sizeof(p), "lower-%s", types[i]);
		perms_one(p);
		snprintf(p, sizeof(p), "new-%s", types[i]);
		make(types[i], p);
		perms_one(p);
	}
	show("suid");
	DO("chown suid 1:1", chown("suid", 1, 1));
	show("suid");
	put("nsuid", "x");
	DO("chmod 06755", chmod("nsuid", 06755));
	DO("chown -1:1", chown("nsuid", -1, 1));
	show("nsuid");
	DO("chown sgid :5", chown("sgid", -1, 5));
	DO("chmod sgid 2775", chmod("sgid", 02775));
	put("sgid/f", "f");
	DO("mkdir sgid/d", mkdir("sgid/d", 0777));
	show("sgid/f");
	show("sgid/d");
	umask(027);
	DO("create with umask 027", open("masked", O_CREAT | O_WRONLY | O_CLOEXEC, 0666));
	DO("mkdir with umask 027", mkdir("maskdir", 0777));
	umask(0);
	show("masked");
	show("maskdir");
}

/* ---- times ---- */

static void times_setup(void)
{
	put("f", "f");
	put("g", "g");
	put("h", "h");
	put("w", "w");
	mkdir("d", 0755);
	put("d/x", "x");
	symlink("f", "sl");
}

/* ctime on link, unlink, rename, chmod; mtime of directories whose names
 * change; times set exactly; copy-up keeps them */
static void times_run(void)
{
	struct timespec ts[2] = { { 1500000000, 5000 }, { 1500000001, 6000 } };
	struct timespec omit[2] = { { 0, UTIME_OMIT }, { 1400000000, 0 } };
	struct stat st;

	out("f mtime %s", mtime_of("f"));
	TIMES("link f f2", "f", link("f", "f2"));
	TIMES("unlink f2", "f", unlink("f2"));
	TIMES("rename g g2", "g2", rename("g", "g2"));
	TIMES("chmod f", "f", chmod("f", 0600));
	out("f mtime after chmod %s", mtime_of("f"));
	TIMES("truncate h", "h", truncate("h", 0));
	TIMES("write w", "w", put("w", "more"));
	TIMES("setxattr h", "h", setxattr("h", "user.t", "1", 1, 0));
	TIMES("create in d", "d", put("d/new", "n"));
	TIMES("unlink in d", "d", unlink("d/x"));
	TIMES("rename within d", "d", rename("d/new", "d/new2"));
	TIMES("rename out of d", "d", rename("d/new2", "out"));
	TIMES("mkdir in d", "d", mkdir("d/sub", 0755));
	TIMES("rmdir in d", "d", rmdir("d/sub"));
	TIMES("symlink in d", "d", symlink("t", "d/sl"));
	TIMES("link into d", "d", link("out", "d/l"));
	TIMES("chmod d", "d", chmod("d", 0700));
	DO("utimens f", utimensat(AT_FDCWD, "f", ts, 0));
	lstat("f", &st);
	out("f atime %lld.%09ld mtime %lld.%09ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
	    (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	DO("utimens omit atime", utimensat(AT_FDCWD, "f", omit, 0));
	lstat("f", &st);
	out("f atime %lld mtime %lld", (long long)st.st_atim.tv_sec, (long long)st.st_mtim.tv_sec);
	DO("utimens symlink", utimensat(AT_FDCWD, "sl", ts, AT_SYMLINK_NOFOLLOW));
	lstat("sl", &st);
	out("sl mtime %lld.%09ld", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	out("sl target mtime %lld", (long long)ts_of("f", 'm').tv_sec);
}

/* ---- open files whose names are gone ---- */

static void unlinked_setup(void)
{
	put("lower", "lower data");
	put("lower2", "lower two");
	link("lower2", "lower2b");
	put("over", "old");
}

static void fd_show(const char *label, int fd)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		out("%s: fstat %s", label, strerrorname_np(errno));
	else
		out("%s: %s %04o links=%lu size=%lld", label, type_of(st.st_mode),
		    (unsigned)(st.st_mode & 07777), (unsigned long)st.st_nlink,
		    S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size);
}

/* an open file keeps working, and counts no links, once its names are gone
 * (reproduction 6) */
static void unlinked_run(void)
{
	char buf[64];
	int a, b, c, d, e, f;
	ssize_t n;

	put("new", "new data");
	a = open("new", O_RDWR);
	b = open("lower", O_RDONLY);
	c = open("lower2", O_RDONLY);
	d = open("over", O_RDONLY);
	mkdir("dir", 0755);
	e = open("dir", O_RDONLY | O_DIRECTORY);
	DO("unlink new", unlink("new"));
	fd_show("new", a);
	DO("write after unlink", write(a, "more", 4));
	DO("ftruncate after unlink", ftruncate(a, 6));
	DO("fchmod after unlink", fchmod(a, 0600));
	fd_show("new", a);
	n = pread(a, buf, sizeof(buf) - 1, 0);
	buf[n < 0 ? 0 : n] = '\0';
	out("new reads %s", buf);
	DO("unlink lower", unlink("lower"));
	fd_show("lower", b);
	n = pread(b, buf, sizeof(buf) - 1, 0);
	buf[n < 0 ? 0 : n] = '\0';
	out("lower reads %s", buf);
	DO("unlink lower2", unlink("lower2"));
	fd_show("lower2", c);
	DO("unlink lower2b", unlink("lower2b"));
	fd_show("lower2", c);
	put("repl", "replacement");
	DO("rename over an open file", rename("repl", "over"));
	fd_show("over", d);
	n = pread(d, buf, sizeof(buf) - 1, 0);
	buf[n < 0 ? 0 : n] = '\0';
	out("over (old) reads %s; the name reads %s", buf, content("over"));
	DO("rmdir open dir", rmdir("dir"));
	fd_show("dir", e);
	f = open("made", O_RDWR | O_CREAT, 0644);
	DO("link made made2", link("made", "made2"));
	DO("unlink made", unlink("made"));
	fd_show("made", f);
	DO("unlink made2", unlink("made2"));
	fd_show("made", f);
	for (int fd = 3; fd < 16; fd++)
		close(fd);
	list(".");
}

/* ---- symlinks copied up and renamed ---- */

static void symlinks_setup(void)
{
	char p[32];

	symlink("target-a", "a");
	symlink("target-b", "b");
	mkdir("many", 0755);
	for (int i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), "many/s%02d", i);
		symlink("somewhere", p);
	}
}

/* a symlink from below stays reachable after renames and a chown
 * (reproduction 2) */
static void symlinks_run(void)
{
	char p[32], q[40], buf[64];
	ssize_t n;
	int bad = 0;

	DO("rename a a2", rename("a", "a2"));
	DO("rename a2 a3", rename("a2", "a3"));
	show("a3");
	n = readlink("a3", buf, sizeof(buf) - 1);
	buf[n < 0 ? 0 : n] = '\0';
	out("readlink a3: %s", n < 0 ? strerrorname_np(errno) : buf);
	DO("lchown b", lchown("b", 1, 1));
	DO("rename b b2", rename("b", "b2"));
	show("b2");
	DO("rename b2 b3", rename("b2", "b3"));
	show("b3");
	for (int i = 0; i < 40; i++) {
		struct stat st;
		snprintf(p, sizeof(p), "many/s%02d", i);
		snprintf(q, sizeof(q), "many/r%02d", i);
		if (rename(p, q) < 0 || lstat(q, &st) < 0)
			bad++;
		else if (i % 2 == 0 && (rename(q, p) < 0 || lstat(p, &st) < 0))
			bad++;
	}
	out("renamed symlinks not reachable: %d", bad);
	list("many");
}

struct check {
	const char *name;
	void (*setup)(void);
	void (*run)(void);
};

static const struct check checks[] = {
	{ "links", links_setup, links_run },
	{ "links-over", links_over_setup, links_over_run },
	{ "rename-lower", rename_setup, rename_lower_run },
	{ "rename-new", NULL, rename_new_run },
	{ "rename-flags", rename_flags_setup, rename_flags_run },
	{ "names", names_setup, names_run },
	{ "paths", paths_setup, paths_run },
	{ "perms", perms_setup, perms_run },
	{ "times", times_setup, times_run },
	{ "unlinked", unlinked_setup, unlinked_run },
	{ "symlinks", symlinks_setup, symlinks_run },
};

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	size_t n = sizeof(checks) / sizeof(*checks);

	setvbuf(stdout, NULL, _IOLBF, 0);
	umask(0);
	if (!strcmp(cmd, "list")) {
		for (size_t i = 0; i < n; i++)
			puts(checks[i].name);
		return 0;
	}
	if (argc < 3 || (strcmp(cmd, "setup") && strcmp(cmd, "run"))) {
		fprintf(stderr, "usage: posix setup|run DIR | posix list\n");
		return 2;
	}
	for (size_t i = 0; i < n; i++) {
		char dir[PATH_MAX];
		snprintf(dir, sizeof(dir), "%s/%s", argv[2], checks[i].name);
		if (!strcmp(cmd, "setup")) {
			if (mkdir(dir, 0755) < 0 || chdir(dir) < 0) {
				perror(dir);
				return 1;
			}
			if (checks[i].setup)
				checks[i].setup();
			continue;
		}
		if (chdir(dir) < 0) {
			perror(dir);
			return 1;
		}
		printf("== %s\n", checks[i].name);
		checks[i].run();
	}
	return 0;
}
