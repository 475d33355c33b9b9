/* cmd_create.c - the record half of `create` and `run`: names, labels,
 * restart and log options, the record (ctrrun_create()), then print the ID,
 * start detached, or start and attach. The spec itself comes from
 * cmd_run.c's option table. */
#include "cleanup.h"
#include "commands.h"
#include "attach.h"
#include "create.h"
#include "ctrrun.h"
#include "lifecycle.h"
#include "record.h"
#include "run_flags.h"
#include "state.h"
#include "util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

int create_opt(struct create_opts *o, const struct opt_def *def, const char *v, struct werr *err)
{
	char *end;
	long n;
	int sig;

	switch (def->id) {
	case C_DETACH: o->detach = !strcmp(v, "true"); return 0;
	case C_NAME:
		if (record_check_name(v, err) < 0)
			return -err->code;
		o->name = v;
		return 0;
	case C_LABEL: {
		const char *eq = strchr(v, '=');
		char key[256];
		if (eq == v || strlen(v) > 4096)
			return werr_set(err, EINVAL, "invalid --label \"%s\": use KEY=VALUE", v);
		snprintf(key, sizeof(key), "%.*s", (int)(eq ? eq - v : (long)strlen(v)), v);
		if (!o->labels)
			o->labels = json_object();
		json_object_set_new(o->labels, key, json_string(eq ? eq + 1 : ""));
		return 0;
	}
	case C_RESTART: return config_restart_parse(v, o, err);
	case C_LOG_OPT: return config_log_opt_parse(v, o, err);
	case C_STOP_SIGNAL:
		if (lifecycle_signal_parse(v, &sig, err) < 0)
			return werr_prefix(err, "--stop-signal");
		o->stop_signal = v;
		return 0;
	case C_STOP_TIMEOUT:
		errno = 0;
		n = strtol(v, &end, 10);
		if (errno || *end || end == v || n < 0 || n > 86400 * 365)
			return werr_set(err, EINVAL,
			                "invalid --stop-timeout \"%s\": use a number of seconds",
			                v);
		o->stop_timeout = (int)n;
		return 0;
	case C_DETACH_KEYS: {
		struct detach_keys d;
		if (term_detach_parse(v, &d, err) < 0)
			return -err->code;
		o->detach_keys = v;
		return 0;
	}
	}
	return werr_set(err, EINVAL, "internal: unhandled option %s", def->long_name);
}

void create_opts_free(struct create_opts *o)
{
	json_decref(o->labels);
	json_decref(o->healthcheck);
	o->labels = o->healthcheck = NULL;
}

/* attach through @sock with @ao (its detach keys set by the caller) */
static int attach_client(const char *id, int sock, struct attach_opts *ao)
{
	struct record rec;
	struct werr err = { 0 };
	bool detached, tty = ao->tty;
	int code = 0;

	if (record_load(cli_gopts(), id, &rec, &err) == 0) {
		ao->sig_pid = state_running_pid(&rec);
		record_free(&rec);
	}
	if (attach_run(sock, ao, &code, &detached, &err) < 0) {
		/* the monitor went away: the record tells what happened, if it is
		 * still there; else (--rm) say that the exit code is unknown */
		struct werr gone = { 0 };
		if (record_load(cli_gopts(), id, &rec, &gone) < 0) {
			werr_prefix(&err, "%s: exit code unknown", id);
			werr_print(&err, "warren");
			return EXIT_WARREN;
		}
		state_refresh(&rec, &err);
		code = (int)state_int(&rec, "ExitCode");
		record_free(&rec);
	}
	if (detached) {
		if (tty)
			fprintf(stderr, "\r\n");
		return 0;
	}
	return code;
}

int cli_attach(const char *id, int sock, bool stdin_open, bool tty, const char *detach_keys)
{
	struct attach_opts ao = { .stdin_open = stdin_open, .tty = tty };
	struct werr err = { 0 };

	term_detach_parse(detach_keys ? detach_keys : "ctrl-p,ctrl-q", &ao.keys, &err);
	return attach_client(id, sock, &ao);
}

int create_publish(struct container_spec *spec, struct create_opts *o)
{
	struct werr err = { 0 };

	if (ctrrun_create(cli_gopts(), spec, o, &err) < 0) {
		werr_print(&err, "warren");
		return EXIT_WARREN;
	}
	return 0;
}

int create_launch(struct container_spec *spec, struct create_opts *o, bool create_only)
{
	struct werr err = { 0 };
	struct record rec;
	struct winsize ws = { 0 }, *wsp = NULL;
	int sv[2] = { -1, -1 }, status = EXIT_WARREN, r;
	sigset_t set, old;

	if (record_load(cli_gopts(), spec->id, &rec, &err) < 0) {
		werr_print(&err, "warren");
		return EXIT_WARREN;
	}
	if (create_only || o->detach) {
		if (!create_only && lifecycle_start(&rec, -1, NULL, &status, &err) < 0) {
			werr_print(&err, "warren");
			if (o->auto_remove) /* --rm: nothing stays of a start that failed */
				lifecycle_remove(&rec, true, true, &err);
			record_free(&rec);
			return status ? status : EXIT_WARREN;
		}
		printf("%s\n", spec->id);
		record_free(&rec);
		return 0;
	}
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		werr_errno(&err, errno, "socketpair");
		werr_print(&err, "warren");
		record_free(&rec);
		return EXIT_WARREN;
	}
	if (o->tty && ioctl(STDIN_FILENO, TIOCGWINSZ, &ws) == 0)
		wsp = &ws;
	attach_signals_block(&set, &old);
	r = lifecycle_start(&rec, sv[1], wsp, &status, &err);
	close(sv[1]);
	record_free(&rec);
	if (r < 0) {
		werr_print(&err, "warren");
		close(sv[0]);
		if (o->auto_remove && record_load(cli_gopts(), spec->id, &rec, &err) == 0) {
			lifecycle_remove(&rec, true, true, &err);
			record_free(&rec);
		}
		return status ? status : EXIT_WARREN;
	}
	{
		/* -a: only the streams named; --sig-proxy=false: signals stay ours */
		struct attach_opts ao = {
			.stdin_open = spec->keep_stdin && (!o->attach || (o->attach & ATTACH_IN)),
			.tty = o->tty,
			.no_sig_proxy = o->no_sig_proxy,
			.drop_stdout = o->attach && !(o->attach & ATTACH_OUT),
			.drop_stderr = o->attach && !(o->attach & ATTACH_ERR),
		};
		term_detach_parse(o->detach_keys ? o->detach_keys : "ctrl-p,ctrl-q", &ao.keys,
		                  &err);
		status = attach_client(spec->id, sv[0], &ao);
	}
	close(sv[0]);
	return status;
}
