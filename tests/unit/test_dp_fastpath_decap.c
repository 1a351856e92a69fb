/*
 * bpf/isatap.bpf.c isatap_ingress against proto/decap.c decap_check(), under
 * BPF_PROG_TEST_RUN: the capture's packets and the hostile cases of
 * test_proto_decap.c, each through both with the same state. Every case
 * asserts that the program's action and counter slot are the ones the
 * user-space verdict calls for (tu_fastpath.h), and then the action itself.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decap.h"
#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_fastpath.h"
#include "tests/unit/lib/vectors.h"

#ifdef HAVE_FASTPATH
#include "datapath/fastpath_linux.h"

static struct tu_fp *fp;
/* This run's ingress program strips the outer header with
 * bpf_skb_change_proto(), as on a kernel before 6.3 (fp_ingress.h
 * in_strip_outer()), not with BPF_F_ADJ_ROOM_DECAP_L3_IPV6. */
static bool change_proto;

struct fixture {
	struct in_addr prl[1];
	struct prefix6 onlink[1];
	struct in6_addr local[1];
	struct decap_ctx ctx;
	struct tu_fp_extra x;
};

/* The client of the capture, as test_proto_decap.c has it. */
static int
setup(void **state)
{
	static struct fixture f;
	struct in6_addr p = tu_a6("2001:db8:1::");

	memset(&f, 0, sizeof(f));
	f.prl[0] = tu_a4(VEC_ROUTER_V4);
	addr_prefix_make(&f.onlink[0], &p, 64);
	f.local[0] = tu_a6("2001:db8:1::5efe:c000:201");
	f.ctx.locator = tu_a4(VEC_CLIENT_V4);
	f.ctx.prl = f.prl;
	f.ctx.n_prl = 1;
	f.ctx.onlink = f.onlink;
	f.ctx.n_onlink = 1;
	f.ctx.local = f.local;
	f.ctx.n_local = 1;
	*state = &f;
	return 0;
}

/* The maps from c, then one packet through both. */
static int
check(const struct decap_ctx *c, const struct tu_fp_extra *x, const uint8_t *d, size_t len,
      const char *what)
{
	tu_fp_load_decap(fp, c, x);
	return tu_fp_check_ingress(fp, c, x, d, len, what);
}

static size_t
dgram(uint8_t *b, const char *outer_src, const char *outer_dst, const char *src, const char *dst,
      uint8_t nh, uint8_t hl, const uint8_t *payload, size_t plen)
{
	uint8_t inner[1500];
	size_t n = tu_ipv6(inner, src, dst, nh, hl, payload, plen);

	return tu_ipv4(b, outer_src, outer_dst, inner, n);
}

#define ECN_CE_BITS 0x03 /* RFC 3168 §5 */

static const uint8_t echo[8] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1};

/* Without CAP_SYS_ADMIN or CAP_PERFMON the verifier is stricter (Spectre
 * sanitation, pointer arithmetic, stack slots): the object must still
 * load with CAP_BPF and CAP_NET_ADMIN alone (BPF-FASTPATH.md pitfall 3). */
static void
test_loads_with_cap_bpf_only(void **state)
{
	(void)state;
	assert_int_equal(tu_fp_load_as_unprivileged(), 0);
}

static void
test_capture(void **state)
{
	struct fixture *f = *state;
	struct decap_ctx c = f->ctx;

	assert_int_equal(check(&c, &f->x, vec_ra, vec_ra_len, "RA"), TU_TC_ACT_OK);
	assert_int_equal(check(&c, &f->x, vec_echo_routed, vec_echo_routed_len, "routed echo"),
	                 TU_TC_ACT_REDIRECT);
	assert_int_equal(check(&c, &f->x, vec_echo_onlink_reply, vec_echo_onlink_reply_len,
	                       "on-link echo reply"),
	                 TU_TC_ACT_REDIRECT);
	assert_int_equal(check(&c, &f->x, vec_kernel_echo, vec_kernel_echo_len, "kernel echo"),
	                 TU_TC_ACT_REDIRECT);
	/* ICMPv4: not protocol 41, not the program's. */
	assert_int_equal(check(&c, &f->x, vec_icmp4_unreach, vec_icmp4_unreach_len, "icmp4"),
	                 TU_TC_ACT_OK);

	c.n_prl = 0;
	assert_int_equal(check(&c, &f->x, vec_echo_routed, vec_echo_routed_len, "no PRL"),
	                 TU_TC_ACT_SHOT);
	assert_int_equal(check(&c, &f->x, vec_ra, vec_ra_len, "RA, no PRL"), TU_TC_ACT_OK);
	c = f->ctx;
	c.n_onlink = 0;
	assert_int_equal(check(&c, &f->x, vec_kernel_echo, vec_kernel_echo_len, "no on-link"),
	                 TU_TC_ACT_SHOT);
	c = f->ctx;
	c.locator = tu_a4("192.0.2.9");
	assert_int_equal(check(&c, &f->x, vec_kernel_echo, vec_kernel_echo_len, "other locator"),
	                 TU_TC_ACT_OK);
	c.locator.s_addr = INADDR_ANY;
	assert_int_equal(check(&c, &f->x, vec_kernel_echo, vec_kernel_echo_len, "no locator"),
	                 TU_TC_ACT_OK);
}

/* Maps being rebuilt: everything to the raw socket. */
static void
test_disabled(void **state)
{
	struct fixture *f = *state;
	struct tu_fp_extra x = {.disabled = true};

	assert_int_equal(check(&f->ctx, &x, vec_kernel_echo, vec_kernel_echo_len, "disabled"),
	                 TU_TC_ACT_OK);
	assert_int_equal(check(&f->ctx, &x, vec_echo_routed, vec_echo_routed_len, "disabled"),
	                 TU_TC_ACT_OK);
	/* The TUN down: the datapath's write fails and counts, not ours. */
	x.disabled = false;
	x.link_down = true;
	assert_int_equal(check(&f->ctx, &x, vec_kernel_echo, vec_kernel_echo_len, "link down"),
	                 TU_TC_ACT_OK);
}

/* A frame for another MAC, seen in promiscuous mode: ip_rcv() drops it
 * (PACKET_OTHERHOST), and it is none of the program's. */
static void
test_other_host(void **state)
{
	struct fixture *f = *state;
	static struct tu_fp_result r;
	uint8_t frame[14 + 200] = {0x02, 0, 0, 0, 0, 9, 0x02, 0, 0, 0, 0, 2, 0x08, 0x00};

	memcpy(frame + 14, vec_kernel_echo, vec_kernel_echo_len);
	tu_fp_load_decap(fp, &f->ctx, &f->x);
	tu_fp_run_frame(fp, false, frame, 14 + vec_kernel_echo_len, &r);
	assert_int_equal(r.action, TU_TC_ACT_OK);
	for (unsigned i = 0; i < TU_FP_SLOTS; i++)
		assert_int_equal(r.delta[i], 0);
	/* To our MAC (lo's, all zero) the same frame is carried. */
	memset(frame, 0, 6);
	tu_fp_run_frame(fp, false, frame, 14 + vec_kernel_echo_len, &r);
	assert_int_equal(r.action, TU_TC_ACT_REDIRECT);
}

/* From our own locator: ip_rcv() drops it as a martian source before the
 * raw socket, and the program leaves it there. */
static void
test_own_source(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200];
	size_t n = dgram(b, VEC_CLIENT_V4, VEC_CLIENT_V4, "fe80::5efe:c000:201",
	                 "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);

	assert_int_equal(check(&f->ctx, &f->x, b, n, "from ourselves"), TU_TC_ACT_OK);
}

static void
test_source_rules(void **state)
{
	struct fixture *f = *state;
	static const struct {
		const char *osrc, *src, *dst;
		int action;
	} cases[] = {
	        {"192.0.2.77", "2001:db8:1::5efe:c000:2fd", "2001:db8:1::5efe:c000:201",
	         TU_TC_ACT_SHOT},
	        {"192.0.2.77", "fe80::5efe:c000:2fd", "fe80::5efe:c000:201", TU_TC_ACT_SHOT},
	        {VEC_ROUTER_V4, "2001:db8:1::5efe:c000:2fd", "2001:db8:1::5efe:c000:201",
	         TU_TC_ACT_REDIRECT},
	        {"192.0.2.77", "fe80::200:5efe:c000:24d", "2001:db8:1::5efe:c000:201",
	         TU_TC_ACT_REDIRECT},
	        {"192.0.2.77", "2001:db8:1::200:5efe:c000:24d", "2001:db8:1::5efe:c000:201",
	         TU_TC_ACT_REDIRECT},
	        {"192.0.2.77", "2001:db8:99::5efe:c000:24d", "2001:db8:1::5efe:c000:201",
	         TU_TC_ACT_SHOT},
	        {"192.0.2.77", "2001:db8:1::77", "2001:db8:1::5efe:c000:201", TU_TC_ACT_SHOT},
	        {"192.0.2.77", "fe80:0:0:1::5efe:c000:24d", "2001:db8:1::5efe:c000:201",
	         TU_TC_ACT_SHOT},
	};
	uint8_t b[200];
	char what[160];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t n = dgram(b, cases[i].osrc, VEC_CLIENT_V4, cases[i].src, cases[i].dst, 58,
		                 64, echo, 8);

		snprintf(what, sizeof(what), "%s: %s -> %s", cases[i].osrc, cases[i].src,
		         cases[i].dst);
		assert_int_equal(check(&f->ctx, &f->x, b, n, what), cases[i].action);
	}
}

static void
test_inner_source_bad(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {"ff02::1", "::", "::1", "::192.0.2.254",
	                                  "::ffff:192.0.2.254"};
	uint8_t b[200];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		size_t n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, bad[i],
		                 "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);

		assert_int_equal(check(&f->ctx, &f->x, b, n, bad[i]), TU_TC_ACT_SHOT);
	}
}

static void
test_destination(void **state)
{
	struct fixture *f = *state;
	struct decap_ctx c = f->ctx;
	static const struct {
		const char *src, *dst;
		int action;
	} cases[] = {
	        {"fe80::5efe:c000:2fe", "ff02::1", TU_TC_ACT_REDIRECT},
	        {"fe80::5efe:c000:2fe", "ff02::2", TU_TC_ACT_SHOT},
	        {"2001:db8:2::2", "2001:db8:1::5efe:c000:2fd", TU_TC_ACT_SHOT},
	        {"2001:db8:2::2", "2001:db8:2::3", TU_TC_ACT_SHOT},
	        {"fe80::5efe:c000:2fe", "fe80::200:5efe:c000:201", TU_TC_ACT_REDIRECT},
	        {"fe80::5efe:c000:2fe", "fe80::5efe:c000:202", TU_TC_ACT_SHOT},
	        {"2001:db8:2::2", "2001:db8:10::5efe:c000:201", TU_TC_ACT_SHOT},
	};
	uint8_t b[200];
	size_t n;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, cases[i].src, cases[i].dst, 58, 64, echo,
		          8);
		assert_int_equal(check(&c, &f->x, b, n, cases[i].dst), cases[i].action);
	}
	c.n_local = 0;
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201", 58,
	          64, echo, 8);
	assert_int_equal(check(&c, &f->x, b, n, "not listed"), TU_TC_ACT_SHOT);
	c.n_local = 1;
	assert_int_equal(check(&c, &f->x, b, n, "listed"), TU_TC_ACT_REDIRECT);
}

/* ND always goes up (the raw socket, then control), whatever its type;
 * a wrong hop limit is dropped in the kernel as in user space. */
static void
test_nd(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200], icmp[24] = {0};
	size_t n;

	for (int t = ICMP6_ROUTER_SOLICIT; t <= ICMP6_REDIRECT; t++) {
		icmp[0] = (uint8_t)t;
		n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe",
		          "fe80::5efe:c000:201", 58, 255, icmp, sizeof(icmp));
		assert_int_equal(check(&f->ctx, &f->x, b, n, "nd 255"), TU_TC_ACT_OK);
		n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe",
		          "fe80::5efe:c000:201", 58, 254, icmp, sizeof(icmp));
		assert_int_equal(check(&f->ctx, &f->x, b, n, "nd 254"), TU_TC_ACT_SHOT);
	}
	icmp[0] = ICMP6_MLD_QUERY;
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "ff02::1", 58, 1, icmp,
	          sizeof(icmp));
	assert_int_equal(check(&f->ctx, &f->x, b, n, "mld query"), TU_TC_ACT_REDIRECT);
	uint8_t opts[32] = {58, 0, 1, 4};
	opts[8] = ICMP6_ROUTER_ADVERT;
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", 60,
	          255, opts, sizeof(opts));
	assert_int_equal(check(&f->ctx, &f->x, b, n, "RA behind dstopts"), TU_TC_ACT_OK);
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", 60,
	          64, opts, sizeof(opts));
	assert_int_equal(check(&f->ctx, &f->x, b, n, "RA behind dstopts, 64"), TU_TC_ACT_SHOT);
	icmp[0] = ICMP6_ROUTER_ADVERT;
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", 58,
	          255, icmp, sizeof(icmp));
	assert_int_equal(check(&f->ctx, &f->x, b, n, "spoofed RA"), TU_TC_ACT_SHOT);
}

/* An RA behind one to four destination-options headers is the program's to
 * judge; behind more, than it walks, the raw socket's. */
static void
test_nd_long_chain(void **state)
{
	struct fixture *f = *state;
	uint8_t b[300], chain[8 * 9 + 8] = {0};
	size_t n;

	for (int hdrs = 1; hdrs <= 9; hdrs++) {
		memset(chain, 0, sizeof(chain));
		for (int i = 0; i < hdrs; i++)
			chain[i * 8] = i + 1 < hdrs ? 60 : 58;
		chain[hdrs * 8] = ICMP6_ROUTER_ADVERT;
		n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe",
		          "fe80::5efe:c000:201", 60, 64, chain, (size_t)hdrs * 8 + 8);
		/* Hop limit 64: user space drops it (nd_hoplimit); the
		 * program drops what it can see and punts the longer one. */
		assert_int_equal(check(&f->ctx, &f->x, b, n, "RA behind dstopts"),
		                 hdrs <= TU_FP_EXT_MAX ? TU_TC_ACT_SHOT : TU_TC_ACT_OK);
	}
}

static void
test_router_mode(void **state)
{
	struct fixture *f = *state;
	struct decap_ctx c = f->ctx;
	uint8_t b[200];
	size_t n;

	c.router_mode = true;
	c.locator = tu_a4(VEC_ROUTER_V4);
	c.n_prl = 0;
	c.n_local = 0;
	/* RS is DECAP_ACCEPT for a router, but ND: the raw socket's still. */
	assert_int_equal(check(&c, &f->x, vec_rs, vec_rs_len, "RS"), TU_TC_ACT_OK);
	c.router_mode = false;
	assert_int_equal(check(&c, &f->x, vec_rs, vec_rs_len, "RS to a host"), TU_TC_ACT_OK);
	c.router_mode = true;
	assert_int_equal(check(&c, &f->x, vec_echo_out, vec_echo_out_len, "echo to forward"),
	                 TU_TC_ACT_REDIRECT);
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201", "2001:db8:77::1",
	          58, 64, echo, 8);
	assert_int_equal(check(&c, &f->x, b, n, "forward"), TU_TC_ACT_REDIRECT);
	n = dgram(b, "192.0.2.77", VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201", "2001:db8:77::1", 58,
	          64, echo, 8);
	assert_int_equal(check(&c, &f->x, b, n, "spoofed"), TU_TC_ACT_SHOT);
	n = dgram(b, "192.0.2.77", VEC_ROUTER_V4, "2001:db8:77::5", "2001:db8:1::1", 58, 64, echo,
	          8);
	assert_int_equal(check(&c, &f->x, b, n, "off-link"), TU_TC_ACT_SHOT);
	uint8_t rs[8] = {ICMP6_ROUTER_SOLICIT};
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "fe80::5efe:c000:201", "fe80::5efe:c000:2fe", 58,
	          64, rs, sizeof(rs));
	assert_int_equal(check(&c, &f->x, b, n, "RS hop limit 64"), TU_TC_ACT_SHOT);
}

static void
test_router_mode_own_locator_foreign(void **state)
{
	struct fixture *f = *state;
	struct decap_ctx c = f->ctx;
	const struct in_addr retired[1] = {tu_a4("192.0.2.250")};
	uint8_t b[200];
	size_t n;

	c.router_mode = true;
	c.locator = tu_a4(VEC_ROUTER_V4);
	c.n_prl = 0;
	c.n_local = 0;
	static const struct {
		const char *src, *dst;
		int action;
	} cases[] = {
	        {"2001:db8:1::5efe:c000:201", "2001:db8:77::5efe:c000:2fe", TU_TC_ACT_SHOT},
	        {"2001:db8:1::5efe:c000:201", "2001:db8:77::200:5efe:c000:2fe", TU_TC_ACT_SHOT},
	        {"2001:db8:1::5efe:c000:201", "2001:db8:1::5efe:c000:2fe", TU_TC_ACT_REDIRECT},
	        {"fe80::5efe:c000:201", "fe80::5efe:c000:2fe", TU_TC_ACT_REDIRECT},
	        {"2001:db8:1::5efe:c000:201", "2001:db8:78::5efe:c000:2fd", TU_TC_ACT_REDIRECT},
	};
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, cases[i].src, cases[i].dst, 58, 64, echo,
		          8);
		assert_int_equal(check(&c, &f->x, b, n, cases[i].dst), cases[i].action);
	}
	f->local[0] = tu_a6("2001:db8:77::5efe:c000:2fe");
	c.local = f->local;
	c.n_local = 1;
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:77::5efe:c000:2fe", 58, 64, echo, 8);
	assert_int_equal(check(&c, &f->x, b, n, "own address, foreign prefix"), TU_TC_ACT_REDIRECT);
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:77::5efe:c000:2fa", 58, 64, echo, 8);
	assert_int_equal(check(&c, &f->x, b, n, "retired, not in the set"), TU_TC_ACT_REDIRECT);
	c.retired = retired;
	c.n_retired = 1;
	assert_int_equal(check(&c, &f->x, b, n, "retired, in the set"), TU_TC_ACT_SHOT);
	/* ...and a datagram to the retired locator is ours. */
	n = dgram(b, VEC_CLIENT_V4, "192.0.2.250", "2001:db8:1::5efe:c000:201", "2001:db8:78::1",
	          58, 64, echo, 8);
	assert_int_equal(check(&c, &f->x, b, n, "to the retired locator"), TU_TC_ACT_REDIRECT);
	c.n_retired = 0;
	c.router_mode = false;
	c.n_local = 0;
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:77::5efe:c000:2fe", 58, 64, echo, 8);
	assert_int_equal(check(&c, &f->x, b, n, "host"), TU_TC_ACT_SHOT);
}

static void
test_outer_rejects(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200];
	size_t n;

	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201", 58,
	          64, echo, 8);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "valid"), TU_TC_ACT_REDIRECT);
	assert_int_equal(check(&f->ctx, &f->x, b, 19, "19 octets"), TU_FP_NOT_RUN);
	assert_int_equal(check(&f->ctx, &f->x, b, n - 1, "truncated"), TU_TC_ACT_SHOT);
	b[n] = 0;
	/* Trailing octets: the kernel's IP layer trims them, the raw socket
	 * judges what is left; the program leaves it to them. */
	assert_int_equal(check(&f->ctx, &f->x, b, n + 1, "trailing octet"), TU_TC_ACT_OK);

	b[6] = 0x20; /* MF: reassembly is the IP layer's */
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "MF"), TU_TC_ACT_OK);
	b[6] = 0x00;
	b[7] = 0x01; /* offset */
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "offset"), TU_TC_ACT_OK);
	b[6] = 0x40; /* DF is fine */
	b[7] = 0;
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "DF"), TU_TC_ACT_REDIRECT);

	b[9] = 17;
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "UDP"), TU_TC_ACT_OK);
	b[9] = 41;
	b[11] ^= 0xff;
	assert_int_equal(check(&f->ctx, &f->x, b, n, "checksum"), TU_TC_ACT_SHOT);
	tu_ipv4_fix(b);
	b[0] = 0x44; /* IHL 4 */
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "IHL 4"), TU_TC_ACT_SHOT);

	static const char *const bogus[] = {"0.0.0.0", "127.0.0.1", "224.0.0.1", "240.0.0.1",
	                                    "255.255.255.255"};
	for (size_t i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		n = dgram(b, bogus[i], VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201",
		          58, 64, echo, 8);
		assert_int_equal(check(&f->ctx, &f->x, b, n, bogus[i]), TU_TC_ACT_SHOT);
	}

	uint8_t inner[48];
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201", 58,
	          64, echo, 8);
	memcpy(inner, b + 20, 48);
	pkt_build_ipv4(b, tu_a4(VEC_ROUTER_V4), tu_a4(VEC_CLIENT_V4), 52, 1, 64, 0);
	b[0] = 0x46;
	memset(b + 20, 1, 4);
	memcpy(b + 24, inner, 48);
	tu_ipv4_fix(b);
	/* Options are user space's to judge (outer_options), and so is a
	 * checksum over them (outer_bad). */
	assert_int_equal(check(&f->ctx, &f->x, b, 72, "options"), TU_TC_ACT_OK);
	b[21] = 2;
	assert_int_equal(check(&f->ctx, &f->x, b, 72, "options, checksum"), TU_TC_ACT_OK);
}

/* fwd.c is_bcast(): a subnet broadcast is no sender. */
static void
test_broadcast_source(void **state)
{
	struct fixture *f = *state;
	const struct in_addr bcast[1] = {tu_a4(VEC_ROUTER_V4)};
	struct tu_fp_extra x = {.bcast = bcast, .n_bcast = 1};

	assert_int_equal(check(&f->ctx, &x, vec_echo_routed, vec_echo_routed_len, "from bcast"),
	                 TU_TC_ACT_SHOT);
	assert_int_equal(check(&f->ctx, &x, vec_ra, vec_ra_len, "RA from bcast"), TU_TC_ACT_OK);
}

/* fp_prl_stats: what came from each PRL router, for control's router
 * reachability (fwd.c dp->prl_in[]); nothing for anyone else. */
static void
test_prl_stats(void **state)
{
	struct fixture *f = *state;
	uint64_t in, out;

	assert_int_equal(check(&f->ctx, &f->x, vec_echo_routed, vec_echo_routed_len, "routed"),
	                 TU_TC_ACT_REDIRECT);
	assert_int_equal(tu_fp_check_ingress(fp, &f->ctx, &f->x, vec_echo_routed,
	                                     vec_echo_routed_len, "routed again"),
	                 TU_TC_ACT_REDIRECT);
	assert_true(tu_fp_prl_count(fp, tu_a4(VEC_ROUTER_V4), &in, &out));
	assert_int_equal(in, 2);
	assert_int_equal(out, 0);
	/* An RA is the raw socket's, and user space counts it. */
	assert_int_equal(tu_fp_check_ingress(fp, &f->ctx, &f->x, vec_ra, vec_ra_len, "RA"),
	                 TU_TC_ACT_OK);
	assert_true(tu_fp_prl_count(fp, tu_a4(VEC_ROUTER_V4), &in, &out));
	assert_int_equal(in, 2);
	/* The kernel host is no router: no entry, none made. */
	assert_int_equal(tu_fp_check_ingress(fp, &f->ctx, &f->x, vec_kernel_echo,
	                                     vec_kernel_echo_len, "host"),
	                 TU_TC_ACT_REDIRECT);
	assert_false(tu_fp_prl_count(fp, tu_a4(VEC_HOST_V4), &in, &out));
}

static void
test_inner_rejects(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200];
	size_t n;

	uint8_t junk[39] = {0x60};
	n = tu_ipv4(b, VEC_ROUTER_V4, VEC_CLIENT_V4, junk, sizeof(junk));
	assert_int_equal(check(&f->ctx, &f->x, b, n, "39 octets"), TU_TC_ACT_SHOT);
	n = tu_ipv4(b, VEC_ROUTER_V4, VEC_CLIENT_V4, junk, 0);
	assert_int_equal(check(&f->ctx, &f->x, b, n, "0 octets"), TU_TC_ACT_SHOT);

	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201", 58,
	          64, echo, 8);
	b[20] = 0x40;
	assert_int_equal(check(&f->ctx, &f->x, b, n, "version 4"), TU_TC_ACT_SHOT);
	b[20] = 0x60;
	static const uint8_t plens[] = {9, 7, 0};
	for (size_t i = 0; i < sizeof(plens); i++) {
		b[25] = plens[i];
		assert_int_equal(check(&f->ctx, &f->x, b, n, "payload length"), TU_TC_ACT_SHOT);
	}
	b[25] = 8;
	assert_int_equal(check(&f->ctx, &f->x, b, n, "payload length 8"), TU_TC_ACT_REDIRECT);
}

/*
 * A GRO super-packet whose decapsulation fails (a test run sets gso_size
 * but no gso_type, which bpf_skb_adjust_room() refuses), or that a kernel
 * before 6.3 cannot decapsulate whole: the datagram goes to the raw socket
 * exactly as it came, its ECN field untouched, counted fp_helper_error
 * (fp_in_punt without the flag) and nothing else.
 */
static void
test_gso_helper_failure(void **state)
{
	struct fixture *f = *state;
	static struct tu_fp_result r;
	uint8_t b[200];
	size_t n;

	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201", 6,
	          64, echo, 8);
	b[1] = ECN_CE_BITS;
	b[21] = (uint8_t)((b[21] & 0xcf) | 2 << 4); /* ECT(0): would become CE */
	tu_ipv4_fix(b);
	tu_fp_load_decap(fp, &f->ctx, &f->x);
	tu_fp_run_gso(fp, false, b, n, 1000, 2, &r);
	assert_int_equal(r.action, TU_TC_ACT_OK);
	for (unsigned i = 0; i < TU_FP_SLOTS; i++)
		assert_int_equal(r.delta[i],
		                 i == (change_proto ? DPC_FP_IN_PUNT : DPC_FP_HELPER_ERROR) ? 1
		                                                                            : 0);
	assert_int_equal(r.out_len, 14 + n);
	assert_memory_equal(r.out + 14, b, n);
}

/* RFC 6040 §4.2, every outer/inner pair: carried with the new inner ECN
 * field, counted as user space counts it, and the one drop dropped. */
static void
test_ecn(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200];
	size_t n;

	for (int outer = 0; outer < 4; outer++)
		for (int inner = 0; inner < 4; inner++) {
			char what[40];

			n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2",
			          "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);
			b[1] = (uint8_t)(0xb8 | outer); /* DSCP EF */
			b[21] = (uint8_t)((b[21] & 0xcf) | inner << 4);
			tu_ipv4_fix(b);
			snprintf(what, sizeof(what), "outer %d inner %d", outer, inner);
			assert_int_equal(check(&f->ctx, &f->x, b, n, what),
			                 outer == 3 && inner == 0 ? TU_TC_ACT_SHOT
			                                          : TU_TC_ACT_REDIRECT);
		}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_loads_with_cap_bpf_only),
	        cmocka_unit_test_setup(test_capture, setup),
	        cmocka_unit_test_setup(test_disabled, setup),
	        cmocka_unit_test_setup(test_own_source, setup),
	        cmocka_unit_test_setup(test_other_host, setup),
	        cmocka_unit_test_setup(test_source_rules, setup),
	        cmocka_unit_test_setup(test_inner_source_bad, setup),
	        cmocka_unit_test_setup(test_destination, setup),
	        cmocka_unit_test_setup(test_nd, setup),
	        cmocka_unit_test_setup(test_nd_long_chain, setup),
	        cmocka_unit_test_setup(test_router_mode, setup),
	        cmocka_unit_test_setup(test_router_mode_own_locator_foreign, setup),
	        cmocka_unit_test_setup(test_outer_rejects, setup),
	        cmocka_unit_test_setup(test_broadcast_source, setup),
	        cmocka_unit_test_setup(test_prl_stats, setup),
	        cmocka_unit_test_setup(test_inner_rejects, setup),
	        cmocka_unit_test_setup(test_ecn, setup),
	        cmocka_unit_test_setup(test_gso_helper_failure, setup),
	};
	static const char *const names[] = {"dp_fastpath_decap", "dp_fastpath_decap_change_proto"};
	char why[256];
	int flags, r = 0;

	/* Both ways the program can decapsulate: with the kernel's flag when
	 * this kernel has it (6.3 and later), and as on one without (6.1). */
	if ((flags = fastpath_kernel_decap_flags()) <= 0)
		printf("note: this kernel has no BPF_F_ADJ_ROOM_DECAP_L3_IPV6 (%s): only the "
		       "bpf_skb_change_proto() way runs\n",
		       flags < 0 ? strerror(-flags) : "before Linux 6.3");
	for (int way = flags > 0 ? 0 : 1; way < 2 && r == 0; way++) {
		change_proto = way == 1;
		if ((fp = tu_fp_open_decap(!change_proto, why, sizeof(why))) == NULL)
			return tu_fp_skip(names[way], why);
		r = cmocka_run_group_tests_name(names[way], tests, NULL, NULL);
		tu_fp_close(fp);
	}
	return r;
}

#else

int
main(void)
{
	return tu_fp_skip("dp_fastpath_decap", "fast path not built: " FASTPATH_NOT_BUILT);
}

#endif
