/* newidmap.c - warren-newuidmap and warren-newgidmap (one source, built twice
 * with IDMAP_GID 0 or 1): setuid-root helpers that write a process's uid_map
 * or gid_map with what /etc/subuid or /etc/subgid grants the calling user,
 * plus the caller's own ID. Same command line as shadow's newuidmap:
 *     warren-newuidmap PID INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]...
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
#define PROG       "warren-newgidmap"
#define MAP_FILE   "gid_map"
#define SUBID_FILE "/etc/subgid"
#define CAP_WRITE  CAP_SETGID
#define CAP_NAME   "CAP_SETGID"
#else
#define PROG       "warren-newuidmap"
#define MAP_FILE   "uid_map"
#define SUBID_FILE "/etc/subuid"
#define CAP_WRITE  CAP_SETUID
#define CAP_NAME   "CAP_SETUID"
#endif

/* the kernel's limit on lines in a map (since 4.15) */
#define MAX_RANGES 340

struct range {
	uint32_t inside, outside, count;
	bool granted;  /* inside one range /etc/subuid grants the caller */
	bool own_only; /* granted only as the caller's own ID, not by a subordinate range */
};

/* what a line of SUBID_FILE is checked against */
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

/* become the caller again, keeping one capability: with the caller's euid the
 * kernel treats us as the owner of the target's user namespace, and
 * CAP_SET[UG]ID in our own namespace lets the map name IDs beyond our own */
static void drop_privileges(uid_t uid)
{
	struct __user_cap_header_struct h = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct d[2] = { { 0 } };

	if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) < 0 || setresuid(uid, uid, uid) < 0)
		die("cannot drop root: %s", strerror(errno));
	d[0].permitted = d[0].effective = 1U << CAP_WRITE;
	if (syscall(SYS_capset, &h, d) < 0)
		die("cannot keep " CAP_NAME ": %s (is the helper setuid root? as root: "
		    "chown root:root " PROG " && chmod u+s " PROG ")",
		    strerror(errno));
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

/* every range granted by a line of SUBID_FILE, or the caller's own ID alone */
static void check_granted(struct range *r, size_t n, uint32_t own)
{
	for (size_t i = 0; i < n; i++) {
		if (!r[i].granted && r[i].outside == own && r[i].count == 1)
			r[i].own_only = true;
		else if (!r[i].granted)
			die("range %zu (%u %u %u) is not granted to you by " SUBID_FILE
			    " (ask an administrator to add a range for your user)",
			    i + 1, r[i].inside, r[i].outside, r[i].count);
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

int main(int argc, char **argv)
{
	static struct range ranges[MAX_RANGES];
	static char text[MAX_RANGES * 34 + 1];
	struct grant_check gc;
	size_t n, len = 0;
	struct werr err;
	struct passwd *pw;
	uid_t uid = getuid();
	gid_t gid = getgid();
	bool any_granted = false;
	int procfd;

	sanitize();
	drop_privileges(uid);
	if (argc < 5 || (argc - 2) % 3 != 0)
		die("usage: " PROG " PID INSIDE OUTSIDE COUNT [INSIDE OUTSIDE COUNT]...");
	n = (size_t)(argc - 2) / 3;
	if (n > MAX_RANGES)
		die("%zu ranges given; the kernel takes at most %d", n, MAX_RANGES);

	procfd = open_target(argv[1], uid, gid);
	for (size_t i = 0; i < n; i++) {
		ranges[i].inside = parse_number(argv[2 + 3 * i], "inside ID");
		ranges[i].outside = parse_number(argv[3 + 3 * i], "outside ID");
		ranges[i].count = parse_number(argv[4 + 3 * i], "count");
	}
	check_shape(ranges, n);
	pw = getpwuid(uid);
	gc = (struct grant_check){ pw ? pw->pw_name : NULL, uid, ranges, n };
	if (subid_read_each(SUBID_FILE, grant_line, &gc, &err) < 0)
		die("%s", err.msg);
	check_granted(ranges, n, IDMAP_GID ? (uint32_t)gid : (uint32_t)uid);

	for (size_t i = 0; i < n; i++) {
		len += (size_t)snprintf(text + len, sizeof(text) - len, "%u %u %u\n",
		                        ranges[i].inside, ranges[i].outside, ranges[i].count);
		any_granted |= !ranges[i].own_only;
	}
	/* the kernel takes a map in one write of less than a page (kernel/user_namespace.c) */
	if (len >= 4096)
		die("the map is %zu bytes; the kernel takes less than 4096 in one write "
		    "(use fewer, larger ranges)",
		    len);
	/* a map of nothing but your own gid must not let the namespace drop
	 * supplementary groups (a group can be a deny rule): as shadow does,
	 * setgroups stays allowed only when a subordinate range is mapped */
	if (IDMAP_GID && !any_granted)
		write_at(procfd, "setgroups", "deny", 4);
	write_at(procfd, MAP_FILE, text, len);
	return 0;
}
