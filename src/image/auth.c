/* auth.c - reading and writing registry credentials in auth.json (Podman's
 * format: {"auths": {"HOST": {"auth": base64("user:pass")}}}) and reading
 * Docker's config.json. Writes are atomic and 0600; never prints. */
#include "auth.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int auth_file_path(char *buf, size_t size, struct werr *err)
{
	const char *env = getenv("REGISTRY_AUTH_FILE"), *xdg = getenv("XDG_RUNTIME_DIR");
	const char *home = getenv("HOME");

	if (env && *env)
		snprintf(buf, size, "%s", env);
	else if (xdg && *xdg && access(xdg, W_OK) == 0)
		snprintf(buf, size, "%s/containers/auth.json", xdg);
	else if (home && *home)
		snprintf(buf, size, "%s/.config/containers/auth.json", home);
	else
		return werr_set(err, ENOENT,
		                "no place for credentials: set XDG_RUNTIME_DIR, HOME or "
		                "REGISTRY_AUTH_FILE");
	return 0;
}

void auth_base64(const char *user, const char *pass, char *out, size_t size)
{
	char plain[2 * AUTH_FIELD_MAX + 2];
	int n = snprintf(plain, sizeof(plain), "%s:%s", user, pass);

	if (size < 4 * AUTH_FIELD_MAX || n < 0)
		return;
	EVP_EncodeBlock((unsigned char *)out, (unsigned char *)plain, n);
}

static int decode_auth(const char *b64, char *user, char *pass)
{
	unsigned char plain[4 * AUTH_FIELD_MAX];
	size_t l = strlen(b64);
	int n;
	char *colon;

	if (l == 0 || l >= sizeof(plain))
		return 0;
	n = EVP_DecodeBlock(plain, (const unsigned char *)b64, (int)l);
	if (n < 0)
		return -EINVAL;
	/* EVP_DecodeBlock counts the padding as zero bytes */
	while (l > 0 && b64[l - 1] == '=' && n > 0) {
		n--;
		l--;
	}
	plain[n] = '\0';
	colon = strchr((char *)plain, ':');
	if (!colon || colon - (char *)plain >= AUTH_FIELD_MAX ||
	    strlen(colon + 1) >= AUTH_FIELD_MAX)
		return -EINVAL;
	snprintf(user, AUTH_FIELD_MAX, "%.*s", (int)(colon - (char *)plain), (char *)plain);
	snprintf(pass, AUTH_FIELD_MAX, "%s", colon + 1);
	return 1;
}

static int lookup_in(const char *path, const char *domain, char *user, char *pass, struct werr *err)
{
	_cleanup_free_ char *text = NULL;
	size_t len;
	json_t *root, *auths, *e;
	struct werr ignored;
	const char *keys[3] = { domain, NULL, NULL };
	int r = 0;

	if (util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, &ignored) < 0)
		return 0;
	root = json_loadb(text, len, 0, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		return werr_set(err, EINVAL, "%s is not valid JSON (fix or remove it)", path);
	}
	if (!strcmp(domain, "docker.io")) {
		keys[1] = "https://index.docker.io/v1/";
		keys[2] = "index.docker.io";
	}
	auths = json_object_get(root, "auths");
	for (size_t i = 0; i < 3 && keys[i] && r == 0; i++) {
		e = json_object_get(auths, keys[i]);
		if (json_is_string(json_object_get(e, "auth")))
			r = decode_auth(json_string_value(json_object_get(e, "auth")), user, pass);
	}
	json_decref(root);
	if (r < 0)
		return werr_set(err, EINVAL, "%s: the credentials for %s are not valid base64",
		                path, domain);
	return r;
}

int auth_lookup(const char *domain, char *user, char *pass, struct werr *err)
{
	char path[4096];
	const char *home = getenv("HOME");
	int r;

	if (auth_file_path(path, sizeof(path), err) == 0) {
		r = lookup_in(path, domain, user, pass, err);
		if (r != 0)
			return r;
	}
	if (home && *home) {
		snprintf(path, sizeof(path), "%s/.config/containers/auth.json", home);
		r = lookup_in(path, domain, user, pass, err);
		if (r != 0)
			return r;
		snprintf(path, sizeof(path), "%s/.docker/config.json", home);
		return lookup_in(path, domain, user, pass, err);
	}
	return 0;
}

static int auth_update(const char *domain, const char *b64, struct werr *err)
{
	char path[4096], dir[4096];
	_cleanup_free_ char *text = NULL, *out = NULL;
	size_t len;
	struct werr ignored;
	json_t *root = NULL, *auths;
	int r, removed = 0;

	if (auth_file_path(path, sizeof(path), err) < 0)
		return -err->code;
	if (util_read_file(AT_FDCWD, path, 1 << 20, &text, &len, &ignored) == 0)
		root = json_loadb(text, len, 0, NULL);
	if (!json_is_object(root)) {
		json_decref(root);
		root = json_object();
	}
	auths = json_object_get(root, "auths");
	if (!json_is_object(auths)) {
		auths = json_object();
		json_object_set_new(root, "auths", auths);
	}
	if (b64)
		json_object_set_new(auths, domain, json_pack("{s:s}", "auth", b64));
	else
		removed = json_object_del(auths, domain) == 0;
	out = json_dumps(root, JSON_INDENT(1));
	json_decref(root);
	if (!out)
		return werr_errno(err, ENOMEM, "auth.json");
	snprintf(dir, sizeof(dir), "%s", path);
	*strrchr(dir, '/') = '\0';
	if (util_mkdir_p(dir, 0700, err) < 0)
		return -err->code;
	r = util_write_file_atomic(AT_FDCWD, path, out, strlen(out), 0600, err);
	return r < 0 ? r : removed;
}

int auth_store(const char *domain, const char *user, const char *pass, struct werr *err)
{
	char b64[4 * AUTH_FIELD_MAX];

	if (strlen(user) >= AUTH_FIELD_MAX || strlen(pass) >= AUTH_FIELD_MAX)
		return werr_set(err, EINVAL, "username or password too long");
	auth_base64(user, pass, b64, sizeof(b64));
	return auth_update(domain, b64, err) < 0 ? -err->code : 0;
}

int auth_remove(const char *domain, struct werr *err)
{
	return auth_update(domain, NULL, err);
}
