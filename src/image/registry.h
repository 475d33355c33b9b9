/* registry.h - a client of the OCI distribution API (libcurl): the /v2/
 * ping that picks https or (for localhost or --tls-verify=false) plain
 * http, bearer/basic/anonymous auth from the WWW-Authenticate challenge,
 * manifests, blobs (parallel downloads verified against their digests) and
 * pushes. Knows nothing of the store. */
#ifndef WARREN_REGISTRY_H
#define WARREN_REGISTRY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "auth.h"
#include "digest.h"
#include "reference.h"
#include "werr.h"

struct registry {
	char domain[REF_DOMAIN_MAX]; /* as in the reference */
	char host[REF_DOMAIN_MAX];   /* host to connect to */
	char repo[REF_PATH_MAX];
	char base[REF_DOMAIN_MAX + 16]; /* "https://HOST" once pinged */
	char actions[32];               /* token scope: "pull" or "pull,push" */
	bool tls_verify;
	bool insecure_ok; /* plain http allowed: localhost or --tls-verify=false */
	char user[AUTH_FIELD_MAX], pass[AUTH_FIELD_MAX];
	bool have_creds;
	char *authz; /* "Authorization: ..." header, or NULL */
	char challenge[1024];
	void *curl; /* CURL * */
};

struct http_resp {
	long status;
	char *body; /* NUL-terminated (when not streamed to a file) */
	size_t len;
	char content_type[128];
	char digest[DIGEST_STR_LEN + 8]; /* Docker-Content-Digest */
	char location[2048];
};

/**
 * registry_open() - prepare a client for @ref's repository and ping /v2/.
 * @tls_verify: false also allows plain http (localhost always may)
 * @push: ask for push rights in bearer tokens
 * @user/@pass: explicit credentials (login), else NULL to read auth files
 * Return: 0 or a negative errno with @err saying which registry failed how.
 */
int registry_open(struct registry *r, const struct image_ref *ref, bool tls_verify, bool push,
                  const char *user, const char *pass, struct werr *err);

void registry_close(struct registry *r);

/**
 * registry_login_check() - whether the credentials given to registry_open()
 * are accepted (a token for the registry, or /v2/ with basic auth).
 */
int registry_login_check(struct registry *r, struct werr *err);

/**
 * registry_request() - one request to @path (relative to /v2/REPO/, or an
 * absolute URL), with auth and one retry after a challenge.
 * @out_fd: stream the body there (>= 0), else keep it in @resp->body
 * Return: 0 with @resp filled (any status), or a negative errno for a
 * transport failure with @err set. http_resp_free() it either way.
 */
int registry_request(struct registry *r, const char *method, const char *path,
                     const char *const *headers, const void *body, size_t body_len, int out_fd,
                     struct http_resp *resp, struct werr *err);

void http_resp_free(struct http_resp *resp);

/**
 * registry_upload() - PUT @size bytes from @fd (at offset 0) to @url, with
 * auth and one retry after a challenge.
 */
int registry_upload(struct registry *r, const char *url, const char *const *headers, int fd,
                    uint64_t size, struct http_resp *resp, struct werr *err);

/**
 * registry_status_error() - @err from a failed status: 401 (log in), 404
 * (@what not found), 5xx (the registry is failing) and others.
 */
int registry_status_error(const struct registry *r, const struct http_resp *resp, const char *what,
                          struct werr *err);

/**
 * registry_get_manifest() - GET a manifest by tag or digest; the body is
 * verified against @reference when it is a digest.
 * @digest_out: the manifest's digest (computed)
 */
int registry_get_manifest(struct registry *r, const char *reference, struct http_resp *resp,
                          char *digest_out, struct werr *err);

/**
 * registry_get_blob() - GET a small blob (a config) into memory, verified.
 */
int registry_get_blob(struct registry *r, const char *digest, size_t max, struct http_resp *resp,
                      struct werr *err);

enum blob_state { BLOB_WAITING, BLOB_RUNNING, BLOB_DONE, BLOB_FAILED };

struct blob_fetch {
	const char *digest;
	uint64_t size; /* expected, from the manifest */
	int fd;        /* where the body goes */
	uint64_t got;
	enum blob_state state;
	struct werr err;
	void *priv; /* the transfer's state */
};

/* called as downloads progress and once per blob when it ends (DONE or FAILED) */
typedef void (*blob_progress_fn)(void *ctx, struct blob_fetch *b, size_t idx);

/**
 * registry_fetch_blobs() - download @n blobs, up to @parallel at once, each
 * verified against its digest (a mismatch or a short body fails it).
 * Return: 0 when all are DONE, else the first failure's negative errno with
 * @err copied from it.
 */
int registry_fetch_blobs(struct registry *r, struct blob_fetch *b, size_t n, int parallel,
                         blob_progress_fn progress, void *ctx, struct werr *err);

/**
 * registry_blob_exists() - HEAD the blob. Return: 1, 0, or negative errno.
 */
int registry_blob_exists(struct registry *r, const char *digest, struct werr *err);

/**
 * registry_push_blob() - upload blob @digest from @fd (@size bytes); tries a
 * cross-repository mount from @mount_from (may be NULL) first.
 * Return: 0 when uploaded, 1 when mounted, or a negative errno with @err set.
 */
int registry_push_blob(struct registry *r, const char *digest, int fd, uint64_t size,
                       const char *mount_from, struct werr *err);

/**
 * registry_put_manifest() - PUT a manifest under @reference (tag or digest).
 */
int registry_put_manifest(struct registry *r, const char *reference, const char *media_type,
                          const void *body, size_t len, struct werr *err);

#endif
