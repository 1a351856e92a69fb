/*
 * TCP segmentation offload done in user space: a TUN with TUN_F_TSO6 hands
 * the datapath IPv6/TCP super-packets of up to 64 KiB, which must leave as
 * packets no larger than the tunnel MTU (RFC 4213 §3.2), each a valid TCP
 * segment in its own right. What a segment inherits follows Linux
 * tcp_gso_segment(), which is what a TSO NIC is expected to do.
 */
#include <string.h>

#include "offload.h"

#define IP6_HDR       40
#define IP6_PLEN_OFF  4
#define IP6_NXT_OFF   6
#define TCP_PROTO     6
#define TCP_HDR_MIN   20
#define TCP_SEQ_OFF   4
#define TCP_DOFF_OFF  12
#define TCP_FLAGS_OFF 13
#define TCP_CSUM_OFF  16
/* RFC 9293 §3.1 and RFC 3168 §6.1.1 */
#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static uint32_t
be32_get(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void
be32_put(uint8_t *b, uint32_t v)
{
	b[0] = (uint8_t)(v >> 24);
	b[1] = (uint8_t)(v >> 16);
	b[2] = (uint8_t)(v >> 8);
	b[3] = (uint8_t)v;
}

static void
be16_put(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

int
ofl_tso_segment_from(const uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh, uint32_t mtu,
                     unsigned first, uint8_t *out, size_t cap, struct ofl_seg *segs,
                     unsigned max_segs, unsigned *total)
{
	size_t thl, hl, payload, mss, nsegs, off, i, n;
	uint32_t seq0;
	uint64_t pseudo;

	if ((vh->gso_type & ~OFL_GSO_ECN) != OFL_GSO_TCPV6)
		return -OFL_GSO_UNSUPPORTED;
	if (len < IP6_HDR + TCP_HDR_MIN || pkt[0] >> 4 != 6 || pkt[IP6_NXT_OFF] != TCP_PROTO)
		return -OFL_GSO_NOT_TCP6;
	/* The super-packet's own payload length must describe it exactly
	 * (0 would be a BIG TCP jumbogram, RFC 2675, which we never enable). */
	if ((size_t)(pkt[IP6_PLEN_OFF] << 8 | pkt[IP6_PLEN_OFF + 1]) + IP6_HDR != len)
		return -OFL_GSO_BAD_HDR;
	thl = (size_t)(pkt[IP6_HDR + TCP_DOFF_OFF] >> 4) * 4;
	hl = IP6_HDR + thl;
	if (thl < TCP_HDR_MIN || hl > len)
		return -OFL_GSO_BAD_HDR;
	if (vh->gso_size == 0 || mtu <= hl)
		return -OFL_GSO_BAD_SIZE;
	/* Segments never exceed the tunnel MTU, even if the kernel's segment
	 * size was computed for a larger one: smaller segments are always
	 * valid TCP. */
	mss = vh->gso_size;
	if (hl + mss > mtu)
		mss = mtu - hl;

	payload = len - hl;
	nsegs = payload ? (payload + mss - 1) / mss : 1;
	*total = (unsigned)nsegs;
	if (first >= nsegs)
		return -OFL_NO_ROOM;
	/* As many of the remaining segments as the table and buffer hold. */
	for (n = 0, off = 0; first + n < nsegs && n < max_segs; n++) {
		size_t plen = first + n + 1 < nsegs ? mss : payload - (first + n) * mss;

		if (off + hl + plen > cap)
			break;
		off += hl + plen;
	}
	if (n == 0)
		return -OFL_NO_ROOM;

	seq0 = be32_get(pkt + IP6_HDR + TCP_SEQ_OFF);
	off = 0;
	for (i = first; i < first + n; i++) {
		size_t plen = i + 1 < nsegs ? mss : payload - i * mss;
		uint8_t *ip = out + off, *th = ip + IP6_HDR;
		uint8_t flags = pkt[IP6_HDR + TCP_FLAGS_OFF];
		uint16_t c;

		memcpy(ip, pkt, hl);
		be16_put(ip + IP6_PLEN_OFF, (uint16_t)(thl + plen));
		be32_put(th + TCP_SEQ_OFF, seq0 + (uint32_t)(i * mss));
		/* tcp_gso_segment(): CWR on the first segment only (RFC 3168
		 * §6.1.2, it marks one window reduction); FIN and PSH on the
		 * last only, where the end of the data is. */
		if (i > 0)
			flags &= (uint8_t)~TCP_CWR;
		if (i + 1 < nsegs)
			flags &= (uint8_t) ~(TCP_FIN | TCP_PSH);
		th[TCP_FLAGS_OFF] = flags;
		th[TCP_CSUM_OFF] = th[TCP_CSUM_OFF + 1] = 0;
		memcpy(th + thl, pkt + hl + i * mss, plen);

		/* RFC 9293 §3.1: pseudo-header with this segment's length,
		 * header, data. */
		pseudo = ofl_pseudo6(pkt + 8, pkt + 24, (uint32_t)(thl + plen), TCP_PROTO);
		c = (uint16_t)~ofl_csum_fold(ofl_csum_add(pseudo, th, thl + plen));
		memcpy(th + TCP_CSUM_OFF, &c, 2);

		segs[i - first].off = off;
		segs[i - first].len = hl + plen;
		off += hl + plen;
	}
	return (int)n;
}

int
ofl_tso_segment(const uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh, uint32_t mtu,
                uint8_t *out, size_t cap, struct ofl_seg *segs, unsigned max_segs)
{
	unsigned total = 0;
	int n = ofl_tso_segment_from(pkt, len, vh, mtu, 0, out, cap, segs, max_segs, &total);

	if (n > 0 && (unsigned)n < total)
		return -OFL_NO_ROOM;
	return n;
}
