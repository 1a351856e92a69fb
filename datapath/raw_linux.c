/*
 * The raw IPv4 protocol-41 socket (RFC 4213 §3.5). Batches both ways with
 * recvmmsg/sendmmsg; the message vectors live in the socket's structure,
 * set up once.
 *
 * The forwarding code describes each outer header completely (struct
 * dp_tx), but the kernel writes it: the source comes from the header
 * through IP_PKTINFO (so it is always the locator control chose, never
 * what the routing table would pick), the TOS through IP_TOS, the TTL
 * (fixed at start) through IP_TTL; the kernel numbers the datagram (RFC
 * 6864) in place of the header's identification, and leaves DF clear
 * (IP_PMTUDISC_DONT, RFC 4213 §3.2.1). Not IP_HDRINCL: Linux routes every
 * IP_HDRINCL datagram to an on-link peer with a fresh, uncached route
 * (FLOWI_FLAG_KNOWN_NH), which costs a fifth of each send.
 */
#include <errno.h>
#include <netinet/in.h>
#include <netinet/ip.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "isatap.h"
#include "platform.h"

/* Room for bursts between two wake-ups; best effort. */
#define RAW_RCVBUF (4 * 1024 * 1024)

/* IP_PKTINFO, and IP_TOS when the TOS is not 0. */
#define RAW_CMSG_LEN (CMSG_SPACE(sizeof(struct in_pktinfo)) + CMSG_SPACE(sizeof(int)))

struct raw_sock {
	int fd;
	struct mmsghdr rmsg[DP_BATCH];
	struct iovec riov[DP_BATCH];
	struct mmsghdr smsg[DP_BATCH];
	struct iovec siov[DP_BATCH];
	struct sockaddr_in sdst[DP_BATCH];
	union {
		char buf[RAW_CMSG_LEN];
		struct cmsghdr align;
	} scmsg[DP_BATCH];
};

int
raw_open(struct raw_sock **out, uint8_t ttl)
{
	struct raw_sock *rs;
	int pmtud = IP_PMTUDISC_DONT, size = RAW_RCVBUF, t = ttl, e;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return -ENOMEM;
	rs->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IPV6_IN_IPV4);
	if (rs->fd < 0)
		goto fail;
	/* The TTL is the datapath's (-t), the same for every datagram. */
	if (setsockopt(rs->fd, IPPROTO_IP, IP_MTU_DISCOVER, &pmtud, sizeof(pmtud)) < 0 ||
	    setsockopt(rs->fd, IPPROTO_IP, IP_TTL, &t, sizeof(t)) < 0)
		goto fail;
	/* Needs CAP_NET_ADMIN to pass rmem_max; the plain call is the fallback. */
	if (setsockopt(rs->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		(void)setsockopt(rs->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
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
	int got;

	if (n > DP_BATCH)
		n = DP_BATCH;
	for (unsigned i = 0; i < n; i++) {
		rs->riov[i].iov_base = rx[i].buf;
		rs->riov[i].iov_len = rx[i].cap;
		memset(&rs->rmsg[i].msg_hdr, 0, sizeof(rs->rmsg[i].msg_hdr));
		rs->rmsg[i].msg_hdr.msg_iov = &rs->riov[i];
		rs->rmsg[i].msg_hdr.msg_iovlen = 1;
	}
	do
		got = recvmmsg(rs->fd, rs->rmsg, n, MSG_DONTWAIT, NULL);
	while (got < 0 && errno == EINTR);
	if (got < 0)
		return errno == EWOULDBLOCK ? 0 : -errno;
	for (int i = 0; i < got; i++) {
		/* A truncated datagram keeps its short length: decap_check()
		 * then refuses it because the IPv4 total length disagrees. */
		rx[i].len = rs->rmsg[i].msg_len;
	}
	return got;
}

/* The control messages asking for hdr's source and TOS; their length. */
static size_t
raw_cmsgs(struct raw_sock *rs, unsigned i, const uint8_t *hdr)
{
	struct msghdr mh = {.msg_control = rs->scmsg[i].buf, .msg_controllen = RAW_CMSG_LEN};
	struct in_pktinfo pi = {0};
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int tos = hdr[1];

	memcpy(&pi.ipi_spec_dst, hdr + 12, 4);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_PKTINFO;
	c->cmsg_len = CMSG_LEN(sizeof(pi));
	memcpy(CMSG_DATA(c), &pi, sizeof(pi));
	if (tos == 0)
		return CMSG_SPACE(sizeof(pi));
	c = CMSG_NXTHDR(&mh, c);
	c->cmsg_level = IPPROTO_IP;
	c->cmsg_type = IP_TOS;
	c->cmsg_len = CMSG_LEN(sizeof(tos));
	memcpy(CMSG_DATA(c), &tos, sizeof(tos));
	return RAW_CMSG_LEN;
}

unsigned
raw_send(void *h, struct dp_tx *tx, unsigned n)
{
	struct raw_sock *rs = h;
	unsigned done = 0, sent = 0;

	if (n > DP_BATCH)
		n = DP_BATCH;
	for (unsigned i = 0; i < n; i++) {
		struct msghdr *mh = &rs->smsg[i].msg_hdr;

		rs->sdst[i].sin_family = AF_INET;
		rs->sdst[i].sin_port = 0;
		rs->sdst[i].sin_addr = tx[i].dst;
		rs->siov[i].iov_base = (void *)tx[i].inner;
		rs->siov[i].iov_len = tx[i].inner_len;
		memset(mh, 0, sizeof(*mh));
		mh->msg_name = &rs->sdst[i];
		mh->msg_namelen = sizeof(rs->sdst[i]);
		mh->msg_iov = &rs->siov[i];
		mh->msg_iovlen = 1;
		mh->msg_control = rs->scmsg[i].buf;
		mh->msg_controllen = raw_cmsgs(rs, i, tx[i].hdr);
		tx[i].err = 0;
	}
	/* sendmmsg stops at the first failure: note it against that datagram
	 * (an unreachable neighbour, a full queue) and go on with the rest. */
	while (done < n) {
		int r = sendmmsg(rs->fd, rs->smsg + done, n - done, MSG_DONTWAIT);

		if (r < 0) {
			if (errno == EINTR)
				continue;
			tx[done++].err = -errno;
			continue;
		}
		sent += (unsigned)r;
		done += (unsigned)r;
	}
	return sent;
}
