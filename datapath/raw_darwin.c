/*
 * The raw IPv4 protocol-41 socket on macOS (RFC 4213 §3.5), from XNU's
 * source (../shared/MACOS-FACTS.md §2; xnu-7195.50.7.100.1 = macOS 11 and
 * xnu-11417.101.15):
 *
 * - Receiving works while no gif/stf interface claims the datagram:
 *   encap4_input() hands what no encapsulation entry wants to rip_input()
 *   ("last resort: inject to raw socket"), header included (XNU
 *   bsd/netinet/ip_encap.c encap4_input, bsd/netinet/raw_ip.c rip_input);
 *   a dormant stf0 wants nothing (bsd/net/if_stf.c stf_encapcheck). The
 *   header's ip_len and ip_off come in host order, ip_len without the
 *   header: raw_order.c puts them back (raw_order.h).
 * - The outer source is the locator control chose, per datagram: XNU's
 *   rip_output() takes no IP_PKTINFO source from a raw socket (only TOS and
 *   traffic class from control data), and bind() would fix one source for
 *   the socket. So the header goes in whole (IP_HDRINCL), as dp_tx has it,
 *   with ip_len and ip_off in host order (raw_order_tx()); the kernel keeps
 *   our identification (it picks one only for 0), writes the checksum, and
 *   routes by the source's interface (IPOAF_SELECT_SRCIF in rip_output).
 *   dp_set_locator() has checked that the source is one of this host's
 *   addresses; rip_output() does not.
 * - IP_RECVDSTADDR / IP_RECVIF are not asked for: the destination is in the
 *   header every datagram arrives with, and decap_check() looks at nothing
 *   else (Linux's raw.c asks for no IP_PKTINFO on receive either); the
 *   arrival interface enters no check on either system.
 * - Buffers: 8 KiB by default (raw_ip.c RIPSNDQ/RIPRCVQ), a few datagrams;
 *   raised here towards kern.ipc.maxsockbuf (8 MiB by default, SB_MAX).
 * - Opened as root: rip_attach() checks SS_PRIV, set at socket creation;
 *   nothing checks it again (raw_ip.c rip_attach, bsd/kern/uipc_socket.c).
 *
 * No recvmmsg/sendmmsg on macOS (the SDK's libSystem has neither): each
 * wake-up loops recv()/sendmsg(), up to DP_BATCH datagrams. That is one
 * system call (entry, socket lock, one mbuf chain) per datagram each way
 * where Linux pays one per batch of up to 32: it matters at full rate, not
 * at a ping's, and was not measured (no Mac here). The utun side costs the
 * same on both systems, one read or write per packet. The private
 * recvmsg_x/sendmsg_x would batch, but Apple marks them
 * "subject to change" (bsd/sys/socket_private.h) and no user of them on a
 * raw socket with msg_name was found; wireguard-go does not batch on macOS
 * either (tun/tun_darwin.go BatchSize 1).
 *
 * Not tried on a real Mac: run-time behaviour as read in the sources above.
 */
#include <errno.h>
#include <stddef.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "isatap.h"
#include "platform.h"
#include "raw_order.h"

/* Room for bursts between two wake-ups; the kernel's ceiling is
 * kern.ipc.maxsockbuf, and each halving is tried down to the default. */
#define RAW_BUF (4 * 1024 * 1024)

/* raw_order.c's offsets are those of XNU's struct ip. */
_Static_assert(offsetof(struct ip, ip_len) == 2 && offsetof(struct ip, ip_off) == 6 &&
                       offsetof(struct ip, ip_sum) == 10 && sizeof(struct ip) == DP_OUTER_HDR,
               "struct ip as raw_order.c has it");

struct raw_sock {
	int fd;
	uint8_t hdr[DP_BATCH][DP_OUTER_HDR]; /* the outer headers in XNU's order */
};

static void
raw_bufsize(int fd, int opt)
{
	for (int size = RAW_BUF; size >= 65536; size /= 2)
		if (setsockopt(fd, SOL_SOCKET, opt, &size, sizeof(size)) == 0)
			return;
}

int
raw_open(struct raw_sock **out, uint8_t ttl)
{
	struct raw_sock *rs;
	int on = 1, e;

	/* The TTL travels in each header (pkt_build_ipv4()). */
	(void)ttl;
	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return -ENOMEM;
	rs->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IPV6_IN_IPV4);
	if (rs->fd < 0)
		goto fail;
	if (setsockopt(rs->fd, IPPROTO_IP, IP_HDRINCL, &on, sizeof(on)) < 0)
		goto fail;
	raw_bufsize(rs->fd, SO_RCVBUF);
	raw_bufsize(rs->fd, SO_SNDBUF);
	*out = rs;
	return 0;
fail:
	e = errno;
	if (rs->fd >= 0)
		close(rs->fd);
	free(rs);
	return -e;
}

int
raw_fd(const struct raw_sock *rs)
{
	return rs->fd;
}

void
raw_close(struct raw_sock *rs)
{
	if (rs == NULL)
		return;
	close(rs->fd);
	free(rs);
}

int
raw_recv(void *h, struct dp_rx *rx, unsigned n)
{
	struct raw_sock *rs = h;
	unsigned got = 0;

	if (n > DP_BATCH)
		n = DP_BATCH;
	while (got < n) {
		ssize_t len = recv(rs->fd, rx[got].buf, rx[got].cap, MSG_DONTWAIT);

		if (len < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK || got > 0)
				break;
			return -errno;
		}
		rx[got].len = (size_t)len;
		/* What cannot be put back is left for decap_check() to refuse
		 * and count (outer_bad, outer_len). */
		(void)raw_order_rx(rx[got].buf, rx[got].len);
		got++;
	}
	return (int)got;
}

unsigned
raw_send(void *h, struct dp_tx *tx, unsigned n)
{
	struct raw_sock *rs = h;
	unsigned sent = 0;

	if (n > DP_BATCH)
		n = DP_BATCH;
	for (unsigned i = 0; i < n; i++) {
		struct sockaddr_in dst = {
		        .sin_len = sizeof(dst), .sin_family = AF_INET, .sin_addr = tx[i].dst};
		struct iovec iov[2] = {{rs->hdr[i], DP_OUTER_HDR},
		                       {(void *)(uintptr_t)tx[i].inner, tx[i].inner_len}};
		struct msghdr mh = {.msg_name = &dst,
		                    .msg_namelen = sizeof(dst),
		                    .msg_iov = iov,
		                    .msg_iovlen = 2};
		ssize_t r;

		raw_order_tx(rs->hdr[i], tx[i].hdr);
		do
			r = sendmsg(rs->fd, &mh, MSG_DONTWAIT);
		while (r < 0 && errno == EINTR);
		/* One failure (a full queue, an unreachable peer) is that
		 * datagram's; the others still go. */
		tx[i].err = r < 0 ? -errno : 0;
		sent += r >= 0;
	}
	return sent;
}
