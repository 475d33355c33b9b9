/* fileahead.c - small lower files read ahead of a reader. Each READDIRPLUS
 * reply adds the files and directories it lists to a plan, in its order, as
 * one run. A program that reads a tree (cat of a find, grep -r, tar, cp -r)
 * reads them in that order, going down into each subdirectory where it
 * stands in the run. When a READ starts the file the plan expects next, the
 * leading worker (loop.c), whenever /dev/fuse is empty, reads the next few
 * small lower files in that order into memory, so the READs that follow are
 * answered without opening or reading anything. Lower layers never change,
 * so what was read ahead stays true while the file is in a lower layer,
 * which is checked when it is served. The plan holds inode numbers, not
 * references: a file the kernel forgot is not read. Never changes a layer. */
#include "ovl.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#define FA_PLAN   16384 /* entries planned (the newest) */
#define FA_WINDOW 16    /* files read ahead of the reader */
#define FA_SLOTS  64    /* files held in memory: the windows of a few runs */
#define FA_WALK   64    /* entries a window looks through, at most */

enum { FA_BIG, FA_SMALL, FA_DIR };

/* a planned file or directory; positions in the plan count from 0 and are
 * stored + 1 (0: none) */
struct fa_entry {
	uint64_t ino;  /* its node's: the plan holds no reference */
	uint64_t end;  /* where its run ends */
	uint64_t up;   /* 1 + the place of its run's directory in the run above */
	uint64_t down; /* directories: 1 + where their listing's run starts */
	uint8_t kind;
};

struct fa_slot {
	uint64_t pos; /* the plan position read ahead into this slot */
	char *data;   /* NULL: nothing (yet, or the file was not read) */
	size_t len;
	bool tried;
};

struct ovl_fa {
	pthread_mutex_t lock;
	struct fa_entry *plan; /* a ring: positions [tail, head) */
	uint64_t tail, head;
	uint64_t next;                  /* 1 + the place of the file read last, 0 none */
	uint64_t expect;                /* 1 + the place of the file to be read next, 0 none */
	bool following;                 /* the file read last was the one expected */
	struct fa_slot slots[FA_SLOTS]; /* by position % FA_SLOTS */
};

/**
 * ovl_fa_init() - file read-ahead for @fs (fs->fa stays NULL when @on is false).
 * Return: 0 or -ENOMEM.
 */
int ovl_fa_init(struct ovl_fs *fs, bool on)
{
	struct ovl_fa *fa;

	if (!on)
		return 0;
	fa = calloc(1, sizeof(*fa));
	if (!fa || !(fa->plan = calloc(FA_PLAN, sizeof(*fa->plan)))) {
		free(fa);
		return -ENOMEM;
	}
	pthread_mutex_init(&fa->lock, NULL);
	fs->fa = fa;
	return 0;
}

/**
 * ovl_fa_free() - at the end.
 */
void ovl_fa_free(struct ovl_fs *fs)
{
	struct ovl_fa *fa = fs->fa;

	if (!fa)
		return;
	for (int i = 0; i < FA_SLOTS; i++)
		free(fa->slots[i].data);
	pthread_mutex_destroy(&fa->lock);
	free(fa->plan);
	free(fa);
	fs->fa = NULL;
}

/* 1 + @pos when it is still planned, else 0 */
static uint64_t fa_valid(const struct ovl_fa *fa, uint64_t pos1)
{
	return pos1 && pos1 - 1 >= fa->tail && pos1 - 1 < fa->head ? pos1 : 0;
}

/* 1 + @n's place in the plan, or 0 */
static uint64_t fa_find_locked(struct ovl_fa *fa, struct ovl_node *n)
{
	uint64_t pos1 = fa_valid(fa, n->fa_pos);

	return pos1 && fa->plan[(pos1 - 1) % FA_PLAN].ino == n->ino ? pos1 : 0;
}

/* what a reader of the tree does with @n of @size bytes: reads it (lower
 * and small: worth reading ahead), goes into it, or neither (-1) */
static int fa_kind(const struct ovl_node *n, off_t size)
{
	if (S_ISDIR(n->type))
		return FA_DIR;
	if (!S_ISREG(n->type) || size == 0)
		return -1; /* no READ comes for it */
	/* an upper file changes: never read ahead */
	return ovl_layer_is_lower(atomic_load(&n->layer)) && size <= OVL_FA_FILE_MAX ? FA_SMALL
	                                                                             : FA_BIG;
}

/**
 * ovl_fa_plan() - the READDIRPLUS reply of @dir about to be sent lists
 * @nodes, of @sizes, in its order: its files and directories are a run,
 * which a reader of the tree reads where @dir stands in the run above.
 * Before the reply, while the kernel cannot have forgotten them.
 */
void ovl_fa_plan(struct ovl_fs *fs, struct ovl_node *dir, struct ovl_node **nodes,
                 const off_t *sizes, size_t count)
{
	struct ovl_fa *fa = fs->fa;
	size_t kept = 0;

	for (size_t i = 0; i < count; i++)
		kept += fa_kind(nodes[i], sizes[i]) >= 0;
	if (kept == 0)
		return;
	pthread_mutex_lock(&fa->lock);
	uint64_t end = fa->head + kept, up = fa_find_locked(fa, dir);
	if (up && !fa->plan[(up - 1) % FA_PLAN].down)
		fa->plan[(up - 1) % FA_PLAN].down = fa->head + 1;
	for (size_t i = 0; i < count; i++) {
		int kind = fa_kind(nodes[i], sizes[i]);
		if (kind < 0)
			continue;
		/* full: the oldest go */
		if (fa->head - fa->tail == FA_PLAN)
			fa->tail++;
		nodes[i]->fa_pos = fa->head + 1;
		fa->plan[fa->head++ % FA_PLAN] = (struct fa_entry){
			.ino = nodes[i]->ino, .end = end, .up = up, .kind = (uint8_t)kind
		};
	}
	pthread_mutex_unlock(&fa->lock);
}

/* 1 + the place of the entry a reader of the tree comes to after the one
 * at 1 + @pos1 in the same or a run above, or 0 */
static uint64_t fa_after(const struct ovl_fa *fa, uint64_t pos1)
{
	while (pos1) {
		const struct fa_entry *e = &fa->plan[(pos1 - 1) % FA_PLAN];
		if (pos1 != e->end)
			return fa_valid(fa, pos1 + 1);
		/* the run is over: on after its directory (planned earlier) */
		pos1 = fa_valid(fa, e->up);
	}
	return 0;
}

/* 1 + the place of the file a reader of the tree reads after the entry at
 * 1 + @pos1: it goes down into each directory listed, in place; looks
 * through *@budget entries at most. Return: 0 when there is none known. */
static uint64_t fa_next_file(const struct ovl_fa *fa, uint64_t pos1, int *budget)
{
	uint64_t c = fa_after(fa, pos1);

	while (c && (*budget)-- > 0) {
		const struct fa_entry *e = &fa->plan[(c - 1) % FA_PLAN];
		uint64_t down = fa_valid(fa, e->down);
		if (e->kind != FA_DIR)
			return c;
		if (down && fa->plan[(down - 1) % FA_PLAN].up == c)
			c = down; /* into its listing */
		else
			c = fa_after(fa, c); /* not listed (yet): passed */
	}
	return 0;
}

/**
 * ovl_fa_take() - a READ from the start of file @n: its data, when it was
 * read ahead (*@len bytes; the caller frees it), else NULL. When @n is
 * planned, the files after it are the ones to read ahead now.
 */
char *ovl_fa_take(struct ovl_fs *fs, struct ovl_node *n, size_t *len)
{
	struct ovl_fa *fa = fs->fa;
	char *data = NULL;
	int budget = FA_WALK;
	uint64_t pos1;

	pthread_mutex_lock(&fa->lock);
	pos1 = fa_find_locked(fa, n);
	if (pos1) {
		struct fa_slot *s = &fa->slots[(pos1 - 1) % FA_SLOTS];
		if (s->pos == pos1 - 1 && s->data) {
			data = s->data;
			*len = s->len;
			s->data = NULL;
		}
	}
	/* read ahead only while the reader goes the way the plan says */
	fa->following = pos1 && pos1 == fa->expect;
	fa->next = pos1;
	fa->expect = pos1 ? fa_next_file(fa, pos1, &budget) : 0;
	pthread_mutex_unlock(&fa->lock);
	/* copied up since: its data may have changed */
	if (data && !ovl_layer_is_lower(atomic_load(&n->layer))) {
		free(data);
		data = NULL;
	}
	return data;
}

/* the whole of lower file @n, when it is small, into *@data; Return: its size or -errno */
static ssize_t fa_read(struct ovl_fs *fs, struct ovl_node *n, char **data)
{
	struct stat st;
	ssize_t r = -EFBIG;
	int fd;

	if (!ovl_layer_is_lower(atomic_load(&n->layer)))
		return -EAGAIN;
	fd = ovl_node_open(fs, n, O_RDONLY | O_NOFOLLOW | O_NONBLOCK);
	if (fd < 0)
		return fd;
	if (fstat(fd, &st) < 0 || !S_ISREG(st.st_mode)) {
		r = -EINVAL;
	} else if (st.st_size > 0 && st.st_size <= OVL_FA_FILE_MAX) {
		*data = malloc((size_t)st.st_size);
		if (!*data)
			r = -ENOMEM;
		else if ((r = pread(fd, *data, (size_t)st.st_size, 0)) < 0)
			r = -errno;
		if (r <= 0) {
			free(*data);
			*data = NULL;
		}
	}
	close(fd);
	return r;
}

/* 1 + the place of the first small file of the window ahead of the reader
 * that is not read ahead yet and whose slot holds none of the window, or 0
 * (so the steps for one window end) */
static uint64_t fa_wanted_locked(const struct ovl_fa *fa)
{
	uint64_t win[FA_WINDOW], c = fa->next;
	int budget = FA_WALK, n = 0;

	while (fa->following && n < FA_WINDOW && (c = fa_next_file(fa, c, &budget)))
		win[n++] = c - 1;
	for (int k = 0; k < n; k++) {
		const struct fa_slot *s = &fa->slots[win[k] % FA_SLOTS];
		bool held = false;
		if (fa->plan[win[k] % FA_PLAN].kind != FA_SMALL)
			continue;
		for (int j = 0; j < n && (s->data || s->tried); j++)
			held = held || s->pos == win[j];
		if (!held)
			return win[k] + 1;
	}
	return 0;
}

/**
 * ovl_fa_step() - read one file ahead of the reader, for the leading worker
 * when /dev/fuse is empty (loop.c).
 * Return: true when it did, false when there is none to read.
 */
bool ovl_fa_step(struct ovl_fs *fs)
{
	struct ovl_fa *fa = fs->fa;
	struct ovl_node *n;
	struct fa_slot *s;
	char *data = NULL;
	uint64_t pos, ino;
	ssize_t len;

	if (!fa)
		return false;
	pthread_mutex_lock(&fa->lock);
	pos = fa_wanted_locked(fa);
	if (!pos) {
		pthread_mutex_unlock(&fa->lock);
		return false;
	}
	pos--;
	/* the slot's earlier file is out of the window */
	s = &fa->slots[pos % FA_SLOTS];
	free(s->data);
	*s = (struct fa_slot){ .pos = pos, .tried = true };
	ino = fa->plan[pos % FA_PLAN].ino;
	pthread_mutex_unlock(&fa->lock);

	/* gone when the kernel forgot it: then no READ comes for it either */
	n = ovl_node_find_ref(fs, ino);
	if (!n)
		return true;
	len = fa_read(fs, n, &data);
	if (len > 0) {
		pthread_mutex_lock(&fa->lock);
		if (s->pos == pos && s->tried && !s->data) {
			s->data = data;
			s->len = (size_t)len;
			data = NULL;
		}
		pthread_mutex_unlock(&fa->lock);
	}
	free(data);
	ovl_node_unref(fs, n);
	return true;
}
