/*
 * The inbound check, run on every protocol-41 datagram: RFC 4213 §3.6
 * (decapsulation) with the ISATAP source rules of RFC 5214 §7.3, and the
 * host rule of RFC 6324 §3.2: an ISATAP host never forwards, so a packet
 * not addressed to it is a loop or an attack; a router forwards, but not
 * what names itself on another router's link (§3.2.3). Pure, no allocation.
 */
#include <string.h>

#include "decap.h"
#include "ecn.h"
#include "isatap.h"
#include "pkt.h"

static const char *const decap_verdict_names[DECAP_VERDICT_COUNT] = {
        [DECAP_ACCEPT] = "accept",
        [DECAP_ACCEPT_ND] = "accept_nd",
        [DECAP_DROP_NO_LOCATOR] = "no_locator",
        [DECAP_DROP_OUTER_SHORT] = "outer_short",
        [DECAP_DROP_OUTER_BAD] = "outer_bad",
        [DECAP_DROP_OUTER_LEN] = "outer_len",
        [DECAP_DROP_OUTER_FRAGMENT] = "outer_fragment",
        [DECAP_DROP_OUTER_OPTIONS] = "outer_options",
        [DECAP_DROP_OUTER_SRC_BOGUS] = "outer_src_bogus",
        [DECAP_DROP_NOT_OUR_LOCATOR] = "not_our_locator",
        [DECAP_DROP_INNER_SHORT] = "inner_short",
        [DECAP_DROP_INNER_VERSION] = "inner_version",
        [DECAP_DROP_INNER_LEN] = "inner_len",
        [DECAP_DROP_INNER_SRC_BAD] = "inner_src_bad",
        [DECAP_DROP_SPOOFED_SRC] = "spoofed_src",
        [DECAP_DROP_SRC_NOT_ONLINK] = "src_not_onlink",
        [DECAP_DROP_NOT_OURS] = "not_ours",
        [DECAP_DROP_ND_HOPLIMIT] = "nd_hoplimit",
        [DECAP_DROP_ECN_CE_NOT_ECT] = "ecn_ce_not_ect",
        [DECAP_DROP_DST_OWN_LOCATOR] = "dst_own_locator",
};

/* The drop names, "spoofed_src", are the counter names without "in_drop_"
 * (counters.c); the accept verdicts are plain "accept", "accept_nd". */
const char *
decap_verdict_name(enum decap_verdict v)
{
	if ((unsigned)v >= DECAP_VERDICT_COUNT)
		return "invalid";
	return decap_verdict_names[v];
}

static enum decap_verdict
outer_verdict(enum pkt_reason r)
{
	switch (r) {
	case PKT_SHORT:
		return DECAP_DROP_OUTER_SHORT;
	case PKT_TRUNCATED:
	case PKT_LEN_MISMATCH:
		return DECAP_DROP_OUTER_LEN;
	case PKT_FRAGMENT:
		return DECAP_DROP_OUTER_FRAGMENT;
	case PKT_V4_OPTIONS:
		return DECAP_DROP_OUTER_OPTIONS;
	default: /* version, IHL, checksum, protocol */
		return DECAP_DROP_OUTER_BAD;
	}
}

static bool
v4_in_list(struct in_addr a, const struct in_addr *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (list[i].s_addr == a.s_addr)
			return true;
	return false;
}

/* One of the interface's locator set (RFC 5214 §6.2): the current locator
 * or a previous one still in use (datapath: dp_locator_is_ours()). */
static bool
locator_is_ours(const struct decap_ctx *ctx, struct in_addr v4)
{
	return v4.s_addr == ctx->locator.s_addr || v4_in_list(v4, ctx->retired, ctx->n_retired);
}

static bool
onlink_match(const struct decap_ctx *ctx, const struct in6_addr *a)
{
	for (size_t i = 0; i < ctx->n_onlink; i++)
		if (addr_prefix_match(&ctx->onlink[i], a))
			return true;
	return false;
}

/*
 * RFC 5214 §7.3: accept when the outer source is a PRL router (it relays
 * for the whole Internet), or when the inner source is an ISATAP address
 * on this link (fe80::/64 or an on-link prefix) that embeds the outer
 * source. Either u value is accepted: peers differ on RFC 5214 §6.1.
 */
static enum decap_verdict
source_check(const struct decap_ctx *ctx, struct in_addr outer_src, const struct in6_addr *src)
{
	struct in_addr embedded;

	if (v4_in_list(outer_src, ctx->prl, ctx->n_prl))
		return DECAP_ACCEPT;
	if (!addr_isatap_v4(src, &embedded) ||
	    !(addr_is_linklocal64(src) || onlink_match(ctx, src)))
		return DECAP_DROP_SRC_NOT_ONLINK;
	if (embedded.s_addr != outer_src.s_addr)
		return DECAP_DROP_SPOOFED_SRC;
	return DECAP_ACCEPT;
}

/* ff02::1, RFC 4291 §2.7.1: the only group an ISATAP host answers on a
 * link where nothing else is multicast (NBMA, RFC 5214 §8.1). */
static const struct in6_addr all_nodes = {{{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}}};

static bool
destination_ours(const struct decap_ctx *ctx, const struct in6_addr *dst)
{
	struct in_addr embedded;

	if (memcmp(dst, &all_nodes, sizeof(*dst)) == 0)
		return true;
	for (size_t i = 0; i < ctx->n_local; i++)
		if (memcmp(dst, &ctx->local[i], sizeof(*dst)) == 0)
			return true;
	/* Our ISATAP link-local, fe80::{0|200}:5efe:<locator>, is ours from
	 * the moment the locator is, before control lists it (RFC 5214 §8.3.1:
	 * the router may answer our first RS to either form). */
	return addr_is_linklocal64(dst) && addr_isatap_v4(dst, &embedded) &&
	       embedded.s_addr == ctx->locator.s_addr;
}

/*
 * RFC 6324 §3.2.3: in router mode the kernel forwards whatever we let in.
 * A destination that embeds a locator of ours (any of the set) under a
 * prefix that is not ours (neither fe80::/64 nor on-link, and none of our
 * addresses) names us on another router's link: forwarded there, it comes
 * back to us, and round.
 */
static bool
dst_own_locator_foreign(const struct decap_ctx *ctx, const struct in6_addr *dst)
{
	struct in_addr embedded;

	if (!addr_isatap_v4(dst, &embedded) || !locator_is_ours(ctx, embedded) ||
	    addr_is_linklocal64(dst) || onlink_match(ctx, dst))
		return false;
	for (size_t i = 0; i < ctx->n_local; i++)
		if (memcmp(dst, &ctx->local[i], sizeof(*dst)) == 0)
			return false;
	return true;
}

/*
 * The ICMPv6 type if the packet is Neighbor Discovery (133..137), else 0.
 * RFC 4861 ND sits straight after the IPv6 header; one behind extension
 * headers is still classified as ND, so that it reaches control (which
 * rejects it by name) rather than the kernel's own ND through the TUN.
 */
static int
nd_kind(const uint8_t *ip6, size_t len)
{
	size_t off;
	int nh = pkt_ipv6_upper(ip6, len, &off);

	if (nh != IPPROTO_ICMPV6_NUM || off >= len)
		return 0;
	if (ip6[off] < ICMP6_ROUTER_SOLICIT || ip6[off] > ICMP6_REDIRECT)
		return 0;
	return ip6[off];
}

enum decap_verdict
decap_check(const struct decap_ctx *ctx, const uint8_t *p, size_t len, size_t *inner_off,
            size_t *inner_len, struct in_addr *outer_src)
{
	struct pkt_ipv4 o;
	struct pkt_ipv6 in;
	enum pkt_reason pr;
	enum decap_verdict v;
	const uint8_t *ip6;
	size_t ilen;
	uint8_t ecn;
	int nd;

	if (ctx->locator.s_addr == INADDR_ANY)
		return DECAP_DROP_NO_LOCATOR;
	if ((pr = pkt_parse_ipv4(p, len, &o)) != PKT_OK)
		return outer_verdict(pr);
	/* RFC 4213 §3.6 leaves source filtering to the node; these can never
	 * be a real peer. Broadcast is inside 240/4. */
	if (addr_v4_is_bogus(o.src))
		return DECAP_DROP_OUTER_SRC_BOGUS;
	/* RFC 5214 §6.2, §7.3: to a locator of the interface's set. */
	if (!locator_is_ours(ctx, o.dst))
		return DECAP_DROP_NOT_OUR_LOCATOR;

	ip6 = p + o.hdr_len;
	ilen = o.total_len - o.hdr_len;
	switch (pkt_parse_ipv6(ip6, ilen, &in)) {
	case PKT_OK:
		break;
	case PKT_SHORT:
		return DECAP_DROP_INNER_SHORT;
	case PKT_BAD_VERSION:
		return DECAP_DROP_INNER_VERSION;
	default: /* truncated, trailing bytes, jumbo */
		return DECAP_DROP_INNER_LEN;
	}

	if (addr_is_multicast(&in.src) || addr_is_unspecified(&in.src) ||
	    addr_is_loopback(&in.src) || addr_is_v4compat(&in.src) || addr_is_v4mapped(&in.src))
		return DECAP_DROP_INNER_SRC_BAD;
	if ((v = source_check(ctx, o.src, &in.src)) != DECAP_ACCEPT)
		return v;
	/* In router mode the kernel forwards and the destination is its
	 * business; a host forwards nothing (RFC 6324 §3.2). */
	if (!ctx->router_mode && !destination_ours(ctx, &in.dst))
		return DECAP_DROP_NOT_OURS;
	if (ctx->router_mode && dst_own_locator_foreign(ctx, &in.dst))
		return DECAP_DROP_DST_OWN_LOCATOR;
	/* RFC 6040 §4.2: congestion marked on the way cannot be passed to a
	 * transport that did not ask for ECN; the packet is dropped instead. */
	if (ecn_decap(o.tos, in.traffic_class, &ecn) == ECN_DROP)
		return DECAP_DROP_ECN_CE_NOT_ECT;

	nd = nd_kind(ip6, ilen);
	if (nd != 0) {
		/* RFC 4861 §6.1, §7.1, §8.1: hop limit 255 proves on-link. */
		if (in.hop_limit != ND_HOP_LIMIT)
			return DECAP_DROP_ND_HOPLIMIT;
		/* A router's radvd answers solicitations through the TUN. */
		v = ctx->router_mode && nd == ICMP6_ROUTER_SOLICIT ? DECAP_ACCEPT : DECAP_ACCEPT_ND;
	} else {
		v = DECAP_ACCEPT;
	}
	*inner_off = o.hdr_len;
	*inner_len = ilen;
	*outer_src = o.src;
	return v;
}
