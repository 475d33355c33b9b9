/* ctrrun.c - the entry into running a container for cli and the builder:
 * the foreground run, the record of a new container, and exec. Calls the
 * runtime and the records; prints nothing, exits nothing. */
#include "ctrrun.h"
#include "ctrevents.h"
#include "exec.h"
#include "state.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int ctrrun_foreground(struct container_spec *spec, int *status, struct werr *err)
{
	return container_run(spec, status, err);
}

static const char *const name_left[] = {
	"agile",  "bold",   "brave", "calm",  "clever", "eager", "fervent",
	"gentle", "happy",  "jolly", "keen",  "lucid",  "merry", "nifty",
	"quiet",  "serene", "sharp", "swift", "tender", "witty",
};
static const char *const name_right[] = {
	"badger", "beaver",  "ferret", "fox",      "hare",   "hedgehog", "marten",
	"mole",   "otter",   "rabbit", "shrew",    "stoat",  "vole",     "weasel",
	"wombat", "meerkat", "mink",   "dormouse", "gopher", "lemming",
};

/* a name given by the user, or adjective_animal (with a number once taken) */
int ctrrun_create(const struct gopts *g, const struct container_spec *spec, struct create_opts *o,
                  struct werr *err)
{
	char name[160];
	int r = -EEXIST;

	if (!o->image)
		o->image = spec->rootfs;
	if (!o->labels)
		o->labels = json_object();
	for (int attempt = 0; r == -EEXIST && attempt < 50; attempt++) {
		json_t *config;
		unsigned char rnd[3];
		if (o->name) {
			snprintf(name, sizeof(name), "%s", o->name);
		} else {
			if (getentropy(rnd, sizeof(rnd)) < 0)
				return werr_errno(err, errno, "getrandom");
			snprintf(name, sizeof(name), "%s_%s",
			         name_left[rnd[0] % ARRAY_SIZE(name_left)],
			         name_right[rnd[1] % ARRAY_SIZE(name_right)]);
			if (attempt >= 3)
				snprintf(name + strlen(name), sizeof(name) - strlen(name), "%d",
				         rnd[2] + attempt);
		}
		config = config_from_spec(spec, o, name);
		if (!config)
			return werr_set(err, ENOMEM, "building config.json");
		r = record_create(g, spec->id, name, config, err);
		json_decref(config);
		if (r == 0)
			ctrevents_log(g, "create", spec->id, name, o->image, o->labels, NULL);
		if (o->name)
			break;
	}
	return r;
}

/* the container's environment, then @x's (a later key wins; KEY alone takes
 * the caller's value); with @tty, Docker's TERM=xterm unless either sets TERM */
static char **exec_env(char **base, const struct ctrrun_exec *x, bool tty)
{
	size_t n = 0, cap;
	char **env;
	bool term = false;

	while (base[n])
		term |= !strncmp(base[n++], "TERM=", 5);
	cap = n + x->n_env + 2;
	env = calloc(cap, sizeof(char *));
	if (!env)
		return NULL;
	memcpy(env, base, n * sizeof(char *));
	if (tty && !term)
		env[n++] = "TERM=xterm";
	for (size_t i = 0; i < x->n_env; i++) {
		const char *kv = x->env[i];
		size_t kl = strcspn(kv, "="), j;
		if (!kv[kl]) {
			const char *hv = getenv(kv);
			char *s;
			if (!hv || asprintf(&s, "%s=%s", kv, hv) < 0)
				continue;
			kv = s; /* kept until warren exits: one exec per process */
		}
		for (j = 0; j < n; j++)
			if (!strncmp(env[j], kv, kl + 1))
				break;
		env[j] = (char *)kv;
		if (j == n)
			n++;
	}
	return env;
}

/* Docker's "exec_start: CMD ARGS" event */
static void ctrrun_exec_event(const struct record *rec, char **argv)
{
	char action[512] = "exec_start:";
	size_t n = strlen(action);

	for (size_t i = 0; argv[i] && n < sizeof(action) - 1; i++)
		n += (size_t)snprintf(action + n, sizeof(action) - n, " %s", argv[i]);
	ctrevents_record(rec, action, NULL);
}

int ctrrun_exec(const struct record *rec, const struct ctrrun_exec *x,
                struct container_stdio *stdio, pid_t *child, int *status, struct werr *err)
{
	struct container_spec spec;
	struct exec_spec es = { x->argv, NULL, x->user, x->workdir };
	pid_t pid = state_running_pid(rec);
	int r;

	*status = EXIT_WARREN;
	if (!pid)
		return werr_set(err, EINVAL, "container %s is not running: start it first",
		                record_name(rec));
	r = config_to_spec(rec->config, &spec, err);
	if (r == 0 && !(es.env = exec_env(spec.env, x, stdio->tty)))
		r = werr_errno(err, ENOMEM, "environment");
	if (r == 0)
		r = container_exec(&spec, pid, &es, stdio, child, status, err);
	if (r == 0)
		ctrrun_exec_event(rec, x->argv);
	free(es.env);
	config_spec_free(&spec);
	return r;
}
