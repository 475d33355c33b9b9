/* cmd_login.c - `warren login` checks credentials against the registry and
 * stores them in auth.json (Podman's file); `warren logout` removes them.
 * A password is read from --password, --password-stdin or the terminal,
 * and never printed. */
#include "auth.h"
#include "climage.h"
#include "cleanup.h"
#include "commands.h"
#include "reference.h"
#include "registry.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

static const struct opt_def login_opts[] = {
	{ "username", 'u', OPT_VALUE, "USER", "Username", IO_USERNAME },
	{ "password", 'p', OPT_VALUE, "PASSWORD", "Password", IO_PASSWORD },
	{ "password-stdin", 0, OPT_FLAG, NULL, "Read the password from stdin", IO_PASSWORD_STDIN },
	{ "tls-verify", 0, OPT_FLAG, NULL, "Verify TLS (false also allows plain http)",
	  IO_TLS_VERIFY },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

/* a line from stdin, without echo when it is a terminal */
static int read_secret(const char *prompt, char *buf, size_t size, struct werr *err)
{
	struct termios old, quiet;
	bool tty = isatty(STDIN_FILENO);
	size_t l;

	if (tty) {
		fprintf(stderr, "%s", prompt);
		tcgetattr(STDIN_FILENO, &old);
		quiet = old;
		quiet.c_lflag &= ~(tcflag_t)ECHO;
		tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
	}
	if (!fgets(buf, (int)size, stdin))
		buf[0] = '\0';
	if (tty) {
		tcsetattr(STDIN_FILENO, TCSANOW, &old);
		fprintf(stderr, "\n");
	}
	l = strcspn(buf, "\r\n");
	buf[l] = '\0';
	if (!l)
		return werr_set(err, EINVAL, "no password given (use --password-stdin or -p)");
	return 0;
}

/* a registry name as login takes it: "HOST[:PORT]", maybe with a path or scheme */
static void registry_of(const char *arg, char *out, size_t size)
{
	const char *p = strstr(arg, "://") ? strstr(arg, "://") + 3 : arg;

	snprintf(out, size, "%.*s", (int)strcspn(p, "/"), p);
	if (!strcmp(out, "index.docker.io") || !strcmp(out, "registry-1.docker.io"))
		snprintf(out, size, "docker.io");
}

const struct cli_cmd cli_cmd_login = {
	"login", "[OPTIONS] REGISTRY", "Log in to a registry.", login_opts, 0, -1, OPTS_INTERSPERSED
};

int cmd_login(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct werr err = { 0 };
	struct registry reg;
	struct image_ref ref = { 0 };
	char user[AUTH_FIELD_MAX], pass[AUTH_FIELD_MAX];
	int ind, r = img_parse(&cli_cmd_login, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	if (argc - ind != 1) {
		werr_set(&err, EINVAL, "login needs the registry, e.g. warren login quay.io");
		return img_fail(&err);
	}
	registry_of(argv[ind], ref.domain, sizeof(ref.domain));
	snprintf(ref.path, sizeof(ref.path), "library/warren-login");
	if (a.username)
		snprintf(user, sizeof(user), "%s", a.username);
	else if (read_secret("Username: ", user, sizeof(user), &err) < 0)
		return img_fail(&err);
	if (a.password)
		snprintf(pass, sizeof(pass), "%s", a.password);
	else if (read_secret(a.password_stdin ? "" : "Password: ", pass, sizeof(pass), &err) < 0)
		return img_fail(&err);
	r = registry_open(&reg, &ref, a.tls_verify != 0, false, user, pass, &err);
	if (r == 0)
		r = registry_login_check(&reg, &err);
	registry_close(&reg);
	if (r == 0)
		r = auth_store(ref.domain, user, pass, &err);
	explicit_bzero(pass, sizeof(pass));
	if (r < 0)
		return img_fail(&err);
	printf("Login Succeeded!\n");
	return 0;
}

static const struct opt_def logout_opts[] = {
	{ "all", 'a', OPT_FLAG, NULL, "Remove every stored credential", IO_ALL },
	CLI_HELP_OPT,
	CLI_OPTS_END,
};

const struct cli_cmd cli_cmd_logout = {
	"logout", "[OPTIONS] REGISTRY", "Log out of a registry.", logout_opts, 0,
	-1,       OPTS_INTERSPERSED
};

int cmd_logout(int argc, char **argv)
{
	struct img_args a = { 0 };
	struct werr err = { 0 };
	char domain[REF_DOMAIN_MAX], path[4096];
	int ind, r = img_parse(&cli_cmd_logout, argc, argv, &ind, &a);

	if (r <= 0)
		return r < 0 ? cli_error_exit() : 0;
	if (a.all) {
		if (auth_file_path(path, sizeof(path), &err) < 0)
			return img_fail(&err);
		if (unlink(path) < 0 && errno != ENOENT) {
			werr_errno(&err, errno, "remove %s", path);
			return img_fail(&err);
		}
		printf("Removed login credentials for all registries\n");
		return 0;
	}
	if (argc - ind != 1) {
		werr_set(&err, EINVAL, "logout needs the registry (or --all)");
		return img_fail(&err);
	}
	registry_of(argv[ind], domain, sizeof(domain));
	r = auth_remove(domain, &err);
	if (r < 0)
		return img_fail(&err);
	if (r == 0) {
		werr_set(&err, ENOENT, "not logged into %s", domain);
		return img_fail(&err);
	}
	printf("Removed login credentials for %s\n", domain);
	return 0;
}
