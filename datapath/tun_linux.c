/*
 * The Linux TUN device: /dev/net/tun, IFF_TUN | IFF_NO_PI, so that every read
 * and write is exactly one IPv6 packet. Non-persistent: the interface, and
 * every address and route on it, goes away with the last fd.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "platform.h"

int
tun_open(const char *name, unsigned *ifindex)
{
	struct ifreq ifr;
	int fd, e;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = IFF_TUN | IFF_NO_PI;
	/* Without IFF_TUN_EXCL an existing persistent device would be reused;
	 * we want our own, with nothing configured on it but what we put. */
	ifr.ifr_flags |= IFF_TUN_EXCL;
	memcpy(ifr.ifr_name, name, strlen(name));
	if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
		e = errno;
		close(fd);
		return -e;
	}
	if ((*ifindex = if_nametoindex(ifr.ifr_name)) == 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

ssize_t
tun_read(void *h, uint8_t *buf, size_t cap)
{
	ssize_t n;

	do
		n = read(*(int *)h, buf, cap);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	return n;
}

int
tun_write(void *h, const uint8_t *pkt, size_t len)
{
	ssize_t n;

	do
		n = write(*(int *)h, pkt, len);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return -errno;
	return (size_t)n == len ? 0 : -EIO;
}
