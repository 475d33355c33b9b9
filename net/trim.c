/* trim.c - once warren-net serves, give back what only its start-up
 * touched: the heap's free memory, and the page-table entries of read-only
 * file pages (the code and constants of libc, glib, libslirp, ld.so that
 * option parsing, libslirp's set-up and the dynamic linker used). Those
 * pages stay in the page cache, shared; the serving loop maps back only
 * what it runs. Counted in RSS and PSS, they were most of warren-net's. */
#include "net.h"
#include "cleanup.h"

#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

/* a mapping of /proc/self/smaps that may be dropped: file-backed, never
 * writable, no private (copied-on-write) page in it */
struct trim_map {
	unsigned long start, end;
	bool droppable;
};

static void trim_flush(struct trim_map *m)
{
	if (m->droppable && m->end > m->start)
		madvise((void *)m->start, m->end - m->start, MADV_DONTNEED);
	m->droppable = false;
}

void trim_idle(void)
{
	_cleanup_fclose_ FILE *f = NULL;
	struct trim_map m = { 0 };
	char line[512], perms[8], path[sizeof(line)];
	unsigned long start, end, kb;

#ifdef __GLIBC__
	malloc_trim(0);
#endif
	f = fopen("/proc/self/smaps", "re");
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		path[0] = '\0';
		if (sscanf(line, "%lx-%lx %7s %*s %*s %*s %511s", &start, &end, perms, path) >= 3) {
			/* a new mapping: the previous one is complete */
			trim_flush(&m);
			m.start = start;
			m.end = end;
			m.droppable = path[0] == '/' && perms[0] == 'r' && perms[1] == '-';
		} else if (sscanf(line, "Anonymous: %lu kB", &kb) == 1 && kb > 0) {
			m.droppable = false;
		}
	}
	trim_flush(&m);
}
