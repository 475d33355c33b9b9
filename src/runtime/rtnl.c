/* rtnl.c - rtnetlink requests for bridge networks: each builds one message
 * in a fixed buffer, sends it with NLM_F_ACK and reads the kernel's answer.
 * It acts only on the namespace its socket was opened in, and never on a
 * link it did not name. */
#include "rtnl.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_link.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <net/if.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <unistd.h>

struct rtnl_msg {
	union {
		struct nlmsghdr h;
		char buf[1024];
	} u;
	bool full; /* an attribute did not fit: the request is refused */
};

/* start @m as a request of @type with a zeroed family header of @hdrlen */
static void *rtnl_msg_init(struct rtnl_msg *m, uint16_t type, uint16_t flags, size_t hdrlen)
{
	memset(m, 0, sizeof(*m));
	m->u.h.nlmsg_len = (uint32_t)NLMSG_LENGTH(hdrlen);
	m->u.h.nlmsg_type = type;
	m->u.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	return NLMSG_DATA(&m->u.h);
}

static struct rtattr *rtnl_attr(struct rtnl_msg *m, unsigned short type, const void *data,
                                size_t len)
{
	size_t at = NLMSG_ALIGN(m->u.h.nlmsg_len);
	struct rtattr *a = (struct rtattr *)(m->u.buf + at);

	if (at + RTA_SPACE(len) > sizeof(m->u.buf)) {
		m->full = true;
		return NULL;
	}
	a->rta_type = type;
	a->rta_len = (unsigned short)RTA_LENGTH(len);
	if (len)
		memcpy(RTA_DATA(a), data, len);
	m->u.h.nlmsg_len = (uint32_t)(at + RTA_SPACE(len));
	return a;
}

static void rtnl_attr_str(struct rtnl_msg *m, unsigned short type, const char *s)
{
	rtnl_attr(m, type, s, strlen(s) + 1);
}

static void rtnl_attr_u32(struct rtnl_msg *m, unsigned short type, uint32_t v)
{
	rtnl_attr(m, type, &v, sizeof(v));
}

/* a nested attribute: rtnl_nest_end() sets its length once it is filled */
static struct rtattr *rtnl_nest(struct rtnl_msg *m, unsigned short type)
{
	return rtnl_attr(m, type, NULL, 0);
}

static void rtnl_nest_end(struct rtnl_msg *m, struct rtattr *a)
{
	if (a)
		a->rta_len = (unsigned short)(m->u.buf + m->u.h.nlmsg_len - (char *)a);
}

/* send @m and wait for its acknowledgement */
static int rtnl_talk(struct rtnl *nl, struct rtnl_msg *m, const char *what, struct werr *err)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char reply[4096];
	ssize_t n;

	if (m->full)
		return werr_set(err, EMSGSIZE, "%s: netlink request too long", what);
	m->u.h.nlmsg_seq = ++nl->seq;
	do
		n = sendto(nl->fd, m->u.buf, m->u.h.nlmsg_len, 0, (struct sockaddr *)&kernel,
		           sizeof(kernel));
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return werr_errno(err, errno, "%s: netlink send", what);
	for (;;) {
		struct nlmsghdr *h = (struct nlmsghdr *)reply;
		int len;
		do
			n = recv(nl->fd, reply, sizeof(reply), 0);
		while (n < 0 && errno == EINTR);
		if (n < 0)
			return werr_errno(err, errno, "%s: netlink receive", what);
		len = (int)n;
		for (; NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
			const struct nlmsgerr *e = NLMSG_DATA(h);
			if (h->nlmsg_seq != nl->seq || h->nlmsg_type != NLMSG_ERROR)
				continue;
			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*e)))
				return werr_set(err, EPROTO, "%s: short netlink answer", what);
			return e->error ? werr_errno(err, -e->error, "%s", what) : 0;
		}
	}
}

int rtnl_open(struct rtnl *nl, struct werr *err)
{
	struct sockaddr_nl local = { .nl_family = AF_NETLINK };

	nl->seq = 0;
	nl->fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (nl->fd < 0)
		return werr_errno(err, errno, "netlink socket");
	if (bind(nl->fd, (struct sockaddr *)&local, sizeof(local)) < 0) {
		int e = errno;
		rtnl_close(nl);
		return werr_errno(err, e, "bind netlink socket");
	}
	return 0;
}

void rtnl_close(struct rtnl *nl)
{
	if (nl->fd >= 0)
		close(nl->fd);
	nl->fd = -1;
}

int rtnl_link_index(struct rtnl *nl, const char *name)
{
	unsigned idx;

	(void)nl; /* SIOCGIFINDEX answers for the namespace the thread is in */
	idx = if_nametoindex(name);
	return idx ? (int)idx : -ENODEV;
}

int rtnl_bridge_add(struct rtnl *nl, const char *name, struct werr *err)
{
	struct rtnl_msg m;
	struct rtattr *info;
	uint8_t mac[6];

	/* an address of its own: else the bridge takes its lowest port's,
	 * which changes as containers come and go, and the others' ARP
	 * entries for the gateway go stale for seconds */
	if (getrandom(mac, sizeof(mac), 0) != sizeof(mac))
		return werr_errno(err, errno, "getrandom");
	mac[0] = (uint8_t)((mac[0] & 0xfe) | 0x02); /* unicast, locally administered */
	rtnl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
	rtnl_attr_str(&m, IFLA_IFNAME, name);
	rtnl_attr(&m, IFLA_ADDRESS, mac, sizeof(mac));
	info = rtnl_nest(&m, IFLA_LINKINFO);
	rtnl_attr_str(&m, IFLA_INFO_KIND, "bridge");
	rtnl_nest_end(&m, info);
	return rtnl_talk(nl, &m, name, err);
}

int rtnl_veth_add(struct rtnl *nl, const char *name, const char *peer, int peer_netns_fd,
                  struct werr *err)
{
	struct rtnl_msg m;
	struct rtattr *info, *data, *pa;
	struct ifinfomsg peer_hdr = { .ifi_family = AF_UNSPEC };

	rtnl_msg_init(&m, RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL, sizeof(struct ifinfomsg));
	rtnl_attr_str(&m, IFLA_IFNAME, name);
	info = rtnl_nest(&m, IFLA_LINKINFO);
	rtnl_attr_str(&m, IFLA_INFO_KIND, "veth");
	data = rtnl_nest(&m, IFLA_INFO_DATA);
	/* VETH_INFO_PEER holds an ifinfomsg followed by the peer's attributes */
	pa = rtnl_attr(&m, VETH_INFO_PEER, &peer_hdr, sizeof(peer_hdr));
	rtnl_attr_str(&m, IFLA_IFNAME, peer);
	if (peer_netns_fd >= 0)
		rtnl_attr_u32(&m, IFLA_NET_NS_FD, (uint32_t)peer_netns_fd);
	rtnl_nest_end(&m, pa);
	rtnl_nest_end(&m, data);
	rtnl_nest_end(&m, info);
	return rtnl_talk(nl, &m, name, err);
}

int rtnl_link_set(struct rtnl *nl, int ifindex, bool up, int master, unsigned mtu, struct werr *err)
{
	struct rtnl_msg m;
	struct ifinfomsg *ifi = rtnl_msg_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	ifi->ifi_flags = up ? IFF_UP : 0;
	ifi->ifi_change = IFF_UP;
	if (master > 0)
		rtnl_attr_u32(&m, IFLA_MASTER, (uint32_t)master);
	if (mtu)
		rtnl_attr_u32(&m, IFLA_MTU, mtu);
	return rtnl_talk(nl, &m, "set link", err);
}

int rtnl_link_set_mac(struct rtnl *nl, int ifindex, const uint8_t mac[6], struct werr *err)
{
	struct rtnl_msg m;
	struct ifinfomsg *ifi = rtnl_msg_init(&m, RTM_NEWLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	rtnl_attr(&m, IFLA_ADDRESS, mac, 6);
	return rtnl_talk(nl, &m, "set link address", err);
}

int rtnl_link_del(struct rtnl *nl, int ifindex, struct werr *err)
{
	struct rtnl_msg m;
	struct ifinfomsg *ifi = rtnl_msg_init(&m, RTM_DELLINK, 0, sizeof(*ifi));

	ifi->ifi_family = AF_UNSPEC;
	ifi->ifi_index = ifindex;
	return rtnl_talk(nl, &m, "delete link", err);
}

int rtnl_addr_add(struct rtnl *nl, int ifindex, uint32_t addr, unsigned prefix, struct werr *err)
{
	struct rtnl_msg m;
	struct ifaddrmsg *ifa =
	    rtnl_msg_init(&m, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL, sizeof(*ifa));
	uint32_t be = htonl(addr);
	uint32_t bcast = htonl(addr | (prefix < 32 ? ~(~(uint32_t)0 << (32 - prefix)) : 0));

	ifa->ifa_family = AF_INET;
	ifa->ifa_prefixlen = (unsigned char)prefix;
	ifa->ifa_scope = RT_SCOPE_UNIVERSE;
	ifa->ifa_index = (unsigned)ifindex;
	rtnl_attr(&m, IFA_LOCAL, &be, sizeof(be));
	rtnl_attr(&m, IFA_ADDRESS, &be, sizeof(be));
	if (prefix < 31)
		rtnl_attr(&m, IFA_BROADCAST, &bcast, sizeof(bcast));
	return rtnl_talk(nl, &m, "add address", err);
}

int rtnl_route_default(struct rtnl *nl, uint32_t gw, struct werr *err)
{
	struct rtnl_msg m;
	struct rtmsg *rt = rtnl_msg_init(&m, RTM_NEWROUTE, NLM_F_CREATE | NLM_F_EXCL, sizeof(*rt));
	uint32_t be = htonl(gw);

	rt->rtm_family = AF_INET;
	rt->rtm_table = RT_TABLE_MAIN;
	rt->rtm_protocol = RTPROT_BOOT;
	rt->rtm_scope = RT_SCOPE_UNIVERSE;
	rt->rtm_type = RTN_UNICAST;
	rtnl_attr(&m, RTA_GATEWAY, &be, sizeof(be));
	return rtnl_talk(nl, &m, "add default route", err);
}
