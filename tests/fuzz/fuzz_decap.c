/*
 * libFuzzer target: the inbound path as the datapath runs it on every
 * protocol-41 datagram. decap_check(), then what the accepted packet meets
 * next: the ND parsers for ACCEPT_ND, and the next-hop lookup (the same
 * packet written back). The first input byte picks the state:
 *   bit 0 router mode, bit 1 locator is the router's, bit 2 empty PRL,
 *   bit 3 no on-link prefix, bit 4 no local address, bit 5 a previous
 *   locator (203.0.113.5) still in the locator set;
 * the rest is the datagram. Verdict invariants are checked, not just the
 * absence of crashes.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "decap.h"
#include "isatap.h"
#include "nd.h"
#include "nexthop.h"
#include "pkt.h"
#include "fuzz.h"

static struct in_addr
v4(uint32_t host)
{
	struct in_addr a = {htonl(host)};

	return a;
}

static void
inner_checks(const struct decap_ctx *ctx, const uint8_t *ip6, size_t len, enum decap_verdict v)
{
	struct pkt_ipv6 h;
	struct nd_ra *ra;
	struct nd_redirect rd;
	size_t off;
	int nt;

	CHECK(len >= IPV6_HDR_LEN);
	CHECK(pkt_parse_ipv6(ip6, len, &h) == PKT_OK);
	CHECK(!addr_is_multicast(&h.src) && !addr_is_unspecified(&h.src));
	(void)pkt_ipv6_upper(ip6, len, &off);
	nt = nd_type(ip6, len);
	if (v == DECAP_ACCEPT_ND) {
		CHECK(h.hop_limit == ND_HOP_LIMIT);
		/* What control will do with it, on a copy with the ICMPv6
		 * checksum made right so that the options get parsed. */
		uint8_t *nd = malloc(len);
		ra = malloc(sizeof(*ra));
		CHECK(nd != NULL && ra != NULL);
		memcpy(nd, ip6, len);
		if (h.next_header == IPPROTO_ICMPV6_NUM && len >= IPV6_HDR_LEN + 4) {
			nd[42] = nd[43] = 0;
			uint16_t c = pkt_icmp6_csum(&h.src, &h.dst, nd + 40, len - 40);
			nd[42] = (uint8_t)(c >> 8);
			nd[43] = (uint8_t)c;
		}
		if (nd_parse_ra(nd, len, ra) == ND_OK) {
			CHECK(nt == ICMP6_ROUTER_ADVERT);
			CHECK(ra->n_prefixes <= ND_MAX_PREFIXES && ra->n_routes <= ND_MAX_ROUTES);
		}
		if (nd_parse_redirect(nd, len, &rd) == ND_OK)
			CHECK(nt == ICMP6_REDIRECT && !addr_is_multicast(&rd.dst));
		free(ra);
		free(nd);
	} else if (!ctx->router_mode) {
		/* In host mode ND never goes into the TUN. */
		CHECK(nt == 0);
	}

	/* The same packet outbound: the lookup must be total too. */
	struct prefix6 onlink[1];
	struct nh_route routes[1];
	struct in6_addr p = {{{0x20, 0x01, 0x0d, 0xb8, 0, 1}}};
	struct in_addr nh = {0};
	addr_prefix_make(&onlink[0], &p, 64);
	memset(routes, 0, sizeof(routes));
	routes[0].via = v4(0xc00002fe);
	struct nh_ctx nc = {.locator = ctx->locator,
	                    .retired = ctx->retired,
	                    .n_retired = ctx->n_retired,
	                    .onlink = onlink,
	                    .n_onlink = 1,
	                    .routes = routes,
	                    .n_routes = 1,
	                    .router_mode = ctx->router_mode};
	enum nh_verdict nv = nh_lookup(&nc, ip6, len, &nh);
	CHECK((unsigned)nv < NH_VERDICT_COUNT);
	/* Never to ourselves (any locator of the set), to what is no peer,
	 * or to a 6to4 relay (RFC 6324 §3.2.3). */
	if (nv == NH_OK) {
		CHECK(!addr_v4_is_bogus(nh) && nh.s_addr != ctx->locator.s_addr &&
		      (ntohl(nh.s_addr) & 0xffffff00u) != 0xc0586300u);
		for (size_t i = 0; i < ctx->n_retired; i++)
			CHECK(nh.s_addr != ctx->retired[i].s_addr);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct in_addr prl[2] = {v4(0xc00002fe), v4(0xc6336401)}; /* 192.0.2.254, 198.51.100.1 */
	struct in_addr retired[1] = {v4(0xcb007105)};             /* 203.0.113.5 */
	struct in6_addr pfx = {{{0x20, 0x01, 0x0d, 0xb8, 0, 1}}};
	struct prefix6 onlink[1];
	struct in6_addr local[1];
	struct decap_ctx ctx;
	size_t off = 0, len = 0;
	struct in_addr src = {0};
	enum decap_verdict v;
	uint8_t *copy;

	if (size < 1)
		return 0;
	addr_prefix_make(&onlink[0], &pfx, 64);
	addr_isatap_compose(&pfx, v4(0xc0000201), &local[0]); /* 2001:db8:1::5efe:192.0.2.1 */
	memset(&ctx, 0, sizeof(ctx));
	ctx.router_mode = data[0] & 1;
	ctx.locator = data[0] & 2 ? v4(0xc00002fe) : v4(0xc0000201);
	ctx.prl = prl;
	ctx.n_prl = data[0] & 4 ? 0 : 2;
	ctx.onlink = onlink;
	ctx.n_onlink = data[0] & 8 ? 0 : 1;
	ctx.local = local;
	ctx.n_local = data[0] & 16 ? 0 : 1;
	ctx.retired = retired;
	ctx.n_retired = data[0] & 32 ? 1 : 0;

	/* An exact-size heap copy, so that AddressSanitizer sees any overread. */
	size--;
	copy = malloc(size ? size : 1);
	CHECK(copy != NULL);
	memcpy(copy, data + 1, size);

	v = decap_check(&ctx, copy, size, &off, &len, &src);
	CHECK((unsigned)v < DECAP_VERDICT_COUNT);
	CHECK(decap_verdict_name(v) != NULL);
	if (v == DECAP_ACCEPT || v == DECAP_ACCEPT_ND) {
		CHECK(off == IPV4_HDR_MIN && off + len == size);
		CHECK(!addr_v4_is_bogus(src));
		CHECK(memcmp(copy + 16, &ctx.locator, 4) == 0 ||
		      (ctx.n_retired == 1 && memcmp(copy + 16, &retired[0], 4) == 0));
		inner_checks(&ctx, copy + off, len, v);
	}
	free(copy);
	return 0;
}
