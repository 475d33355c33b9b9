/* loop.c - serving /dev/fuse: worker threads read requests without
 * blocking, and after each request one of them keeps asking for the next for
 * a short while (-o spin=USEC) before it sleeps in poll(). A FUSE request is
 * a hand-over between the caller and a worker; a sleeping worker must first
 * be woken on another CPU, which on a virtual machine costs more than the
 * request itself (a stat-walk: 0.98 s -> 0.81 s, bench/RESULTS.md). */
#include "ovl.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>

#define LOOP_MAX_THREADS 64

struct loop {
	struct fuse_session *se;
	long spin_ns;
	atomic_bool spinning; /* one worker at most spins at a time */
	int stop[2];          /* closed write end: every sleeping worker wakes */
};

static long loop_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000L + ts.tv_nsec;
}

/* no request queued: spin while this worker holds the spin and its window
 * lasts, else sleep until /dev/fuse or the stop pipe wakes it; Return: the
 * new start of the idle spell (0: none) */
static long loop_idle(struct loop *l, long idle_since)
{
	struct pollfd p[2] = { { .fd = fuse_session_fd(l->se), .events = POLLIN },
		               { .fd = l->stop[0], .events = POLLIN } };
	bool mine = idle_since != 0;
	long t;

	if (!mine && l->spin_ns > 0 && !atomic_exchange(&l->spinning, true))
		return loop_now_ns();
	if (mine && (t = loop_now_ns()) - idle_since < l->spin_ns)
		return idle_since;
	if (mine)
		atomic_store(&l->spinning, false);
	poll(p, 2, -1);
	return 0;
}

/* one worker: until the session ends */
static void *loop_worker(void *arg)
{
	struct loop *l = arg;
	struct fuse_buf buf = { .mem = NULL };
	long idle_since = 0;

	while (!fuse_session_exited(l->se)) {
		int r = fuse_session_receive_buf(l->se, &buf);
		if (r == -EAGAIN) {
			idle_since = loop_idle(l, idle_since);
			continue;
		}
		if (idle_since != 0) /* a request ended the spin */
			atomic_store(&l->spinning, false);
		idle_since = 0;
		if (r == -EINTR)
			continue;
		if (r <= 0) /* unmounted (the session is ended), or the device failed */
			break;
		fuse_session_process_buf(l->se, &buf);
	}
	free(buf.mem);
	return NULL;
}

/**
 * ovl_loop_run() - serve @se with @threads workers (this thread is one)
 * until it is unmounted or a signal ends the session.
 * @spin_us: microseconds one worker keeps polling after a request (0: never)
 * Return: 0, or -errno when the loop could not start.
 */
int ovl_loop_run(struct fuse_session *se, int threads, int spin_us)
{
	struct loop l = { .se = se, .spin_ns = spin_us * 1000L };
	pthread_t tid[LOOP_MAX_THREADS];
	int n = 0, fd = fuse_session_fd(se), fl = fcntl(fd, F_GETFL);
	sigset_t all, old;

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0 ||
	    pipe2(l.stop, O_CLOEXEC | O_NONBLOCK) < 0)
		return -errno;
	/* the signals that end the session are for this thread only: its
	 * handler then ends the session and this thread's poll() returns */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	while (n < threads - 1 && n < LOOP_MAX_THREADS &&
	       pthread_create(&tid[n], NULL, loop_worker, &l) == 0)
		n++;
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	loop_worker(&l);
	fuse_session_exit(se);
	close(l.stop[1]);
	for (int i = 0; i < n; i++)
		pthread_join(tid[i], NULL);
	close(l.stop[0]);
	return 0;
}
