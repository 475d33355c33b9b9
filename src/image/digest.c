/* digest.c - SHA-256 content digests through OpenSSL's EVP interface.
 * The only place that hashes; never accepts an unvalidated digest string.
 * libcrypto is opened on the first hash, not linked: mapping and
 * relocating it (and its CPU probe) cost ~1 ms at every exec of warren, and
 * most commands (run from a directory, ps, exec) hash nothing. */
#include "digest.h"

#include <dlfcn.h>
#include <errno.h>
#include <openssl/evp.h>
#include <openssl/opensslv.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#define DIGEST_STR_(x) #x
#define DIGEST_STR(x)  DIGEST_STR_(x)
/* the soname of the libcrypto whose headers we were built with */
#define DIGEST_LIBCRYPTO "libcrypto.so." DIGEST_STR(OPENSSL_SHLIB_VERSION)

/* the few EVP calls digests make, typed from OpenSSL's own prototypes */
static struct {
	__typeof__(EVP_MD_CTX_new) *md_ctx_new;
	__typeof__(EVP_MD_CTX_free) *md_ctx_free;
	__typeof__(EVP_sha256) *sha256;
	__typeof__(EVP_DigestInit_ex) *init;
	__typeof__(EVP_DigestUpdate) *update;
	__typeof__(EVP_DigestFinal_ex) *final;
} evp;
static pthread_once_t evp_once = PTHREAD_ONCE_INIT;
static bool evp_ok;

static void digest_load(void)
{
	void *h = dlopen(DIGEST_LIBCRYPTO, RTLD_NOW | RTLD_LOCAL);

	if (!h)
		return;
	evp.md_ctx_new = (__typeof__(evp.md_ctx_new))dlsym(h, "EVP_MD_CTX_new");
	evp.md_ctx_free = (__typeof__(evp.md_ctx_free))dlsym(h, "EVP_MD_CTX_free");
	evp.sha256 = (__typeof__(evp.sha256))dlsym(h, "EVP_sha256");
	evp.init = (__typeof__(evp.init))dlsym(h, "EVP_DigestInit_ex");
	evp.update = (__typeof__(evp.update))dlsym(h, "EVP_DigestUpdate");
	evp.final = (__typeof__(evp.final))dlsym(h, "EVP_DigestFinal_ex");
	evp_ok =
	    evp.md_ctx_new && evp.md_ctx_free && evp.sha256 && evp.init && evp.update && evp.final;
}

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
	EVP_MD_CTX *md;

	c->md = NULL;
	c->bytes = 0;
	pthread_once(&evp_once, digest_load);
	if (!evp_ok)
		return -ELIBACC;
	md = evp.md_ctx_new();
	if (!md)
		return -ENOMEM;
	if (evp.init(md, evp.sha256(), NULL) != 1) {
		evp.md_ctx_free(md);
		return -ENOMEM;
	}
	c->md = md;
	return 0;
}

void digest_update(struct digest_ctx *c, const void *buf, size_t len)
{
	evp.update(c->md, buf, len);
	c->bytes += len;
}

void digest_final(struct digest_ctx *c, char *out)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;

	evp.final(c->md, md, &n);
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
	if (c->md)
		evp.md_ctx_free(c->md);
	c->md = NULL;
}

int digest_init_error(int r, struct werr *err)
{
	if (r == -ELIBACC)
		return werr_set(err, ELIBACC,
		                "SHA-256: cannot load " DIGEST_LIBCRYPTO
		                " (install OpenSSL's library: libssl3 on Debian)");
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
