/* fuzz_dockerfile.c - libFuzzer target: the Dockerfile parser, then every
 * builder helper on what it parsed (meta scope, stage closure, expansion),
 * and the variable lexer on the raw input with each flag set. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dockerfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void fuzz_lexer(const char *text)
{
	static const unsigned flags[] = { 0, SHELLEX_RAW_QUOTES | SHELLEX_RAW_ESCAPES,
		                          SHELLEX_SKIP_QUOTES, SHELLEX_KEEP_UNSET };
	struct shellex_scope scope = { 0 };
	struct shellex_result res;
	struct werr err;

	shellex_scope_set(&scope, "A", "a b");
	shellex_scope_set(&scope, "EMPTY", "");
	shellex_scope_set(&scope, "P", "/x/y.tar.gz");
	for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++) {
		if (shellex_process(text, &scope, i % 2 ? '`' : '\\', flags[i], &res, &err) == 0) {
			if (!res.word || !res.words || res.words[res.nwords])
				abort();
			shellex_result_free(&res);
		}
	}
	shellex_scope_free(&scope);
}

static void fuzz_helpers(const struct dockerfile *df)
{
	struct shellex_scope meta;
	struct werr err;
	bool *needed = calloc(df->nstages + 1, sizeof(bool));
	char *args[] = { "A=1", "B" };

	if (!needed || dockerfile_meta_scope(df, args, 2, &meta, &err) < 0) {
		free(needed);
		return;
	}
	shellex_scope_set(&meta, "A", "x");
	for (size_t s = 0; s < df->nstages; s++) {
		char *base = NULL;
		if (dockerfile_stage_base(df, s, &meta, &base, &err) == 0 && !*base)
			abort();
		free(base);
		if (df->stages[s].name && dockerfile_stage_find(df, df->stages[s].name) < 0)
			abort();
		if (dockerfile_stages_needed(df, df->stages[s].name, &meta, needed, &err) >= 0 &&
		    !needed[df->stages[s].name
		                ? (size_t)dockerfile_stage_find(df, df->stages[s].name)
		                : df->nstages - 1])
			abort();
	}
	for (size_t i = 0; i < df->nall; i++) {
		struct df_instr *out;
		if (!dockerfile_kind_name(df->all[i]->kind))
			abort();
		if (dockerfile_instr_expand(df, df->all[i], &meta, &out, &err) == 0)
			dockerfile_instr_free(out);
		for (size_t a = 0; a < df->all[i]->nargs; a++)
			(void)dockerfile_instr_heredoc(df->all[i], df->all[i]->args[a]);
	}
	shellex_scope_free(&meta);
	free(needed);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct dockerfile *df;
	struct werr err;
	char *text;

	if (size > 65536)
		return 0;
	if (dockerfile_parse((const char *)data, size, "Dockerfile", &df, &err) == 0) {
		if (df->nstages == 0 || !df->nall)
			abort();
		for (size_t i = 0; i < df->nall; i++)
			if (df->all[i]->line == 0 || df->all[i]->end_line < df->all[i]->line)
				abort();
		fuzz_helpers(df);
		dockerfile_free(df);
	} else if (!strstr(err.msg, "Dockerfile:")) {
		abort(); /* every error names the file and line */
	}
	if (size < 4096 && (text = strndup((const char *)data, size)) != NULL) {
		fuzz_lexer(text);
		free(text);
	}
	return 0;
}
