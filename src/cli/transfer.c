/* transfer.c - finds warren-transfer (next to warren in a build tree, else
 * in ../libexec/warren/) and hands it commands: exec for a whole command,
 * spawn-and-wait where `warren run` needs a pull or a copied rootfs. */
#include "transfer.h"
#include "cleanup.h"
#include "cliutil.h"
#include "commands.h"
#include "idmap_json.h"
#include "util.h"

#include <fcntl.h>
#include <limits.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

#define TRANSFER_PROG "warren-transfer"

static int transfer_path(char *buf, size_t size, struct werr *err)
{
	if (util_find_program(TRANSFER_PROG, "src", false, buf, size) == 0)
		return 0;
	return werr_set(err, ENOENT,
	                "%s is missing: warren is not completely installed (expected next to "
	                "warren or in its ../libexec/warren/; reinstall with meson install)",
	                TRANSFER_PROG);
}

int cmd_transfer(int argc, char **argv)
{
	char path[PATH_MAX + 64], gbuf[2 * PATH_MAX];
	struct werr err = { 0 };
	char **nargv = calloc((size_t)argc + 4, sizeof(char *));
	int g;

	if (!nargv || transfer_path(path, sizeof(path), &err) < 0) {
		if (!nargv)
			werr_set(&err, ENOMEM, "out of memory");
		return cli_error(&err);
	}
	nargv[0] = path;
	g = gopts_argv(cli_gopts(), gbuf, sizeof(gbuf), nargv + 1);
	if (g < 0) {
		werr_set(&err, E2BIG, "--root is too long");
		free(nargv);
		return cli_error(&err);
	}
	memcpy(nargv + 1 + g, argv, (size_t)argc * sizeof(char *));
	fflush(NULL);
	execv(path, nargv);
	werr_errno(&err, errno, "running %s", path);
	free(nargv);
	return cli_error(&err);
}

int transfer_run(const char *const argv[], char *out, size_t size, struct werr *err)
{
	char path[PATH_MAX + 64], gbuf[2 * PATH_MAX];
	char *nargv[16];
	posix_spawn_file_actions_t fa;
	int pipefd[2], st, r, g;
	size_t n = 0, got = 0;
	pid_t pid;

	if (transfer_path(path, sizeof(path), err) < 0)
		return -err->code;
	nargv[n++] = path;
	g = gopts_argv(cli_gopts(), gbuf, sizeof(gbuf), nargv + n);
	if (g < 0)
		return werr_set(err, E2BIG, "--root is too long");
	n += (size_t)g;
	for (size_t i = 0; argv[i] && n < ARRAY_SIZE(nargv) - 1; i++)
		nargv[n++] = (char *)argv[i];
	nargv[n] = NULL;
	if (pipe2(pipefd, O_CLOEXEC) < 0)
		return werr_errno(err, errno, "pipe");
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_adddup2(&fa, pipefd[1], STDOUT_FILENO);
	fflush(NULL);
	r = posix_spawn(&pid, path, &fa, NULL, (char *const *)nargv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(pipefd[1]);
	if (r != 0) {
		close(pipefd[0]);
		return werr_errno(err, r, "running %s", path);
	}
	for (;;) {
		char sink[256];
		ssize_t k = got + 1 < size ? read(pipefd[0], out + got, size - 1 - got)
		                           : read(pipefd[0], sink, sizeof(sink));
		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			break;
		if (got + 1 < size)
			got += (size_t)k;
	}
	if (size)
		out[got] = '\0';
	close(pipefd[0]);
	while (waitpid(pid, &st, 0) < 0)
		if (errno != EINTR)
			return werr_errno(err, errno, "waiting for %s", path);
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	/* its commands print their one line and exit 1 (or 125) */
	if (WIFEXITED(st) && (WEXITSTATUS(st) == 1 || WEXITSTATUS(st) == EXIT_WARREN))
		return werr_reported(err, EIO);
	return werr_set(err, EIO, "%s %s failed (%s %d)", TRANSFER_PROG, argv[0],
	                WIFEXITED(st) ? "exit" : "signal",
	                WIFEXITED(st) ? WEXITSTATUS(st) : WTERMSIG(st));
}

int transfer_rootfs_copy(const char *image_id, const char *dest, const struct idmap_plan *plan,
                         struct werr *err)
{
	/* the plan itself, not a fresh one: the copy's owners are the container's */
	json_t *j = idmap_plan_to_json(plan);
	_cleanup_free_ char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
	const char *argv[] = { "rootfs-copy", "--idmap", text, image_id, dest, NULL };
	char out[8];

	json_decref(j);
	if (!text)
		return werr_set(err, ENOMEM, "rootfs-copy: out of memory");
	return transfer_run(argv, out, sizeof(out), err);
}
