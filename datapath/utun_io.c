/*
 * utun.h: the 4-octet family header, added and stripped with readv/writev
 * so that the packet itself is never copied.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "utun.h"

int
utun_unit(const char *want, uint32_t *unit)
{
	char *end;
	unsigned long n;

	if (strcmp(want, "utun") == 0) {
		*unit = 0;
		return 0;
	}
	if (strncmp(want, "utun", 4) != 0 || want[4] < '0' || want[4] > '9' ||
	    (want[4] == '0' && want[5] != '\0'))
		return -EINVAL;
	errno = 0;
	n = strtoul(want + 4, &end, 10);
	if (errno != 0 || *end != '\0' || n >= 65535)
		return -EINVAL;
	*unit = (uint32_t)n + 1;
	return 0;
}

int
utun_hdr_for(uint8_t hdr[UTUN_HDR_LEN], const uint8_t *pkt, size_t len)
{
	uint32_t af;

	if (len < 1)
		return -EAFNOSUPPORT;
	switch (pkt[0] >> 4) {
	case 6:
		af = UTUN_AF_INET6;
		break;
	case 4:
		af = UTUN_AF_INET;
		break;
	default:
		return -EAFNOSUPPORT;
	}
	hdr[0] = (uint8_t)(af >> 24);
	hdr[1] = (uint8_t)(af >> 16);
	hdr[2] = (uint8_t)(af >> 8);
	hdr[3] = (uint8_t)af;
	return 0;
}

uint32_t
utun_hdr_af(const uint8_t hdr[UTUN_HDR_LEN])
{
	return (uint32_t)hdr[0] << 24 | (uint32_t)hdr[1] << 16 | (uint32_t)hdr[2] << 8 | hdr[3];
}

ssize_t
utun_read(void *h, uint8_t *buf, size_t cap)
{
	uint8_t hdr[UTUN_HDR_LEN];
	struct iovec iov[2] = {{hdr, sizeof(hdr)}, {buf, cap}};
	ssize_t n;

	do
		n = readv(*(int *)h, iov, 2);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if ((size_t)n < sizeof(hdr))
		return 0;
	return n - (ssize_t)sizeof(hdr);
}

/* Writes hdr then iov[0..n): 0, or -errno, -EIO when cut short. */
static int
utun_put(int fd, uint8_t hdr[UTUN_HDR_LEN], const struct iovec *iov, unsigned n)
{
	struct iovec all[UTUN_IOV_MAX + 1];
	size_t want = UTUN_HDR_LEN;
	ssize_t w;

	all[0] = (struct iovec){hdr, UTUN_HDR_LEN};
	for (unsigned i = 0; i < n; i++) {
		all[i + 1] = iov[i];
		want += iov[i].iov_len;
	}
	do
		w = writev(fd, all, (int)n + 1);
	while (w < 0 && errno == EINTR);
	if (w < 0)
		return -errno;
	return (size_t)w == want ? 0 : -EIO;
}

int
utun_write(void *h, const uint8_t *pkt, size_t len)
{
	uint8_t hdr[UTUN_HDR_LEN];
	struct iovec iov = {(void *)(uintptr_t)pkt, len};
	int r;

	if ((r = utun_hdr_for(hdr, pkt, len)) < 0)
		return r;
	return utun_put(*(int *)h, hdr, &iov, 1);
}

int
utun_writev(void *h, const struct iovec *iov, unsigned n)
{
	uint8_t hdr[UTUN_HDR_LEN], first = 0;
	int r;

	if (n > UTUN_IOV_MAX)
		return -EINVAL;
	/* The version nibble is in the first non-empty iovec. */
	for (unsigned i = 0; i < n; i++)
		if (iov[i].iov_len > 0) {
			first = *(const uint8_t *)iov[i].iov_base;
			break;
		}
	if ((r = utun_hdr_for(hdr, &first, 1)) < 0)
		return r;
	return utun_put(*(int *)h, hdr, iov, n);
}
