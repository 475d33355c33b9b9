/* digest.c - SHA-256 content digests through Nettle's sha256 (linked
 * statically where nettle-dev ships the archive, as on Debian: the few
 * objects it takes cost nothing at exec, where opening libcrypto and
 * running its initialisation cost ~2.5 ms on the first hash of every
 * command that hashes, `run IMAGE` among them; bench/RESULTS.md).
 * The only place that hashes; never accepts an unvalidated digest string. */
#include "digest.h"

#include <errno.h>
#include <nettle/sha2.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool digest_valid(const char *s)
{
	if (!s || strncmp(s, "sha256:", 7))
		return false;
	for (int i = 0; i < DIGEST_HEX_LEN; i++) {
		char c = s[7 + i];
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return false;
	}
	return s[7 + DIGEST_HEX_LEN] == '\0';
}

const char *digest_hex(const char *digest)
{
	return digest + 7;
}

int digest_init(struct digest_ctx *c)
{
	struct sha256_ctx *md = malloc(sizeof(*md));

	c->md = md;
	c->bytes = 0;
	if (!md)
		return -ENOMEM;
	sha256_init(md);
	return 0;
}

void digest_update(struct digest_ctx *c, const void *buf, size_t len)
{
	sha256_update(c->md, len, buf);
	c->bytes += len;
}

void digest_final(struct digest_ctx *c, char *out)
{
	static const char hex[] = "0123456789abcdef";
	uint8_t md[SHA256_DIGEST_SIZE];

	sha256_digest(c->md, sizeof(md), md);
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < SHA256_DIGEST_SIZE; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 0xf];
	}
	out[DIGEST_STR_LEN] = '\0';
	digest_free(c);
}

void digest_free(struct digest_ctx *c)
{
	free(c->md);
	c->md = NULL;
}

int digest_init_error(int r, struct werr *err)
{
	return werr_errno(err, -r, "SHA-256");
}

int digest_buf(const void *buf, size_t len, char *out)
{
	struct digest_ctx c;

	int r = digest_init(&c);

	if (r < 0)
		return r;
	digest_update(&c, buf, len);
	digest_final(&c, out);
	return 0;
}

int digest_fd(int fd, char *out, uint64_t *size, struct werr *err)
{
	struct digest_ctx c;
	char buf[1 << 16];

	int r = digest_init(&c);

	if (r < 0)
		return digest_init_error(r, err);
	for (;;) {
		ssize_t n = read(fd, buf, sizeof(buf));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int e = errno;
			digest_free(&c);
			return werr_errno(err, e, "read");
		}
		if (n == 0)
			break;
		digest_update(&c, buf, (size_t)n);
	}
	if (size)
		*size = c.bytes;
	digest_final(&c, out);
	return 0;
}
