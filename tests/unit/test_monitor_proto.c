/* test_monitor_proto.c - the words warren and warren-monitor hand each other
 * across exec: what one side formats, the other parses back the same, and
 * bad words are refused. */
#include "monitor_proto.h"
#include "tap.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "attach_proto.h"

int main(void)
{
	static char store[8192];
	char *argv[MONITOR_MAX_ARGS + 4];
	int p[2];
	struct werr err;
	struct monitor_args b, a = {
		.id = "0123abcd",
		.record_dir = "/s/containers/0123abcd",
		.warren = "/usr/bin/warren",
		.log_path = "/s/ctr.log",
		.log_max_size = 1LL << 40,
		.log_max_file = 3,
		.pid = 4242,
		.net_pid = 4243,
		.overlay_pid = 0,
		.lock_fd = 3,
		.listen_fd = 4,
		.out_fd = 5,
		.err_fd = -1,
		.in_fd = -1,
		.log_fd = 6,
		.tty = true,
		.restart = MONITOR_RESTART_ON_FAILURE,
		.restarts = 2,
		.stop_signal = 15,
		.stop_timeout = 600,
		.code = 137,
		.restarting = true,
		.clients = { 7, 8 },
		.n_clients = 2,
	};
	int n;

	argv[0] = "warren";
	argv[1] = "cleanup";
	n = monitor_args_format(&a, store, sizeof(store), argv, 2);
	check(n > 2 && argv[n] == NULL, "formatted, NULL-terminated");
	check(monitor_args_parse(n, argv, 2, &b, &err) == 0, "parsed back");
	check_str(b.id, a.id, "id");
	check_str(b.record_dir, a.record_dir, "record dir");
	check_str(b.warren, a.warren, "warren");
	check_str(b.log_path, a.log_path, "log path");
	check(b.log_max_size == a.log_max_size && b.log_max_file == 3, "log limits");
	check(b.pid == 4242 && b.net_pid == 4243 && b.overlay_pid == 0, "pids");
	check(b.lock_fd == 3 && b.listen_fd == 4 && b.out_fd == 5 && b.err_fd == -1 &&
	          b.in_fd == -1 && b.log_fd == 6,
	      "fds, -1 for none");
	check(b.tty && b.restarting && b.restart == MONITOR_RESTART_ON_FAILURE && b.restarts == 2 &&
	          b.code == 137,
	      "flags and numbers");
	check(b.stop_signal == 15 && b.stop_timeout == 600, "stop signal and timeout");
	check(b.n_clients == 2 && b.clients[0] == 7 && b.clients[1] == 8, "clients");

	{
		char *bad[] = { "x", "--id=1", "--record=/r", "--pid=-5" };
		check(monitor_args_parse(4, bad, 1, &b, &err) < 0, "a negative pid is refused");
		bad[3] = "--pid=12x";
		check(monitor_args_parse(4, bad, 1, &b, &err) < 0, "trailing junk is refused");
		bad[3] = "--bogus=1";
		check(monitor_args_parse(4, bad, 1, &b, &err) < 0, "an unknown word is refused");
		bad[3] = "--log=x";
		check(monitor_args_parse(4, bad, 1, &b, &err) < 0, "--pid is needed");
	}
	/* across the exec the fds must stay open, then be closed on the next one */
	if (pipe2(p, O_CLOEXEC) == 0) {
		struct monitor_args c = { .lock_fd = p[0],
			                  .listen_fd = -1,
			                  .out_fd = -1,
			                  .err_fd = -1,
			                  .in_fd = -1,
			                  .log_fd = -1 };
		monitor_args_inherit(&c);
		check(!(fcntl(p[0], F_GETFD) & FD_CLOEXEC), "inherit clears FD_CLOEXEC");
		close(p[0]);
		close(p[1]);
	}
	/* the monitor's last word reaches a client whose own message (a resize
	 * sent as the container ended) the monitor never read */
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, p) == 0) {
		char resize[5] = { ATTACH_RESIZE, 24, 0, 80, 0 }, got[8] = { 0 };
		char last[5] = { ATTACH_EXIT, 3, 0, 0, 0 };
		ssize_t got_n;
		send(p[0], resize, sizeof(resize), 0);
		monitor_client_end(p[1], last, sizeof(last));
		got_n = recv(p[0], got, sizeof(got), 0);
		check(got_n == (ssize_t)sizeof(last) && memcmp(got, last, sizeof(last)) == 0,
		      "the exit message arrives though the client's resize was never read");
		check(recv(p[0], got, sizeof(got), 0) == 0, "then the end of the connection");
		close(p[0]);
	}
	printf("1..%d\n", tap_tests);
	return tap_failed ? 1 : 0;
}
