/* digest.c - SHA-256 content digests through OpenSSL's EVP interface.
 * The only place that hashes; never accepts an unvalidated digest string. */
#include "digest.h"

#include <errno.h>
#include <openssl/evp.h>
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
	EVP_MD_CTX *md = EVP_MD_CTX_new();

	c->md = NULL;
	c->bytes = 0;
	if (!md)
		return -ENOMEM;
	if (EVP_DigestInit_ex(md, EVP_sha256(), NULL) != 1) {
		EVP_MD_CTX_free(md);
		return -ENOMEM;
	}
	c->md = md;
	return 0;
}

void digest_update(struct digest_ctx *c, const void *buf, size_t len)
{
	EVP_DigestUpdate(c->md, buf, len);
	c->bytes += len;
}

void digest_final(struct digest_ctx *c, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	EVP_DigestFinal_ex(c->md, md, &n);
	memcpy(out, "sha256:", 7);
	for (unsigned int i = 0; i < n && i < 32; i++) {
		out[7 + 2 * i] = hex[md[i] >> 4];
		out[8 + 2 * i] = hex[md[i] & 0xf];
	}
	out[DIGEST_STR_LEN] = '\0';
	digest_free(c);
}

void digest_free(struct digest_ctx *c)
{
	EVP_MD_CTX_free(c->md);
	c->md = NULL;
}

int digest_buf(const void *buf, size_t len, char *out)
{
	struct digest_ctx c;

	if (digest_init(&c) < 0)
		return -ENOMEM;
	digest_update(&c, buf, len);
	digest_final(&c, out);
	return 0;
}

int digest_fd(int fd, char *out, uint64_t *size, struct werr *err)
{
	struct digest_ctx c;
	char buf[1 << 16];

	if (digest_init(&c) < 0)
		return werr_errno(err, ENOMEM, "sha256");
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
