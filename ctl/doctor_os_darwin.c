/*
 * The host as the doctor sees it on macOS: the utun (SIOCGIFFLAGS,
 * SIOCGIFMTU), the routing table through an RTM_GET on a routing socket
 * (unprivileged: XNU bsd/net/rtsock.c route_output checks SS_PRIV for
 * everything but RTM_GET; the message is common/rtmsg.c's, the same as
 * `route -n get -inet6 P/L` sends), and configd's DNS configuration
 * (common/dnsinfo_darwin.c); doctor_host.c for the rest.
 *
 * Not tried on a real Mac: run-time behaviour as read in the sources above.
 */
#include <errno.h>
#include <net/if.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "dnsinfo.h"
#include "doctor.h"
#include "doctor_host.h"
#include "rtmsg.h"

#define GET_WAIT_MS 1000

static int
os_link(void *ctx, const char *ifname, bool *up, unsigned *mtu)
{
	struct ifreq ifr;
	int fd, r = 0;

	(void)ctx;
	if (strlen(ifname) >= sizeof(ifr.ifr_name) || if_nametoindex(ifname) == 0)
		return -ENXIO;
	if ((fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0)) < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifname, strlen(ifname));
	if (ioctl(fd, SIOCGIFFLAGS, &ifr) < 0) {
		r = errno == ENXIO ? -ENXIO : -errno;
	} else {
		*up = (ifr.ifr_flags & IFF_UP) != 0;
		if (ioctl(fd, SIOCGIFMTU, &ifr) < 0)
			r = -errno;
		else
			*mtu = (unsigned)ifr.ifr_mtu;
	}
	close(fd);
	return r;
}

static int
os_route6(void *ctx, const struct in6_addr *prefix, unsigned plen, char ifname[DOCTOR_IFNAMSIZ])
{
	uint8_t buf[RTMSG_REQ_MAX];
	size_t len;
	char name[IF_NAMESIZE];
	struct rtmsg m;
	int fd, r;

	(void)ctx;
	if (plen > 128 || (len = rtmsg_route6(buf, sizeof(buf), RTMSG_GET, 1, (int32_t)getpid(),
	                                      prefix, (uint8_t)plen, 0)) == 0)
		return -EINVAL;
	if ((fd = socket(PF_ROUTE, SOCK_RAW | SOCK_CLOEXEC, AF_INET6)) < 0)
		return -errno;
	r = rtmsg_transact(fd, buf, len, &m, GET_WAIT_MS);
	close(fd);
	if (r < 0)
		return r;
	if (if_indextoname(m.index, name) == NULL)
		return -ENXIO;
	snprintf(ifname, DOCTOR_IFNAMSIZ, "%s", name);
	return 0;
}

static int
os_dns_aaaa(void *ctx, bool *aaaa)
{
	struct dnsinfo di;
	int r;

	(void)ctx;
	if ((r = dnsinfo_read(&di)) < 0)
		return r;
	*aaaa = di.request_aaaa;
	return 0;
}

static const struct doctor_utun_ops os_utun = {
        .link = os_link,
        .route6 = os_route6,
        .dns_aaaa = os_dns_aaaa,
};

/* No /proc knobs: ops->utun's checks replace doctor_kernel()'s. */
const struct doctor_ops doctor_os_ops = {
        .resolve4 = doctor_host_resolve4,
        .read_knob = NULL,
        .v4_route = doctor_host_v4_route,
        .v4_mtu = doctor_host_v4_mtu,
        .ctx = NULL,
        .utun = &os_utun,
};
