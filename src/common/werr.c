/* werr.c - formatting of the tree-wide error type.
 * Must never print or exit on its own: callers decide. */
#include "werr.h"

#include <stdio.h>
#include <string.h>

static int werr_ret(int code)
{
	return code > 0 ? -code : -EINVAL;
}

int werr_set(struct werr *err, int code, const char *fmt, ...)
{
	va_list ap;

	err->code = code > 0 ? code : EINVAL;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	return werr_ret(code);
}

int werr_errno(struct werr *err, int code, const char *fmt, ...)
{
	va_list ap;
	size_t n;

	err->code = code > 0 ? code : EINVAL;
	va_start(ap, fmt);
	vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
	va_end(ap);
	n = strlen(err->msg);
	snprintf(err->msg + n, sizeof(err->msg) - n, ": %s", strerror(err->code));
	return werr_ret(code);
}

int werr_prefix(struct werr *err, const char *fmt, ...)
{
	char ctx[WERR_MSG_MAX], old[WERR_MSG_MAX];
	va_list ap;

	if (!strcmp(err->msg, "\001reported"))
		return werr_ret(err->code); /* printed by a helper already (werr_reported) */
	va_start(ap, fmt);
	vsnprintf(ctx, sizeof(ctx), fmt, ap);
	va_end(ap);
	memcpy(old, err->msg, sizeof(old));
	snprintf(err->msg, sizeof(err->msg), "%s: %s", ctx, old);
	return werr_ret(err->code);
}

/* an error with this message was printed by a helper process */
#define WERR_REPORTED "\001reported"

int werr_reported(struct werr *err, int code)
{
	err->code = code;
	snprintf(err->msg, sizeof(err->msg), WERR_REPORTED);
	return -code;
}

void werr_print(const struct werr *err, const char *prog)
{
	if (!strcmp(err->msg, WERR_REPORTED))
		return;
	fprintf(stderr, "%s: %s\n", prog, err->msg[0] ? err->msg : "unknown error");
}
