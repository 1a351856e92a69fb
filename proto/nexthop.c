/*
 * The outbound decision for a packet the kernel wrote into the TUN: the
 * IPv4 address to encapsulate it to (RFC 5214 §8.4 on-link, §8.5 routed),
 * or the named reason it must not leave. Multicast is classified first:
 * ISATAP is an NBMA link (RFC 5214 §8.1) with no multicast, so the
 * kernel's own RS, MLD and DAD traffic is dropped here on purpose, and
 * control solicits by unicast instead (RFC 5214 §8.3.4).
 */
#include <string.h>

#include "isatap.h"
#include "nexthop.h"
#include "pkt.h"

static const char *const nh_verdict_names[NH_VERDICT_COUNT] = {
        [NH_OK] = "ok",
        [NH_DROP_SHORT] = "short",
        [NH_DROP_VERSION] = "version",
        [NH_DROP_LEN] = "len",
        [NH_DROP_NO_LOCATOR] = "no_locator",
        [NH_DROP_OS_RS] = "os_rs",
        [NH_DROP_MLD] = "mld",
        [NH_DROP_DAD] = "dad",
        [NH_DROP_MULTICAST] = "multicast",
        [NH_DROP_SRC_BAD] = "src_bad",
        [NH_DROP_NO_ROUTE] = "no_route",
        [NH_DROP_BOGUS_NEXTHOP] = "bogus_nexthop",
        [NH_DROP_TOO_BIG] = "too_big",
};

/* Drop names are the counter names without "out_drop_" (counters.c). */
const char *
nh_verdict_name(enum nh_verdict v)
{
	if ((unsigned)v >= NH_VERDICT_COUNT)
		return "invalid";
	return nh_verdict_names[v];
}

/* ff02::16, all MLDv2-capable routers (RFC 3810 §5.2.14). */
static const struct in6_addr mld2_routers = {
        {{0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x16}}};

static enum nh_verdict
classify_multicast(const uint8_t *p, size_t len, const struct pkt_ipv6 *ip)
{
	size_t off;
	int nh = pkt_ipv6_upper(p, len, &off);
	int type = nh == IPPROTO_ICMPV6_NUM && off < len ? p[off] : -1;

	/* MLD rides behind a hop-by-hop Router Alert (RFC 2710 §3, RFC 3810 §5). */
	if (type == ICMP6_MLD_QUERY || type == ICMP6_MLD_REPORT || type == ICMP6_MLD_DONE ||
	    type == ICMP6_MLD2_REPORT || memcmp(&ip->dst, &mld2_routers, sizeof(ip->dst)) == 0)
		return NH_DROP_MLD;
	if (type == ICMP6_ROUTER_SOLICIT)
		return NH_DROP_OS_RS;
	/* RFC 4862 §5.4.2: a DAD probe is an NS from :: to the solicited-node group. */
	if (type == ICMP6_NEIGHBOR_SOLICIT && addr_is_unspecified(&ip->src))
		return NH_DROP_DAD;
	return NH_DROP_MULTICAST;
}

static bool
onlink_match(const struct nh_ctx *ctx, const struct in6_addr *a)
{
	for (size_t i = 0; i < ctx->n_onlink; i++)
		if (addr_prefix_match(&ctx->onlink[i], a))
			return true;
	return false;
}

/* Longest prefix, then lowest metric, then the first listed. */
static const struct nh_route *
route_lookup(const struct nh_ctx *ctx, const struct in6_addr *dst)
{
	const struct nh_route *best = NULL;

	for (size_t i = 0; i < ctx->n_routes; i++) {
		const struct nh_route *r = &ctx->routes[i];

		if (!addr_prefix_match(&r->prefix, dst))
			continue;
		if (best == NULL || r->prefix.plen > best->prefix.plen ||
		    (r->prefix.plen == best->prefix.plen && r->metric < best->metric))
			best = r;
	}
	return best;
}

/*
 * A next hop must be a unicast IPv4 peer, and not our own locator: sending
 * to ourselves would come straight back in through the raw socket.
 */
static bool
nexthop_ok(const struct nh_ctx *ctx, struct in_addr v4)
{
	return !addr_v4_is_bogus(v4) && v4.s_addr != ctx->locator.s_addr;
}

enum nh_verdict
nh_lookup(const struct nh_ctx *ctx, const uint8_t *p, size_t len, struct in_addr *next_hop)
{
	struct pkt_ipv6 ip;
	struct in_addr v4;
	const struct nh_route *r;

	switch (pkt_parse_ipv6(p, len, &ip)) {
	case PKT_OK:
		break;
	case PKT_SHORT:
		return NH_DROP_SHORT;
	case PKT_BAD_VERSION:
		return NH_DROP_VERSION;
	default:
		return NH_DROP_LEN;
	}
	/* RFC 4213 §3.2: never more than one IPv4 datagram can carry; the
	 * sender hears so (RFC 4443 §3.2, the caller's Packet Too Big). */
	if (len > ISATAP_MAX_MTU)
		return NH_DROP_TOO_BIG;
	if (addr_is_multicast(&ip.dst))
		return classify_multicast(p, len, &ip);
	if (addr_is_multicast(&ip.src) || addr_is_unspecified(&ip.src) ||
	    addr_is_loopback(&ip.src) || addr_is_v4mapped(&ip.src))
		return NH_DROP_SRC_BAD;
	if (ctx->locator.s_addr == INADDR_ANY)
		return NH_DROP_NO_LOCATOR;

	/* RFC 5214 §8.4: on-link ISATAP destinations go straight to the
	 * IPv4 address they embed. */
	if (addr_isatap_v4(&ip.dst, &v4) &&
	    (addr_is_linklocal64(&ip.dst) || onlink_match(ctx, &ip.dst))) {
		if (!nexthop_ok(ctx, v4))
			return NH_DROP_BOGUS_NEXTHOP;
		*next_hop = v4;
		return NH_OK;
	}
	/* RFC 4291 §2.5.6: link-local destinations are never routed, even by
	 * a default route. */
	if (addr_is_linklocal(&ip.dst))
		return NH_DROP_NO_ROUTE;
	if ((r = route_lookup(ctx, &ip.dst)) == NULL)
		return NH_DROP_NO_ROUTE;
	if (!nexthop_ok(ctx, r->via))
		return NH_DROP_BOGUS_NEXTHOP;
	*next_hop = r->via;
	return NH_OK;
}
