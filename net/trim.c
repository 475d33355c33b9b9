/* trim.c - once warren-net is quiet, give back what start-up and the last
 * burst of traffic touched: the heap's free memory, and the page-table
 * entries of read-only file pages (code and constants of libc, glib,
 * libslirp, ld.so). Those pages stay in the page cache, shared; the loop
 * maps back only what it runs next. Counted in RSS and PSS, they were most
 * of an idle warren-net's. */
#include "net.h"
#include "cleanup.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define TRIM_MAX_MAPS 256

/* a mapping of /proc/self/smaps that may be dropped: file-backed, never
 * writable, no private (copied-on-write) page in it */
struct trim_map {
	unsigned long start, end;
	bool droppable;
};

/* the droppable mappings into @maps; parsing touches libc's pages, so
 * nothing is dropped until the file is read and closed */
static size_t trim_scan(struct trim_map *maps, size_t max)
{
	_cleanup_fclose_ FILE *f = fopen("/proc/self/smaps", "re");
	char line[512], perms[8], path[sizeof(line)];
	unsigned long start, end, kb;
	size_t n = 0;

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %511s", &start, &end, perms, path) >= 3) {
			if (n > 0 && !maps[n - 1].droppable)
				n--; /* reuse the slot */
			if (n == max)
				break;
			maps[n++] = (struct trim_map){
				start, end, path[0] == '/' && perms[0] == 'r' && perms[1] == '-'
			};
		} else if (n > 0 && sscanf(line, "Anonymous: %lu kB", &kb) == 1 && kb > 0) {
			maps[n - 1].droppable = false;
		}
	}
	if (n > 0 && !maps[n - 1].droppable)
		n--;
	return n;
}

void trim_idle(void)
{
	struct trim_map maps[TRIM_MAX_MAPS];
	size_t n;

#ifdef __GLIBC__
	malloc_trim(0);
#endif
	n = trim_scan(maps, TRIM_MAX_MAPS);
	for (size_t i = 0; i < n; i++)
		madvise((void *)maps[i].start, maps[i].end - maps[i].start, MADV_DONTNEED);
}
