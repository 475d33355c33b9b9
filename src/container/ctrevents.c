/* ctrevents.c - container events with Docker's attributes (ctrevents.h). */
#include "ctrevents.h"
#include "events.h"

#include <stdio.h>
#include <string.h>

void ctrevents_log(const struct gopts *g, const char *action, const char *id, const char *name,
                   const char *image, json_t *labels, json_t *extra)
{
	json_t *attrs = json_object(), *v;
	const char *k;

	if (!attrs) {
		json_decref(extra);
		return;
	}
	json_object_foreach(labels, k, v) if (json_is_string(v)) json_object_set(attrs, k, v);
	if (image)
		json_object_set_new(attrs, "image", json_string(image));
	if (name)
		json_object_set_new(attrs, "name", json_string(name[0] == '/' ? name + 1 : name));
	if (extra)
		json_object_update(attrs, extra);
	json_decref(extra);
	events_log(g, "container", action, id, attrs);
}

void ctrevents_record(const struct record *rec, const char *action, json_t *extra)
{
	struct gopts g = { 0 };
	char *slash;

	if (!rec->config) {
		json_decref(extra);
		return;
	}
	/* <store>/containers/<id> */
	snprintf(g.root, sizeof(g.root), "%s", rec->dir);
	for (int i = 0; i < 2 && (slash = strrchr(g.root, '/')); i++)
		*slash = '\0';
	ctrevents_log(
	    &g, action, rec->id, json_string_value(json_object_get(rec->config, "Name")),
	    json_string_value(json_object_get(json_object_get(rec->config, "Config"), "Image")),
	    json_object_get(json_object_get(rec->config, "Config"), "Labels"), extra);
}
