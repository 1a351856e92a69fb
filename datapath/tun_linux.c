/*
 * The Linux TUN device: /dev/net/tun, IFF_TUN | IFF_NO_PI, so that every read
 * and write is exactly one IPv6 packet. Non-persistent: the interface, and
 * every address and route on it, goes away with the last fd. With offloads,
 * also IFF_VNET_HDR: each packet comes after a virtio-net header and may be
 * a TCP (or, with USO, UDP) super-packet (offload.h).
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "offload.h"
#include "platform.h"

/* UDP segmentation offload, Linux 6.2; the uapi headers of older
 * distributions (Debian 12's are 6.1) do not have it. */
#ifndef TUN_F_USO4
#define TUN_F_USO4 0x20
#endif
#ifndef TUN_F_USO6
#define TUN_F_USO6 0x40
#endif

const char tun_default_name[] = "isatap0";

static int
tun_create(const char *name, short flags, char real[MSG_IFNAMSIZ], unsigned *ifindex)
{
	struct ifreq ifr;
	int fd, e;

	if (strlen(name) >= IFNAMSIZ)
		return -ENAMETOOLONG;
	if ((fd = open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC)) < 0)
		return -errno;
	memset(&ifr, 0, sizeof(ifr));
	ifr.ifr_flags = (short)(IFF_TUN | IFF_NO_PI | flags);
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
	/* The kernel's name for it: the same, or "name%d" numbered. */
	_Static_assert(IFNAMSIZ <= MSG_IFNAMSIZ, "interface names fit");
	memcpy(real, ifr.ifr_name, IFNAMSIZ);
	real[IFNAMSIZ - 1] = '\0';
	return fd;
}

int
tun_open(const char *want, char name[MSG_IFNAMSIZ], unsigned *ifindex)
{
	return tun_create(want, 0, name, ifindex);
}

int
tun_open_offload(const char *want, char name[MSG_IFNAMSIZ], unsigned *ifindex, bool *uso)
{
	/* TUN_F_TSO6 needs TUN_F_CSUM; TSO4 as well, although only IPv6
	 * is routed here (an IPv4 super-packet would be dropped as such).
	 * The kernel takes USO4 and USO6 only together, for the same
	 * reason asked for here as a pair. */
	const unsigned long tcp = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
	const unsigned long udp = TUN_F_USO4 | TUN_F_USO6;
	int le = 1, hdr = OFL_VNET_HDR_LEN, fd, e;

	*uso = false;
	if ((fd = tun_create(want, IFF_VNET_HDR, name, ifindex)) < 0)
		return fd;
	/* offload.c reads the header little-endian; the legacy native order
	 * is that on little-endian hosts when TUNSETVNETLE is missing. */
	if (ioctl(fd, TUNSETVNETHDRSZ, &hdr) < 0 ||
	    (ioctl(fd, TUNSETVNETLE, &le) < 0 && __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__))
		goto fail;
	/* A kernel without USO refuses every flag it does not know with
	 * EINVAL (tun_set_offload()): then TCP offloads alone. */
	if (ioctl(fd, TUNSETOFFLOAD, tcp | udp) == 0)
		*uso = true;
	else if (errno != EINVAL || ioctl(fd, TUNSETOFFLOAD, tcp) < 0)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	return -e;
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

int
tun_writev(void *h, const struct iovec *iov, unsigned n)
{
	size_t want = 0;
	ssize_t w;

	for (unsigned i = 0; i < n; i++)
		want += iov[i].iov_len;
	do
		w = writev(*(int *)h, iov, (int)n);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return (size_t)w == want ? 0 : -EIO;
}
