/* test_filters.c - Docker's --filter rules (src/cli/filters.c): keys
 * refused by name, values checked by kind, Docker's timestamps, label and
 * until matching. */
#include "filters.h"
#include "tap.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const colors[] = { "red", "blue", NULL };
static const struct filter_key keys[] = {
	{ "dangling", FILTER_BOOL, NULL }, { "until", FILTER_TIME, NULL },
	{ "label", FILTER_LABEL, NULL },   { "label!", FILTER_LABEL, NULL },
	{ "exited", FILTER_INT, NULL },    { "name", FILTER_REGEX, NULL },
	{ "color", FILTER_ENUM, colors },  { NULL, 0, NULL },
};

/* @arg is refused with a message holding @want */
static void refused(const char *arg, const char *want)
{
	struct filters f = { .cmd = "test", .keys = keys };
	struct werr err = { 0 };
	char what[200];

	snprintf(what, sizeof(what), "%s is refused naming \"%s\"", arg, want);
	check(filters_add(&f, arg, &err) == -EINVAL && f.n == 0 && strstr(err.msg, want), what);
	if (!strstr(err.msg, want))
		printf("#   message: %s\n", err.msg);
	filters_free(&f);
}

static void time_is(const char *s, int64_t now, int64_t want)
{
	int64_t got = -1;
	char what[200];

	snprintf(what, sizeof(what), "until=%s is %lld", s, (long long)want);
	check(filters_parse_time(s, now, &got) == 0 && got == want, what);
	if (got != want)
		printf("#   got: %lld\n", (long long)got);
}

static void test_refusals(void)
{
	refused("bogus=1", "\"bogus\"");
	refused("bogus=1", "dangling, until, label, label!, exited, name, color");
	refused("noequals", "KEY=VALUE");
	refused("=x", "KEY=VALUE");
	refused("dangling=", "needs a value");
	refused("dangling=maybe", "true or false");
	refused("exited=3x", "a number");
	refused("until=tomorrow", "a duration");
	refused("label==v", "KEY=VALUE");
	refused("name=[", "regular expression");
	refused("color=green", "red, blue");
}

static void test_times(void)
{
	int64_t out;

	time_is("10m", 1000000, 1000000 - 600);
	time_is("1h30m", 1000000, 1000000 - 5400);
	time_is("1.5h", 1000000, 1000000 - 5400);
	time_is("500ms", 1000000, 1000000);
	time_is("0", 1000000, 0);
	time_is("1700000000", 1, 1700000000);
	time_is("1700000000.75", 1, 1700000000);
	time_is("2024-01-01T00:00:00Z", 1, 1704067200);
	time_is("2024-01-01T01:00:00+01:00", 1, 1704067200);
	time_is("2024-01-01T00:00:00.123456789Z", 1, 1704067200);
	time_is("2024-01-01Z", 1, 1704067200);
	check(filters_parse_time("10x", 1, &out) < 0, "10x is no duration");
	check(filters_parse_time("2024-13-01", 1, &out) < 0, "month 13 is no date");
	check(filters_parse_time("", 1, &out) < 0, "an empty time is refused");
}

static void test_matching(void)
{
	struct filters f = { .cmd = "test", .keys = keys };
	struct werr err = { 0 };
	json_t *labels = json_pack("{s:s, s:s}", "tier", "web", "team", "a");
	size_t i = 0;

	check(filters_labels_p(&f, labels) && filters_until_p(&f, 5) &&
	          filters_regex_p(&f, "name", "x"),
	      "no filters: everything matches");
	filters_add(&f, "label=tier=web", &err);
	filters_add(&f, "label=team", &err);
	check(filters_labels_p(&f, labels), "label=K=V and label=K both held");
	filters_add(&f, "label=tier=db", &err);
	check(!filters_labels_p(&f, labels), "label= filters are all required");
	filters_free(&f);
	filters_add(&f, "label!=tier=web", &err);
	check(!filters_labels_p(&f, labels), "label!=K=V excludes what has it");
	filters_add(&f, "label!=other", &err);
	check(filters_labels_p(&f, labels), "label!= excludes only when all of them match");
	filters_free(&f);
	filters_add(&f, "until=100", &err);
	check(filters_until_p(&f, 99) && !filters_until_p(&f, 100), "until= is strictly before");
	filters_add(&f, "name=^we", &err);
	filters_add(&f, "name=db", &err);
	check(filters_regex_p(&f, "name", "web1") && filters_regex_p(&f, "name", "db") &&
	          !filters_regex_p(&f, "name", "x"),
	      "name= values are OR-ed regular expressions");
	filters_add(&f, "dangling=1", &err);
	check(filters_has(&f, "dangling") && filters_next(&f, "dangling", &i)->num == 1 &&
	          !filters_next(&f, "dangling", &i),
	      "dangling=1 is true, given once");
	filters_free(&f);
	json_decref(labels);
}

int main(void)
{
	test_refusals();
	test_times();
	test_matching();
	return tap_done();
}
