/* loop.c - serving /dev/fuse. One worker at a time leads: it reads the
 * (non-blocking) device, keeps asking for a while after each request (-o
 * spin=USEC) and only then sleeps in poll(); while the device is empty it
 * reads directories ahead of a walk (readahead.c) and small files ahead of
 * a reader (fileahead.c). A FUSE request is a
 * hand-over between the caller and a worker; a sleeping worker must first
 * be woken on another CPU, which on a virtual machine costs more than the
 * request. The leader answers what takes microseconds itself and stays
 * leader; before a request that may take long (one that copies a file's
 * data up, a sync, a large write, a rename) or when more requests are
 * already queued, it hands the lead to an idle worker, so a slow request
 * never holds up the others. Idle workers wait on a condition variable,
 * not on the device: a request wakes no thread that won't take it
 * (measured in bench/RESULTS.md). Every request that may change the tree
 * bumps fs->gen first (what was read ahead is then stale). */
#include "ovl.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define LOOP_MAX_THREADS 64
#define LOOP_SMALL_IO    (128 * 1024) /* a read or write answered in microseconds */

struct loop {
	struct fuse_session *se;
	struct ovl_fs *fs;
	long spin_ns;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool leader; /* a worker reads the device */
	bool stop;
	int idle;          /* workers waiting for the lead */
	uint32_t last_pid; /* the caller of the last request */
	int stop_pipe[2], ended_pipe[2];
};

/* the leader: the next request into @buf; Return: its size, or <= 0 once
 * the session ended (unmounted, or stopped) */
static int loop_receive(struct loop *l, struct fuse_buf *buf)
{
	struct pollfd p[2] = { { .fd = fuse_session_fd(l->se), .events = POLLIN },
		               { .fd = l->stop_pipe[0], .events = POLLIN } };
	long idle_since = 0;

	while (!fuse_session_exited(l->se)) {
		int r = fuse_session_receive_buf(l->se, buf);
		if (r != -EAGAIN && r != -EINTR)
			return r;
		if (r == -EAGAIN) {
			/* the device is empty: a step of file or directory
			 * read-ahead (a few syscalls), then look again */
			if (ovl_fa_step(l->fs) || ovl_ra_step(l->fs)) {
				idle_since = 0;
				continue;
			}
			long t = ovl_now_ns();
			if (idle_since == 0)
				idle_since = t;
			if (t - idle_since >= l->spin_ns) {
				poll(p, 2, -1);
				idle_since = 0;
			}
		}
	}
	return 0;
}

/* a lower regular file: a change to it copies its data up first */
static bool loop_copies_up(struct loop *l, uint64_t nodeid)
{
	struct ovl_node *n = ovl_node_get(l->fs, nodeid);

	return nodeid != FUSE_ROOT_ID && S_ISREG(n->type) &&
	       ovl_layer_is_lower(atomic_load(&n->layer));
}

/*
 * Requests that may take long: the leader hands the lead on before them.
 * Waking another worker costs a CPU's wake-up (a third of a request here),
 * so everything that takes microseconds (lookups, reads, creates, renames,
 * chmod of an upper file, ...) the leader answers itself; what copies a
 * file's data, syncs, or writes much goes to a worker of its own.
 */
static bool loop_slow(struct loop *l, const struct fuse_buf *buf)
{
	const struct fuse_in_header *h = buf->mem;

	if ((buf->flags & FUSE_BUF_IS_FD) || buf->size < sizeof(*h))
		return true;
	switch (h->opcode) {
	case FUSE_FSYNC:
	case FUSE_FSYNCDIR:
	case FUSE_FALLOCATE:
	case FUSE_COPY_FILE_RANGE:
	case FUSE_SETLKW:
	case FUSE_IOCTL:
	case FUSE_RENAME: /* of a lower directory: its tree is copied up */
	case FUSE_RENAME2: return true;
	case FUSE_WRITE: {
		const struct fuse_write_in *w = (const void *)(h + 1);
		return buf->size < sizeof(*h) + sizeof(*w) || w->size > LOOP_SMALL_IO ||
		       loop_copies_up(l, h->nodeid);
	}
	case FUSE_SETATTR:
	case FUSE_SETXATTR:
	case FUSE_REMOVEXATTR:
	case FUSE_LINK:
		return loop_copies_up(l, h->opcode == FUSE_LINK
		                             ? ((const struct fuse_link_in *)(h + 1))->oldnodeid
		                             : h->nodeid);
	default: return false;
	}
}

/* requests that may change the tree as the mount shows it (all but these) */
static bool loop_changes(const struct fuse_buf *buf)
{
	const struct fuse_in_header *h = buf->mem;

	if ((buf->flags & FUSE_BUF_IS_FD) || buf->size < sizeof(*h))
		return true;
	switch (h->opcode) {
	case FUSE_LOOKUP:
	case FUSE_FORGET:
	case FUSE_BATCH_FORGET:
	case FUSE_GETATTR:
	case FUSE_READLINK:
	case FUSE_OPEN:
	case FUSE_OPENDIR:
	case FUSE_READ:
	case FUSE_READDIR:
	case FUSE_READDIRPLUS:
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
	case FUSE_FSYNC:
	case FUSE_FSYNCDIR:
	case FUSE_GETXATTR:
	case FUSE_LISTXATTR:
	case FUSE_ACCESS:
	case FUSE_STATFS:
	case FUSE_INTERRUPT:
	case FUSE_LSEEK:
	case FUSE_GETLK:
	case FUSE_POLL:
	case FUSE_BMAP:
	case FUSE_INIT:
	case FUSE_DESTROY: return false;
	default: return true;
	}
}

/*
 * Whether others may be queued behind this request: a caller's lookups,
 * stats and readdirs come one at a time, so while one caller asks alone
 * (a walk, or cat reading small files) no poll() is spent looking; large
 * reads and writes come in parallel from the kernel's read-ahead and
 * write-back. l->mu held.
 */
static bool loop_maybe_queued(struct loop *l, const struct fuse_buf *buf)
{
	const struct fuse_in_header *h = buf->mem;
	bool other = h->pid != l->last_pid;

	l->last_pid = h->pid;
	if (h->opcode == FUSE_READ)
		return other || (buf->size >= sizeof(*h) + sizeof(struct fuse_read_in) &&
		                 ((const struct fuse_read_in *)(h + 1))->size > LOOP_SMALL_IO);
	return other || h->opcode == FUSE_WRITE;
}

/* whether another request waits already */
static bool loop_backlog(struct loop *l)
{
	struct pollfd p = { .fd = fuse_session_fd(l->se), .events = POLLIN };

	return poll(&p, 1, 0) == 1 && (p.revents & POLLIN);
}

/* one request; a change is counted in and bumps the generation first, so
 * nothing read ahead while it runs is taken as true (readahead.c) */
static void loop_process(struct loop *l, const struct fuse_buf *buf)
{
	bool changes = loop_changes(buf);

	if (changes) {
		atomic_fetch_add(&l->fs->changing, 1);
		atomic_fetch_add(&l->fs->gen, 1);
	}
	fuse_session_process_buf(l->se, buf);
	if (changes)
		atomic_fetch_sub(&l->fs->changing, 1);
}

/* one worker: leads, or waits for the lead, until the session ends */
static void *loop_worker(void *arg)
{
	struct loop *l = arg;
	struct fuse_buf buf = { .mem = NULL };
	bool lead = false;

	pthread_mutex_lock(&l->mu);
	for (;;) {
		int r;
		if (!lead) {
			while (l->leader && !l->stop) {
				l->idle++;
				pthread_cond_wait(&l->cv, &l->mu);
				l->idle--;
			}
			if (l->stop)
				break;
			l->leader = lead = true;
		}
		pthread_mutex_unlock(&l->mu);
		r = loop_receive(l, &buf);
		pthread_mutex_lock(&l->mu);
		if (r <= 0) { /* tell the main thread, which stops everyone */
			l->leader = lead = false;
			if (write(l->ended_pipe[1], "", 1) < 0) {
				/* full: it was told already */
			}
			while (!l->stop)
				pthread_cond_wait(&l->cv, &l->mu);
			break;
		}
		/* give up the lead before a slow request (the first worker back
		 * takes it, or an idle one now), or to an idle one for a queue */
		if (loop_slow(l, &buf) ||
		    (l->idle > 0 && loop_maybe_queued(l, &buf) && loop_backlog(l))) {
			l->leader = lead = false;
			if (l->idle > 0)
				pthread_cond_signal(&l->cv);
		}
		pthread_mutex_unlock(&l->mu);
		loop_process(l, &buf);
		pthread_mutex_lock(&l->mu);
	}
	pthread_mutex_unlock(&l->mu);
	free(buf.mem);
	return NULL;
}

/**
 * ovl_loop_run() - serve @se (the mount of @fs) with @threads workers until it is unmounted or
 * a signal ends the session (this thread waits for either).
 * @spin_us: microseconds the leader keeps polling after a request (0: never)
 * Return: 0, or -errno when the loop could not start.
 */
int ovl_loop_run(struct fuse_session *se, struct ovl_fs *fs, int threads, int spin_us)
{
	struct loop l = { .se = se, .fs = fs, .spin_ns = spin_us * 1000L };
	pthread_t tid[LOOP_MAX_THREADS];
	int n = 0, fd = fuse_session_fd(se), fl = fcntl(fd, F_GETFL);
	sigset_t all, old;
	struct pollfd p;

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    pipe2(l.stop_pipe, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	if (pipe2(l.ended_pipe, O_CLOEXEC | O_NONBLOCK) < 0) {
		close(l.stop_pipe[0]);
		close(l.stop_pipe[1]);
		return -errno;
	}
	pthread_mutex_init(&l.mu, NULL);
	pthread_cond_init(&l.cv, NULL);
	/* signals only here, where ppoll() lets them in without a gap */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	while (n < threads && n < LOOP_MAX_THREADS &&
	       pthread_create(&tid[n], NULL, loop_worker, &l) == 0)
		n++;
	p = (struct pollfd){ .fd = l.ended_pipe[0], .events = POLLIN };
	while (n > 0 && !fuse_session_exited(se) && !(p.revents & POLLIN))
		ppoll(&p, 1, NULL, &old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	fuse_session_exit(se);
	pthread_mutex_lock(&l.mu);
	l.stop = true;
	pthread_cond_broadcast(&l.cv);
	pthread_mutex_unlock(&l.mu);
	close(l.stop_pipe[1]); /* the leader's poll() wakes */
	for (int i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	close(l.stop_pipe[0]);
	close(l.ended_pipe[0]);
	close(l.ended_pipe[1]);
	pthread_cond_destroy(&l.cv);
	pthread_mutex_destroy(&l.mu);
	return n > 0 ? 0 : -EAGAIN;
}
