/* net.h - warren-net's shared definitions: the addresses of the user-mode
 * network (as slirp4netns uses them), the configuration read from the
 * command line, and the entry points of each file. No state lives here. */
#ifndef WARREN_NET_H
#define WARREN_NET_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "werr.h"

#define NET_TAP_NAME    "tap0"
#define NET_NETWORK     "10.0.2.0"
#define NET_NETMASK     "255.255.255.0"
#define NET_GATEWAY     "10.0.2.2"
#define NET_NAMESERVER  "10.0.2.3"
#define NET_GUEST       "10.0.2.100"
#define NET_DHCP_START  "10.0.2.15"
#define NET_PREFIX6     "fd00::"
#define NET_GATEWAY6    "fd00::2"
#define NET_NAMESERVER6 "fd00::3"
#define NET_MTU_DEFAULT 65520
#define NET_MTU_MIN     1280
#define NET_MTU_MAX     65521 /* libslirp's IF_MTU_MAX */
#define NET_MAX_PORTS   256
#define NET_MAX_CONNS   1024

/* a TCP listener warren bound on the host and handed over (splice handler) */
struct net_listener {
	int fd;
	uint16_t container_port;
};

/* a forwarding libslirp owns (port_handler=slirp, and every UDP port) */
struct net_hostfwd {
	bool udp;
	struct sockaddr_storage host; /* address and port to listen on */
	uint16_t container_port;
};

struct net_cfg {
	pid_t pid;    /* a process in the container's user and network namespaces */
	int ready_fd; /* "ok\n" or an error message, then closed */
	int go_fd;    /* one byte once the container's ID maps are written, or -1 */
	unsigned mtu;
	bool allow_host_loopback;
	bool ipv6;
	struct net_listener listeners[NET_MAX_PORTS]; /* TCP */
	size_t n_listeners;
	struct net_listener udp_listeners[NET_MAX_PORTS];
	size_t n_udp_listeners;
	struct net_hostfwd hostfwds[NET_MAX_PORTS];
	size_t n_hostfwds;
	bool ping_allowed; /* net.ipv4.ping_group_range covers one of our groups */
	int bypass_fd;     /* --bypass-fd: socket switching's listener comes here */
	/* --forward-to: no tap and no libslirp, only the port forwarders, which
	 * connect to this address (network byte order) instead of 127.0.0.1:
	 * a container on a user-defined network, whose eth0 is a veth */
	bool forward_only;
	uint32_t forward_addr;
};

/**
 * nsjoin_start() - start the socket factory (warren-netns, factory.c): a
 * process that joins the user and network namespaces of @pid, creates and
 * configures the tap device there, and then makes sockets inside that
 * network namespace on request.
 * @mtu: the tap's MTU; 0 for no tap (*@tap_fd is then -1)
 * @tap_fd: out: the tap device (non-blocking)
 * @factory_fd: out: SOCK_SEQPACKET to ask for sockets (nsjoin_socket())
 * Return: 0, or a negative errno with @err naming the fix.
 */
int nsjoin_start(pid_t pid, unsigned mtu, int *tap_fd, int *factory_fd, pid_t *child,
                 struct werr *err);

/**
 * nsjoin_socket() - a new non-blocking TCP (or @udp) socket in the
 * container's network namespace, made by the factory behind @factory_fd.
 * Safe to call from several threads.
 * Return: the fd, or a negative errno.
 */
int nsjoin_socket(int factory_fd, bool udp);

/**
 * nsjoin_socket_of() - as nsjoin_socket(), for the factory's request byte
 * @kind: 't' TCP, 'u' UDP, '6' TCP over IPv6.
 * Return: the fd, or a negative errno.
 */
int nsjoin_socket_of(int factory_fd, char kind);

/**
 * tap_create() - open /dev/net/tun as tap0 (no packet information), set its
 * MTU, address 10.0.2.100/24, bring it up and route everything through
 * 10.0.2.2. Runs inside the container's network namespace.
 * Return: the tap fd, or a negative errno with @err set.
 */
int tap_create(unsigned mtu, struct werr *err);

/**
 * slirpnet_init() - create the libslirp instance for @cfg (addresses, MTU,
 * host loopback, IPv6) over @tap_fd, with its forwardings (UDP and
 * port_handler=slirp).
 * Return: 0, or a negative errno with @err naming the port that failed.
 */
int slirpnet_init(const struct net_cfg *cfg, int tap_fd, struct werr *err);

/**
 * slirpnet_run() - serve the tap with libslirp until the container's process
 * (@pidfd) exits or a stop signal arrives on @sigfd.
 * Return: 0, or a negative errno when poll() fails.
 */
int slirpnet_run(int pidfd, int sigfd);

/**
 * portfwd_start() - start the splice forwarder thread for @cfg's listeners;
 * each accepted connection is connected to 127.0.0.1:PORT (or
 * @cfg->forward_addr) inside the container with a socket from @factory_fd.
 * Return: 0, or a negative errno with @err set.
 */
int portfwd_start(const struct net_cfg *cfg, int factory_fd, struct werr *err);

/**
 * portfwd_drop() - stop forwarding @cfg listener number @i and close it:
 * socket switching bound its host port for the container's own socket.
 */
void portfwd_drop(size_t i);

/**
 * portfwd_stand_in() - forward the connections of @fd, a listener inside
 * the container's namespace, to @to on the host: what reached a switched
 * port from inside the container (its own loopback or address) gets there.
 * Return: 0, or a negative errno.
 */
int portfwd_stand_in(int fd, const struct sockaddr_storage *to, socklen_t to_len);

/**
 * udpfwd_start() - start the UDP forwarder thread for @cfg's UDP listeners;
 * each host client gets its own socket inside the container, connected to
 * 127.0.0.1:PORT.
 * Return: 0, or a negative errno with @err set.
 */
int udpfwd_start(const struct net_cfg *cfg, int factory_fd, struct werr *err);

/**
 * bypass_start() - with @cfg->bypass_fd, start socket switching (bypass.c):
 * a thread that receives the container's seccomp listener on that socket,
 * makes its outbound TCP connects in the host's network namespace, and
 * binds its listening sockets on published TCP ports on the host's side of
 * the port (stand-ins inside the namespace come from @factory_fd).
 * Return: 0, or a negative errno with @err set.
 */
int bypass_start(const struct net_cfg *cfg, int factory_fd, struct werr *err);

/**
 * net_target() - the address the forwarders connect to inside the
 * container for @cfg: 127.0.0.1, or the --forward-to address.
 * Return: the address in network byte order.
 */
static inline uint32_t net_target(const struct net_cfg *cfg)
{
	return cfg->forward_only ? cfg->forward_addr : htonl(INADDR_LOOPBACK);
}

/**
 * thread_start() - run @fn(NULL) in a detached thread and return once it
 * runs (before seccomp is installed for every thread).
 * Return: 0, or a negative errno with @err set.
 */
int thread_start(void *(*fn)(void *), struct werr *err);

/**
 * netseccomp_install() - confine this process (all its threads) to the
 * system calls warren-net uses once started.
 * Return: 0, or a negative errno with @err set.
 */
int netseccomp_install(struct werr *err);

/**
 * trim_idle() - once serving, return the heap's free memory and unmap the
 * read-only file pages that start-up touched (they stay in the page cache;
 * what the serving loop runs is mapped back on use). Best effort.
 */
void trim_idle(void);

#endif
