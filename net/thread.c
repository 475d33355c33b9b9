/* thread.c - starts warren-net's forwarder threads and waits until each one
 * runs, so that the seccomp filter installed next (for every thread) never
 * meets a thread still in its start-up (a sanitizer's, or glibc's). */
#include "net.h"

#include <pthread.h>
#include <semaphore.h>

struct thread_start {
	void *(*fn)(void *);
	sem_t running;
};

static void *thread_main(void *arg)
{
	struct thread_start *ts = arg;
	void *(*fn)(void *) = ts->fn;

	sem_post(&ts->running); /* @ts lives on the starter's stack: not used after */
	return fn(NULL);
}

int thread_start(void *(*fn)(void *), struct werr *err)
{
	struct thread_start ts = { .fn = fn };
	pthread_t t;
	int r;

	if (sem_init(&ts.running, 0, 0) < 0)
		return werr_errno(err, errno, "sem_init");
	r = pthread_create(&t, NULL, thread_main, &ts);
	if (r != 0) {
		sem_destroy(&ts.running);
		return werr_errno(err, r, "starting a forwarder thread");
	}
	while (sem_wait(&ts.running) < 0 && errno == EINTR)
		;
	sem_destroy(&ts.running);
	pthread_detach(t);
	return 0;
}
