/* dockerfile.c - a Dockerfile's text into stages of instructions: parser
 * directives, comments, line continuations and heredoc bodies as BuildKit
 * reads them, then FROM/ARG structure. Errors carry "FILE:LINE:". */
#include "dockerfile_int.h"
#include "cleanup.h"
#include "strbuf.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

struct reader {
	const char *t;
	size_t len, pos;
	unsigned lineno;
	/* the current physical line: with its newline (raw) and without */
	const char *raw;
	size_t rawlen;
	char *line;
};

struct parser {
	struct dockerfile *df;
	struct reader rd;
	bool directives_done;
	bool seen_escape, seen_syntax, seen_check;
	struct werr *err;
};

static int df_fail(struct parser *p, unsigned line, const char *msg)
{
	return werr_set(p->err, EINVAL, "%s:%u: %s", p->df->filename, line, msg);
}

static int df_failerr(struct parser *p, unsigned line, int r)
{
	if (r == -ENOMEM)
		return r;
	return werr_prefix(p->err, "%s:%u", p->df->filename, line);
}

/* 1 with rd->line set to the next physical line, 0 at the end, <0 on ENOMEM */
static int reader_next(struct reader *rd)
{
	const char *s, *nl;
	size_t n;

	free(rd->line);
	rd->line = NULL;
	if (rd->pos >= rd->len)
		return 0;
	s = rd->t + rd->pos;
	nl = memchr(s, '\n', rd->len - rd->pos);
	rd->rawlen = nl ? (size_t)(nl - s) + 1 : rd->len - rd->pos;
	rd->raw = s;
	rd->pos += rd->rawlen;
	n = rd->rawlen;
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	if (rd->lineno == 0 && n >= 3 && memcmp(s, "\xef\xbb\xbf", 3) == 0) {
		s += 3;
		n -= 3;
	}
	rd->lineno++;
	rd->line = strndup(s, n);
	return rd->line ? 1 : -ENOMEM;
}

static const char *skip_space(const char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	return s;
}

/* "# key=value" at the top of the file (BuildKit's reDirectives) */
static int df_directive(struct parser *p, const char *line)
{
	const char *s = line, *k, *v;
	size_t kn, vn;
	bool *seen;

	if (p->directives_done)
		return 0;
	if (*s++ != '#')
		goto done;
	s = skip_space(s);
	k = s;
	if (!isalpha((unsigned char)*s))
		goto done;
	while (isalnum((unsigned char)*s))
		s++;
	kn = (size_t)(s - k);
	s = skip_space(s);
	if (*s++ != '=')
		goto done;
	v = skip_space(s);
	vn = strlen(v);
	while (vn && isspace((unsigned char)v[vn - 1]))
		vn--;
	if (!vn)
		goto done;
	if (kn == 6 && strncasecmp(k, "escape", 6) == 0)
		seen = &p->seen_escape;
	else if (kn == 6 && strncasecmp(k, "syntax", 6) == 0)
		seen = &p->seen_syntax;
	else if (kn == 5 && strncasecmp(k, "check", 5) == 0)
		seen = &p->seen_check;
	else
		goto done;
	if (*seen) {
		char msg[64];
		snprintf(msg, sizeof(msg), "only one %.*s parser directive can be used", (int)kn,
		         k);
		return df_fail(p, p->rd.lineno, msg);
	}
	*seen = true;
	if (seen == &p->seen_escape) {
		if (vn != 1 || (v[0] != '\\' && v[0] != '`'))
			return df_fail(p, p->rd.lineno,
			               "invalid escape token: it must be ` or \\ (# escape=`)");
		p->df->escape = v[0];
	} else if (seen == &p->seen_syntax) {
		p->df->syntax = strndup(v, vn);
		if (!p->df->syntax)
			return -ENOMEM;
	}
	return 0;
done:
	p->directives_done = true;
	return 0;
}

/* strips a trailing escape (and blanks after it); true if the line continues */
static bool df_continues(char *line, char esc)
{
	size_t n = strlen(line), m = n;

	while (m && (line[m - 1] == ' ' || line[m - 1] == '\t'))
		m--;
	if (!m || line[m - 1] != esc || (m >= 2 && line[m - 2] == esc))
		return false;
	line[m - 1] = '\0';
	return true;
}

/* the logical line starting at the current physical line; NULL result: skip */
static int df_logical_line(struct parser *p, char **out, unsigned *start)
{
	struct reader *rd = &p->rd;
	struct strbuf b = { 0 };
	char *first;
	bool more;
	int r;

	*out = NULL;
	first = (char *)skip_space(rd->line);
	if ((r = df_directive(p, first)) < 0)
		return r;
	if (*first == '#')
		*first = '\0';
	*start = rd->lineno;
	more = df_continues(first, p->df->escape);
	if (!more && !*first)
		return 0;
	strbuf_adds(&b, first);
	while (more) {
		const char *t;
		if ((r = reader_next(rd)) < 0) {
			strbuf_free(&b);
			return r;
		}
		if (r == 0) /* a continuation at the end of the file ends the line, as
		             * BuildKit's parser takes it */
			break;
		t = skip_space(rd->line);
		if (*t == '#' || !*t)
			continue;
		more = df_continues(rd->line, p->df->escape);
		strbuf_adds(&b, rd->line);
	}
	if (b.oom) {
		strbuf_free(&b);
		return -ENOMEM;
	}
	if (!*skip_space(b.s ? b.s : "")) {
		strbuf_free(&b);
		return 0;
	}
	*out = strbuf_steal(&b);
	return *out ? 0 : -ENOMEM;
}

static void df_chomp(char *s)
{
	char *w = s;
	bool bol = true;

	for (; *s; s++) {
		if (bol && *s == '\t')
			continue;
		bol = *s == '\n';
		*w++ = *s;
	}
	*w = '\0';
}

/* reads the bodies of the heredocs @in's line opens */
static int df_heredoc_bodies(struct parser *p, struct df_instr *in, unsigned start)
{
	struct df_instr *target = dfi_heredoc_target(in);
	int r;

	if (!target)
		return 0;
	r = dfi_heredocs_from_line(in->original, &target->heredocs, &target->nheredocs, p->err);
	if (r < 0)
		return df_failerr(p, start, r);
	for (size_t i = 0; i < target->nheredocs; i++) {
		struct df_heredoc *hd = &target->heredocs[i];
		struct strbuf body = { 0 };
		bool done = false;

		while (!done && (r = reader_next(&p->rd)) > 0) {
			const char *t = p->rd.line;
			if (hd->chomp)
				while (*t == '\t')
					t++;
			if (strcmp(t, hd->name) == 0)
				done = true;
			else
				strbuf_addn(&body, p->rd.raw, p->rd.rawlen);
		}
		if (r < 0 || !(hd->content = strbuf_steal(&body)))
			return -ENOMEM;
		if (!done) {
			char msg[160];
			snprintf(
			    msg, sizeof(msg),
			    "unterminated heredoc <<%.60s (end it with a line holding only %.60s)",
			    hd->name, hd->name);
			return df_fail(p, start, msg);
		}
		if (hd->chomp)
			df_chomp(hd->content);
		if (in != target) {
			/* ONBUILD records its trigger with the bodies, as Docker does */
			struct strbuf e = { 0 };
			strbuf_adds(&e, in->args[0]);
			strbuf_addc(&e, '\n');
			strbuf_adds(&e, hd->content);
			strbuf_adds(&e, hd->name);
			free(in->args[0]);
			if (!(in->args[0] = strbuf_steal(&e)))
				return -ENOMEM;
		}
	}
	return 0;
}

static int df_push(struct df_instr ***v, size_t *n, struct df_instr *in)
{
	struct df_instr **nv = realloc(*v, (*n + 1) * sizeof(**v));

	if (!nv)
		return -ENOMEM;
	nv[(*n)++] = in;
	*v = nv;
	return 0;
}

static bool df_stage_name_ok(const char *s)
{
	if (!(*s >= 'a' && *s <= 'z'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || strchr("-_.", *s)))
			return false;
	return true;
}

static int df_new_stage(struct parser *p, struct df_instr *in)
{
	struct dockerfile *df = p->df;
	struct df_stage *st, *ns;
	const struct df_flag *plat;

	if (in->nargs != 1 && !(in->nargs == 3 && strcasecmp(in->args[1], "as") == 0))
		return df_fail(
		    p, in->line,
		    "FROM requires either one or three arguments (FROM IMAGE [AS NAME])");
	ns = realloc(df->stages, (df->nstages + 1) * sizeof(*ns));
	if (!ns)
		return -ENOMEM;
	df->stages = ns;
	st = &df->stages[df->nstages];
	memset(st, 0, sizeof(*st));
	st->index = df->nstages++;
	st->from = in;
	st->base = strdup(in->args[0]);
	plat = dockerfile_instr_flag(in, "platform");
	if (plat)
		st->platform = strdup(plat->value);
	if (!st->base || (plat && !st->platform))
		return -ENOMEM;
	if (in->nargs == 3) {
		char msg[160];
		if (!(st->name = strdup(in->args[2])))
			return -ENOMEM;
		for (char *c = st->name; *c; c++)
			*c = (char)tolower((unsigned char)*c);
		if (!df_stage_name_ok(st->name)) {
			snprintf(msg, sizeof(msg),
			         "invalid name for build stage: \"%.60s\", name can't start with a "
			         "number or contain symbols",
			         in->args[2]);
			return df_fail(p, in->line, msg);
		}
		/* BuildKit's DuplicateStageName check: a warning, and a later
		 * reference means the last stage of that name defined before it */
		for (size_t i = 0; i + 1 < df->nstages; i++)
			if (df->stages[i].name && strcmp(df->stages[i].name, st->name) == 0) {
				snprintf(
				    msg, sizeof(msg),
				    "DuplicateStageName: Duplicate stage name \"%.60s\", stage "
				    "names should be unique (line %u)",
				    st->name, in->line);
				strv_push(&df->warnings, msg);
				if (df->warnings.oom)
					return -ENOMEM;
				break;
			}
	}
	return 0;
}

/* places a parsed instruction into the stage structure */
static int df_place(struct parser *p, struct df_instr *in)
{
	struct dockerfile *df = p->df;
	char msg[160];

	if (df_push(&df->all, &df->nall, in) < 0) {
		dockerfile_instr_free(in);
		return -ENOMEM;
	}
	if (in->kind == DF_FROM)
		return df_new_stage(p, in);
	if (df->nstages)
		return df_push(&df->stages[df->nstages - 1].instrs,
		               &df->stages[df->nstages - 1].ninstrs, in);
	if (in->kind == DF_ARG)
		return df_push(&df->meta_args, &df->nmeta_args, in);
	snprintf(msg, sizeof(msg),
	         "%s before the first FROM (only ARG may come before FROM; start the build "
	         "stage with FROM IMAGE)",
	         dockerfile_kind_name(in->kind));
	return df_fail(p, in->line, msg);
}

static int df_parse_all(struct parser *p)
{
	int r;

	while ((r = reader_next(&p->rd)) > 0) {
		_cleanup_free_ char *logical = NULL;
		struct df_instr *in = NULL;
		unsigned start;

		if ((r = df_logical_line(p, &logical, &start)) < 0)
			return r;
		if (!logical)
			continue;
		r = dfi_parse_line(logical, p->df->escape, &in, p->err);
		if (r < 0) {
			dockerfile_instr_free(in);
			return df_failerr(p, start, r);
		}
		in->line = start;
		r = df_heredoc_bodies(p, in, start);
		in->end_line = p->rd.lineno;
		if (in->sub) {
			in->sub->line = in->line;
			in->sub->end_line = in->end_line;
		}
		if (r < 0) {
			dockerfile_instr_free(in);
			return r;
		}
		if ((r = df_place(p, in)) < 0)
			return r;
	}
	if (r < 0)
		return r;
	if (!p->df->nall)
		return df_fail(p, p->rd.lineno ? p->rd.lineno : 1,
		               "file with no instructions (a Dockerfile starts with FROM IMAGE)");
	if (!p->df->nstages)
		return df_fail(p, p->df->all[0]->line,
		               "no FROM instruction (a Dockerfile needs at least one FROM IMAGE)");
	return 0;
}

int dockerfile_parse(const char *text, size_t len, const char *filename, struct dockerfile **out,
                     struct werr *err)
{
	struct dockerfile *df = calloc(1, sizeof(*df));
	struct parser p = { .df = df, .rd = { .t = text, .len = len }, .err = err };
	const char *nul;
	int r;

	*out = NULL;
	if (!df)
		return werr_errno(err, ENOMEM, "parsing %s", filename);
	df->escape = '\\';
	df->filename = strdup(filename ? filename : "Dockerfile");
	if (!df->filename) {
		dockerfile_free(df);
		return werr_errno(err, ENOMEM, "parsing %s", filename);
	}
	nul = memchr(text, '\0', len);
	if (nul) {
		unsigned line = 1;
		for (const char *c = text; c < nul; c++)
			line += *c == '\n';
		r = df_fail(&p, line, "NUL byte in the file (is it a Dockerfile?)");
	} else {
		r = df_parse_all(&p);
	}
	free(p.rd.line);
	if (r < 0) {
		if (r == -ENOMEM)
			werr_errno(err, ENOMEM, "parsing %s", df->filename);
		dockerfile_free(df);
		return r;
	}
	*out = df;
	return 0;
}

void dockerfile_free(struct dockerfile *df)
{
	if (!df)
		return;
	for (size_t i = 0; i < df->nall; i++)
		dockerfile_instr_free(df->all[i]);
	free(df->all);
	free(df->meta_args);
	for (size_t i = 0; i < df->nstages; i++) {
		free(df->stages[i].name);
		free(df->stages[i].base);
		free(df->stages[i].platform);
		free(df->stages[i].instrs);
	}
	free(df->stages);
	free(df->syntax);
	free(df->filename);
	strv_free(&df->warnings);
	free(df);
}
