/* builder_checksum.c - ADD --checksum=sha256:HEX: a downloaded file is
 * checked against the digest before anything of it is used; a mismatch
 * fails the build (BuildKit: only HTTP(S) sources take the flag). */
#include "builder_int.h"
#include "cleanup.h"
#include "digest.h"

#include <fcntl.h>
#include <string.h>
#include <unistd.h>

int badd_checksum_check(struct builder *b, const struct df_instr *x, struct werr *err)
{
	const struct df_flag *f = dockerfile_instr_flag(x, "checksum");

	if (!f || x->kind != DF_ADD)
		return 0;
	if (!f->value || !digest_valid(f->value))
		return werr_set(err, EINVAL,
		                "%s:%u: ADD --checksum=%s: use sha256: and 64 hex digits",
		                b->df->filename, b->line, f->value ? f->value : "");
	for (size_t i = 0; i + 1 < x->nargs; i++)
		if (strncmp(x->args[i], "http://", 7) && strncmp(x->args[i], "https://", 8))
			return werr_set(err, EINVAL,
			                "%s:%u: ADD --checksum is only for http(s) sources, not %s",
			                b->df->filename, b->line, x->args[i]);
	return 0;
}

int badd_checksum_verify(const struct df_instr *x, const char *url, const char *file,
                         struct werr *err)
{
	const struct df_flag *f = dockerfile_instr_flag(x, "checksum");
	_cleanup_close_ int fd = -1;
	char got[DIGEST_STR_LEN + 1];
	uint64_t size;

	if (!f || !f->value)
		return 0;
	fd = open(file, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return werr_errno(err, errno, "open %s", file);
	if (digest_fd(fd, got, &size, err) < 0)
		return -err->code;
	if (strcmp(got, f->value))
		return werr_set(err, EINVAL, "ADD %s: checksum mismatch: expected %s, got %s", url,
		                f->value, got);
	return 0;
}
