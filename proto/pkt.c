/*
 * Bounds-checked IPv4 / IPv6 / ICMPv6 header code. Every multi-octet field is
 * read with byte shifts, so nothing depends on the buffer's alignment.
 */
#include <string.h>

#include "isatap.h"
#include "pkt.h"

static const char *const pkt_reason_names[PKT_REASON_COUNT] = {
        [PKT_OK] = "ok",
        [PKT_SHORT] = "short",
        [PKT_BAD_VERSION] = "bad_version",
        [PKT_BAD_HDRLEN] = "bad_hdrlen",
        [PKT_TRUNCATED] = "truncated",
        [PKT_LEN_MISMATCH] = "len_mismatch",
        [PKT_BAD_CHECKSUM] = "bad_checksum",
        [PKT_FRAGMENT] = "fragment",
        [PKT_V4_OPTIONS] = "v4_options",
        [PKT_NOT_PROTO41] = "not_proto41",
        [PKT_JUMBO] = "jumbo",
};

const char *
pkt_reason_name(enum pkt_reason r)
{
	if ((unsigned)r >= PKT_REASON_COUNT)
		return "invalid";
	return pkt_reason_names[r];
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

#define IPV4_MF      0x2000
#define IPV4_OFFMASK 0x1fff

/*
 * RFC 4213 §3.5/§3.6 with RFC 791. The order of the checks is the order a
 * reader needs them in: nothing past the bytes the previous check proved.
 */
enum pkt_reason
pkt_parse_ipv4(const uint8_t *p, size_t len, struct pkt_ipv4 *out)
{
	size_t hlen, total;
	uint16_t frag;

	if (len < IPV4_HDR_MIN)
		return PKT_SHORT;
	if (p[0] >> 4 != 4)
		return PKT_BAD_VERSION;
	hlen = (size_t)(p[0] & 0x0f) * 4;
	if (hlen < IPV4_HDR_MIN || hlen > len)
		return PKT_BAD_HDRLEN;
	total = get16(p + 2);
	if (total < hlen)
		return PKT_BAD_HDRLEN;
	if (total > len)
		return PKT_TRUNCATED;
	if (total < len)
		return PKT_LEN_MISMATCH;
	if (pkt_ipv4_csum(p, hlen) != 0)
		return PKT_BAD_CHECKSUM;
	/* Options on a tunnel packet buy nothing and cost a slow path: refused. */
	if (hlen != IPV4_HDR_MIN)
		return PKT_V4_OPTIONS;
	frag = get16(p + 6);
	if ((frag & IPV4_MF) || (frag & IPV4_OFFMASK))
		return PKT_FRAGMENT;
	if (p[9] != IPPROTO_IPV6_IN_IPV4)
		return PKT_NOT_PROTO41;

	out->tos = p[1];
	out->ttl = p[8];
	out->proto = p[9];
	memcpy(&out->src.s_addr, p + 12, 4);
	memcpy(&out->dst.s_addr, p + 16, 4);
	out->hdr_len = hlen;
	out->total_len = total;
	return PKT_OK;
}

enum pkt_reason
pkt_parse_ipv6(const uint8_t *p, size_t len, struct pkt_ipv6 *out)
{
	uint16_t plen;

	if (len < IPV6_HDR_LEN)
		return PKT_SHORT;
	if (p[0] >> 4 != 6)
		return PKT_BAD_VERSION;
	plen = get16(p + 4);
	if (plen == 0)
		return PKT_JUMBO; /* RFC 2675: needs a hop-by-hop option we don't carry */
	if (IPV6_HDR_LEN + (size_t)plen > len)
		return PKT_TRUNCATED;
	if (IPV6_HDR_LEN + (size_t)plen < len)
		return PKT_LEN_MISMATCH;

	out->traffic_class = (uint8_t)((p[0] & 0x0f) << 4 | p[1] >> 4);
	out->flow_label = (uint32_t)(p[1] & 0x0f) << 16 | (uint32_t)p[2] << 8 | p[3];
	out->payload_len = plen;
	out->next_header = p[6];
	out->hop_limit = p[7];
	memcpy(out->src.s6_addr, p + 8, 16);
	memcpy(out->dst.s6_addr, p + 24, 16);
	return PKT_OK;
}

/*
 * RFC 8200 §4: hop-by-hop only first; routing and destination options in any
 * number (§4.1 recommends an order but receivers must accept any). Each
 * header is (length + 1) * 8 octets, so the walk ends within len / 8 steps.
 */
int
pkt_ipv6_upper(const uint8_t *p, size_t len, size_t *off)
{
	size_t o = IPV6_HDR_LEN;
	int nh;

	if (len < IPV6_HDR_LEN)
		return -1;
	nh = p[6];
	for (;;) {
		if (nh != IPPROTO_HOPOPTS_NUM && nh != IPPROTO_ROUTING_NUM &&
		    nh != IPPROTO_DSTOPTS_NUM)
			break;
		if (nh == IPPROTO_HOPOPTS_NUM && o != IPV6_HDR_LEN)
			return -1; /* RFC 8200 §4.3: only immediately after the IPv6 header */
		if (len - o < 2)
			return -1;
		size_t hl = ((size_t)p[o + 1] + 1) * 8;
		if (hl > len - o)
			return -1;
		nh = p[o];
		o += hl;
	}
	*off = o;
	return nh;
}

/*
 * RFC 1071 sum in a 64-bit accumulator, folded back to 32 bits, so any
 * length is safe. Words are big-endian; an odd length pads with a zero
 * octet, so only the last chunk of a chained sum may have an odd length.
 */
uint32_t
pkt_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *b = data;
	uint64_t acc = sum;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		acc += (uint32_t)(b[i] << 8 | b[i + 1]);
	if (i < len)
		acc += (uint32_t)b[i] << 8;
	while (acc >> 32)
		acc = (acc & 0xffffffffu) + (acc >> 32);
	return (uint32_t)acc;
}

uint16_t
pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

uint16_t
pkt_upper6_csum(const struct in6_addr *src, const struct in6_addr *dst, uint8_t nh,
                const uint8_t *msg, size_t len)
{
	/* RFC 8200 §8.1 pseudo-header: source, destination, 32-bit upper-layer
	 * length, three zero octets, next header. */
	uint8_t tail[8] = {(uint8_t)(len >> 24),
	                   (uint8_t)(len >> 16),
	                   (uint8_t)(len >> 8),
	                   (uint8_t)len,
	                   0,
	                   0,
	                   0,
	                   nh};
	uint32_t sum = 0;

	sum = pkt_csum_add(sum, src->s6_addr, 16);
	sum = pkt_csum_add(sum, dst->s6_addr, 16);
	sum = pkt_csum_add(sum, tail, sizeof(tail));
	sum = pkt_csum_add(sum, msg, len);
	return pkt_csum_fold(sum);
}

uint16_t
pkt_icmp6_csum(const struct in6_addr *src, const struct in6_addr *dst, const uint8_t *msg,
               size_t len)
{
	return pkt_upper6_csum(src, dst, IPPROTO_ICMPV6_NUM, msg, len);
}

void
pkt_build_ipv6(uint8_t hdr[40], const struct in6_addr *src, const struct in6_addr *dst,
               uint16_t payload_len, uint8_t nh, uint8_t hop_limit)
{
	memset(hdr, 0, 4); /* version 6 below; traffic class, flow label 0 */
	hdr[0] = 0x60;
	put16(hdr + 4, payload_len);
	hdr[6] = nh;
	hdr[7] = hop_limit;
	memcpy(hdr + 8, src->s6_addr, 16);
	memcpy(hdr + 24, dst->s6_addr, 16);
}

uint16_t
pkt_ipv4_csum(const uint8_t *hdr, size_t hdr_len)
{
	return pkt_csum_fold(pkt_csum_add(0, hdr, hdr_len));
}

/*
 * The caller keeps payload_len <= 65535 - 20 (the datapath's MTU bound does);
 * the total length is a 16-bit field.
 */
void
pkt_build_ipv4(uint8_t hdr[20], struct in_addr src, struct in_addr dst, uint16_t payload_len,
               uint16_t id, uint8_t ttl, uint8_t tos)
{
	hdr[0] = 0x45; /* version 4, IHL 5 */
	hdr[1] = tos;
	put16(hdr + 2, (uint16_t)(IPV4_HDR_MIN + payload_len));
	put16(hdr + 4, id);
	put16(hdr + 6, 0); /* DF clear, not a fragment: RFC 4213 §3.2.1 */
	hdr[8] = ttl;
	hdr[9] = IPPROTO_IPV6_IN_IPV4;
	put16(hdr + 10, 0);
	memcpy(hdr + 12, &src.s_addr, 4);
	memcpy(hdr + 16, &dst.s_addr, 4);
	put16(hdr + 10, pkt_ipv4_csum(hdr, IPV4_HDR_MIN));
}
