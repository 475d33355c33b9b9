/* test_store.c - unit tests for the image store (TAP): blobs verified on the
 * way in and out, records found by name, short name and ID, tags moved,
 * staging left by a killed command collected, damage found by the check. */
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "store.h"
#include "util.h"
#include "tap.h"

static json_t *record(const char *id, const char *name)
{
	return json_pack("{s:s, s:s, s:s, s:[s], s:[], s:[]}", "id", id, "manifest", id, "config",
	                 id, "names", name, "digests", "layers");
}

/* FIPS 180-2's vectors, and a stream cut at odd places hashes as a whole */
static void test_digests(void)
{
	static char million[1000000];
	char a[DIGEST_STR_LEN + 1], b[DIGEST_STR_LEN + 1];
	struct digest_ctx c;
	size_t at = 0, step = 1;

	check(digest_buf("abc", 3, a) == 0 &&
	          !strcmp(
	              a, "sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
	      "sha256 of \"abc\" is FIPS 180-2's");
	check(digest_buf("", 0, a) == 0 &&
	          !strcmp(
	              a, "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
	      "sha256 of nothing is the known one");
	memset(million, 'a', sizeof(million));
	check(digest_buf(million, sizeof(million), a) == 0 &&
	          !strcmp(
	              a, "sha256:cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"),
	      "sha256 of a million 'a' is FIPS 180-2's");
	check(digest_init(&c) == 0, "a streaming digest starts");
	while (at < sizeof(million)) {
		size_t n = step < sizeof(million) - at ? step : sizeof(million) - at;
		digest_update(&c, million + at, n);
		at += n;
		step = step * 3 + 1;
	}
	digest_final(&c, b);
	check(!strcmp(a, b) && c.md == NULL,
	      "the same bytes fed in uneven pieces give the same digest");
}

static void test_blobs(struct store *s)
{
	struct werr err;
	char d[DIGEST_STR_LEN + 1], *buf = NULL;
	size_t len;
	const char *wrong =
	    "sha256:0000000000000000000000000000000000000000000000000000000000000000";

	check(store_blob_put(s, wrong, "hello", 5, NULL, &err) == -EBADMSG &&
	          !store_blob_has(s, wrong),
	      "a blob that does not match its digest is refused and not stored");
	check(store_blob_put(s, NULL, "hello", 5, d, &err) == 0 && store_blob_has(s, d) &&
	          !strcmp(
	              d, "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"),
	      "a blob is stored under its sha256");
	check(store_blob_read(s, d, 100, &buf, &len, &err) == 0 && len == 5 &&
	          !memcmp(buf, "hello", 5),
	      "a stored blob reads back verified");
	free(buf);
	{
		char p[PATH_MAX + 100];
		int fd;
		store_blob_path(s, d, p, sizeof(p));
		fd = open(p, O_WRONLY | O_APPEND);
		check(fd >= 0 && write(fd, "!", 1) == 1, "damage a blob behind the store's back");
		close(fd);
	}
	buf = NULL;
	check(store_blob_read(s, d, 100, &buf, &len, &err) == -EBADMSG && !buf &&
	          strstr(err.msg, "damaged"),
	      "a damaged blob is refused when read");
	{
		char *report = NULL;
		int repaired = 0;
		int n = store_check(s, NULL, false, &report, &repaired, &err);
		check(n == 1 && report && strstr(report, "is damaged"),
		      "system check names the damaged blob");
		free(report);
	}
}

static void test_records(struct store *s)
{
	struct werr err;
	json_t *images = NULL;
	const char *a = "sha256:aaaa000000000000000000000000000000000000000000000000000000000000";
	const char *b = "sha256:bbbb000000000000000000000000000000000000000000000000000000000000";
	json_t *ra = record(a, "docker.io/library/alpine:latest");
	json_t *rb = record(b, "quay.io/team/tool:1");

	check(store_image_save(s, ra, &err) == 0 && store_image_save(s, rb, &err) == 0,
	      "records are saved");
	json_decref(ra);
	json_decref(rb);
	check(store_images_load(s, &images, &err) == 0 && json_array_size(images) == 2,
	      "records load back");
	check(store_image_find(images, "alpine", &err) &&
	          !strcmp(json_string_value(
	                      json_object_get(store_image_find(images, "alpine", &err), "id")),
	                  a),
	      "a short name finds docker.io/library/NAME");
	check(store_image_find(images, "tool:1", &err) != NULL,
	      "a short name finds the same path on another registry");
	check(store_image_find(images, "bbbb", &err) != NULL, "a short ID finds the image");
	check(store_image_find(images, "tool", &err) == NULL && strstr(err.msg, "not known"),
	      "another tag is not found, with the fix");
	check(store_name_remove(s, images, "quay.io/team/tool:1", &err) == 0 &&
	          json_array_size(json_object_get(json_array_get(images, 1), "names")) +
	                  json_array_size(json_object_get(json_array_get(images, 0), "names")) ==
	              1,
	      "a name is removed from its record");
	json_decref(images);
	check(store_image_delete(s, b, &err) == 0 && store_images_load(s, &images, &err) == 0 &&
	          json_array_size(images) == 1,
	      "a record is deleted");
	json_decref(images);
}

static void test_staging(struct store *s)
{
	struct werr err;
	struct staging st;
	json_t *images = json_array();
	char p[PATH_MAX + 100];
	int fd;

	check(store_staging_new(s, &st, &err) == 0, "a staging directory is made and locked");
	snprintf(p, sizeof(p), "%s/%s", s->root, st.name);
	/* a killed command: its lock goes with its fd, the directory stays */
	fd = openat(st.fd, "partial", O_CREAT | O_WRONLY, 0600);
	close(fd);
	close(st.fd);
	check(access(p, F_OK) == 0, "a killed command leaves its staging directory");
	check(store_gc(s, images, NULL, &err) == 0 && access(p, F_OK) != 0,
	      "gc removes a staging directory nobody holds");
	check(store_staging_new(s, &st, &err) == 0, "another staging directory");
	snprintf(p, sizeof(p), "%s/%s", s->root, st.name);
	check(store_gc(s, images, NULL, &err) == 0 && access(p, F_OK) == 0,
	      "gc leaves a staging directory that is in use");
	store_staging_done(s, &st, NULL);
	check(access(p, F_OK) != 0, "staging_done removes it");
	json_decref(images);
}

/* issue 26: gc holds the store lock from its look at tmp/ to its last
 * removal, so another command's staging (the mark that makes gc keep
 * layers and blobs) is either there before gc looks or made after it */
static void test_staging_waits_for_gc(struct store *s, const struct gopts *o)
{
	struct werr err;
	struct pollfd pf;
	int pfd[2], status = -1;
	char c = 0;
	pid_t pid;

	check(store_lock(s, &err) == 0 && pipe2(pfd, O_CLOEXEC) == 0, "the store lock is held");
	pid = fork();
	if (pid == 0) {
		struct store s2;
		struct staging st;
		/* the lock is the parent's: its fd copy must not hold it here */
		store_unlock(s);
		close(pfd[0]);
		if (store_open(&s2, o, &err) < 0 || store_staging_new(&s2, &st, &err) < 0)
			_exit(1);
		(void)!write(pfd[1], "x", 1);
		store_staging_done(&s2, &st, NULL);
		_exit(0);
	}
	close(pfd[1]);
	pf = (struct pollfd){ pfd[0], POLLIN, 0 };
	/* a negative: a bounded wait is all there is */
	check(pid > 0 && poll(&pf, 1, 500) == 0,
	      "no staging directory is made while another command (gc) holds the store lock");
	store_unlock(s);
	check(read(pfd[0], &c, 1) == 1 && c == 'x', "it is made once the lock is let go");
	close(pfd[0]);
	check(pid > 0 && waitpid(pid, &status, 0) == pid && status == 0,
	      "the other command ends well");
}

int main(void)
{
	char dir[] = "/tmp/warren-test-store.XXXXXX";
	struct gopts o = { 0 };
	struct store s = { .rootfd = -1, .lockfd = -1 };
	struct werr err;

	if (!mkdtemp(dir))
		return 1;
	snprintf(o.root, sizeof(o.root), "%s/store", dir);
	check(store_open(&s, &o, &err) == 0, "a store is created");
	test_digests();
	test_blobs(&s);
	test_records(&s);
	test_staging(&s);
	test_staging_waits_for_gc(&s, &o);
	store_close(&s);
	util_rm_rf(dir);
	return tap_done();
}
