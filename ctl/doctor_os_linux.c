/*
 * The host as the doctor sees it on Linux: the kernel's IPv6 sysctls of the
 * tunnel, and what doctor_host.c asks on both systems (resolver, routes,
 * MTUs). Kept apart from doctor.c so that the judgement is tested with
 * fakes.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "doctor.h"
#include "doctor_host.h"

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

const struct doctor_ops doctor_os_ops = {
        .resolve4 = doctor_host_resolve4,
        .read_knob = os_read_knob,
        .v4_route = doctor_host_v4_route,
        .v4_mtu = doctor_host_v4_mtu,
        .ctx = NULL,
};
