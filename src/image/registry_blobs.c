/* registry_blobs.c - layer transfers: parallel downloads through libcurl's
 * multi interface, each hashed as it arrives and failed on any mismatch or
 * short body; uploads with skip (HEAD) and cross-repository mount. */
#include "registry.h"
#include "cleanup.h"
#include "util.h"

#include <curl/curl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct fetch_priv {
	struct blob_fetch *b;
	struct digest_ctx dg;
	CURL *easy;
	struct curl_slist *headers;
	bool overflow;
	bool write_failed;
	blob_progress_fn progress;
	void *ctx;
	size_t idx;
};

static size_t fetch_write(char *buf, size_t size, size_t n, void *ud)
{
	struct fetch_priv *p = ud;
	size_t len = size * n;

	if (p->b->size && p->b->got + len > p->b->size) {
		p->overflow = true;
		return 0;
	}
	if (util_write_all(p->b->fd, buf, len) < 0) {
		p->write_failed = true;
		return 0;
	}
	digest_update(&p->dg, buf, len);
	p->b->got += len;
	if (p->progress)
		p->progress(p->ctx, p->b, p->idx);
	return len;
}

static int fetch_start(struct registry *r, CURLM *m, struct fetch_priv *p)
{
	char url[4096];

	if (digest_init(&p->dg) < 0)
		return -ENOMEM;
	p->easy = curl_easy_init();
	if (!p->easy)
		return -ENOMEM;
	snprintf(url, sizeof(url), "%s/v2/%s/blobs/%s", r->base, r->repo, p->b->digest);
	curl_easy_setopt(p->easy, CURLOPT_URL, url);
	curl_easy_setopt(p->easy, CURLOPT_USERAGENT, "warren/0.1");
	curl_easy_setopt(p->easy, CURLOPT_WRITEFUNCTION, fetch_write);
	curl_easy_setopt(p->easy, CURLOPT_WRITEDATA, p);
	curl_easy_setopt(p->easy, CURLOPT_FOLLOWLOCATION, 1L);
	curl_easy_setopt(p->easy, CURLOPT_PRIVATE, p);
	curl_easy_setopt(p->easy, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(p->easy, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(p->easy, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(p->easy, CURLOPT_LOW_SPEED_TIME, 60L);
	if (!r->tls_verify) {
		curl_easy_setopt(p->easy, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(p->easy, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (r->authz)
		p->headers = curl_slist_append(NULL, r->authz);
	curl_easy_setopt(p->easy, CURLOPT_HTTPHEADER, p->headers);
	p->b->state = BLOB_RUNNING;
	p->b->got = 0;
	return curl_multi_add_handle(m, p->easy) == CURLM_OK ? 0 : -ENOMEM;
}

/* judge a finished transfer: status, length, digest */
static void fetch_finish(struct registry *r, struct fetch_priv *p, CURLcode rc)
{
	struct blob_fetch *b = p->b;
	char got[DIGEST_STR_LEN + 1];
	long status = 0;

	curl_easy_getinfo(p->easy, CURLINFO_RESPONSE_CODE, &status);
	digest_final(&p->dg, got);
	b->state = BLOB_FAILED;
	if (p->overflow)
		werr_set(&b->err, EBADMSG,
		         "blob %s from %s is longer than the %llu bytes the manifest says",
		         b->digest, r->domain, (unsigned long long)b->size);
	else if (p->write_failed)
		werr_errno(&b->err, errno, "writing blob %s", b->digest);
	else if (rc == CURLE_PARTIAL_FILE)
		werr_set(&b->err, ECONNRESET,
		         "blob %s from %s is truncated: the connection closed after %llu of %llu "
		         "bytes (try again)",
		         b->digest, r->domain, (unsigned long long)b->got,
		         (unsigned long long)b->size);
	else if (rc != CURLE_OK)
		werr_set(&b->err, ECONNRESET,
		         "downloading blob %s from %s failed after %llu bytes: %s (try again)",
		         b->digest, r->domain, (unsigned long long)b->got, curl_easy_strerror(rc));
	else if (status != 200) {
		struct http_resp resp = { .status = status };
		registry_status_error(r, &resp, b->digest, &b->err);
	} else if (b->size && b->got != b->size)
		werr_set(&b->err, EBADMSG,
		         "blob %s from %s is truncated: %llu of %llu bytes (try again)", b->digest,
		         r->domain, (unsigned long long)b->got, (unsigned long long)b->size);
	else if (strcmp(got, b->digest))
		werr_set(&b->err, EBADMSG,
		         "blob %s from %s does not match its digest (got %s): the registry sent "
		         "damaged or forged content",
		         b->digest, r->domain, got);
	else
		b->state = BLOB_DONE;
	if (p->progress)
		p->progress(p->ctx, b, p->idx);
}

int registry_fetch_blobs(struct registry *r, struct blob_fetch *b, size_t n, int parallel,
                         blob_progress_fn progress, void *ctx, struct werr *err)
{
	CURLM *m = curl_multi_init();
	_cleanup_free_ struct fetch_priv *p = calloc(n ? n : 1, sizeof(*p));
	size_t next = 0, running = 0, failed = n;
	int still = 0;

	if (!m || !p) {
		if (m)
			curl_multi_cleanup(m);
		return werr_errno(err, ENOMEM, "downloads");
	}
	for (size_t i = 0; i < n; i++)
		p[i] =
		    (struct fetch_priv){ .b = &b[i], .progress = progress, .ctx = ctx, .idx = i };
	for (;;) {
		CURLMsg *msg;
		int left;
		while (running < (size_t)parallel && next < n) {
			if (fetch_start(r, m, &p[next]) < 0) {
				werr_errno(&b[next].err, ENOMEM, "download");
				b[next].state = BLOB_FAILED;
			} else {
				running++;
			}
			next++;
		}
		if (running == 0)
			break;
		curl_multi_perform(m, &still);
		while ((msg = curl_multi_info_read(m, &left))) {
			struct fetch_priv *fp;
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&fp);
			fetch_finish(r, fp, msg->data.result);
			curl_multi_remove_handle(m, fp->easy);
			curl_easy_cleanup(fp->easy);
			curl_slist_free_all(fp->headers);
			fp->easy = NULL;
			running--;
		}
		if (running > 0)
			curl_multi_poll(m, NULL, 0, 1000, NULL);
	}
	curl_multi_cleanup(m);
	for (size_t i = 0; i < n; i++)
		if (b[i].state != BLOB_DONE && failed == n)
			failed = i;
	if (failed == n)
		return 0;
	*err = b[failed].err;
	return -(err->code ? err->code : EIO);
}

int registry_blob_exists(struct registry *r, const char *digest, struct werr *err)
{
	struct http_resp resp = { 0 };
	char path[300];
	int ret;

	snprintf(path, sizeof(path), "blobs/%s", digest);
	ret = registry_request(r, "HEAD", path, NULL, NULL, 0, -1, &resp, err);
	if (ret == 0)
		ret = resp.status == 200 ? 1 : 0;
	http_resp_free(&resp);
	return ret;
}

static int upload_put(struct registry *r, const char *location, const char *digest, int fd,
                      uint64_t size, struct werr *err)
{
	static const char *const hdr[] = { "Content-Type: application/octet-stream", NULL };
	struct http_resp resp = { 0 };
	char url[4096], loc[2048];
	int ret;

	snprintf(loc, sizeof(loc), "%s", location);
	if (loc[0] == '/')
		snprintf(url, sizeof(url), "%s%s%sdigest=%s", r->base, loc,
		         strchr(loc, '?') ? "&" : "?", digest);
	else
		snprintf(url, sizeof(url), "%s%sdigest=%s", loc, strchr(loc, '?') ? "&" : "?",
		         digest);
	ret = registry_upload(r, url, hdr, fd, size, &resp, err);
	if (ret == 0 && resp.status != 201)
		ret = registry_status_error(r, &resp, digest, err);
	http_resp_free(&resp);
	return ret;
}

int registry_push_blob(struct registry *r, const char *digest, int fd, uint64_t size,
                       const char *mount_from, struct werr *err)
{
	struct http_resp resp = { 0 };
	char path[1024];
	int ret = registry_blob_exists(r, digest, err);

	if (ret != 0)
		return ret < 0 ? ret : 0;
	if (mount_from && strcmp(mount_from, r->repo))
		snprintf(path, sizeof(path), "blobs/uploads/?mount=%s&from=%s", digest, mount_from);
	else
		snprintf(path, sizeof(path), "blobs/uploads/");
	ret = registry_request(r, "POST", path, NULL, "", 0, -1, &resp, err);
	if (ret < 0)
		return werr_prefix(err, "starting the upload of %s", digest);
	if (resp.status == 201) {
		http_resp_free(&resp);
		return 1; /* mounted */
	}
	if (resp.status != 202 || !resp.location[0]) {
		ret = registry_status_error(r, &resp, "blob upload", err);
		http_resp_free(&resp);
		return ret;
	}
	{
		char loc[2048];
		snprintf(loc, sizeof(loc), "%s", resp.location);
		http_resp_free(&resp);
		return upload_put(r, loc, digest, fd, size, err);
	}
}

int registry_put_manifest(struct registry *r, const char *reference, const char *media_type,
                          const void *body, size_t len, struct werr *err)
{
	struct http_resp resp = { 0 };
	char path[300], ct[200];
	const char *hdr[] = { ct, NULL };
	int ret;

	snprintf(ct, sizeof(ct), "Content-Type: %s", media_type);
	snprintf(path, sizeof(path), "manifests/%s", reference);
	ret = registry_request(r, "PUT", path, hdr, body, len, -1, &resp, err);
	if (ret == 0 && resp.status != 201 && resp.status != 200)
		ret = registry_status_error(r, &resp, "manifest upload", err);
	http_resp_free(&resp);
	return ret;
}
