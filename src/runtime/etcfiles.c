/* etcfiles.c - writes the container's hostname, hosts and resolv.conf into
 * a directory (a small tmpfs the child mounts for them). Reads the host's
 * files; never writes outside that directory. */
#include "etcfiles.h"
#include "cleanup.h"
#include "util.h"

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static int write_text(int dirfd, const char *name, const char *text, struct werr *err)
{
	_cleanup_close_ int fd =
	    openat(dirfd, name, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0644);

	if (fd < 0)
		return werr_errno(err, errno, "create /etc/%s", name);
	if (util_write_all(fd, text, strlen(text)) < 0)
		return werr_errno(err, errno, "write /etc/%s", name);
	return 0;
}

/* the host's resolv.conf; loopback nameservers dropped for a private network */
static char *resolv_conf(bool network_host)
{
	_cleanup_free_ char *host = NULL;
	struct werr err;
	size_t len, out = 0;
	char *buf;

	if (util_read_file(AT_FDCWD, "/etc/resolv.conf", 65536, &host, &len, &err) < 0)
		return strdup("");
	buf = malloc(len + 1);
	if (!buf)
		return NULL;
	for (const char *p = host; *p;) {
		size_t l = strcspn(p, "\n");
		bool skip = false;
		if (!network_host && !strncmp(p, "nameserver", 10)) {
			const char *a = p + 10;
			while (*a == ' ' || *a == '\t')
				a++;
			skip = !strncmp(a, "127.", 4) || !strncmp(a, "::1", 3);
		}
		if (!skip) {
			memcpy(buf + out, p, l);
			out += l;
			buf[out++] = '\n';
		}
		p += l + (p[l] ? 1 : 0);
	}
	buf[out] = '\0';
	return buf;
}

int etcfiles_write(int dirfd, const char *hostname, bool network_host, struct werr *err)
{
	char line[512];
	_cleanup_free_ char *hosts = NULL, *resolv = NULL;
	size_t len = 0;
	int r;

	snprintf(line, sizeof(line), "%s\n", hostname);
	r = write_text(dirfd, "hostname", line, err);
	if (r < 0)
		return r;
	if (network_host && util_read_file(AT_FDCWD, "/etc/hosts", 1 << 20, &hosts, &len, err) < 0)
		hosts = NULL;
	{
		size_t size = (hosts ? len : 0) + 512;
		_cleanup_free_ char *text = malloc(size);
		if (!text)
			return werr_errno(err, ENOMEM, "hosts");
		if (hosts)
			snprintf(text, size, "%s%s127.0.1.1\t%s\n", hosts,
			         len && hosts[len - 1] != '\n' ? "\n" : "", hostname);
		else
			snprintf(text, size,
			         "127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n"
			         "127.0.1.1\t%s\n",
			         hostname);
		r = write_text(dirfd, "hosts", text, err);
		if (r < 0)
			return r;
	}
	resolv = resolv_conf(network_host);
	if (!resolv)
		return werr_errno(err, ENOMEM, "resolv.conf");
	return write_text(dirfd, "resolv.conf", resolv, err);
}
