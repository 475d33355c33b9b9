/* cmd_unshare.c - `warren unshare [COMMAND [ARG...]]`, Podman's command of
 * that name: COMMAND (else the user's shell) as root of a user namespace
 * with the ID maps containers get, so that files the store holds under
 * subordinate IDs can be read, changed and removed by the user. It never
 * mounts anything and gives no privilege the user's ranges do not. */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cliutil.h"
#include "cmdtab.h"
#include "commands.h"
#include "idmap.h"
#include "userns_exec.h"

static const struct opt_def unshare_opts[] = { CLI_HELP_OPT, CLI_OPTS_END };

/* implements opt_cb: unshare has no options but --help */
static int unshare_opt(void *ctx, const struct opt_def *def, const char *v, struct werr *err)
{
	(void)ctx, (void)def, (void)v, (void)err;
	return 0;
}

/* implements userns_exec's fn: run the command, Return: its exit status */
static int unshare_run(void *arg, struct werr *err)
{
	char **argv = arg;
	int st;
	pid_t pid = fork();

	if (pid < 0)
		return werr_errno(err, errno, "fork");
	if (pid == 0) {
		signal(SIGINT, SIG_DFL);
		signal(SIGQUIT, SIG_DFL);
		execvp(argv[0], argv);
		fprintf(stderr, "warren: unshare: %s: %s\n", argv[0], strerror(errno));
		_exit(errno == ENOENT ? EXIT_NOT_FOUND : EXIT_CANNOT_EXEC);
	}
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return werr_errno(err, errno, "waiting for %s", argv[0]);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

const struct cli_cmd cli_cmd_unshare = {
	"unshare",
	"[COMMAND [ARG...]]",
	"Run a command (default: your shell) as root of a user namespace with the store's ID maps, "
	"e.g. to remove files the store keeps under subordinate IDs",
	unshare_opts,
	0,
	-1,
	OPTS_STOP_AT_OPERAND,
};

int cmd_unshare(int argc, char **argv)
{
	struct idmap_plan plan;
	struct werr err = { 0 };
	const char *shell = getenv("SHELL");
	char *dflt[] = { (char *)(shell && *shell ? shell : "/bin/sh"), NULL };
	int ind, r = cli_parse(&cli_cmd_unshare, argc, argv, &ind, unshare_opt, NULL);

	if (r >= 0)
		return r;
	if (idmap_plan_make(&plan, false, &err) < 0)
		return cli_error(&err);
	if (plan.warning[0])
		fprintf(stderr, "warren: %s\n", plan.warning);
	/* the terminal's ^C and ^\ are the command's, not ours */
	signal(SIGINT, SIG_IGN);
	signal(SIGQUIT, SIG_IGN);
	r = userns_exec(&plan, unshare_run, ind < argc ? argv + ind : dflt, &err);
	return r < 0 ? cli_error(&err) : r;
}
