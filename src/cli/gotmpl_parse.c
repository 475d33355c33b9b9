/* gotmpl_parse.c - the parser of Go's text/template language (gotmpl.h):
 * text and {{actions}} with Go's trim markers and comments, if/else if/
 * else/range/with/end, break and continue, pipelines with variables. What
 * Go accepts it builds a tree for; everything else is refused with the line
 * and column, never guessed at. {{define}}, {{template}} and {{block}}
 * (named templates) are refused: a --format string has only one. */
#include "gotmpl_int.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "cleanup.h"

struct gt_parser {
	const char *s;
	size_t pos;
	bool trim_next;  /* the last action ended with " -}}" */
	int range_depth; /* break and continue only inside range */
	size_t action;   /* where the action being parsed starts ("{{") */
	struct werr *err;
};

enum gt_end { END_EOF, END_END, END_ELSE };

static int parse_pipe(struct gt_parser *p, bool in_range, char close, struct gt_pipe **out);

void gt_where(const char *src, size_t pos, char *buf, size_t size)
{
	int line = 1, col = 1;

	for (size_t i = 0; i < pos && src[i]; i++) {
		if (src[i] == '\n')
			line++, col = 1;
		else
			col++;
	}
	snprintf(buf, size, "template: :%d:%d: ", line, col);
}

static int fail_at(struct gt_parser *p, size_t pos, const char *what, const char *arg)
{
	char where[64];

	if (p->err->code)
		return -EINVAL;
	gt_where(p->s, pos, where, sizeof(where));
	return werr_set(p->err, EINVAL, "%s%s%s", where, what, arg ? arg : "");
}

static bool is_ident(char c)
{
	return isalnum((unsigned char)c) || c == '_';
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

static void skip_space(struct gt_parser *p)
{
	while (is_space(p->s[p->pos]))
		p->pos++;
}

/* the action's end: "}}" or " -}}" (which trims the text after it) */
static bool at_close(struct gt_parser *p)
{
	const char *c = p->s + p->pos;

	return !strncmp(c, "}}", 2) || (c[0] == '-' && !strncmp(c + 1, "}}", 2) && p->pos > 0 &&
	                                is_space(p->s[p->pos - 1]));
}

static int expect_close(struct gt_parser *p)
{
	skip_space(p);
	if (!at_close(p))
		return fail_at(p, p->pos, "unexpected text in action, expected }}", NULL);
	if (p->s[p->pos] == '-') {
		p->trim_next = true;
		p->pos++;
	}
	p->pos += 2;
	return 0;
}

/* a word of letters, digits and _ at p->pos, copied; NULL if none */
static char *take_ident(struct gt_parser *p)
{
	size_t start = p->pos;

	while (is_ident(p->s[p->pos]))
		p->pos++;
	return p->pos > start ? strndup(p->s + start, p->pos - start) : NULL;
}

/* keyword @kw at p->pos, followed by a non-word character: consumed */
static bool take_keyword(struct gt_parser *p, const char *kw)
{
	size_t n = strlen(kw);

	if (strncmp(p->s + p->pos, kw, n) || is_ident(p->s[p->pos + n]))
		return false;
	p->pos += n;
	return true;
}

/* ".A.B" chains after an operand, into @a */
static int parse_fields(struct gt_parser *p, struct gt_arg *a)
{
	while (p->s[p->pos] == '.' && is_ident(p->s[p->pos + 1])) {
		char **nf = realloc(a->fields, (a->nfields + 1) * sizeof(*nf));
		if (!nf)
			return werr_errno(p->err, ENOMEM, "template");
		a->fields = nf;
		p->pos++;
		if (!(a->fields[a->nfields] = take_ident(p)))
			return werr_errno(p->err, ENOMEM, "template");
		a->nfields++;
	}
	return 0;
}

size_t gt_utf8_put(char *out, uint32_t cp)
{
	if (cp < 0x80) {
		out[0] = (char)cp;
		return 1;
	}
	if (cp < 0x800) {
		out[0] = (char)(0xc0 | cp >> 6);
		out[1] = (char)(0x80 | (cp & 0x3f));
		return 2;
	}
	if (cp < 0x10000) {
		out[0] = (char)(0xe0 | cp >> 12);
		out[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		out[2] = (char)(0x80 | (cp & 0x3f));
		return 3;
	}
	out[0] = (char)(0xf0 | cp >> 18);
	out[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
	out[2] = (char)(0x80 | ((cp >> 6) & 0x3f));
	out[3] = (char)(0x80 | (cp & 0x3f));
	return 4;
}

/* the code point of the UTF-8 sequence at @s; Return: its length, 0 if bad */
static size_t utf8_get(const char *s, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t n = u[0] < 0x80       ? 1
	           : u[0] >> 5 == 6  ? 2
	           : u[0] >> 4 == 14 ? 3
	           : u[0] >> 3 == 30 ? 4
	                             : 0;

	if (!n || !u[0])
		return 0;
	*cp = n == 1 ? u[0] : u[0] & (0x7f >> n);
	for (size_t i = 1; i < n; i++) {
		if ((u[i] & 0xc0) != 0x80)
			return 0;
		*cp = *cp << 6 | (u[i] & 0x3f);
	}
	return n;
}

/* Go's escapes in an interpreted string: \n \t \\ \" \xHH \uHHHH and more */
static int unescape(struct gt_parser *p, const char *s, size_t len, char *out, size_t *olen)
{
	size_t o = 0;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];
		const char *simple = "a\ab\bf\fn\nr\rt\tv\v\\\\\"\"''";
		const char *m;
		if (c != '\\') {
			out[o++] = c;
			continue;
		}
		c = s[++i];
		if ((m = strchr(simple, c)) && (m - simple) % 2 == 0) {
			out[o++] = m[1];
		} else if (c == 'x' || c == 'u' || c == 'U') {
			int digits = c == 'x' ? 2 : c == 'u' ? 4 : 8;
			char hex[9] = { 0 };
			unsigned long v;
			if (i + (size_t)digits >= len)
				return fail_at(p, p->pos, "invalid escape in string", NULL);
			memcpy(hex, s + i + 1, (size_t)digits);
			for (int k = 0; k < digits; k++)
				if (!isxdigit((unsigned char)hex[k]))
					return fail_at(p, p->pos, "invalid escape in string", NULL);
			v = strtoul(hex, NULL, 16);
			if (v > 0x10ffff)
				return fail_at(p, p->pos,
				               "escape is not a valid Unicode code point", NULL);
			i += (size_t)digits;
			o += c == 'x' ? (out[o] = (char)v, 1) : gt_utf8_put(out + o, (uint32_t)v);
		} else {
			return fail_at(p, p->pos, "unknown escape sequence in string", NULL);
		}
	}
	*olen = o;
	return 0;
}

/* "..." or `...` at p->pos into a JSON string */
static int parse_string(struct gt_parser *p, struct gt_arg *a)
{
	char q = p->s[p->pos];
	size_t start = ++p->pos, len;
	_cleanup_free_ char *buf = NULL;

	while (p->s[p->pos] && p->s[p->pos] != q && (q == '`' || p->s[p->pos] != '\n')) {
		if (q == '"' && p->s[p->pos] == '\\' && p->s[p->pos + 1])
			p->pos++;
		p->pos++;
	}
	if (p->s[p->pos] != q)
		return fail_at(p, start - 1, "unterminated quoted string", NULL);
	len = p->pos - start;
	p->pos++;
	if (!(buf = malloc(len + 1)))
		return werr_errno(p->err, ENOMEM, "template");
	if (q == '`') {
		memcpy(buf, p->s + start, len);
	} else if (unescape(p, p->s + start, len, buf, &len) < 0) {
		return -EINVAL;
	}
	a->kind = GA_LIT;
	a->lit = json_stringn(buf, len);
	return a->lit ? 0 : fail_at(p, start, "string is not valid UTF-8", NULL);
}

/* a number: decimal, 0x hex, with fraction or exponent */
static int parse_number(struct gt_parser *p, struct gt_arg *a)
{
	const char *s = p->s + p->pos;
	char *end;
	long long i;
	double d;

	errno = 0;
	i = strtoll(s, &end, 0);
	if (!errno && !strchr(".eEpP", *end) && !is_ident(*end)) {
		a->lit = json_integer(i);
	} else {
		d = strtod(s, &end);
		if (end == s || is_ident(*end))
			return fail_at(p, p->pos, "bad number syntax", NULL);
		a->lit = json_real(d);
	}
	a->kind = GA_LIT;
	p->pos += (size_t)(end - s);
	return 0;
}

/* 'c': Go's character constant, an integer */
static int parse_char(struct gt_parser *p, struct gt_arg *a)
{
	const char *s = p->s + p->pos + 1;
	uint32_t cp;
	size_t n = utf8_get(s, &cp);

	if (*s == '\\' || !n || s[n] != '\'')
		return fail_at(p, p->pos, "unsupported character constant", NULL);
	a->kind = GA_LIT;
	a->lit = json_integer(cp);
	p->pos += n + 2;
	return 0;
}

/* a word: true, false, nil, or a function that must exist */
static int parse_word(struct gt_parser *p, struct gt_arg *a)
{
	size_t start = p->pos;
	char *w = take_ident(p);

	if (!w)
		return fail_at(p, start,
		               "unexpected character in operand: ", (char[]){ p->s[start], 0 });
	if (!strcmp(w, "true") || !strcmp(w, "false") || !strcmp(w, "nil")) {
		a->kind = GA_LIT;
		a->lit = w[0] == 't' ? json_true() : w[0] == 'f' ? json_false() : json_null();
		free(w);
		return 0;
	}
	a->kind = GA_FUNC;
	a->name = w;
	if (!gt_func_find(w)) {
		char msg[160];
		snprintf(msg, sizeof(msg), "function \"%s\" not defined", w);
		return fail_at(p, start, msg, NULL);
	}
	return 0;
}

/* one operand at p->pos */
static int parse_operand(struct gt_parser *p, struct gt_arg *a)
{
	char c = p->s[p->pos], n = p->s[p->pos + 1];

	a->pos = p->pos;
	if (c == '.' && is_ident(n)) {
		a->kind = GA_FIELD;
		return parse_fields(p, a);
	}
	if (c == '.') {
		a->kind = GA_DOT;
		p->pos++;
		return 0;
	}
	if (c == '$') {
		size_t start = p->pos++;
		while (is_ident(p->s[p->pos]))
			p->pos++;
		a->kind = GA_VAR;
		a->name = strndup(p->s + start, p->pos - start);
		return a->name ? parse_fields(p, a) : werr_errno(p->err, ENOMEM, "template");
	}
	if (c == '"' || c == '`')
		return parse_string(p, a);
	if (c == '\'')
		return parse_char(p, a);
	if (isdigit((unsigned char)c) ||
	    ((c == '-' || c == '+' || c == '.') && isdigit((unsigned char)n)))
		return parse_number(p, a);
	if (c == '(') {
		p->pos++;
		a->kind = GA_PIPE;
		if (parse_pipe(p, false, ')', &a->pipe) < 0)
			return -EINVAL;
		p->pos++;
		return parse_fields(p, a);
	}
	return parse_word(p, a);
}

/* the end of a command: "|", ")", "}}" or end of input (parse_pipe says
 * whether it was the right one) */
static bool at_cmd_end(struct gt_parser *p)
{
	char c = p->s[p->pos];

	return !c || c == '|' || c == ')' || at_close(p);
}

/* one command into *out (linked at once, so that an error frees it too) */
static int parse_cmd(struct gt_parser *p, struct gt_cmd **out)
{
	struct gt_cmd *cmd = *out = calloc(1, sizeof(*cmd));
	struct gt_arg **tail;

	if (!cmd)
		return werr_errno(p->err, ENOMEM, "template");
	tail = &cmd->args;
	for (;;) {
		skip_space(p);
		if (at_cmd_end(p))
			break;
		if (!(*tail = calloc(1, sizeof(**tail))))
			return werr_errno(p->err, ENOMEM, "template");
		cmd->nargs++;
		if (parse_operand(p, *tail) < 0)
			return p->err->code ? -EINVAL : werr_errno(p->err, ENOMEM, "template");
		tail = &(*tail)->next;
		if (!is_space(p->s[p->pos]) && !at_cmd_end(p))
			return fail_at(p, p->pos, "unexpected character after operand", NULL);
	}
	if (!cmd->nargs)
		return fail_at(p, p->pos, "missing value for command", NULL);
	/* arguments go to functions and to the one method there is, .Label */
	if (cmd->nargs > 1 && cmd->args->kind != GA_FUNC &&
	    !(cmd->args->kind != GA_LIT && cmd->args->nfields &&
	      !strcmp(cmd->args->fields[cmd->args->nfields - 1], "Label")))
		return fail_at(p, cmd->args->pos, "can't give argument to non-function", NULL);
	return 0;
}

/* "$x :=", "$x =", "$i, $e :=" (range only) at the pipeline's start */
static int parse_decl(struct gt_parser *p, struct gt_pipe *pipe, bool in_range)
{
	size_t save = p->pos;

	while (pipe->nvars < 2 && p->s[p->pos] == '$') {
		size_t start = p->pos++;
		while (is_ident(p->s[p->pos]))
			p->pos++;
		pipe->vars[pipe->nvars++] = strndup(p->s + start, p->pos - start);
		skip_space(p);
		if (!strncmp(p->s + p->pos, ":=", 2) ||
		    (p->s[p->pos] == '=' && p->s[p->pos + 1] != '=')) {
			pipe->decl = p->s[p->pos] == ':';
			p->pos += pipe->decl ? 2 : 1;
			if (pipe->nvars == 2 && !in_range)
				return fail_at(p, save, "too many declarations in command", NULL);
			return 0;
		}
		if (p->s[p->pos] != ',' || pipe->nvars == 2)
			break;
		p->pos++;
		skip_space(p);
	}
	/* not a declaration: the variables were operands */
	for (int i = 0; i < pipe->nvars; i++)
		free(pipe->vars[i]);
	pipe->nvars = 0;
	p->pos = save;
	return 0;
}

/* a pipeline into *out (linked at once), up to @close: ')' or the action's end */
static int parse_pipe(struct gt_parser *p, bool in_range, char close, struct gt_pipe **out)
{
	struct gt_pipe *pipe = *out = calloc(1, sizeof(*pipe));
	struct gt_cmd **tail;

	if (!pipe)
		return werr_errno(p->err, ENOMEM, "template");
	skip_space(p);
	pipe->pos = p->pos;
	if (parse_decl(p, pipe, in_range) < 0)
		return -EINVAL;
	tail = &pipe->cmds;
	for (;;) {
		if (parse_cmd(p, tail) < 0)
			return -EINVAL;
		tail = &(*tail)->next;
		if (p->s[p->pos] != '|')
			break;
		p->pos++;
	}
	if (close == ')' && p->s[p->pos] != ')')
		return fail_at(p, pipe->pos - 1, "unclosed left paren", NULL);
	if (close == '}' && p->s[p->pos] == ')')
		return fail_at(p, p->pos, "unexpected right paren", NULL);
	if (!p->s[p->pos])
		return fail_at(p, p->action, "unclosed action", NULL);
	pipe->end = p->pos;
	while (pipe->end > pipe->pos && is_space(p->s[pipe->end - 1]))
		pipe->end--;
	return 0;
}

static struct gt_node *new_node(struct gt_parser *p, enum gt_node_kind kind, size_t pos)
{
	struct gt_node *n = calloc(1, sizeof(*n));

	if (!n)
		werr_errno(p->err, ENOMEM, "template");
	else
		n->kind = kind, n->pos = pos;
	return n;
}

static int parse_list(struct gt_parser *p, struct gt_node **list, enum gt_end *end,
                      size_t *end_pos);

/* the body and else part of if/with/range @n, through its {{end}} */
static int parse_control_body(struct gt_parser *p, struct gt_node *n)
{
	enum gt_end end;
	size_t epos;

	if (parse_list(p, &n->body, &end, &epos) < 0)
		return -EINVAL;
	if (end == END_EOF)
		return fail_at(p, n->pos, "unexpected EOF: missing {{end}}", NULL);
	if (end == END_END)
		return 0;
	/* {{else if ...}} / {{else with ...}}: one nested node ending at our {{end}} */
	skip_space(p);
	if ((n->kind == GT_IF && take_keyword(p, "if")) ||
	    (n->kind == GT_WITH && take_keyword(p, "with"))) {
		n->elseif = true;
		if (!(n->alt = new_node(p, n->kind, epos)) ||
		    parse_pipe(p, false, '}', &n->alt->pipe) < 0 || expect_close(p) < 0)
			return -EINVAL;
		return parse_control_body(p, n->alt);
	}
	if (expect_close(p) < 0 || parse_list(p, &n->alt, &end, &epos) < 0)
		return -EINVAL;
	if (end != END_END)
		return fail_at(p, epos,
		               end == END_ELSE ? "expected end; found {{else}}"
		                               : "unexpected EOF: missing {{end}}",
		               NULL);
	return 0;
}

static int parse_control(struct gt_parser *p, struct gt_node *n)
{
	bool range = n->kind == GT_RANGE;
	int r;

	if (parse_pipe(p, range, '}', &n->pipe) < 0 || expect_close(p) < 0)
		return -EINVAL;
	p->range_depth += range;
	r = parse_control_body(p, n);
	p->range_depth -= range;
	return r;
}

/* what follows "{{": a comment, a keyword, or a pipeline; sets *end for
 * {{end}} and {{else}}, else appends to *tail */
static int parse_action(struct gt_parser *p, size_t start, struct gt_node ***tail, enum gt_end *end)
{
	static const struct {
		const char *kw;
		enum gt_node_kind kind;
	} controls[] = { { "if", GT_IF }, { "range", GT_RANGE }, { "with", GT_WITH } };
	struct gt_node *n;

	skip_space(p);
	if (!strncmp(p->s + p->pos, "/*", 2)) {
		const char *close = strstr(p->s + p->pos + 2, "*/");
		if (!close)
			return fail_at(p, start, "unclosed comment", NULL);
		p->pos = (size_t)(close + 2 - p->s);
		return expect_close(p);
	}
	if (take_keyword(p, "end") || take_keyword(p, "else")) {
		*end = p->s[p->pos - 1] == 'd' ? END_END : END_ELSE;
		return *end == END_END ? expect_close(p) : 0;
	}
	if (take_keyword(p, "break") || take_keyword(p, "continue")) {
		if (!p->range_depth)
			return fail_at(p, start, "{{break}} or {{continue}} outside {{range}}",
			               NULL);
		if (!(n = new_node(p, p->s[p->pos - 1] == 'k' ? GT_BREAK : GT_CONTINUE, start)))
			return -ENOMEM;
		**tail = n, *tail = &n->next;
		return expect_close(p);
	}
	if (take_keyword(p, "define") || take_keyword(p, "template") || take_keyword(p, "block"))
		return fail_at(p, start,
		               "named templates ({{define}}, {{template}}, {{block}}) "
		               "are not supported in --format",
		               NULL);
	/* each node is linked before it is filled, so that an error frees it */
	for (size_t i = 0; i < sizeof(controls) / sizeof(controls[0]); i++)
		if (take_keyword(p, controls[i].kw)) {
			if (!(n = new_node(p, controls[i].kind, start)))
				return -ENOMEM;
			**tail = n, *tail = &n->next;
			return parse_control(p, n);
		}
	if (!(n = new_node(p, GT_ACTION, start)))
		return -ENOMEM;
	**tail = n, *tail = &n->next;
	if (parse_pipe(p, false, '}', &n->pipe) < 0)
		return -EINVAL;
	return expect_close(p);
}

/* text up to "{{" (trimmed as the markers say) as a node on *tail */
static int parse_text(struct gt_parser *p, const char *open, struct gt_node ***tail)
{
	const char *t = p->s + p->pos, *e = open ? open : t + strlen(t);
	struct gt_node *n;

	if (p->trim_next)
		while (t < e && is_space(*t))
			t++;
	p->trim_next = false;
	if (open && open[2] == '-' && is_space(open[3]))
		while (e > t && is_space(e[-1]))
			e--;
	if (e > t) {
		if (!(n = new_node(p, GT_TEXT, (size_t)(t - p->s))))
			return -ENOMEM;
		n->text = t, n->len = (size_t)(e - t);
		**tail = n, *tail = &n->next;
	}
	p->pos = open ? (size_t)(open - p->s) : (size_t)(e - p->s) + strlen(e);
	return 0;
}

static int parse_list(struct gt_parser *p, struct gt_node **list, enum gt_end *end, size_t *end_pos)
{
	struct gt_node **tail = list;

	*end = END_EOF;
	while (p->s[p->pos]) {
		const char *open = strstr(p->s + p->pos, "{{");
		size_t start;
		if (parse_text(p, open, &tail) < 0)
			return -ENOMEM;
		if (!open)
			break;
		start = p->action = p->pos;
		p->pos += 2;
		if (p->s[p->pos] == '-' && is_space(p->s[p->pos + 1]))
			p->pos++;
		if (parse_action(p, start, &tail, end) < 0)
			return -EINVAL;
		if (*end != END_EOF) {
			*end_pos = start;
			return 0;
		}
	}
	*end_pos = p->pos;
	return 0;
}

static void free_pipe(struct gt_pipe *pipe);

static void free_args(struct gt_arg *a)
{
	while (a) {
		struct gt_arg *next = a->next;
		for (size_t i = 0; i < a->nfields; i++)
			free(a->fields[i]);
		free(a->fields);
		free(a->name);
		json_decref(a->lit);
		free_pipe(a->pipe);
		free(a);
		a = next;
	}
}

static void free_pipe(struct gt_pipe *pipe)
{
	if (!pipe)
		return;
	for (struct gt_cmd *c = pipe->cmds, *next; c; c = next) {
		next = c->next;
		free_args(c->args);
		free(c);
	}
	for (int i = 0; i < pipe->nvars; i++)
		free(pipe->vars[i]);
	free(pipe);
}

static void free_nodes(struct gt_node *n)
{
	while (n) {
		struct gt_node *next = n->next;
		free_pipe(n->pipe);
		free_nodes(n->body);
		free_nodes(n->alt);
		free(n);
		n = next;
	}
}

void gotmpl_free(struct gotmpl *t)
{
	if (!t)
		return;
	free_nodes(t->root);
	free(t->src);
	free(t);
}

int gotmpl_parse(const char *text, struct gotmpl **out, struct werr *err)
{
	struct gotmpl *t = calloc(1, sizeof(*t));
	struct gt_parser p = { .err = err };
	enum gt_end end;
	size_t epos;

	if (!t || !(t->src = strdup(text))) {
		free(t);
		return werr_errno(err, ENOMEM, "template");
	}
	p.s = t->src;
	err->code = 0;
	if (parse_list(&p, &t->root, &end, &epos) < 0 ||
	    (end != END_EOF &&
	     fail_at(&p, epos, end == END_END ? "unexpected {{end}}" : "unexpected {{else}}",
	             NULL) < 0)) {
		gotmpl_free(t);
		return -EINVAL;
	}
	*out = t;
	return 0;
}

/* Docker's header of {{.Label "a.b.c-d"}}: the key's last dotted part */
static const char *label_header(const struct gt_cmd *c)
{
	const struct gt_arg *key = c->args->next;
	const char *s;

	if (c->next || c->nargs != 2 || c->args->kind == GA_FUNC || c->args->kind == GA_LIT ||
	    !c->args->nfields || strcmp(c->args->fields[c->args->nfields - 1], "Label") ||
	    key->kind != GA_LIT || !json_is_string(key->lit))
		return NULL;
	s = json_string_value(key->lit);
	return strrchr(s, '.') ? strrchr(s, '.') + 1 : s;
}

size_t gotmpl_fields(const struct gotmpl *t, const char **names, size_t max)
{
	size_t n = 0;

	for (struct gt_node *node = t->root; node && n < max; node = node->next) {
		const struct gt_cmd *c;
		if (node->kind != GT_ACTION)
			continue;
		c = node->pipe->cmds;
		names[n++] = !c->next && c->nargs == 1 && c->args->kind == GA_FIELD
		                 ? c->args->fields[c->args->nfields - 1]
		                 : label_header(c);
	}
	return n;
}
