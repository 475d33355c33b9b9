/* progress.c - pull progress on stderr: a line per layer redrawn in place on
 * a terminal (at most every 100 ms, and on every state change), one plain
 * line per state change otherwise, silence with -q. */
#include "progress.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static const char *const state_names[] = {
	[PULL_LAYER_EXISTS] = "Already exists",   [PULL_LAYER_WAITING] = "Waiting",
	[PULL_LAYER_DOWNLOADING] = "Downloading", [PULL_LAYER_EXTRACTING] = "Extracting",
	[PULL_LAYER_DONE] = "Pull complete",
};

void progress_human_size(unsigned long long b, char *buf, size_t size)
{
	static const char *const units[] = { "B", "kB", "MB", "GB", "TB" };
	double v = (double)b;
	int u = 0;

	while (v >= 1000 && u < 4) {
		v /= 1000;
		u++;
	}
	if (u == 0)
		snprintf(buf, size, "%lluB", b);
	else
		snprintf(buf, size, "%.3g%s", v, units[u]);
}

void progress_init(struct progress *p, bool quiet)
{
	memset(p, 0, sizeof(*p));
	p->out = stderr;
	p->quiet = quiet;
	p->tty = isatty(STDERR_FILENO) && getenv("TERM") && strcmp(getenv("TERM"), "dumb");
}

static long long now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static void draw(struct progress *p)
{
	if (p->n_lines)
		fprintf(p->out, "\033[%zuA", p->n_lines);
	for (size_t i = 0; i < p->n_layers; i++) {
		struct progress_layer *l = &p->layers[i];
		char got[16], size[16], bar[23] = "";
		fprintf(p->out, "\r\033[K%.19s: %-14s", l->digest, state_names[l->state]);
		if (l->state == PULL_LAYER_DOWNLOADING && l->size) {
			int fill = (int)(20 * l->got / l->size);
			progress_human_size(l->got, got, sizeof(got));
			progress_human_size(l->size, size, sizeof(size));
			memset(bar, '=', (size_t)fill);
			bar[fill] = '>';
			bar[fill + 1] = '\0';
			fprintf(p->out, " [%-21s] %s/%s", bar, got, size);
		}
		fputc('\n', p->out);
	}
	p->n_lines = p->n_layers;
	fflush(p->out);
	p->last_draw_ms = now_ms();
}

static void plain(struct progress *p, struct progress_layer *l)
{
	char size[16];

	progress_human_size(l->size, size, sizeof(size));
	switch (l->state) {
	case PULL_LAYER_EXISTS: fprintf(p->out, "Layer %s already exists\n", l->digest); break;
	case PULL_LAYER_DOWNLOADING:
		if (!l->announced)
			fprintf(p->out, "Copying blob %s (%s)\n", l->digest, size);
		l->announced = true;
		break;
	case PULL_LAYER_EXTRACTING: fprintf(p->out, "Extracting %s\n", l->digest); break;
	case PULL_LAYER_DONE: fprintf(p->out, "Layer %s done\n", l->digest); break;
	default: break;
	}
}

void progress_pull_event(void *ctx, const struct pull_event *ev)
{
	struct progress *p = ctx;
	struct progress_layer *l;
	bool changed;

	if (p->quiet)
		return;
	if (ev->kind == PULL_EV_RESOLVED) {
		fprintf(p->out, "Trying to pull %s...\n", ev->ref);
		return;
	}
	if (ev->kind == PULL_EV_WRITING) {
		if (p->tty)
			draw(p);
		fprintf(p->out, "Writing manifest to image destination\n");
		return;
	}
	if (!p->layers) {
		p->layers = calloc(ev->n, sizeof(*p->layers));
		if (!p->layers)
			return;
		p->n_layers = ev->n;
	}
	if (ev->idx >= p->n_layers)
		return;
	l = &p->layers[ev->idx];
	changed = l->state != ev->state || !l->digest[0];
	snprintf(l->digest, sizeof(l->digest), "%s", ev->digest);
	l->got = ev->got;
	l->size = ev->size;
	l->state = ev->state;
	if (p->tty) {
		if (changed || now_ms() - p->last_draw_ms >= 100)
			draw(p);
	} else if (changed) {
		plain(p, l);
	}
}

void progress_finish(struct progress *p)
{
	free(p->layers);
	p->layers = NULL;
}
