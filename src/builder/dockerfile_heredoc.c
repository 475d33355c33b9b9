/* dockerfile_heredoc.c - finding the heredocs ("<<EOF", "<<-EOF", "3<<'EOF'")
 * a RUN/COPY/ADD line opens, with BuildKit's rules for names and quoting.
 * Reading the bodies is dockerfile.c's job; nothing here does I/O. */
#include "dockerfile_int.h"
#include "strbuf.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static size_t count_quotes(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += *s == '\'' || *s == '"';
	return n;
}

int dfi_heredoc_parse(const char *word, struct df_heredoc *hd, struct werr *err)
{
	const char *p = word, *rest;
	struct shellex_result plain, raw;
	unsigned long fd = 0;
	int r;

	memset(hd, 0, sizeof(*hd));
	while (*p >= '0' && *p <= '9') {
		fd = fd * 10 + (unsigned long)(*p++ - '0');
		if (fd > 1024)
			return 0;
	}
	if (p[0] != '<' || p[1] != '<')
		return 0;
	p += 2;
	if (*p == '-') {
		hd->chomp = true;
		p++;
	}
	rest = p;
	if (!*rest || strchr(rest, '<'))
		return 0;
	r = shellex_process(rest, NULL, '\\', SHELLEX_KEEP_UNSET, &plain, err);
	if (r < 0)
		return werr_prefix(err, "heredoc %.60s", word);
	if (plain.nwords != 1) {
		shellex_result_free(&plain);
		return 0;
	}
	r = shellex_process(rest, NULL, '\\', SHELLEX_KEEP_UNSET | SHELLEX_RAW_QUOTES, &raw, err);
	if (r < 0) {
		shellex_result_free(&plain);
		return r;
	}
	hd->expand = raw.nwords == 1 && count_quotes(raw.words[0]) == count_quotes(plain.words[0]);
	hd->name = plain.words[0];
	plain.words[0] = NULL;
	hd->fd = (int)fd;
	shellex_result_free(&plain);
	shellex_result_free(&raw);
	return 1;
}

/* "<<", "<<-", "3<<": an operator whose delimiter is the next word */
static bool bare_operator(const char *w)
{
	while (*w >= '0' && *w <= '9')
		w++;
	return strcmp(w, "<<") == 0 || strcmp(w, "<<-") == 0;
}

int dfi_heredocs_from_line(const char *line, struct df_heredoc **hds, size_t *n, struct werr *err)
{
	struct shellex_result words;
	struct werr ignored;
	int r;

	*hds = NULL;
	*n = 0;
	/* a line the lexer cannot split has no heredocs (BuildKit ignores the error) */
	if (shellex_process(line, NULL, '\\',
	                    SHELLEX_RAW_QUOTES | SHELLEX_RAW_ESCAPES | SHELLEX_KEEP_UNSET, &words,
	                    &ignored) < 0)
		return 0;
	for (size_t i = 0; i < words.nwords; i++) {
		struct df_heredoc hd, *nh;
		const char *word = words.words[i];
		char *joined = NULL;

		/* "<< EOF" and "<<- EOF": the delimiter is the next word */
		if (bare_operator(word) && i + 1 < words.nwords) {
			if (asprintf(&joined, "%s %s", word, words.words[++i]) < 0) {
				shellex_result_free(&words);
				return werr_errno(err, ENOMEM, "parsing heredocs");
			}
			word = joined;
		}
		r = dfi_heredoc_parse(word, &hd, err);
		free(joined);
		if (r < 0) {
			shellex_result_free(&words);
			return r;
		}
		if (r == 0)
			continue;
		nh = realloc(*hds, (*n + 1) * sizeof(*nh));
		if (!nh) {
			dfi_heredoc_free(&hd);
			shellex_result_free(&words);
			return werr_errno(err, ENOMEM, "parsing heredocs");
		}
		*hds = nh;
		nh[(*n)++] = hd;
	}
	shellex_result_free(&words);
	return 0;
}

const struct df_heredoc *dockerfile_instr_heredoc(const struct df_instr *in, const char *word)
{
	struct df_heredoc hd;
	struct werr err;
	const struct df_heredoc *found = NULL;

	if (dfi_heredoc_parse(word, &hd, &err) <= 0)
		return NULL;
	for (size_t i = 0; i < in->nheredocs && !found; i++)
		if (strcmp(in->heredocs[i].name, hd.name) == 0)
			found = &in->heredocs[i];
	dfi_heredoc_free(&hd);
	return found;
}
