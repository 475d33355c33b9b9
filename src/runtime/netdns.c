/* netdns.c - the networks' DNS responder inside the holder (netdns.h).
 * Answers only a container on the gateway's own network (its source
 * address must hold a name file there), and reads the name table fresh at
 * each query, so a container another command just started resolves at
 * once. Never writes to the store. */
#include "netdns.h"
#include "cleanup.h"
#include "dnsmsg.h"
#include "util.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>

#define NETDNS_MSG_MAX  4096
#define NETDNS_UDP_MAX  512 /* RFC 1035 4.2.1: no EDNS0 in our answers */
#define NETDNS_MAX_RRS  64
#define NETDNS_WAIT_SEC 5

void netdns_init_host(struct netdns *d, const char *rundir)
{
	memset(d, 0, sizeof(*d));
	d->udp = d->tcp = -1;
	d->up4 = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	d->up6 = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	snprintf(d->table, sizeof(d->table), "%s/" NETDNS_DIR, rundir);
	if (getrandom(&d->next_id, sizeof(d->next_id), GRND_NONBLOCK) < 0)
		d->next_id = (uint16_t)getpid();
}

int netdns_listen(struct netdns *d)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_port = htons(53) };
	int one = 1;

	d->udp = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	d->tcp = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (d->udp < 0 || d->tcp < 0)
		return -errno;
	/* replies leave from the gateway the query came to */
	if (setsockopt(d->udp, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one)) < 0 ||
	    setsockopt(d->tcp, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(d->udp, (struct sockaddr *)&sa, sizeof(sa)) < 0 ||
	    bind(d->tcp, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(d->tcp, 64) < 0)
		return -errno;
	return 0;
}

int netdns_pollfds(const struct netdns *d, struct pollfd *fds)
{
	int n = 0, all[4] = { d->udp, d->tcp, d->up4, d->up6 };

	for (int i = 0; i < 4; i++)
		if (all[i] >= 0)
			fds[n++] = (struct pollfd){ .fd = all[i], .events = POLLIN };
	return n;
}

int netdns_timeout(const struct netdns *d)
{
	return d->n_pending ? 1000 : -1;
}

/* ---- the name table --------------------------------------------------- */

/* whether @qname names the container whose name file line @i is @line (line
 * 0 is its ID: the 12-hex short ID or the whole ID name it) */
static bool netdns_match(const char *qname, const char *line, size_t i)
{
	if (i == 0)
		return (strlen(qname) == 12 && !strncmp(line, qname, 12)) || !strcmp(line, qname);
	return *line && !strcasecmp(line, qname);
}

/* "D.C.B.A.in-addr.arpa" into "A.B.C.D" (@out: 16 bytes); Return: whether it is one */
static bool netdns_ptr_addr(const char *qname, char *out)
{
	unsigned b[4];
	char tail[32];
	struct in_addr a;

	if (sscanf(qname, "%3u.%3u.%3u.%3u.%31s", &b[3], &b[2], &b[1], &b[0], tail) != 5 ||
	    strcmp(tail, "in-addr.arpa"))
		return false;
	snprintf(out, 16, "%u.%u.%u.%u", b[0], b[1], b[2], b[3]);
	return inet_pton(AF_INET, out, &a) == 1;
}

struct netdns_result {
	bool member; /* the asking address is on this network */
	bool known;  /* the name is one of the network's */
	struct dnsmsg_rr rrs[NETDNS_MAX_RRS];
	char targets[NETDNS_MAX_RRS][DNSMSG_NAME_MAX + 1];
	size_t n;
};

/* one container's name file (@ip, @text) against question @q */
static void netdns_entry(const struct dnsmsg_question *q, const char *ip, char *text,
                         const char *ptr_ip, struct netdns_result *res)
{
	char *lines[NETDNS_MAX_RRS];
	size_t n = 0;
	bool hit = false;

	for (char *p = text, *nl; p && *p && n < NETDNS_MAX_RRS; p = nl ? nl + 1 : NULL) {
		nl = strchr(p, '\n');
		if (nl)
			*nl = '\0';
		lines[n++] = p;
	}
	if (ptr_ip) {
		if (strcmp(ptr_ip, ip) || n == 0 || res->n >= NETDNS_MAX_RRS)
			return;
		res->known = true;
		/* its name, else (a run without one) its short ID */
		if (n > 1 && *lines[1])
			snprintf(res->targets[res->n], sizeof(res->targets[0]), "%s", lines[1]);
		else
			snprintf(res->targets[res->n], sizeof(res->targets[0]), "%.12s", lines[0]);
		res->rrs[res->n] =
		    (struct dnsmsg_rr){ .type = DNSMSG_TYPE_PTR, .target = res->targets[res->n] };
		res->n++;
		return;
	}
	for (size_t i = 0; i < n && !hit; i++)
		hit = netdns_match(q->name, lines[i], i);
	if (!hit)
		return;
	res->known = true;
	if (q->type == DNSMSG_TYPE_A && res->n < NETDNS_MAX_RRS) {
		res->rrs[res->n].type = DNSMSG_TYPE_A;
		if (inet_pton(AF_INET, ip, res->rrs[res->n].addr) == 1)
			res->n++;
	}
}

/* @q in the names of one network (@path: its names directory), added to
 * @res only when container @asker (its ID) is on that network too */
static void netdns_lookup_in(const char *path, const char *asker, const struct dnsmsg_question *q,
                             struct netdns_result *res)
{
	_cleanup_free_ struct netdns_result *one = calloc(1, sizeof(*one));
	char ptr_ip[16];
	bool want =
	    q->qclass == DNSMSG_CLASS_IN && q->name[0] &&
	    (q->type == DNSMSG_TYPE_A || q->type == DNSMSG_TYPE_AAAA || q->type == DNSMSG_TYPE_PTR);
	bool ptr = want && q->type == DNSMSG_TYPE_PTR && netdns_ptr_addr(q->name, ptr_ip);
	struct dirent *de;
	DIR *dir = one ? opendir(path) : NULL;

	if (!dir)
		return;
	while ((de = readdir(dir))) {
		_cleanup_free_ char *text = NULL;
		struct in_addr a;
		struct werr ignored;
		size_t len, idl;
		if (inet_pton(AF_INET, de->d_name, &a) != 1 ||
		    util_read_file(dirfd(dir), de->d_name, 4096, &text, &len, &ignored) < 0)
			continue;
		idl = strcspn(text, "\n");
		one->member |= idl == strlen(asker) && !strncmp(text, asker, idl);
		if (want && (q->type != DNSMSG_TYPE_PTR || ptr))
			netdns_entry(q, de->d_name, text, ptr ? ptr_ip : NULL, one);
	}
	closedir(dir);
	if (!one->member)
		return;
	res->known |= one->known;
	for (size_t i = 0; i < one->n && res->n < NETDNS_MAX_RRS; i++, res->n++) {
		res->rrs[res->n] = one->rrs[i];
		if (one->rrs[i].target) {
			snprintf(res->targets[res->n], sizeof(res->targets[0]), "%s",
			         one->targets[i]);
			res->rrs[res->n].target = res->targets[res->n];
		}
	}
}

/* look @q up for the container at @src that asked gateway @local: in the
 * names of every network that container is on (Docker's embedded DNS
 * answers them all); res->member says whether it is on @local's at all */
static void netdns_lookup(const struct netdns *d, struct in_addr local, struct in_addr src,
                          const struct dnsmsg_question *q, struct netdns_result *res)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX + 64], gw[16], from[16], asker[80];
	struct werr ignored;
	struct dirent *de;
	size_t len;
	DIR *dir;

	inet_ntop(AF_INET, &local, gw, sizeof(gw));
	inet_ntop(AF_INET, &src, from, sizeof(from));
	snprintf(path, sizeof(path), "%s/%s/" NETDNS_NAMES "/%s", d->table, gw, from);
	if (util_read_file(AT_FDCWD, path, 4096, &text, &len, &ignored) < 0)
		return;
	snprintf(asker, sizeof(asker), "%.*s", (int)strcspn(text, "\n"), text);
	if (!asker[0] || !(dir = opendir(d->table)))
		return;
	res->member = true;
	while ((de = readdir(dir))) {
		if (de->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "%s/%s/" NETDNS_NAMES, d->table, de->d_name);
		netdns_lookup_in(path, asker, q, res);
	}
	closedir(dir);
}

/* ---- answering -------------------------------------------------------- */

static void netdns_send_udp(const struct netdns *d, const uint8_t *msg, size_t len,
                            const struct sockaddr_in *to, struct in_addr local)
{
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))] = { 0 };
	struct iovec iov = { (void *)msg, len };
	struct msghdr mh = { .msg_name = (void *)to,
		             .msg_namelen = sizeof(*to),
		             .msg_iov = &iov,
		             .msg_iovlen = 1,
		             .msg_control = cbuf,
		             .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	struct in_pktinfo *pi = (struct in_pktinfo *)CMSG_DATA(c);

	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(*pi));
	pi->ipi_spec_dst = local;
	sendmsg(d->udp, &mh, MSG_DONTWAIT | MSG_NOSIGNAL);
}

static void netdns_send_tcp(int fd, const uint8_t *msg, size_t len)
{
	uint8_t hdr[2] = { (uint8_t)(len >> 8), (uint8_t)len };

	if (util_write_all(fd, hdr, 2) == 0)
		util_write_all(fd, msg, len);
}

/* the first nameserver of the host's resolv.conf (read at each query, as
 * it may change) into @ss; Return: its length, 0 if there is none */
static socklen_t netdns_server(struct sockaddr_storage *ss)
{
	_cleanup_fclose_ FILE *f = fopen("/etc/resolv.conf", "re");
	char line[512], addr[128];

	memset(ss, 0, sizeof(*ss));
	while (f && fgets(line, sizeof(line), f)) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;
		if (sscanf(line, " nameserver %127s", addr) != 1)
			continue;
		if (strchr(addr, '%'))
			*strchr(addr, '%') = '\0'; /* a link-local zone: not reachable from here */
		if (inet_pton(AF_INET, addr, &s4->sin_addr) == 1) {
			s4->sin_family = AF_INET;
			s4->sin_port = htons(53);
			return sizeof(*s4);
		}
		if (inet_pton(AF_INET6, addr, &s6->sin6_addr) == 1) {
			s6->sin6_family = AF_INET6;
			s6->sin6_port = htons(53);
			return sizeof(*s6);
		}
	}
	return 0;
}

/* send @msg on to the host's resolver; Return: 0, or -1 when it cannot be */
static int netdns_forward(struct netdns *d, uint8_t *msg, size_t len, int tcp,
                          const struct sockaddr_in *client, struct in_addr local)
{
	struct netdns_pending *p;
	int up;

	if (d->n_pending >= NETDNS_PENDING)
		return -1;
	p = &d->pending[d->n_pending];
	p->server_len = netdns_server(&p->server);
	up = p->server.ss_family == AF_INET6 ? d->up6 : d->up4;
	if (!p->server_len || up < 0)
		return -1;
	p->client_id = dnsmsg_id(msg);
	/* a fresh random ID per query (RFC 5452): the socket's port is fixed */
	if (getrandom(&p->id, sizeof(p->id), GRND_NONBLOCK) != sizeof(p->id))
		p->id = d->next_id++;
	p->at = time(NULL);
	p->tcp = tcp;
	p->client = client ? *client : (struct sockaddr_in){ 0 };
	p->local = local;
	dnsmsg_set_id(msg, p->id);
	if (sendto(up, msg, len, MSG_DONTWAIT | MSG_NOSIGNAL, (struct sockaddr *)&p->server,
	           p->server_len) < 0)
		return -1;
	d->n_pending++;
	return 0;
}

/* whether the network behind gateway @local is --internal: no way out,
 * for names either (Docker forwards nothing from an internal network) */
static bool netdns_internal(const struct netdns *d, struct in_addr local)
{
	char path[PATH_MAX + 64], gw[16];
	json_t *net;
	bool internal;

	inet_ntop(AF_INET, &local, gw, sizeof(gw));
	snprintf(path, sizeof(path), "%s/%s/network.json", d->table, gw);
	net = json_load_file(path, 0, NULL);
	internal = !net || json_is_true(json_object_get(net, "Internal"));
	json_decref(net);
	return internal;
}

/* one query @msg from @src to gateway @local: the reply into @out.
 * Return: the reply's length, 0 when it was forwarded (or is dropped) */
static size_t netdns_query(struct netdns *d, uint8_t *msg, size_t len, int tcp,
                           const struct sockaddr_in *src, struct in_addr local, uint8_t *out,
                           size_t size)
{
	struct dnsmsg_question q;
	struct netdns_result res = { 0 };
	uint16_t id = dnsmsg_id(msg);
	struct dnsmsg_question bare;
	size_t nl, dl = strlen(NETDNS_DOMAIN);
	bool ours;

	if (dnsmsg_parse_query(msg, len, &q) < 0)
		return 0;
	/* NAME.dns.podman is NAME: the first search domain of the container's
	 * resolv.conf, so resolvers that try only the search list find it */
	bare = q;
	nl = strlen(q.name);
	ours =
	    nl > dl + 1 && q.name[nl - dl - 1] == '.' && !strcmp(q.name + nl - dl, NETDNS_DOMAIN);
	if (ours)
		bare.name[nl - dl - 1] = '\0';
	netdns_lookup(d, local, src->sin_addr, &bare, &res);
	if (!res.member) /* another network's container, through our gateway */
		return dnsmsg_answer(msg, &q, DNSMSG_REFUSED, NULL, 0, out, size);
	if (res.known || ours)
		return dnsmsg_answer(msg, &q, res.known ? DNSMSG_NOERROR : DNSMSG_NXDOMAIN, res.rrs,
		                     res.n, out, size);
	if (netdns_internal(d, local))
		return dnsmsg_answer(msg, &q, DNSMSG_REFUSED, NULL, 0, out, size);
	if (netdns_forward(d, msg, len, tcp, src, local) == 0)
		return 0;
	dnsmsg_set_id(msg, id);
	return dnsmsg_answer(msg, &q, DNSMSG_SERVFAIL, NULL, 0, out, size);
}

static void netdns_serve_udp(struct netdns *d)
{
	uint8_t msg[NETDNS_MSG_MAX], out[NETDNS_UDP_MAX];
	char cbuf[CMSG_SPACE(sizeof(struct in_pktinfo))];
	struct sockaddr_in src;
	struct iovec iov = { msg, sizeof(msg) };
	struct msghdr mh = { .msg_name = &src,
		             .msg_namelen = sizeof(src),
		             .msg_iov = &iov,
		             .msg_iovlen = 1,
		             .msg_control = cbuf,
		             .msg_controllen = sizeof(cbuf) };
	struct in_addr local = { 0 };
	ssize_t n = recvmsg(d->udp, &mh, MSG_DONTWAIT);
	size_t r;

	if (n < DNSMSG_HEADER)
		return;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c))
		if (c->cmsg_level == IPPROTO_IP && c->cmsg_type == IP_PKTINFO)
			local = ((struct in_pktinfo *)CMSG_DATA(c))->ipi_addr;
	r = netdns_query(d, msg, (size_t)n, -1, &src, local, out, sizeof(out));
	if (r)
		netdns_send_udp(d, out, r, &src, local);
}

static void netdns_serve_tcp(struct netdns *d)
{
	struct sockaddr_in src, local;
	socklen_t sl = sizeof(src), ll = sizeof(local);
	struct timeval tv = { 1, 0 };
	uint8_t hdr[2], msg[NETDNS_MSG_MAX], out[NETDNS_MSG_MAX];
	int fd = accept4(d->tcp, (struct sockaddr *)&src, &sl, SOCK_CLOEXEC);
	size_t len, r;

	if (fd < 0)
		return;
	/* a client sends its query at once: a second bounds a slow one */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (getsockname(fd, (struct sockaddr *)&local, &ll) < 0 ||
	    util_read_upto(fd, hdr, 2) != 2 ||
	    (len = (size_t)(hdr[0] << 8 | hdr[1])) < DNSMSG_HEADER || len > sizeof(msg) ||
	    util_read_upto(fd, msg, len) != len) {
		close(fd);
		return;
	}
	r = netdns_query(d, msg, len, fd, &src, local.sin_addr, out, sizeof(out));
	if (r)
		netdns_send_tcp(fd, out, r);
	if (r || d->n_pending == 0 || d->pending[d->n_pending - 1].tcp != fd)
		close(fd);
}

static bool netdns_same_server(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_port == b4->sin_port && a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return a6->sin6_port == b6->sin6_port &&
	       !memcmp(&a6->sin6_addr, &b6->sin6_addr, sizeof(a6->sin6_addr));
}

/* an answer of the host's resolver on @up: back to whoever asked */
static void netdns_serve_upstream(struct netdns *d, int up)
{
	uint8_t msg[NETDNS_MSG_MAX];
	struct sockaddr_storage from;
	socklen_t fl = sizeof(from);
	ssize_t n = recvfrom(up, msg, sizeof(msg), MSG_DONTWAIT, (struct sockaddr *)&from, &fl);

	if (n < DNSMSG_HEADER)
		return;
	for (size_t i = 0; i < d->n_pending; i++) {
		struct netdns_pending *p = &d->pending[i];
		if (p->id != dnsmsg_id(msg) || !netdns_same_server(&from, &p->server))
			continue;
		dnsmsg_set_id(msg, p->client_id);
		if (p->tcp >= 0) {
			netdns_send_tcp(p->tcp, msg, (size_t)n);
			close(p->tcp);
		} else {
			/* as the resolver sent it: it sized it for the client's EDNS0 */
			netdns_send_udp(d, msg, (size_t)n, &p->client, p->local);
		}
		d->pending[i] = d->pending[--d->n_pending];
		return;
	}
}

/* forget forwarded queries the resolver never answered (the client retries) */
static void netdns_expire(struct netdns *d)
{
	time_t now = time(NULL);

	for (size_t i = 0; i < d->n_pending;) {
		if (now - d->pending[i].at < NETDNS_WAIT_SEC) {
			i++;
			continue;
		}
		if (d->pending[i].tcp >= 0)
			close(d->pending[i].tcp);
		d->pending[i] = d->pending[--d->n_pending];
	}
}

void netdns_serve(struct netdns *d, const struct pollfd *fds, int n)
{
	for (int i = 0; i < n; i++) {
		if (!(fds[i].revents & POLLIN))
			continue;
		if (fds[i].fd == d->udp)
			netdns_serve_udp(d);
		else if (fds[i].fd == d->tcp)
			netdns_serve_tcp(d);
		else
			netdns_serve_upstream(d, fds[i].fd);
	}
	netdns_expire(d);
}

/* ---- the gateways' table, written by the commands ---------------------- */

int netdns_register(const char *rundir, uint32_t gw, const char *netdir, struct werr *err)
{
	char dir[PATH_MAX], path[PATH_MAX + 32], tmp[PATH_MAX + 48], ip[16];
	struct in_addr a = { htonl(gw) };

	inet_ntop(AF_INET, &a, ip, sizeof(ip));
	snprintf(dir, sizeof(dir), "%s/" NETDNS_DIR, rundir);
	if (mkdir(dir, 0700) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "mkdir %s", dir);
	snprintf(path, sizeof(path), "%s/%s", dir, ip);
	snprintf(tmp, sizeof(tmp), "%s/.tmp-%s", dir, ip);
	unlink(tmp);
	if (symlink(netdir, tmp) < 0 || rename(tmp, path) < 0)
		return werr_errno(err, errno, "%s", path);
	return 0;
}

void netdns_forget(const char *rundir)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/" NETDNS_DIR, rundir);
	util_rm_rf(dir);
}
