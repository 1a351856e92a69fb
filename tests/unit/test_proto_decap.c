/* proto/decap.c: the inbound check, RFC 5214 §7.3 with RFC 4213 §3.6. */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "decap.h"
#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/vectors.h"

/* The client of the capture: locator 192.0.2.1, router 192.0.2.254 in the
 * PRL, the RA's first prefix on-link, its SLAAC address assigned. */
struct fixture {
	struct in_addr prl[1];
	struct prefix6 onlink[1];
	struct in6_addr local[1];
	struct decap_ctx ctx;
};

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

static enum decap_verdict
check(const struct decap_ctx *ctx, const uint8_t *p, size_t len)
{
	size_t off = 999, ilen = 999;
	struct in_addr src = {0x5a5a5a5a};
	enum decap_verdict v = decap_check(ctx, p, len, &off, &ilen, &src);

	if (v == DECAP_ACCEPT || v == DECAP_ACCEPT_ND) {
		assert_int_equal(off, 20);
		assert_int_equal(ilen, len - 20);
		assert_memory_equal(&src, p + 12, 4);
	}
	return v;
}

/* A datagram from outer_src to outer_dst carrying an IPv6 packet. */
static size_t
dgram(uint8_t *b, const char *outer_src, const char *outer_dst, const char *src, const char *dst,
      uint8_t nh, uint8_t hl, const uint8_t *payload, size_t plen)
{
	uint8_t inner[1500];
	size_t n = tu_ipv6(inner, src, dst, nh, hl, payload, plen);

	return tu_ipv4(b, outer_src, outer_dst, inner, n);
}

static const uint8_t echo[8] = {ICMP6_ECHO_REQUEST, 0, 0, 0, 0, 1, 0, 1};

/* The capture, as the client 192.0.2.1 received it. */
static void
test_capture(void **state)
{
	struct fixture *f = *state;
	struct decap_ctx c = f->ctx;

	/* RA from the PRL router to our link-local (not listed in local). */
	assert_int_equal(check(&c, vec_ra, vec_ra_len), DECAP_ACCEPT_ND);
	/* Echo reply from beyond the router: the PRL vouches for it. */
	assert_int_equal(check(&c, vec_echo_routed, vec_echo_routed_len), DECAP_ACCEPT);
	/* From the kernel ISATAP host: on-link, its ISATAP source embeds 192.0.2.253. */
	assert_int_equal(check(&c, vec_echo_onlink_reply, vec_echo_onlink_reply_len), DECAP_ACCEPT);
	assert_int_equal(check(&c, vec_kernel_echo, vec_kernel_echo_len), DECAP_ACCEPT);
	/* The ICMPv4 error is not protocol 41. */
	assert_int_equal(check(&c, vec_icmp4_unreach, vec_icmp4_unreach_len), DECAP_DROP_OUTER_BAD);

	/* Without the router in the PRL, a global source behind it is refused. */
	c.n_prl = 0;
	assert_int_equal(check(&c, vec_echo_routed, vec_echo_routed_len),
	                 DECAP_DROP_SRC_NOT_ONLINK);
	/* ...but its RA still passes: an ISATAP link-local embedding the sender. */
	assert_int_equal(check(&c, vec_ra, vec_ra_len), DECAP_ACCEPT_ND);
	/* Without the on-link prefix, the kernel host's global source is refused. */
	c = f->ctx;
	c.n_onlink = 0;
	assert_int_equal(check(&c, vec_kernel_echo, vec_kernel_echo_len),
	                 DECAP_DROP_SRC_NOT_ONLINK);
	/* Not for our locator. */
	c = f->ctx;
	c.locator = tu_a4("192.0.2.9");
	assert_int_equal(check(&c, vec_kernel_echo, vec_kernel_echo_len),
	                 DECAP_DROP_NOT_OUR_LOCATOR);
	/* No locator yet. */
	c.locator.s_addr = INADDR_ANY;
	assert_int_equal(check(&c, vec_kernel_echo, vec_kernel_echo_len), DECAP_DROP_NO_LOCATOR);
}

/* RFC 5214 §7.3 in detail. */
static void
test_source_rules(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200];
	size_t n;

	/* An ISATAP source that embeds a different IPv4 than the sender's. */
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "2001:db8:1::5efe:c000:2fd",
	          "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_SPOOFED_SRC);
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "fe80::5efe:c000:2fd", "fe80::5efe:c000:201", 58,
	          64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_SPOOFED_SRC);
	/* The same from the PRL router: routers relay for others. */
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:1::5efe:c000:2fd",
	          "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT);
	/* Either u value (RFC 5214 §6.1), link-local or on-link. */
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "fe80::200:5efe:c000:24d",
	          "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT);
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "2001:db8:1::200:5efe:c000:24d",
	          "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT);
	/* An ISATAP source under a prefix that is not on-link. */
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "2001:db8:99::5efe:c000:24d",
	          "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_SRC_NOT_ONLINK);
	/* A non-ISATAP source on the on-link prefix, from a non-router. */
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "2001:db8:1::77", "2001:db8:1::5efe:c000:201", 58,
	          64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_SRC_NOT_ONLINK);
	/* A link-local that is not fe80::/64 (RFC 4291 §2.5.6). */
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "fe80:0:0:1::5efe:c000:24d",
	          "2001:db8:1::5efe:c000:201", 58, 64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_SRC_NOT_ONLINK);
}

static void
test_inner_source_bad(void **state)
{
	struct fixture *f = *state;
	static const char *const bad[] = {"ff02::1", "::", "::1", "::192.0.2.254",
	                                  "::ffff:192.0.2.254"};
	uint8_t b[200];
	size_t n;

	/* Even from the PRL router. */
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, bad[i], "2001:db8:1::5efe:c000:201", 58,
		          64, echo, 8);
		if (check(&f->ctx, b, n) != DECAP_DROP_INNER_SRC_BAD)
			fail_msg("inner source %s accepted", bad[i]);
	}
}

static void
test_destination(void **state)
{
	struct fixture *f = *state;
	struct decap_ctx c = f->ctx;
	uint8_t b[200];
	size_t n;

	/* ff02::1 is ours; ff02::2 is not (hosts are not routers). */
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "ff02::1", 58, 64, echo,
	          8);
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "ff02::2", 58, 64, echo,
	          8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_NOT_OURS);
	/* RFC 6324: a host does not forward, not even for its PRL router. */
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:2fd", 58,
	          64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_NOT_OURS);
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:2::3", 58, 64, echo,
	          8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_NOT_OURS);
	/* Our ISATAP link-local in both u forms, listed or not... */
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "fe80::200:5efe:c000:201",
	          58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
	/* ...but not another locator's, nor ours under a prefix we lack. */
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "fe80::5efe:c000:202", 58,
	          64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_NOT_OURS);
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:10::5efe:c000:201",
	          58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_NOT_OURS);
	/* Once control lists it, it is ours. */
	c.n_local = 0;
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201", 58,
	          64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_NOT_OURS);
	c.n_local = 1;
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
}

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
		assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT_ND);
		n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe",
		          "fe80::5efe:c000:201", 58, 254, icmp, sizeof(icmp));
		assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_ND_HOPLIMIT);
	}
	/* Other ICMPv6 types with any hop limit go into the TUN. */
	icmp[0] = ICMP6_MLD_QUERY;
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "ff02::1", 58, 1, icmp,
	          sizeof(icmp));
	assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT);
	/* An RA behind a destination-options header never reaches the kernel's
	 * ND through the TUN: it goes to control (which refuses it by name). */
	uint8_t opts[32] = {58, 0, 1, 4};
	opts[8] = ICMP6_ROUTER_ADVERT;
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", 60,
	          255, opts, sizeof(opts));
	assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT_ND);
	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", 60,
	          64, opts, sizeof(opts));
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_ND_HOPLIMIT);
	/* A spoofed RA is dropped for its source before anything else. */
	icmp[0] = ICMP6_ROUTER_ADVERT;
	n = dgram(b, "192.0.2.77", VEC_CLIENT_V4, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", 58,
	          255, icmp, sizeof(icmp));
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_SPOOFED_SRC);
}

/* --router: RS into the TUN for radvd, destinations are the kernel's,
 * sources are still checked. */
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
	/* The capture's RS, as the router received it. */
	assert_int_equal(check(&c, vec_rs, vec_rs_len), DECAP_ACCEPT);
	/* The same RS to a host is ND for control. */
	c.router_mode = false;
	assert_int_equal(check(&c, vec_rs, vec_rs_len), DECAP_ACCEPT_ND);
	c.router_mode = true;
	/* Traffic to forward: on-link ISATAP source, any destination. */
	assert_int_equal(check(&c, vec_echo_out, vec_echo_out_len), DECAP_ACCEPT);
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201", "2001:db8:77::1",
	          58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
	/* Other ND to the router goes to control. */
	uint8_t ns[24] = {ICMP6_NEIGHBOR_SOLICIT};
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "fe80::5efe:c000:201", "fe80::5efe:c000:2fe", 58,
	          255, ns, sizeof(ns));
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT_ND);
	/* Spoofed and off-link sources are still dropped. */
	n = dgram(b, "192.0.2.77", VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201", "2001:db8:77::1", 58,
	          64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_SPOOFED_SRC);
	n = dgram(b, "192.0.2.77", VEC_ROUTER_V4, "2001:db8:77::5", "2001:db8:1::1", 58, 64, echo,
	          8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_SRC_NOT_ONLINK);
	/* A RS with the wrong hop limit is still refused. */
	uint8_t rs[8] = {ICMP6_ROUTER_SOLICIT};
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "fe80::5efe:c000:201", "fe80::5efe:c000:2fe", 58,
	          64, rs, sizeof(rs));
	assert_int_equal(check(&c, b, n), DECAP_DROP_ND_HOPLIMIT);
}

static void
test_outer_rejects(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200];
	size_t n;

	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201", 58,
	          64, echo, 8);
	assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT);

	assert_int_equal(check(&f->ctx, b, 19), DECAP_DROP_OUTER_SHORT);
	assert_int_equal(check(&f->ctx, b, n - 1), DECAP_DROP_OUTER_LEN);
	b[n] = 0;
	assert_int_equal(check(&f->ctx, b, n + 1), DECAP_DROP_OUTER_LEN);

	b[6] = 0x20; /* MF */
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_OUTER_FRAGMENT);
	b[6] = 0x40; /* DF is fine */
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT);

	b[9] = 17;
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_OUTER_BAD);
	b[9] = 41;
	b[11] ^= 0xff;
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_OUTER_BAD);
	tu_ipv4_fix(b);

	static const char *const bogus[] = {"0.0.0.0", "127.0.0.1", "224.0.0.1", "240.0.0.1",
	                                    "255.255.255.255"};
	for (size_t i = 0; i < sizeof(bogus) / sizeof(bogus[0]); i++) {
		n = dgram(b, bogus[i], VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201",
		          58, 64, echo, 8);
		assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_OUTER_SRC_BOGUS);
	}

	/* Options: a 24-octet header. */
	uint8_t inner[48];
	memcpy(inner, b + 20, 48);
	pkt_build_ipv4(b, tu_a4(VEC_ROUTER_V4), tu_a4(VEC_CLIENT_V4), 52, 1, 64, 0);
	b[0] = 0x46;
	memset(b + 20, 1, 4); /* NOPs */
	memcpy(b + 24, inner, 48);
	tu_ipv4_fix(b);
	assert_int_equal(check(&f->ctx, b, 72), DECAP_DROP_OUTER_OPTIONS);
}

static void
test_inner_rejects(void **state)
{
	struct fixture *f = *state;
	uint8_t b[200];
	size_t n;

	/* Fewer than 40 octets of IPv6. */
	uint8_t junk[39] = {0x60};
	n = tu_ipv4(b, VEC_ROUTER_V4, VEC_CLIENT_V4, junk, sizeof(junk));
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_INNER_SHORT);
	n = tu_ipv4(b, VEC_ROUTER_V4, VEC_CLIENT_V4, junk, 0);
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_INNER_SHORT);

	n = dgram(b, VEC_ROUTER_V4, VEC_CLIENT_V4, "2001:db8:2::2", "2001:db8:1::5efe:c000:201", 58,
	          64, echo, 8);
	b[20] = 0x40;
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_INNER_VERSION);
	b[20] = 0x60;
	/* Payload length larger, smaller, and 0. */
	b[25] = 9;
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_INNER_LEN);
	b[25] = 7;
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_INNER_LEN);
	b[25] = 0;
	assert_int_equal(check(&f->ctx, b, n), DECAP_DROP_INNER_LEN);
	b[25] = 8;
	assert_int_equal(check(&f->ctx, b, n), DECAP_ACCEPT);
}

/*
 * RFC 6324 §3.2.3 (review finding 11): a router forwards what it lets in,
 * but not a packet to its own identifier under another router's prefix,
 * which would come straight back. Its own addresses, its on-link prefix and
 * fe80::/64 are its own.
 */
static void
test_router_mode_own_locator_foreign(void **state)
{
	struct fixture *f = *state;
	struct decap_ctx c = f->ctx;
	uint8_t b[200];
	size_t n;

	c.router_mode = true;
	c.locator = tu_a4(VEC_ROUTER_V4); /* 192.0.2.254 */
	c.n_prl = 0;
	c.n_local = 0;
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:77::5efe:c000:2fe", 58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_DST_OWN_LOCATOR);
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:77::200:5efe:c000:2fe", 58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_DST_OWN_LOCATOR);
	/* Under the on-link prefix and in fe80::/64: its own. */
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:1::5efe:c000:2fe", 58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "fe80::5efe:c000:201", "fe80::5efe:c000:2fe", 58,
	          64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
	/* One of its addresses under a prefix that is not on-link. */
	f->local[0] = tu_a6("2001:db8:77::5efe:c000:2fe");
	c.local = f->local;
	c.n_local = 1;
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:77::5efe:c000:2fe", 58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
	/* Another node's identifier under a foreign prefix: forwarded. */
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:78::5efe:c000:2fd", 58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
	/* A previous locator still in the set (RFC 5214 §6.2), 192.0.2.250,
	 * is as much ours: forwarded, it would come back just the same. */
	const struct in_addr retired[1] = {tu_a4("192.0.2.250")};
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:77::5efe:c000:2fa", 58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_ACCEPT);
	c.retired = retired;
	c.n_retired = 1;
	assert_int_equal(check(&c, b, n), DECAP_DROP_DST_OWN_LOCATOR);
	c.n_retired = 0;
	/* A host drops it as not ours, as before. */
	c.router_mode = false;
	c.n_local = 0;
	n = dgram(b, VEC_CLIENT_V4, VEC_ROUTER_V4, "2001:db8:1::5efe:c000:201",
	          "2001:db8:77::5efe:c000:2fe", 58, 64, echo, 8);
	assert_int_equal(check(&c, b, n), DECAP_DROP_NOT_OURS);
}

static void
test_verdict_names(void **state)
{
	(void)state;
	for (int v = 0; v < DECAP_VERDICT_COUNT; v++) {
		const char *n = decap_verdict_name((enum decap_verdict)v);
		assert_non_null(n);
		assert_string_not_equal(n, "invalid");
		for (int q = 0; q < v; q++)
			assert_string_not_equal(n, decap_verdict_name((enum decap_verdict)q));
	}
	assert_string_equal(decap_verdict_name(DECAP_DROP_SPOOFED_SRC), "spoofed_src");
	assert_string_equal(decap_verdict_name(DECAP_VERDICT_COUNT), "invalid");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_capture, setup),
	        cmocka_unit_test_setup(test_source_rules, setup),
	        cmocka_unit_test_setup(test_inner_source_bad, setup),
	        cmocka_unit_test_setup(test_destination, setup),
	        cmocka_unit_test_setup(test_nd, setup),
	        cmocka_unit_test_setup(test_router_mode, setup),
	        cmocka_unit_test_setup(test_router_mode_own_locator_foreign, setup),
	        cmocka_unit_test_setup(test_outer_rejects, setup),
	        cmocka_unit_test_setup(test_inner_rejects, setup),
	        cmocka_unit_test(test_verdict_names),
	};

	return cmocka_run_group_tests_name("proto_decap", tests, NULL, NULL);
}
