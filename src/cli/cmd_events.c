/* cmd_events.c - `warren events`: Docker's event stream without a daemon.
 * Reads the store's journal (events.h; events.log.1, then events.log) from
 * --since, then follows it with inotify until --until or an interrupt. */
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "events.h"
#include "filters.h"
#include "format.h"
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

enum { E_SINCE = 1, E_UNTIL, E_FILTER, E_FORMAT };

static const struct opt_def events_opts[] = {
	{ "filter", 'f', OPT_VALUE, "KEY=VALUE",
	  "container, event, image, label, type or volume (repeat: same key OR, keys AND)",
	  E_FILTER },
	{ "format", 0, OPT_VALUE, "FORMAT", "json, or a Go template ({{json .}}, {{.Action}})",
	  E_FORMAT },
	{ "since", 0, OPT_VALUE, "TIME", "Events since TIME (RFC 3339, Unix seconds, or 10m ago)",
	  E_SINCE },
	{ "until", 0, OPT_VALUE, "TIME", "Stop at TIME (RFC 3339, Unix seconds, or 10m ago)",
	  E_UNTIL },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_events = {
	"events",         "[OPTIONS]", "Get real time events from containers, images and volumes.",
	events_opts,      0,           0,
	OPTS_INTERSPERSED
};

static const char *const event_types[] = { "container", "image", "volume", "network", NULL };

static const struct filter_key event_keys[] = {
	{ "container", FILTER_TEXT, NULL },
	{ "event", FILTER_TEXT, NULL },
	{ "image", FILTER_TEXT, NULL },
	{ "label", FILTER_LABEL, NULL },
	{ "type", FILTER_ENUM, event_types },
	{ "volume", FILTER_TEXT, NULL },
	{ NULL, 0, NULL },
};

struct events_cfg {
	const char *since, *until, *format;
	struct filters filters;
	struct werr filter_err;     /* a refused --filter: exit 1, not a flag error's 125 */
	int64_t since_ns, until_ns; /* until 0: follow until interrupted */
	struct format fo;
	bool templated;
};

/* implements opt_cb for events */
static int events_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct events_cfg *c = ctx;

	switch (def->id) {
	case E_SINCE: c->since = v; return 0;
	case E_UNTIL: c->until = v; return 0;
	case E_FORMAT: c->format = v; return format_check(v, err);
	case E_FILTER:
		if (!c->filter_err.code)
			filters_add(&c->filters, v, &c->filter_err);
		return 0;
	}
	return 0;
}

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int events_time(const char *opt, const char *s, int64_t *ns, struct werr *err)
{
	struct werr ignored;
	int64_t secs;
	double ago;

	/* a duration to the nanosecond: "0s" is now, not the current second */
	if (strspn(s, "0123456789.") != strlen(s) && cli_parse_duration(s, &ago, &ignored) == 0) {
		*ns = now_ns() - (int64_t)(ago * 1e9);
		return 0;
	}
	if (filters_parse_time(s, now_ns() / 1000000000, &secs) < 0)
		return werr_set(err, EINVAL,
		                "invalid --%s \"%s\": use RFC 3339 (2006-01-02T15:04:05Z), Unix "
		                "seconds or a duration back from now such as 10m",
		                opt, s);
	*ns = secs * 1000000000;
	return 0;
}

static const char *attr(json_t *ev, const char *key)
{
	return json_string_value(
	    json_object_get(json_object_get(json_object_get(ev, "Actor"), "Attributes"), key));
}

/* whether any @key filter equals @a or @b (true when none is given); an
 * ID filter also matches a prefix of 12 or more, image ones a name without
 * its :latest */
static bool events_match(const struct filters *f, const char *key, const char *a, const char *b)
{
	const struct filter *fl;
	size_t i = 0, n;
	bool any = false;

	while ((fl = filters_next(f, key, &i))) {
		const char *v = fl->value;
		any = true;
		n = strlen(v);
		for (int k = 0; k < 2; k++) {
			const char *s = k ? b : a;
			if (!s)
				continue;
			if (!strcmp(s, v) || (n >= 12 && !strncmp(s, v, n)) ||
			    (!strncmp(s, "sha256:", 7) && n >= 12 && !strncmp(s + 7, v, n)))
				return true;
			if (!strcmp(key, "image") && !strncmp(s, v, n) && !strcmp(s + n, ":latest"))
				return true;
		}
	}
	return !any;
}

static bool events_wanted(const struct events_cfg *c, json_t *ev)
{
	const struct filters *f = &c->filters;
	const char *type = json_string_value(json_object_get(ev, "Type"));
	const char *action = json_string_value(json_object_get(ev, "Action"));
	const char *id = json_string_value(json_object_get(json_object_get(ev, "Actor"), "ID"));
	char verb[64];
	bool ctr, img, vol;

	if (!type || !action || !id)
		return false;
	/* "exec_start: sh -c ..." is the event exec_start */
	snprintf(verb, sizeof(verb), "%.*s", (int)strcspn(action, ":"), action);
	ctr = !strcmp(type, "container");
	img = !strcmp(type, "image");
	vol = !strcmp(type, "volume");
	if (!events_match(f, "type", type, NULL) || !events_match(f, "event", verb, action))
		return false;
	if (filters_has(f, "container") &&
	    (!ctr || !events_match(f, "container", id, attr(ev, "name"))))
		return false;
	if (filters_has(f, "image") &&
	    !(ctr ? events_match(f, "image", attr(ev, "image"), NULL)
	          : img && events_match(f, "image", id, attr(ev, "name"))))
		return false;
	if (filters_has(f, "volume") && (!vol || !events_match(f, "volume", id, NULL)))
		return false;
	return filters_labels_p(f, json_object_get(json_object_get(ev, "Actor"), "Attributes"));
}

/* implements qsort's comparison for attribute names */
static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Docker's line: TIME TYPE ACTION ID (k=v, ...), the time in RFC 3339 with
 * nanoseconds in the local zone */
static void events_print_line(json_t *ev)
{
	json_t *attrs = json_object_get(json_object_get(ev, "Actor"), "Attributes");
	int64_t ns = json_integer_value(json_object_get(ev, "timeNano"));
	time_t secs = (time_t)(ns / 1000000000);
	const char *keys[256], *k;
	size_t n = 0;
	struct tm tm;
	char when[64], zone[8];
	json_t *v;

	localtime_r(&secs, &tm);
	strftime(when, sizeof(when), "%Y-%m-%dT%H:%M:%S", &tm);
	strftime(zone, sizeof(zone), "%z", &tm);
	printf("%s.%09lld", when, (long long)(ns % 1000000000));
	if (!strcmp(zone, "+0000"))
		printf("Z");
	else
		printf("%.3s:%.2s", zone, zone + 3);
	printf(" %s %s %s", json_string_value(json_object_get(ev, "Type")),
	       json_string_value(json_object_get(ev, "Action")),
	       json_string_value(json_object_get(json_object_get(ev, "Actor"), "ID")));
	json_object_foreach(attrs, k, v) if (n < 256) keys[n++] = k;
	qsort(keys, n, sizeof(keys[0]), cmp_str);
	for (size_t i = 0; i < n; i++)
		printf("%s%s=%s", i ? ", " : " (", keys[i],
		       json_string_value(json_object_get(attrs, keys[i])));
	printf("%s\n", n ? ")" : "");
}

/* Docker's Go field names beside the wire names, for templates */
static void events_go_names(json_t *ev)
{
	static const char *const pairs[] = { "status",   "Status",   "id",    "ID",   "from",
		                             "From",     "scope",    "Scope", "time", "Time",
		                             "timeNano", "TimeNano", NULL };

	for (size_t i = 0; pairs[i]; i += 2) {
		json_t *v = json_object_get(ev, pairs[i]);
		json_object_set_new(ev, pairs[i + 1], v ? json_incref(v) : json_string(""));
	}
}

/* one journal line; Return: 1 once past --until, else 0 */
static int events_line(struct events_cfg *c, const char *line)
{
	json_t *ev = json_loads(line, 0, NULL);
	struct werr err = { 0 };
	int64_t t;

	if (!ev)
		return 0; /* a torn line of a full disk: skipped */
	t = json_integer_value(json_object_get(ev, "timeNano"));
	if (c->until_ns && t > c->until_ns) {
		json_decref(ev);
		return 1;
	}
	if (t >= c->since_ns && events_wanted(c, ev)) {
		if (!c->format) {
			events_print_line(ev);
		} else {
			if (c->templated)
				events_go_names(ev);
			if (format_object(&c->fo, ev, &err) < 0)
				werr_print(&err, "warren");
		}
		fflush(stdout);
	}
	json_decref(ev);
	return 0;
}

struct journal {
	int fd;
	ino_t ino;
	char buf[65536];
	size_t len;
};

/* the complete lines @j's fd has from where it is; Return: 1 past --until */
static int journal_drain(struct events_cfg *c, struct journal *j)
{
	for (;;) {
		ssize_t n = read(j->fd, j->buf + j->len, sizeof(j->buf) - 1 - j->len);
		char *p, *nl;
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return 0;
		j->len += (size_t)n;
		j->buf[j->len] = '\0';
		for (p = j->buf; (nl = strchr(p, '\n')); p = nl + 1) {
			*nl = '\0';
			if (events_line(c, p))
				return 1;
		}
		j->len -= (size_t)(p - j->buf);
		memmove(j->buf, p, j->len);
		if (j->len == sizeof(j->buf) - 1)
			j->len = 0; /* no line is that long: drop it */
	}
}

static void journal_open(struct journal *j, const char *path, bool at_end)
{
	struct stat st;

	j->fd = open(path, O_RDONLY | O_CLOEXEC);
	j->len = 0;
	j->ino = 0;
	if (j->fd >= 0 && fstat(j->fd, &st) == 0) {
		j->ino = st.st_ino;
		if (at_end)
			lseek(j->fd, 0, SEEK_END);
	}
}

/* read from --since, then follow until --until (or forever) */
static int events_follow(struct events_cfg *c, struct werr *err)
{
	char path[PATH_MAX], old[PATH_MAX];
	_cleanup_close_ int in = -1;
	struct journal j = { .fd = -1 };
	int r = events_path(cli_gopts(), false, path, err);

	if (r == 0)
		r = events_path(cli_gopts(), true, old, err);
	if (r == 0)
		r = util_mkdir_p(cli_gopts()->root, 0700, err);
	if (r < 0)
		return r;
	in = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	if (in < 0 || inotify_add_watch(in, cli_gopts()->root,
	                                IN_MODIFY | IN_CREATE | IN_MOVED_TO | IN_MOVED_FROM) < 0)
		return werr_errno(err, errno, "watching %s", cli_gopts()->root);
	if (c->since) {
		journal_open(&j, old, false);
		r = j.fd >= 0 ? journal_drain(c, &j) : 0;
		if (j.fd >= 0)
			close(j.fd);
		if (r)
			return 0;
	}
	journal_open(&j, path, !c->since);
	for (;;) {
		struct pollfd pf = { in, POLLIN, 0 };
		char ev[4096];
		struct stat st;
		int64_t left = c->until_ns ? (c->until_ns - now_ns()) / 1000000 : -1;

		if (j.fd >= 0 && journal_drain(c, &j))
			break;
		/* moved to events.log.1: finish it, then the new file from its start */
		if (stat(path, &st) == 0 && st.st_ino != j.ino) {
			if (j.fd >= 0) {
				if (journal_drain(c, &j))
					break;
				close(j.fd);
			}
			journal_open(&j, path, false);
			continue;
		}
		if (c->until_ns && left < 0)
			break;
		if (poll(&pf, 1, left > 60000 ? 60000 : (int)left) < 0 && errno != EINTR)
			return werr_errno(err, errno, "waiting for events");
		while (read(in, ev, sizeof(ev)) > 0) {
		}
	}
	if (j.fd >= 0)
		close(j.fd);
	return 0;
}

int cmd_events(int argc, char **argv)
{
	struct events_cfg c = { .filters = { "events", event_keys, NULL, 0 } };
	struct werr err = { 0 };
	int ind, r = cli_parse(&cli_cmd_events, argc, argv, &ind, events_opt, &c);

	if (r >= 0)
		goto out;
	r = 0;
	c.since_ns = now_ns();
	if (c.filter_err.code)
		r = cli_error(&c.filter_err);
	else if ((c.since && events_time("since", c.since, &c.since_ns, &err) < 0) ||
	         (c.until && events_time("until", c.until, &c.until_ns, &err) < 0))
		r = cli_error(&err);
	if (r)
		goto out;
	if (c.format) {
		c.templated = strcmp(c.format, "json") && !strstr(c.format, "json .");
		if (format_begin(&c.fo, stdout, c.format, NULL, NULL, &err) < 0) {
			r = cli_error(&err);
			goto out;
		}
	}
	if (events_follow(&c, &err) < 0)
		r = cli_error(&err);
	if (c.format)
		format_end(&c.fo);
out:
	filters_free(&c.filters);
	return r;
}
