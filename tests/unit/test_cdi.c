/* test_cdi.c - unit tests for container/cdi.c and cdi_yaml.c: the CDI name
 * grammar, YAML scalars as JSON types, a later spec directory winning over
 * an earlier one, =all, and which broken spec an unknown device names. */
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cdi.h"
#include "tap.h"

static char tmp[] = "/tmp/test_cdi.XXXXXX";

static void spec_write(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%s", tmp, dir, name);
	f = fopen(path, "w");
	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

/* the value of KEY in @e's environment, or NULL */
static const char *edits_env(const struct cdi_edits *e, const char *key)
{
	size_t kl = strlen(key);

	for (size_t i = 0; i < e->n_env; i++)
		if (!strncmp(e->env[i], key, kl) && e->env[i][kl] == '=')
			return e->env[i] + kl + 1;
	return NULL;
}

int main(void)
{
	char dirs[128], why[256];
	struct cdi_edits e = { 0 };
	struct werr err = { 0 };
	const char *yaml;
	json_t *j;

	check(cdi_name_p("vendor.com/class=name") && cdi_name_p("a/b=all") &&
	          !cdi_name_p("/dev/null") && !cdi_name_p("/dev/x=y") && !cdi_name_p("a=b/c"),
	      "a CDI name has a '/' before a '=' and does not start with '/'");

	yaml = "a: 1\nb: \"2\"\nc: true\nd: ~\ne: [x, -3]\nf: 0x10\n";
	j = cdi_yaml_parse(yaml, strlen(yaml), why, sizeof(why));
	check(j && json_integer_value(json_object_get(j, "a")) == 1 &&
	          json_is_string(json_object_get(j, "b")) &&
	          json_is_true(json_object_get(j, "c")) && json_is_null(json_object_get(j, "d")) &&
	          json_integer_value(json_array_get(json_object_get(j, "e"), 1)) == -3 &&
	          json_integer_value(json_object_get(j, "f")) == 16,
	      "YAML plain scalars become numbers, booleans and null; quoted ones strings");
	json_decref(j);
	j = cdi_yaml_parse("a: [1, 2\n", 9, why, sizeof(why));
	check(!j && strstr(why, "line"), "broken YAML names its line");

	if (!mkdtemp(tmp))
		return 1;
	snprintf(dirs, sizeof(dirs), "%s/etc:%s/run", tmp, tmp);
	snprintf(why, sizeof(why), "%s/etc", tmp);
	mkdir(why, 0755);
	snprintf(why, sizeof(why), "%s/run", tmp);
	mkdir(why, 0755);
	spec_write("etc", "a.json",
	           "{\"cdiVersion\": \"0.5.0\", \"kind\": \"t.example/x\", \"containerEdits\": "
	           "{\"env\": [\"SPEC=etc\"]}, \"devices\": [{\"name\": \"one\", "
	           "\"containerEdits\": {\"env\": [\"ONE=etc\"]}}, {\"name\": \"two\", "
	           "\"containerEdits\": {\"env\": [\"TWO=etc\"]}}]}");
	spec_write("run", "b.yaml",
	           "cdiVersion: 0.7.0\nkind: t.example/x\ndevices:\n- name: one\n"
	           "  containerEdits:\n    env: [ONE=run]\n");
	spec_write("run", "c.json", "{\"cdiVersion\": \"0.6.0\", \"kind\": \"t.example/y\", ");

	check(cdi_resolve(dirs, "t.example/x=one", &e, &err) == 0 &&
	          !strcmp(edits_env(&e, "ONE") ?: "", "run") && !edits_env(&e, "SPEC"),
	      "a device of a later directory wins over the earlier one's");
	cdi_edits_free(&e);
	check(cdi_resolve(dirs, "t.example/x=two", &e, &err) == 0 &&
	          !strcmp(edits_env(&e, "TWO") ?: "", "etc") &&
	          !strcmp(edits_env(&e, "SPEC") ?: "", "etc"),
	      "a device only the earlier directory has comes with its spec's own edits");
	cdi_edits_free(&e);
	check(cdi_resolve(dirs, "t.example/x=all", &e, &err) == 0 && e.n_env == 3 &&
	          !strcmp(edits_env(&e, "ONE") ?: "", "run") &&
	          !strcmp(edits_env(&e, "TWO") ?: "", "etc"),
	      "=all: every device of the kind once, the later directory's first");
	cdi_edits_free(&e);
	err = (struct werr){ 0 };
	check(cdi_resolve(dirs, "t.example/x=three", &e, &err) < 0 && strstr(err.msg, "c.json"),
	      "an unknown device names a broken spec");
	cdi_edits_free(&e);
	check(cdi_resolve(dirs, "t.example/x=b@d", &e, &err) == -EINVAL &&
	          cdi_resolve(dirs, "-bad.example/x=one", &e, &err) == -EINVAL &&
	          cdi_resolve(dirs, "t.example/x.y=one", &e, &err) == -EINVAL,
	      "a name outside the grammar is refused");
	cdi_edits_free(&e);
	check(cdi_kind_present(dirs, "t.example/x") && !cdi_kind_present(dirs, "t.example/y"),
	      "a broken spec declares no kind");

	snprintf(why, sizeof(why), "rm -rf %s", tmp);
	if (system(why) != 0)
		return 1;
	return tap_done();
}
