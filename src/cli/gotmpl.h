/* gotmpl.h - Go's text/template language, as Docker's CLI offers it for
 * --format and inspect -f, over JSON data: actions, pipelines, variables,
 * if/else/range/with/break/continue, Go's built-in functions and Docker's
 * (json, split, join, title, lower, upper, pad, truncate). Templates are
 * parsed once, refused with the line and column of the fault, then run on
 * each object. It never prints anything but the template's output. */
#ifndef WARREN_GOTMPL_H
#define WARREN_GOTMPL_H

#include <jansson.h>
#include <stdio.h>

#include "werr.h"

struct gotmpl;

/**
 * gotmpl_parse() - parse @text into a template.
 * Return: 0, or -EINVAL with @err saying "template: :LINE:COL: what".
 */
int gotmpl_parse(const char *text, struct gotmpl **out, struct werr *err);

/**
 * gotmpl_exec() - run @t with @data as dot (and $), writing to @f.
 * Return: 0, or -EINVAL with @err naming the action that failed (as Go:
 * "template: :1:2: executing at <.A.B>: ...").
 */
int gotmpl_exec(const struct gotmpl *t, json_t *data, FILE *f, struct werr *err);

/**
 * gotmpl_fields() - the last name of each field a top-level action prints
 * (for "table" headers: "{{.ID}}\t{{.Names}}" gives ID, Names), in order;
 * NULL when the action is not a plain field. Return: how many, at most @max.
 */
size_t gotmpl_fields(const struct gotmpl *t, const char **names, size_t max);

void gotmpl_free(struct gotmpl *t);

#endif
