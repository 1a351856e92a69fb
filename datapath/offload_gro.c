/*
 * Receive coalescing for the TUN: consecutive in-order TCP segments of one
 * flow, received in one batch, go to the kernel as one super-packet behind
 * a virtio-net header (gso_type TCPV6, gso_size = the first segment's
 * payload), so its TCP stack handles one large packet instead of dozens.
 * With USO, consecutive UDP datagrams of one flow and one size go as one
 * UDP GSO packet (gso_type UDP_L4) likewise: the kernel cuts it back into
 * the same datagrams (udp_rcv_segment()) after one trip through the TUN
 * and the IPv6 layer instead of one each.
 *
 * The rules are Linux tcp_gro_receive()'s and udp_gro_receive_segment()'s,
 * made stricter where that costs nothing: the kernel takes the
 * super-packet's checksum as verified (CHECKSUM_PARTIAL), so every
 * segment's checksum is verified here first, and a segment that fails
 * stays out, unflagged, for the kernel to reject. Nothing is copied: the
 * output is an iovec over the received packets.
 */
#include <string.h>

#include "offload.h"

#define IP6_HDR       40
#define IP6_PLEN_OFF  4
#define IP6_NXT_OFF   6
#define IP6_HLIM_OFF  7
#define IP6_SRC_OFF   8
#define TCP_PROTO     6
#define TCP_HDR_MIN   20
#define TCP_SEQ_OFF   4
#define TCP_ACK_OFF   8
#define TCP_DOFF_OFF  12
#define TCP_FLAGS_OFF 13
#define TCP_WIN_OFF   14
#define TCP_CSUM_OFF  16
#define UDP_PROTO     17
#define UDP_HDR       8
#define UDP_LEN_OFF   4
#define UDP_CSUM_OFF  6
/* RFC 9293 §3.1 and RFC 3168 §6.1.1 */
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_ECE 0x40
/* The flags a segment in the middle of a super-packet may have. */
#define GRO_FLAGS_OK (TCP_ACK | TCP_PSH | TCP_ECE)
#define IP6_PLEN_MAX 65535

/* One TCP segment or UDP datagram as seen by the coalescer. */
struct gro_seg {
	const uint8_t *ip, *th;
	size_t thl;    /* TCP or UDP header length */
	size_t plen;   /* payload length */
	uint32_t seq;  /* TCP only */
	uint8_t flags; /* TCP only */
	uint8_t proto;
};

static uint32_t
be32_get(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static size_t
be16_get(const uint8_t *b)
{
	return (size_t)(b[0] << 8 | b[1]);
}

static void
be16_put(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

/* An IPv6 packet whose next header is TCP, with consistent lengths. */
static bool
gro_parse_tcp(const uint8_t *p, size_t len, struct gro_seg *s)
{
	if (len < IP6_HDR + TCP_HDR_MIN || p[0] >> 4 != 6 || p[IP6_NXT_OFF] != TCP_PROTO)
		return false;
	if (be16_get(p + IP6_PLEN_OFF) + IP6_HDR != len)
		return false;
	s->ip = p;
	s->th = p + IP6_HDR;
	s->thl = (size_t)(s->th[TCP_DOFF_OFF] >> 4) * 4;
	if (s->thl < TCP_HDR_MIN || IP6_HDR + s->thl > len)
		return false;
	s->plen = len - IP6_HDR - s->thl;
	s->seq = be32_get(s->th + TCP_SEQ_OFF);
	s->flags = s->th[TCP_FLAGS_OFF];
	s->proto = TCP_PROTO;
	return true;
}

/* An IPv6 packet whose next header is UDP, with a whole UDP header and an
 * IPv6 payload length that matches; the UDP length is checked apart. */
static bool
gro_parse_udp(const uint8_t *p, size_t len, struct gro_seg *s)
{
	if (len < IP6_HDR + UDP_HDR || p[0] >> 4 != 6 || p[IP6_NXT_OFF] != UDP_PROTO)
		return false;
	if (be16_get(p + IP6_PLEN_OFF) + IP6_HDR != len)
		return false;
	s->ip = p;
	s->th = p + IP6_HDR;
	s->thl = UDP_HDR;
	s->plen = len - IP6_HDR - UDP_HDR;
	s->seq = 0;
	s->flags = 0;
	s->proto = UDP_PROTO;
	return true;
}

/* RFC 9293 §3.1, RFC 768 over RFC 8200 §8.1: pseudo-header, header and
 * data sum to all ones. */
static bool
gro_csum_ok(const struct gro_seg *s)
{
	size_t ulen = s->thl + s->plen;
	uint64_t sum = ofl_pseudo6(s->ip + IP6_SRC_OFF, s->ip + IP6_SRC_OFF + 16, (uint32_t)ulen,
	                           s->proto);

	return ofl_csum_fold(ofl_csum_add(sum, s->th, ulen)) == 0xffff;
}

/* Same protocol, addresses and ports: one connection, or one UDP flow. */
static bool
gro_same_flow(const struct ofl_gro_pkt *p, const struct gro_seg *s)
{
	return p->proto == s->proto && memcmp(p->first + IP6_HDR, s->th, 4) == 0 &&
	       memcmp(p->first + IP6_SRC_OFF, s->ip + IP6_SRC_OFF, 32) == 0;
}

/*
 * An IPv6 packet that may carry a TCP segment (or, when UDP is coalesced, a
 * UDP datagram) we cannot see: behind extension headers or cut into
 * fragments (RFC 8200 §4; IANA's list of IPv6 extension header types), or
 * with a malformed TCP or UDP header.
 */
static bool
gro_may_hide(const struct ofl_gro *g, const uint8_t *p, size_t len)
{
	if (len < IP6_HDR || p[0] >> 4 != 6)
		return false;
	switch (p[IP6_NXT_OFF]) {
	case UDP_PROTO: /* UDP that gro_parse_udp() refused */
		return g->udp;
	case 0:   /* hop-by-hop options */
	case 6:   /* TCP that gro_parse_tcp() refused */
	case 43:  /* routing */
	case 44:  /* fragment */
	case 60:  /* destination options */
	case 135: /* mobility */
	case 139: /* HIP */
	case 140: /* shim6 */
	case 253: /* experiments, RFC 3692 */
	case 254:
		return true;
	default:
		return false;
	}
}

/* Whether the TCP segment s continues the open super-packet p exactly. */
static bool
gro_tcp_can_join(const struct ofl_gro_pkt *p, const struct gro_seg *s)
{
	const uint8_t *ft = p->first + IP6_HDR;

	/* One TCP header for all: same ACK, data offset, window, options;
	 * the flags of the first but PSH, which may end the run. */
	if (s->thl != p->l4_hlen || memcmp(ft + TCP_ACK_OFF, s->th + TCP_ACK_OFF, 5) != 0 ||
	    memcmp(ft + TCP_WIN_OFF, s->th + TCP_WIN_OFF, 2) != 0 ||
	    memcmp(ft + TCP_HDR_MIN, s->th + TCP_HDR_MIN, s->thl - TCP_HDR_MIN) != 0)
		return false;
	if ((s->flags & ~TCP_PSH) != (ft[TCP_FLAGS_OFF] & ~TCP_PSH))
		return false;
	/* In order, no gap, no overlap. */
	return s->seq == p->next_seq;
}

/* Whether s, of p's flow, continues the open super-packet p. */
static bool
gro_can_join(const struct ofl_gro_pkt *p, const struct gro_seg *s)
{
	const uint8_t *f = p->first;

	/* Version, traffic class (ECN included), flow label, hop limit:
	 * the super-packet has one IPv6 header for all. */
	if (memcmp(f, s->ip, 4) != 0 || f[IP6_HLIM_OFF] != s->ip[IP6_HLIM_OFF])
		return false;
	if (s->proto == TCP_PROTO && !gro_tcp_can_join(p, s))
		return false;
	/* gso_size payloads until the last, which may be shorter. A UDP
	 * header has nothing but ports, lengths and the checksum: the flow
	 * and the size are all a datagram must share. */
	if (s->plen > p->seg_size)
		return false;
	return p->nsegs < OFL_GRO_MAX_SEGS && p->l4_hlen + p->total + s->plen <= IP6_PLEN_MAX;
}

/* A UDP datagram that may be coalesced: a UDP length that says what the
 * IPv6 one does (no padding to drop), a payload, and a correct checksum,
 * which IPv6 makes mandatory (RFC 8200 §8.1): a zero one is never passed
 * as verified, whatever a socket's UDP_NO_CHECK6_RX would say. */
static bool
gro_udp_candidate(struct ofl_gro *g, const struct gro_seg *s)
{
	if (be16_get(s->th + UDP_LEN_OFF) != UDP_HDR + s->plen || s->plen == 0)
		return false;
	if ((s->th[UDP_CSUM_OFF] | s->th[UDP_CSUM_OFF + 1]) == 0 || !gro_csum_ok(s)) {
		g->bad_csum++;
		return false;
	}
	return true;
}

static void
gro_join(struct ofl_gro_pkt *p, const struct gro_seg *s)
{
	p->payload[p->nsegs - 1].iov_base = (void *)(uintptr_t)(s->th + s->thl);
	p->payload[p->nsegs - 1].iov_len = s->plen;
	p->nsegs++;
	p->total += (uint32_t)s->plen;
	p->next_seq += (uint32_t)s->plen;
	if (s->flags & TCP_PSH) {
		p->psh = true;
		p->open = false;
	}
	/* A short segment can only be the last one of a GSO packet. */
	if (s->plen < p->seg_size || p->nsegs == OFL_GRO_MAX_SEGS)
		p->open = false;
}

void
ofl_gro_init(struct ofl_gro *g)
{
	/* g->udp stays: it is the TUN's, not the batch's. */
	g->n = 0;
	g->coalesced = 0;
	g->bad_csum = 0;
}

enum ofl_reason
ofl_gro_add(struct ofl_gro *g, const uint8_t *pkt, size_t len)
{
	struct gro_seg s;
	struct ofl_gro_pkt *p;
	bool parsed = true, candidate = false;
	unsigned i;

	if (gro_parse_tcp(pkt, len, &s)) {
		/* Data with ACK and nothing but PSH or ECE: SYN, FIN, RST,
		 * URG and CWR segments, and pure ACKs, go alone. */
		candidate = s.plen > 0 && (s.flags & TCP_ACK) && !(s.flags & ~GRO_FLAGS_OK);
		if (candidate && !gro_csum_ok(&s)) {
			g->bad_csum++;
			candidate = false;
		}
	} else if (g->udp && gro_parse_udp(pkt, len, &s)) {
		candidate = gro_udp_candidate(g, &s);
	} else {
		parsed = false;
	}

	if (!parsed && gro_may_hide(g, pkt, len)) {
		/* It may be a segment of an open flow: nothing joins that
		 * flow after it. Same addresses is all we can tell. */
		for (i = 0; i < g->n; i++) {
			p = &g->pkt[i];
			if (p->open && memcmp(p->first + IP6_SRC_OFF, pkt + IP6_SRC_OFF, 32) == 0)
				p->open = false;
		}
	} else if (parsed) {
		/* At most one super-packet per flow is open: join it, or
		 * close it so that nothing later overtakes this packet. */
		for (i = g->n; i-- > 0;) {
			p = &g->pkt[i];
			if (!p->open || !gro_same_flow(p, &s))
				continue;
			if (candidate && gro_can_join(p, &s)) {
				gro_join(p, &s);
				g->coalesced++;
				return OFL_OK;
			}
			p->open = false;
			break;
		}
	}

	if (g->n == OFL_GRO_MAX_PKTS)
		return OFL_NO_ROOM;
	p = &g->pkt[g->n++];
	p->first = pkt;
	p->first_len = len;
	p->nsegs = 1;
	p->psh = false;
	p->open = false;
	p->l4_hlen = 0;
	p->proto = 0;
	if (candidate) {
		p->l4_hlen = (uint16_t)s.thl;
		p->proto = s.proto;
		p->seg_size = (uint16_t)s.plen;
		p->total = (uint32_t)s.plen;
		p->next_seq = s.seq + (uint32_t)s.plen;
		p->open = !(s.flags & TCP_PSH);
	}
	return OFL_OK;
}

unsigned
ofl_gro_iov(struct ofl_gro *g, unsigned i, struct iovec *iov)
{
	struct ofl_gro_pkt *p = &g->pkt[i];
	struct ofl_vnet_hdr vh = {0};
	const bool udp = p->proto == UDP_PROTO;
	size_t hl, ulen;
	uint8_t *ip, *th;
	uint16_t c;
	unsigned k;

	if (p->nsegs == 1) {
		/* As received, checksum and all: the kernel verifies it. */
		ofl_vnet_encode(p->hdr, &vh);
		iov[0].iov_base = p->hdr;
		iov[0].iov_len = OFL_VNET_HDR_LEN;
		iov[1].iov_base = (void *)(uintptr_t)p->first;
		iov[1].iov_len = p->first_len;
		return 2;
	}

	hl = IP6_HDR + p->l4_hlen;
	ulen = p->l4_hlen + p->total; /* <= IP6_PLEN_MAX: gro_can_join() */
	vh.flags = OFL_VNET_F_NEEDS_CSUM;
	vh.gso_type = udp ? OFL_GSO_UDP_L4 : OFL_GSO_TCPV6;
	vh.hdr_len = (uint16_t)hl;
	vh.gso_size = p->seg_size;
	vh.csum_start = IP6_HDR;
	vh.csum_offset = udp ? UDP_CSUM_OFF : TCP_CSUM_OFF;
	ofl_vnet_encode(p->hdr, &vh);

	ip = p->hdr + OFL_VNET_HDR_LEN;
	th = ip + IP6_HDR;
	memcpy(ip, p->first, hl);
	be16_put(ip + IP6_PLEN_OFF, (uint16_t)ulen);
	/* A UDP GSO packet's UDP length is the whole, as udp_send_skb()
	 * makes it; the kernel sets each datagram's when it cuts them. */
	if (udp)
		be16_put(th + UDP_LEN_OFF, (uint16_t)ulen);
	if (p->psh)
		th[TCP_FLAGS_OFF] |= TCP_PSH;
	/* CHECKSUM_PARTIAL: the field holds the pseudo-header sum, folded
	 * and not complemented, as the kernel's own GSO packets do. */
	c = ofl_csum_fold(
	        ofl_pseudo6(ip + IP6_SRC_OFF, ip + IP6_SRC_OFF + 16, (uint32_t)ulen, p->proto));
	memcpy(th + vh.csum_offset, &c, 2);

	iov[0].iov_base = p->hdr;
	iov[0].iov_len = OFL_VNET_HDR_LEN + hl;
	iov[1].iov_base = (void *)(uintptr_t)(p->first + hl);
	iov[1].iov_len = p->seg_size;
	for (k = 1; k < p->nsegs; k++)
		iov[k + 1] = p->payload[k - 1];
	return p->nsegs + 1;
}
