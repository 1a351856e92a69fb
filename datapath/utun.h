/*
 * The utun framing of macOS, in platform-neutral code so that it is tested
 * here: every packet read from or written to a utun control socket starts
 * with the 4-octet protocol family in network byte order (XNU
 * bsd/net/if_utun.c: utun_ctl_send() applies ntohl to what we write,
 * utun_output() htonl to what we read; xnu-7195.50.7.100.1 = macOS 11 and
 * xnu-11417.101.15 alike). OpenVPN (src/openvpn/tun.c write_tun_header,
 * read_tun_header) and wireguard-go (tun/tun_darwin.go Write: 00 00 00 1e)
 * frame the same way. The socket is SOCK_DGRAM: one read is one packet
 * (XNU bsd/kern/kern_control.c, CTL_DATA_EOR).
 *
 * The families are XNU's (bsd/sys/socket.h: AF_INET 2, AF_INET6 30), not
 * the build host's.
 */
#ifndef ISATAP_DATAPATH_UTUN_H
#define ISATAP_DATAPATH_UTUN_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <sys/uio.h>

#define UTUN_HDR_LEN  4
#define UTUN_AF_INET  2
#define UTUN_AF_INET6 30

/*
 * The kernel-control unit (sockaddr_ctl.sc_unit) for the interface asked
 * for: "utun" -> 0, the first free one; "utunN" -> N + 1, that one (XNU
 * bsd/net/if_utun.c names unit U "utun<U-1>"; kern_control.c ctl_connect
 * takes 0 as "any"). -EINVAL for any other name, a leading zero, or N past
 * the 65535 units a kernel control has (ctl_maxunit).
 */
int utun_unit(const char *want, uint32_t *unit);

/* The header for pkt: AF_INET6 for an IPv6 packet, AF_INET for IPv4;
 * -EAFNOSUPPORT for anything else (nothing is written then). */
int utun_hdr_for(uint8_t hdr[UTUN_HDR_LEN], const uint8_t *pkt, size_t len);
/* The family a header names. */
uint32_t utun_hdr_af(const uint8_t hdr[UTUN_HDR_LEN]);

/*
 * dp_io's TUN callbacks over a utun descriptor (h points to the fd): one
 * packet without its header, or -EAGAIN, or -errno. A datagram shorter
 * than the header reads as an empty packet, and one of another family
 * (IPv4 someone routed into the utun) as what it is: the forwarding code
 * drops and counts both (NH_DROP_SHORT, NH_DROP_VERSION).
 */
ssize_t utun_read(void *h, uint8_t *buf, size_t cap);
int utun_write(void *h, const uint8_t *pkt, size_t len);
/* The packet gathered from iov[0..n) (n <= UTUN_IOV_MAX), behind its header. */
#define UTUN_IOV_MAX 64
int utun_writev(void *h, const struct iovec *iov, unsigned n);

#endif
