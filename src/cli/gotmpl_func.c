/* gotmpl_func.c - the functions a Go template may call (Go's built-ins:
 * and, or, not, len, index, slice, print, printf, println, html, js,
 * urlquery, eq, ne, lt, le, gt, ge; Docker's: json, split, join, title,
 * lower, upper, pad, truncate) and Go's formatting of values (%v). Each
 * refuses a wrong argument with Go's message rather than guessing. */
#include "gotmpl_int.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

json_t *gt_novalue;

const char *gt_type_name(json_t *v)
{
	if (!v || v == gt_novalue || json_is_null(v))
		return "<nil>";
	switch (json_typeof(v)) {
	case JSON_STRING: return "string";
	case JSON_INTEGER: return "int";
	case JSON_REAL: return "float64";
	case JSON_TRUE:
	case JSON_FALSE: return "bool";
	case JSON_ARRAY: return "[]interface {}";
	case JSON_OBJECT: return "map[string]interface {}";
	default: return "<nil>";
	}
}

bool gt_truth(json_t *v)
{
	if (!v || v == gt_novalue)
		return false;
	switch (json_typeof(v)) {
	case JSON_STRING: return json_string_length(v) > 0;
	case JSON_INTEGER: return json_integer_value(v) != 0;
	case JSON_REAL: return json_real_value(v) != 0;
	case JSON_TRUE: return true;
	case JSON_ARRAY: return json_array_size(v) > 0;
	case JSON_OBJECT: return json_object_size(v) > 0;
	default: return false;
	}
}

/* Go's %v of a float64: the shortest digits that read back the same, in
 * %e form when the exponent is below -4 or at least 6 (as fmt.Println) */
void gt_format_float(char *out, size_t size, double d)
{
	char buf[40];
	int prec, exp;

	if (isnan(d) || isinf(d)) {
		snprintf(out, size, "%s", isnan(d) ? "NaN" : d > 0 ? "+Inf" : "-Inf");
		return;
	}
	for (prec = 1; prec < 17; prec++) {
		snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
		if (strtod(buf, NULL) == d)
			break;
	}
	snprintf(buf, sizeof(buf), "%.*e", prec - 1, d);
	exp = atoi(strchr(buf, 'e') + 1);
	if (exp < -4 || exp >= 6)
		snprintf(out, size, "%s", buf);
	else
		snprintf(out, size, "%.*f", prec - 1 - exp > 0 ? prec - 1 - exp : 0, d);
}

static int cmp_key(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

void gt_print_value(FILE *f, json_t *v)
{
	const char *k;
	json_t *e;
	size_t i;

	if (!v || v == gt_novalue) {
		fputs("<no value>", f);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_STRING: fwrite(json_string_value(v), 1, json_string_length(v), f); break;
	case JSON_INTEGER: fprintf(f, "%lld", (long long)json_integer_value(v)); break;
	case JSON_REAL: {
		char num[48];
		gt_format_float(num, sizeof(num), json_real_value(v));
		fputs(num, f);
		break;
	}
	case JSON_TRUE: fputs("true", f); break;
	case JSON_FALSE: fputs("false", f); break;
	case JSON_NULL: fputs("<nil>", f); break;
	case JSON_ARRAY:
		fputc('[', f);
		json_array_foreach(v, i, e)
		{
			if (i)
				fputc(' ', f);
			gt_print_value(f, e);
		}
		fputc(']', f);
		break;
	case JSON_OBJECT: {
		/* Go prints a map's keys in order */
		size_t n = json_object_size(v);
		const char **keys = calloc(n + 1, sizeof(*keys));
		i = 0;
		if (!keys)
			break;
		json_object_foreach(v, k, e) keys[i++] = k;
		qsort(keys, n, sizeof(*keys), cmp_key);
		fputs("map[", f);
		for (i = 0; i < n; i++) {
			fprintf(f, "%s%s:", i ? " " : "", keys[i]);
			gt_print_value(f, json_object_get(v, keys[i]));
		}
		fputc(']', f);
		free(keys);
		break;
	}
	}
}

/* a new JSON string of what @fn wrote to a memory stream */
static json_t *string_of(void (*fn)(FILE *, json_t **, size_t), json_t **args, size_t n)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);
	json_t *s;

	if (!m)
		return NULL;
	fn(m, args, n);
	fclose(m);
	s = json_stringn_nocheck(buf ? buf : "", len);
	free(buf);
	return s;
}

static int want_args(struct gt_state *st, const char *fn, size_t n, size_t want)
{
	return n == want
	           ? 0
	           : gt_fail(st, "wrong number of args for %s: want %zu got %zu", fn, want, n);
}

static const char *want_string(struct gt_state *st, json_t *v)
{
	if (json_is_string(v))
		return json_string_value(v);
	gt_fail(st, "wrong type for value; expected string; got %s", gt_type_name(v));
	return NULL;
}

static int want_int(struct gt_state *st, json_t *v, long long *out)
{
	if (!json_is_integer(v))
		return gt_fail(st, "wrong type for value; expected int; got %s", gt_type_name(v));
	*out = json_integer_value(v);
	return 0;
}

/* fmt.Sprint: a space between operands when neither is a string */
static void sprint(FILE *f, json_t **args, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i && !json_is_string(args[i]) && !json_is_string(args[i - 1]))
			fputc(' ', f);
		gt_print_value(f, args[i]);
	}
}

/* fmt.Sprintln: spaces between every operand, a newline at the end */
static void sprintln(FILE *f, json_t **args, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i)
			fputc(' ', f);
		gt_print_value(f, args[i]);
	}
	fputc('\n', f);
}

static int f_print(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	(void)st;
	*out = string_of(sprint, a, n);
	return 0;
}

static int f_println(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	(void)st;
	*out = string_of(sprintln, a, n);
	return 0;
}

static int f_printf(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	const char *fmt;

	if (n < 1)
		return gt_fail(st, "wrong number of args for printf: want at least 1 got 0");
	if (!(fmt = want_string(st, a[0])))
		return -EINVAL;
	*out = string_of(gt_sprintf_into, a, n);
	return 0;
}

/* html, js, urlquery: the escaped fmt.Sprint of the arguments */
static void escape_html(FILE *f, json_t **a, size_t n)
{
	json_t *s = string_of(sprint, a, n);

	for (const char *c = json_string_value(s); c && *c; c++)
		switch (*c) {
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '&': fputs("&amp;", f); break;
		case '\'': fputs("&#39;", f); break;
		case '"': fputs("&#34;", f); break;
		default: fputc(*c, f);
		}
	json_decref(s);
}

static void escape_js(FILE *f, json_t **a, size_t n)
{
	json_t *s = string_of(sprint, a, n);

	for (const char *c = json_string_value(s); c && *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (u == '\\' || u == '\'' || u == '"')
			fprintf(f, "\\%c", u);
		else if (u < 0x20 || strchr("<>&=", u))
			fprintf(f, "\\u%04X", u);
		else
			fputc(u, f);
	}
	json_decref(s);
}

static void escape_query(FILE *f, json_t **a, size_t n)
{
	json_t *s = string_of(sprint, a, n);

	for (const char *c = json_string_value(s); c && *c; c++) {
		unsigned char u = (unsigned char)*c;
		if (isalnum(u) || strchr("-_.~", u))
			fputc(u, f);
		else if (u == ' ')
			fputc('+', f);
		else
			fprintf(f, "%%%02X", u);
	}
	json_decref(s);
}

static int f_html(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	(void)st;
	*out = string_of(escape_html, a, n);
	return 0;
}

static int f_js(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	(void)st;
	*out = string_of(escape_js, a, n);
	return 0;
}

static int f_urlquery(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	(void)st;
	*out = string_of(escape_query, a, n);
	return 0;
}

static int f_not(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	if (want_args(st, "not", n, 1) < 0)
		return -EINVAL;
	*out = json_boolean(!gt_truth(a[0]));
	return 0;
}

static int f_len(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	json_t *v;

	if (want_args(st, "len", n, 1) < 0)
		return -EINVAL;
	v = a[0];
	if (json_is_string(v))
		*out = json_integer((json_int_t)json_string_length(v));
	else if (json_is_array(v))
		*out = json_integer((json_int_t)json_array_size(v));
	else if (gt_is_map(v))
		*out = json_integer((json_int_t)json_object_size(v));
	else
		return gt_fail(st, "error calling len: len of type %s", gt_type_name(v));
	return 0;
}

/* item[idx]: arrays and strings by integer, maps by string key */
static json_t *index_one(struct gt_state *st, json_t *item, json_t *idx)
{
	long long i = 0;
	size_t len;

	if (gt_is_map(item)) {
		const char *k = want_string(st, idx);
		json_t *v = k ? json_object_get(item, k) : NULL;
		return k ? json_incref(v ? v : gt_novalue) : NULL;
	}
	if (!json_is_array(item) && !json_is_string(item))
		return gt_fail(st, "error calling index: %s %s",
		               json_is_null(item) || item == gt_novalue
		                   ? "index of untyped nil"
		                   : "can't index item of type",
		               json_is_null(item) || item == gt_novalue ? "" : gt_type_name(item)),
		       NULL;
	if (want_int(st, idx, &i) < 0)
		return NULL;
	len = json_is_array(item) ? json_array_size(item) : json_string_length(item);
	if (i < 0 || (size_t)i >= len)
		return gt_fail(st, "error calling index: index out of range: %lld", i), NULL;
	if (json_is_string(item))
		return json_integer((unsigned char)json_string_value(item)[i]);
	return json_incref(json_array_get(item, (size_t)i));
}

static int f_index(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	json_t *v;

	if (n < 1)
		return gt_fail(st, "wrong number of args for index: want at least 1 got 0");
	v = json_incref(a[0]);
	for (size_t i = 1; i < n && v; i++) {
		json_t *next = index_one(st, v, a[i]);
		json_decref(v);
		v = next;
	}
	*out = v;
	return v ? 0 : -EINVAL;
}

/* slice x [i [j]]: strings by byte, arrays by element */
static int f_slice(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	long long idx[2] = { 0, -1 };
	size_t len;

	if (n < 1 || n > 3)
		return gt_fail(st, "wrong number of args for slice: want 1 to 3 got %zu", n);
	if (!json_is_string(a[0]) && !json_is_array(a[0]))
		return gt_fail(st, "error calling slice: can't slice item of type %s",
		               gt_type_name(a[0]));
	len = json_is_string(a[0]) ? json_string_length(a[0]) : json_array_size(a[0]);
	idx[1] = (long long)len;
	for (size_t i = 1; i < n; i++)
		if (want_int(st, a[i], &idx[i - 1]) < 0)
			return -EINVAL;
	if (idx[0] < 0 || idx[1] < idx[0] || (size_t)idx[1] > len)
		return gt_fail(st, "error calling slice: index out of range: %lld",
		               idx[1] < idx[0] ? idx[0] : idx[1]);
	if (json_is_string(a[0])) {
		*out = json_stringn_nocheck(json_string_value(a[0]) + idx[0],
		                            (size_t)(idx[1] - idx[0]));
		return 0;
	}
	*out = json_array();
	for (long long i = idx[0]; i < idx[1]; i++)
		json_array_append(*out, json_array_get(a[0], (size_t)i));
	return 0;
}

/* <0, 0, >0 for @x against @y; -2 with an error for what Go cannot compare */
static int compare(struct gt_state *st, json_t *x, json_t *y, bool order, int *res)
{
	bool xn = json_is_number(x), yn = json_is_number(y);

	if (xn && yn) {
		double a = json_number_value(x), b = json_number_value(y);
		if (json_is_integer(x) && json_is_integer(y))
			*res = json_integer_value(x) < json_integer_value(y)
			           ? -1
			           : json_integer_value(x) > json_integer_value(y);
		else
			*res = a < b ? -1 : a > b;
		return 0;
	}
	if (json_is_string(x) && json_is_string(y)) {
		*res = strcmp(json_string_value(x), json_string_value(y));
		return 0;
	}
	if (!order && json_is_boolean(x) && json_is_boolean(y)) {
		*res = json_is_true(x) != json_is_true(y);
		return 0;
	}
	if (!order && (json_is_null(x) || x == gt_novalue) &&
	    (json_is_null(y) || y == gt_novalue)) {
		*res = 0;
		return 0;
	}
	if (order || json_typeof(x) == json_typeof(y))
		return gt_fail(st, "error calling %s: %s type for comparison", order ? "lt" : "eq",
		               order ? "invalid" : "non-comparable");
	return gt_fail(st, "error calling eq: incompatible types for comparison");
}

/* eq x y...: x equals any of the others */
static int f_eq(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	int res = 1;

	if (n < 2)
		return gt_fail(st, "wrong number of args for eq: want at least 2 got %zu", n);
	for (size_t i = 1; i < n; i++) {
		if (compare(st, a[0], a[i], false, &res) < 0)
			return -EINVAL;
		if (res == 0)
			break;
	}
	*out = json_boolean(res == 0);
	return 0;
}

static int f_ne(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	int res = 0;

	if (want_args(st, "ne", n, 2) < 0 || compare(st, a[0], a[1], false, &res) < 0)
		return -EINVAL;
	*out = json_boolean(res != 0);
	return 0;
}

/* lt, le, gt, ge: @sign the ordering wanted, @eq whether equal counts */
static int order(struct gt_state *st, json_t **a, size_t n, json_t **out, int sign, bool eq)
{
	int res = 0;

	if (want_args(st, "lt", n, 2) < 0 || compare(st, a[0], a[1], true, &res) < 0)
		return -EINVAL;
	*out = json_boolean((res == 0 && eq) || (res != 0 && (res < 0) == (sign < 0)));
	return 0;
}

static int f_lt(struct gt_state *st, json_t **a, size_t n, json_t **o)
{
	return order(st, a, n, o, -1, false);
}
static int f_le(struct gt_state *st, json_t **a, size_t n, json_t **o)
{
	return order(st, a, n, o, -1, true);
}
static int f_gt(struct gt_state *st, json_t **a, size_t n, json_t **o)
{
	return order(st, a, n, o, 1, false);
}
static int f_ge(struct gt_state *st, json_t **a, size_t n, json_t **o)
{
	return order(st, a, n, o, 1, true);
}

/* and/or are evaluated lazily by the executor; call has nothing to call */
static int f_never(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	(void)a, (void)n, (void)out;
	return gt_fail(st, "error calling call: non-function of type <nil>");
}

/* Docker's json: encoding/json without HTML escaping, no trailing newline */
static int f_json(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	char *s;

	if (want_args(st, "json", n, 1) < 0)
		return -EINVAL;
	s = a[0] == gt_novalue
	        ? strdup("null")
	        : json_dumps(a[0], JSON_ENCODE_ANY | JSON_COMPACT | JSON_REAL_PRECISION(16));
	if (!s)
		return gt_fail(st, "out of memory");
	*out = json_string_nocheck(s);
	free(s);
	return 0;
}

static int f_split(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	const char *s, *sep, *hit;
	size_t seplen;

	if (want_args(st, "split", n, 2) < 0 || !(s = want_string(st, a[0])) ||
	    !(sep = want_string(st, a[1])))
		return -EINVAL;
	*out = json_array();
	seplen = strlen(sep);
	if (!seplen) {
		/* Go splits into UTF-8 sequences */
		for (; *s; s++) {
			size_t l = 1;
			while (((unsigned char)s[l] & 0xc0) == 0x80)
				l++;
			json_array_append_new(*out, json_stringn_nocheck(s, l));
			s += l - 1;
		}
		return 0;
	}
	while ((hit = strstr(s, sep))) {
		json_array_append_new(*out, json_stringn_nocheck(s, (size_t)(hit - s)));
		s = hit + seplen;
	}
	json_array_append_new(*out, json_string_nocheck(s));
	return 0;
}

static void join_into(FILE *f, json_t **a, size_t n)
{
	json_t *e;
	size_t i;

	(void)n;
	json_array_foreach(a[0], i, e)
	    fprintf(f, "%s%s", i ? json_string_value(a[1]) : "", json_string_value(e));
}

static int f_join(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	json_t *e;
	size_t i;

	if (want_args(st, "join", n, 2) < 0 || !want_string(st, a[1]))
		return -EINVAL;
	if (!json_is_array(a[0]))
		return gt_fail(st, "wrong type for value; expected []string; got %s",
		               gt_type_name(a[0]));
	json_array_foreach(a[0], i, e) if (!json_is_string(e)) return gt_fail(
	    st, "wrong type for value; expected []string; got []interface {}");
	*out = string_of(join_into, a, n);
	return 0;
}

/* lower, upper, title: ASCII letters, as Docker's inputs are */
static int map_case(struct gt_state *st, json_t **a, size_t n, json_t **out, int how)
{
	const char *s;
	char *c;
	bool start = true;

	if (want_args(st,
	              how == 0   ? "lower"
	              : how == 1 ? "upper"
	                         : "title",
	              n, 1) < 0 ||
	    !(s = want_string(st, a[0])) || !(c = strdup(s)))
		return -EINVAL;
	for (char *p = c; *p; p++) {
		bool letter = isalnum((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80;
		if (how == 0)
			*p = (char)tolower((unsigned char)*p);
		else if (how == 1 || start)
			*p = (char)toupper((unsigned char)*p);
		start = !letter;
	}
	*out = json_string_nocheck(c);
	free(c);
	return 0;
}

static int f_lower(struct gt_state *st, json_t **a, size_t n, json_t **o)
{
	return map_case(st, a, n, o, 0);
}
static int f_upper(struct gt_state *st, json_t **a, size_t n, json_t **o)
{
	return map_case(st, a, n, o, 1);
}
static int f_title(struct gt_state *st, json_t **a, size_t n, json_t **o)
{
	return map_case(st, a, n, o, 2);
}

/* pad s before after: spaces around s */
static int f_pad(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	const char *s;
	long long before = 0, after = 0;
	char *buf;

	if (want_args(st, "pad", n, 3) < 0 || !(s = want_string(st, a[0])) ||
	    want_int(st, a[1], &before) < 0 || want_int(st, a[2], &after) < 0)
		return -EINVAL;
	if (before < 0 || after < 0 || before > 4096 || after > 4096)
		return gt_fail(st, "error calling pad: padding must be 0 to 4096");
	if (asprintf(&buf, "%*s%s%*s", (int)before, "", s, (int)after, "") < 0)
		return gt_fail(st, "out of memory");
	*out = json_string_nocheck(buf);
	free(buf);
	return 0;
}

/* truncate s n: the first n bytes of s */
static int f_truncate(struct gt_state *st, json_t **a, size_t n, json_t **out)
{
	const char *s;
	long long len = 0;

	if (want_args(st, "truncate", n, 2) < 0 || !(s = want_string(st, a[0])) ||
	    want_int(st, a[1], &len) < 0)
		return -EINVAL;
	if (len < 0)
		return gt_fail(st, "error calling truncate: negative length");
	*out = (size_t)len >= strlen(s) ? json_incref(a[0]) : json_stringn_nocheck(s, (size_t)len);
	return 0;
}

static const struct {
	const char *name;
	gt_func_fn fn;
} funcs[] = {
	{ "and", f_never },
	{ "call", f_never },
	{ "eq", f_eq },
	{ "ge", f_ge },
	{ "gt", f_gt },
	{ "html", f_html },
	{ "index", f_index },
	{ "join", f_join },
	{ "js", f_js },
	{ "json", f_json },
	{ "le", f_le },
	{ "len", f_len },
	{ "lower", f_lower },
	{ "lt", f_lt },
	{ "ne", f_ne },
	{ "not", f_not },
	{ "or", f_never },
	{ "pad", f_pad },
	{ "print", f_print },
	{ "printf", f_printf },
	{ "println", f_println },
	{ "slice", f_slice },
	{ "split", f_split },
	{ "title", f_title },
	{ "truncate", f_truncate },
	{ "upper", f_upper },
	{ "urlquery", f_urlquery },
};

gt_func_fn gt_func_find(const char *name)
{
	for (size_t i = 0; i < sizeof(funcs) / sizeof(funcs[0]); i++)
		if (!strcmp(funcs[i].name, name))
			return funcs[i].fn;
	return NULL;
}

bool gt_func_is_lazy(const char *name)
{
	return !strcmp(name, "and") || !strcmp(name, "or");
}
