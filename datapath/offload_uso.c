/*
 * UDP segmentation offload done in user space: a TUN with TUN_F_USO6 hands
 * the datapath IPv6/UDP super-packets that a socket built with UDP_SEGMENT
 * (Linux SKB_GSO_UDP_L4): one header, then the payloads of several datagrams
 * of gso_size octets each, the last possibly shorter. Each must leave as the
 * datagram it stands for, as Linux __udp_gso_segment() would cut it.
 *
 * Where TCP may be cut smaller to fit the tunnel MTU, UDP may not: every
 * datagram is a message whose boundaries the receiver sees, so a segment
 * size too large for the MTU is refused, not changed. (The kernel already
 * refuses such a socket write against the route's MTU, which is ours.)
 */
#include <string.h>

#include "offload.h"

#define IP6_HDR      40
#define IP6_PLEN_OFF 4
#define IP6_NXT_OFF  6
#define IP6_SRC_OFF  8
#define UDP_PROTO    17
#define UDP_HDR      8
#define UDP_LEN_OFF  4
#define UDP_CSUM_OFF 6

static void
be16_put(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)(v >> 8);
	b[1] = (uint8_t)v;
}

static size_t
be16_get(const uint8_t *b)
{
	return (size_t)(b[0] << 8 | b[1]);
}

/* The header fields of a UDP GSO packet, checked against each other. */
static enum ofl_reason
uso_check(const uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh)
{
	const size_t hl = IP6_HDR + UDP_HDR;

	if (vh->gso_type != OFL_GSO_UDP_L4)
		return OFL_GSO_UNSUPPORTED;
	/* Extension headers come out here too: the kernel puts none on the
	 * datagrams it sends through an ISATAP interface, and a UDP header
	 * behind one is not where csum_start says. */
	if (len < hl || pkt[0] >> 4 != 6 || pkt[IP6_NXT_OFF] != UDP_PROTO)
		return OFL_GSO_NOT_UDP6;
	/* Both lengths describe the whole super-packet (udp_send_skb() sets
	 * the UDP one before segmentation; 0 would be a jumbogram, RFC 2675,
	 * which we never enable). */
	if (be16_get(pkt + IP6_PLEN_OFF) + IP6_HDR != len ||
	    be16_get(pkt + IP6_HDR + UDP_LEN_OFF) + IP6_HDR != len)
		return OFL_GSO_BAD_HDR;
	/* hdr_len is the kernel's hint of its linear part (skb_headlen()):
	 * at least the headers, which the virtio spec asks of a device, and
	 * never past the packet. */
	if (vh->hdr_len < hl || vh->hdr_len > len)
		return OFL_GSO_BAD_HDR;
	/* The partial checksum, when announced, is the UDP one. */
	if ((vh->flags & OFL_VNET_F_NEEDS_CSUM) &&
	    (vh->csum_start != IP6_HDR || vh->csum_offset != UDP_CSUM_OFF))
		return OFL_GSO_BAD_HDR;
	return OFL_OK;
}

int
ofl_uso_segment(const uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh, uint32_t mtu,
                uint8_t *out, size_t cap, struct ofl_seg *segs, unsigned max_segs)
{
	const size_t hl = IP6_HDR + UDP_HDR;
	size_t payload, size, nsegs, off, i;
	enum ofl_reason r;

	if ((r = uso_check(pkt, len, vh)) != OFL_OK)
		return -(int)r;
	size = vh->gso_size;
	if (size == 0 || hl + size > mtu)
		return -OFL_GSO_BAD_SIZE;

	payload = len - hl;
	nsegs = payload ? (payload + size - 1) / size : 1;
	if (nsegs > max_segs || nsegs * hl + payload > cap)
		return -OFL_NO_ROOM;

	off = 0;
	for (i = 0; i < nsegs; i++) {
		size_t plen = i + 1 < nsegs ? size : payload - i * size;
		uint8_t *ip = out + off, *uh = ip + IP6_HDR;
		uint64_t sum;
		uint16_t c;

		memcpy(ip, pkt, hl);
		be16_put(ip + IP6_PLEN_OFF, (uint16_t)(UDP_HDR + plen));
		be16_put(uh + UDP_LEN_OFF, (uint16_t)(UDP_HDR + plen));
		uh[UDP_CSUM_OFF] = uh[UDP_CSUM_OFF + 1] = 0;
		memcpy(uh + UDP_HDR, pkt + hl + i * size, plen);

		/* RFC 768 over RFC 8200 §8.1: pseudo-header with this
		 * datagram's length, header, data; mandatory over IPv6, and
		 * a computed 0 is sent as all ones. */
		sum = ofl_pseudo6(pkt + IP6_SRC_OFF, pkt + IP6_SRC_OFF + 16,
		                  (uint32_t)(UDP_HDR + plen), UDP_PROTO);
		c = (uint16_t)~ofl_csum_fold(ofl_csum_add(sum, uh, UDP_HDR + plen));
		if (c == 0)
			c = 0xffff;
		memcpy(uh + UDP_CSUM_OFF, &c, 2);

		segs[i].off = off;
		segs[i].len = hl + plen;
		off += hl + plen;
	}
	return (int)nsegs;
}
