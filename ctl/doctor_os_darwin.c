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
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
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

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int
os_route6(void *ctx, const struct in6_addr *prefix, unsigned plen, char ifname[DOCTOR_IFNAMSIZ])
{
	uint8_t buf[2048];
	struct pollfd pfd;
	const int32_t seq = 1, pid = (int32_t)getpid();
	size_t len = rtmsg_route6(buf, sizeof(buf), RTMSG_GET, seq, pid, prefix, (uint8_t)plen, 0);
	char name[IF_NAMESIZE];
	uint64_t until = mono_ms() + GET_WAIT_MS;
	int r = -ETIMEDOUT;

	(void)ctx;
	if (len == 0 || plen > 128)
		return -EINVAL;
	if ((pfd.fd = socket(PF_ROUTE, SOCK_RAW | SOCK_CLOEXEC, AF_INET6)) < 0)
		return -errno;
	pfd.events = POLLIN;
	/* No such route: ESRCH, here. */
	if (write(pfd.fd, buf, len) < 0) {
		r = -errno;
		goto out;
	}
	for (;;) {
		struct rtmsg m;
		size_t used;
		uint64_t now = mono_ms();
		ssize_t n;

		/* Every routing message of the host comes here too: the
		 * deadline holds however many. */
		if (now >= until || poll(&pfd, 1, (int)(until - now)) <= 0)
			break;
		n = recv(pfd.fd, buf, sizeof(buf), MSG_DONTWAIT);
		if (n <= 0 || rtmsg_parse(buf, (size_t)n, &m, &used) != RTMSG_OK ||
		    m.type != RTMSG_GET || m.pid != pid || m.seq != seq)
			continue;
		if (m.err != 0) {
			r = -m.err;
			break;
		}
		if (if_indextoname(m.index, name) == NULL) {
			r = -ENXIO;
			break;
		}
		snprintf(ifname, DOCTOR_IFNAMSIZ, "%s", name);
		r = 0;
		break;
	}
out:
	close(pfd.fd);
	return r;
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
