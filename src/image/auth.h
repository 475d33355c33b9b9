/* auth.h - registry credentials in the files users already have:
 * Podman's auth.json ($REGISTRY_AUTH_FILE, else
 * $XDG_RUNTIME_DIR/containers/auth.json, else
 * ~/.config/containers/auth.json) and Docker's ~/.docker/config.json
 * (read only). Never logs a secret. */
#ifndef WARREN_AUTH_H
#define WARREN_AUTH_H

#include <stddef.h>

#include "werr.h"

#define AUTH_FIELD_MAX 512

/**
 * auth_file_path() - the auth.json warren writes (and reads first).
 */
int auth_file_path(char *buf, size_t size, struct werr *err);

/**
 * auth_lookup() - credentials for registry @domain ("docker.io" also
 * matches Docker's "https://index.docker.io/v1/").
 * Return: 1 with @user/@pass filled, 0 when there are none, negative on a
 * malformed file (with @err naming it).
 */
int auth_lookup(const char *domain, char *user, char *pass, struct werr *err);

/**
 * auth_store() - save credentials for @domain in auth.json (0600, atomic).
 */
int auth_store(const char *domain, const char *user, const char *pass, struct werr *err);

/**
 * auth_remove() - drop @domain from auth.json.
 * Return: 1 when removed, 0 when it was not there, or a negative errno.
 */
int auth_remove(const char *domain, struct werr *err);

/**
 * auth_base64() - base64 of "@user:@pass" into @out (size 4 * AUTH_FIELD_MAX).
 */
void auth_base64(const char *user, const char *pass, char *out, size_t size);

#endif
