/*
 * The host as the doctor sees it, the part that is the same on Linux and
 * macOS: the system resolver (getaddrinfo(3), which on macOS goes to
 * mDNSResponder and applies the search domains as every program's look-ups
 * do), routes to an IPv4 address, the MTU of the interface holding one.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <ifaddrs.h>
#include <net/if.h>
#include <netdb.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include "doctor_host.h"

int
doctor_host_resolve4(void *ctx, const char *name, struct in_addr *out, size_t max, const char **why)
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

/* A connected UDP socket asks the routing table without sending anything. */
int
doctor_host_v4_route(void *ctx, struct in_addr v4)
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

int
doctor_host_v4_mtu(void *ctx, struct in_addr v4, char ifname[DOCTOR_IFNAMSIZ], unsigned *mtu)
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
