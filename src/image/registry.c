/* registry.c - requests to a registry (libcurl easy interface): the /v2/
 * ping, bearer and basic auth from the WWW-Authenticate challenge, status
 * errors users can act on, manifests and small blobs. Secrets are only ever
 * put in headers, never in messages. */
#include "registry.h"
#include "cleanup.h"
#include "manifest.h"
#include "util.h"

#include <curl/curl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#define BODY_MAX (16 << 20)

struct xfer {
	struct http_resp *resp;
	struct registry *r;
	int out_fd;
	int in_fd;
	bool too_big;
};

static size_t on_header(char *buf, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	char line[2048], *v;

	snprintf(line, sizeof(line), "%.*s", (int)(len < sizeof(line) ? len : sizeof(line) - 1),
	         buf);
	line[strcspn(line, "\r\n")] = '\0';
	v = strchr(line, ':');
	if (!v)
		return len;
	*v++ = '\0';
	while (*v == ' ')
		v++;
	if (!strcasecmp(line, "content-type"))
		snprintf(x->resp->content_type, sizeof(x->resp->content_type), "%.*s",
		         (int)strcspn(v, ";"), v);
	else if (!strcasecmp(line, "docker-content-digest"))
		snprintf(x->resp->digest, sizeof(x->resp->digest), "%s", v);
	else if (!strcasecmp(line, "location"))
		snprintf(x->resp->location, sizeof(x->resp->location), "%s", v);
	else if (!strcasecmp(line, "www-authenticate"))
		snprintf(x->r->challenge, sizeof(x->r->challenge), "%s", v);
	return len;
}

static size_t on_body(char *buf, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	size_t len = size * n;
	char *nb;

	if (x->out_fd >= 0)
		return util_write_all(x->out_fd, buf, len) == 0 ? len : 0;
	if (x->resp->len + len > BODY_MAX) {
		x->too_big = true;
		return 0;
	}
	nb = realloc(x->resp->body, x->resp->len + len + 1);
	if (!nb)
		return 0;
	x->resp->body = nb;
	memcpy(nb + x->resp->len, buf, len);
	x->resp->len += len;
	nb[x->resp->len] = '\0';
	return len;
}

static size_t on_read(char *buf, size_t size, size_t n, void *ud)
{
	struct xfer *x = ud;
	ssize_t r;

	do
		r = read(x->in_fd, buf, size * n);
	while (r < 0 && errno == EINTR);
	return r < 0 ? CURL_READFUNC_ABORT : (size_t)r;
}

void http_resp_free(struct http_resp *resp)
{
	free(resp->body);
	memset(resp, 0, sizeof(*resp));
}

static int transport_error(const struct registry *r, CURLcode c, const char *url, struct werr *err)
{
	switch (c) {
	case CURLE_COULDNT_CONNECT:
	case CURLE_COULDNT_RESOLVE_HOST:
		return werr_set(err, ECONNREFUSED,
		                "cannot connect to registry %s: %s (check the name and port, and "
		                "that the registry is running)",
		                r->host, curl_easy_strerror(c));
	case CURLE_GOT_NOTHING:
	case CURLE_RECV_ERROR:
	case CURLE_PARTIAL_FILE:
	case CURLE_SEND_ERROR:
		return werr_set(err, ECONNRESET,
		                "connection to registry %s dropped during %s: %s (try again)",
		                r->host, url, curl_easy_strerror(c));
	case CURLE_PEER_FAILED_VERIFICATION:
		return werr_set(err, EKEYREJECTED,
		                "the TLS certificate of registry %s is not trusted: %s (for a "
		                "registry with a self-signed certificate use --tls-verify=false)",
		                r->host, curl_easy_strerror(c));
	case CURLE_SSL_CONNECT_ERROR:
		return werr_set(err, EPROTO,
		                "TLS with registry %s failed: %s (for a registry without TLS use "
		                "--tls-verify=false)",
		                r->host, curl_easy_strerror(c));
	case CURLE_OPERATION_TIMEDOUT:
		return werr_set(err, ETIMEDOUT, "registry %s timed out during %s", r->host, url);
	default:
		return werr_set(err, EIO, "request to registry %s failed: %s", r->host,
		                curl_easy_strerror(c));
	}
}

/* one HTTP exchange, no auth retries */
static int request_once(struct registry *r, const char *method, const char *url,
                        const char *const *headers, const void *body, size_t body_len, int in_fd,
                        int out_fd, struct http_resp *resp, struct werr *err)
{
	CURL *c = r->curl;
	struct curl_slist *h = NULL;
	struct xfer x = { resp, r, out_fd, in_fd, false };
	CURLcode rc;

	http_resp_free(resp);
	curl_easy_reset(c);
	curl_easy_setopt(c, CURLOPT_URL, url);
	curl_easy_setopt(c, CURLOPT_USERAGENT, "warren/0.1");
	curl_easy_setopt(c, CURLOPT_HEADERFUNCTION, on_header);
	curl_easy_setopt(c, CURLOPT_HEADERDATA, &x);
	curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(c, CURLOPT_WRITEDATA, &x);
	curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, strcmp(method, "GET") ? 0L : 1L);
	curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, 30L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_LIMIT, 1L);
	curl_easy_setopt(c, CURLOPT_LOW_SPEED_TIME, 60L);
	curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
	if (!r->tls_verify) {
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);
		curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 0L);
	}
	if (!strcmp(method, "HEAD"))
		curl_easy_setopt(c, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET"))
		curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, method);
	if (in_fd >= 0) {
		curl_easy_setopt(c, CURLOPT_UPLOAD, 1L);
		curl_easy_setopt(c, CURLOPT_READFUNCTION, on_read);
		curl_easy_setopt(c, CURLOPT_READDATA, &x);
		curl_easy_setopt(c, CURLOPT_INFILESIZE_LARGE, (curl_off_t)body_len);
	} else if (body || !strcmp(method, "POST") || !strcmp(method, "PUT")) {
		curl_easy_setopt(c, CURLOPT_POSTFIELDS, body ? body : "");
		curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)body_len);
	}
	if (r->authz)
		h = curl_slist_append(h, r->authz);
	for (size_t i = 0; headers && headers[i]; i++)
		h = curl_slist_append(h, headers[i]);
	h = curl_slist_append(h, "Expect:");
	curl_easy_setopt(c, CURLOPT_HTTPHEADER, h);
	r->challenge[0] = '\0';
	rc = curl_easy_perform(c);
	curl_slist_free_all(h);
	if (x.too_big)
		return werr_set(err, EFBIG, "registry %s sent more than %d bytes for %s", r->host,
		                BODY_MAX, url);
	if (rc != CURLE_OK)
		return transport_error(r, rc, url, err);
	curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &resp->status);
	return 0;
}

/* value of @key="..." in a challenge */
static bool challenge_param(const char *ch, const char *key, char *out, size_t size)
{
	size_t kl = strlen(key);

	for (const char *p = ch; (p = strstr(p, key)); p += kl) {
		if ((p == ch || p[-1] == ' ' || p[-1] == ',') && p[kl] == '=') {
			const char *v = p + kl + 1, *e;
			if (*v == '"') {
				v++;
				e = strchr(v, '"');
			} else {
				e = v + strcspn(v, ",");
			}
			if (!e)
				return false;
			snprintf(out, size, "%.*s", (int)(e - v), v);
			return true;
		}
	}
	return false;
}

static int set_authz(struct registry *r, const char *kind, const char *value)
{
	free(r->authz);
	if (asprintf(&r->authz, "Authorization: %s %s", kind, value) < 0) {
		r->authz = NULL;
		return -ENOMEM;
	}
	return 0;
}

static int fetch_token(struct registry *r, const char *challenge, struct werr *err)
{
	char realm[1024], service[256] = "", scope[600], url[4096];
	/* the old credentials go when the new token comes (or the fetch fails) */
	_cleanup_free_ char *saved __attribute__((unused)) = r->authz;
	struct http_resp resp = { 0 };
	json_t *j;
	const char *tok;
	char *esc_service, *esc_scope;
	int ret;

	r->authz = NULL;
	if (!challenge_param(challenge, "realm", realm, sizeof(realm)))
		return werr_set(err, EPROTO, "registry %s sent a bearer challenge without realm",
		                r->host);
	challenge_param(challenge, "service", service, sizeof(service));
	snprintf(scope, sizeof(scope), "repository:%s:%s", r->repo, r->actions);
	esc_service = curl_easy_escape(r->curl, service, 0);
	esc_scope = curl_easy_escape(r->curl, scope, 0);
	snprintf(url, sizeof(url), "%s%sservice=%s&scope=%s", realm, strchr(realm, '?') ? "&" : "?",
	         esc_service ? esc_service : "", esc_scope ? esc_scope : "");
	curl_free(esc_service);
	curl_free(esc_scope);
	if (r->have_creds) {
		char b64[4 * AUTH_FIELD_MAX];
		auth_base64(r->user, r->pass, b64, sizeof(b64));
		set_authz(r, "Basic", b64);
	}
	ret = request_once(r, "GET", url, NULL, NULL, 0, -1, -1, &resp, err);
	free(r->authz);
	r->authz = NULL;
	if (ret < 0)
		return werr_prefix(err, "getting a token from %s", realm);
	if (resp.status == 401 || resp.status == 403) {
		http_resp_free(&resp);
		return werr_set(err, EACCES,
		                r->have_creds ? "registry %s refused the credentials (log in "
		                                "again: warren login %s)"
		                              : "registry %s requires authentication (log in "
		                                "first: warren login %s)",
		                r->domain, r->domain);
	}
	j = resp.status == 200 ? json_loadb(resp.body, resp.len, 0, NULL) : NULL;
	tok = json_string_value(json_object_get(j, "token"));
	if (!tok)
		tok = json_string_value(json_object_get(j, "access_token"));
	if (!tok) {
		json_decref(j);
		ret = werr_set(err, EPROTO, "the token service %s answered %ld without a token",
		               realm, resp.status);
		http_resp_free(&resp);
		return ret;
	}
	ret = set_authz(r, "Bearer", tok);
	json_decref(j);
	http_resp_free(&resp);
	return ret < 0 ? werr_errno(err, ENOMEM, "token") : 0;
}

/* answer a 401's challenge; 0 when a retry makes sense */
static int answer_challenge(struct registry *r, struct werr *err)
{
	char ch[1024];

	snprintf(ch, sizeof(ch), "%s", r->challenge);
	if (!strncasecmp(ch, "Bearer", 6))
		return fetch_token(r, ch, err);
	if (!strncasecmp(ch, "Basic", 5) && r->have_creds && !r->authz) {
		char b64[4 * AUTH_FIELD_MAX];
		auth_base64(r->user, r->pass, b64, sizeof(b64));
		return set_authz(r, "Basic", b64) < 0 ? werr_errno(err, ENOMEM, "auth") : 0;
	}
	return werr_set(err, EACCES,
	                r->have_creds ? "registry %s refused the credentials (log in again: "
	                                "warren login %s)"
	                              : "registry %s requires authentication (log in first: "
	                                "warren login %s)",
	                r->domain, r->domain);
}

static void full_url(const struct registry *r, const char *path, char *url, size_t size)
{
	if (!strncmp(path, "http://", 7) || !strncmp(path, "https://", 8))
		snprintf(url, size, "%s", path);
	else if (path[0] == '/')
		snprintf(url, size, "%s%s", r->base, path);
	else
		snprintf(url, size, "%s/v2/%s/%s", r->base, r->repo, path);
}

int registry_request(struct registry *r, const char *method, const char *path,
                     const char *const *headers, const void *body, size_t body_len, int out_fd,
                     struct http_resp *resp, struct werr *err)
{
	char url[4096];
	int ret;

	full_url(r, path, url, sizeof(url));
	ret = request_once(r, method, url, headers, body, body_len, -1, out_fd, resp, err);
	if (ret < 0 || resp->status != 401)
		return ret;
	if (answer_challenge(r, err) < 0)
		return -err->code;
	if (out_fd >= 0 && (ftruncate(out_fd, 0) < 0 || lseek(out_fd, 0, SEEK_SET) < 0))
		return werr_errno(err, errno, "rewinding a download");
	return request_once(r, method, url, headers, body, body_len, -1, out_fd, resp, err);
}

int registry_upload(struct registry *r, const char *url, const char *const *headers, int fd,
                    uint64_t size, struct http_resp *resp, struct werr *err)
{
	int ret;

	for (int attempt = 0;; attempt++) {
		if (lseek(fd, 0, SEEK_SET) < 0)
			return werr_errno(err, errno, "rewinding an upload");
		ret = request_once(r, "PUT", url, headers, NULL, size, fd, -1, resp, err);
		if (ret < 0 || resp->status != 401 || attempt > 0)
			return ret;
		if (answer_challenge(r, err) < 0)
			return -err->code;
	}
}

int registry_status_error(const struct registry *r, const struct http_resp *resp, const char *what,
                          struct werr *err)
{
	long s = resp->status;

	if (s == 401 || s == 403)
		return werr_set(err, EACCES,
		                "registry %s denied access to %s (HTTP %ld): log in with warren "
		                "login %s, or check the name",
		                r->domain, what, s, r->domain);
	if (s == 404)
		return werr_set(err, ENOENT, "%s not found on registry %s (check the name and tag)",
		                what, r->domain);
	if (s >= 500)
		return werr_set(err, EIO,
		                "registry %s failed on %s with HTTP %ld (a server error: try again "
		                "later)",
		                r->domain, what, s);
	return werr_set(err, EPROTO, "registry %s answered HTTP %ld for %s", r->domain, s, what);
}

static bool local_host_p(const char *host)
{
	return !strncmp(host, "localhost", 9) || !strncmp(host, "127.", 4) ||
	       !strncmp(host, "[::1]", 5);
}

/* GET /v2/: https, else http where allowed; a challenge is answered now */
static int registry_ping(struct registry *r, struct werr *err)
{
	struct http_resp resp = { 0 };
	char url[600];
	int ret;

	snprintf(r->base, sizeof(r->base), "https://%s", r->host);
	snprintf(url, sizeof(url), "%s/v2/", r->base);
	ret = request_once(r, "GET", url, NULL, NULL, 0, -1, -1, &resp, err);
	/* plain http only where allowed, and never after a certificate was refused */
	if (ret < 0 && r->insecure_ok && err->code != ECONNREFUSED && err->code != EKEYREJECTED) {
		snprintf(r->base, sizeof(r->base), "http://%s", r->host);
		snprintf(url, sizeof(url), "%s/v2/", r->base);
		ret = request_once(r, "GET", url, NULL, NULL, 0, -1, -1, &resp, err);
	}
	if (ret < 0) {
		http_resp_free(&resp);
		return ret;
	}
	if (resp.status == 401)
		ret = answer_challenge(r, err);
	else if (resp.status != 200 && resp.status != 404)
		ret = registry_status_error(r, &resp, "/v2/", err);
	http_resp_free(&resp);
	return ret < 0 ? -err->code : 0;
}

int registry_open(struct registry *r, const struct image_ref *ref, bool tls_verify, bool push,
                  const char *user, const char *pass, struct werr *err)
{
	static bool global_init;
	int ret;

	memset(r, 0, sizeof(*r));
	if (!global_init) {
		curl_global_init(CURL_GLOBAL_DEFAULT);
		global_init = true;
	}
	snprintf(r->domain, sizeof(r->domain), "%s", ref->domain);
	snprintf(r->host, sizeof(r->host), "%s", ref_registry_host(ref->domain));
	snprintf(r->repo, sizeof(r->repo), "%s", ref->path);
	snprintf(r->actions, sizeof(r->actions), "%s", push ? "pull,push" : "pull");
	r->tls_verify = tls_verify;
	r->insecure_ok = !tls_verify || local_host_p(r->host);
	r->curl = curl_easy_init();
	if (!r->curl)
		return werr_errno(err, ENOMEM, "curl");
	if (user) {
		snprintf(r->user, sizeof(r->user), "%s", user);
		snprintf(r->pass, sizeof(r->pass), "%s", pass ? pass : "");
		r->have_creds = true;
	} else {
		ret = auth_lookup(r->domain, r->user, r->pass, err);
		if (ret < 0)
			return ret;
		r->have_creds = ret == 1;
	}
	return registry_ping(r, err);
}

void registry_close(struct registry *r)
{
	if (r->curl)
		curl_easy_cleanup(r->curl);
	r->curl = NULL;
	free(r->authz);
	r->authz = NULL;
	explicit_bzero(r->pass, sizeof(r->pass));
}

int registry_login_check(struct registry *r, struct werr *err)
{
	/* registry_open() answered the challenge: a token or basic credentials
	 * are in r->authz; check them once more on /v2/ */
	struct http_resp resp = { 0 };
	int ret = registry_request(r, "GET", "/v2/", NULL, NULL, 0, -1, &resp, err);

	if (ret == 0 && resp.status != 200)
		ret = resp.status == 401
		          ? werr_set(err, EACCES, "login to %s failed: wrong username or password",
		                     r->domain)
		          : registry_status_error(r, &resp, "/v2/", err);
	http_resp_free(&resp);
	return ret;
}

int registry_get_manifest(struct registry *r, const char *reference, struct http_resp *resp,
                          char *digest_out, struct werr *err)
{
	static const char *const accept[] = { "Accept: " MT_ACCEPT_ALL, NULL };
	char path[300], what[600];
	int ret;

	snprintf(path, sizeof(path), "manifests/%s", reference);
	snprintf(what, sizeof(what), "manifest %s:%s", r->repo, reference);
	ret = registry_request(r, "GET", path, accept, NULL, 0, -1, resp, err);
	if (ret < 0)
		return werr_prefix(err, "fetching %s", what);
	if (resp->status != 200)
		return registry_status_error(r, resp, what, err);
	digest_buf(resp->body ? resp->body : "", resp->len, digest_out);
	if (digest_valid(reference) && strcmp(reference, digest_out))
		return werr_set(err, EBADMSG,
		                "manifest %s from %s does not match its digest (got %s): the "
		                "registry sent damaged or forged content",
		                reference, r->domain, digest_out);
	return 0;
}

int registry_get_blob(struct registry *r, const char *digest, size_t max, struct http_resp *resp,
                      struct werr *err)
{
	char path[300], got[DIGEST_STR_LEN + 1];
	int ret;

	snprintf(path, sizeof(path), "blobs/%s", digest);
	ret = registry_request(r, "GET", path, NULL, NULL, 0, -1, resp, err);
	if (ret < 0)
		return werr_prefix(err, "fetching blob %s", digest);
	if (resp->status != 200)
		return registry_status_error(r, resp, digest, err);
	if (resp->len > max)
		return werr_set(err, EFBIG, "blob %s is larger than %zu bytes", digest, max);
	digest_buf(resp->body ? resp->body : "", resp->len, got);
	if (strcmp(got, digest))
		return werr_set(err, EBADMSG,
		                "blob %s from %s does not match its digest (got %s): the registry "
		                "sent damaged or forged content",
		                digest, r->domain, got);
	return 0;
}
