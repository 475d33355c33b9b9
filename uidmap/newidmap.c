/* newidmap.c - warren-newuidmap and warren-newgidmap (one source, built twice
 * with IDMAP_GID 0 or 1): setuid-root helpers that write a process's uid_map
 * or gid_map with what /etc/subuid or /etc/subgid grants the calling user,
 * plus the caller's own ID. Same command line as shadow's newuidmap:
 *     warren-newuidmap PID INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]...
 * warren-newuidmap alone also takes both maps in one exec (a container's
 * start pays for one setuid exec instead of two):
 *     warren-newuidmap PID UID-RANGES... --gid GID-RANGES...
 * It then keeps CAP_SETUID and CAP_SETGID, checks both maps against
 * /etc/subuid and /etc/subgid as the two helpers would, and writes
 * neither unless both pass.
 * A security boundary: it trusts only root-owned files and the kernel, drops
 * root and every capability but one before reading anything the caller
 * controls (shadow's approach: back to the caller's uid, keeping
 * only CAP_SETUID or CAP_SETGID), and never writes a map it has not fully
 * checked. */
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "subid.h"

#ifndef IDMAP_GID
#error "build with -DIDMAP_GID=0 (uid maps) or -DIDMAP_GID=1 (gid maps)"
#endif

#if IDMAP_GID
#define PROG      "warren-newgidmap"
#define CAP_WRITE CAP_SETGID
#define CAP_NAME  "CAP_SETGID"
#else
#define PROG      "warren-newuidmap"
#define CAP_WRITE CAP_SETUID
#define CAP_NAME  "CAP_SETUID"
#endif

/* where the gid ranges start in the uid helper's argv, when it takes both */
#define BOTH_MARK "--gid"

/* the kernel's limit on lines in a map (since 4.15) */
#define MAX_RANGES 340

struct range {
	uint32_t inside, outside, count;
	bool granted;  /* inside one range /etc/subuid grants the caller */
	bool own_only; /* granted only as the caller's own ID, not by a subordinate range */
};

/* one map to write: the uid map (@gid false) or the gid map */
struct map_req {
	bool gid;
	struct range *r;
	size_t n;
	bool any_granted; /* a subordinate range is mapped, not only the caller's ID */
	char text[MAX_RANGES * 34 + 1];
	size_t len;
};

/* what a line of /etc/subuid or /etc/subgid is checked against */
struct grant_check {
	const char *user; /* the caller's name, or NULL */
	uid_t uid;
	struct range *r;
	size_t n;
};

__attribute__((noreturn, format(printf, 1, 2))) static void die(const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, PROG ": %s\n", msg);
	exit(1);
}

/* clean slate: no environment, a known umask, fds 0-2 open, not dumpable */
static void sanitize(void)
{
	struct stat st;

	clearenv();
	umask(022);
	for (int fd = 0; fd <= 2; fd++)
		if (fstat(fd, &st) < 0 && errno == EBADF &&
		    open("/dev/null", fd == 0 ? O_RDONLY : O_WRONLY) != fd)
			abort();
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("cannot make the process non-dumpable: %s", strerror(errno));
}

/* become the caller again, keeping one capability (two with @both: the
 * uid helper taking both maps): with the caller's euid the kernel treats us
 * as the owner of the target's user namespace, and CAP_SET[UG]ID in our own
 * namespace lets the map name IDs beyond our own */
static void drop_privileges(uid_t uid, bool both)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresuid(uid, uid, uid) < 0)
		die("cannot drop root: %s", strerror(errno));
	d[0].permitted = d[0].effective = 1U << CAP_WRITE | (both ? 1U << CAP_SETGID : 0);
	if (syscall(SYS_capset, &h, d) < 0)
		die("cannot keep " CAP_NAME "%s: %s (is the helper setuid root? as root: "
		    "chown root:root " PROG " && chmod u+s " PROG ")",
		    both ? " and CAP_SETGID" : "", strerror(errno));
	if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) < 0 || prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) < 0)
		die("cannot lock down the process: %s", strerror(errno));
}

static uint32_t parse_number(const char *s, const char *what)
{
	uint32_t v;
	int r = subid_parse_u32(s, strlen(s), &v);

	if (r == -ERANGE)
		die("%s \"%s\" is out of range (at most 4294967295)", what, s);
	if (r < 0)
		die("%s \"%s\" is not a plain decimal number", what, s);
	return v;
}

static bool overlap(uint32_t a, uint32_t na, uint32_t b, uint32_t nb)
{
	return (uint64_t)a < (uint64_t)b + nb && (uint64_t)b < (uint64_t)a + na;
}

/* the request's own shape: no empty, wrapping or overlapping range */
static void check_shape(const struct range *r, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (r[i].count == 0)
			die("range %zu has a count of 0", i + 1);
		if ((uint64_t)r[i].inside + r[i].count > UINT32_MAX ||
		    (uint64_t)r[i].outside + r[i].count > UINT32_MAX)
			die("range %zu (%u %u %u) runs past the largest ID", i + 1, r[i].inside,
			    r[i].outside, r[i].count);
		for (size_t j = 0; j < i; j++) {
			if (overlap(r[i].inside, r[i].count, r[j].inside, r[j].count))
				die("ranges %zu and %zu overlap inside the namespace", j + 1,
				    i + 1);
			if (overlap(r[i].outside, r[i].count, r[j].outside, r[j].count))
				die("ranges %zu and %zu overlap outside the namespace", j + 1,
				    i + 1);
		}
	}
}

/* implements subid_line_fn: a line of the caller's grants each requested
 * range that lies wholly inside it. Nothing is kept but these flags, so every
 * one of the caller's lines counts, in a file of any size. */
static int grant_line(const char *owner, size_t olen, const struct subid_range *g, void *ctx)
{
	struct grant_check *c = ctx;

	if (!subid_owner_p(owner, olen, c->user, c->uid))
		return 0;
	for (size_t i = 0; i < c->n; i++)
		if (c->r[i].outside >= g->start &&
		    (uint64_t)c->r[i].outside + c->r[i].count <= (uint64_t)g->start + g->count)
			c->r[i].granted = true;
	return 0;
}

/* every range granted by a line of @file, or the caller's own ID alone */
static void check_granted(struct range *r, size_t n, uint32_t own, const char *file)
{
	for (size_t i = 0; i < n; i++) {
		if (!r[i].granted && r[i].outside == own && r[i].count == 1)
			r[i].own_only = true;
		else if (!r[i].granted)
			die("range %zu (%u %u %u) is not granted to you by %s (ask an "
			    "administrator to add a range for your user)",
			    i + 1, r[i].inside, r[i].outside, r[i].count, file);
	}
}

/* the target must belong to the caller: checked on the directory fd that
 * every later open goes through, so a recycled PID cannot be swapped in */
static int open_target(const char *pid_arg, uid_t uid, gid_t gid)
{
	uint32_t pid = parse_number(pid_arg, "PID");
	char path[32];
	struct stat st;
	int fd;

	if (pid == 0 || pid > INT32_MAX)
		die("PID \"%s\" is not a valid process ID", pid_arg);
	snprintf(path, sizeof(path), "/proc/%u", pid);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		die("cannot open %s: %s", path, strerror(errno));
	if (fstat(fd, &st) < 0)
		die("cannot stat %s: %s", path, strerror(errno));
	if (st.st_uid != uid || st.st_gid != gid)
		die("process %u does not belong to you (it runs as %u:%u)", pid,
		    (unsigned)st.st_uid, (unsigned)st.st_gid);
	return fd;
}

static void write_at(int dirfd, const char *file, const char *text, size_t len)
{
	int fd = openat(dirfd, file, O_WRONLY | O_NOFOLLOW | O_CLOEXEC);
	ssize_t w;

	if (fd < 0)
		die("cannot open %s of the target: %s", file, strerror(errno));
	w = write(fd, text, len); /* the kernel takes a map in one write only */
	if (w != (ssize_t)len)
		die("writing %s failed: %s", file, w < 0 ? strerror(errno) : "short write");
	close(fd);
}

/* @m's ranges from @argc numbers at @argv, three a range, checked in full
 * against @m's file for the caller (@user, @uid) whose own ID is @own, and
 * its text made; dies on the first problem */
static void map_prepare(struct map_req *m, int argc, char **argv, const char *user, uid_t uid,
                        uint32_t own)
{
	const char *file = m->gid ? "/etc/subgid" : "/etc/subuid";
	struct grant_check gc;
	struct werr err;

	if (argc < 3 || argc % 3 != 0)
		die("usage: " PROG " PID INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]...%s",
		    IDMAP_GID ? "" : " [" BOTH_MARK " INSIDE OUTSIDE COUNT...]");
	m->n = (size_t)argc / 3;
	if (m->n > MAX_RANGES)
		die("%zu ranges given; the kernel takes at most %d", m->n, MAX_RANGES);
	for (size_t i = 0; i < m->n; i++) {
		m->r[i].inside = parse_number(argv[3 * i], "inside ID");
		m->r[i].outside = parse_number(argv[1 + 3 * i], "outside ID");
		m->r[i].count = parse_number(argv[2 + 3 * i], "count");
	}
	check_shape(m->r, m->n);
	gc = (struct grant_check){ user, uid, m->r, m->n };
	if (subid_read_each(file, grant_line, &gc, &err) < 0)
		die("%s", err.msg);
	check_granted(m->r, m->n, own, file);
	for (size_t i = 0; i < m->n; i++) {
		m->len += (size_t)snprintf(m->text + m->len, sizeof(m->text) - m->len, "%u %u %u\n",
		                           m->r[i].inside, m->r[i].outside, m->r[i].count);
		m->any_granted |= !m->r[i].own_only;
	}
	/* the kernel takes a map in one write of less than a page (kernel/user_namespace.c) */
	if (m->len >= 4096)
		die("the map is %zu bytes; the kernel takes less than 4096 in one write "
		    "(use fewer, larger ranges)",
		    m->len);
}

/* a map of nothing but your own gid must not let the namespace drop
 * supplementary groups (a group can be a deny rule): as shadow does,
 * setgroups stays allowed only when a subordinate range is mapped */
static void map_write(int procfd, const struct map_req *m)
{
	if (m->gid && !m->any_granted)
		write_at(procfd, "setgroups", "deny", 4);
	write_at(procfd, m->gid ? "gid_map" : "uid_map", m->text, m->len);
}

int main(int argc, char **argv)
{
	static struct range ranges[2][MAX_RANGES];
	static struct map_req maps[2];
	struct passwd *pw;
	const char *user;
	uid_t uid = getuid();
	gid_t gid = getgid();
	int procfd, split = argc, n_maps = 1;

	sanitize();
	/* the uid helper taking both maps: the literal mark alone decides which
	 * capabilities stay; everything else is parsed after the drop */
	for (int i = 2; !IDMAP_GID && i < argc; i++)
		if (!strcmp(argv[i], BOTH_MARK)) {
			split = i;
			n_maps = 2;
			break;
		}
	drop_privileges(uid, n_maps == 2);
	if (argc < 2)
		die("usage: " PROG " PID INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]...");
	procfd = open_target(argv[1], uid, gid);
	pw = getpwuid(uid);
	user = pw ? pw->pw_name : NULL;
	maps[0] = (struct map_req){ .gid = IDMAP_GID, .r = ranges[0] };
	map_prepare(&maps[0], split - 2, argv + 2, user, uid,
	            IDMAP_GID ? (uint32_t)gid : (uint32_t)uid);
	if (n_maps == 2) {
		maps[1] = (struct map_req){ .gid = true, .r = ranges[1] };
		map_prepare(&maps[1], argc - split - 1, argv + split + 1, user, uid, (uint32_t)gid);
	}
	/* both checked: the gid map first, as warren's two helpers end up */
	for (int i = n_maps - 1; i >= 0; i--)
		map_write(procfd, &maps[i]);
	return 0;
}
