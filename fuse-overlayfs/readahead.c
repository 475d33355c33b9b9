/* readahead.c - directory listings read ahead of a walk. When a readdir goes
 * down the tree (a directory read below one read before), the
 * subdirectories in its reply are queued; whenever /dev/fuse is empty, the
 * leading worker (loop.c) reads their listings and looks their entries up,
 * a few at a time, in the order the replies serve them, and depth first as
 * a walker goes, so that the walker's READDIRPLUS finds the work done while
 * the walker was busy. A big listing the walker took before the lookups
 * were done goes on being looked up ahead of its replies. A listing read
 * ahead is used only while nothing changed since (fs->gen), and only a
 * bounded number wait to be taken. Never changes a layer. */
#include "ovl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dirlist.h"

#define RA_QUEUE_MAX 4096        /* directories waiting to be read ahead */
#define RA_UNIT      4           /* entries looked up per step (the listing locked) */
#define RA_STALE_NS  1000000000L /* a listing not taken within a second may go */

/* a listing read ahead and not yet taken (or taken since: then it is reclaimed) */
struct ra_slot {
	struct ovl_node *node; /* holds a temporary reference; NULL: free */
	struct ovl_dirlist *list;
	long t_ns;
};

struct ovl_ra {
	pthread_mutex_t lock;
	struct ovl_node **stack; /* queued directories, each referenced; the next is on top */
	size_t n;
	/* the directory whose subdirectories the walker's replies (0) and the
	 * read-ahead (1) queued last, and where they start in the stack */
	struct ra_mark {
		struct ovl_node *from;
		size_t base;
	} marks[2];
	struct ra_slot *slots;
	int *free; /* indices of free slots */
	int nslots, nfree;
	int cur;              /* the slot whose entries are being looked up, or -1 */
	atomic_int ahead;     /* listings read ahead and not yet taken */
	pthread_mutex_t step; /* one step at a time */
};

/**
 * ovl_ra_init() - directory read-ahead for @fs with @slots listings at most
 * waiting to be taken (0: none, fs->ra stays NULL).
 * Return: 0 or -ENOMEM.
 */
int ovl_ra_init(struct ovl_fs *fs, int slots)
{
	struct ovl_ra *ra;

	if (slots <= 0)
		return 0;
	ra = calloc(1, sizeof(*ra));
	if (!ra)
		return -ENOMEM;
	ra->stack = calloc(RA_QUEUE_MAX, sizeof(*ra->stack));
	ra->slots = calloc((size_t)slots, sizeof(*ra->slots));
	ra->free = calloc((size_t)slots, sizeof(*ra->free));
	if (!ra->stack || !ra->slots || !ra->free) {
		free(ra->stack);
		free(ra->slots);
		free(ra->free);
		free(ra);
		return -ENOMEM;
	}
	ra->nslots = ra->nfree = slots;
	for (int i = 0; i < slots; i++)
		ra->free[i] = i;
	ra->cur = -1;
	pthread_mutex_init(&ra->lock, NULL);
	pthread_mutex_init(&ra->step, NULL);
	fs->ra = ra;
	return 0;
}

/**
 * ovl_ra_free() - at the end, after the nodes are gone (their listings
 * count themselves out of ra->ahead when freed).
 */
void ovl_ra_free(struct ovl_fs *fs)
{
	if (!fs->ra)
		return;
	pthread_mutex_destroy(&fs->ra->lock);
	pthread_mutex_destroy(&fs->ra->step);
	free(fs->ra->stack);
	free(fs->ra->slots);
	free(fs->ra->free);
	free(fs->ra);
	fs->ra = NULL;
}

/* the @k oldest queued directories go (the queue is full) */
static void ra_drop_oldest(struct ovl_fs *fs, struct ovl_ra *ra, size_t k)
{
	for (size_t i = 0; i < k; i++)
		ovl_node_unref(fs, ra->stack[i]);
	memmove(ra->stack, ra->stack + k, (ra->n - k) * sizeof(*ra->stack));
	ra->n -= k;
	for (int m = 0; m < 2; m++) {
		if (ra->marks[m].base >= k)
			ra->marks[m].base -= k;
		else
			ra->marks[m].from = NULL;
	}
}

/* push @dirs (referenced) so that @dirs[0] is read ahead next, by the
 * walker's replies (@by 0) or the read-ahead (1); ra->lock held */
static void ra_push_locked(struct ovl_fs *fs, struct ovl_ra *ra, int by, struct ovl_node *from,
                           struct ovl_node **dirs, size_t count)
{
	struct ra_mark *mark = &ra->marks[by], *other = &ra->marks[!by];
	size_t at;

	if (ra->n + count > RA_QUEUE_MAX) {
		size_t over = ra->n + count - RA_QUEUE_MAX;
		ra_drop_oldest(fs, ra, over < ra->n ? over : ra->n);
	}
	while (count > RA_QUEUE_MAX - ra->n)
		ovl_node_unref(fs, dirs[--count]);
	/* a later reply (or batch) of the same directory: its subdirectories
	 * come after the earlier ones, so below them on the stack, even when
	 * the read-ahead went down into some of those meanwhile */
	if (from == mark->from && mark->base <= ra->n) {
		at = mark->base;
	} else {
		at = ra->n;
		mark->from = from;
		mark->base = at;
	}
	/* the other's subdirectories still queued at or above: they move up */
	if (other->from && other->base >= at && other->base < ra->n)
		other->base += count;
	memmove(ra->stack + at + count, ra->stack + at, (ra->n - at) * sizeof(*ra->stack));
	for (size_t k = 0; k < count; k++)
		ra->stack[at + k] = dirs[count - 1 - k];
	ra->n += count;
}

/**
 * ovl_ra_queue() - the subdirectories @dirs of @from, in readdir order, to be
 * read ahead in that order before anything queued earlier (a depth-first
 * walk reads them next); takes over the caller's reference on each.
 */
void ovl_ra_queue(struct ovl_fs *fs, struct ovl_node *from, struct ovl_node **dirs, size_t count)
{
	pthread_mutex_lock(&fs->ra->lock);
	ra_push_locked(fs, fs->ra, 0, from, dirs, count);
	pthread_mutex_unlock(&fs->ra->lock);
}

static void ra_release_slot(struct ovl_fs *fs, struct ovl_ra *ra, int i)
{
	ovl_node_unref(fs, ra->slots[i].node);
	ra->slots[i].node = NULL;
	ra->free[ra->nfree++] = i;
	if (ra->cur == i)
		ra->cur = -1;
}

/*
 * Free the slots whose listing was taken (or went), and those not taken
 * within RA_STALE_NS (the walker went elsewhere). When none was taken in
 * that time, the walk is over: what it queued goes too.
 */
static void ra_reclaim(struct ovl_fs *fs, struct ovl_ra *ra)
{
	long now = ovl_now_ns();
	int stale = 0, young = 0;

	for (int i = 0; i < ra->nslots; i++) {
		struct ra_slot *s = &ra->slots[i];
		bool waiting;
		if (!s->node)
			continue;
		pthread_mutex_lock(&s->node->list_lock);
		waiting = s->node->listing == s->list && s->list->ahead;
		if (waiting && now - s->t_ns < RA_STALE_NS) {
			pthread_mutex_unlock(&s->node->list_lock);
			young++;
			continue;
		}
		if (waiting) {
			ovl_dirlist_free(s->list);
			s->node->listing = NULL;
			stale++;
		}
		pthread_mutex_unlock(&s->node->list_lock);
		ra_release_slot(fs, ra, i);
	}
	if (stale && !young) {
		pthread_mutex_lock(&ra->lock);
		ra_drop_oldest(fs, ra, ra->n);
		pthread_mutex_unlock(&ra->lock);
	}
}

/* read @dir's listing (it was queued) into @slot, the last free one; its
 * entries are looked up in later steps */
static void ra_start(struct ovl_fs *fs, struct ovl_ra *ra, struct ovl_node *dir, int slot)
{
	uint64_t gen = atomic_load(&fs->gen);
	struct ovl_dirlist *l = NULL;
	bool busy;

	/* read by the walker already (it was quicker), or being read */
	pthread_mutex_lock(&dir->list_lock);
	busy = dir->listing != NULL || dir->listed;
	pthread_mutex_unlock(&dir->list_lock);
	/* a change in progress: what we read might not last */
	if (busy || atomic_load(&fs->changing) > 0 || ovl_dir_read(fs, dir, &l) < 0 ||
	    !(l->found = calloc(l->n, sizeof(*l->found)))) {
		ovl_dirlist_free(l);
		ovl_node_unref(fs, dir);
		return;
	}
	l->gen = gen;
	l->next = 0;
	pthread_mutex_lock(&dir->list_lock);
	if (dir->listing || dir->listed || atomic_load(&fs->gen) != gen) {
		pthread_mutex_unlock(&dir->list_lock);
		ovl_dirlist_free(l);
		ovl_node_unref(fs, dir);
		return;
	}
	l->ahead = &ra->ahead;
	atomic_fetch_add(&ra->ahead, 1);
	dir->listing = l;
	dir->listing_stale = false;
	pthread_mutex_unlock(&dir->list_lock);
	ra->slots[slot] = (struct ra_slot){ .node = dir, .list = l, .t_ns = ovl_now_ns() };
	ra->nfree--; /* @slot is the last free one */
	ra->cur = slot;
}

/*
 * A listing read ahead to its end: its subdirectories go on top of the
 * queue, as the walker's readdir would put them, so the read-ahead keeps
 * going down ahead of it. Their nodes are made now, with the queue's
 * reference only; the walker's READDIRPLUS counts the kernel's.
 * dir->list_lock held.
 */
static void ra_queue_children(struct ovl_fs *fs, struct ovl_ra *ra, struct ovl_node *dir,
                              struct ovl_dirlist *l)
{
	struct ovl_node *subdirs[OVL_RA_BATCH];
	size_t p = 0;

	/* all of them, a batch at a time: each batch goes below the one
	 * before, so they are read ahead in order */
	while (p < l->nsorted) {
		size_t n = 0;
		for (; p < l->nsorted && n < OVL_RA_BATCH; p++) {
			size_t i = l->sorted[p];
			struct ovl_node *child;
			if (i < 2 || l->ents[i].found <= 0 || !S_ISDIR(l->found[i].st.st_mode))
				continue;
			child =
			    ovl_node_intern(fs, dir, ovl_dirent_name(l, i), &l->found[i], false);
			if (child)
				subdirs[n++] = child;
		}
		if (n) {
			pthread_mutex_lock(&ra->lock);
			ra_push_locked(fs, ra, 1, dir, subdirs, n);
			pthread_mutex_unlock(&ra->lock);
		}
	}
	l->queued = true;
}

/* look up the next few entries of the listing being read ahead, in the
 * order the replies serve them; once the walker took the listing, ahead of
 * where its replies got to (a big directory takes many) */
static void ra_fill(struct ovl_fs *fs, struct ovl_ra *ra)
{
	struct ovl_node *dir = ra->slots[ra->cur].node;
	struct ovl_dirlist *l = ra->slots[ra->cur].list;
	const int *fds;

	pthread_mutex_lock(&dir->list_lock);
	/* gone (read to its end), or no longer true */
	if (dir->listing != l || !l->found || dir->listing_stale ||
	    l->gen != atomic_load(&fs->gen)) {
		ra->cur = -1;
		pthread_mutex_unlock(&dir->list_lock);
		return;
	}
	if (l->next < l->served)
		l->next = l->served;
	fds = ovl_dirlist_fds(l, dir);
	for (int k = 0; k < RA_UNIT && l->next < l->nsorted; l->next++) {
		size_t i = l->sorted[l->next];
		const char *name = ovl_dirent_name(l, i);
		int r;
		if (i < 2 || l->ents[i].found)
			continue;
		r = ovl_lookup_name(fs, dir, fds, name, &l->found[i]);
		if (r == 0) {
			ovl_found_present(fs, dir, fds, name, &l->found[i]);
			l->ents[i].found = 1;
		} else if (r == -ENOENT) {
			l->ents[i].found = -1;
		}
		k++;
	}
	if (l->next >= l->nsorted) {
		/* a walker's replies queue the subdirectories themselves */
		if (l->ahead)
			ra_queue_children(fs, ra, dir, l);
		ra->cur = -1;
	}
	pthread_mutex_unlock(&dir->list_lock);
}

/* ovl_ra_step() without the step lock */
static bool ra_step_locked(struct ovl_fs *fs, struct ovl_ra *ra)
{
	struct ovl_node *dir;

	if (ra->cur >= 0) {
		ra_fill(fs, ra);
		return true;
	}
	if (ra->nfree == 0)
		ra_reclaim(fs, ra);
	if (ra->nfree == 0)
		return false;
	pthread_mutex_lock(&ra->lock);
	dir = ra->n ? ra->stack[--ra->n] : NULL;
	pthread_mutex_unlock(&ra->lock);
	if (!dir)
		return false;
	ra_start(fs, ra, dir, ra->free[ra->nfree - 1]);
	return true;
}

/**
 * ovl_ra_step() - one small piece of read-ahead work (a listing, or a few
 * lookups), for the leading worker when /dev/fuse is empty (loop.c). The
 * slots and the listing being filled belong to whoever leads (one at a
 * time: ra->step); ra->lock guards only the queue, which readdirs push to,
 * and is never held across a syscall.
 * Return: true when it did some, false when there is none to do.
 */
bool ovl_ra_step(struct ovl_fs *fs)
{
	struct ovl_ra *ra = fs->ra;
	bool worked;

	if (!ra || pthread_mutex_trylock(&ra->step) != 0)
		return false;
	worked = ra_step_locked(fs, ra);
	pthread_mutex_unlock(&ra->step);
	return worked;
}

/**
 * ovl_ra_take() - a readdir from the start of a directory whose listing @l
 * was read ahead: take it, if nothing changed since. The caller holds the
 * directory's list_lock.
 * Return: true when @l is the caller's now, false when it is to be read anew.
 */
bool ovl_ra_take(struct ovl_fs *fs, struct ovl_dirlist *l)
{
	if (!l->ahead || l->gen != atomic_load(&fs->gen))
		return false;
	atomic_fetch_sub(l->ahead, 1);
	l->ahead = NULL;
	return true;
}
