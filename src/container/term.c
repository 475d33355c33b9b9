/* term.c - raw mode and detach keys for attach, run -t and exec -t. Never
 * leaves the user's terminal raw: callers pair enter and leave. */
#include "term.h"

#include <ctype.h>
#include <string.h>
#include <unistd.h>

void term_raw_enter(int fd, struct term_raw *t)
{
	struct termios raw;

	t->fd = fd;
	t->active = false;
	if (!isatty(fd) || tcgetattr(fd, &t->saved) < 0)
		return;
	raw = t->saved;
	cfmakeraw(&raw);
	/* keep output post-processing: the container's pty already did it */
	raw.c_oflag = t->saved.c_oflag;
	if (tcsetattr(fd, TCSANOW, &raw) == 0)
		t->active = true;
}

void term_raw_leave(struct term_raw *t)
{
	if (t->active)
		tcsetattr(t->fd, TCSANOW, &t->saved);
	t->active = false;
}

int term_detach_parse(const char *spec, struct detach_keys *d, struct werr *err)
{
	const char *p = spec;

	memset(d, 0, sizeof(*d));
	while (*p) {
		size_t l = strcspn(p, ",");
		if (d->n == sizeof(d->keys))
			goto bad;
		if (l == 1)
			d->keys[d->n++] = (unsigned char)*p;
		else if (l == 6 && !strncasecmp(p, "ctrl-", 5) &&
		         (isalpha((unsigned char)p[5]) || strchr("@[\\]^_", p[5])))
			d->keys[d->n++] = (unsigned char)(toupper((unsigned char)p[5]) & 0x1f);
		else
			goto bad;
		p += l + (p[l] == ',');
	}
	return 0;
bad:
	return werr_set(err, EINVAL,
	                "invalid detach keys \"%s\": use a comma-separated list of letters or "
	                "ctrl-<letter>, e.g. ctrl-p,ctrl-q",
	                spec);
}

size_t term_detach_scan(struct detach_keys *d, const char *in, size_t n, char *out, bool *detach)
{
	size_t o = 0;

	*detach = false;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)in[i];
		if (d->n && c == d->keys[d->matched]) {
			if (++d->matched == d->n) {
				*detach = true;
				return o;
			}
			continue;
		}
		/* not the sequence after all: the held keys go through */
		memcpy(out + o, d->keys, d->matched);
		o += d->matched;
		d->matched = 0;
		if (d->n && c == d->keys[0]) {
			d->matched = 1;
			continue;
		}
		out[o++] = (char)c;
	}
	return o;
}
