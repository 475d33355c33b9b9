/* format.h - the subset of Docker's Go templates that scripts use with
 * --format: {{.Field}}, {{.A.B}}, {{json .Field}}, {{json .}}, "table ..."
 * headers, and "json" for one JSON object per line. */
#ifndef WARREN_FORMAT_H
#define WARREN_FORMAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "werr.h"

/** format_check() - refuse what the renderer does not understand. */
int format_check(const char *tmpl, struct werr *err);

/** format_render() - @tmpl for @obj, then a newline. */
void format_render(FILE *f, const char *tmpl, json_t *obj);

/** format_header() - for "table ...": the field names, upper-cased, as the header row. */
void format_header(FILE *f, const char *tmpl);

/**
 * struct table - Docker's aligned columns (tabwriter, padding 3).
 */
struct table {
	size_t ncol, nrow;
	char ***cells; /* nrow x ncol */
};

void table_add(struct table *t, size_t ncol, const char *const *cells);
void table_print(FILE *f, struct table *t);

#endif
