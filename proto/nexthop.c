/*
 * The outbound decision for a packet the kernel wrote into the TUN: the
 * IPv4 address to encapsulate it to (RFC 5214 §8.4 on-link, §8.5 routed),
 * or the named reason it must not leave. Multicast is classified first:
 * ISATAP is an NBMA link (RFC 5214 §8.1) with no multicast, so the
 * kernel's own RS, MLD and DAD traffic is dropped here on purpose, and
 * control solicits by unicast instead (RFC 5214 §8.3.4).
 */
#include <arpa/inet.h>
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
        [NH_DROP_6TO4_RELAY] = "6to4_relay",
        [NH_DROP_DST_OWN_LOCATOR] = "dst_own_locator",
        [NH_DROP_SRC_OWN_6TO4] = "src_own_6to4",
        [NH_DROP_SRC_OWN_LOCATOR] = "src_own_locator",
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

/* The locator check every rule here asks, for the whole locator set
 * (datapath: dp_locator_is_ours()). */
static bool
nh_v4_is_ours(const struct nh_ctx *ctx, struct in_addr v4)
{
	if (v4.s_addr == INADDR_ANY)
		return false;
	if (v4.s_addr == ctx->locator.s_addr)
		return true;
	for (size_t i = 0; i < ctx->n_retired; i++)
		if (v4.s_addr == ctx->retired[i].s_addr)
			return true;
	return false;
}

/*
 * RFC 3068 §2.3 (deprecated by RFC 7526, still answered): 192.88.99.0/24
 * is the 6to4 relays' anycast prefix. A relay is no ISATAP node: what an
 * ISATAP node sends it comes back through 2002::/16 routes, the loop of
 * RFC 6324 §2.
 */
static bool
is_6to4_relay(struct in_addr v4)
{
	return (ntohl(v4.s_addr) & 0xffffff00u) == 0xc0586300u;
}

/*
 * RFC 6324 §3.2.3: an ISATAP address that embeds our locator under a
 * prefix that is not ours (neither fe80::/64 nor an on-link prefix) names
 * us on another router's link. Sent there, it comes back to us, and we
 * would send it there again.
 */
static bool
own_locator_foreign(const struct nh_ctx *ctx, const struct in6_addr *a)
{
	struct in_addr v4;

	return addr_isatap_v4(a, &v4) && nh_v4_is_ours(ctx, v4) && !addr_is_linklocal64(a) &&
	       !onlink_match(ctx, a);
}

/* RFC 3056 §2: 2002:V4::/48 is the 6to4 prefix of the node with V4. */
static bool
own_6to4(const struct nh_ctx *ctx, const struct in6_addr *a)
{
	struct in_addr v4;

	if (a->s6_addr[0] != 0x20 || a->s6_addr[1] != 0x02)
		return false;
	memcpy(&v4, &a->s6_addr[2], sizeof(v4));
	return nh_v4_is_ours(ctx, v4);
}

/*
 * A next hop must be a unicast IPv4 peer, and not our own locator: sending
 * to ourselves would come straight back in through the raw socket.
 */
static bool
nexthop_ok(const struct nh_ctx *ctx, struct in_addr v4)
{
	return !addr_v4_is_bogus(v4) && !nh_v4_is_ours(ctx, v4);
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
	/* RFC 6324 §3.2.3: a router forwards what the kernel hands it from
	 * anywhere; one whose source is ours under 6to4 or under another
	 * router's prefix has been round a loop. */
	if (ctx->router_mode && own_6to4(ctx, &ip.src))
		return NH_DROP_SRC_OWN_6TO4;
	if (ctx->router_mode && own_locator_foreign(ctx, &ip.src))
		return NH_DROP_SRC_OWN_LOCATOR;

	/* RFC 5214 §8.4: on-link ISATAP destinations go straight to the
	 * IPv4 address they embed. */
	if (addr_isatap_v4(&ip.dst, &v4) &&
	    (addr_is_linklocal64(&ip.dst) || onlink_match(ctx, &ip.dst))) {
		if (is_6to4_relay(v4))
			return NH_DROP_6TO4_RELAY;
		if (!nexthop_ok(ctx, v4))
			return NH_DROP_BOGUS_NEXTHOP;
		*next_hop = v4;
		return NH_OK;
	}
	/* RFC 4291 §2.5.6: link-local destinations are never routed, even by
	 * a default route. */
	if (addr_is_linklocal(&ip.dst))
		return NH_DROP_NO_ROUTE;
	if (ctx->router_mode && own_locator_foreign(ctx, &ip.dst))
		return NH_DROP_DST_OWN_LOCATOR;
	if ((r = route_lookup(ctx, &ip.dst)) == NULL)
		return NH_DROP_NO_ROUTE;
	if (is_6to4_relay(r->via))
		return NH_DROP_6TO4_RELAY;
	if (!nexthop_ok(ctx, r->via))
		return NH_DROP_BOGUS_NEXTHOP;
	*next_hop = r->via;
	return NH_OK;
}
