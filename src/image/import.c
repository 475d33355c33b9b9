/* import.c - makes a one-layer image from a rootfs tarball: the tarball is
 * stored as its layer blob as given, its diff ID computed by reading it
 * uncompressed (libarchive's raw reader), and a config and OCI manifest are
 * written for it. Nothing enters the store unless the layer unpacks. */
#include "import.h"
#include "cleanup.h"
#include "commit.h"
#include "manifest.h"
#include "util.h"

#include <archive.h>
#include <archive_entry.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

/* "[\"a\", \"b\"]" as JSON, else the shell form ["/bin/sh", "-c", TEXT] */
static json_t *exec_form(const char *text)
{
	json_t *j = text[0] == '[' ? json_loads(text, 0, NULL) : NULL;

	if (json_is_array(j))
		return j;
	json_decref(j);
	return json_pack("[s, s, s]", "/bin/sh", "-c", text);
}

int import_change(json_t *cfg, const char *change, struct werr *err)
{
	size_t kl = strcspn(change, " \t");
	const char *v = change + kl;
	char key[16];

	while (*v == ' ' || *v == '\t')
		v++;
	if (kl == 0 || kl >= sizeof(key) || !*v)
		return werr_set(err, EINVAL, "invalid --change \"%s\": use INSTRUCTION VALUE",
		                change);
	snprintf(key, sizeof(key), "%.*s", (int)kl, change);
	for (char *p = key; *p; p++)
		*p = (char)(*p >= 'a' && *p <= 'z' ? *p - 32 : *p);
	if (!strcmp(key, "CMD"))
		return json_object_set_new(cfg, "Cmd", exec_form(v)), 0;
	if (!strcmp(key, "ENTRYPOINT"))
		return json_object_set_new(cfg, "Entrypoint", exec_form(v)), 0;
	if (!strcmp(key, "WORKDIR"))
		return json_object_set_new(cfg, "WorkingDir", json_string(v)), 0;
	if (!strcmp(key, "USER"))
		return json_object_set_new(cfg, "User", json_string(v)), 0;
	if (!strcmp(key, "STOPSIGNAL"))
		return json_object_set_new(cfg, "StopSignal", json_string(v)), 0;
	if (!strcmp(key, "ENV") || !strcmp(key, "EXPOSE") || !strcmp(key, "VOLUME")) {
		const char *field =
		    key[0] == 'E' ? key[1] == 'N' ? "Env" : "ExposedPorts" : "Volumes";
		json_t *o = json_object_get(cfg, field);
		char kv[1024];
		if (!strcmp(key, "ENV")) {
			/* ENV KEY=VALUE or ENV KEY VALUE */
			size_t n = strcspn(v, "= \t");
			snprintf(kv, sizeof(kv), "%.*s=%s", (int)n, v,
			         v[n] ? v + n + 1 + strspn(v + n + 1, " \t") : "");
			if (!o)
				json_object_set_new(cfg, field, o = json_array());
			json_array_append_new(o, json_string(kv));
			return 0;
		}
		snprintf(kv, sizeof(kv), "%s%s", v,
		         !strcmp(key, "EXPOSE") && !strchr(v, '/') ? "/tcp" : "");
		if (!o)
			json_object_set_new(cfg, field, o = json_object());
		json_object_set_new(o, kv, json_object());
		return 0;
	}
	return werr_set(err, EINVAL,
	                "invalid --change \"%s\": use CMD, ENTRYPOINT, ENV, EXPOSE, STOPSIGNAL, "
	                "USER, VOLUME or WORKDIR",
	                change);
}

/* copy @fd into staging file @name, hashing it */
static int stage_input(int fd, int dirfd, const char *name, char *digest, uint64_t *size,
                       struct werr *err)
{
	_cleanup_close_ int out = openat(dirfd, name, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	struct digest_ctx dg;
	char buf[1 << 16];

	if (out < 0)
		return werr_errno(err, errno, "create %s", name);
	if (digest_init(&dg) < 0)
		return werr_errno(err, ENOMEM, "sha256");
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 || (n > 0 && util_write_all(out, buf, (size_t)n) < 0)) {
			int e = errno;
			digest_free(&dg);
			return werr_errno(err, e, "reading the tarball");
		}
		if (n == 0)
			break;
		digest_update(&dg, buf, (size_t)n);
	}
	*size = dg.bytes;
	digest_final(&dg, digest);
	return 0;
}

/* the digest of the tarball uncompressed: its diff ID */
static int diff_id_of(int dirfd, const char *name, char *diff_id, const char **media_type,
                      struct werr *err)
{
	_cleanup_close_ int fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC);
	struct archive *a = archive_read_new();
	struct archive_entry *e;
	struct digest_ctx dg;
	char buf[1 << 16];
	int r = 0;

	archive_read_support_filter_all(a);
	archive_read_support_format_raw(a);
	if (fd < 0 || digest_init(&dg) < 0) {
		archive_read_free(a);
		return werr_errno(err, errno ? errno : ENOMEM, "%s", name);
	}
	if (archive_read_open_fd(a, fd, sizeof(buf)) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		r = werr_set(err, EINVAL, "the tarball cannot be read: %s",
		             archive_error_string(a));
	while (r == 0) {
		la_ssize_t n = archive_read_data(a, buf, sizeof(buf));
		if (n < 0)
			r = werr_set(err, EINVAL, "the tarball cannot be read: %s",
			             archive_error_string(a));
		if (n <= 0)
			break;
		digest_update(&dg, buf, (size_t)n);
	}
	switch (archive_filter_code(a, 0)) {
	case ARCHIVE_FILTER_GZIP: *media_type = MT_OCI_LAYER_GZIP; break;
	case ARCHIVE_FILTER_ZSTD: *media_type = MT_OCI_LAYER_ZSTD; break;
	case ARCHIVE_FILTER_NONE: *media_type = MT_OCI_LAYER; break;
	default:
		if (r == 0)
			r = werr_set(err, EINVAL,
			             "the tarball's compression is not supported in an image (use "
			             "plain tar, gzip or zstd)");
	}
	archive_read_free(a);
	digest_final(&dg, diff_id);
	return r;
}

static json_t *import_config(const char *diff_id, const char *message)
{
	const char *os, *arch, *var;
	char now[32];
	time_t t = time(NULL);
	json_t *c;

	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", gmtime(&t));
	manifest_host_platform(&os, &arch, &var);
	c = json_pack("{s:s, s:s, s:s, s:{}, s:{s:s, s:[s]}, s:[{s:s, s:s}]}", "created", now,
	              "architecture", arch, "os", os, "config", "rootfs", "type", "layers",
	              "diff_ids", diff_id, "history", "created", now, "created_by",
	              "warren import");
	if (c && message)
		json_object_set_new(json_array_get(json_object_get(c, "history"), 0), "comment",
		                    json_string(message));
	return c;
}

int import_tarball(struct store *s, const struct idmap_plan *plan, int fd, const char *name,
                   char *const *changes, size_t n_changes, const char *message, char *id,
                   struct werr *err)
{
	struct staging st = { -1, "" };
	char digest[DIGEST_STR_LEN + 1], diff_id[DIGEST_STR_LEN + 1], cdigest[DIGEST_STR_LEN + 1];
	const char *mt = MT_OCI_LAYER;
	_cleanup_free_ char *ctext = NULL, *mtext = NULL;
	json_t *cfg = NULL, *m = NULL;
	uint64_t size = 0;
	int r = store_staging_new(s, &st, err);

	if (r == 0)
		r = stage_input(fd, st.fd, "layer.blob", digest, &size, err);
	if (r == 0)
		r = diff_id_of(st.fd, "layer.blob", diff_id, &mt, err);
	if (r == 0 && !(cfg = import_config(diff_id, message)))
		r = werr_errno(err, ENOMEM, "config");
	for (size_t i = 0; r == 0 && i < n_changes; i++)
		r = import_change(json_object_get(cfg, "config"), changes[i], err);
	if (r == 0 && !(ctext = json_dumps(cfg, JSON_COMPACT)))
		r = werr_errno(err, ENOMEM, "config");
	if (r == 0) {
		digest_buf(ctext, strlen(ctext), cdigest);
		m = json_pack("{s:i, s:s, s:{s:s, s:s, s:I}, s:[{s:s, s:s, s:I}]}", "schemaVersion",
		              2, "mediaType", MT_OCI_MANIFEST, "config", "mediaType", MT_OCI_CONFIG,
		              "digest", cdigest, "size", (json_int_t)strlen(ctext), "layers",
		              "mediaType", mt, "digest", digest, "size", (json_int_t)size);
		mtext = m ? json_dumps(m, JSON_COMPACT) : NULL;
		if (!mtext)
			r = werr_errno(err, ENOMEM, "manifest");
	}
	if (r == 0) {
		const char *file = store_blob_has(s, digest) ? NULL : "layer.blob";
		struct staged_image si = { mtext, strlen(mtext), ctext,       strlen(ctext),
			                   &file, &name,         name ? 1 : 0 };
		r = commit_staged(s, &st, plan, &si, id, err);
	}
	json_decref(cfg);
	json_decref(m);
	store_staging_done(s, &st, plan);
	return r;
}
