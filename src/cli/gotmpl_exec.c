/* gotmpl_exec.c - runs a parsed Go template (gotmpl.h) on JSON data as Go's
 * text/template does on decoded JSON: fields are map keys, a missing key
 * gives "<no value>", range walks arrays, maps (in key order) and integers,
 * variables are scoped to their block. A failing action stops the run with
 * Go's message, naming the action; output already written stays. */
#include "gotmpl_int.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static int exec_list(struct gt_state *st, const struct gt_node *n, json_t *dot);
static json_t *eval_pipe(struct gt_state *st, const struct gt_pipe *pipe, json_t *dot);

int gt_fail(struct gt_state *st, const char *fmt, ...)
{
	va_list ap;

	if (st->errbuf[0])
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(st->errbuf, sizeof(st->errbuf), fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* the failed action into st->err: "template: :L:C: executing at <...>: why" */
static void name_failure(struct gt_state *st, const struct gt_pipe *pipe)
{
	char where[64];

	if (st->err->code)
		return;
	gt_where(st->t->src, pipe->pos, where, sizeof(where));
	werr_set(st->err, EINVAL, "%sexecuting at <%.*s>: %s", where, (int)(pipe->end - pipe->pos),
	         st->t->src + pipe->pos, st->errbuf[0] ? st->errbuf : "out of memory");
}

static json_t *var_get(struct gt_state *st, const char *name)
{
	for (size_t i = st->nvars; i-- > 0;)
		if (!strcmp(st->vars[i].name, name))
			return st->vars[i].val;
	return NULL;
}

/* declare @name (a new reference to @val is taken) */
static int var_push(struct gt_state *st, char *name, json_t *val)
{
	if (st->nvars == sizeof(st->vars) / sizeof(st->vars[0]))
		return gt_fail(st, "too many variables");
	st->vars[st->nvars].name = name;
	st->vars[st->nvars++].val = json_incref(val);
	return 0;
}

static int var_set(struct gt_state *st, const char *name, json_t *val)
{
	for (size_t i = st->nvars; i-- > 0;)
		if (!strcmp(st->vars[i].name, name)) {
			json_decref(st->vars[i].val);
			st->vars[i].val = json_incref(val);
			return 0;
		}
	return gt_fail(st, "undefined variable: %s", name);
}

static void vars_pop(struct gt_state *st, size_t to)
{
	while (st->nvars > to)
		json_decref(st->vars[--st->nvars].val);
}

/* .A.B on @v (a new reference) */
static json_t *walk_fields(struct gt_state *st, json_t *v, char *const *fields, size_t n)
{
	json_incref(v);
	for (size_t i = 0; i < n; i++) {
		json_t *next;
		if (!gt_is_map(v)) {
			if (json_is_null(v) || v == gt_novalue)
				gt_fail(st, "nil pointer evaluating interface {}.%s", fields[i]);
			else
				gt_fail(st, "can't evaluate field %s in type %s", fields[i],
				        gt_type_name(v));
			json_decref(v);
			return NULL;
		}
		next = json_object_get(v, fields[i]);
		next = json_incref(next ? next : gt_novalue);
		json_decref(v);
		v = next;
	}
	return v;
}

static json_t *call_func(struct gt_state *st, const struct gt_cmd *cmd, json_t *dot, json_t *final);

/* one operand's value (a new reference); @final goes to a function only */
static json_t *eval_arg(struct gt_state *st, const struct gt_arg *a, json_t *dot)
{
	json_t *base;

	switch (a->kind) {
	case GA_DOT: return json_incref(dot);
	case GA_LIT: return json_incref(a->lit);
	case GA_FIELD: return walk_fields(st, dot, a->fields, a->nfields);
	case GA_VAR:
		if (!(base = var_get(st, a->name)))
			return gt_fail(st, "undefined variable: %s", a->name), NULL;
		return walk_fields(st, base, a->fields, a->nfields);
	case GA_PIPE: {
		json_t *v = eval_pipe(st, a->pipe, dot), *r;
		if (!v)
			return NULL;
		r = walk_fields(st, v, a->fields, a->nfields);
		json_decref(v);
		return r;
	}
	case GA_FUNC: {
		/* a function name as an argument is called without arguments */
		struct gt_arg fn = *a;
		struct gt_cmd one = { .args = &fn, .nargs = 1 };
		fn.next = NULL;
		return call_func(st, &one, dot, NULL);
	}
	}
	return NULL;
}

/* and, or: each argument in turn, stopping at the first that decides (Go
 * returns that argument, or the last one) */
static json_t *call_lazy(struct gt_state *st, const struct gt_cmd *cmd, json_t *dot, json_t *final)
{
	bool is_and = !strcmp(cmd->args->name, "and");
	const struct gt_arg *a = cmd->args->next;
	json_t *v = NULL;

	if (!a && !final)
		return gt_fail(st, "wrong number of args for %s: want at least 1 got 0",
		               cmd->args->name),
		       NULL;
	for (; a; a = a->next) {
		json_decref(v);
		if (!(v = eval_arg(st, a, dot)) || gt_truth(v) != is_and)
			return v;
	}
	if (final) {
		json_decref(v);
		v = json_incref(final);
	}
	return v;
}

static json_t *call_func(struct gt_state *st, const struct gt_cmd *cmd, json_t *dot, json_t *final)
{
	json_t *args[16], *out = NULL;
	size_t n = 0;
	const struct gt_arg *a;
	int r;

	if (gt_func_is_lazy(cmd->args->name))
		return call_lazy(st, cmd, dot, final);
	if (cmd->nargs > 15)
		return gt_fail(st, "too many arguments to %s", cmd->args->name), NULL;
	for (a = cmd->args->next; a; a = a->next)
		if (!(args[n++] = eval_arg(st, a, dot)))
			goto out;
	if (final)
		args[n++] = json_incref(final);
	r = gt_func_find(cmd->args->name)(st, args, n, &out);
	if (r < 0)
		out = NULL;
	else if (!out)
		out = json_incref(gt_novalue);
out:
	while (n > 0)
		json_decref(args[--n]);
	if (!out && !st->errbuf[0])
		gt_fail(st, "error calling %s", cmd->args->name);
	return out;
}

/* the value of label @key in @labels: a map, or Docker's "k=v,k=v" string
 * (ps and volume rows); "" when it has none, as Docker's Label() */
static json_t *label_value(json_t *labels, const char *key)
{
	const char *s, *end;
	size_t klen = strlen(key);

	if (gt_is_map(labels)) {
		json_t *v = json_object_get(labels, key);
		return v ? json_incref(v) : json_string("");
	}
	s = json_is_string(labels) ? json_string_value(labels) : "";
	for (; *s; s = *end ? end + 1 : end) {
		end = strchrnul(s, ',');
		if ((size_t)(end - s) > klen && !strncmp(s, key, klen) && s[klen] == '=')
			return json_stringn(s + klen + 1, (size_t)(end - s) - klen - 1);
	}
	return json_string("");
}

/* .Label "KEY" (and $x.Label, (pipe).Label): the one method Docker's
 * formatting contexts (containers, volumes, networks) offer, read from the
 * receiver's Labels */
static json_t *call_label(struct gt_state *st, const struct gt_cmd *cmd, json_t *dot, json_t *final)
{
	struct gt_arg recv = *cmd->args;
	json_t *obj, *key, *out = NULL;

	if (cmd->nargs + (final ? 1 : 0) != 2)
		return gt_fail(st, "wrong number of args for Label: want 1 got %zu",
		               cmd->nargs - 1 + (final ? 1 : 0)),
		       NULL;
	recv.nfields--;
	recv.next = NULL;
	if (recv.kind == GA_FIELD && !recv.nfields)
		recv.kind = GA_DOT;
	if (!(obj = eval_arg(st, &recv, dot)))
		return NULL;
	key = final ? json_incref(final) : eval_arg(st, cmd->args->next, dot);
	if (!key)
		goto done;
	if (!json_is_string(key))
		gt_fail(st, "wrong type for value; expected string; got %s", gt_type_name(key));
	else if (!gt_is_map(obj))
		gt_fail(st, "can't evaluate field Label in type %s", gt_type_name(obj));
	else
		out = label_value(json_object_get(obj, "Labels"), json_string_value(key));
	json_decref(key);
done:
	json_decref(obj);
	return out;
}

static bool is_label_call(const struct gt_arg *a)
{
	return a->kind != GA_FUNC && a->kind != GA_LIT && a->nfields &&
	       !strcmp(a->fields[a->nfields - 1], "Label");
}

static json_t *eval_cmd(struct gt_state *st, const struct gt_cmd *cmd, json_t *dot, json_t *final)
{
	if (cmd->args->kind == GA_FUNC)
		return call_func(st, cmd, dot, final);
	if (is_label_call(cmd->args))
		return call_label(st, cmd, dot, final);
	if (final)
		return gt_fail(st, "can't give argument to non-function"), NULL;
	return eval_arg(st, cmd->args, dot);
}

/* the pipeline's value (a new reference), its variables declared or set */
static json_t *eval_pipe(struct gt_state *st, const struct gt_pipe *pipe, json_t *dot)
{
	json_t *v = NULL;

	for (const struct gt_cmd *c = pipe->cmds; c; c = c->next) {
		json_t *next = eval_cmd(st, c, dot, v);
		json_decref(v);
		if (!(v = next))
			return NULL;
	}
	/* "range $i, $e := ..." binds per element: the caller does it */
	if (pipe->nvars == 1) {
		int r = pipe->decl ? var_push(st, pipe->vars[0], v) : var_set(st, pipe->vars[0], v);
		if (r < 0) {
			json_decref(v);
			return NULL;
		}
	}
	return v;
}

static int exec_action(struct gt_state *st, const struct gt_node *n, json_t *dot)
{
	json_t *v = eval_pipe(st, n->pipe, dot);

	if (!v)
		return name_failure(st, n->pipe), -EINVAL;
	if (!n->pipe->nvars)
		gt_print_value(st->f, v);
	json_decref(v);
	return 0;
}

/* if and with: the body when the value is true (with: as dot), else alt */
static int exec_branch(struct gt_state *st, const struct gt_node *n, json_t *dot)
{
	size_t mark = st->nvars;
	json_t *v = eval_pipe(st, n->pipe, dot);
	int r;

	if (!v)
		return name_failure(st, n->pipe), -EINVAL;
	if (gt_truth(v))
		r = exec_list(st, n->body, n->kind == GT_WITH ? v : dot);
	else if (n->elseif)
		r = exec_branch(st, n->alt, dot);
	else
		r = exec_list(st, n->alt, dot);
	json_decref(v);
	vars_pop(st, mark);
	return r;
}

/* one element of a range: its variables, then the body */
static int range_one(struct gt_state *st, const struct gt_node *n, json_t *key, json_t *elem)
{
	const struct gt_pipe *p = n->pipe;
	size_t mark = st->nvars;
	int r = 0;

	if (p->nvars == 1)
		r = p->decl ? var_push(st, p->vars[0], elem) : var_set(st, p->vars[0], elem);
	else if (p->nvars == 2)
		r = p->decl ? (var_push(st, p->vars[0], key) < 0 ? -EINVAL
		                                                 : var_push(st, p->vars[1], elem))
		            : (var_set(st, p->vars[0], key) < 0 ? -EINVAL
		                                                : var_set(st, p->vars[1], elem));
	if (r < 0)
		return name_failure(st, p), r;
	r = exec_list(st, n->body, elem);
	vars_pop(st, mark);
	return r;
}

static int cmp_keys(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* each element of an array, each value of a map by key, or 0..n-1 */
static int range_walk(struct gt_state *st, const struct gt_node *n, json_t *v, size_t *count)
{
	size_t len = json_is_array(v) ? json_array_size(v)
	             : gt_is_map(v)   ? json_object_size(v)
	                              : (size_t)json_integer_value(v);
	const char **keys = gt_is_map(v) ? calloc(len + 1, sizeof(*keys)) : NULL;
	const char *k;
	json_t *e;
	size_t i = 0;
	int r = 0;

	if (gt_is_map(v)) {
		if (!keys)
			return gt_fail(st, "out of memory");
		json_object_foreach(v, k, e) keys[i++] = k;
		qsort(keys, len, sizeof(*keys), cmp_keys);
	}
	for (i = 0; i < len && r == 0; i++) {
		if (++st->iters > GT_RANGE_MAX) {
			r = gt_fail(st, "range: more than %zu iterations in one template",
			            GT_RANGE_MAX);
			break;
		}
		json_t *key = keys ? json_string(keys[i]) : json_integer((json_int_t)i);
		json_t *elem = keys               ? json_incref(json_object_get(v, keys[i]))
		               : json_is_array(v) ? json_incref(json_array_get(v, i))
		                                  : json_incref(key);
		r = range_one(st, n, key, elem);
		json_decref(key);
		json_decref(elem);
		if (st->brk == 1)
			len = 0;
		st->brk = 0;
	}
	*count = i;
	free(keys);
	return r;
}

static int exec_range(struct gt_state *st, const struct gt_node *n, json_t *dot)
{
	size_t mark = st->nvars, count = 0;
	struct gt_pipe bare = *n->pipe;
	json_t *v;
	int r = 0;

	/* the variables are bound per element, not to the whole value */
	bare.nvars = 0;
	if (!(v = eval_pipe(st, &bare, dot)))
		return name_failure(st, n->pipe), -EINVAL;
	if (json_is_array(v) || gt_is_map(v) || (json_is_integer(v) && json_integer_value(v) > 0)) {
		r = range_walk(st, n, v, &count);
		if (r < 0)
			name_failure(st, n->pipe);
	} else if (!json_is_null(v) && v != gt_novalue && !json_is_integer(v)) {
		r = gt_fail(st, "range can't iterate over %s", gt_type_name(v));
		name_failure(st, n->pipe);
	}
	if (r == 0 && count == 0)
		r = exec_list(st, n->alt, dot);
	json_decref(v);
	vars_pop(st, mark);
	return r;
}

static int exec_list(struct gt_state *st, const struct gt_node *n, json_t *dot)
{
	for (; n && !st->brk; n = n->next) {
		int r = 0;
		switch (n->kind) {
		case GT_TEXT: fwrite(n->text, 1, n->len, st->f); break;
		case GT_ACTION: r = exec_action(st, n, dot); break;
		case GT_IF:
		case GT_WITH: r = exec_branch(st, n, dot); break;
		case GT_RANGE: r = exec_range(st, n, dot); break;
		case GT_BREAK: st->brk = 1; break;
		case GT_CONTINUE: st->brk = 2; break;
		}
		if (r < 0)
			return r;
	}
	return 0;
}

int gotmpl_exec(const struct gotmpl *t, json_t *data, FILE *f, struct werr *err)
{
	struct gt_state st = { .t = t, .f = f, .err = err };
	char dollar[] = "$";
	int r;

	err->code = 0;
	if (!gt_novalue && !(gt_novalue = json_object()))
		return werr_errno(err, ENOMEM, "template");
	var_push(&st, dollar, data);
	r = exec_list(&st, t->root, data);
	vars_pop(&st, 0);
	return r;
}
