/* starttrace.c - timestamps of a start's phases (starttrace.h). */
#include "starttrace.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define STARTTRACE_MAX 48

struct starttrace_mark {
	uint64_t ns;
	pid_t pid; /* the process that made it: a child inherits its parent's marks */
	const char *point;
};

static bool trace_on;
static uint64_t trace_base;
static struct starttrace_mark marks[STARTTRACE_MAX];
static size_t n_marks;

static uint64_t starttrace_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

void starttrace_init(const char *first)
{
	const char *v = getenv("WARREN_TRACE_START");
	char *end;
	unsigned long long base;

	if (!v || !*v)
		return;
	trace_on = true;
	base = strtoull(v, &end, 10);
	trace_base = *end == '\0' && base > 0 ? base : starttrace_now();
	starttrace_mark(first);
}

void starttrace_mark(const char *point)
{
	if (!trace_on || n_marks >= STARTTRACE_MAX)
		return;
	marks[n_marks++] = (struct starttrace_mark){ starttrace_now(), getpid(), point };
}

void starttrace_flush(void)
{
	char buf[STARTTRACE_MAX * 96];
	size_t off = 0, kept = 0;
	pid_t self;

	if (!trace_on)
		return;
	self = getpid();
	for (size_t i = 0; i < n_marks; i++) {
		const struct starttrace_mark *m = &marks[i];
		int64_t d = (int64_t)(m->ns - trace_base);
		int w;

		if (m->pid != self) {
			marks[kept++] = *m;
			continue;
		}
		w = snprintf(buf + off, sizeof(buf) - off, "warren-trace: %d %.3f %s\n",
		             (int)m->pid, (double)d / 1e6, m->point);
		if (w > 0 && (size_t)w < sizeof(buf) - off)
			off += (size_t)w;
	}
	n_marks = kept;
	if (off > 0 && write(STDERR_FILENO, buf, off) < 0) {
		/* a trace is best effort */
	}
}
