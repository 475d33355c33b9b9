/* filters.c - Docker's --filter KEY=VALUE for ps, images, volume ls and the
 * prunes: the key checked against the command's list, the value checked
 * once, then matched with Docker's rules (same key OR-ed, different keys
 * AND-ed, every label= required). Never accepts a key it cannot apply. */
#include "filters.h"
#include "util.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* "id, name, label" for the messages */
static void filters_key_list(const struct filters *f, char *buf, size_t size)
{
	size_t len = 0;

	buf[0] = '\0';
	for (const struct filter_key *k = f->keys; k->name && len < size; k++)
		len += (size_t)snprintf(buf + len, size - len, "%s%s", len ? ", " : "", k->name);
}

static const struct filter_key *filters_key(const struct filters *f, const char *name, size_t len)
{
	for (const struct filter_key *k = f->keys; k->name; k++)
		if (strlen(k->name) == len && !strncmp(k->name, name, len))
			return k;
	return NULL;
}

/* Go's time.ParseDuration, as Docker reads "until=10m": numbers each with a
 * unit, "0" alone; Return: 0 with *@secs, or -1 */
static int parse_go_duration(const char *s, double *secs)
{
	static const struct {
		const char *unit;
		double secs;
	} units[] = { { "ns", 1e-9 }, { "us", 1e-6 }, { "µs", 1e-6 }, { "ms", 1e-3 },
		      { "h", 3600 },  { "m", 60 },    { "s", 1 } };
	double total = 0;

	if (!strcmp(s, "0")) {
		*secs = 0;
		return 0;
	}
	if (!*s)
		return -1;
	while (*s) {
		char *end;
		double v;
		size_t u;
		if (!isdigit((unsigned char)*s) && *s != '.')
			return -1;
		v = strtod(s, &end);
		if (end == s)
			return -1;
		for (u = 0; u < ARRAY_SIZE(units); u++)
			if (!strncmp(end, units[u].unit, strlen(units[u].unit)))
				break;
		if (u == ARRAY_SIZE(units))
			return -1;
		total += v * units[u].secs;
		s = end + strlen(units[u].unit);
	}
	*secs = total;
	return 0;
}

/* "Z", "+hh:mm", "-hhmm" → seconds east of UTC; Return: 0 or -1 */
static int parse_zone(const char *s, long *off)
{
	int h, m;
	char sign = s[0];

	if (!strcmp(s, "Z")) {
		*off = 0;
		return 0;
	}
	if ((sign != '+' && sign != '-') ||
	    (sscanf(s + 1, "%2d:%2d", &h, &m) != 2 && sscanf(s + 1, "%2d%2d", &h, &m) != 2) ||
	    strlen(s) > 6 || h > 23 || m > 59)
		return -1;
	*off = (sign == '-' ? -1 : 1) * (h * 3600L + m * 60L);
	return 0;
}

/* "2006-01-02[THH:MM:SS[.frac]][zone]"; Return: 0 or -1 */
static int parse_date(const char *s, int64_t *out)
{
	struct tm tm = { 0 };
	const char *p = strptime(s, "%Y-%m-%d", &tm);
	long off = 0;
	bool zone = false;
	time_t t;

	if (!p)
		return -1;
	if (*p == 'T') {
		p = strptime(p + 1, "%H:%M:%S", &tm);
		if (!p)
			return -1;
		if (*p == '.')
			for (p++; isdigit((unsigned char)*p); p++)
				;
	}
	if (*p) {
		if (parse_zone(p, &off) < 0)
			return -1;
		zone = true;
	}
	tm.tm_isdst = -1;
	t = zone ? timegm(&tm) - off : mktime(&tm);
	if (t == (time_t)-1)
		return -1;
	*out = (int64_t)t;
	return 0;
}

int filters_parse_time(const char *s, int64_t now, int64_t *out)
{
	double secs;
	char *end;

	if (*s && strspn(s, "0123456789.") == strlen(s)) {
		/* Unix seconds, with an optional fraction */
		secs = strtod(s, &end);
		if (*end || secs > 1e15)
			return -EINVAL;
		*out = (int64_t)secs;
		return 0;
	}
	if (parse_go_duration(s, &secs) == 0) {
		*out = now - (int64_t)secs;
		return 0;
	}
	return parse_date(s, out) < 0 ? -EINVAL : 0;
}

static int filters_check_enum(const struct filters *f, const struct filter_key *k, const char *arg,
                              const char *v, struct werr *err)
{
	char list[256] = "";
	size_t len = 0;

	for (const char *const *c = k->choices; *c; c++) {
		if (!strcmp(*c, v))
			return 0;
		len +=
		    (size_t)snprintf(list + len, sizeof(list) - len, "%s%s", len ? ", " : "", *c);
	}
	(void)f;
	return werr_set(err, EINVAL, "invalid filter \"%s\": %s is one of %s", arg, k->name, list);
}

/* check @fl's value by its key's kind, filling num or re */
static int filters_check_value(const struct filters *f, struct filter *fl, const char *arg,
                               struct werr *err)
{
	const char *v = fl->value;
	char *end;

	if (!*v)
		return werr_set(err, EINVAL, "invalid filter \"%s\": %s needs a value", arg,
		                fl->key->name);
	switch (fl->key->kind) {
	case FILTER_TEXT: return 0;
	case FILTER_ENUM: return filters_check_enum(f, fl->key, arg, v, err);
	case FILTER_BOOL:
		if (!strcmp(v, "true") || !strcmp(v, "1") || !strcmp(v, "false") ||
		    !strcmp(v, "0")) {
			fl->num = !strcmp(v, "true") || !strcmp(v, "1");
			return 0;
		}
		return werr_set(err, EINVAL, "invalid filter \"%s\": %s is true or false", arg,
		                fl->key->name);
	case FILTER_INT:
		errno = 0;
		fl->num = strtoll(v, &end, 10);
		if (!errno && !*end && fl->num >= -2147483648LL && fl->num <= 2147483647LL)
			return 0;
		return werr_set(err, EINVAL, "invalid filter \"%s\": %s is a number (an exit code)",
		                arg, fl->key->name);
	case FILTER_TIME:
		if (filters_parse_time(v, (int64_t)time(NULL), &fl->num) == 0)
			return 0;
		return werr_set(
		    err, EINVAL,
		    "invalid filter \"%s\": use a duration (10m, 24h), Unix seconds or a "
		    "date (2006-01-02T15:04:05)",
		    arg);
	case FILTER_LABEL:
		if (*v != '=')
			return 0;
		return werr_set(err, EINVAL, "invalid filter \"%s\": use %s=KEY or %s=KEY=VALUE",
		                arg, fl->key->name, fl->key->name);
	case FILTER_REGEX:
		if (regcomp(&fl->re, v, REG_EXTENDED | REG_NOSUB) == 0)
			return 0;
		return werr_set(err, EINVAL,
		                "invalid filter \"%s\": not a valid regular expression", arg);
	}
	return 0;
}

int filters_add(struct filters *f, const char *arg, struct werr *err)
{
	const char *eq = strchr(arg, '=');
	struct filter *nv, *fl;
	char keys[256];

	filters_key_list(f, keys, sizeof(keys));
	if (!eq || eq == arg)
		return werr_set(err, EINVAL,
		                "invalid filter \"%s\": use KEY=VALUE (%s filters: %s)", arg,
		                f->cmd, keys);
	nv = realloc(f->v, (f->n + 1) * sizeof(*f->v));
	if (!nv)
		return werr_errno(err, ENOMEM, "--filter");
	f->v = nv;
	fl = &f->v[f->n];
	memset(fl, 0, sizeof(*fl));
	fl->key = filters_key(f, arg, (size_t)(eq - arg));
	if (!fl->key)
		return werr_set(err, EINVAL, "invalid filter key \"%.*s\": %s filters: %s",
		                (int)(eq - arg), arg, f->cmd, keys);
	fl->value = eq + 1;
	if (filters_check_value(f, fl, arg, err) < 0)
		return -EINVAL;
	f->n++;
	return 0;
}

void filters_free(struct filters *f)
{
	for (size_t i = 0; i < f->n; i++)
		if (f->v[i].key->kind == FILTER_REGEX)
			regfree(&f->v[i].re);
	free(f->v);
	f->v = NULL;
	f->n = 0;
}

const struct filter *filters_next(const struct filters *f, const char *key, size_t *i)
{
	for (; *i < f->n; (*i)++)
		if (!strcmp(f->v[*i].key->name, key))
			return &f->v[(*i)++];
	return NULL;
}

bool filters_has(const struct filters *f, const char *key)
{
	size_t i = 0;

	return filters_next(f, key, &i) != NULL;
}

/* "KEY" or "KEY=VALUE" against @labels */
static bool label_match(const char *want, json_t *labels)
{
	const char *eq = strchr(want, '=');
	char key[256];
	json_t *v;

	snprintf(key, sizeof(key), "%.*s", (int)(eq ? eq - want : (long)strlen(want)), want);
	v = json_object_get(labels, key);
	return v && (!eq || !strcmp(json_string_value(v) ?: "", eq + 1));
}

bool filters_labels_p(const struct filters *f, json_t *labels)
{
	const struct filter *fl;
	size_t i = 0;
	bool any_not = false, all_not = true;

	while ((fl = filters_next(f, "label", &i)))
		if (!label_match(fl->value, labels))
			return false;
	/* Docker's prunes keep an object when every label!= filter matches it */
	for (i = 0; (fl = filters_next(f, "label!", &i));) {
		any_not = true;
		all_not &= label_match(fl->value, labels);
	}
	return !(any_not && all_not);
}

bool filters_regex_p(const struct filters *f, const char *key, const char *s)
{
	const struct filter *fl;
	size_t i = 0;
	bool seen = false;

	while ((fl = filters_next(f, key, &i))) {
		seen = true;
		if (!strcmp(fl->value, s) || regexec(&fl->re, s, 0, NULL, 0) == 0)
			return true;
	}
	return !seen;
}

bool filters_until_p(const struct filters *f, int64_t created)
{
	const struct filter *fl;
	size_t i = 0;

	while ((fl = filters_next(f, "until", &i)))
		if (created >= fl->num)
			return false;
	return true;
}
