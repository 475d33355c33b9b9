/* progress.h - how a pull shows its progress: one redrawn line per layer
 * on a terminal, plain lines otherwise, nothing with -q. Output goes to
 * stderr, so that stdout carries only results (the image ID). */
#ifndef WARREN_PROGRESS_H
#define WARREN_PROGRESS_H

#include <stdbool.h>
#include <stdio.h>

#include "pull.h"

struct progress {
	FILE *out;
	bool tty, quiet;
	size_t n_lines; /* layer lines drawn on the terminal */
	long long last_draw_ms;
	struct progress_layer {
		char digest[80];
		unsigned long long got, size;
		enum pull_layer_state state;
		bool announced;
	} * layers;
	size_t n_layers;
};

void progress_init(struct progress *p, bool quiet);

/* implements pull_opts.progress */
void progress_pull_event(void *ctx, const struct pull_event *ev);

void progress_finish(struct progress *p);

/**
 * progress_human_size() - Docker's sizes: "1.23MB", "456kB", "12B" (SI units).
 */
void progress_human_size(unsigned long long bytes, char *buf, size_t size);

#endif
