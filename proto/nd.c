/*
 * Neighbor Discovery parsing and building for an ISATAP client: Router
 * Advertisements (RFC 4861 §4.2, §6.1.2) with their options (RFC 4861 §4.6,
 * RFC 4191 §2.3, RFC 8106 §5), Redirects (RFC 4861 §4.5, §8.1), Neighbor
 * Solicitations (§4.3, §7.1.1), and the Router Solicitation and Neighbor
 * Advertisement we send (RFC 4861 §4.1, §4.4, §7.2.4, RFC 5214 §8.3.4).
 *
 * Like OpenBSD slaacd's engine, a known option with an impossible length or
 * value discards the whole message rather than just the option: a router
 * that sends one is broken or lying, and half an RA is worse than none.
 * Checks that need state or are per-option policy (PIO preferred > valid,
 * link-local PIO, MTU outside the link's range, RFC 4191 reserved
 * preference) are reported and left to the caller.
 */
#include <string.h>

#include "isatap.h"
#include "nd.h"
#include "pkt.h"

static const char *const nd_reason_names[ND_REASON_COUNT] = {
        [ND_OK] = "ok",
        [ND_BAD_IPV6] = "bad_ipv6",
        [ND_NOT_ICMPV6] = "not_icmpv6",
        [ND_WRONG_TYPE] = "wrong_type",
        [ND_BAD_CODE] = "bad_code",
        [ND_BAD_HOPLIMIT] = "bad_hoplimit",
        [ND_BAD_CHECKSUM] = "bad_checksum",
        [ND_SHORT] = "short",
        [ND_SRC_NOT_LINKLOCAL] = "src_not_linklocal",
        [ND_OPT_ZERO_LEN] = "opt_zero_len",
        [ND_OPT_OVERRUN] = "opt_overrun",
        [ND_OPT_BAD_LEN] = "opt_bad_len",
        [ND_OPT_BAD_VALUE] = "opt_bad_value",
        [ND_TOO_MANY] = "too_many",
        [ND_REDIRECT_MCAST_DST] = "redirect_mcast_dst",
        [ND_REDIRECT_BAD_TARGET] = "redirect_bad_target",
        [ND_NS_MCAST_TARGET] = "ns_mcast_target",
        [ND_NS_BAD_DAD] = "ns_bad_dad",
};

const char *
nd_reason_name(enum nd_reason r)
{
	if ((unsigned)r >= ND_REASON_COUNT)
		return "invalid";
	return nd_reason_names[r];
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#define RA_FIXED_LEN       16 /* RFC 4861 §4.2 */
#define NS_FIXED_LEN       24 /* RFC 4861 §4.3 */
#define REDIRECT_FIXED_LEN 40 /* RFC 4861 §4.5 */
#define ND_OPT_UNIT        8  /* option length is in units of 8 octets (§4.6) */

/* RFC 4191 §2.1: 01 high, 00 medium, 11 low, 10 reserved. */
static int8_t
pref_decode(uint8_t bits)
{
	static const int8_t prefs[4] = {0, 1, ND_PREF_INVALID, -1};

	return prefs[bits & 3];
}

/* An ICMPv6 message located in a validated IPv6 packet. */
struct icmp6 {
	struct pkt_ipv6 ip;
	const uint8_t *msg;
	size_t len;
};

/*
 * The checks RFC 4861 §6.1.2 and §8.1 share: an IPv6 packet with ICMPv6
 * straight after the fixed header (ND carries no extension headers), the
 * asked type, code 0, hop limit 255 (so it cannot have crossed a router),
 * a link-local source, at least the fixed part, a correct checksum.
 */
static enum nd_reason
nd_check_any_src(const uint8_t *pkt, size_t len, uint8_t type, size_t fixed, bool need_ll,
                 struct icmp6 *m)
{
	if (pkt_parse_ipv6(pkt, len, &m->ip) != PKT_OK)
		return ND_BAD_IPV6;
	if (m->ip.next_header != IPPROTO_ICMPV6_NUM)
		return ND_NOT_ICMPV6;
	m->msg = pkt + IPV6_HDR_LEN;
	m->len = m->ip.payload_len;
	if (m->len < 4)
		return ND_SHORT;
	if (m->msg[0] != type)
		return ND_WRONG_TYPE;
	if (m->msg[1] != 0)
		return ND_BAD_CODE;
	if (m->ip.hop_limit != ND_HOP_LIMIT)
		return ND_BAD_HOPLIMIT;
	if (m->len < fixed)
		return ND_SHORT;
	if (need_ll && !addr_is_linklocal(&m->ip.src))
		return ND_SRC_NOT_LINKLOCAL;
	if (pkt_icmp6_csum(&m->ip.src, &m->ip.dst, m->msg, m->len) != 0)
		return ND_BAD_CHECKSUM;
	return ND_OK;
}

/* RA and Redirect come from a router's link-local address. */
static enum nd_reason
nd_check_common(const uint8_t *pkt, size_t len, uint8_t type, size_t fixed, struct icmp6 *m)
{
	return nd_check_any_src(pkt, len, type, fixed, true, m);
}

/* Walks the options in p[0..len): each has a non-zero length that stays
 * inside the message (RFC 4861 §4.6). Returns the next option's size in
 * *optlen, or a reason. */
static enum nd_reason
nd_opt_next(const uint8_t *p, size_t len, size_t *optlen)
{
	if (len < 2)
		return ND_OPT_OVERRUN;
	if (p[1] == 0)
		return ND_OPT_ZERO_LEN;
	*optlen = (size_t)p[1] * ND_OPT_UNIT;
	if (*optlen > len)
		return ND_OPT_OVERRUN;
	return ND_OK;
}

/* RFC 4861 §4.6.2: exactly 32 octets; bits past the prefix length are
 * ignored by the receiver, so they are masked off. */
static enum nd_reason
opt_prefix(const uint8_t *o, size_t olen, struct nd_ra *ra)
{
	struct nd_prefix *pi;
	struct in6_addr a;

	if (olen != 32)
		return ND_OPT_BAD_LEN;
	if (o[2] > 128)
		return ND_OPT_BAD_VALUE;
	if (ra->n_prefixes == ND_MAX_PREFIXES)
		return ND_TOO_MANY;
	pi = &ra->prefixes[ra->n_prefixes++];
	memcpy(a.s6_addr, o + 16, 16);
	addr_prefix_make(&pi->prefix, &a, o[2]);
	pi->onlink = (o[3] & 0x80) != 0;
	pi->autonomous = (o[3] & 0x40) != 0;
	pi->valid_lifetime = get32(o + 4);
	pi->preferred_lifetime = get32(o + 8);
	return ND_OK;
}

/* RFC 4861 §4.6.4: exactly 8 octets. */
static enum nd_reason
opt_mtu(const uint8_t *o, size_t olen, struct nd_ra *ra)
{
	if (olen != 8)
		return ND_OPT_BAD_LEN;
	ra->mtu = get32(o + 4);
	return ND_OK;
}

/*
 * RFC 4191 §2.3: length 1, 2 or 3 units carrying 0, 8 or 16 octets of
 * prefix; a prefix length over 64 needs length 3, over 0 at least 2.
 */
static enum nd_reason
opt_route(const uint8_t *o, size_t olen, struct nd_ra *ra)
{
	uint8_t plen = o[2];
	size_t carried = olen - ND_OPT_UNIT;
	struct nd_route *rt;
	struct in6_addr a;

	if (olen > 3 * ND_OPT_UNIT)
		return ND_OPT_BAD_LEN;
	if (plen > 128 || (size_t)(plen + 7) / 8 > carried)
		return ND_OPT_BAD_VALUE;
	if (ra->n_routes == ND_MAX_ROUTES)
		return ND_TOO_MANY;
	rt = &ra->routes[ra->n_routes++];
	memset(&a, 0, sizeof(a));
	memcpy(a.s6_addr, o + 8, carried);
	addr_prefix_make(&rt->prefix, &a, plen);
	rt->preference = pref_decode(o[3] >> 3);
	rt->lifetime = get32(o + 4);
	return ND_OK;
}

/* RFC 8106 §5.1: 8 octets of header then one or more addresses of 16. */
static enum nd_reason
opt_rdnss(const uint8_t *o, size_t olen, struct nd_ra *ra)
{
	size_t n;

	if (olen < 24 || (olen - 8) % 16 != 0)
		return ND_OPT_BAD_LEN;
	n = (olen - 8) / 16;
	if (n > ND_MAX_RDNSS - ra->n_rdnss)
		return ND_TOO_MANY;
	for (size_t i = 0; i < n; i++) {
		ra->rdnss_lifetime[ra->n_rdnss] = get32(o + 4);
		memcpy(ra->rdnss[ra->n_rdnss++].s6_addr, o + 8 + 16 * i, 16);
	}
	return ND_OK;
}

/*
 * A label character we are willing to hand on: names go into logs, JSON
 * and perhaps resolv.conf, so only the host-name alphabet (RFC 1123 §2.1)
 * plus '_' is accepted; anything else discards the RA.
 */
static bool
dns_label_char(uint8_t c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	       c == '-' || c == '_';
}

/*
 * One domain name in uncompressed DNS wire form (RFC 1035 §3.1, RFC 8106
 * §5.2 forbids compression) at p[*pos..end) into text. Lowercased so
 * that equal names compare equal.
 */
static enum nd_reason
dns_name(const uint8_t *p, size_t end, size_t *pos, char out[ND_DNSSL_NAMELEN + 1])
{
	size_t o = 0, i = *pos;

	for (;;) {
		if (i >= end)
			return ND_OPT_BAD_VALUE; /* no terminating root label */
		uint8_t l = p[i++];
		if (l == 0)
			break;
		if (l > 63 || l > end - i)
			return ND_OPT_BAD_VALUE; /* compression pointer, or runs off */
		if (o + (o > 0) + l > ND_DNSSL_NAMELEN - 1)
			return ND_OPT_BAD_VALUE; /* RFC 1035 §2.3.4: 253 text octets */
		if (o > 0)
			out[o++] = '.';
		for (uint8_t k = 0; k < l; k++) {
			uint8_t c = p[i++];
			if (!dns_label_char(c))
				return ND_OPT_BAD_VALUE;
			out[o++] = (char)(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
		}
	}
	out[o] = '\0';
	*pos = i;
	return ND_OK;
}

/* RFC 8106 §5.2: 8 octets of header, names, then zero padding to the end. */
static enum nd_reason
opt_dnssl(const uint8_t *o, size_t olen, struct nd_ra *ra)
{
	size_t pos = 8, before = ra->n_dnssl;
	enum nd_reason r;

	if (olen < 16)
		return ND_OPT_BAD_LEN;
	while (pos < olen && o[pos] != 0) {
		if (ra->n_dnssl == ND_MAX_DNSSL)
			return ND_TOO_MANY;
		if ((r = dns_name(o, olen, &pos, ra->dnssl[ra->n_dnssl])) != ND_OK)
			return r;
		ra->n_dnssl++;
	}
	if (ra->n_dnssl == before)
		return ND_OPT_BAD_VALUE; /* "one or more domain names" */
	for (; pos < olen; pos++)
		if (o[pos] != 0)
			return ND_OPT_BAD_VALUE; /* padding must be zero */
	for (size_t i = before; i < ra->n_dnssl; i++)
		ra->dnssl_lifetime[i] = get32(o + 4);
	return ND_OK;
}

enum nd_reason
nd_parse_ra(const uint8_t *pkt, size_t len, struct nd_ra *out)
{
	struct icmp6 m;
	enum nd_reason r;
	size_t off, olen;

	memset(out, 0, sizeof(*out));
	if ((r = nd_check_common(pkt, len, ICMP6_ROUTER_ADVERT, RA_FIXED_LEN, &m)) != ND_OK)
		return r;

	out->src = m.ip.src;
	out->cur_hop_limit = m.msg[4];
	out->managed = (m.msg[5] & 0x80) != 0;
	out->other = (m.msg[5] & 0x40) != 0;
	out->preference = pref_decode(m.msg[5] >> 3); /* RFC 4191 §2.2 */
	out->router_lifetime = get16(m.msg + 6);
	out->reachable_time = get32(m.msg + 8);
	out->retrans_timer = get32(m.msg + 12);

	for (off = RA_FIXED_LEN; off < m.len; off += olen) {
		const uint8_t *o = m.msg + off;

		if ((r = nd_opt_next(o, m.len - off, &olen)) != ND_OK)
			return r;
		switch (o[0]) {
		case ND_OPT_PREFIX_INFO:
			r = opt_prefix(o, olen, out);
			break;
		case ND_OPT_MTU:
			r = opt_mtu(o, olen, out);
			break;
		case ND_OPT_ROUTE_INFO:
			r = opt_route(o, olen, out);
			break;
		case ND_OPT_RDNSS:
			r = opt_rdnss(o, olen, out);
			break;
		case ND_OPT_DNSSL:
			r = opt_dnssl(o, olen, out);
			break;
		case ND_OPT_SOURCE_LLADDR:
			/* RFC 5214 §8.3.4: ISATAP's link layer is IPv4; nothing
			 * to learn from it, the source address embeds it. */
			break;
		default:
			out->n_unknown_opts++; /* RFC 4861 §4.6: skip silently */
			break;
		}
		if (r != ND_OK)
			return r;
	}
	return ND_OK;
}

enum nd_reason
nd_parse_redirect(const uint8_t *pkt, size_t len, struct nd_redirect *out)
{
	struct icmp6 m;
	enum nd_reason r;
	size_t off, olen;

	memset(out, 0, sizeof(*out));
	if ((r = nd_check_common(pkt, len, ICMP6_REDIRECT, REDIRECT_FIXED_LEN, &m)) != ND_OK)
		return r;

	memcpy(out->target.s6_addr, m.msg + 8, 16);
	memcpy(out->dst.s6_addr, m.msg + 24, 16);
	/* RFC 4861 §8.1 */
	if (addr_is_multicast(&out->dst))
		return ND_REDIRECT_MCAST_DST;
	if (!addr_is_linklocal(&out->target) &&
	    memcmp(&out->target, &out->dst, sizeof(out->dst)) != 0)
		return ND_REDIRECT_BAD_TARGET;
	/* Target link-layer and Redirected Header options carry nothing an
	 * ISATAP client uses; they only have to be well formed. */
	for (off = REDIRECT_FIXED_LEN; off < m.len; off += olen)
		if ((r = nd_opt_next(m.msg + off, m.len - off, &olen)) != ND_OK)
			return r;
	out->src = m.ip.src;
	return ND_OK;
}

/* RFC 4291 §2.7.1: ff02::1:ff00:0/104. */
static bool
solicited_node(const struct in6_addr *a)
{
	static const uint8_t pfx[13] = {0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0xff};

	return memcmp(a->s6_addr, pfx, sizeof(pfx)) == 0;
}

enum nd_reason
nd_parse_ns(const uint8_t *pkt, size_t len, struct nd_ns *out)
{
	struct icmp6 m;
	enum nd_reason r;
	size_t off, olen;
	bool sllao = false;

	memset(out, 0, sizeof(*out));
	/* §7.1.1: any source, including :: (duplicate address detection). */
	r = nd_check_any_src(pkt, len, ICMP6_NEIGHBOR_SOLICIT, NS_FIXED_LEN, false, &m);
	if (r != ND_OK)
		return r;
	memcpy(out->target.s6_addr, m.msg + 8, 16);
	if (addr_is_multicast(&out->target))
		return ND_NS_MCAST_TARGET;
	for (off = NS_FIXED_LEN; off < m.len; off += olen) {
		if ((r = nd_opt_next(m.msg + off, m.len - off, &olen)) != ND_OK)
			return r;
		sllao |= m.msg[off] == ND_OPT_SOURCE_LLADDR;
	}
	if (addr_is_unspecified(&m.ip.src) && (!solicited_node(&m.ip.dst) || sllao))
		return ND_NS_BAD_DAD;
	out->src = m.ip.src;
	out->dst = m.ip.dst;
	return ND_OK;
}

size_t
nd_build_na(uint8_t *buf, size_t buflen, const struct in6_addr *src, const struct in6_addr *dst,
            const struct in6_addr *target, uint8_t flags)
{
	uint8_t *icmp = buf + IPV6_HDR_LEN;
	uint16_t csum;

	if (buflen < ND_NA_LEN)
		return 0;
	memset(icmp, 0, ND_NA_LEN - IPV6_HDR_LEN);
	pkt_build_ipv6(buf, src, dst, ND_NA_LEN - IPV6_HDR_LEN, IPPROTO_ICMPV6_NUM, ND_HOP_LIMIT);
	icmp[0] = ICMP6_NEIGHBOR_ADVERT; /* code, checksum: 0 */
	icmp[4] = flags & (ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE);
	memcpy(icmp + 8, target->s6_addr, 16);
	csum = pkt_icmp6_csum(src, dst, icmp, ND_NA_LEN - IPV6_HDR_LEN);
	icmp[2] = (uint8_t)(csum >> 8);
	icmp[3] = (uint8_t)csum;
	return ND_NA_LEN;
}

int
nd_type(const uint8_t *pkt, size_t len)
{
	struct pkt_ipv6 ip;
	uint8_t type;

	if (pkt_parse_ipv6(pkt, len, &ip) != PKT_OK)
		return 0;
	if (ip.next_header != IPPROTO_ICMPV6_NUM || ip.hop_limit != ND_HOP_LIMIT)
		return 0;
	type = pkt[IPV6_HDR_LEN];
	if (type < ICMP6_ROUTER_SOLICIT || type > ICMP6_REDIRECT)
		return 0;
	return type;
}

size_t
nd_build_rs(uint8_t *buf, size_t buflen, const struct in6_addr *src, const struct in6_addr *dst)
{
	uint8_t *icmp = buf + IPV6_HDR_LEN;
	uint16_t csum;

	if (buflen < ND_RS_LEN)
		return 0;
	memset(icmp, 0, ND_RS_LEN - IPV6_HDR_LEN);
	pkt_build_ipv6(buf, src, dst, ND_RS_LEN - IPV6_HDR_LEN, IPPROTO_ICMPV6_NUM, ND_HOP_LIMIT);
	icmp[0] = ICMP6_ROUTER_SOLICIT; /* code, checksum, reserved: 0 */
	csum = pkt_icmp6_csum(src, dst, icmp, ND_RS_LEN - IPV6_HDR_LEN);
	icmp[2] = (uint8_t)(csum >> 8);
	icmp[3] = (uint8_t)csum;
	return ND_RS_LEN;
}
