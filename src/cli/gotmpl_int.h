/* gotmpl_int.h - the parsed form of a Go template, shared by the parser
 * (gotmpl_parse.c), the executor (gotmpl_exec.c) and the functions
 * (gotmpl_func.c). Not for other files: they use gotmpl.h. */
#ifndef WARREN_GOTMPL_INT_H
#define WARREN_GOTMPL_INT_H

#include <jansson.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "gotmpl.h"

enum gt_node_kind { GT_TEXT, GT_ACTION, GT_IF, GT_RANGE, GT_WITH, GT_BREAK, GT_CONTINUE };

/* an operand: dot, .A.B, $x.A, a function name, a constant, or (pipeline).A */
enum gt_arg_kind { GA_DOT, GA_FIELD, GA_VAR, GA_FUNC, GA_LIT, GA_PIPE };

struct gt_pipe;

struct gt_arg {
	enum gt_arg_kind kind;
	size_t pos;
	char *name;    /* GA_VAR: "$x" or "$"; GA_FUNC: the function */
	char **fields; /* the field chain after the operand (GA_FIELD: from dot) */
	size_t nfields;
	json_t *lit;          /* GA_LIT: string, integer, real, true, false or null (nil) */
	struct gt_pipe *pipe; /* GA_PIPE */
	struct gt_arg *next;
};

/* one command of a pipeline: a function with its arguments, or one operand */
struct gt_cmd {
	struct gt_arg *args;
	size_t nargs;
	struct gt_cmd *next;
};

struct gt_pipe {
	size_t pos, end; /* its text in the template, for error messages */
	char *vars[2];   /* declared or assigned variables ("$x") */
	int nvars;
	bool decl; /* := (declare) rather than = (assign) */
	struct gt_cmd *cmds;
};

struct gt_node {
	enum gt_node_kind kind;
	size_t pos;
	const char *text; /* GT_TEXT: into the template's source */
	size_t len;
	struct gt_pipe *pipe;       /* GT_ACTION, GT_IF, GT_RANGE, GT_WITH */
	struct gt_node *body, *alt; /* alt: the {{else}} part */
	bool elseif;                /* alt is one node of our kind: {{else if}}, {{else with}} */
	struct gt_node *next;
};

struct gotmpl {
	char *src;
	struct gt_node *root;
};

/* "template: :LINE:COL: " for byte @pos of @src, into @buf */
void gt_where(const char *src, size_t pos, char *buf, size_t size);

/* @cp as UTF-8 at @out (room for 4); Return: its length */
size_t gt_utf8_put(char *out, uint32_t cp);

/* Go's %v of a float64 (the shortest form that reads back the same) */
void gt_format_float(char *out, size_t size, double d);

/* Go's fmt.Sprintf to @f: args[0] the format (a JSON string), the rest
 * its operands (gotmpl_printf.c) */
void gt_sprintf_into(FILE *f, json_t **args, size_t n);

/* the functions a template may call; gt_func_find() gives NULL for others */
struct gt_state;
typedef int (*gt_func_fn)(struct gt_state *st, json_t **args, size_t n, json_t **out);
gt_func_fn gt_func_find(const char *name);
bool gt_func_is_lazy(const char *name); /* and, or: arguments evaluated in turn */

/* what an executing template keeps (gotmpl_exec.c owns it) */
struct gt_state {
	const struct gotmpl *t;
	FILE *f;
	struct werr *err;
	char errbuf[256]; /* the function's message, before the action is named */
	struct {
		char *name;
		json_t *val;
	} vars[64];
	size_t nvars;
	int brk;      /* 1 break, 2 continue, pending */
	size_t iters; /* range iterations so far, against GT_RANGE_MAX */
};

/* the range iterations one execution may make in all: `range 8888888888`
 * (a range over an integer) or nested ranges would otherwise fill memory
 * with output before anything is printed */
#define GT_RANGE_MAX ((size_t)1 << 22)

/* the value a missing map key gives: prints "<no value>", is false */
extern json_t *gt_novalue;

/* a map (JSON object) that is not gt_novalue, which is one underneath */
static inline bool gt_is_map(json_t *v)
{
	return v != gt_novalue && json_is_object(v);
}

/* Go's default formatting (%v) of @v, appended to @f */
void gt_print_value(FILE *f, json_t *v);
/* Go's truth: false, 0, nil, "" and empty arrays and maps are false */
bool gt_truth(json_t *v);
/* Go's type name of @v as %T would print it for decoded JSON */
const char *gt_type_name(json_t *v);
/* set st->errbuf; Return: -EINVAL */
int gt_fail(struct gt_state *st, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif
