/* test_console.c - warren's side of -t (console_receive): it takes only a
 * pty master sent with the word "t", and nothing when the container's
 * process ends without sending one. */
#include "console.h"
#include "tap.h"
#include "util.h"

#include <fcntl.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

/* what arrives when @fd is sent with @word (fd -1: the word alone; word
 * NULL: the sender closes without a word) */
static int sent(int fd, const char *word)
{
	int sp[2], got;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sp) < 0)
		return -2;
	if (word)
		util_fd_send(sp[1], fd, word, strlen(word));
	close(sp[1]);
	got = console_receive(sp[0]);
	close(sp[0]);
	return got;
}

int main(void)
{
	int master = posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC), p[2], got;

	if (!check(master >= 0, "a pty master to send") || pipe2(p, O_CLOEXEC) < 0)
		return tap_done();
	got = sent(master, "t");
	check(got >= 0 && got != master, "a master sent with \"t\" is taken");
	if (got >= 0)
		close(got);
	check(sent(master, "x") == -1, "a master sent with another word is refused");
	check(sent(master, "tt") == -1, "a master sent with a longer word is refused");
	check(sent(p[0], "t") == -1, "a pipe is not taken for a terminal");
	check(sent(-1, "t") == -1, "the word without a fd gives nothing");
	check(sent(-1, NULL) == -1, "a sender that ends without a word gives nothing");
	close(master);
	close(p[0]);
	close(p[1]);
	return tap_done();
}
