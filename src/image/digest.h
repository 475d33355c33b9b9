/* digest.h - content digests ("sha256:<64 hex>") computed with Nettle's
 * SHA-256: validation of digest strings, streaming hashes, file hashes.
 * Never trusts a digest string it has not validated. */
#ifndef WARREN_DIGEST_H
#define WARREN_DIGEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "werr.h"

#define DIGEST_HEX_LEN 64
#define DIGEST_STR_LEN (7 + DIGEST_HEX_LEN) /* "sha256:" + hex */

struct digest_ctx {
	void *md; /* Nettle's struct sha256_ctx */
	uint64_t bytes;
};

/**
 * digest_valid() - whether @s is "sha256:" followed by 64 lower-case hex digits.
 */
bool digest_valid(const char *s);

/**
 * digest_hex() - the hex part of a valid digest string (after "sha256:").
 */
const char *digest_hex(const char *digest);

/**
 * digest_init() - start a streaming SHA-256.
 * Return: 0 or -ENOMEM.
 */
int digest_init(struct digest_ctx *c);

/**
 * digest_init_error() - @err for digest_init()'s negative return @r.
 * Return: @r.
 */
int digest_init_error(int r, struct werr *err);

void digest_update(struct digest_ctx *c, const void *buf, size_t len);

/**
 * digest_final() - finish into @out ("sha256:…", DIGEST_STR_LEN + 1 bytes)
 * and free the context.
 */
void digest_final(struct digest_ctx *c, char *out);

/**
 * digest_free() - free a context without finishing it (error paths).
 */
void digest_free(struct digest_ctx *c);

/**
 * digest_buf() - the digest of @len bytes at @buf into @out.
 * Return: 0, or as digest_init() (digest_init_error() words it).
 */
int digest_buf(const void *buf, size_t len, char *out);

/**
 * digest_fd() - the digest of everything readable from @fd (from its
 * current offset), and its size in *@size when not NULL.
 * Return: 0 or a negative errno with @err set.
 */
int digest_fd(int fd, char *out, uint64_t *size, struct werr *err);

#endif
