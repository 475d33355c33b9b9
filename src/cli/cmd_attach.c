/* cmd_attach.c - `warren attach`: connect the terminal to a running
 * container's monitor; ctrl-p ctrl-q (or --detach-keys) detaches and leaves
 * the container running. */
#include "attach.h"
#include "cliutil.h"
#include "commands.h"
#include "create.h"
#include "state.h"

#include <string.h>
#include <unistd.h>

enum { A_NO_STDIN = 1, A_DKEYS, A_SIG_PROXY };

struct attach_cfg {
	bool no_stdin;
	const char *detach_keys;
};

static const struct opt_def attach_opts[] = {
	{ "no-stdin", 0, OPT_FLAG, NULL, "Do not attach stdin", A_NO_STDIN },
	{ "detach-keys", 0, OPT_VALUE, "KEYS", "Keys that detach (default ctrl-p,ctrl-q)",
	  A_DKEYS },
	{ "sig-proxy", 0, OPT_FLAG, NULL, "Proxy signals to the container (always on)",
	  A_SIG_PROXY },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* implements opt_cb for attach */
static int attach_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	struct attach_cfg *c = ctx;
	struct detach_keys d;

	if (def->id == A_NO_STDIN)
		c->no_stdin = !strcmp(v, "true");
	if (def->id == A_DKEYS) {
		c->detach_keys = v;
		return term_detach_parse(v, &d, err);
	}
	return 0;
}

const struct cli_cmd cli_cmd_attach = {
	"attach", "[OPTIONS] CONTAINER", "Attach to a running container's stdio.", attach_opts, 1,
	1,        OPTS_INTERSPERSED
};

int cmd_attach(int argc, char **argv)
{
	struct attach_cfg c = { 0 };
	struct record rec;
	struct werr err = { 0 };
	bool tty, in;
	int sock, ind, r = cli_parse(&cli_cmd_attach, argc, argv, &ind, attach_opt, &c);

	if (r >= 0)
		return r;
	if (record_lookup(cli_gopts(), argv[ind], &rec, &err) < 0 || state_refresh(&rec, &err) < 0)
		return cli_error(&err);
	if (!state_running_pid(&rec) || attach_connect(rec.id, &sock, &err) < 0) {
		werr_set(&err, EINVAL, "container %s is not running: start it with warren start -a",
		         record_name(&rec));
		record_free(&rec);
		return cli_error(&err);
	}
	tty = json_is_true(json_object_get(json_object_get(rec.config, "Config"), "Tty"));
	in = !c.no_stdin &&
	     json_is_true(json_object_get(json_object_get(rec.config, "Config"), "OpenStdin"));
	r = cli_attach(rec.id, sock, in, tty, c.detach_keys);
	close(sock);
	record_free(&rec);
	return r;
}
