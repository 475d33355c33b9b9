/* tap.c - the container's side of the network: tap0 with its MTU, address,
 * default route. Runs only in the socket factory, inside the container's
 * user and network namespaces; never touches the host's interfaces. */
#include "net.h"
#include "cleanup.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <net/route.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>

static int tap_open(struct werr *err)
{
	struct ifreq ifr = { 0 };
	_cleanup_close_ int fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0 && (errno == EACCES || errno == EPERM))
		return werr_errno(err, errno,
		                  "cannot open /dev/net/tun for the container's network (it "
		                  "should be mode 0666; as root: chmod 0666 /dev/net/tun; or "
		                  "use --network none or --network host)");
	if (fd < 0 && errno == ENOENT)
		return werr_errno(err, errno,
		                  "cannot open /dev/net/tun (as root: modprobe tun; or use "
		                  "--network none or --network host)");
	if (fd < 0)
		return werr_errno(err, errno, "cannot open /dev/net/tun");
	ifr.ifr_flags = IFF_TAP | IFF_NO_PI;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", NET_TAP_NAME);
	if (ioctl(fd, TUNSETIFF, &ifr) < 0)
		return werr_errno(err, errno, "creating the tap device %s (TUNSETIFF)",
		                  NET_TAP_NAME);
	/* a non-persistent tap is unregistered when its fd closes, which waits
	 * for RCU grace periods in our exit (20-30 ms that warren waits for);
	 * a persistent one goes with the container's network namespace, whose
	 * cleanup runs in the kernel's workqueue, after everyone has gone */
	if (ioctl(fd, TUNSETPERSIST, 1) < 0)
		return werr_errno(err, errno, "making the tap device %s persistent", NET_TAP_NAME);
	return steal_fd(&fd);
}

static void tap_sockaddr(struct sockaddr *sa, const char *addr)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)sa;

	memset(sin, 0, sizeof(*sin));
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
}

static int tap_configure(int s, unsigned mtu, struct werr *err)
{
	struct ifreq ifr = { 0 };
	struct rtentry rt = { 0 };

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", NET_TAP_NAME);
	ifr.ifr_mtu = (int)mtu;
	if (ioctl(s, SIOCSIFMTU, &ifr) < 0)
		return werr_errno(err, errno, "setting the MTU of %s to %u", NET_TAP_NAME, mtu);
	tap_sockaddr(&ifr.ifr_addr, NET_GUEST);
	if (ioctl(s, SIOCSIFADDR, &ifr) < 0)
		return werr_errno(err, errno, "setting the address of %s", NET_TAP_NAME);
	tap_sockaddr(&ifr.ifr_netmask, NET_NETMASK);
	if (ioctl(s, SIOCSIFNETMASK, &ifr) < 0)
		return werr_errno(err, errno, "setting the netmask of %s", NET_TAP_NAME);
	if (ioctl(s, SIOCGIFFLAGS, &ifr) < 0)
		return werr_errno(err, errno, "reading the flags of %s", NET_TAP_NAME);
	ifr.ifr_flags |= IFF_UP | IFF_RUNNING;
	if (ioctl(s, SIOCSIFFLAGS, &ifr) < 0)
		return werr_errno(err, errno, "bringing %s up", NET_TAP_NAME);
	tap_sockaddr(&rt.rt_dst, "0.0.0.0");
	tap_sockaddr(&rt.rt_genmask, "0.0.0.0");
	tap_sockaddr(&rt.rt_gateway, NET_GATEWAY);
	rt.rt_flags = RTF_UP | RTF_GATEWAY;
	rt.rt_dev = ifr.ifr_name;
	/* EEXIST: the persistent tap0 of a killed warren-net, taken over (the
	 * namespace of user-defined networks outlives its warren-net) */
	if (ioctl(s, SIOCADDRT, &rt) < 0 && errno != EEXIST)
		return werr_errno(err, errno, "adding the default route via %s", NET_GATEWAY);
	return 0;
}

int tap_create(unsigned mtu, struct werr *err)
{
	_cleanup_close_ int fd = tap_open(err);
	_cleanup_close_ int s = -1;

	if (fd < 0)
		return fd;
	s = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (s < 0)
		return werr_errno(err, errno, "socket");
	if (tap_configure(s, mtu, err) < 0)
		return -err->code;
	return steal_fd(&fd);
}
