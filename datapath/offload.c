/*
 * The parts of the TUN offloads both directions share: the virtio-net
 * header, the Internet checksum, and completing a partial checksum.
 */
#include <string.h>

#include "offload.h"

static const char *const ofl_reason_names[OFL_REASON_COUNT] = {
        [OFL_OK] = "ok",
        [OFL_BAD_CSUM_OFFSET] = "bad_csum_offset",
        [OFL_GSO_UNSUPPORTED] = "gso_unsupported",
        [OFL_GSO_NOT_TCP6] = "gso_not_tcp6",
        [OFL_GSO_BAD_HDR] = "gso_bad_hdr",
        [OFL_GSO_BAD_SIZE] = "gso_bad_size",
        [OFL_NO_ROOM] = "no_room",
        [OFL_GSO_NOT_UDP6] = "gso_not_udp6",
};

const char *
ofl_reason_name(enum ofl_reason r)
{
	if ((unsigned)r >= OFL_REASON_COUNT)
		return "unknown";
	return ofl_reason_names[r];
}

static uint16_t
le16_get(const uint8_t *b)
{
	return (uint16_t)(b[0] | b[1] << 8);
}

static void
le16_put(uint8_t *b, uint16_t v)
{
	b[0] = (uint8_t)v;
	b[1] = (uint8_t)(v >> 8);
}

void
ofl_vnet_decode(const uint8_t b[OFL_VNET_HDR_LEN], struct ofl_vnet_hdr *h)
{
	h->flags = b[0];
	h->gso_type = b[1];
	h->hdr_len = le16_get(b + 2);
	h->gso_size = le16_get(b + 4);
	h->csum_start = le16_get(b + 6);
	h->csum_offset = le16_get(b + 8);
}

void
ofl_vnet_encode(uint8_t b[OFL_VNET_HDR_LEN], const struct ofl_vnet_hdr *h)
{
	b[0] = h->flags;
	b[1] = h->gso_type;
	le16_put(b + 2, h->hdr_len);
	le16_put(b + 4, h->gso_size);
	le16_put(b + 6, h->csum_start);
	le16_put(b + 8, h->csum_offset);
}

/*
 * RFC 1071: the sum of native-order words, folded, is the network-order sum
 * in memory order (§2 (B), byte-order independence), and so is a sum of
 * wider words, since 2^16, 2^32 and 2^64 are all 1 modulo 2^16 - 1 (§2 (C)).
 * The bulk goes 64 bits at a time into four accumulators, their carries
 * counted apart and added back at the end (§4.2's deferred carries); four
 * independent chains keep the adds from waiting on each other.
 */
uint64_t
ofl_csum_add(uint64_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t a = 0, b = 0, c = 0, d = 0, carries = 0, w[4];
	uint32_t v;
	uint16_t h;

	while (len >= 32) {
		memcpy(w, p, 32);
		a += w[0];
		carries += a < w[0];
		b += w[1];
		carries += b < w[1];
		c += w[2];
		carries += c < w[2];
		d += w[3];
		carries += d < w[3];
		p += 32;
		len -= 32;
	}
	/* Each 64-bit accumulator as two 32-bit halves: no overflow below. */
	sum += (a & 0xffffffffu) + (a >> 32) + (b & 0xffffffffu) + (b >> 32);
	sum += (c & 0xffffffffu) + (c >> 32) + (d & 0xffffffffu) + (d >> 32) + carries;
	while (len >= 4) {
		memcpy(&v, p, 4);
		sum += v;
		p += 4;
		len -= 4;
	}
	if (len >= 2) {
		memcpy(&h, p, 2);
		sum += h;
		p += 2;
		len -= 2;
	}
	if (len) {
		/* An odd last octet is the high-order octet of a word padded
		 * with zero (RFC 1071 §4.1): first in memory order. */
		h = 0;
		memcpy(&h, p, 1);
		sum += h;
	}
	return sum;
}

uint16_t
ofl_csum_fold(uint64_t sum)
{
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffffffffu) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)sum;
}

uint64_t
ofl_pseudo6(const uint8_t src[16], const uint8_t dst[16], uint32_t ulen, uint8_t nh)
{
	/* RFC 8200 §8.1: source, destination, 32-bit upper-layer length,
	 * three zero octets, next header. */
	const uint8_t tail[8] = {(uint8_t)(ulen >> 24),
	                         (uint8_t)(ulen >> 16),
	                         (uint8_t)(ulen >> 8),
	                         (uint8_t)ulen,
	                         0,
	                         0,
	                         0,
	                         nh};
	uint64_t sum = ofl_csum_add(0, src, 16);

	sum = ofl_csum_add(sum, dst, 16);
	return ofl_csum_add(sum, tail, sizeof(tail));
}

enum ofl_reason
ofl_csum_complete(uint8_t *pkt, size_t len, const struct ofl_vnet_hdr *vh)
{
	size_t start = vh->csum_start, field = start + vh->csum_offset;
	uint16_t c;

	if (!(vh->flags & OFL_VNET_F_NEEDS_CSUM))
		return OFL_OK;
	if (start >= len || field + 2 > len)
		return OFL_BAD_CSUM_OFFSET;
	/* The field holds the pseudo-header sum, so summing from csum_start
	 * covers everything the checksum covers. A result of zero is sent
	 * as all ones: required for UDP (RFC 8200 §8.1, RFC 768), and the
	 * same one's complement value for TCP and ICMPv6. */
	c = (uint16_t)~ofl_csum_fold(ofl_csum_add(0, pkt + start, len - start));
	if (c == 0)
		c = 0xffff;
	memcpy(pkt + field, &c, 2);
	return OFL_OK;
}
