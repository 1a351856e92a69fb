/*
 * bpf/isatap.bpf.c isatap_egress against proto/nexthop.c nh_lookup(), under
 * BPF_PROG_TEST_RUN: the capture's outbound packets and the cases of
 * test_proto_nexthop.c through both with the same state. NH_OK must be
 * encapsulated to the same next hop with fwd.c's outer header (counted
 * out_packets); every other verdict left to the TUN reader (fp_out_punt),
 * which counts it; a next hop without an IPv4 route too (fp_out_fib_punt).
 * The test's namespace routes 192.0.2.0/24, 198.51.100.0/24 and
 * 203.0.113.0/24 (tu_fastpath.h).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "nexthop.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_fastpath.h"
#include "tests/unit/lib/vectors.h"

#ifdef HAVE_FASTPATH

#define SELF "2001:db8:1::5efe:c000:201"
#define OUT  TU_TC_ACT_REDIRECT
#define PUNT TU_TC_ACT_OK

static struct tu_fp *fp;

struct fixture {
	struct prefix6 onlink[2];
	struct nh_route routes[4];
	struct nh_ctx ctx;
	struct tu_fp_extra x;
};

static void
route(struct nh_route *r, const char *prefix, uint8_t plen, const char *via, uint32_t metric)
{
	struct in6_addr a = tu_a6(prefix);

	addr_prefix_make(&r->prefix, &a, plen);
	r->via = tu_a4(via);
	r->metric = metric;
}

/* test_proto_nexthop.c's client: 2001:db8:1::/64 on-link, a default
 * route and 2001:db8:3::/48 via 192.0.2.254. */
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

static int
check(const struct nh_ctx *c, const struct tu_fp_extra *x, const uint8_t *p, size_t len,
      const char *what)
{
	tu_fp_load_nh(fp, c, x);
	return tu_fp_check_egress(fp, c, x, p, len, what);
}

static int
echo_to(const struct nh_ctx *c, const struct tu_fp_extra *x, const char *src, const char *dst)
{
	uint8_t b[100];
	size_t n = tu_ipv6(b, src, dst, 58, 64, echo, sizeof(echo));

	return check(c, x, b, n, dst);
}

static void
test_capture(void **state)
{
	struct fixture *f = *state;

	/* ND, even unicast and NH_OK, is the reader's. */
	assert_int_equal(check(&f->ctx, &f->x, vec_rs + 20, vec_rs_len - 20, "RS"), PUNT);
	assert_int_equal(check(&f->ctx, &f->x, vec_echo_out + 20, vec_echo_out_len - 20, "echo"),
	                 OUT);
	assert_int_equal(check(&f->ctx, &f->x, vec_echo_onlink + 20, vec_echo_onlink_len - 20,
	                       "on-link echo"),
	                 OUT);
}

static void
test_disabled(void **state)
{
	struct fixture *f = *state;
	struct tu_fp_extra x = {.disabled = true};

	assert_int_equal(check(&f->ctx, &x, vec_echo_out + 20, vec_echo_out_len - 20, "disabled"),
	                 PUNT);
}

static void
test_onlink(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;

	assert_int_equal(echo_to(&c, &f->x, SELF, "fe80::5efe:c000:2fd"), OUT);
	/* 8.8.8.8: NH_OK, but the namespace has no IPv4 route to it. */
	assert_int_equal(echo_to(&c, &f->x, SELF, "fe80::200:5efe:808:808"), PUNT);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:1::200:5efe:c000:2fd"), OUT);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:9::5efe:c000:2fd"), OUT);
	c.n_onlink = 0;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:1::5efe:c000:2fd"), OUT);
	c = f->ctx;
	static const char *const bogus[] = {"2001:db8:1::5efe:e000:1", "fe80::5efe:7f00:1",
	                                    "fe80::5efe:0:0", "fe80::5efe:c000:201"};
	for (size_t i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++)
		assert_int_equal(echo_to(&c, &f->x, SELF, bogus[i]), PUNT);
}

static void
test_routes(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;

	route(&f->routes[0], "::", 0, "192.0.2.10", 1);
	route(&f->routes[1], "2001:db8:3::", 48, "192.0.2.11", 2000);
	route(&f->routes[2], "2001:db8:3:4::", 64, "192.0.2.12", 5000);
	c.n_routes = 3;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:3:4::1"), OUT);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:3:5::1"), OUT);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:4::1"), OUT);
	route(&f->routes[3], "2001:db8:3::", 48, "192.0.2.13", 100);
	c.n_routes = 4;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:3:5::1"), OUT);
	route(&f->routes[3], "2001:db8:3::", 48, "192.0.2.13", 2000);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:3:5::1"), OUT);
	route(&f->routes[0], "2001:db8:ffff::", 48, "192.0.2.10", 1);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:4::1"), PUNT);
	c.n_routes = 0;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:3::1"), PUNT);
	route(&f->routes[0], "::", 0, "224.0.0.5", 1);
	c.n_routes = 1;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:4::1"), PUNT);
	route(&f->routes[0], "::", 0, VEC_CLIENT_V4, 1);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:4::1"), PUNT);
	/* A route to a router the namespace cannot reach. */
	route(&f->routes[0], "::", 0, "10.1.2.3", 1);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:4::1"), PUNT);
}

static void
test_linklocal_not_routed(void **state)
{
	struct fixture *f = *state;

	assert_int_equal(echo_to(&f->ctx, &f->x, "fe80::5efe:c000:201", "fe80::1"), PUNT);
	assert_int_equal(
	        echo_to(&f->ctx, &f->x, "fe80::5efe:c000:201", "fe80:0:0:1::5efe:c000:2fe"), PUNT);
}

static void
test_multicast(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200], pl[64] = {58, 0, 5, 2, 0, 0, 1, 0, ICMP6_MLD2_REPORT};
	uint8_t rs[8] = {ICMP6_ROUTER_SOLICIT}, ns[24] = {ICMP6_NEIGHBOR_SOLICIT};
	size_t n;

	n = tu_ipv6(b, "fe80::5efe:c000:201", "ff02::2", 58, 255, rs, 8);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "os rs"), PUNT);
	n = tu_ipv6(b, "::", "ff02::16", 0, 1, pl, 8 + 28);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "mld2"), PUNT);
	n = tu_ipv6(b, "::", "ff02::1:ff00:201", 58, 255, ns, 24);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "dad"), PUNT);
	n = tu_ipv6(b, SELF, "ff0e::101", 17, 64, pl, 16);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "multicast"), PUNT);
}

static void
test_rejects(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;
	uint8_t b[100];
	size_t n;

	n = tu_ipv6(b, SELF, "2001:db8:2::2", 58, 64, echo, sizeof(echo));
	assert_int_equal(check(&c, &f->x, b, 39, "39 octets"), TU_FP_NOT_RUN);
	assert_int_equal(check(&c, &f->x, b, n - 1, "short"), PUNT);
	b[n] = 0;
	assert_int_equal(check(&c, &f->x, b, n + 1, "long"), PUNT);
	b[0] = 0x45;
	assert_int_equal(check(&c, &f->x, b, n, "version"), PUNT);
	b[0] = 0x60;
	b[4] = 0;
	b[5] = 0;
	assert_int_equal(check(&c, &f->x, b, 40, "jumbo"), PUNT);

	static const char *const bad_src[] = {"ff02::1", "::ffff:192.0.2.1", "::", "::1"};
	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++)
		assert_int_equal(echo_to(&c, &f->x, bad_src[i], "2001:db8:2::2"), PUNT);
	c.locator.s_addr = INADDR_ANY;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:2::2"), PUNT);
}

static void
test_rfc6324_loops(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;
	static const struct {
		bool router;
		const char *src, *dst;
		int action;
	} cases[] = {
	        {false, SELF, "2001:db8:1::5efe:c058:6301", PUNT},
	        {false, SELF, "fe80::200:5efe:c058:63fe", PUNT},
	        /* NH_OK, no route in the namespace: punted by the FIB */
	        {false, SELF, "2001:db8:1::5efe:c058:62ff", PUNT},
	        {false, SELF, "2001:db8:40::1", PUNT},
	        {true, "2002:c000:201::1", "2001:db8:1::5efe:c058:6301", PUNT},
	        {true, "2002:c000:201:ffff::9", "2001:db8:1::5efe:c000:209", PUNT},
	        {true, SELF, "2001:db8:1::5efe:c000:209", OUT},
	        {true, "2002:c000:209::1", "2001:db8:1::5efe:c000:209", OUT},
	        {true, "2001:db8:77::5efe:c000:201", "2001:db8:5::1", PUNT},
	        {true, "2001:db8:77::200:5efe:c000:201", "2001:db8:5::1", PUNT},
	        {true, "2001:db8:5::1", "2001:db8:77::5efe:c000:201", PUNT},
	        {true, "2001:db8:5::1", "2001:db8:77::200:5efe:c000:201", PUNT},
	        {true, SELF, "2001:db8:5::1", OUT},
	        {true, "fe80::5efe:c000:201", "fe80::5efe:c000:209", OUT},
	        {true, "2001:db8:5::1", "2001:db8:1::5efe:c000:201", PUNT},
	        {true, "2001:db8:5::1", "2001:db8:77::5efe:c000:209", OUT},
	        {false, "2002:c000:201::1", "2001:db8:1::5efe:c000:209", OUT},
	        {false, SELF, "2001:db8:77::5efe:c000:201", OUT},
	};

	route(&f->routes[2], "2001:db8:40::", 48, "192.88.99.1", 1024);
	c.n_routes = 3;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		c.router_mode = cases[i].router;
		if (echo_to(&c, &f->x, cases[i].src, cases[i].dst) != cases[i].action)
			fail_msg("%s %s -> %s", cases[i].router ? "router" : "host", cases[i].src,
			         cases[i].dst);
	}
}

static void
test_locator_set(void **state)
{
	struct fixture *f = *state;
	struct nh_ctx c = f->ctx;
	const struct in_addr retired[1] = {tu_a4("192.0.2.7")};

	c.retired = retired;
	c.n_retired = 1;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:1::5efe:c000:207"), PUNT);
	assert_int_equal(echo_to(&c, &f->x, SELF, "fe80::200:5efe:c000:207"), PUNT);
	route(&f->routes[2], "2001:db8:40::", 48, "192.0.2.7", 1024);
	c.n_routes = 3;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:40::1"), PUNT);
	c.n_routes = 2;
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:1::5efe:c000:209"), OUT);
	/* From the retired locator's address: the outer source is it
	 * (fwd.c outer_src()), which tu_fp_same() checks. */
	assert_int_equal(echo_to(&c, &f->x, "2001:db8:1::5efe:c000:207", "2001:db8:5::1"), OUT);
	c.router_mode = true;
	assert_int_equal(echo_to(&c, &f->x, "2002:c000:207::1", "2001:db8:1::5efe:c000:209"), PUNT);
	assert_int_equal(echo_to(&c, &f->x, "2001:db8:77::5efe:c000:207", "2001:db8:5::1"), PUNT);
	assert_int_equal(echo_to(&c, &f->x, "2001:db8:5::1", "2001:db8:77::200:5efe:c000:207"),
	                 PUNT);
	c.n_retired = 0;
	assert_int_equal(echo_to(&c, &f->x, "2002:c000:207::1", "2001:db8:1::5efe:c000:209"), OUT);
	assert_int_equal(echo_to(&c, &f->x, SELF, "2001:db8:1::5efe:c000:207"), OUT);
}

/* The outer header: DSCP and ECN copied from the traffic class (RFC 2983,
 * RFC 6040 §4.1 normal mode, CE included), DF clear, TTL, checksum. */
/* Unicast ND (NUD probes, answers) and anything behind an extension
 * header go the reader's way; other ICMPv6, UDP and a fragment header
 * the program's. */
static void
test_nd_and_ext(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200], pl[32] = {0};
	size_t n;

	for (int t = ICMP6_ROUTER_SOLICIT; t <= ICMP6_REDIRECT; t++) {
		pl[0] = (uint8_t)t;
		n = tu_ipv6(b, "fe80::5efe:c000:201", "fe80::5efe:c000:2fe", 58, 255, pl, 24);
		assert_int_equal(check(&f->ctx, &f->x, b, n, "nd"), PUNT);
	}
	pl[0] = ICMP6_ECHO_REPLY;
	n = tu_ipv6(b, "fe80::5efe:c000:201", "fe80::5efe:c000:2fe", 58, 64, pl, 24);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "echo reply"), OUT);
	static const uint8_t ext[] = {0, 43, 60};
	for (size_t i = 0; i < sizeof(ext); i++) {
		memset(pl, 0, sizeof(pl));
		pl[0] = 17;
		n = tu_ipv6(b, SELF, "2001:db8:2::2", ext[i], 64, pl, 16);
		assert_int_equal(check(&f->ctx, &f->x, b, n, "extension header"), PUNT);
	}
	n = tu_ipv6(b, SELF, "2001:db8:2::2", 44, 64, pl, 16);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "fragment header"), OUT);
	n = tu_ipv6(b, SELF, "2001:db8:2::2", 17, 64, pl, 16);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "udp"), OUT);
}

static void
test_outer_header(void **state)
{
	struct fixture *f = *state;
	uint8_t b[100];
	size_t n;

	for (unsigned tc = 0; tc < 256; tc += 0x11) {
		n = tu_ipv6(b, SELF, "2001:db8:2::2", 58, 64, echo, sizeof(echo));
		b[0] = (uint8_t)(0x60 | tc >> 4);
		b[1] = (uint8_t)((tc & 0x0f) << 4 | 0x0a); /* and a flow label */
		assert_int_equal(check(&f->ctx, &f->x, b, n, "traffic class"), OUT);
	}
}

/* fwd.c is_bcast(), and the TUN's MTU. */
static void
test_broadcast_and_mtu(void **state)
{
	struct fixture *f = *state;
	const struct in_addr bcast[1] = {tu_a4("192.0.2.255")};
	struct tu_fp_extra x = {.bcast = bcast, .n_bcast = 1};
	uint8_t b[1500], pl[1400] = {ICMP6_ECHO_REQUEST};
	size_t n;

	assert_int_equal(echo_to(&f->ctx, &x, SELF, "2001:db8:1::5efe:c000:2ff"), PUNT);
	assert_int_equal(echo_to(&f->ctx, &x, SELF, "2001:db8:1::5efe:c000:2fe"), OUT);
	x.mtu = 1280;
	n = tu_ipv6(b, SELF, "2001:db8:2::2", 58, 64, pl, 1240);
	assert_int_equal(check(&f->ctx, &x, b, n, "1280 at MTU 1280"), OUT);
	n = tu_ipv6(b, SELF, "2001:db8:2::2", 58, 64, pl, 1241);
	assert_int_equal(check(&f->ctx, &x, b, n, "1281 at MTU 1280"), PUNT);
}

/*
 * A super-packet (gso_size set) longer than the MTU is the program's; but
 * a test run cannot give it a gso_type, and bpf_skb_adjust_room() refuses
 * GSO that is not TCP: the failure path, then. The packet must leave as it
 * came, to the reader, counted fp_helper_error and nothing else. (TCP
 * super-packets stay whole on the real path: BPF-FASTPATH.md, and the
 * integration suites.)
 */
static void
test_gso_helper_failure(void **state)
{
	struct fixture *f = *state;
	struct tu_fp_extra x = {.mtu = 1280};
	static struct tu_fp_result r;
	uint8_t b[2100], tcp[2000] = {0};
	size_t n;

	tcp[12] = 0x50;
	n = tu_ipv6(b, SELF, "2001:db8:2::2", 6, 64, tcp, sizeof(tcp));
	tu_fp_load_nh(fp, &f->ctx, &x);
	tu_fp_run_gso(fp, true, b, n, 1000, 2, &r);
	assert_int_equal(r.action, PUNT);
	for (unsigned i = 0; i < TU_FP_SLOTS; i++)
		assert_int_equal(r.delta[i], i == DPC_FP_HELPER_ERROR ? 1 : 0);
	assert_int_equal(r.out_len, 14 + n);
	assert_memory_equal(r.out + 14, b, n);
	/* The same packet without GSO is over the MTU: the reader's. */
	tu_fp_run_egress(fp, b, n, &r);
	assert_int_equal(r.action, PUNT);
	assert_int_equal(r.delta[DPC_FP_OUT_PUNT], 1);
	/* Without the TUN's MTU, over the route's (lo, 1500): the reader's,
	 * whose raw socket fragments it. */
	x.mtu = 0;
	tu_fp_load_nh(fp, &f->ctx, &x);
	tu_fp_run_egress(fp, b, n, &r);
	assert_int_equal(r.action, PUNT);
	assert_int_equal(r.delta[DPC_FP_OUT_FIB_PUNT], 1);
	n = tu_ipv6(b, SELF, "2001:db8:2::2", 6, 64, tcp, 1500 - 60);
	assert_int_equal(tu_fp_check_egress(fp, &f->ctx, &x, b, n, "1500 on the wire"), OUT);
	n = tu_ipv6(b, SELF, "2001:db8:2::2", 6, 64, tcp, 1500 - 59);
	assert_int_equal(tu_fp_check_egress(fp, &f->ctx, &x, b, n, "1501 on the wire"), PUNT);
}

/* fp_prl_stats: what went to each PRL router (fwd.c dp->prl_out[]). */
static void
test_prl_stats(void **state)
{
	struct fixture *f = *state;
	const struct in_addr prl[1] = {tu_a4(VEC_ROUTER_V4)};
	struct tu_fp_extra x = {.prl = prl, .n_prl = 1};
	uint64_t in, out;

	tu_fp_load_nh(fp, &f->ctx, &x);
	assert_int_equal(tu_fp_check_egress(fp, &f->ctx, &x, vec_echo_out + 20,
	                                    vec_echo_out_len - 20, "routed"),
	                 OUT);
	assert_int_equal(tu_fp_check_egress(fp, &f->ctx, &x, vec_echo_onlink + 20,
	                                    vec_echo_onlink_len - 20, "on-link"),
	                 OUT);
	assert_true(tu_fp_prl_count(fp, prl[0], &in, &out));
	assert_int_equal(in, 0);
	assert_int_equal(out, 1);
	assert_false(tu_fp_prl_count(fp, tu_a4(VEC_HOST_V4), &in, &out));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_capture, setup),
	        cmocka_unit_test_setup(test_disabled, setup),
	        cmocka_unit_test_setup(test_onlink, setup),
	        cmocka_unit_test_setup(test_routes, setup),
	        cmocka_unit_test_setup(test_linklocal_not_routed, setup),
	        cmocka_unit_test_setup(test_multicast, setup),
	        cmocka_unit_test_setup(test_rejects, setup),
	        cmocka_unit_test_setup(test_rfc6324_loops, setup),
	        cmocka_unit_test_setup(test_locator_set, setup),
	        cmocka_unit_test_setup(test_nd_and_ext, setup),
	        cmocka_unit_test_setup(test_outer_header, setup),
	        cmocka_unit_test_setup(test_broadcast_and_mtu, setup),
	        cmocka_unit_test_setup(test_gso_helper_failure, setup),
	        cmocka_unit_test_setup(test_prl_stats, setup),
	};
	char why[256];
	int r;

	if ((fp = tu_fp_open(why, sizeof(why))) == NULL)
		return tu_fp_skip("dp_fastpath_nexthop", why);
	r = cmocka_run_group_tests_name("dp_fastpath_nexthop", tests, NULL, NULL);
	tu_fp_close(fp);
	return r;
}

#else

int
main(void)
{
	return tu_fp_skip("dp_fastpath_nexthop", "fast path not built: " FASTPATH_NOT_BUILT);
}

#endif
