/* seccomp_cache.c - compiled seccomp filters kept between runs. libseccomp
 * takes ~10 ms to compile Docker's default profile, more than the rest of a
 * container's start; the BPF depends only on the profile text, the
 * capabilities, the kernel release and the binary that compiled it, so it is
 * cached per user under $XDG_CACHE_HOME/warren/seccomp/. A cache file holds
 * its whole key (not a digest of it) and is used only when the key matches
 * byte for byte; any failure just compiles afresh. */
#include "seccomp_profile.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <linux/filter.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#define SC_CACHE_MAGIC "warren-seccomp-bpf-2\n"
#define SC_CACHE_MAX   (4 << 20)

/* the cache directory, created on demand; -1 when the user has none */
static int sc_cache_dir(char *buf, size_t size)
{
	const char *xdg = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
	struct werr ignored;
	int n;

	if (xdg && xdg[0] == '/')
		n = snprintf(buf, size, "%s/warren/seccomp", xdg);
	else if (home && home[0] == '/')
		n = snprintf(buf, size, "%s/.cache/warren/seccomp", home);
	else
		return -1;
	if (n < 0 || (size_t)n >= size)
		return -1;
	return util_mkdir_p(buf, 0700, &ignored) < 0 ? -1 : 0;
}

/* the key: magic, kernel, capabilities and this binary's identity (which
 * stands for the compiled-in profile and libseccomp), then the profile text */
static char *sc_cache_key(const char *profile_json, caps_mask_t caps, size_t *len)
{
	const char *profile = profile_json ? profile_json : "";
	struct utsname u;
	struct stat exe;
	char *key = NULL;
	int n;

	if (uname(&u) < 0 || stat("/proc/self/exe", &exe) < 0)
		return NULL;
	n = asprintf(&key, "%s%s %s caps=%llx exe=%llu:%llu:%lld.%09ld:%lld profile=%zu\n%s",
	             SC_CACHE_MAGIC, u.release, u.machine, (unsigned long long)caps,
	             (unsigned long long)exe.st_dev, (unsigned long long)exe.st_ino,
	             (long long)exe.st_mtim.tv_sec, exe.st_mtim.tv_nsec, (long long)exe.st_size,
	             strlen(profile), profile);
	if (n < 0)
		return NULL;
	*len = (size_t)n;
	return key;
}

/* FNV-1a: names the file only; the key inside decides */
static uint64_t sc_fnv1a(const char *s, size_t len)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (size_t i = 0; i < len; i++)
		h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
	return h;
}

static int sc_cache_load(int dirfd, const char *name, const char *key, size_t klen,
                         struct seccomp_bpf *out)
{
	_cleanup_free_ char *data = NULL;
	struct werr ignored;
	size_t len, n;

	if (util_read_file(dirfd, name, SC_CACHE_MAX, &data, &len, &ignored) < 0)
		return -1;
	if (len <= klen || memcmp(data, key, klen))
		return -1;
	n = (len - klen) / sizeof(struct sock_filter);
	if ((len - klen) % sizeof(struct sock_filter) || n > 0xffff)
		return -1;
	out->insns = malloc(len - klen);
	if (!out->insns)
		return -1;
	memcpy(out->insns, data + klen, len - klen);
	out->count = n;
	return 0;
}

static void sc_cache_store(int dirfd, const char *name, const char *key, size_t klen,
                           const struct seccomp_bpf *prog)
{
	size_t blen = prog->count * sizeof(struct sock_filter);
	_cleanup_free_ char *data = malloc(klen + blen);
	struct werr ignored;

	if (!data)
		return;
	memcpy(data, key, klen);
	memcpy(data + klen, prog->insns, blen);
	util_write_file_atomic(dirfd, name, data, klen + blen, 0600, &ignored);
}

int seccomp_compile_cached(const char *profile_json, caps_mask_t caps, struct seccomp_bpf *out,
                           struct werr *err)
{
	char dir[4096], name[32];
	_cleanup_close_ int dirfd = -1;
	_cleanup_free_ char *key = NULL;
	size_t klen = 0;

	if (sc_cache_dir(dir, sizeof(dir)) < 0 || !(key = sc_cache_key(profile_json, caps, &klen)))
		return seccomp_compile(profile_json, caps, out, err);
	dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	snprintf(name, sizeof(name), "%016llx.bpf", (unsigned long long)sc_fnv1a(key, klen));
	if (dirfd >= 0 && sc_cache_load(dirfd, name, key, klen, out) == 0)
		return 0;
	if (seccomp_compile(profile_json, caps, out, err) < 0)
		return -err->code;
	if (dirfd >= 0)
		sc_cache_store(dirfd, name, key, klen, out);
	return 0;
}
