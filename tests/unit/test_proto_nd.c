/* proto/nd.c: RA and Redirect parsing, RS building (RFC 4861, 4191, 8106). */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "nd.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/vectors.h"

#define RA_SRC "fe80::5efe:c000:2fe"
#define RA_DST "fe80::5efe:c000:201"

/* An RA from RA_SRC with router lifetime 1800 and the given options. */
static size_t
ra_make(uint8_t *buf, const uint8_t *opts, size_t optlen)
{
	uint8_t icmp[1500] = {ICMP6_ROUTER_ADVERT, 0, 0, 0, 64, 0, 0x07, 0x08};

	assert_true(16 + optlen <= sizeof(icmp));
	if (optlen > 0)
		memcpy(icmp + 16, opts, optlen);
	return tu_ipv6(buf, RA_SRC, RA_DST, IPPROTO_ICMPV6_NUM, 255, icmp, 16 + optlen);
}

static enum nd_reason
ra_opts(const uint8_t *opts, size_t optlen, struct nd_ra *ra)
{
	uint8_t b[1600];
	size_t n = ra_make(b, opts, optlen);

	return nd_parse_ra(b, n, ra);
}

/* The radvd RA of the capture yields exactly what tests/vectors/README.md
 * says: lifetime 1800; PIO 2001:db8:1::/64 and 2001:db8:10::/64 (L, A,
 * 86400/14400); RIO 2001:db8:3::/48 high 600 s; RDNSS 2001:db8:2::53 600 s;
 * DNSSL example.test; MTU 1400. */
static void
test_ra_capture(void **state)
{
	struct nd_ra ra;
	struct in6_addr a;

	(void)state;
	assert_int_equal(nd_parse_ra(vec_ra + VEC_INNER_OFF, vec_ra_len - VEC_INNER_OFF, &ra),
	                 ND_OK);
	a = tu_a6(RA_SRC);
	assert_memory_equal(&ra.src, &a, 16);
	assert_int_equal(ra.cur_hop_limit, 64);
	assert_false(ra.managed);
	assert_false(ra.other);
	assert_int_equal(ra.preference, 0);
	assert_int_equal(ra.router_lifetime, 1800);
	assert_int_equal(ra.reachable_time, 0);
	assert_int_equal(ra.retrans_timer, 0);
	assert_int_equal(ra.mtu, 1400);

	assert_int_equal(ra.n_prefixes, 2);
	a = tu_a6("2001:db8:1::");
	assert_memory_equal(&ra.prefixes[0].prefix.addr, &a, 16);
	a = tu_a6("2001:db8:10::");
	assert_memory_equal(&ra.prefixes[1].prefix.addr, &a, 16);
	for (int i = 0; i < 2; i++) {
		assert_int_equal(ra.prefixes[i].prefix.plen, 64);
		assert_true(ra.prefixes[i].onlink);
		assert_true(ra.prefixes[i].autonomous);
		assert_int_equal(ra.prefixes[i].valid_lifetime, 86400);
		assert_int_equal(ra.prefixes[i].preferred_lifetime, 14400);
	}

	assert_int_equal(ra.n_routes, 1);
	a = tu_a6("2001:db8:3::");
	assert_memory_equal(&ra.routes[0].prefix.addr, &a, 16);
	assert_int_equal(ra.routes[0].prefix.plen, 48);
	assert_int_equal(ra.routes[0].preference, 1);
	assert_int_equal(ra.routes[0].lifetime, 600);

	assert_int_equal(ra.n_rdnss, 1);
	a = tu_a6("2001:db8:2::53");
	assert_memory_equal(&ra.rdnss[0], &a, 16);
	assert_int_equal(ra.rdnss_lifetime[0], 600);

	assert_int_equal(ra.n_dnssl, 1);
	assert_string_equal(ra.dnssl[0], "example.test");
	assert_int_equal(ra.dnssl_lifetime[0], 600);
	assert_int_equal(ra.n_unknown_opts, 0);
}

/* Any single flipped bit of the RA's ICMPv6 part is caught (by the
 * checksum if by nothing else), and no flip reads out of bounds. */
static void
test_ra_capture_bitflips(void **state)
{
	const uint8_t *ip6 = vec_ra + VEC_INNER_OFF;
	size_t len = vec_ra_len - VEC_INNER_OFF;
	uint8_t b[256];
	struct nd_ra ra;

	(void)state;
	for (size_t i = 40; i < len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			memcpy(b, ip6, len);
			b[i] ^= (uint8_t)(1 << bit);
			assert_int_not_equal(nd_parse_ra(b, len, &ra), ND_OK);
		}
	}
}

static void
test_ra_header_rejects(void **state)
{
	uint8_t b[256], icmp[16] = {ICMP6_ROUTER_ADVERT};
	struct nd_ra ra;
	size_t n;

	(void)state;
	/* Not an IPv6 packet at all; the outer IPv4 datagram. */
	assert_int_equal(nd_parse_ra(vec_ra, vec_ra_len, &ra), ND_BAD_IPV6);
	/* Behind an extension header: ND carries none. */
	uint8_t dst_opts[24] = {58, 0, 1, 4, 0, 0, 0, 0, ICMP6_ROUTER_ADVERT};
	n = tu_ipv6(b, RA_SRC, RA_DST, 60, 255, dst_opts, sizeof(dst_opts));
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_NOT_ICMPV6);
	/* Not an RA. */
	icmp[0] = ICMP6_ROUTER_SOLICIT;
	n = tu_ipv6(b, RA_SRC, RA_DST, 58, 255, icmp, 16);
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_WRONG_TYPE);
	icmp[0] = ICMP6_ROUTER_ADVERT;
	/* Code 1. */
	icmp[1] = 1;
	n = tu_ipv6(b, RA_SRC, RA_DST, 58, 255, icmp, 16);
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_BAD_CODE);
	icmp[1] = 0;
	/* Crossed a router. */
	n = tu_ipv6(b, RA_SRC, RA_DST, 58, 254, icmp, 16);
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_BAD_HOPLIMIT);
	/* Shorter than the fixed part, and shorter than an ICMP header. */
	n = tu_ipv6(b, RA_SRC, RA_DST, 58, 255, icmp, 15);
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_SHORT);
	n = tu_ipv6(b, RA_SRC, RA_DST, 58, 255, icmp, 2);
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_SHORT);
	/* Global source. */
	n = tu_ipv6(b, "2001:db8::1", RA_DST, 58, 255, icmp, 16);
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_SRC_NOT_LINKLOCAL);
	/* Checksum. */
	n = tu_ipv6(b, RA_SRC, RA_DST, 58, 255, icmp, 16);
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_OK);
	b[45] ^= 0x40;
	assert_int_equal(nd_parse_ra(b, n, &ra), ND_BAD_CHECKSUM);
}

static void
test_ra_flags(void **state)
{
	uint8_t b[256];
	struct nd_ra ra;
	size_t n;
	static const struct {
		uint8_t flags;
		bool m, o;
		int8_t pref;
	} cases[] = {
	        {0xc0, true, true, 0},    {0x80, true, false, 0},
	        {0x40, false, true, 0},   {0x08, false, false, 1},
	        {0x18, false, false, -1}, {0x10, false, false, ND_PREF_INVALID},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t icmp[16] = {ICMP6_ROUTER_ADVERT,
		                    0,
		                    0,
		                    0,
		                    0,
		                    cases[i].flags,
		                    0,
		                    0,
		                    0,
		                    0,
		                    0x75,
		                    0x30,
		                    0,
		                    0,
		                    0x03,
		                    0xe8};
		n = tu_ipv6(b, RA_SRC, RA_DST, 58, 255, icmp, 16);
		assert_int_equal(nd_parse_ra(b, n, &ra), ND_OK);
		assert_int_equal(ra.managed, cases[i].m);
		assert_int_equal(ra.other, cases[i].o);
		assert_int_equal(ra.preference, cases[i].pref);
		assert_int_equal(ra.router_lifetime, 0);
		assert_int_equal(ra.reachable_time, 30000);
		assert_int_equal(ra.retrans_timer, 1000);
		assert_int_equal(ra.mtu, 0);
	}
}

static void
test_ra_option_framing(void **state)
{
	struct nd_ra ra;
	uint8_t o[64];

	(void)state;
	/* Zero length. */
	memset(o, 0, sizeof(o));
	o[0] = ND_OPT_MTU;
	assert_int_equal(ra_opts(o, 8, &ra), ND_OPT_ZERO_LEN);
	/* An unknown option of length 0 is as bad. */
	o[0] = 200;
	assert_int_equal(ra_opts(o, 8, &ra), ND_OPT_ZERO_LEN);
	/* Runs past the end. */
	o[0] = ND_OPT_MTU;
	o[1] = 2;
	assert_int_equal(ra_opts(o, 8, &ra), ND_OPT_OVERRUN);
	/* A lone trailing octet. */
	o[1] = 1;
	assert_int_equal(ra_opts(o, 9, &ra), ND_OPT_OVERRUN);
	/* Unknown options are counted and skipped; source LLA is skipped. */
	memset(o, 0, sizeof(o));
	o[0] = 14; /* nonce, RFC 3971 */
	o[1] = 1;
	o[8] = ND_OPT_SOURCE_LLADDR;
	o[9] = 1;
	o[16] = ND_OPT_MTU;
	o[17] = 1;
	o[22] = 0x05;
	o[23] = 0x00;
	o[24] = 38; /* PREF64, RFC 8781 */
	o[25] = 2;
	assert_int_equal(ra_opts(o, 40, &ra), ND_OK);
	assert_int_equal(ra.n_unknown_opts, 2);
	assert_int_equal(ra.mtu, 1280);
}

static void
test_ra_prefix_option(void **state)
{
	struct nd_ra ra;
	uint8_t o[32 * (ND_MAX_PREFIXES + 1)];
	struct in6_addr want;

	(void)state;
	/* Bits past the prefix length are ignored (RFC 4861 §4.6.2): masked. */
	memset(o, 0, sizeof(o));
	o[0] = ND_OPT_PREFIX_INFO;
	o[1] = 4;
	o[2] = 48;
	o[3] = 0x80; /* L only */
	o[4] = 0xff, o[5] = 0xff, o[6] = 0xff, o[7] = 0xff;
	o[11] = 10;
	want = tu_a6("2001:db8:1:ffff::1");
	memcpy(o + 16, &want, 16);
	assert_int_equal(ra_opts(o, 32, &ra), ND_OK);
	assert_int_equal(ra.n_prefixes, 1);
	want = tu_a6("2001:db8:1::");
	assert_memory_equal(&ra.prefixes[0].prefix.addr, &want, 16);
	assert_int_equal(ra.prefixes[0].prefix.plen, 48);
	assert_true(ra.prefixes[0].onlink);
	assert_false(ra.prefixes[0].autonomous);
	assert_int_equal(ra.prefixes[0].valid_lifetime, ND_INFINITE_LIFETIME);
	assert_int_equal(ra.prefixes[0].preferred_lifetime, 10);

	/* Preferred > valid is the caller's policy (RFC 4862 §5.5.3 c): kept. */
	o[4] = o[5] = o[6] = 0;
	o[7] = 1;
	o[11] = 2;
	assert_int_equal(ra_opts(o, 32, &ra), ND_OK);
	assert_int_equal(ra.prefixes[0].preferred_lifetime, 2);

	o[2] = 129;
	assert_int_equal(ra_opts(o, 32, &ra), ND_OPT_BAD_VALUE);
	o[2] = 64;
	o[1] = 3; /* 24 octets */
	assert_int_equal(ra_opts(o, 24, &ra), ND_OPT_BAD_LEN);
	o[1] = 5;
	assert_int_equal(ra_opts(o, 40, &ra), ND_OPT_BAD_LEN);

	/* One more than fits. */
	memset(o, 0, sizeof(o));
	for (int i = 0; i <= ND_MAX_PREFIXES; i++) {
		o[32 * i] = ND_OPT_PREFIX_INFO;
		o[32 * i + 1] = 4;
		o[32 * i + 2] = 64;
	}
	assert_int_equal(ra_opts(o, 32 * ND_MAX_PREFIXES, &ra), ND_OK);
	assert_int_equal(ra.n_prefixes, ND_MAX_PREFIXES);
	assert_int_equal(ra_opts(o, sizeof(o), &ra), ND_TOO_MANY);
}

static void
test_ra_mtu_option(void **state)
{
	struct nd_ra ra;
	uint8_t o[16] = {ND_OPT_MTU, 2};

	(void)state;
	assert_int_equal(ra_opts(o, 16, &ra), ND_OPT_BAD_LEN);
	/* Out-of-range values are reported for the caller to ignore
	 * (RFC 4861 §6.3.4), not a reason to drop the RA. */
	o[1] = 1;
	o[7] = 100;
	assert_int_equal(ra_opts(o, 8, &ra), ND_OK);
	assert_int_equal(ra.mtu, 100);
}

/* RFC 4191 §2.3 length / prefix-length combinations. */
static void
test_ra_route_option(void **state)
{
	struct nd_ra ra;
	uint8_t o[24 * (ND_MAX_ROUTES + 1)];
	struct in6_addr want;
	static const struct {
		uint8_t len, plen;
		enum nd_reason r;
	} cases[] = {
	        {1, 0, ND_OK},           {2, 0, ND_OK},
	        {3, 0, ND_OK},           {1, 1, ND_OPT_BAD_VALUE},
	        {2, 64, ND_OK},          {2, 65, ND_OPT_BAD_VALUE},
	        {3, 128, ND_OK},         {3, 129, ND_OPT_BAD_VALUE},
	        {4, 64, ND_OPT_BAD_LEN},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		memset(o, 0, sizeof(o));
		o[0] = ND_OPT_ROUTE_INFO;
		o[1] = cases[i].len;
		o[2] = cases[i].plen;
		if (ra_opts(o, (size_t)cases[i].len * 8, &ra) != cases[i].r)
			fail_msg("RIO len %u plen %u", cases[i].len, cases[i].plen);
	}

	/* Low preference, host bits masked, lifetime. */
	memset(o, 0, sizeof(o));
	o[0] = ND_OPT_ROUTE_INFO;
	o[1] = 2;
	o[2] = 33;
	o[3] = 0x18;
	o[7] = 30;
	want = tu_a6("2001:db8:ffff:ffff::");
	memcpy(o + 8, &want, 8);
	assert_int_equal(ra_opts(o, 16, &ra), ND_OK);
	want = tu_a6("2001:db8:8000::");
	assert_memory_equal(&ra.routes[0].prefix.addr, &want, 16);
	assert_int_equal(ra.routes[0].prefix.plen, 33);
	assert_int_equal(ra.routes[0].preference, -1);
	assert_int_equal(ra.routes[0].lifetime, 30);
	o[3] = 0x10; /* reserved preference: reported, RFC 4191 §2.3 says ignore */
	assert_int_equal(ra_opts(o, 16, &ra), ND_OK);
	assert_int_equal(ra.routes[0].preference, ND_PREF_INVALID);

	memset(o, 0, sizeof(o));
	for (int i = 0; i <= ND_MAX_ROUTES; i++) {
		o[24 * i] = ND_OPT_ROUTE_INFO;
		o[24 * i + 1] = 3;
	}
	assert_int_equal(ra_opts(o, 24 * ND_MAX_ROUTES, &ra), ND_OK);
	assert_int_equal(ra.n_routes, ND_MAX_ROUTES);
	assert_int_equal(ra_opts(o, sizeof(o), &ra), ND_TOO_MANY);
}

static void
test_ra_rdnss_option(void **state)
{
	struct nd_ra ra;
	uint8_t o[8 + 16 * 9];
	struct in6_addr a;

	(void)state;
	memset(o, 0, sizeof(o));
	o[0] = ND_OPT_RDNSS;
	o[1] = 5; /* two servers */
	o[7] = 60;
	a = tu_a6("2001:db8::53");
	memcpy(o + 8, &a, 16);
	a = tu_a6("2001:db8::54");
	memcpy(o + 24, &a, 16);
	assert_int_equal(ra_opts(o, 40, &ra), ND_OK);
	assert_int_equal(ra.n_rdnss, 2);
	assert_memory_equal(&ra.rdnss[1], &a, 16);
	assert_int_equal(ra.rdnss_lifetime[0], 60);
	assert_int_equal(ra.rdnss_lifetime[1], 60);

	o[1] = 2; /* no room for an address */
	assert_int_equal(ra_opts(o, 16, &ra), ND_OPT_BAD_LEN);
	o[1] = 4; /* half an address */
	assert_int_equal(ra_opts(o, 32, &ra), ND_OPT_BAD_LEN);
	o[1] = 1 + 2 * 9; /* nine servers, eight fit */
	assert_int_equal(ra_opts(o, sizeof(o), &ra), ND_TOO_MANY);
	o[1] = 1 + 2 * 8;
	assert_int_equal(ra_opts(o, 8 + 16 * 8, &ra), ND_OK);
	assert_int_equal(ra.n_rdnss, ND_MAX_RDNSS);
}

/* Two RDNSS options, lifetimes 0 and 600: each address keeps its own
 * option's (review finding 12: all took the last one's). */
static void
test_ra_rdnss_per_option_lifetime(void **state)
{
	struct nd_ra ra;
	uint8_t o[48];
	struct in6_addr a = tu_a6("2001:db8::a"), b = tu_a6("2001:db8::b");

	(void)state;
	memset(o, 0, sizeof(o));
	o[0] = o[24] = ND_OPT_RDNSS;
	o[1] = o[25] = 3;
	memcpy(o + 8, &a, 16);
	o[24 + 6] = 600 >> 8;
	o[24 + 7] = 600 & 0xff;
	memcpy(o + 32, &b, 16);
	assert_int_equal(ra_opts(o, sizeof(o), &ra), ND_OK);
	assert_int_equal(ra.n_rdnss, 2);
	assert_int_equal(ra.rdnss_lifetime[0], 0);
	assert_int_equal(ra.rdnss_lifetime[1], 600);
}

/* Builds a DNSSL option holding the wire bytes given, zero padded. */
static size_t
dnssl(uint8_t *o, const void *wire, size_t wlen)
{
	size_t len = (8 + wlen + 7) / 8 * 8;

	memset(o, 0, len);
	o[0] = ND_OPT_DNSSL;
	o[1] = (uint8_t)(len / 8);
	o[7] = 99;
	memcpy(o + 8, wire, wlen);
	return len;
}

static void
test_ra_dnssl_option(void **state)
{
	struct nd_ra ra;
	uint8_t o[400];
	size_t n;

	(void)state;
	n = dnssl(o, "\7Example\4TEST\0\3lab\0", 19);
	assert_int_equal(ra_opts(o, n, &ra), ND_OK);
	assert_int_equal(ra.n_dnssl, 2);
	assert_string_equal(ra.dnssl[0], "example.test");
	assert_string_equal(ra.dnssl[1], "lab");
	assert_int_equal(ra.dnssl_lifetime[0], 99);
	assert_int_equal(ra.dnssl_lifetime[1], 99);

	/* Non-zero padding. */
	n = dnssl(o, "\3lab\0", 5);
	o[n - 1] = 1;
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	/* No name at all. */
	memset(o, 0, 16);
	o[0] = ND_OPT_DNSSL;
	o[1] = 2;
	n = 16;
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	/* A compression pointer (RFC 8106 §5.2 forbids them). */
	n = dnssl(o, "\3lab\xc0\x08", 6);
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	/* A name that runs off the option without its root label. */
	n = dnssl(o, "\7example\7example", 16);
	assert_int_equal(n, 24);
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	/* A label that claims more than is there. */
	n = dnssl(o, "\x3f", 1);
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	/* Characters outside the host-name alphabet. */
	n = dnssl(o, "\3l b\0", 5);
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	n = dnssl(o, "\3l\nb\0", 5);
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	n = dnssl(o, "\3l.b\0", 5);
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	/* Too short to hold a name. */
	memset(o, 0, 8);
	o[0] = ND_OPT_DNSSL;
	o[1] = 1;
	assert_int_equal(ra_opts(o, 8, &ra), ND_OPT_BAD_LEN);

	/* The longest legal name, 253 characters: four labels 63+63+63+61. */
	uint8_t wire[300], *w = wire;
	for (int l = 0; l < 4; l++) {
		int ll = l < 3 ? 63 : 61;
		*w++ = (uint8_t)ll;
		memset(w, 'a' + l, (size_t)ll);
		w += ll;
	}
	*w++ = 0;
	n = dnssl(o, wire, (size_t)(w - wire));
	assert_int_equal(ra_opts(o, n, &ra), ND_OK);
	assert_int_equal(strlen(ra.dnssl[0]), 253);
	/* One character more is refused. */
	wire[64 * 3] = 62;
	memmove(wire + 64 * 3 + 1 + 62, wire + 64 * 3 + 1 + 61, 1);
	wire[64 * 3 + 1 + 61] = 'd';
	n = dnssl(o, wire, (size_t)(w - wire) + 1);
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);
	/* A label over 63. */
	memset(wire, 'x', sizeof(wire));
	wire[0] = 64;
	wire[65] = 0;
	n = dnssl(o, wire, 66);
	assert_int_equal(ra_opts(o, n, &ra), ND_OPT_BAD_VALUE);

	/* Nine names, eight fit. */
	n = dnssl(o, "\1a\0\1b\0\1c\0\1d\0\1e\0\1f\0\1g\0\1h\0\1i\0", 27);
	assert_int_equal(ra_opts(o, n, &ra), ND_TOO_MANY);
	n = dnssl(o, "\1a\0\1b\0\1c\0\1d\0\1e\0\1f\0\1g\0\1h\0", 24);
	assert_int_equal(ra_opts(o, n, &ra), ND_OK);
	assert_int_equal(ra.n_dnssl, ND_MAX_DNSSL);
	assert_string_equal(ra.dnssl[7], "h");
}

static size_t
redirect_make(uint8_t *b, const char *src, const char *target, const char *dst, const uint8_t *opts,
              size_t optlen)
{
	uint8_t icmp[128] = {ICMP6_REDIRECT};
	struct in6_addr t = tu_a6(target), d = tu_a6(dst);

	memcpy(icmp + 8, &t, 16);
	memcpy(icmp + 24, &d, 16);
	if (optlen > 0)
		memcpy(icmp + 40, opts, optlen);
	return tu_ipv6(b, src, "fe80::5efe:c000:201", 58, 255, icmp, 40 + optlen);
}

static void
test_redirect(void **state)
{
	uint8_t b[256], opts[56] = {0};
	struct nd_redirect r;
	struct in6_addr want;
	size_t n;

	(void)state;
	/* A better first hop on the link (RFC 4861 §8.1: link-local target). */
	n = redirect_make(b, RA_SRC, "fe80::5efe:c000:2fd", "2001:db8:2::2", NULL, 0);
	assert_int_equal(nd_parse_redirect(b, n, &r), ND_OK);
	want = tu_a6(RA_SRC);
	assert_memory_equal(&r.src, &want, 16);
	want = tu_a6("fe80::5efe:c000:2fd");
	assert_memory_equal(&r.target, &want, 16);
	want = tu_a6("2001:db8:2::2");
	assert_memory_equal(&r.dst, &want, 16);

	/* The destination is on-link itself: target == destination. */
	n = redirect_make(b, RA_SRC, "2001:db8:1::5efe:c000:2fd", "2001:db8:1::5efe:c000:2fd", NULL,
	                  0);
	assert_int_equal(nd_parse_redirect(b, n, &r), ND_OK);

	/* With a Redirected Header option (type 4, 6 units). */
	opts[0] = ND_OPT_REDIRECTED;
	opts[1] = 6;
	n = redirect_make(b, RA_SRC, "fe80::1", "2001:db8:2::2", opts, 48);
	assert_int_equal(nd_parse_redirect(b, n, &r), ND_OK);
	opts[1] = 7;
	n = redirect_make(b, RA_SRC, "fe80::1", "2001:db8:2::2", opts, 48);
	assert_int_equal(nd_parse_redirect(b, n, &r), ND_OPT_OVERRUN);
	opts[1] = 0;
	n = redirect_make(b, RA_SRC, "fe80::1", "2001:db8:2::2", opts, 48);
	assert_int_equal(nd_parse_redirect(b, n, &r), ND_OPT_ZERO_LEN);

	n = redirect_make(b, RA_SRC, "fe80::1", "ff0e::1", NULL, 0);
	assert_int_equal(nd_parse_redirect(b, n, &r), ND_REDIRECT_MCAST_DST);
	n = redirect_make(b, RA_SRC, "2001:db8:9::1", "2001:db8:2::2", NULL, 0);
	assert_int_equal(nd_parse_redirect(b, n, &r), ND_REDIRECT_BAD_TARGET);
	n = redirect_make(b, "2001:db8::1", "fe80::1", "2001:db8:2::2", NULL, 0);
	assert_int_equal(nd_parse_redirect(b, n, &r), ND_SRC_NOT_LINKLOCAL);

	/* Too short for the fixed part. */
	n = redirect_make(b, RA_SRC, "fe80::1", "2001:db8:2::2", NULL, 0);
	b[5] = 39;
	assert_int_equal(nd_parse_redirect(b, n - 1, &r), ND_SHORT);
	/* An RA is not a Redirect. */
	assert_int_equal(nd_parse_redirect(vec_ra + 20, vec_ra_len - 20, &r), ND_WRONG_TYPE);
}

static void
test_nd_type(void **state)
{
	uint8_t b[128], icmp[24] = {0};
	size_t n;

	(void)state;
	assert_int_equal(nd_type(vec_ra + 20, vec_ra_len - 20), ICMP6_ROUTER_ADVERT);
	assert_int_equal(nd_type(vec_rs + 20, vec_rs_len - 20), ICMP6_ROUTER_SOLICIT);
	assert_int_equal(nd_type(vec_echo_routed + 20, vec_echo_routed_len - 20), 0);
	for (int t = 130; t <= 140; t++) {
		icmp[0] = (uint8_t)t;
		n = tu_ipv6(b, RA_SRC, RA_DST, 58, 255, icmp, sizeof(icmp));
		assert_int_equal(nd_type(b, n), t >= 133 && t <= 137 ? t : 0);
		n = tu_ipv6(b, RA_SRC, RA_DST, 58, 64, icmp, sizeof(icmp));
		assert_int_equal(nd_type(b, n), 0); /* hop limit */
	}
	icmp[0] = 134;
	n = tu_ipv6(b, RA_SRC, RA_DST, 60, 255, icmp, sizeof(icmp));
	assert_int_equal(nd_type(b, n), 0); /* not straight after the header */
	assert_int_equal(nd_type(b, 30), 0);
}

/* Our RS is byte for byte the user-space RS of the capture (frame 1):
 * hop limit 255, no options (RFC 5214 §8.3.4). */
static void
test_build_rs(void **state)
{
	uint8_t b[ND_RS_LEN + 8];
	struct in6_addr src = tu_a6("fe80::5efe:c000:201"), dst = tu_a6("fe80::5efe:c000:2fe");

	(void)state;
	assert_int_equal(vec_rs_len - 20, ND_RS_LEN);
	assert_int_equal(nd_build_rs(b, sizeof(b), &src, &dst), ND_RS_LEN);
	assert_memory_equal(b, vec_rs + 20, ND_RS_LEN);
	assert_int_equal(nd_type(b, ND_RS_LEN), ICMP6_ROUTER_SOLICIT);
	assert_int_equal(nd_build_rs(b, ND_RS_LEN - 1, &src, &dst), 0);
	assert_int_equal(nd_build_rs(b, ND_RS_LEN, &src, &dst), ND_RS_LEN);
}

static void
test_reason_names(void **state)
{
	(void)state;
	for (int r = 0; r < ND_REASON_COUNT; r++) {
		const char *n = nd_reason_name((enum nd_reason)r);
		assert_non_null(n);
		assert_string_not_equal(n, "invalid");
		for (int q = 0; q < r; q++)
			assert_string_not_equal(n, nd_reason_name((enum nd_reason)q));
	}
	assert_string_equal(nd_reason_name(ND_OPT_OVERRUN), "opt_overrun");
	assert_string_equal(nd_reason_name(ND_REASON_COUNT), "invalid");
}

/* RFC 4861 §7.1.1, one rule at a time. */
static void
test_parse_ns(void **state)
{
	uint8_t m[40] = {ICMP6_NEIGHBOR_SOLICIT}, pkt[200];
	struct in6_addr t = tu_a6("2001:db8:1::5efe:c000:201");
	struct nd_ns ns;
	size_t len;

	(void)state;
	memcpy(m + 8, &t, 16);
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m,
	              24);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_OK);
	assert_memory_equal(&ns.target, &t, 16);
	assert_memory_equal(&ns.src, tu_a6("2001:db8:1::1").s6_addr, 16);
	/* Any source, not only link-local: it is no router message. */
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 64, m,
	              24);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_BAD_HOPLIMIT);
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m,
	              20);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_SHORT);
	m[1] = 1;
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m,
	              24);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_BAD_CODE);
	m[1] = 0;
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m,
	              24);
	pkt[60] ^= 1;
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_BAD_CHECKSUM);
	/* Options: a zero length, an overrun. */
	m[24] = ND_OPT_SOURCE_LLADDR;
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m,
	              32);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_OPT_ZERO_LEN);
	m[25] = 2;
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m,
	              32);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_OPT_OVERRUN);
	m[25] = 1;
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m,
	              32);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_OK);
	/* Duplicate address detection: from :: to the solicited-node group,
	 * and then never with a Source Link-Layer Address option. */
	len = tu_ipv6(pkt, "::", "ff02::1:ffc0:201", IPPROTO_ICMPV6_NUM, 255, m, 32);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_NS_BAD_DAD);
	len = tu_ipv6(pkt, "::", "ff02::1:ffc0:201", IPPROTO_ICMPV6_NUM, 255, m, 24);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_OK);
	len = tu_ipv6(pkt, "::", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m, 24);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_NS_BAD_DAD);
	/* A multicast target. */
	t = tu_a6("ff02::1");
	memcpy(m + 8, &t, 16);
	len = tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m,
	              24);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_NS_MCAST_TARGET);
	/* An RA is no NS. */
	m[0] = ICMP6_ROUTER_ADVERT;
	len = tu_ipv6(pkt, "fe80::1", "2001:db8:1::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255, m, 24);
	assert_int_equal(nd_parse_ns(pkt, len, &ns), ND_WRONG_TYPE);
}

static void
test_build_na(void **state)
{
	struct in6_addr me = tu_a6("fe80::5efe:c000:201"), peer = tu_a6("fe80::5efe:c000:202");
	uint8_t na[ND_NA_LEN + 8];
	struct pkt_ipv6 ip;

	(void)state;
	assert_int_equal(nd_build_na(na, ND_NA_LEN - 1, &me, &peer, &me, 0), 0);
	assert_int_equal(nd_build_na(na, sizeof(na), &me, &peer, &me, 0xff), ND_NA_LEN);
	assert_int_equal(pkt_parse_ipv6(na, ND_NA_LEN, &ip), PKT_OK);
	assert_int_equal(ip.hop_limit, 255);
	assert_int_equal(na[40], ICMP6_NEIGHBOR_ADVERT);
	/* Only R, S and O; the reserved bits stay zero. */
	assert_int_equal(na[44], ND_NA_ROUTER | ND_NA_SOLICITED | ND_NA_OVERRIDE);
	assert_int_equal(na[45] | na[46] | na[47], 0);
	assert_memory_equal(na + 48, &me, 16);
	assert_int_equal(pkt_icmp6_csum(&me, &peer, na + 40, 24), 0);
	assert_int_equal(nd_type(na, ND_NA_LEN), ICMP6_NEIGHBOR_ADVERT);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ra_capture),
	        cmocka_unit_test(test_ra_capture_bitflips),
	        cmocka_unit_test(test_ra_header_rejects),
	        cmocka_unit_test(test_ra_flags),
	        cmocka_unit_test(test_ra_option_framing),
	        cmocka_unit_test(test_ra_prefix_option),
	        cmocka_unit_test(test_ra_mtu_option),
	        cmocka_unit_test(test_ra_route_option),
	        cmocka_unit_test(test_ra_rdnss_option),
	        cmocka_unit_test(test_ra_rdnss_per_option_lifetime),
	        cmocka_unit_test(test_parse_ns),
	        cmocka_unit_test(test_build_na),
	        cmocka_unit_test(test_ra_dnssl_option),
	        cmocka_unit_test(test_redirect),
	        cmocka_unit_test(test_nd_type),
	        cmocka_unit_test(test_build_rs),
	        cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests_name("proto_nd", tests, NULL, NULL);
}
