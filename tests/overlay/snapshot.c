/* snapshot.c - the overlay behaviour suite's picture of a tree (suite.sh):
 * one line per entry, sorted by path, with type, mode, owner, size, link
 * count, symlink target, a hash of the content, mtime, user xattrs (not the
 * overlay's own) and which entries are one inode (by the first path of
 * each, not by number). One process per tree, where the shell took five
 * per entry. Deterministic, so the same steps on a plain directory, the
 * kernel overlay and warren-overlay compare byte for byte.
 *   snapshot DIR MINDEPTH [PATH...]   (PATHs below DIR; default ".")
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

/* the fixture's times are before this; anything later is "recent" */
#define FIXED_TIMES_BEFORE 1700000010

struct entry {
	char *path;
	struct stat st;
};

static struct entry *ents;
static size_t nents, cap;

static void add(const char *path, const struct stat *st)
{
	if (nents == cap) {
		cap = cap ? cap * 2 : 256;
		ents = realloc(ents, cap * sizeof(*ents));
		if (!ents) {
			perror("snapshot");
			exit(2);
		}
	}
	ents[nents].path = strdup(path);
	ents[nents++].st = *st;
}

/* every entry below @path (relative to the tree), depth first */
static void walk(const char *path, int depth, int mindepth)
{
	struct stat st;
	struct dirent *de;
	DIR *d;

	if (lstat(path, &st) < 0)
		return;
	if (depth >= mindepth)
		add(path, &st);
	if (!S_ISDIR(st.st_mode) || !(d = opendir(path)))
		return;
	while ((de = readdir(d))) {
		char sub[PATH_MAX];
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", path, de->d_name);
		walk(sub, depth + 1, mindepth);
	}
	closedir(d);
}

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->path, ((const struct entry *)b)->path);
}

static char type_of(mode_t m)
{
	return S_ISREG(m)    ? 'f'
	       : S_ISDIR(m)  ? 'd'
	       : S_ISLNK(m)  ? 'l'
	       : S_ISFIFO(m) ? 'p'
	       : S_ISSOCK(m) ? 's'
	       : S_ISCHR(m)  ? 'c'
	                     : 'b';
}

/* FNV-1a of the file's content: equal content, equal hash */
static uint64_t content_hash(const char *path)
{
	uint64_t h = 14695981039346656037u;
	char buf[65536];
	ssize_t n;
	int fd = open(path, O_RDONLY | O_NOFOLLOW);

	if (fd < 0)
		return 0;
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			h = (h ^ (uint8_t)buf[i]) * 1099511628211u;
	close(fd);
	return h;
}

static void print_mtime(const struct stat *st)
{
	if (st->st_mtime < FIXED_TIMES_BEFORE)
		printf(" mtime=%lld", (long long)st->st_mtime);
	else
		printf(" mtime=recent");
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* the user xattrs but the overlay's, sorted, as name="value" */
static void print_xattrs(const char *path)
{
	char list[8192], *names[256];
	ssize_t len = llistxattr(path, list, sizeof(list));
	int n = 0;

	for (ssize_t off = 0; len > 0 && off < len && n < 256; off += strlen(list + off) + 1)
		if (!strncmp(list + off, "user.", 5) && strncmp(list + off, "user.overlay.", 13))
			names[n++] = list + off;
	qsort(names, n, sizeof(*names), by_name);
	for (int i = 0; i < n; i++) {
		char val[4096];
		ssize_t v = lgetxattr(path, names[i], val, sizeof(val) - 1);
		val[v < 0 ? 0 : v] = '\0';
		printf(" %s=\"%s\"", names[i], val);
	}
}

static void print_entry(size_t i)
{
	const struct entry *e = &ents[i];
	const struct stat *st = &e->st;
	const char *first = e->path;

	/* the first path (in this order) of the same inode names the group */
	for (size_t j = 0; j < i; j++)
		if (ents[j].st.st_ino == st->st_ino && ents[j].st.st_dev == st->st_dev) {
			first = ents[j].path;
			break;
		}
	printf("%s %c %o %u:%u", e->path, type_of(st->st_mode), (unsigned)(st->st_mode & 07777),
	       (unsigned)st->st_uid, (unsigned)st->st_gid);
	if (S_ISREG(st->st_mode)) {
		printf(" size=%lld links=%lu hash=%016" PRIx64, (long long)st->st_size,
		       (unsigned long)st->st_nlink, content_hash(e->path));
		print_mtime(st);
	} else if (S_ISLNK(st->st_mode)) {
		char target[PATH_MAX];
		ssize_t n = readlink(e->path, target, sizeof(target) - 1);
		target[n < 0 ? 0 : n] = '\0';
		printf(" -> %s", target);
		print_mtime(st);
	} else if (S_ISDIR(st->st_mode)) {
		printf(" links=%lu", (unsigned long)st->st_nlink);
	}
	printf(" inode-of=%s", first);
	print_xattrs(e->path);
	putchar('\n');
}

int main(int argc, char **argv)
{
	int mindepth;

	if (argc < 3 || chdir(argv[1]) < 0) {
		fprintf(stderr, "usage: snapshot DIR MINDEPTH [PATH...]\n");
		return 2;
	}
	mindepth = atoi(argv[2]);
	if (argc == 3)
		walk(".", 0, mindepth);
	for (int i = 3; i < argc; i++)
		walk(argv[i], 0, mindepth);
	qsort(ents, nents, sizeof(*ents), by_path);
	for (size_t i = 0; i < nents; i++) {
		/* "./a" shows as "a", as find's %P does */
		if (!strncmp(ents[i].path, "./", 2))
			memmove(ents[i].path, ents[i].path + 2, strlen(ents[i].path) - 1);
	}
	for (size_t i = 0; i < nents; i++)
		print_entry(i);
	return 0;
}
