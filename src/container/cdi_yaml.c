/* cdi_yaml.c - a YAML document (libyaml) as a jansson value, so that a CDI
 * spec in YAML is read by the same code as one in JSON. Plain scalars that
 * are numbers, booleans or null become those; every other scalar a string.
 * Never follows aliases into a cycle: libyaml's document API has none. */
#include "cdi.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <yaml.h>

#define CDI_YAML_DEPTH 64

/* a plain scalar's JSON type, YAML 1.2's core schema */
static json_t *cdi_yaml_scalar(const yaml_node_t *n)
{
	const char *v = (const char *)n->data.scalar.value;
	char *end;
	long long i;

	if (n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
		return json_stringn(v, n->data.scalar.length);
	if (!strcmp(v, "true") || !strcmp(v, "True") || !strcmp(v, "TRUE"))
		return json_true();
	if (!strcmp(v, "false") || !strcmp(v, "False") || !strcmp(v, "FALSE"))
		return json_false();
	if (!*v || !strcmp(v, "~") || !strcmp(v, "null") || !strcmp(v, "Null"))
		return json_null();
	errno = 0;
	i = strtoll(v, &end, 0);
	if (!errno && !*end && (v[0] == '-' || (v[0] >= '0' && v[0] <= '9')))
		return json_integer(i);
	return json_stringn(v, n->data.scalar.length);
}

static json_t *cdi_yaml_node(yaml_document_t *doc, yaml_node_t *n, int depth)
{
	json_t *j;

	if (!n || depth > CDI_YAML_DEPTH)
		return NULL;
	switch (n->type) {
	case YAML_SCALAR_NODE: return cdi_yaml_scalar(n);
	case YAML_SEQUENCE_NODE:
		j = json_array();
		for (yaml_node_item_t *it = n->data.sequence.items.start;
		     j && it < n->data.sequence.items.top; it++) {
			json_t *v = cdi_yaml_node(doc, yaml_document_get_node(doc, *it), depth + 1);
			if (!v || json_array_append_new(j, v) < 0) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	case YAML_MAPPING_NODE:
		j = json_object();
		for (yaml_node_pair_t *p = n->data.mapping.pairs.start;
		     j && p < n->data.mapping.pairs.top; p++) {
			yaml_node_t *k = yaml_document_get_node(doc, p->key);
			json_t *v;
			if (!k || k->type != YAML_SCALAR_NODE) {
				json_decref(j);
				return NULL;
			}
			v = cdi_yaml_node(doc, yaml_document_get_node(doc, p->value), depth + 1);
			if (!v ||
			    json_object_set_new(j, (const char *)k->data.scalar.value, v) < 0) {
				json_decref(j);
				return NULL;
			}
		}
		return j;
	default: return NULL;
	}
}

json_t *cdi_yaml_parse(const char *text, size_t len, char *why, size_t why_size)
{
	yaml_parser_t parser;
	yaml_document_t doc;
	json_t *j = NULL;

	if (!yaml_parser_initialize(&parser)) {
		snprintf(why, why_size, "out of memory");
		return NULL;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		snprintf(why, why_size, "line %zu: %s", parser.problem_mark.line + 1,
		         parser.problem ? parser.problem : "invalid YAML");
		yaml_parser_delete(&parser);
		return NULL;
	}
	j = cdi_yaml_node(&doc, yaml_document_get_root_node(&doc), 0);
	if (!j)
		snprintf(why, why_size, "not a YAML document of maps, lists and scalars");
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	return j;
}
