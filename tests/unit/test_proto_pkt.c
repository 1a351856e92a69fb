/* proto/pkt.c: outer IPv4, inner IPv6, extension headers, checksums. */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/vectors.h"

static const struct {
	const uint8_t *p;
	const size_t *len;
	const char *src, *dst;
} captured[] = {
        {vec_rs, &vec_rs_len, VEC_CLIENT_V4, VEC_ROUTER_V4},
        {vec_ra, &vec_ra_len, VEC_ROUTER_V4, VEC_CLIENT_V4},
        {vec_echo_out, &vec_echo_out_len, VEC_CLIENT_V4, VEC_ROUTER_V4},
        {vec_echo_routed, &vec_echo_routed_len, VEC_ROUTER_V4, VEC_CLIENT_V4},
        {vec_echo_onlink, &vec_echo_onlink_len, VEC_CLIENT_V4, VEC_HOST_V4},
        {vec_echo_onlink_reply, &vec_echo_onlink_reply_len, VEC_HOST_V4, VEC_CLIENT_V4},
        {vec_kernel_echo, &vec_kernel_echo_len, VEC_HOST_V4, VEC_CLIENT_V4},
};

/* Every protocol-41 frame of the capture parses, outer and inner, and its
 * ICMPv6 checksum verifies. */
static void
test_capture_parses(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(captured) / sizeof(captured[0]); i++) {
		const uint8_t *p = captured[i].p;
		size_t len = *captured[i].len, off;
		struct pkt_ipv4 o;
		struct pkt_ipv6 in;

		assert_int_equal(pkt_parse_ipv4(p, len, &o), PKT_OK);
		assert_int_equal(o.src.s_addr, tu_a4(captured[i].src).s_addr);
		assert_int_equal(o.dst.s_addr, tu_a4(captured[i].dst).s_addr);
		assert_int_equal(o.proto, 41);
		assert_int_equal(o.hdr_len, 20);
		assert_int_equal(o.total_len, len);
		assert_int_equal(pkt_parse_ipv6(p + 20, len - 20, &in), PKT_OK);
		assert_int_equal(in.next_header, IPPROTO_ICMPV6_NUM);
		assert_int_equal(in.payload_len, len - 60);
		assert_int_equal(pkt_ipv6_upper(p + 20, len - 20, &off), IPPROTO_ICMPV6_NUM);
		assert_int_equal(off, 40);
		assert_int_equal(pkt_icmp6_csum(&in.src, &in.dst, p + 60, len - 60), 0);
	}
}

static void
test_capture_fields(void **state)
{
	struct pkt_ipv4 o;
	struct pkt_ipv6 in;
	struct in6_addr want;

	(void)state;
	/* Frame 2, the RA: outer DF set by the kernel is not a fragment. */
	assert_int_equal(pkt_parse_ipv4(vec_ra, vec_ra_len, &o), PKT_OK);
	assert_int_equal(o.ttl, 64);
	assert_int_equal(o.tos, 0);
	assert_int_equal(pkt_parse_ipv6(vec_ra + 20, vec_ra_len - 20, &in), PKT_OK);
	assert_int_equal(in.hop_limit, 255);
	assert_int_equal(in.payload_len, 160);
	assert_int_equal(in.flow_label, 0x08a50);
	assert_int_equal(in.traffic_class, 0);
	want = tu_a6("fe80::5efe:c000:2fe");
	assert_memory_equal(&in.src, &want, 16);
	want = tu_a6("fe80::5efe:c000:201");
	assert_memory_equal(&in.dst, &want, 16);
	/* Frame 4: forwarded by the router, hop limit 63. */
	assert_int_equal(pkt_parse_ipv6(vec_echo_routed + 20, vec_echo_routed_len - 20, &in),
	                 PKT_OK);
	assert_int_equal(in.hop_limit, 63);
}

static void
test_ipv4_rejects(void **state)
{
	uint8_t b[128];
	uint8_t inner[60] = {0x60};
	struct pkt_ipv4 o;
	size_t n;

	(void)state;
	n = tu_ipv4(b, "192.0.2.1", "192.0.2.2", inner, sizeof(inner));
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_OK);

	assert_int_equal(pkt_parse_ipv4(b, 0, &o), PKT_SHORT);
	assert_int_equal(pkt_parse_ipv4(b, 19, &o), PKT_SHORT);

	b[0] = 0x65;
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_BAD_VERSION);
	b[0] = 0x44; /* IHL 4 */
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_BAD_HDRLEN);
	b[0] = 0x4f; /* IHL 15 = 60 octets, more than a 40-octet datagram */
	assert_int_equal(pkt_parse_ipv4(b, 40, &o), PKT_BAD_HDRLEN);
	b[0] = 0x45;

	/* Total length shorter than the header. */
	b[2] = 0;
	b[3] = 19;
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_BAD_HDRLEN);
	/* Says more than we got / less than we got. */
	b[3] = (uint8_t)(n + 1);
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_TRUNCATED);
	b[3] = (uint8_t)(n - 1);
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_LEN_MISMATCH);
	b[3] = (uint8_t)n;
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_OK);

	b[11] ^= 1;
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_BAD_CHECKSUM);
	b[11] ^= 1;

	b[6] = 0x20; /* MF */
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_FRAGMENT);
	b[6] = 0x00;
	b[7] = 0x01; /* offset 8 */
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_FRAGMENT);
	b[6] = 0x40; /* DF only: fine */
	b[7] = 0;
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_OK);

	b[9] = 4; /* IP-in-IP */
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, n, &o), PKT_NOT_PROTO41);
	b[9] = 41;

	/* The capture's ICMPv4 error is not protocol 41. */
	assert_int_equal(pkt_parse_ipv4(vec_icmp4_unreach, vec_icmp4_unreach_len, &o),
	                 PKT_NOT_PROTO41);
}

static void
test_ipv4_options(void **state)
{
	uint8_t b[128] = {0};
	struct pkt_ipv4 o;

	(void)state;
	/* A 24-octet header with one NOP + EOL option word, then 40 octets. */
	pkt_build_ipv4(b, tu_a4("192.0.2.1"), tu_a4("192.0.2.2"), 44, 1, 64, 0);
	b[0] = 0x46;
	b[20] = 1; /* NOP */
	tu_ipv4_fix(b);
	assert_int_equal(pkt_parse_ipv4(b, 64, &o), PKT_V4_OPTIONS);
}

static void
test_build_ipv4(void **state)
{
	uint8_t h[20];
	struct pkt_ipv4 o;
	static const uint8_t want[20] = {0x45, 0xb8, 0x00, 0x44, 0xbe, 0xef, 0x00,
	                                 0x00, 0x40, 0x29, 0x00, 0x00, 0xc0, 0x00,
	                                 0x02, 0x01, 0xc0, 0x00, 0x02, 0xfe};

	(void)state;
	pkt_build_ipv4(h, tu_a4("192.0.2.1"), tu_a4("192.0.2.254"), 48, 0xbeef, 64, 0xb8);
	assert_int_equal(pkt_ipv4_csum(h, 20), 0);
	assert_memory_equal(h, want, 10);
	assert_memory_equal(h + 12, want + 12, 8);
	/* And it is what the parser wants (with 48 bytes behind it). */
	uint8_t d[68] = {0};
	memcpy(d, h, 20);
	assert_int_equal(pkt_parse_ipv4(d, sizeof(d), &o), PKT_OK);
	assert_int_equal(o.tos, 0xb8);
	assert_int_equal(o.ttl, 64);

	/* Frame 1's header differs from ours only in DF and so the checksum. */
	pkt_build_ipv4(h, tu_a4("192.0.2.1"), tu_a4("192.0.2.254"), 48, 0xf77f, 64, 0);
	assert_memory_equal(h, vec_rs, 6);
	assert_int_equal(vec_rs[6], 0x40);
	assert_int_equal(h[6], 0x00);
	assert_memory_equal(h + 7, vec_rs + 7, 3);
	assert_memory_equal(h + 12, vec_rs + 12, 8);
}

static void
test_ipv6_rejects(void **state)
{
	uint8_t b[80];
	uint8_t payload[8] = {0};
	struct pkt_ipv6 in;
	size_t n;

	(void)state;
	n = tu_ipv6(b, "2001:db8::1", "2001:db8::2", 59, 64, payload, sizeof(payload));
	assert_int_equal(pkt_parse_ipv6(b, n, &in), PKT_OK);
	assert_int_equal(pkt_parse_ipv6(b, 39, &in), PKT_SHORT);
	assert_int_equal(pkt_parse_ipv6(b, n - 1, &in), PKT_TRUNCATED);
	b[n] = 0;
	assert_int_equal(pkt_parse_ipv6(b, n + 1, &in), PKT_LEN_MISMATCH);
	b[0] = 0x40;
	assert_int_equal(pkt_parse_ipv6(b, n, &in), PKT_BAD_VERSION);
	b[0] = 0x6f; /* traffic class / flow label bits are data */
	b[1] = 0xff;
	b[2] = 0xff;
	b[3] = 0xff;
	assert_int_equal(pkt_parse_ipv6(b, n, &in), PKT_OK);
	assert_int_equal(in.traffic_class, 0xff);
	assert_int_equal(in.flow_label, 0xfffff);
	b[4] = 0;
	b[5] = 0;
	assert_int_equal(pkt_parse_ipv6(b, 40, &in), PKT_JUMBO);
}

/* Extension-header chains (RFC 8200 §4). */
static void
test_ipv6_upper(void **state)
{
	uint8_t b[200], pl[64];
	size_t n, off;

	(void)state;
	/* hop-by-hop (8) -> destination options (16) -> ICMPv6 */
	memset(pl, 0, sizeof(pl));
	pl[0] = 60;
	pl[1] = 0;
	pl[8] = 58;
	pl[9] = 1;
	pl[24] = 143;
	n = tu_ipv6(b, "fe80::1", "ff02::16", 0, 1, pl, 32);
	assert_int_equal(pkt_ipv6_upper(b, n, &off), 58);
	assert_int_equal(off, 64);
	assert_int_equal(b[off], 143);

	/* routing (43) -> fragment (44) stops the walk at the fragment header. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 44;
	pl[1] = 0;
	pl[8] = 58;
	n = tu_ipv6(b, "2001:db8::1", "2001:db8::2", 43, 64, pl, 24);
	assert_int_equal(pkt_ipv6_upper(b, n, &off), 44);
	assert_int_equal(off, 48);

	/* A second hop-by-hop header is malformed. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 0;
	n = tu_ipv6(b, "2001:db8::1", "2001:db8::2", 60, 64, pl, 16);
	assert_int_equal(pkt_ipv6_upper(b, n, &off), -1);

	/* A header whose length runs past the packet. */
	memset(pl, 0, sizeof(pl));
	pl[0] = 58;
	pl[1] = 2; /* 24 octets, only 16 present */
	n = tu_ipv6(b, "2001:db8::1", "2001:db8::2", 60, 64, pl, 16);
	assert_int_equal(pkt_ipv6_upper(b, n, &off), -1);
	/* A header cut in its first two octets. */
	n = tu_ipv6(b, "2001:db8::1", "2001:db8::2", 60, 64, pl, 1);
	assert_int_equal(pkt_ipv6_upper(b, n, &off), -1);
	/* Nothing after the fixed header. */
	b[6] = 60;
	assert_int_equal(pkt_ipv6_upper(b, 40, &off), -1);

	/* No next header (59) and plain TCP: the protocol itself. */
	n = tu_ipv6(b, "2001:db8::1", "2001:db8::2", 59, 64, pl, 0);
	assert_int_equal(pkt_ipv6_upper(b, 40, &off), 59);
	assert_int_equal(off, 40);
	b[6] = 6;
	assert_int_equal(pkt_ipv6_upper(b, 40, &off), 6);
	assert_int_equal(pkt_ipv6_upper(b, 39, &off), -1);
	(void)n;
}

static void
test_checksum(void **state)
{
	/* RFC 1071 §3 example: the sum of 00 01 f2 03 f4 f5 f6 f7 is ddf2. */
	static const uint8_t rfc1071[8] = {0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
	static const uint8_t odd[3] = {0x12, 0x34, 0x56};
	uint32_t s;

	(void)state;
	assert_int_equal(pkt_csum_fold(pkt_csum_add(0, rfc1071, 8)), (uint16_t)~0xddf2);
	/* Chaining even-length pieces equals one pass. */
	s = pkt_csum_add(0, rfc1071, 4);
	s = pkt_csum_add(s, rfc1071 + 4, 4);
	assert_int_equal(pkt_csum_fold(s), (uint16_t)~0xddf2);
	/* An odd tail is padded with a zero octet: 0x1234 + 0x5600. */
	assert_int_equal(pkt_csum_fold(pkt_csum_add(0, odd, 3)), (uint16_t)~0x6834);
	assert_int_equal(pkt_csum_fold(0), 0xffff);
	/* Carries past 32 bits are folded, not lost: 70000 words of ffff. */
	static uint8_t ones[140000];
	memset(ones, 0xff, sizeof(ones));
	s = pkt_csum_add(0xffffffffu, ones, sizeof(ones));
	assert_int_equal(pkt_csum_fold(s), 0);
	/* The capture's RS, and a corrupted copy. */
	struct in6_addr src = tu_a6("fe80::5efe:c000:201"), dst = tu_a6("fe80::5efe:c000:2fe");
	uint8_t rs[8];
	memcpy(rs, vec_rs + 60, 8);
	assert_int_equal(pkt_icmp6_csum(&src, &dst, rs, 8), 0);
	rs[4] = 1;
	assert_int_not_equal(pkt_icmp6_csum(&src, &dst, rs, 8), 0);
	/* The outer headers of the capture. */
	assert_int_equal(pkt_ipv4_csum(vec_ra, 20), 0);
	assert_int_equal(pkt_ipv4_csum(vec_icmp4_unreach, 20), 0);
}

static void
test_reason_names(void **state)
{
	(void)state;
	for (int r = 0; r < PKT_REASON_COUNT; r++) {
		const char *n = pkt_reason_name((enum pkt_reason)r);
		assert_non_null(n);
		assert_string_not_equal(n, "invalid");
		for (int q = 0; q < r; q++)
			assert_string_not_equal(n, pkt_reason_name((enum pkt_reason)q));
	}
	assert_string_equal(pkt_reason_name(PKT_FRAGMENT), "fragment");
	assert_string_equal(pkt_reason_name(PKT_REASON_COUNT), "invalid");
	assert_string_equal(pkt_reason_name((enum pkt_reason) - 1), "invalid");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_capture_parses), cmocka_unit_test(test_capture_fields),
	        cmocka_unit_test(test_ipv4_rejects),   cmocka_unit_test(test_ipv4_options),
	        cmocka_unit_test(test_build_ipv4),     cmocka_unit_test(test_ipv6_rejects),
	        cmocka_unit_test(test_ipv6_upper),     cmocka_unit_test(test_checksum),
	        cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests_name("proto_pkt", tests, NULL, NULL);
}
