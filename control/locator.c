/*
 * Locator discovery. `auto` asks the routing table the question RFC 5214
 * §6.2 cares about (which of our IPv4 addresses reaches the router) by
 * connecting a UDP socket, which sends nothing.
 */
#include <errno.h>
#include <ifaddrs.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "locator.h"

#define LOCATOR_PROBE_PORT 9 /* discard; never sent to: connect() on UDP only routes */

static int
locator_auto(struct in_addr router, struct in_addr *out)
{
	struct sockaddr_in dst = {.sin_family = AF_INET, .sin_port = htons(LOCATOR_PROBE_PORT)};
	struct sockaddr_in src;
	socklen_t len = sizeof(src);
	int fd, r = 0;

	if (router.s_addr == INADDR_ANY)
		return -EHOSTUNREACH;
	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	dst.sin_addr = router;
	if (connect(fd, (struct sockaddr *)&dst, sizeof(dst)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&src, &len) < 0)
		r = -errno;
	else if (src.sin_family != AF_INET || src.sin_addr.s_addr == INADDR_ANY)
		r = -EHOSTUNREACH;
	else
		*out = src.sin_addr;
	close(fd);
	return r;
}

static int
locator_iface(const char *iface, struct in_addr *out)
{
	struct ifaddrs *ifa, *i;
	int r = -EADDRNOTAVAIL;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i != NULL; i = i->ifa_next) {
		struct in_addr a;

		if (i->ifa_addr == NULL || i->ifa_addr->sa_family != AF_INET ||
		    strcmp(i->ifa_name, iface) != 0)
			continue;
		a = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
		if (addr_v4_is_bogus(a))
			continue;
		*out = a;
		r = 0;
		break;
	}
	freeifaddrs(ifa);
	return r;
}

int
locator_find(const struct conf *c, struct in_addr router, struct in_addr *out)
{
	switch (c->locator) {
	case CONF_LOCATOR_AUTO:
		return locator_auto(router, out);
	case CONF_LOCATOR_IFACE:
		return locator_iface(c->locator_iface, out);
	case CONF_LOCATOR_STATIC:
		*out = c->locator_v4;
		return 0;
	}
	return -EINVAL;
}

int
locator_host_v4(struct in_addr *out, size_t max)
{
	struct ifaddrs *ifa, *i;
	size_t n = 0;

	if (getifaddrs(&ifa) < 0)
		return -errno;
	for (i = ifa; i != NULL && n < max; i = i->ifa_next)
		if (i->ifa_addr != NULL && i->ifa_addr->sa_family == AF_INET)
			out[n++] = ((struct sockaddr_in *)i->ifa_addr)->sin_addr;
	freeifaddrs(ifa);
	return (int)n;
}
