/*
 * The host as the doctor sees it: the system resolver, the kernel's IPv6
 * sysctls, interface MTUs. Kept apart from doctor.c so that the judgement
 * is tested with fakes.
 */
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <arpa/inet.h>
#include <unistd.h>

#include "doctor.h"

static int
os_resolve4(void *ctx, const char *name, struct in_addr *out, size_t max, const char **why)
{
	struct addrinfo hints, *res, *ai;
	size_t n = 0, i;
	int rc;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_INET;
	hints.ai_socktype = SOCK_DGRAM; /* one entry per address, not one per socket type */
	rc = getaddrinfo(name, NULL, &hints, &res);
	if (rc != 0) {
		*why = rc == EAI_NONAME ? "no such name" : gai_strerror(rc);
		return -1;
	}
	for (ai = res; ai != NULL && n < max; ai = ai->ai_next) {
		struct in_addr a;

		if (ai->ai_family != AF_INET || ai->ai_addrlen < sizeof(struct sockaddr_in))
			continue;
		a = ((const struct sockaddr_in *)(const void *)ai->ai_addr)->sin_addr;
		for (i = 0; i < n && out[i].s_addr != a.s_addr; i++)
			;
		if (i == n)
			out[n++] = a;
	}
	freeaddrinfo(res);
	if (n == 0)
		*why = "no IPv4 address";
	return (int)n;
}

static int
os_read_knob(void *ctx, const char *ifname, const char *knob, long *val)
{
	char path[128], buf[32], *end;
	ssize_t n;
	int fd;

	if ((size_t)snprintf(path, sizeof(path), "/proc/sys/net/ipv6/conf/%s/%s", ifname, knob) >=
	    sizeof(path))
		return -ENAMETOOLONG;
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EINVAL;
	buf[n] = '\0';
	errno = 0;
	*val = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || (*end != '\n' && *end != '\0'))
		return -EINVAL;
	return 0;
}

/* A connected UDP socket asks the routing table without sending anything. */
static int
os_v4_route(void *ctx, struct in_addr v4)
{
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(9), .sin_addr = v4};
	int fd, rc = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (connect(fd, (const struct sockaddr *)&dst, sizeof(dst)) != 0)
		rc = -errno;
	close(fd);
	return rc;
}

static int
os_v4_mtu(void *ctx, struct in_addr v4, char ifname[DOCTOR_IFNAMSIZ], unsigned *mtu)
{
	struct ifaddrs *ifs, *ifa;
	struct ifreq ifr;
	int fd, rc = -ENOENT;

	if (getifaddrs(&ifs) != 0)
		return -errno;
	for (ifa = ifs; ifa != NULL; ifa = ifa->ifa_next) {
		if (ifa->ifa_addr == NULL || ifa->ifa_addr->sa_family != AF_INET)
			continue;
		if (((const struct sockaddr_in *)(const void *)ifa->ifa_addr)->sin_addr.s_addr ==
		    v4.s_addr)
			break;
	}
	if (ifa == NULL || strlen(ifa->ifa_name) >= sizeof(ifr.ifr_name)) {
		freeifaddrs(ifs);
		return rc;
	}
	memset(&ifr, 0, sizeof(ifr));
	memcpy(ifr.ifr_name, ifa->ifa_name, strlen(ifa->ifa_name));
	freeifaddrs(ifs);

	fd = socket(AF_INET, SOCK_DGRAM, 0);
	if (fd < 0)
		return -errno;
	if (ioctl(fd, SIOCGIFMTU, &ifr) != 0) {
		rc = -errno;
	} else if (ifr.ifr_mtu <= 0) {
		rc = -EINVAL;
	} else {
		snprintf(ifname, DOCTOR_IFNAMSIZ, "%s", ifr.ifr_name);
		*mtu = (unsigned)ifr.ifr_mtu;
		rc = 0;
	}
	close(fd);
	return rc;
}

const struct doctor_ops doctor_os_ops = {
        .resolve4 = os_resolve4,
        .read_knob = os_read_knob,
        .v4_route = os_v4_route,
        .v4_mtu = os_v4_mtu,
        .ctx = NULL,
};
