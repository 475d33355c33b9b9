/* idmap.c - plans the container's uid/gid maps and writes them for a child in
 * a fresh user namespace. Never grants anything itself: full maps go through
 * the setuid helpers, which check /etc/subuid and /etc/subgid again. */
#include "idmap.h"
#include "cleanup.h"
#include "subid_nss.h"
#include "starttrace.h"
#include "util.h"

#include <fcntl.h>
#include <pwd.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/capability.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

/* appends an extent while the map keeps to the kernel's limits; @len is the
 * map's text length so far. Return: false when it would not fit. */
static bool idmap_add(struct idmap *map, size_t *len, uint32_t inside, uint32_t outside,
                      uint32_t count)
{
	size_t line = (size_t)snprintf(NULL, 0, "%u %u %u\n", inside, outside, count);

	if (count == 0)
		return true;
	if (map->n >= IDMAP_MAX_EXTENTS || *len + line > IDMAP_TEXT_MAX)
		return false;
	map->ext[map->n++] = (struct idmap_extent){ inside, outside, count };
	*len += line;
	return true;
}

void idmap_layout(struct idmap *map, uint32_t own, uint32_t own_inside,
                  const struct subid_range *ranges, size_t n)
{
	uint32_t next = 0; /* next inside ID to fill from the ranges */
	size_t len = 0;

	map->n = 0;
	idmap_add(map, &len, own_inside, own, 1);
	for (size_t i = 0; i < n; i++) {
		uint32_t start = ranges[i].start, left = ranges[i].count;

		while (left > 0) {
			uint32_t chunk = left;
			if (next == own_inside)
				next++;
			if (next < own_inside && chunk > own_inside - next)
				chunk = own_inside - next;
			if (UINT32_MAX - next < chunk)
				chunk = UINT32_MAX - next;
			/* ranges past what a map can hold are left out */
			if (chunk == 0 || !idmap_add(map, &len, next, start, chunk))
				return;
			next += chunk;
			start += chunk;
			left -= chunk;
		}
	}
}

bool idmap_maps_id(const struct idmap *map, uint32_t id)
{
	for (size_t i = 0; i < map->n; i++)
		if (id >= map->ext[i].inside && id - map->ext[i].inside < map->ext[i].count)
			return true;
	return false;
}

/* how the helper at @path may write maps, or NULL when it may not: a
 * root-owned regular file we may execute, on a mount that honours setuid
 * and file capabilities, that is setuid root, or (RHEL, Fedora, Rocky) has
 * @need permitted and effective in its file capabilities for the initial
 * user namespace (security.capability, read with libcap) */
static const char *idmap_helper_kind(const char *path, cap_value_t need)
{
	cap_flag_value_t perm = CAP_CLEAR, eff = CAP_CLEAR;
	struct statvfs sv;
	struct stat st;
	cap_t caps;
	bool ours;

	if (stat(path, &st) < 0 || !S_ISREG(st.st_mode) || st.st_uid != 0 ||
	    access(path, X_OK) < 0 || statvfs(path, &sv) < 0 || (sv.f_flag & ST_NOSUID))
		return NULL;
	if (st.st_mode & S_ISUID)
		return "setuid root";
	if (!(caps = cap_get_file(path)))
		return NULL;
	ours = cap_get_nsowner(caps) == 0 && cap_get_flag(caps, need, CAP_PERMITTED, &perm) == 0 &&
	       cap_get_flag(caps, need, CAP_EFFECTIVE, &eff) == 0;
	cap_free(caps);
	return ours && perm == CAP_SET && eff == CAP_SET ? "file capabilities" : NULL;
}

/* next to our own binary, then PATH: the first usable one into @out and
 * how into @kind; @found_unusable names one that exists but is not usable */
static bool idmap_find_helper(const char *name, const char *shadow_name, cap_value_t need,
                              char *out, size_t size, const char **kind, char *found_unusable,
                              size_t usize)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *names[2] = { name, shadow_name };

	if (len > 0 && name) {
		char *slash;
		self[len] = '\0';
		slash = strrchr(self, '/');
		if (slash) {
			snprintf(out, size, "%.*s/%s", (int)(slash - self), self, name);
			if ((*kind = idmap_helper_kind(out, need)))
				return true;
			if (access(out, F_OK) == 0 && !found_unusable[0])
				snprintf(found_unusable, usize, "%s", out);
		}
	}
	for (size_t k = name ? 0 : 1; k < 2; k++) {
		const char *path = getenv("PATH");
		if (!path || !*path)
			path = "/usr/local/bin:/usr/bin:/bin";
		while (*path) {
			const char *colon = strchr(path, ':');
			size_t dl = colon ? (size_t)(colon - path) : strlen(path);
			if (dl > 0) {
				snprintf(out, size, "%.*s/%s", (int)dl, path, names[k]);
				if ((*kind = idmap_helper_kind(out, need)))
					return true;
				if (access(out, F_OK) == 0 && !found_unusable[0])
					snprintf(found_unusable, usize, "%s", out);
			}
			path += dl + (colon ? 1 : 0);
		}
	}
	out[0] = '\0';
	return false;
}

/* both helpers, warren's own first where @own (they read only the files),
 * then shadow's */
static bool idmap_find_helpers(struct idmap_plan *plan, bool own, char *unusable, size_t usize)
{
	const char *uk = NULL, *gk = NULL;
	bool found =
	    idmap_find_helper(own ? "warren-newuidmap" : NULL, "newuidmap", CAP_SETUID,
	                      plan->uid_helper, sizeof(plan->uid_helper), &uk, unusable, usize) &&
	    idmap_find_helper(own ? "warren-newgidmap" : NULL, "newgidmap", CAP_SETGID,
	                      plan->gid_helper, sizeof(plan->gid_helper), &gk, unusable, usize);

	if (!found)
		plan->helper_kind[0] = '\0';
	else if (!strcmp(uk, gk))
		snprintf(plan->helper_kind, sizeof(plan->helper_kind), "%s", uk);
	else
		snprintf(plan->helper_kind, sizeof(plan->helper_kind), "%s, %s", uk, gk);
	return found;
}

int idmap_plan_helpers(struct idmap_plan *plan, struct werr *err)
{
	char unusable[PATH_MAX] = "";

	char source[64];

	subid_nss_source(NULL, source, sizeof(source));
	if (plan->single || idmap_find_helpers(plan, !source[0], unusable, sizeof(unusable)))
		return 0;
	if (unusable[0])
		return werr_set(err, ENOENT,
		                "%s is neither setuid root nor given cap_setuid/cap_setgid file "
		                "capabilities (or is on a nosuid mount), and this container's user "
		                "namespace maps subordinate IDs; as root: chown root:root %s && "
		                "chmod u+s %s",
		                unusable, unusable, unusable);
	return werr_set(err, ENOENT,
	                "no warren-newuidmap/newuidmap helper found, and this container's user "
	                "namespace maps subordinate IDs; install warren's helpers setuid root, "
	                "or Debian's uidmap package");
}

static uint64_t idmap_total(const struct subid_range *r, size_t n)
{
	uint64_t t = 0;
	for (size_t i = 0; i < n; i++)
		t += r[i].count;
	return t;
}

/* implements subid_line_fn: marks the 65536-ID blocks a line touches, any user's */
static int idmap_taken_line(const char *owner, size_t olen, const struct subid_range *r, void *ctx)
{
	uint8_t *blocks = ctx;
	uint32_t last = (uint32_t)(((uint64_t)r->start + r->count - 1) >> 16);

	(void)owner;
	(void)olen;
	for (uint32_t b = r->start >> 16; b <= last; b++)
		blocks[b >> 3] |= (uint8_t)(1U << (b & 7));
	return 0;
}

int idmap_free_range(const char *subuid, const char *subgid, uint32_t *start, struct werr *err)
{
	/* one bit per 65536-ID block of the 32-bit ID space */
	uint8_t blocks[65536 / 8] = { 0 };

	if (subid_read_each(subuid, idmap_taken_line, blocks, err) < 0 ||
	    subid_read_each(subgid, idmap_taken_line, blocks, err) < 0)
		return -err->code;
	/* the last block would end at 2^32, past the largest ID a file may name */
	for (uint32_t b = (IDMAP_FREE_FIRST + 65535) >> 16; b < 65535; b++)
		if (!(blocks[b >> 3] & (1U << (b & 7)))) {
			*start = b << 16;
			return 0;
		}
	return werr_set(err, ENOSPC, "no 65536 IDs free in %s and %s", subuid, subgid);
}

/* the single-ID warning for a user without ranges: the usermod command that
 * grants some, naming a range no other user has (users sharing host IDs can
 * reach each other's files, and usermod accepts overlaps) */
static void idmap_warn_no_ranges(struct idmap_plan *plan, const char *name)
{
	struct werr ferr;
	uint32_t at;
	char range[32] = "START-END";

	if (idmap_free_range("/etc/subuid", "/etc/subgid", &at, &ferr) == 0)
		snprintf(range, sizeof(range), "%u-%u", at, at + 65535);
	snprintf(plan->warning, sizeof(plan->warning),
	         "no subordinate ID ranges for user %s in /etc/subuid and /etc/subgid: running "
	         "in single-ID mode (only your own ID is mapped); to get ranges, as root: "
	         "usermod --add-subuids %s --add-subgids %s %s (a range no line of either "
	         "file overlaps)",
	         name ? name : "(unknown)", range, range, name ? name : "USER");
}

/* @user's uid (@gid false) or gid ranges: from the `subid:` source of
 * /etc/nsswitch.conf through libsubid where it names one (@source), else
 * from /etc/subuid or /etc/subgid */
static int idmap_user_ranges(bool gid, const char *source, const char *user, uid_t uid,
                             struct subid_range *out, size_t *n, struct werr *err)
{
	if (source[0])
		return subid_nss_ranges(source, user, gid, out, SUBID_MAX_RANGES, n, err);
	return subid_read_file(gid ? "/etc/subgid" : "/etc/subuid", user, uid, out,
	                       SUBID_MAX_RANGES, n, err);
}

/* where idmap_user_ranges() looks, for messages */
static void idmap_ranges_place(bool gid, const char *source, char *buf, size_t size)
{
	if (source[0])
		snprintf(buf, size, "the subid source '%s' of /etc/nsswitch.conf", source);
	else
		snprintf(buf, size, "%s", gid ? "/etc/subgid" : "/etc/subuid");
}

int idmap_plan_make(struct idmap_plan *plan, bool keep_id, struct werr *err)
{
	struct subid_range ur[SUBID_MAX_RANGES], gr[SUBID_MAX_RANGES];
	size_t nu = 0, ng = 0;
	char unusable[PATH_MAX] = "";
	struct passwd *pw;
	const char *name;
	bool have_helpers;
	int r;

	memset(plan, 0, sizeof(*plan));
	plan->host_uid = getuid();
	plan->host_gid = getgid();
	pw = getpwuid(plan->host_uid);
	name = pw ? pw->pw_name : NULL;

	subid_nss_source(NULL, plan->subid_source, sizeof(plan->subid_source));
	if ((r = idmap_user_ranges(false, plan->subid_source, name, plan->host_uid, ur, &nu, err)) <
	        0 ||
	    (r = idmap_user_ranges(true, plan->subid_source, name, plan->host_uid, gr, &ng, err)) <
	        0) {
		/* a line of the user's own in /etc/subuid or /etc/subgid that runs
		 * past the last ID is what its administrator meant to grant: refused,
		 * naming the line, rather than quietly mapping one ID */
		if (r == -ERANGE && !plan->subid_source[0])
			return r;
		/* a broken file only costs the ranges: say so and go on in single-ID mode */
		snprintf(plan->warning, sizeof(plan->warning),
		         "cannot use subordinate ID ranges (%s); running in single-ID mode",
		         err->msg);
		nu = ng = 0;
	}
	/* warren's own helpers read only the files: ranges from another source
	 * take shadow's, which ask it as we did */
	have_helpers = idmap_find_helpers(plan, !plan->subid_source[0], unusable, sizeof(unusable));

	plan->single = !(nu > 0 && ng > 0 && have_helpers);
	if (plan->single && !plan->warning[0]) {
		if ((nu == 0 || ng == 0) && plan->subid_source[0])
			snprintf(
			    plan->warning, sizeof(plan->warning),
			    "no subordinate ID ranges for user %s from '%s', the subid source of "
			    "/etc/nsswitch.conf (which stands for /etc/subuid and /etc/subgid): "
			    "running in single-ID mode; ask its administrator for a range",
			    name ? name : "(unknown)", plan->subid_source);
		else if (nu == 0 || ng == 0)
			idmap_warn_no_ranges(plan, name);
		else if (unusable[0])
			snprintf(
			    plan->warning, sizeof(plan->warning),
			    "%s is neither setuid root nor given cap_setuid/cap_setgid file "
			    "capabilities (or is on a nosuid mount): running in single-ID mode; to "
			    "fix, as root: chown root:root %s && chmod u+s %s (or install Debian's "
			    "uidmap package)",
			    unusable, unusable, unusable);
		else
			snprintf(
			    plan->warning, sizeof(plan->warning),
			    "no warren-newuidmap/newuidmap helper found: running in single-ID "
			    "mode; "
			    "install warren's helpers setuid root, or Debian's uidmap package");
	}

	plan->keep_id = keep_id;
	if (keep_id) {
		plan->uid = plan->host_uid;
		plan->gid = plan->host_gid;
	}
	if (plan->single) {
		size_t len = 0;

		idmap_add(&plan->uids, &len, plan->uid, plan->host_uid, 1);
		len = 0;
		idmap_add(&plan->gids, &len, plan->gid, plan->host_gid, 1);
		return 0;
	}
	if (keep_id &&
	    (idmap_total(ur, nu) < plan->host_uid || idmap_total(gr, ng) < plan->host_gid))
		return werr_set(err, ERANGE,
		                "--userns=keep-id needs subordinate ranges of at least %u IDs "
		                "to place your own ID %u inside",
		                (unsigned)plan->host_uid, (unsigned)plan->host_uid);
	idmap_layout(&plan->uids, plan->host_uid, plan->uid, ur, nu);
	idmap_layout(&plan->gids, plan->host_gid, plan->gid, gr, ng);
	return 0;
}

int idmap_first_ungranted(const struct idmap *map, uint32_t own, const struct subid_range *ranges,
                          size_t n)
{
	for (size_t i = 0; i < map->n; i++) {
		uint64_t at = map->ext[i].outside, end = at + map->ext[i].count;
		size_t k;

		if (map->ext[i].count == 1 && at == own)
			continue;
		/* ranges may be listed in any order and touch: walk up through them */
		while (at < end) {
			for (k = 0; k < n; k++)
				if (at >= ranges[k].start &&
				    at < (uint64_t)ranges[k].start + ranges[k].count)
					break;
			if (k == n)
				return (int)i;
			at = (uint64_t)ranges[k].start + ranges[k].count;
		}
	}
	return -1;
}

/* "A-B, C-D" of @ranges, or "none" */
static void idmap_ranges_text(const struct subid_range *r, size_t n, char *buf, size_t size)
{
	size_t off = 0;

	snprintf(buf, size, "none");
	for (size_t i = 0; i < n && off < size; i++) {
		int w = snprintf(buf + off, size - off, "%s%u-%u", i ? ", " : "", r[i].start,
		                 r[i].start + r[i].count - 1);
		if (w < 0)
			break;
		off += (size_t)w;
	}
}

/* one of the plan's maps against the ranges the user has now */
static int idmap_check_ranges(const struct idmap *map, uint32_t own, bool gid, const char *source,
                              const char *user, uid_t uid, struct werr *err)
{
	struct subid_range r[SUBID_MAX_RANGES];
	char now[256], place[128];
	size_t n;
	int bad;

	if (idmap_user_ranges(gid, source, user, uid, r, &n, err) < 0)
		return -err->code;
	bad = idmap_first_ungranted(map, own, r, n);
	if (bad < 0)
		return 0;
	idmap_ranges_text(r, n, now, sizeof(now));
	idmap_ranges_place(gid, source, place, sizeof(place));
	return werr_set(err, EPERM,
	                "its user namespace maps host IDs %u-%u, which %s no longer grants to %s "
	                "(now: %s)",
	                map->ext[bad].outside,
	                (uint32_t)(map->ext[bad].outside + map->ext[bad].count - 1), place,
	                user ? user : "you", now);
}

int idmap_plan_check(const struct idmap_plan *plan, struct werr *err)
{
	struct passwd *pw;
	char name[256], source[64];

	if (plan->host_uid != getuid() || plan->host_gid != getgid())
		return werr_set(err, EACCES,
		                "its user namespace was planned for uid %u gid %u, not for you "
		                "(uid %u gid %u): run warren as that user",
		                (unsigned)plan->host_uid, (unsigned)plan->host_gid,
		                (unsigned)getuid(), (unsigned)getgid());
	if (plan->single)
		return 0;
	pw = getpwuid(plan->host_uid);
	snprintf(name, sizeof(name), "%s", pw ? pw->pw_name : "");
	subid_nss_source(NULL, source, sizeof(source));
	if (idmap_check_ranges(&plan->uids, plan->host_uid, false, source, pw ? name : NULL,
	                       plan->host_uid, err) < 0 ||
	    idmap_check_ranges(&plan->gids, plan->host_gid, true, source, pw ? name : NULL,
	                       plan->host_uid, err) < 0)
		return -err->code;
	return 0;
}

static int idmap_format(const struct idmap *map, char *buf, size_t size)
{
	size_t off = 0;

	buf[0] = '\0';
	for (size_t i = 0; i < map->n; i++) {
		int n = snprintf(buf + off, size - off, "%u %u %u\n", map->ext[i].inside,
		                 map->ext[i].outside, map->ext[i].count);
		if (n < 0 || (size_t)n >= size - off)
			return -ENOSPC;
		off += (size_t)n;
	}
	return (int)off;
}

static int idmap_write_proc(pid_t pid, const char *file, const char *text, struct werr *err)
{
	char path[64];
	_cleanup_close_ int fd = -1;

	snprintf(path, sizeof(path), "/proc/%d/%s", (int)pid, file);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return werr_errno(err, errno, "open %s", path);
	if (write(fd, text, strlen(text)) != (ssize_t)strlen(text))
		return werr_errno(err, errno, "write %s", path);
	return 0;
}

/* argv: helper PID inside outside count ... [--gid inside outside count ...]
 * (@gids: warren's own uid helper writing both maps); stderr captured into
 * @errfd */
static int idmap_spawn_helper(const char *helper, pid_t pid, const struct idmap *map,
                              const struct idmap *gids, int errfd, pid_t *child)
{
	static char nums[2 * IDMAP_MAX_EXTENTS * 3 + 1][12];
	char *argv[2 * IDMAP_MAX_EXTENTS * 3 + 4];
	const struct idmap *maps[2] = { map, gids };
	posix_spawn_file_actions_t fa;
	size_t a = 0, k = 0;
	int r;

	argv[a++] = (char *)helper;
	snprintf(nums[k], sizeof(nums[k]), "%d", (int)pid);
	argv[a++] = nums[k++];
	for (int m = 0; m < 2 && maps[m]; m++) {
		if (m == 1)
			argv[a++] = "--gid";
		for (size_t i = 0; i < maps[m]->n; i++) {
			uint32_t v[3] = { maps[m]->ext[i].inside, maps[m]->ext[i].outside,
				          maps[m]->ext[i].count };
			for (int j = 0; j < 3; j++) {
				snprintf(nums[k], sizeof(nums[k]), "%u", v[j]);
				argv[a++] = nums[k++];
			}
		}
	}
	argv[a] = NULL;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, errfd, STDERR_FILENO);
	posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
	r = posix_spawn(child, helper, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	return -r;
}

/* whether @helper is warren's own @name in the directory of this warren
 * (the same install, so it takes both maps at once) */
static bool idmap_helper_beside(const char *helper, const char *name)
{
	char self[PATH_MAX];
	ssize_t len = readlink("/proc/self/exe", self, sizeof(self) - 1);
	const char *hs = strrchr(helper, '/'), *ss;

	if (len <= 0 || !hs || strcmp(hs + 1, name))
		return false;
	self[len] = '\0';
	ss = strrchr(self, '/');
	return ss && ss - self == hs - helper && !strncmp(self, helper, (size_t)(hs - helper));
}

static int idmap_wait_helper(pid_t child, const char *helper, int errfd, struct werr *err)
{
	int status;
	char msg[512];
	ssize_t n;

	while (waitpid(child, &status, 0) < 0)
		if (errno != EINTR)
			return werr_errno(err, errno, "waiting for %s", helper);
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	n = pread(errfd, msg, sizeof(msg) - 1, 0);
	msg[n > 0 ? n : 0] = '\0';
	msg[strcspn(msg, "\n")] = '\0';
	return werr_set(err, EPERM, "%s failed: %s", helper,
	                msg[0] ? msg : "no message (is it setuid root?)");
}

int idmap_write(const struct idmap_plan *plan, pid_t pid, struct werr *err)
{
	char text[IDMAP_MAX_EXTENTS * 40];
	_cleanup_close_ int ue = -1, ge = -1;
	pid_t uc = -1, gc = -1;
	int r, r2;

	if (plan->single) {
		if (idmap_write_proc(pid, "setgroups", "deny", err) < 0 && err->code != ENOENT)
			return -err->code;
		if (idmap_format(&plan->uids, text, sizeof(text)) < 0 ||
		    idmap_write_proc(pid, "uid_map", text, err) < 0)
			return werr_prefix(err, "writing the single-ID uid map");
		if (idmap_format(&plan->gids, text, sizeof(text)) < 0 ||
		    idmap_write_proc(pid, "gid_map", text, err) < 0)
			return werr_prefix(err, "writing the single-ID gid map");
		return 0;
	}
	/* each helper is a setuid exec that costs most of a ms: warren's own
	 * uid helper of this install writes both maps in one */
	ue = memfd_create("newuidmap-err", MFD_CLOEXEC);
	if (ue < 0)
		return werr_errno(err, errno, "memfd_create");
	if (idmap_helper_beside(plan->uid_helper, "warren-newuidmap")) {
		r = idmap_spawn_helper(plan->uid_helper, pid, &plan->uids, &plan->gids, ue, &uc);
		if (r < 0)
			return werr_errno(err, -r, "running %s", plan->uid_helper);
		return idmap_wait_helper(uc, plan->uid_helper, ue, err);
	}
	/* else both helpers at once */
	ge = memfd_create("newgidmap-err", MFD_CLOEXEC);
	if (ge < 0)
		return werr_errno(err, errno, "memfd_create");
	r = idmap_spawn_helper(plan->uid_helper, pid, &plan->uids, NULL, ue, &uc);
	if (r < 0)
		return werr_errno(err, -r, "running %s", plan->uid_helper);
	r = idmap_spawn_helper(plan->gid_helper, pid, &plan->gids, NULL, ge, &gc);
	if (r < 0) {
		idmap_wait_helper(uc, plan->uid_helper, ue, err);
		return werr_errno(err, -r, "running %s", plan->gid_helper);
	}
	starttrace_mark("ID-map helpers spawned");
	r = idmap_wait_helper(uc, plan->uid_helper, ue, err);
	starttrace_mark("uid helper done");
	if (r < 0) {
		struct werr e2;
		idmap_wait_helper(gc, plan->gid_helper, ge, &e2);
		return r;
	}
	r2 = idmap_wait_helper(gc, plan->gid_helper, ge, err);
	return r2;
}
