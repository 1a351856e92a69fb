/*
 * The raw IPv4 protocol-41 socket (RFC 4213 §3.5). IP_HDRINCL: we write the
 * outer header ourselves, so that its source is always the locator control
 * chose (not whatever the routing table would pick) and its TTL is ours.
 * Batches both ways with recvmmsg/sendmmsg; the message vectors live in the
 * socket's structure, set up once.
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

struct raw_sock {
	int fd;
	struct mmsghdr rmsg[DP_BATCH];
	struct iovec riov[DP_BATCH];
	struct mmsghdr smsg[DP_BATCH];
	struct iovec siov[DP_BATCH][2];
	struct sockaddr_in sdst[DP_BATCH];
};

int
raw_open(struct raw_sock **out)
{
	struct raw_sock *rs;
	int one = 1, size = RAW_RCVBUF, e;

	if ((rs = calloc(1, sizeof(*rs))) == NULL)
		return -ENOMEM;
	rs->fd = socket(AF_INET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_IPV6_IN_IPV4);
	if (rs->fd < 0)
		goto fail;
	if (setsockopt(rs->fd, IPPROTO_IP, IP_HDRINCL, &one, sizeof(one)) < 0)
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

unsigned
raw_send(void *h, struct dp_tx *tx, unsigned n)
{
	struct raw_sock *rs = h;
	unsigned done = 0, sent = 0;

	if (n > DP_BATCH)
		n = DP_BATCH;
	for (unsigned i = 0; i < n; i++) {
		rs->sdst[i].sin_family = AF_INET;
		rs->sdst[i].sin_port = 0;
		rs->sdst[i].sin_addr = tx[i].dst;
		rs->siov[i][0].iov_base = (void *)tx[i].hdr;
		rs->siov[i][0].iov_len = DP_OUTER_HDR;
		rs->siov[i][1].iov_base = (void *)tx[i].inner;
		rs->siov[i][1].iov_len = tx[i].inner_len;
		memset(&rs->smsg[i].msg_hdr, 0, sizeof(rs->smsg[i].msg_hdr));
		rs->smsg[i].msg_hdr.msg_name = &rs->sdst[i];
		rs->smsg[i].msg_hdr.msg_namelen = sizeof(rs->sdst[i]);
		rs->smsg[i].msg_hdr.msg_iov = rs->siov[i];
		rs->smsg[i].msg_hdr.msg_iovlen = 2;
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
