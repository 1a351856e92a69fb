/* proto/nexthop.c: the outbound next-hop choice and what never leaves. */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "nexthop.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/vectors.h"

#define SELF "2001:db8:1::5efe:c000:201"

struct fixture {
	struct prefix6 onlink[2];
	struct nh_route routes[4];
	struct nh_ctx ctx;
};

static void
route(struct nh_route *r, const char *prefix, uint8_t plen, const char *via, uint32_t metric)
{
	struct in6_addr a = tu_a6(prefix);

	addr_prefix_make(&r->prefix, &a, plen);
	r->via = tu_a4(via);
	r->metric = metric;
}

/* The client of the capture: 2001:db8:1::/64 on-link, a default route via
 * 192.0.2.254 and the RA's RFC 4191 route 2001:db8:3::/48 via the same. */
static int
setup(void **state)
{
	static struct fixture f;
	struct in6_addr p = tu_a6("2001:db8:1::");

	memset(&f, 0, sizeof(f));
	addr_prefix_make(&f.onlink[0], &p, 64);
	route(&f.routes[0], "::", 0, VEC_ROUTER_V4, 1024);
	route(&f.routes[1], "2001:db8:3::", 48, VEC_ROUTER_V4, 1024);
	f.ctx.locator = tu_a4(VEC_CLIENT_V4);
	f.ctx.onlink = f.onlink;
	f.ctx.n_onlink = 1;
	f.ctx.routes = f.routes;
	f.ctx.n_routes = 2;
	*state = &f;
	return 0;
}

static const uint8_t echo[8] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1};

static enum nh_verdict
lookup(const struct nh_ctx *ctx, const char *src, const char *dst, struct in_addr *nh)
{
	uint8_t b[100];
	size_t n = tu_ipv6(b, src, dst, 58, 64, echo, sizeof(echo));

	nh->s_addr = 0x5a5a5a5a;
	return nh_lookup(ctx, b, n, nh);
}

static void
assert_nh(const struct nh_ctx *ctx, const char *dst, const char *want)
{
	struct in_addr nh;

	assert_int_equal(lookup(ctx, SELF, dst, &nh), NH_OK);
	if (nh.s_addr != tu_a4(want).s_addr)
		fail_msg("%s: next hop is not %s", dst, want);
}

/* What the client sent in the capture went where the capture shows. */
static void
test_capture(void **state)
{
	struct fixture *f = *state;
	struct in_addr nh;

	/* Frame 1: RS to the router's link-local. */
	assert_int_equal(nh_lookup(&f->ctx, vec_rs + 20, vec_rs_len - 20, &nh), NH_OK);
	assert_int_equal(nh.s_addr, tu_a4(VEC_ROUTER_V4).s_addr);
	/* Frame 3: to 2001:db8:2::2 by the default route. */
	assert_int_equal(nh_lookup(&f->ctx, vec_echo_out + 20, vec_echo_out_len - 20, &nh), NH_OK);
	assert_int_equal(nh.s_addr, tu_a4(VEC_ROUTER_V4).s_addr);
	/* Frame 5: to the kernel host, directly (on-link ISATAP). */
	assert_int_equal(nh_lookup(&f->ctx, vec_echo_onlink + 20, vec_echo_onlink_len - 20, &nh),
	                 NH_OK);
	assert_int_equal(nh.s_addr, tu_a4(VEC_HOST_V4).s_addr);
}

static void
test_onlink(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;
	struct in_addr nh;

	assert_nh(&c, "fe80::5efe:c000:2fd", VEC_HOST_V4);
	assert_nh(&c, "fe80::200:5efe:808:808", "8.8.8.8");
	assert_nh(&c, "2001:db8:1::200:5efe:c000:2fd", VEC_HOST_V4);
	/* ISATAP-looking but not on-link: routed like anything else. */
	assert_nh(&c, "2001:db8:9::5efe:c000:2fd", VEC_ROUTER_V4);
	/* Without the on-link prefix the same address goes to the router. */
	c.n_onlink = 0;
	assert_nh(&c, "2001:db8:1::5efe:c000:2fd", VEC_ROUTER_V4);
	/* An embedded address that is no unicast peer, or ourselves. */
	c = f->ctx;
	assert_int_equal(lookup(&c, SELF, "2001:db8:1::5efe:e000:1", &nh), NH_DROP_BOGUS_NEXTHOP);
	assert_int_equal(lookup(&c, SELF, "fe80::5efe:7f00:1", &nh), NH_DROP_BOGUS_NEXTHOP);
	assert_int_equal(lookup(&c, SELF, "fe80::5efe:0:0", &nh), NH_DROP_BOGUS_NEXTHOP);
	assert_int_equal(lookup(&c, SELF, "fe80::5efe:c000:201", &nh), NH_DROP_BOGUS_NEXTHOP);
	assert_int_equal(nh.s_addr, 0x5a5a5a5a); /* untouched on a drop */
}

static void
test_routes(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;
	struct in_addr nh;

	/* Longest match wins over the default. */
	route(&f->routes[0], "::", 0, "192.0.2.10", 1);
	route(&f->routes[1], "2001:db8:3::", 48, "192.0.2.11", 2000);
	route(&f->routes[2], "2001:db8:3:4::", 64, "192.0.2.12", 5000);
	c.n_routes = 3;
	assert_nh(&c, "2001:db8:3:4::1", "192.0.2.12");
	assert_nh(&c, "2001:db8:3:5::1", "192.0.2.11");
	assert_nh(&c, "2001:db8:4::1", "192.0.2.10");
	/* Lowest metric on equal prefix length, whatever the order. */
	route(&f->routes[3], "2001:db8:3::", 48, "192.0.2.13", 100);
	c.n_routes = 4;
	assert_nh(&c, "2001:db8:3:5::1", "192.0.2.13");
	/* Equal prefix length and metric: the first listed. */
	route(&f->routes[3], "2001:db8:3::", 48, "192.0.2.13", 2000);
	assert_nh(&c, "2001:db8:3:5::1", "192.0.2.11");
	/* No default: no route. */
	route(&f->routes[0], "2001:db8:ffff::", 48, "192.0.2.10", 1);
	assert_int_equal(lookup(&c, SELF, "2001:db8:4::1", &nh), NH_DROP_NO_ROUTE);
	c.n_routes = 0;
	assert_int_equal(lookup(&c, SELF, "2001:db8:3::1", &nh), NH_DROP_NO_ROUTE);
	/* A route naming no unicast router, or ourselves. */
	route(&f->routes[0], "::", 0, "224.0.0.5", 1);
	c.n_routes = 1;
	assert_int_equal(lookup(&c, SELF, "2001:db8:4::1", &nh), NH_DROP_BOGUS_NEXTHOP);
	route(&f->routes[0], "::", 0, VEC_CLIENT_V4, 1);
	assert_int_equal(lookup(&c, SELF, "2001:db8:4::1", &nh), NH_DROP_BOGUS_NEXTHOP);
}

/* Link-local destinations are never routed (RFC 4291 §2.5.6), not even by a
 * default route: only ISATAP link-locals have a next hop. */
static void
test_linklocal_not_routed(void **state)
{
	struct fixture *f = *state;
	struct in_addr nh;

	assert_int_equal(lookup(&f->ctx, "fe80::5efe:c000:201", "fe80::1", &nh), NH_DROP_NO_ROUTE);
	assert_int_equal(lookup(&f->ctx, "fe80::5efe:c000:201", "fe80:0:0:1::5efe:c000:2fe", &nh),
	                 NH_DROP_NO_ROUTE);
}

static void
test_multicast(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200], pl[64];
	struct in_addr nh;
	size_t n;

	/* The kernel's own RS to all-routers, from :: or its link-local. */
	uint8_t rs[8] = {ICMP6_ROUTER_SOLICIT};
	n = tu_ipv6(b, "fe80::5efe:c000:201", "ff02::2", 58, 255, rs, 8);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_OS_RS);
	n = tu_ipv6(b, "::", "ff02::2", 58, 255, rs, 8);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_OS_RS);

	/* MLDv2 report as Linux sends it: hop-by-hop Router Alert, then 143. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 58;
	pl[1] = 0;
	pl[2] = 5; /* Router Alert */
	pl[3] = 2;
	pl[6] = 1; /* PadN */
	pl[8] = ICMP6_MLD2_REPORT;
	n = tu_ipv6(b, "::", "ff02::16", 0, 1, pl, 8 + 28);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MLD);
	/* MLDv1 report and done, to the group itself. */
	pl[8] = ICMP6_MLD_REPORT;
	n = tu_ipv6(b, "fe80::5efe:c000:201", "ff02::1:ff00:201", 0, 1, pl, 8 + 24);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MLD);
	pl[8] = ICMP6_MLD_DONE;
	n = tu_ipv6(b, "fe80::5efe:c000:201", "ff02::2", 0, 1, pl, 8 + 24);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MLD);
	pl[8] = ICMP6_MLD_QUERY;
	n = tu_ipv6(b, "fe80::5efe:c000:201", "ff02::1", 0, 1, pl, 8 + 24);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MLD);
	/* Without the hop-by-hop header, and anything to ff02::16. */
	uint8_t mld[24] = {ICMP6_MLD_REPORT};
	n = tu_ipv6(b, "fe80::5efe:c000:201", "ff02::1:ff00:201", 58, 1, mld, 24);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MLD);
	n = tu_ipv6(b, "fe80::5efe:c000:201", "ff02::16", 17, 1, mld, 24);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MLD);

	/* DAD: NS from :: to the solicited-node group (RFC 4862 §5.4.2). */
	uint8_t ns[24] = {ICMP6_NEIGHBOR_SOLICIT};
	n = tu_ipv6(b, "::", "ff02::1:ff00:201", 58, 255, ns, 24);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_DAD);
	/* An address-resolution NS from a real source is plain multicast. */
	n = tu_ipv6(b, "fe80::5efe:c000:201", "ff02::1:ff00:2fe", 58, 255, ns, 24);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MULTICAST);
	/* Any other multicast, even with no locator. */
	n = tu_ipv6(b, SELF, "ff0e::101", 17, 64, pl, 16);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MULTICAST);
	struct nh_ctx c = f->ctx;
	c.locator.s_addr = INADDR_ANY;
	assert_int_equal(nh_lookup(&c, b, n, &nh), NH_DROP_MULTICAST);
	/* A truncated extension chain still classifies as multicast. */
	n = tu_ipv6(b, SELF, "ff02::1", 0, 1, pl, 4);
	assert_int_equal(nh_lookup(&f->ctx, b, n, &nh), NH_DROP_MULTICAST);
}

static void
test_rejects(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;
	uint8_t b[100];
	struct in_addr nh;
	size_t n;

	n = tu_ipv6(b, SELF, "2001:db8:2::2", 58, 64, echo, sizeof(echo));
	assert_int_equal(nh_lookup(&c, b, 39, &nh), NH_DROP_SHORT);
	assert_int_equal(nh_lookup(&c, b, n - 1, &nh), NH_DROP_LEN);
	b[n] = 0;
	assert_int_equal(nh_lookup(&c, b, n + 1, &nh), NH_DROP_LEN);
	b[0] = 0x45;
	assert_int_equal(nh_lookup(&c, b, n, &nh), NH_DROP_VERSION);
	b[0] = 0x60;
	b[4] = 0;
	b[5] = 0;
	assert_int_equal(nh_lookup(&c, b, 40, &nh), NH_DROP_LEN); /* jumbo */

	static const char *const bad_src[] = {"ff02::1", "::ffff:192.0.2.1", "::", "::1"};
	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++)
		assert_int_equal(lookup(&c, bad_src[i], "2001:db8:2::2", &nh), NH_DROP_SRC_BAD);

	c.locator.s_addr = INADDR_ANY;
	assert_int_equal(lookup(&c, SELF, "2001:db8:2::2", &nh), NH_DROP_NO_LOCATOR);
}

/*
 * RFC 6324 §3.2.3 (review finding 11): the fixture as a router (locator
 * 192.0.2.1, 2001:db8:1::/64 on-link). Nothing to a 6to4 relay, in either
 * mode; in router mode nothing from our own 6to4 prefix or from our ISATAP
 * identifier under another prefix, and nothing to our identifier under
 * another prefix (the default route would hand it to a router that sends
 * it back).
 */
static void
test_rfc6324_loops(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;
	struct in_addr nh;

	/* P::5efe:192.88.99.1, on-link: the review's demonstration. */
	assert_int_equal(lookup(&c, SELF, "2001:db8:1::5efe:c058:6301", &nh), NH_DROP_6TO4_RELAY);
	assert_int_equal(lookup(&c, SELF, "fe80::200:5efe:c058:63fe", &nh), NH_DROP_6TO4_RELAY);
	/* 192.88.98.255 and 192.88.100.0 are no relays. */
	assert_nh(&c, "2001:db8:1::5efe:c058:62ff", "192.88.98.255");
	assert_nh(&c, "2001:db8:1::5efe:c058:6400", "192.88.100.0");
	/* A route through a relay. */
	route(&f->routes[2], "2001:db8:40::", 48, "192.88.99.1", 1024);
	c.n_routes = 3;
	assert_int_equal(lookup(&c, SELF, "2001:db8:40::1", &nh), NH_DROP_6TO4_RELAY);

	c.router_mode = true;
	/* From our own 6to4 prefix, 2002:c000:201::/48, to anywhere. */
	assert_int_equal(lookup(&c, "2002:c000:201::1", "2001:db8:1::5efe:c058:6301", &nh),
	                 NH_DROP_SRC_OWN_6TO4);
	assert_int_equal(lookup(&c, "2002:c000:201:ffff::9", "2001:db8:1::5efe:c000:209", &nh),
	                 NH_DROP_SRC_OWN_6TO4);
	/* Another node's 6to4 source is forwarded. */
	assert_nh(&c, "2001:db8:1::5efe:c000:209", "192.0.2.9");
	assert_int_equal(lookup(&c, "2002:c000:209::1", "2001:db8:1::5efe:c000:209", &nh), NH_OK);
	/* Our identifier under another router's prefix, as source... */
	assert_int_equal(lookup(&c, "2001:db8:77::5efe:c000:201", "2001:db8:5::1", &nh),
	                 NH_DROP_SRC_OWN_LOCATOR);
	assert_int_equal(lookup(&c, "2001:db8:77::200:5efe:c000:201", "2001:db8:5::1", &nh),
	                 NH_DROP_SRC_OWN_LOCATOR);
	/* ...and as destination. */
	assert_int_equal(lookup(&c, "2001:db8:5::1", "2001:db8:77::5efe:c000:201", &nh),
	                 NH_DROP_DST_OWN_LOCATOR);
	assert_int_equal(lookup(&c, "2001:db8:5::1", "2001:db8:77::200:5efe:c000:201", &nh),
	                 NH_DROP_DST_OWN_LOCATOR);
	/* Under our own prefixes it is ours: the usual rules. */
	assert_int_equal(lookup(&c, SELF, "2001:db8:5::1", &nh), NH_OK);
	assert_int_equal(lookup(&c, "fe80::5efe:c000:201", "fe80::5efe:c000:209", &nh), NH_OK);
	assert_int_equal(lookup(&c, "2001:db8:5::1", "2001:db8:1::5efe:c000:201", &nh),
	                 NH_DROP_BOGUS_NEXTHOP);
	/* Another node's identifier under a foreign prefix is routed. */
	assert_nh(&c, "2001:db8:77::5efe:c000:209", VEC_ROUTER_V4);

	/* A host applies none of the router's source and destination rules. */
	c.router_mode = false;
	assert_int_equal(lookup(&c, "2002:c000:201::1", "2001:db8:1::5efe:c000:209", &nh), NH_OK);
	assert_int_equal(lookup(&c, SELF, "2001:db8:77::5efe:c000:201", &nh), NH_OK);
}

/*
 * The same rules for every locator of the set (RFC 5214 §6.2): a previous
 * locator still in use, 192.0.2.7, is ours as much as the current one.
 */
static void
test_locator_set(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;
	const struct in_addr retired[1] = {tu_a4("192.0.2.7")};
	struct in_addr nh;

	c.retired = retired;
	c.n_retired = 1;
	/* Never a next hop, on-link or routed. */
	assert_int_equal(lookup(&c, SELF, "2001:db8:1::5efe:c000:207", &nh), NH_DROP_BOGUS_NEXTHOP);
	assert_int_equal(lookup(&c, SELF, "fe80::200:5efe:c000:207", &nh), NH_DROP_BOGUS_NEXTHOP);
	route(&f->routes[2], "2001:db8:40::", 48, "192.0.2.7", 1024);
	c.n_routes = 3;
	assert_int_equal(lookup(&c, SELF, "2001:db8:40::1", &nh), NH_DROP_BOGUS_NEXTHOP);
	c.n_routes = 2;
	/* Its addresses under our prefixes send as usual. */
	assert_nh(&c, "2001:db8:1::5efe:c000:209", "192.0.2.9");
	assert_int_equal(lookup(&c, "2001:db8:1::5efe:c000:207", "2001:db8:5::1", &nh), NH_OK);

	c.router_mode = true;
	assert_int_equal(lookup(&c, "2002:c000:207::1", "2001:db8:1::5efe:c000:209", &nh),
	                 NH_DROP_SRC_OWN_6TO4);
	assert_int_equal(lookup(&c, "2001:db8:77::5efe:c000:207", "2001:db8:5::1", &nh),
	                 NH_DROP_SRC_OWN_LOCATOR);
	assert_int_equal(lookup(&c, "2001:db8:5::1", "2001:db8:77::200:5efe:c000:207", &nh),
	                 NH_DROP_DST_OWN_LOCATOR);
	/* Without it in the set, 192.0.2.7 is another node. */
	c.n_retired = 0;
	assert_int_equal(lookup(&c, "2002:c000:207::1", "2001:db8:1::5efe:c000:209", &nh), NH_OK);
	assert_nh(&c, "2001:db8:1::5efe:c000:207", "192.0.2.7");
}

static void
test_verdict_names(void **state)
{
	(void)state;
	for (int v = 0; v < NH_VERDICT_COUNT; v++) {
		const char *n = nh_verdict_name((enum nh_verdict)v);
		assert_non_null(n);
		assert_string_not_equal(n, "invalid");
		for (int q = 0; q < v; q++)
			assert_string_not_equal(n, nh_verdict_name((enum nh_verdict)q));
	}
	assert_string_equal(nh_verdict_name(NH_DROP_NO_ROUTE), "no_route");
	assert_string_equal(nh_verdict_name(NH_VERDICT_COUNT), "invalid");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_capture, setup),
	        cmocka_unit_test_setup(test_onlink, setup),
	        cmocka_unit_test_setup(test_routes, setup),
	        cmocka_unit_test_setup(test_linklocal_not_routed, setup),
	        cmocka_unit_test_setup(test_multicast, setup),
	        cmocka_unit_test_setup(test_rejects, setup),
	        cmocka_unit_test_setup(test_rfc6324_loops, setup),
	        cmocka_unit_test_setup(test_locator_set, setup),
	        cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests_name("proto_nexthop", tests, NULL, NULL);
}
