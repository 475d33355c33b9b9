/* format.c - --format for the listing and inspect commands (format.h): the
 * value read as Docker's CLI reads it, a Go template run per object, table
 * rows aligned as Docker's tabwriter aligns them. Templates are refused up
 * front with the column of the fault, never guessed at. */
#include "format.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"
#include "gotmpl.h"

/* @spec without "table ", with "\t" and "\n" made real, as Docker does */
static char *template_text(const char *spec, bool *table)
{
	char *s, *o;

	*table = !strncmp(spec, "table ", 6) || !strcmp(spec, "table");
	if (*table)
		spec += 5;
	if (!(s = strdup(spec)))
		return NULL;
	o = s;
	for (const char *p = spec; *p; p++) {
		if (p[0] == '\\' && (p[1] == 't' || p[1] == 'n')) {
			*o++ = *++p == 't' ? '\t' : '\n';
			continue;
		}
		*o++ = *p;
	}
	*o = 0;
	/* Docker trims the spaces "table " leaves */
	return *table ? memmove(s, s + strspn(s, " "), strlen(s + strspn(s, " ")) + 1) : s;
}

static int parse(const char *spec, struct gotmpl **t, bool *table, struct werr *err)
{
	_cleanup_free_ char *text = NULL;

	*t = NULL;
	*table = false;
	if (!strcmp(spec, "json"))
		return 0;
	if (!(text = template_text(spec, table)))
		return werr_errno(err, ENOMEM, "--format");
	if (gotmpl_parse(text, t, err) < 0)
		return werr_prefix(err, "invalid --format");
	return 0;
}

int format_check(const char *spec, struct werr *err)
{
	struct gotmpl *t;
	bool table;
	int r = parse(spec, &t, &table, err);

	gotmpl_free(t);
	return r;
}

/* the header of @field: from @heads, else the name in capitals (- and _ as
 * spaces, as Docker's label headers) */
static char *header_of(const char *const *heads, const char *field)
{
	char *h;

	for (size_t i = 0; heads && heads[i]; i += 2)
		if (!strcmp(heads[i], field))
			return strdup(heads[i + 1]);
	if ((h = strdup(field)))
		for (char *c = h; *c; c++)
			*c = *c == '-' || *c == '_' ? ' ' : (char)toupper((unsigned char)*c);
	return h;
}

/* the header row: a cell per action of the template */
static void add_header(struct format *fo)
{
	const char *fields[32];
	char *cells[32] = { 0 };
	size_t n = gotmpl_fields(fo->tmpl, fields, 32);

	for (size_t i = 0; i < n; i++)
		cells[i] = fields[i] ? header_of(fo->heads, fields[i]) : strdup("");
	table_add(&fo->rows, n, (const char *const *)cells);
	for (size_t i = 0; i < n; i++)
		free(cells[i]);
}

int format_begin(struct format *fo, FILE *f, const char *spec, const char *dflt,
                 const char *const *heads, struct werr *err)
{
	*fo = (struct format){ .heads = heads, .f = f };
	if (!spec || !strcmp(spec, "table"))
		spec = dflt;
	if (parse(spec, &fo->tmpl, &fo->table, err) < 0)
		return -EINVAL;
	if (fo->table)
		add_header(fo);
	return 0;
}

/* a table row: the rendered text split at each tab (empty cells kept) */
static void add_row(struct format *fo, char *text)
{
	char *cells[32], *rest = text ? text : (char[]){ 0 };
	size_t n = 0;

	while (rest && n < 32)
		cells[n++] = strsep(&rest, "\t");
	while (n < fo->rows.ncol)
		cells[n++] = "";
	table_add(&fo->rows, n, (const char *const *)cells);
}

/* the fields whose values Docker's API types as Go maps (its structs' fields
 * keep their declared order; maps print, range and marshal key-sorted) */
static bool is_map_field(const char *key)
{
	static const char *const maps[] = { "Labels",   "ExposedPorts", "Volumes",   "Ports",
		                            "Networks", "Annotations",  "Options",   "DriverOpts",
		                            "Sysctls",  "Tmpfs",        "StorageOpt" };

	for (size_t i = 0; i < sizeof(maps) / sizeof(maps[0]); i++)
		if (!strcmp(key, maps[i]))
			return true;
	return false;
}

static int key_cmp(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* @obj's members again, in key order */
static void sort_object(json_t *obj)
{
	size_t n = json_object_size(obj), i = 0;
	_cleanup_free_ const char **keys = calloc(n ? n : 1, sizeof(*keys));
	json_t *copy = json_copy(obj), *v;
	const char *k;

	if (!keys || !copy) {
		json_decref(copy);
		return;
	}
	json_object_foreach(copy, k, v) keys[i++] = k;
	qsort(keys, n, sizeof(*keys), key_cmp);
	json_object_clear(obj);
	for (i = 0; i < n; i++)
		json_object_set(obj, keys[i], json_object_get(copy, keys[i]));
	json_decref(copy);
}

void format_sort_maps(json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (json_is_array(v))
		json_array_foreach(v, i, e) format_sort_maps(e);
	if (!json_is_object(v))
		return;
	json_object_foreach(v, k, e)
	{
		if (json_is_object(e) && is_map_field(k))
			sort_object(e);
		format_sort_maps(e);
	}
}

int format_object(struct format *fo, json_t *obj, struct werr *err)
{
	_cleanup_free_ char *buf = NULL;
	size_t len = 0;
	FILE *m;
	int r;

	format_sort_maps(obj);
	if (!fo->tmpl) {
		char *s = json_dumps(obj, JSON_COMPACT | JSON_ENCODE_ANY);
		fprintf(fo->f, "%s\n", s ? s : "null");
		free(s);
		return 0;
	}
	if (!(m = open_memstream(&buf, &len)))
		return werr_errno(err, errno, "--format");
	r = gotmpl_exec(fo->tmpl, obj, m, err);
	fclose(m);
	if (fo->table)
		add_row(fo, buf);
	else
		fprintf(fo->f, "%s\n", buf ? buf : "");
	return r;
}

void format_end(struct format *fo)
{
	if (fo->table)
		table_print(fo->f, &fo->rows);
	gotmpl_free(fo->tmpl);
	fo->tmpl = NULL;
}

void table_add(struct table *t, size_t ncol, const char *const *cells)
{
	/* every row has room for 32 cells: rows of other lengths print as if
	 * padded with empty cells */
	char **row = calloc(32, sizeof(char *)),
	     ***nr = realloc(t->cells, (t->nrow + 1) * sizeof(*nr));

	if (ncol > 32)
		ncol = 32;
	if (!row || !nr) {
		free(row);
		if (nr)
			t->cells = nr;
		return;
	}
	t->cells = nr;
	t->ncol = ncol > t->ncol ? ncol : t->ncol;
	for (size_t i = 0; i < ncol; i++)
		row[i] = strdup(cells[i] ? cells[i] : "");
	t->cells[t->nrow++] = row;
}

/* columns on screen: UTF-8 continuation bytes take none */
static size_t display_width(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

void table_print(FILE *f, struct table *t)
{
	size_t w[32] = { 0 };

	for (size_t r = 0; r < t->nrow; r++)
		for (size_t c = 0; c < t->ncol && c < 32; c++)
			if (t->cells[r][c] && display_width(t->cells[r][c]) > w[c])
				w[c] = display_width(t->cells[r][c]);
	for (size_t r = 0; r < t->nrow; r++) {
		for (size_t c = 0; c < t->ncol; c++) {
			const char *s = t->cells[r][c] ? t->cells[r][c] : "";
			/* tabwriter: at least 10 wide with the padding of 3 */
			size_t width = w[c] + 3 < 10 ? 10 : w[c] + 3;
			if (c + 1 < t->ncol)
				fprintf(f, "%s%*s", s, (int)(width - display_width(s)), "");
			else
				fputs(s, f);
			free(t->cells[r][c]);
		}
		fputc('\n', f);
		free(t->cells[r]);
	}
	free(t->cells);
	t->cells = NULL;
	t->nrow = 0;
}
