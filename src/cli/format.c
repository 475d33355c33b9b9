/* format.c - --format templates and aligned tables for ps, inspect, volume
 * ls and stats. Unknown template syntax is refused up front, never guessed. */
#include "format.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

static json_t *lookup(json_t *obj, const char *path, size_t len)
{
	char key[128];
	json_t *j = obj;

	while (len && *path == '.') {
		size_t l = 1;
		while (l < len && path[l] != '.')
			l++;
		if (l == 1)
			return j; /* "." alone: the object itself */
		snprintf(key, sizeof(key), "%.*s", (int)(l - 1), path + 1);
		j = json_object_get(j, key);
		path += l;
		len -= l;
	}
	return j;
}

static void print_value(FILE *f, json_t *v, bool as_json)
{
	char *s;

	if (!v) {
		fputs(as_json ? "null" : "<no value>", f);
		return;
	}
	if (!as_json && json_is_string(v)) {
		fputs(json_string_value(v), f);
		return;
	}
	if (!as_json && json_is_integer(v)) {
		fprintf(f, "%lld", (long long)json_integer_value(v));
		return;
	}
	s = json_dumps(v, JSON_ENCODE_ANY | JSON_COMPACT);
	if (s)
		fputs(s, f);
	free(s);
}

/* parse one action "{{ [json] .Path }}": *out_json, path span; false if unknown */
static bool action_parse(const char *a, size_t len, bool *as_json, const char **path, size_t *plen)
{
	while (len && isspace((unsigned char)*a))
		a++, len--;
	while (len && isspace((unsigned char)a[len - 1]))
		len--;
	*as_json = len > 5 && !strncmp(a, "json ", 5);
	if (*as_json) {
		a += 5;
		len -= 5;
		while (len && isspace((unsigned char)*a))
			a++, len--;
	}
	if (!len || *a != '.')
		return false;
	for (size_t i = 0; i < len; i++)
		if (!isalnum((unsigned char)a[i]) && a[i] != '.' && a[i] != '_')
			return false;
	*path = a;
	*plen = len;
	return true;
}

int format_check(const char *tmpl, struct werr *err)
{
	const char *p = tmpl;

	if (!strcmp(tmpl, "json") || !strcmp(tmpl, "table"))
		return 0;
	while ((p = strstr(p, "{{"))) {
		const char *end = strstr(p, "}}"), *path;
		bool j;
		size_t pl;
		if (!end || !action_parse(p + 2, (size_t)(end - p - 2), &j, &path, &pl))
			return werr_set(err, EINVAL,
			                "invalid --format \"%s\": warren understands {{.Field}}, "
			                "{{.A.B}}, {{json .Field}}, \"table ...\" and \"json\"",
			                tmpl);
		p = end + 2;
	}
	return 0;
}

static const char *skip_table(const char *tmpl)
{
	return !strncmp(tmpl, "table ", 6) ? tmpl + 6 : tmpl;
}

void format_render(FILE *f, const char *tmpl, json_t *obj)
{
	const char *p = skip_table(tmpl);

	if (!strcmp(tmpl, "json")) {
		print_value(f, obj, true);
		fputc('\n', f);
		return;
	}
	while (*p) {
		const char *open = strstr(p, "{{"), *end, *path;
		bool j;
		size_t pl;
		if (!open) {
			for (; *p; p++)
				if (p[0] == '\\' && p[1] == 't')
					fputc('\t', f), p++;
				else if (p[0] == '\\' && p[1] == 'n')
					fputc('\n', f), p++;
				else
					fputc(*p, f);
			break;
		}
		for (; p < open; p++)
			if (p[0] == '\\' && p[1] == 't')
				fputc('\t', f), p++;
			else
				fputc(*p, f);
		end = strstr(open, "}}");
		if (!end)
			break;
		if (action_parse(open + 2, (size_t)(end - open - 2), &j, &path, &pl))
			print_value(f, lookup(obj, path, pl), j);
		p = end + 2;
	}
	fputc('\n', f);
}

void format_header(FILE *f, const char *tmpl)
{
	const char *p = skip_table(tmpl);

	while ((p = strstr(p, "{{"))) {
		const char *end = strstr(p, "}}"), *path, *last;
		bool j;
		size_t pl;
		if (!end)
			break;
		if (action_parse(p + 2, (size_t)(end - p - 2), &j, &path, &pl)) {
			last = path + pl;
			while (last > path && last[-1] != '.')
				last--;
			for (; last < path + pl; last++)
				fputc(toupper((unsigned char)*last), f);
		}
		p = end + 2;
		if (strstr(p, "{{"))
			fputc('\t', f);
	}
	fputc('\n', f);
}

void table_add(struct table *t, size_t ncol, const char *const *cells)
{
	char **row = calloc(ncol, sizeof(char *));
	char ***nr = realloc(t->cells, (t->nrow + 1) * sizeof(*nr));

	if (!row || !nr) {
		free(row);
		if (nr)
			t->cells = nr;
		return;
	}
	t->cells = nr;
	t->ncol = ncol;
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
			if (c + 1 < t->ncol)
				fprintf(f, "%s%*s", s, (int)(w[c] + 3 - display_width(s)), "");
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
