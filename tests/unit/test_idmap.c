/* test_idmap.c - unit tests for a stored ID plan (TAP): its JSON round-trips,
 * a malformed one is refused with a message, and the check of its host IDs
 * against the subordinate ranges /etc/subuid grants now. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "idmap.h"
#include "idmap_json.h"
#include "tap.h"

/* the plan idmap_plan_make() makes for uid 1000 with 100000:65536 */
static void full_plan(struct idmap_plan *p, bool keep_id)
{
	struct subid_range r = { 100000, 65536 };

	memset(p, 0, sizeof(*p));
	p->host_uid = p->host_gid = 1000;
	p->keep_id = keep_id;
	p->uid = p->gid = keep_id ? 1000 : 0;
	idmap_layout(&p->uids, 1000, p->uid, &r, 1);
	idmap_layout(&p->gids, 1000, p->gid, &r, 1);
}

/* many ranges: all of them while the map fits the kernel's limits */
static void layout_tests(void)
{
	static struct subid_range many[SUBID_MAX_RANGES];
	static struct idmap m;
	char text[IDMAP_MAX_EXTENTS * 40];
	size_t len = 0;

	for (size_t i = 0; i < 100; i++)
		many[i] = (struct subid_range){ (uint32_t)(100000 + 1000 * i), 500 };
	idmap_layout(&m, 1000, 0, many, 100);
	check(m.n == 101 && m.ext[100].inside == 49501 && m.ext[100].outside == 199000,
	      "100 ranges: the own ID and every range are mapped");
	for (size_t i = 0; i < SUBID_MAX_RANGES; i++)
		many[i] = (struct subid_range){ (uint32_t)(4000000000U + 1000 * i), 500 };
	idmap_layout(&m, 1000, 0, many, SUBID_MAX_RANGES);
	for (size_t i = 0; i < m.n; i++)
		len += (size_t)snprintf(text, sizeof(text), "%u %u %u\n", m.ext[i].inside,
		                        m.ext[i].outside, m.ext[i].count);
	check(m.n > 100 && m.n < SUBID_MAX_RANGES && len <= IDMAP_TEXT_MAX,
	      "340 ranges of long numbers: as many as fit in one page of map");
}

/* write @text to a fresh file; its path in @path */
static void tmp_file(char *path, const char *text)
{
	int fd = mkstemp(path);

	if (fd >= 0) {
		if (write(fd, text, strlen(text)) < 0)
			perror("write");
		close(fd);
	}
}

static uint32_t free_at(const char *subuid, const char *subgid)
{
	char u[] = "/tmp/test_idmap_u.XXXXXX", g[] = "/tmp/test_idmap_g.XXXXXX";
	struct werr err;
	uint32_t at = 0;

	tmp_file(u, subuid);
	tmp_file(g, subgid);
	if (idmap_free_range(u, g, &at, &err) < 0)
		at = 1;
	unlink(u);
	unlink(g);
	return at;
}

static void free_range_tests(void)
{
	check(free_at("", "") == 131072, "empty files: the first aligned range above 100000");
	check(free_at("bob:100000:65536\n", "") == 196608,
	      "the usual first range taken: the next free one");
	check(free_at("bob:196608:65536\n", "carol:131072:1\n") == 262144,
	      "one ID taken in /etc/subgid blocks its range too");
	check(free_at("#x:131072:65536\nbad:131072\n", "") == 131072,
	      "comments and malformed lines take nothing");
	check(free_at("bob:0:4294967295\n", "") == 1, "no free range is an error");
}

static bool same_map(const struct idmap *a, const struct idmap *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (a->ext[i].inside != b->ext[i].inside ||
		    a->ext[i].outside != b->ext[i].outside || a->ext[i].count != b->ext[i].count)
			return false;
	return true;
}

/* @p through JSON text and back */
static bool round_trip(const struct idmap_plan *p)
{
	json_t *j = idmap_plan_to_json(p), *back;
	char *text = json_dumps(j, JSON_COMPACT);
	struct idmap_plan q;
	struct werr err = { 0 };
	int r;

	back = json_loads(text, 0, NULL);
	r = idmap_plan_from_json(back, &q, &err);
	if (r < 0)
		printf("# %s\n", err.msg);
	json_decref(j);
	json_decref(back);
	free(text);
	return r == 0 && q.single == p->single && q.keep_id == p->keep_id &&
	       q.host_uid == p->host_uid && q.host_gid == p->host_gid && q.uid == p->uid &&
	       q.gid == p->gid && same_map(&q.uids, &p->uids) && same_map(&q.gids, &p->gids);
}

/* refused, with a message that contains @word */
static bool refused(const char *text, const char *word)
{
	json_t *j = json_loads(text, 0, NULL);
	struct idmap_plan q;
	struct werr err = { 0 };
	int r = idmap_plan_from_json(j, &q, &err);

	json_decref(j);
	if (r == 0 || !strstr(err.msg, word)) {
		printf("# r=%d msg=[%s]\n", r, err.msg);
		return false;
	}
	return r == -EINVAL;
}

#define HEAD "\"Mode\": \"full\", \"KeepId\": false, \"HostUid\": 1000, \"HostGid\": 1000, "
#define GIDS "\"GidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": 1}]"

int main(void)
{
	struct idmap_plan p;
	struct subid_range now[2] = { { 100000, 65536 }, { 300000, 10 } };

	full_plan(&p, false);
	check(round_trip(&p), "a full plan round-trips through JSON");
	full_plan(&p, true);
	check(round_trip(&p), "a keep-id plan round-trips, keep-id included");
	memset(&p, 0, sizeof(p));
	p.single = true;
	p.host_uid = 1000;
	p.host_gid = 1001;
	p.uids = (struct idmap){ { { 0, 1000, 1 } }, 1 };
	p.gids = (struct idmap){ { { 0, 1001, 1 } }, 1 };
	check(round_trip(&p), "a single-ID plan round-trips");

	check(refused("[1, 2]", "not a JSON object"), "an array is refused");
	check(refused("{\"Mode\": \"half\"}", "Mode"), "an unknown mode is refused");
	check(refused("{\"Mode\": \"full\", \"KeepId\": 1}", "KeepId"),
	      "KeepId that is not a boolean is refused");
	check(refused("{\"Mode\": \"full\", \"KeepId\": false, \"HostUid\": -1, \"HostGid\": 0}",
	              "HostUid"),
	      "a negative host uid is refused");
	check(refused("{\"Mode\": \"full\", \"KeepId\": false, \"HostUid\": \"1000\", "
	              "\"HostGid\": 1000}",
	              "HostUid"),
	      "a host uid as a string is refused");
	check(refused("{" HEAD GIDS "}", "UidMappings"), "missing UidMappings is refused");
	check(refused("{" HEAD "\"UidMappings\": []," GIDS "}", "UidMappings"),
	      "an empty map is refused");
	check(refused("{" HEAD "\"UidMappings\": [{\"containerID\": 0, \"hostID\": 1000}]," GIDS
	              "}",
	              "UidMappings[0]"),
	      "a mapping without a size is refused");
	check(refused("{" HEAD "\"UidMappings\": [{\"containerID\": 0, \"hostID\": 1000, "
	              "\"size\": 0}]," GIDS "}",
	              "size 0"),
	      "a mapping of size 0 is refused");
	check(refused("{" HEAD "\"UidMappings\": [{\"containerID\": 0, \"hostID\": 4294967295, "
	              "\"size\": 2}]," GIDS "}",
	              "past the last ID"),
	      "a mapping past the last host ID is refused");
	check(refused("{" HEAD "\"UidMappings\": [{\"containerID\": 0, \"hostID\": 4294967296, "
	              "\"size\": 1}]," GIDS "}",
	              "UidMappings[0]"),
	      "a host ID past 32 bits is refused");
	check(refused("{" HEAD "\"UidMappings\": [{\"containerID\": 0, \"hostID\": 5000, "
	              "\"size\": 1}]," GIDS "}",
	              "not mapped to HostUid"),
	      "a plan whose root is not the user's own ID is refused");
	check(refused("{\"Mode\": \"single\", \"KeepId\": false, \"HostUid\": 1000, \"HostGid\": "
	              "1000, \"UidMappings\": [{\"containerID\": 0, \"hostID\": 1000, \"size\": "
	              "2}]," GIDS "}",
	              "single-ID"),
	      "a single-ID plan mapping more than one ID is refused");
	{
		struct idmap_plan q;
		struct werr err = { 0 };
		check(idmap_plan_from_json(NULL, &q, &err) == -EINVAL, "no JSON at all is refused");
	}

	full_plan(&p, false);
	check(idmap_first_ungranted(&p.uids, 1000, now, 1) == -1,
	      "a plan inside the granted range holds");
	{
		struct subid_range moved = { 300000, 65536 };
		check(idmap_first_ungranted(&p.uids, 1000, &moved, 1) == 1,
		      "a range moved elsewhere: the subordinate extent is named");
		check(idmap_first_ungranted(&p.uids, 1000, NULL, 0) == 1,
		      "no ranges at all: only the user's own ID holds");
	}
	{
		struct subid_range halves[2] = { { 132768, 32768 }, { 100000, 32768 } };
		struct subid_range shrunk = { 100000, 65535 };
		check(idmap_first_ungranted(&p.uids, 1000, halves, 2) == -1,
		      "two touching ranges in any order cover an extent");
		check(idmap_first_ungranted(&p.uids, 1000, &shrunk, 1) == 1,
		      "a range one ID short does not");
	}
	full_plan(&p, true);
	check(idmap_first_ungranted(&p.uids, 1000, now, 2) == -1,
	      "a keep-id plan's extents around the user's ID hold");
	layout_tests();
	free_range_tests();
	return tap_done();
}
