/* dirlist.h - a merged directory listing as dirlist.c builds it, readdir.c
 * serves it, readahead.c fills it ahead of time and lookup.c walks it; only
 * those files look inside. */
#ifndef WARREN_OVL_DIRLIST_H
#define WARREN_OVL_DIRLIST_H

#include "ovl.h"

#define DT_HIDDEN 0xff /* a name a whiteout hides: never listed */

/* subdirectories of one listing (or one readdir reply) queued for read-ahead */
#define OVL_RA_BATCH 256

struct ovl_dirent {
	uint64_t ino;
	uint64_t cookie; /* the readdir offset after this entry: a hash of the name */
	uint32_t name;
	uint8_t type;
	int8_t found; /* read ahead: 1 found[i] holds its lookup, -1 the name has gone, 0 not yet */
};

struct ovl_dirlist {
	int fds[OVL_MAX_LAYERS]; /* O_RDONLY per layer of the snapshot, else -1 */
	uint64_t lmask;          /* layers the snapshot read */
	struct ovl_dirent *ents;
	size_t n, cap;
	char *names;
	size_t nlen, ncap;
	uint32_t *hash; /* open addressing: index + 1 into ents, 0 empty */
	size_t hcap;
	uint32_t *sorted; /* visible entries by cookie */
	size_t nsorted;
	/* read ahead (readahead.c): the lookups of the entries, made before the
	 * kernel asked, true while fs->gen is still @gen */
	struct ovl_found *found; /* per entry, or NULL */
	uint64_t gen;
	size_t next;   /* the next entry to look up ahead, in readdir (sorted) order */
	size_t served; /* the walker's replies went this far in sorted order */
	bool queued;   /* its subdirectories were queued for read-ahead already */
	atomic_int
	    *ahead; /* the count of listings read ahead and not yet taken, while this is one */
};

static inline const char *ovl_dirent_name(const struct ovl_dirlist *l, size_t i)
{
	return l->names + l->ents[i].name;
}

/* the layer directory fds of @l, when they still match @dir's layers */
static inline const int *ovl_dirlist_fds(const struct ovl_dirlist *l, const struct ovl_node *dir)
{
	return l->lmask == dir->lmask ? l->fds : NULL;
}

#endif
