/* format.h - --format for every listing and inspect command, as Docker's
 * CLI: "json" (one JSON object per line), "table" (the command's default
 * columns), "table TEMPLATE" (aligned columns under a header row), or a Go
 * template (gotmpl.h) printed once per object; "\t" and "\n" written as two
 * characters in the value are a tab and a newline, as Docker reads them. */
#ifndef WARREN_FORMAT_H
#define WARREN_FORMAT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>

#include "werr.h"

/**
 * struct table - Docker's aligned columns (text/tabwriter with a minimum
 * width of 10 and a padding of 3, as its CLI sets it up).
 */
struct table {
	size_t ncol, nrow;
	char ***cells; /* nrow x ncol */
};

void table_add(struct table *t, size_t ncol, const char *const *cells);
void table_print(FILE *f, struct table *t);

/**
 * struct format - one command's output being formatted.
 */
struct format {
	struct gotmpl *tmpl;      /* NULL for "json" */
	bool table;               /* aligned, with a header row */
	const char *const *heads; /* field, header, field, header, ..., NULL */
	struct table rows;
	FILE *f;
};

/**
 * format_check() - refuse a --format value that does not parse (at option
 * time, so that nothing has run yet). Return: 0 or -EINVAL with the column.
 */
int format_check(const char *spec, struct werr *err);

/**
 * format_begin() - start output to @f for @spec (the user's --format), or
 * @dflt when the user gave none or "table". @heads names the header of each
 * field ("ID", "CONTAINER ID", ...); other fields' headers are their names
 * in capitals.
 */
int format_begin(struct format *fo, FILE *f, const char *spec, const char *dflt,
                 const char *const *heads, struct werr *err);

/** format_object() - one object (a row, or one inspect result). */
int format_object(struct format *fo, json_t *obj, struct werr *err);

/**
 * format_sort_maps() - put the members of @v's map-typed fields (Labels,
 * ExposedPorts, Volumes...) in key order, as Docker prints Go maps; for
 * output that does not go through format_object().
 */
void format_sort_maps(json_t *v);

/** format_end() - print what a table collected, and free everything. */
void format_end(struct format *fo);

#endif
