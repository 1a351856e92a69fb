/*
 * ICMPv6 Destination Unreachable (RFC 4443 §3.1) and Packet Too Big (§3.2)
 * for what the datapath cannot deliver. The checks of §2.4(e) come first and are strict: an error
 * about an error, about a multicast packet or to a forged source is how
 * ICMP storms start, so anything this code cannot fully parse gets none.
 */
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "icmp6err.h"
#include "isatap.h"
#include "pkt.h"

static const char *const icmp6err_reason_names[ICMP6ERR_REASON_COUNT] = {
        [ICMP6ERR_OK] = "ok",           [ICMP6ERR_MALFORMED] = "malformed",
        [ICMP6ERR_SRC] = "src",         [ICMP6ERR_DST_MCAST] = "dst_mcast",
        [ICMP6ERR_ERROR] = "error",     [ICMP6ERR_FRAGMENT] = "fragment",
        [ICMP6ERR_NO_ROOM] = "no_room",
};

const char *
icmp6err_reason_name(enum icmp6err_reason r)
{
	if ((unsigned)r >= ICMP6ERR_REASON_COUNT)
		return "invalid";
	return icmp6err_reason_names[r];
}

#define FRAG_HDR_LEN     8
#define FRAG_OFFSET_MASK 0xfff8 /* RFC 8200 §4.5: 13 bits, in 8-octet units */

/*
 * RFC 8200 §4 with RFC 4302 (AH, whose length is in 4-octet units) and the
 * fragment header (fixed 8 octets). Hop-by-hop only first. Each step moves
 * at least 8 octets on, so the walk ends within len / 8 steps. Returns
 * ICMP6ERR_OK with the upper-layer protocol and its offset; an upper layer
 * we cannot see past (ESP, No Next Header, anything unknown) is just that.
 */
static enum icmp6err_reason
walk(const uint8_t *p, size_t len, int *upper, size_t *off)
{
	size_t o = IPV6_HDR_LEN, hl;
	int nh = p[6];

	for (;;) {
		switch (nh) {
		case IPPROTO_HOPOPTS_NUM:
			if (o != IPV6_HDR_LEN)
				return ICMP6ERR_MALFORMED; /* RFC 8200 §4.3 */
			                                   /* fall through */
		case IPPROTO_ROUTING_NUM:
		case IPPROTO_DSTOPTS_NUM:
			if (len - o < 2)
				return ICMP6ERR_MALFORMED;
			hl = ((size_t)p[o + 1] + 1) * 8;
			break;
		case IPPROTO_AH_NUM:
			if (len - o < 2)
				return ICMP6ERR_MALFORMED;
			hl = ((size_t)p[o + 1] + 2) * 4;
			break;
		case IPPROTO_FRAGMENT_NUM:
			if (len - o < FRAG_HDR_LEN)
				return ICMP6ERR_MALFORMED;
			/* RFC 4443 §2.4(e) answers only what reassembly would
			 * have seen first. */
			if (((p[o + 2] << 8 | p[o + 3]) & FRAG_OFFSET_MASK) != 0)
				return ICMP6ERR_FRAGMENT;
			hl = FRAG_HDR_LEN;
			break;
		default:
			*upper = nh;
			*off = o;
			return ICMP6ERR_OK;
		}
		if (hl > len - o)
			return ICMP6ERR_MALFORMED;
		nh = p[o];
		o += hl;
	}
}

enum icmp6err_reason
icmp6err_check(const uint8_t *p, size_t len)
{
	struct pkt_ipv6 ip;
	enum icmp6err_reason r;
	size_t off;
	int upper;

	if (pkt_parse_ipv6(p, len, &ip) != PKT_OK)
		return ICMP6ERR_MALFORMED;
	/* §2.4(e.3), (e.4): a source we cannot answer, or one an answer to
	 * would reach many nodes. */
	if (addr_is_unspecified(&ip.src) || addr_is_multicast(&ip.src) ||
	    addr_is_loopback(&ip.src) || addr_is_v4mapped(&ip.src))
		return ICMP6ERR_SRC;
	if (addr_is_multicast(&ip.dst))
		return ICMP6ERR_DST_MCAST;
	if ((r = walk(p, len, &upper, &off)) != ICMP6ERR_OK)
		return r;
	if (upper == IPPROTO_ICMPV6_NUM) {
		/* §2.4(e.1), (e.2): never about an error or a Redirect. */
		if (off >= len)
			return ICMP6ERR_MALFORMED;
		if (p[off] < ICMP6_INFO_MIN || p[off] == ICMP6_REDIRECT)
			return ICMP6ERR_ERROR;
	}
	return ICMP6ERR_OK;
}

int
icmp6err_code_for_verdict(enum nh_verdict v)
{
	switch (v) {
	case NH_DROP_NO_ROUTE:
		return ICMP6_UNREACH_NO_ROUTE;
	case NH_DROP_BOGUS_NEXTHOP:
	case NH_DROP_NO_LOCATOR:
		return ICMP6_UNREACH_ADDR;
	default:
		return -1;
	}
}

int
icmp6err_code_for_send(int err)
{
	switch (err) {
	case -EHOSTUNREACH:
	case -ENETUNREACH:
	case -EADDRNOTAVAIL:
		return ICMP6_UNREACH_ADDR;
	default:
		return -1;
	}
}

static bool
usable(const struct msg_addr *a, bool linklocal)
{
	if (addr_is_unspecified(&a->addr) || addr_is_multicast(&a->addr) ||
	    addr_is_loopback(&a->addr) || addr_is_v4mapped(&a->addr))
		return false;
	return addr_is_linklocal(&a->addr) == linklocal;
}

/* The first usable address of that scope, preferred before deprecated. */
static const struct msg_addr *
first_of_scope(const struct msg_addr *addrs, size_t n, bool linklocal)
{
	const struct msg_addr *deprecated = NULL;

	for (size_t i = 0; i < n; i++) {
		if (!usable(&addrs[i], linklocal))
			continue;
		if (addrs[i].preferred_lft != 0)
			return &addrs[i];
		if (deprecated == NULL)
			deprecated = &addrs[i];
	}
	return deprecated;
}

bool
icmp6err_pick_src(const struct msg_addr *addrs, size_t n, const struct in6_addr *to,
                  struct in6_addr *src)
{
	const struct msg_addr *a = NULL;

	if (addr_is_linklocal(to))
		a = first_of_scope(addrs, n, true);
	if (a == NULL)
		a = first_of_scope(addrs, n, false);
	if (a == NULL)
		return false;
	*src = a->addr;
	return true;
}

/* param: the 4 octets after the checksum, unused (zero) but in a Packet
 * Too Big, where they carry the MTU (RFC 4443 §3.2). */
static enum icmp6err_reason
build(uint8_t *out, size_t cap, const struct in6_addr *src, uint8_t type, uint8_t code,
      uint32_t param, const uint8_t *p, size_t len, size_t *out_len)
{
	const size_t hdrs = IPV6_HDR_LEN + ICMP6_ERR_HDR_LEN;
	enum icmp6err_reason r;
	struct in6_addr dst;
	size_t quote, mlen;
	uint16_t c;

	if ((r = icmp6err_check(p, len)) != ICMP6ERR_OK)
		return r;
	if (cap < hdrs)
		return ICMP6ERR_NO_ROOM;
	if (cap > ICMP6_ERR_MAX_LEN)
		cap = ICMP6_ERR_MAX_LEN;
	quote = len < cap - hdrs ? len : cap - hdrs;
	mlen = ICMP6_ERR_HDR_LEN + quote;
	memcpy(&dst, p + 8, sizeof(dst));

	pkt_build_ipv6(out, src, &dst, (uint16_t)mlen, IPPROTO_ICMPV6_NUM, ICMP6_ERR_HOP_LIMIT);
	memset(out + IPV6_HDR_LEN, 0, ICMP6_ERR_HDR_LEN);
	out[40] = type;
	out[41] = code;
	/* out[42..43] checksum, out[44..47] unused (RFC 4443 §3.1) or MTU (§3.2) */
	out[44] = (uint8_t)(param >> 24);
	out[45] = (uint8_t)(param >> 16);
	out[46] = (uint8_t)(param >> 8);
	out[47] = (uint8_t)param;
	memcpy(out + hdrs, p, quote);
	c = pkt_icmp6_csum(src, &dst, out + IPV6_HDR_LEN, mlen);
	out[42] = (uint8_t)(c >> 8);
	out[43] = (uint8_t)c;
	*out_len = IPV6_HDR_LEN + mlen;
	return ICMP6ERR_OK;
}

enum icmp6err_reason
icmp6err_build(uint8_t *out, size_t cap, const struct in6_addr *src, uint8_t type, uint8_t code,
               const uint8_t *p, size_t len, size_t *out_len)
{
	return build(out, cap, src, type, code, 0, p, len, out_len);
}

enum icmp6err_reason
icmp6err_build_ptb(uint8_t *out, size_t cap, const struct in6_addr *src, uint32_t mtu,
                   const uint8_t *p, size_t len, size_t *out_len)
{
	return build(out, cap, src, ICMP6_PACKET_TOO_BIG, 0, mtu, p, len, out_len);
}
