/*
 * datapath/fwd.c: the forwarding loops, without TUN offloads, over the fake
 * TUN of tu_dp.h (a socketpair on which the test plays the kernel) and the
 * recording raw socket of tu_raw.h.
 */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/dp.h"
#include "isatap.h"
#include "nd.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_dp.h"
#include "tests/unit/lib/tu_raw.h"

#define PKT_MAX 2048

/* test_dp_fwd_utun.c runs every case again over the macOS utun framing. */
#ifndef TEST_DP_FWD_FLAGS
#define TEST_DP_FWD_FLAGS 0
#define TEST_DP_FWD_NAME  "dp_fwd"
#endif

/* What was passed up as ND (dp->nd_up), and what to answer. */
struct nd_rec {
	unsigned calls;
	struct in_addr src;
	uint8_t pkt[PKT_MAX];
	size_t len;
	int ret;
};

static int
fake_nd_up(void *h, struct in_addr src, const uint8_t *pkt, size_t len)
{
	struct nd_rec *nd = h;

	nd->calls++;
	nd->src = src;
	memcpy(nd->pkt, pkt, len);
	nd->len = len;
	return nd->ret;
}

/* tu_dp's host without offloads, with a PRL of one router and ND going up. */
static int
setup(void **state)
{
	struct tu_dp *f = tu_dp_new(TEST_DP_FWD_FLAGS);
	struct nd_rec *nd = test_calloc(1, sizeof(*nd));

	assert_non_null(nd);
	f->dp.prl[0] = tu_a4("192.0.2.254");
	f->dp.n_prl = 1;
	f->dp.nd_up = fake_nd_up;
	f->dp.nd_up_h = nd;
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct tu_dp *f = *state;

	test_free(f->dp.nd_up_h);
	return tu_dp_teardown(state);
}

/* ---- outbound ------------------------------------------------------------------- */

static void
test_out_linklocal_to_embedded_v4(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len = tu_dp_echo(pkt, "fe80::5efe:c000:201", "fe80::5efe:c000:202", 56);
	struct pkt_ipv4 ip;

	tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 1);
	assert_int_equal(f->raw.dst[0].s_addr, tu_a4("192.0.2.2").s_addr);
	/* The outer header is a valid RFC 4213 §3.5 header from our locator. */
	assert_int_equal(pkt_parse_ipv4(f->raw.out[0], f->raw.out_len[0], &ip), PKT_OK);
	assert_int_equal(ip.src.s_addr, tu_a4("192.0.2.1").s_addr);
	assert_int_equal(ip.dst.s_addr, tu_a4("192.0.2.2").s_addr);
	assert_int_equal(ip.proto, IPPROTO_IPV6_IN_IPV4);
	assert_int_equal(ip.ttl, 64);
	assert_int_equal(ip.total_len, DP_OUTER_HDR + len);
	/* The inner packet goes out untouched. */
	assert_memory_equal(f->raw.out[0] + DP_OUTER_HDR, pkt, len);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_BYTES), len);
	/* Drained: the next call finds nothing. */
	assert_int_equal(dp_fwd_out(&f->dp), 0);
}

static void
test_out_ttl_and_dscp(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len = tu_dp_echo(pkt, "fe80::5efe:c000:201", "fe80::5efe:c000:202", 8);
	struct pkt_ipv4 ip;

	/* Traffic class 0xb9: DSCP 46 (EF) and ECN 01. */
	pkt[0] = 0x6b;
	pkt[1] = 0x90;
	f->dp.ttl = 17;
	tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(pkt_parse_ipv4(f->raw.out[0], f->raw.out_len[0], &ip), PKT_OK);
	assert_int_equal(ip.ttl, 17);
	/* DSCP copied, and ECN too (RFC 6040 §4.1 normal mode). */
	assert_int_equal(ip.tos, 0xb9);
}

static void
test_out_onlink_and_route(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len;

	f->dp.routes[0] = (struct nh_route){
	        .prefix = {.addr = tu_a6("::"), .plen = 0},
	        .via = tu_a4("192.0.2.254"),
	        .metric = 1024,
	};
	f->dp.n_routes = 1;
	/* On-link ISATAP destination: straight to its IPv4. */
	len = tu_dp_echo(pkt, "2001:db8:1::5efe:c000:201", "2001:db8:1::5efe:c000:209", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	/* Anything else: the default route's router. */
	len = tu_dp_echo(pkt, "2001:db8:1::5efe:c000:201", "2001:db8:2::2", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 2);
	assert_int_equal(f->raw.n_out, 2);
	assert_int_equal(f->raw.dst[0].s_addr, tu_a4("192.0.2.9").s_addr);
	assert_int_equal(f->raw.dst[1].s_addr, tu_a4("192.0.2.254").s_addr);
	/* Both in one batch: one send call. */
	assert_int_equal(f->raw.calls, 1);
}

static void
test_out_batches(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len = tu_dp_echo(pkt, "fe80::5efe:c000:201", "fe80::5efe:c000:202", 100);
	const unsigned total = DP_BATCH + 8;

	for (unsigned i = 0; i < total; i++)
		tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), DP_BATCH);
	assert_int_equal(f->raw.calls, 1);
	assert_int_equal(dp_fwd_out(&f->dp), 8);
	assert_int_equal(f->raw.calls, 2);
	assert_int_equal(dp_fwd_out(&f->dp), 0);
	assert_int_equal(f->raw.n_out, total);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), total);
	/* Each outer header has its own identification (RFC 6864). */
	assert_memory_not_equal(f->raw.out[0] + 4, f->raw.out[1] + 4, 2);
}

static void
test_out_drops_are_counted(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX], mld[28] = {ICMP6_MLD2_REPORT};
	size_t len;

	/* The kernel's own RS to all-routers. */
	uint8_t rs[8] = {ICMP6_ROUTER_SOLICIT};
	len = tu_ipv6(pkt, "fe80::5efe:c000:201", "ff02::2", IPPROTO_ICMPV6_NUM, 255, rs, 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	/* An MLDv2 report (RFC 3810 §5.2; the hop-by-hop header is left out
	 * here, nexthop.c judges the ICMPv6 type). */
	len = tu_ipv6(pkt, "fe80::5efe:c000:201", "ff02::16", IPPROTO_ICMPV6_NUM, 1, mld,
	              sizeof(mld));
	tu_dp_kernel_sends(f, NULL, pkt, len);
	/* No route to a global destination. */
	len = tu_dp_echo(pkt, "2001:db8:1::5efe:c000:201", "2001:db8:2::2", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	/* A runt. */
	tu_dp_kernel_sends(f, NULL, pkt, 20);
	assert_int_equal(dp_fwd_out(&f->dp), 4);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(f->raw.calls, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_OS_RS), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_MLD), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_NO_ROUTE), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_SHORT), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), 0);
}

static void
test_out_no_locator(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len = tu_dp_echo(pkt, "fe80::5efe:c000:201", "fe80::5efe:c000:202", 8);

	f->dp.locator.s_addr = INADDR_ANY;
	tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_NO_LOCATOR), 1);
}

static void
test_out_send_error_counted(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX];
	size_t len = tu_dp_echo(pkt, "fe80::5efe:c000:201", "fe80::5efe:c000:202", 8);

	f->raw.fail_index = 1;
	for (int i = 0; i < 3; i++)
		tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 3);
	/* One failure does not take the batch with it. */
	assert_int_equal(f->raw.n_out, 2);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), 2);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_SEND_ERRORS), 1);
}

static void
test_out_tun_error_returned(void **state)
{
	struct tu_dp *f = *state;
	int fd = f->tun[0];

	/* A TUN that fails (the device was deleted) is reported, not spun on. */
	f->tun[0] = -1;
	assert_int_equal(dp_fwd_out(&f->dp), -EBADF);
	f->tun[0] = fd;
}

/* ---- inbound ------------------------------------------------------------------------ */

static void
test_in_accepted_into_tun(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len = tu_dp_echo(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", 56);

	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), len);
	assert_memory_equal(got, inner, len);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_BYTES), len);
}

static void
test_in_spoofed_dropped(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len;

	/* RFC 5214 §7.3: the inner source embeds 192.0.2.2, the sender is .3. */
	len = tu_dp_echo(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", 8);
	tu_dp_network_sends(f, "192.0.2.3", "192.0.2.1", inner, len);
	len = tu_dp_echo(inner, "2001:db8:1::5efe:c000:202", "2001:db8:1::5efe:c000:201", 8);
	tu_dp_network_sends(f, "192.0.2.3", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 2);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_SPOOFED_SRC), 2);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), 0);
}

static void
test_in_prl_router_may_relay(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len = tu_dp_icmp6(inner, "2001:db8:2::2", "2001:db8:1::5efe:c000:201",
	                         ICMP6_ECHO_REQUEST, 63, 8);

	/* A non-ISATAP source is fine from a PRL member (the router forwards). */
	tu_dp_network_sends(f, "192.0.2.254", "192.0.2.1", inner, len);
	/* ... and not from anyone else. */
	tu_dp_network_sends(f, "192.0.2.7", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 2);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), len);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_SRC_NOT_ONLINK), 1);
}

static void
test_in_nd_goes_up(void **state)
{
	struct tu_dp *f = *state;
	struct nd_rec *nd = f->dp.nd_up_h;
	uint8_t inner[PKT_MAX], got[PKT_MAX], ra[16] = {ICMP6_ROUTER_ADVERT, 0, 0, 0, 64, 0, 7, 8};
	size_t len = tu_ipv6(inner, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201",
	                     IPPROTO_ICMPV6_NUM, 255, ra, sizeof(ra));

	tu_dp_network_sends(f, "192.0.2.254", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(nd->calls, 1);
	assert_int_equal(nd->src.s_addr, tu_a4("192.0.2.254").s_addr);
	assert_int_equal(nd->len, len);
	assert_memory_equal(nd->pkt, inner, len);
	/* Not into the kernel: the kernel does no ND of its own here. */
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_UP), 1);

	/* With nobody to take it, it is counted as dropped. */
	nd->ret = -ENOTCONN;
	tu_dp_network_sends(f, "192.0.2.254", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_UP_DROPPED), 1);
}

static void
test_in_router_mode_rs_into_tun(void **state)
{
	struct tu_dp *f = *state;
	struct nd_rec *nd = f->dp.nd_up_h;
	uint8_t inner[PKT_MAX], got[PKT_MAX], rs[8] = {ICMP6_ROUTER_SOLICIT};
	size_t len = tu_ipv6(inner, "fe80::5efe:c000:209", "fe80::5efe:c000:201",
	                     IPPROTO_ICMPV6_NUM, 255, rs, sizeof(rs));

	/* radvd (UnicastOnly) behind the TUN answers it; control never sees it. */
	f->dp.router_mode = true;
	f->dp.n_prl = 0;
	tu_dp_network_sends(f, "192.0.2.9", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), len);
	assert_memory_equal(got, inner, len);
	assert_int_equal(nd->calls, 0);
}

/*
 * Review finding 11 (RFC 6324 §3.2.3), router mode with 2001:db8:1::/64
 * on-link: a TUN packet from our 6to4 prefix to P::5efe:192.88.99.1 used
 * to go to the 6to4 relay; one to a relay from anywhere, one to our own
 * identifier under another prefix, and one arriving for it: each dropped,
 * counted under its name, nothing sent, nothing into the TUN.
 */
static void
test_router_mode_loops(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX], inner[PKT_MAX], got[PKT_MAX];
	size_t len;

	f->dp.router_mode = true;
	f->dp.routes[0] = (struct nh_route){.via = tu_a4("192.0.2.254"), .metric = 1024};
	f->dp.n_routes = 1;
	len = tu_dp_echo(pkt, "2002:c000:201::1", "2001:db8:1::5efe:c058:6301", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	len = tu_dp_echo(pkt, "2001:db8:5::9", "2001:db8:1::5efe:c058:6301", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	len = tu_dp_echo(pkt, "2001:db8:5::9", "2001:db8:77::5efe:c000:201", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	len = tu_dp_echo(pkt, "2001:db8:77::5efe:c000:201", "2001:db8:5::9", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 4);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_SRC_OWN_6TO4), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_6TO4_RELAY), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_DST_OWN_LOCATOR), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_SRC_OWN_LOCATOR), 1);
	/* No ICMPv6 error about a loop: it would only feed it. */
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
	/* Forwarding goes on: the same to an on-link node leaves. */
	len = tu_dp_echo(pkt, "2001:db8:5::9", "2001:db8:1::5efe:c000:209", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 1);

	/* Inbound, for our identifier under another prefix. */
	f->dp.n_prl = 0;
	len = tu_dp_echo(inner, "2001:db8:1::5efe:c000:209", "2001:db8:77::5efe:c000:201", 8);
	tu_dp_network_sends(f, "192.0.2.9", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_DST_OWN_LOCATOR), 1);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
}

static void
test_in_hostile_outer(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len = tu_dp_echo(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", 8);
	struct tu_raw *r = &f->raw;

	/* Truncated outer header. */
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	r->in_len[0] = 12;
	/* Bad header checksum. */
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	r->in[1][10] ^= 0xff;
	/* Not to our locator. */
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.77", inner, len);
	/* A total length that disagrees with the datagram. */
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	r->in_len[3] -= 1;
	assert_int_equal(dp_fwd_in(&f->dp), 4);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_OUTER_SHORT), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_OUTER_BAD), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_NOT_OUR_LOCATOR), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_OUTER_LEN), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), 0);
}

static void
test_in_batches(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len = tu_dp_echo(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", 8);

	for (int i = 0; i < DP_BATCH + 3; i++)
		tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), DP_BATCH);
	assert_int_equal(dp_fwd_in(&f->dp), 3);
	assert_int_equal(dp_fwd_in(&f->dp), 0);
	for (int i = 0; i < DP_BATCH + 3; i++)
		assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), len);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), DP_BATCH + 3);
}

static void
test_directed_broadcast_is_no_peer(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len;

	f->dp.bcast[0] = tu_a4("192.0.2.255");
	f->dp.n_bcast = 1;
	/* "From" the subnet's broadcast, claiming its own ISATAP address:
	 * §7.3 alone would accept it; the host's subnets say otherwise. */
	len = tu_dp_echo(inner, "fe80::5efe:c000:2ff", "fe80::5efe:c000:201", 8);
	tu_dp_network_sends(f, "192.0.2.255", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_OUTER_SRC_BOGUS), 1);
	/* "To" it: never encapsulated. */
	len = tu_dp_echo(inner, "fe80::5efe:c000:201", "fe80::5efe:c000:2ff", 8);
	tu_dp_kernel_sends(f, NULL, inner, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_BOGUS_NEXTHOP), 1);
	/* Nor solicited, even if a PRL names it. */
	f->dp.prl[1] = tu_a4("192.0.2.255");
	f->dp.n_prl = 2;
	assert_int_equal(dp_send_rs(&f->dp, tu_a4("192.0.2.255"), false), -EINVAL);
	assert_int_equal(f->raw.n_out, 0);
}

/* ---- Router Solicitations on control's request ------------------------------------------ */

static void
test_send_rs(void **state)
{
	struct tu_dp *f = *state;
	struct pkt_ipv4 ip;
	struct pkt_ipv6 ip6;
	const uint8_t *rs;

	assert_int_equal(dp_send_rs(&f->dp, tu_a4("192.0.2.254"), false), 0);
	assert_int_equal(f->raw.n_out, 1);
	assert_int_equal(f->raw.dst[0].s_addr, tu_a4("192.0.2.254").s_addr);
	assert_int_equal(pkt_parse_ipv4(f->raw.out[0], f->raw.out_len[0], &ip), PKT_OK);
	assert_int_equal(ip.src.s_addr, tu_a4("192.0.2.1").s_addr);
	rs = f->raw.out[0] + DP_OUTER_HDR;
	assert_int_equal(pkt_parse_ipv6(rs, f->raw.out_len[0] - DP_OUTER_HDR, &ip6), PKT_OK);
	/* From our ISATAP link-local (192.0.2.1 is not global: u bit 0) to
	 * the router's, u bit as control asked (RFC 5214 §8.3.4). */
	assert_memory_equal(&ip6.src, tu_a6("fe80::5efe:c000:201").s6_addr, 16);
	assert_memory_equal(&ip6.dst, tu_a6("fe80::5efe:c000:2fe").s6_addr, 16);
	assert_int_equal(ip6.hop_limit, 255);
	assert_int_equal(nd_type(rs, f->raw.out_len[0] - DP_OUTER_HDR), ICMP6_ROUTER_SOLICIT);
	assert_int_equal(pkt_icmp6_csum(&ip6.src, &ip6.dst, rs + 40, ip6.payload_len), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_RS_SENT), 1);

	/* The u bit variant. */
	assert_int_equal(dp_send_rs(&f->dp, tu_a4("192.0.2.254"), true), 0);
	rs = f->raw.out[1] + DP_OUTER_HDR;
	assert_int_equal(pkt_parse_ipv6(rs, f->raw.out_len[1] - DP_OUTER_HDR, &ip6), PKT_OK);
	assert_memory_equal(&ip6.dst, tu_a6("fe80::200:5efe:c000:2fe").s6_addr, 16);
}

static void
test_send_rs_refused(void **state)
{
	struct tu_dp *f = *state;

	/* Never to anyone outside the PRL: control cannot aim us at a host. */
	assert_int_equal(dp_send_rs(&f->dp, tu_a4("192.0.2.9"), false), -EPERM);
	f->dp.locator.s_addr = INADDR_ANY;
	assert_int_equal(dp_send_rs(&f->dp, tu_a4("192.0.2.254"), false), -EADDRNOTAVAIL);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_RS_SENT), 0);
	/* A send failure is returned and counted. */
	f->dp.locator = tu_a4("192.0.2.1");
	f->raw.fail_index = 0;
	assert_int_equal(dp_send_rs(&f->dp, tu_a4("192.0.2.254"), false), -EHOSTUNREACH);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_SEND_ERRORS), 1);
}

/* ---- Neighbor Discovery in the datapath (nd_in.c) ------------------------- */

static uint64_t frozen_ms = 1000;

static uint64_t
frozen_clock(void)
{
	return frozen_ms;
}

/* A Neighbor Solicitation (RFC 4861 §4.3) from src to dst for target, hop
 * limit 255, no options. Returns the packet length. */
static size_t
ns_pkt(uint8_t *buf, const char *src, const char *dst, const char *target)
{
	uint8_t m[24] = {ICMP6_NEIGHBOR_SOLICIT};
	struct in6_addr t = tu_a6(target);

	memcpy(m + 8, &t, 16);
	return tu_ipv6(buf, src, dst, IPPROTO_ICMPV6_NUM, 255, m, sizeof(m));
}

/* The NA in f->raw.out[i]: to v4, from the locator, and what RFC 4861
 * §4.4 and §7.2.4 say it holds. */
static void
check_na(const struct tu_dp *f, unsigned i, const char *v4, const char *src, const char *dst,
         uint8_t flags)
{
	const uint8_t *o = f->raw.out[i], *na = o + DP_OUTER_HDR;
	struct in6_addr t = tu_a6(src);
	struct pkt_ipv4 ip4;
	struct pkt_ipv6 ip6;

	assert_int_equal(f->raw.dst[i].s_addr, tu_a4(v4).s_addr);
	assert_int_equal(pkt_parse_ipv4(o, f->raw.out_len[i], &ip4), PKT_OK);
	assert_int_equal(ip4.src.s_addr, tu_a4("192.0.2.1").s_addr);
	assert_int_equal(f->raw.out_len[i], DP_OUTER_HDR + ND_NA_LEN);
	assert_int_equal(pkt_parse_ipv6(na, ND_NA_LEN, &ip6), PKT_OK);
	assert_memory_equal(&ip6.src, &t, 16); /* from the target itself */
	assert_memory_equal(&ip6.dst, tu_a6(dst).s6_addr, 16);
	assert_int_equal(ip6.hop_limit, 255);
	assert_int_equal(ip6.next_header, IPPROTO_ICMPV6_NUM);
	assert_int_equal(na[40], ICMP6_NEIGHBOR_ADVERT);
	assert_int_equal(na[41], 0);
	assert_int_equal(na[44], flags);
	assert_memory_equal(na + 48, &t, 16);
	assert_int_equal(pkt_icmp6_csum(&ip6.src, &ip6.dst, na + 40, 24), 0);
}

/* Review finding 3: a unicast NS for one of our addresses from an on-link
 * neighbour gets a solicited NA (S, O; RFC 4861 §7.2.4), sent by the
 * datapath itself; control hears nothing of it. */
static void
test_ns_answered(void **state)
{
	struct tu_dp *f = *state;
	struct nd_rec *nd = f->dp.nd_up_h;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len;

	len = ns_pkt(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", "fe80::5efe:c000:201");
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	/* For our global address, asked at the link-local one. */
	len = ns_pkt(inner, "2001:db8:1::5efe:c000:202", "fe80::5efe:c000:201",
	             "2001:db8:1::5efe:c000:201");
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	/* From the PRL router, with a non-ISATAP source. */
	len = ns_pkt(inner, "2001:db8:1::1", "2001:db8:1::5efe:c000:201",
	             "2001:db8:1::5efe:c000:201");
	tu_dp_network_sends(f, "192.0.2.254", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 3);
	assert_int_equal(f->raw.n_out, 3);
	check_na(f, 0, "192.0.2.2", "fe80::5efe:c000:201", "fe80::5efe:c000:202",
	         ND_NA_SOLICITED | ND_NA_OVERRIDE);
	check_na(f, 1, "192.0.2.2", "2001:db8:1::5efe:c000:201", "2001:db8:1::5efe:c000:202",
	         ND_NA_SOLICITED | ND_NA_OVERRIDE);
	check_na(f, 2, "192.0.2.254", "2001:db8:1::5efe:c000:201", "2001:db8:1::1",
	         ND_NA_SOLICITED | ND_NA_OVERRIDE);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_NA_SENT), 3);
	assert_int_equal(nd->calls, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_UP), 0);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
}

static void
test_ns_refused(void **state)
{
	struct tu_dp *f = *state;
	struct nd_rec *nd = f->dp.nd_up_h;
	uint8_t inner[PKT_MAX];
	size_t len;

	/* Not our target. */
	len = ns_pkt(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", "fe80::5efe:c000:209");
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	/* A bad checksum (RFC 4861 §7.1.1). */
	len = ns_pkt(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", "fe80::5efe:c000:201");
	inner[42] ^= 0xff;
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	/* A multicast target. */
	len = ns_pkt(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", "ff02::1");
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	/* To all-nodes: no unicast solicitation. */
	len = ns_pkt(inner, "fe80::5efe:c000:202", "ff02::1", "fe80::5efe:c000:201");
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 4);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_DROP_NS_NOT_OURS), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_DROP_INVALID), 3);
	assert_int_equal(nd->calls, 0);
}

/* Issue 13 item 5: only what control acts on goes up, and only from the
 * PRL; RS and NA a host ignores are dropped here. */
static void
test_nd_filter(void **state)
{
	struct tu_dp *f = *state;
	struct nd_rec *nd = f->dp.nd_up_h;
	uint8_t inner[PKT_MAX], got[PKT_MAX], ra[16] = {ICMP6_ROUTER_ADVERT, 0, 0, 0, 64, 0, 7, 8};
	uint8_t rs[8] = {ICMP6_ROUTER_SOLICIT}, na[24] = {ICMP6_NEIGHBOR_ADVERT};
	size_t len;

	/* An RA from an on-link neighbour that is no router of ours. */
	len = tu_ipv6(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255,
	              ra, sizeof(ra));
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	len = tu_ipv6(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255,
	              rs, sizeof(rs));
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	len = tu_ipv6(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255,
	              na, sizeof(na));
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	/* The PRL router's RA goes up. */
	len = tu_ipv6(inner, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255,
	              ra, sizeof(ra));
	tu_dp_network_sends(f, "192.0.2.254", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 4);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_DROP_NOT_FROM_PRL), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_DROP_IGNORED), 2);
	assert_int_equal(nd->calls, 1);
	assert_int_equal(nd->src.s_addr, tu_a4("192.0.2.254").s_addr);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_UP), 1);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
}

/* A flood of solicitations from a neighbour is answered within its budget
 * only, and leaves the PRL router's budget whole: its RA still goes up and
 * its solicitation is still answered. */
static void
test_nd_flood_budget(void **state)
{
	struct tu_dp *f = *state;
	struct nd_rec *nd = f->dp.nd_up_h;
	uint8_t inner[PKT_MAX], ra[16] = {ICMP6_ROUTER_ADVERT, 0, 0, 0, 64, 0, 7, 8};
	size_t len;
	unsigned sent = 0;

	f->dp.now_ms = frozen_clock;
	len = ns_pkt(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", "fe80::5efe:c000:201");
	for (unsigned round = 0; round < 4; round++) {
		for (unsigned i = 0; i < DP_BATCH; i++)
			tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
		assert_int_equal(dp_fwd_in(&f->dp), DP_BATCH);
		sent += DP_BATCH;
		f->raw.n_out = 0;
		f->raw.n_in = f->raw.next_in = 0;
	}
	assert_int_equal(tu_dp_ctr(f, DPC_ND_NA_SENT), DP_ND_BURST);
	assert_int_equal(tu_dp_ctr(f, DPC_ND_RATE_LIMITED), sent - DP_ND_BURST);
	len = tu_ipv6(inner, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255,
	              ra, sizeof(ra));
	tu_dp_network_sends(f, "192.0.2.254", "192.0.2.1", inner, len);
	len = ns_pkt(inner, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", "fe80::5efe:c000:201");
	tu_dp_network_sends(f, "192.0.2.254", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 2);
	assert_int_equal(nd->calls, 1);
	assert_int_equal(f->raw.n_out, 1);
	assert_int_equal(f->raw.dst[0].s_addr, tu_a4("192.0.2.254").s_addr);
	/* Half a second later the neighbour has DP_ND_PER_S / 2 more. */
	frozen_ms += 500;
	f->raw.n_out = 0;
	f->raw.n_in = f->raw.next_in = 0;
	len = ns_pkt(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", "fe80::5efe:c000:201");
	for (unsigned i = 0; i < DP_BATCH; i++)
		tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), DP_BATCH);
	assert_int_equal(f->raw.n_out, DP_ND_PER_S / 2);
}

/* Router mode: the kernel behind the TUN is the ND engine, except for the
 * datapath's own addresses, answered here with the Router flag. */
static void
test_ns_router_mode(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len;

	f->dp.router_mode = true;
	len = ns_pkt(inner, "fe80::5efe:c000:202", "fe80::5efe:c000:201", "fe80::5efe:c000:201");
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 1);
	check_na(f, 0, "192.0.2.2", "fe80::5efe:c000:201", "fe80::5efe:c000:202",
	         ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE);
	/* Someone else's target: into the TUN, as before. */
	len = ns_pkt(inner, "fe80::5efe:c000:202", "2001:db8:1::99", "2001:db8:1::99");
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 1);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), len);
}

/* ---- the locator set (RFC 5214 §6.2; review finding 8) ---------------------- */

/* A kernel that has the IPv4 addresses in `local` (a test edits it) and
 * accepts every address and route. */
static struct in_addr nc_local[4];

static int
nc_ok(void *h, uint32_t mtu)
{
	return 0;
}

static int
nc_up(void *h, bool up)
{
	return 0;
}

static int
nc_addr(void *h, bool add, const struct msg_addr *a)
{
	return 0;
}

static int
nc_route(void *h, bool add, const struct prefix6 *p, uint32_t metric)
{
	return 0;
}

static int
nc_is_local(void *h, struct in_addr v4)
{
	for (size_t i = 0; i < 4; i++)
		if (nc_local[i].s_addr == v4.s_addr)
			return 1;
	return 0;
}

static const struct dp_netcfg_ops nc_ops = {nc_ok, nc_up, nc_addr, nc_route, nc_is_local, NULL};

/* Locator A = 192.0.2.1 with its two addresses (dp->addrs filled as
 * control would), the host having A and B = 192.0.2.5; then SET_LOCATOR B
 * and B's two addresses: make-before-break has both in the set. */
static void
move_a_to_b(struct tu_dp *f, bool a_stays_local)
{
	static const char *const addrs[] = {"fe80::5efe:c000:201", "2001:db8:1::5efe:c000:201",
	                                    "fe80::5efe:c000:205", "2001:db8:1::5efe:c000:205"};
	struct msg_addr m = {.plen = 64, .valid_lft = 600, .preferred_lft = 600};

	memset(nc_local, 0, sizeof(nc_local));
	nc_local[0] = tu_a4("192.0.2.1");
	nc_local[1] = tu_a4("192.0.2.5");
	f->dp.nc = &nc_ops;
	f->dp.n_addrs = 0;
	f->dp.n_retired = 0;
	f->dp.locator = tu_a4("192.0.2.1");
	for (int i = 0; i < 2; i++) {
		m.addr = tu_a6(addrs[i]);
		assert_int_equal(dp_addr_add(&f->dp, &m), 0);
	}
	if (!a_stays_local)
		nc_local[0].s_addr = 0;
	assert_int_equal(dp_set_locator(&f->dp, tu_a4("192.0.2.5")), 0);
	for (int i = 2; i < 4; i++) {
		m.addr = tu_a6(addrs[i]);
		assert_int_equal(dp_addr_add(&f->dp, &m), 0);
	}
}

static void
test_locator_set_make_before_break(void **state)
{
	struct tu_dp *f = *state;
	uint8_t pkt[PKT_MAX], got[PKT_MAX];
	struct pkt_ipv4 ip;
	size_t len;

	move_a_to_b(f, true);
	assert_true(dp_locator_is_ours(&f->dp, tu_a4("192.0.2.1")));
	assert_true(dp_locator_is_ours(&f->dp, tu_a4("192.0.2.5")));
	assert_false(dp_locator_is_ours(&f->dp, tu_a4("192.0.2.9")));
	/* Out: each address leaves from its own locator (the peer's §7.3
	 * check wants the inner source to embed the outer one). */
	len = tu_dp_echo(pkt, "2001:db8:1::5efe:c000:201", "2001:db8:1::5efe:c000:209", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	len = tu_dp_echo(pkt, "2001:db8:1::5efe:c000:205", "2001:db8:1::5efe:c000:209", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 2);
	assert_int_equal(pkt_parse_ipv4(f->raw.out[0], f->raw.out_len[0], &ip), PKT_OK);
	assert_int_equal(ip.src.s_addr, tu_a4("192.0.2.1").s_addr);
	assert_int_equal(pkt_parse_ipv4(f->raw.out[1], f->raw.out_len[1], &ip), PKT_OK);
	assert_int_equal(ip.src.s_addr, tu_a4("192.0.2.5").s_addr);
	/* In: to either locator. */
	len = tu_dp_echo(pkt, "fe80::5efe:c000:209", "2001:db8:1::5efe:c000:201", 8);
	tu_dp_network_sends(f, "192.0.2.9", "192.0.2.1", pkt, len);
	len = tu_dp_echo(pkt, "fe80::5efe:c000:209", "2001:db8:1::5efe:c000:205", 8);
	tu_dp_network_sends(f, "192.0.2.9", "192.0.2.5", pkt, len);
	assert_int_equal(dp_fwd_in(&f->dp), 2);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_NOT_OUR_LOCATOR), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), 2);
	assert_true(tu_dp_kernel_gets(f, NULL, got, sizeof(got)) > 0);
	/* An NA for an old address leaves from the old locator too. */
	len = ns_pkt(pkt, "fe80::5efe:c000:209", "2001:db8:1::5efe:c000:201",
	             "2001:db8:1::5efe:c000:201");
	tu_dp_network_sends(f, "192.0.2.9", "192.0.2.1", pkt, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 3);
	assert_int_equal(pkt_parse_ipv4(f->raw.out[2], f->raw.out_len[2], &ip), PKT_OK);
	assert_int_equal(ip.src.s_addr, tu_a4("192.0.2.1").s_addr);
	/* Nothing is ever sent to a locator of ours. */
	len = tu_dp_echo(pkt, "2001:db8:1::5efe:c000:205", "2001:db8:1::5efe:c000:201", 8);
	tu_dp_kernel_sends(f, NULL, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_BOGUS_NEXTHOP), 1);
}

static void
test_locator_set_break(void **state)
{
	struct tu_dp *f = *state;
	struct msg_addr m = {.plen = 64};
	uint8_t pkt[PKT_MAX];
	size_t len;

	/* The last address of A withdrawn: A leaves the set. */
	move_a_to_b(f, true);
	m.addr = tu_a6("fe80::5efe:c000:201");
	assert_int_equal(dp_addr_del(&f->dp, &m), 0);
	assert_true(dp_locator_is_ours(&f->dp, tu_a4("192.0.2.1")));
	m.addr = tu_a6("2001:db8:1::5efe:c000:201");
	assert_int_equal(dp_addr_del(&f->dp, &m), 0);
	assert_false(dp_locator_is_ours(&f->dp, tu_a4("192.0.2.1")));
	len = tu_dp_echo(pkt, "fe80::5efe:c000:209", "fe80::5efe:c000:205", 8);
	tu_dp_network_sends(f, "192.0.2.9", "192.0.2.1", pkt, len);
	assert_int_equal(dp_fwd_in(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_NOT_OUR_LOCATOR), 1);

	/* A's IPv4 address leaves the host: A leaves the set at once. */
	move_a_to_b(f, true);
	assert_true(dp_locator_is_ours(&f->dp, tu_a4("192.0.2.1")));
	nc_local[0].s_addr = 0;
	dp_locators_recheck(&f->dp);
	assert_false(dp_locator_is_ours(&f->dp, tu_a4("192.0.2.1")));

	/* Already gone when the locator moves: never in the set. */
	move_a_to_b(f, false);
	assert_false(dp_locator_is_ours(&f->dp, tu_a4("192.0.2.1")));
	assert_int_equal(f->dp.n_retired, 0);
	/* Moving back makes it current, not a previous one as well. */
	nc_local[0] = tu_a4("192.0.2.1");
	assert_int_equal(dp_set_locator(&f->dp, tu_a4("192.0.2.1")), 0);
	assert_int_equal(f->dp.n_retired, 1);
	assert_int_equal(f->dp.retired[0].s_addr, tu_a4("192.0.2.5").s_addr);
	f->dp.nc = NULL;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup, teardown)
	        T(test_out_linklocal_to_embedded_v4),
	        T(test_out_ttl_and_dscp),
	        T(test_out_onlink_and_route),
	        T(test_out_batches),
	        T(test_out_drops_are_counted),
	        T(test_out_no_locator),
	        T(test_out_send_error_counted),
	        T(test_out_tun_error_returned),
	        T(test_in_accepted_into_tun),
	        T(test_in_spoofed_dropped),
	        T(test_in_prl_router_may_relay),
	        T(test_in_nd_goes_up),
	        T(test_in_router_mode_rs_into_tun),
	        T(test_router_mode_loops),
	        T(test_in_hostile_outer),
	        T(test_in_batches),
	        T(test_directed_broadcast_is_no_peer),
	        T(test_send_rs),
	        T(test_send_rs_refused),
	        T(test_ns_answered),
	        T(test_ns_refused),
	        T(test_nd_filter),
	        T(test_nd_flood_budget),
	        T(test_ns_router_mode),
	        T(test_locator_set_make_before_break),
	        T(test_locator_set_break),
#undef T
	};

	return cmocka_run_group_tests_name(TEST_DP_FWD_NAME, tests, NULL, NULL);
}
