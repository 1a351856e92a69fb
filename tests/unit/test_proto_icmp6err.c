/*
 * proto/icmp6err.c: ICMPv6 Destination Unreachable for what the datapath
 * cannot deliver. The message byte for byte, the RFC 4443 §2.4(c) size
 * bound, the checksum recomputed here independently, every §2.4(e) refusal
 * including the extension header walk, the code mapping and the choice of
 * source address.
 */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "icmp6err.h"
#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"

#define BIG 2048

#define ME    "2001:db8:1::5efe:c000:201"
#define ME_LL "fe80::5efe:c000:201"
#define FAR   "2001:db8:1::1"

/* An ICMPv6 message of type with plen octets after its 8-octet header,
 * behind the given extension headers (ext[0..elen), first_nh the IPv6
 * next header): the packet's length. */
static size_t
mkpkt(uint8_t *buf, const char *src, const char *dst, uint8_t first_nh, const uint8_t *ext,
      size_t elen, uint8_t type, size_t plen)
{
	uint8_t payload[BIG] = {0};

	assert_true(elen + 8 + plen <= sizeof(payload));
	if (elen > 0)
		memcpy(payload, ext, elen);
	payload[elen] = type;
	for (size_t i = 0; i < plen; i++)
		payload[elen + 8 + i] = (uint8_t)(i * 7);
	return tu_ipv6(buf, src, dst, first_nh, 64, payload, elen + 8 + plen);
}

static size_t
echo(uint8_t *buf, const char *src, const char *dst, size_t plen)
{
	return mkpkt(buf, src, dst, IPPROTO_ICMPV6_NUM, NULL, 0, ICMP6_ECHO_REQUEST, plen);
}

/* RFC 1071 over the RFC 8200 §8.1 pseudo-header, written out here rather
 * than through pkt_icmp6_csum(), which the builder uses. */
static uint16_t
ref_csum(const uint8_t *ip6, size_t len)
{
	uint32_t sum = 0;
	size_t ulen = len - IPV6_HDR_LEN;

	for (size_t i = 8; i < 40; i += 2)
		sum += (uint32_t)(ip6[i] << 8 | ip6[i + 1]);
	sum += (uint32_t)(ulen >> 16) + (uint32_t)(ulen & 0xffff);
	sum += IPPROTO_ICMPV6_NUM;
	for (size_t i = IPV6_HDR_LEN; i < len; i += 2)
		sum += (uint32_t)(ip6[i] << 8 | (i + 1 < len ? ip6[i + 1] : 0));
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

static enum icmp6err_reason
build(uint8_t *out, size_t cap, const char *src, uint8_t code, const uint8_t *p, size_t len,
      size_t *olen)
{
	struct in6_addr s = tu_a6(src);

	return icmp6err_build(out, cap, &s, ICMP6_DST_UNREACH, code, p, len, olen);
}

/* ---- the message ------------------------------------------------------------ */

static void
test_exact_bytes(void **state)
{
	uint8_t pkt[BIG], out[BIG];
	size_t len = echo(pkt, ME, FAR, 56), n = 0;
	struct in6_addr s = tu_a6(ME), d = tu_a6(ME);
	/* What RFC 4443 §3.1 and RFC 8200 §3 say, field by field. */
	/* clang-format off */
	const uint8_t want[48] = {
	        0x60, 0x00, 0x00, 0x00,             /* version 6, tc 0, flow 0 */
	        0x00, 8 + 104, 58, 64,              /* payload len, ICMPv6, hop limit */
	        0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, /* source: ours */
	        0, 0, 0x5e, 0xfe, 0xc0, 0, 0x02, 0x01,
	        0x20, 0x01, 0x0d, 0xb8, 0, 1, 0, 0, /* destination: the sender */
	        0, 0, 0x5e, 0xfe, 0xc0, 0, 0x02, 0x01,
	        1, 3, 0, 0,                         /* type 1 code 3, checksum below */
	        0, 0, 0, 0,                         /* unused */
	};
	/* clang-format on */

	assert_int_equal(len, 104);
	assert_int_equal(build(out, sizeof(out), ME, ICMP6_UNREACH_ADDR, pkt, len, &n),
	                 ICMP6ERR_OK);
	assert_int_equal(n, 48 + len);
	assert_memory_equal(out, want, 42);
	assert_memory_equal(out + 44, want + 44, 4);
	/* The whole invoking packet follows, untouched. */
	assert_memory_equal(out + 48, pkt, len);
	/* The checksum: what an independent sum computes, and a receiver's
	 * check over the finished message comes to zero. */
	uint16_t got = (uint16_t)(out[42] << 8 | out[43]);
	out[42] = out[43] = 0;
	assert_int_equal(got, ref_csum(out, n));
	out[42] = (uint8_t)(got >> 8);
	out[43] = (uint8_t)got;
	assert_int_equal(pkt_icmp6_csum(&s, &d, out + 40, n - 40), 0);
	/* And it parses as the IPv6 packet it claims to be. */
	struct pkt_ipv6 ip;
	assert_int_equal(pkt_parse_ipv6(out, n, &ip), PKT_OK);
	assert_int_equal(ip.payload_len, n - 40);
}

static void
test_code_and_source_as_given(void **state)
{
	uint8_t pkt[BIG], out[BIG];
	size_t len = echo(pkt, ME_LL, "fe80::1", 8), n = 0;

	assert_int_equal(build(out, sizeof(out), ME_LL, ICMP6_UNREACH_NO_ROUTE, pkt, len, &n),
	                 ICMP6ERR_OK);
	assert_int_equal(out[40], 1);
	assert_int_equal(out[41], 0);
	struct in6_addr s = tu_a6(ME_LL);
	assert_memory_equal(out + 8, &s, 16);
	assert_memory_equal(out + 24, &s, 16); /* the echo's source */
	assert_int_equal(ref_csum(out, n), 0);
}

/* RFC 4443 §2.4(c): the error never exceeds 1280 octets. */
static void
test_truncated_to_min_mtu(void **state)
{
	uint8_t pkt[BIG], out[BIG];
	size_t n = 0, len;

	/* 1232 octets fit exactly: 40 + 8 + 1232 = 1280. */
	len = echo(pkt, ME, FAR, 1232 - 48);
	assert_int_equal(len, 1232);
	assert_int_equal(build(out, sizeof(out), ME, 3, pkt, len, &n), ICMP6ERR_OK);
	assert_int_equal(n, 1280);
	assert_memory_equal(out + 48, pkt, 1232);

	/* One more and the quote is cut, not the bound exceeded. */
	len = echo(pkt, ME, FAR, 1233 - 48);
	assert_int_equal(build(out, sizeof(out), ME, 3, pkt, len, &n), ICMP6ERR_OK);
	assert_int_equal(n, 1280);
	assert_int_equal(out[4] << 8 | out[5], 1240);
	assert_memory_equal(out + 48, pkt, 1232);
	assert_int_equal(ref_csum(out, n), 0);

	/* A 1500-octet packet: the same 1280. */
	len = echo(pkt, ME, FAR, 1500 - 48);
	assert_int_equal(build(out, sizeof(out), ME, 3, pkt, len, &n), ICMP6ERR_OK);
	assert_int_equal(n, 1280);
	assert_memory_equal(out + 48, pkt, 1232);
	assert_int_equal(ref_csum(out, n), 0);
}

static void
test_small_buffer(void **state)
{
	uint8_t pkt[BIG], out[BIG];
	size_t len = echo(pkt, ME, FAR, 200), n = 0;

	memset(out, 0xaa, sizeof(out));
	assert_int_equal(build(out, 101, ME, 3, pkt, len, &n), ICMP6ERR_OK);
	assert_int_equal(n, 101); /* odd length: the checksum pads */
	assert_int_equal(out[101], 0xaa);
	assert_memory_equal(out + 48, pkt, 53);
	assert_int_equal(ref_csum(out, n), 0);
	assert_int_equal(build(out, 48, ME, 3, pkt, len, &n), ICMP6ERR_OK);
	assert_int_equal(n, 48);
	n = 7;
	assert_int_equal(build(out, 47, ME, 3, pkt, len, &n), ICMP6ERR_NO_ROOM);
	assert_int_equal(n, 7);
}

/* ---- RFC 4443 §2.4(e): never in reply to ... ------------------------------------- */

static void
test_never_to_errors_or_redirects(void **state)
{
	uint8_t pkt[BIG];
	static const uint8_t errors[] = {1, 2, 3, 4, 100, 127, ICMP6_REDIRECT};
	static const uint8_t informational[] = {ICMP6_ECHO_REQUEST,     ICMP6_ECHO_REPLY,
	                                        ICMP6_NEIGHBOR_SOLICIT, ICMP6_NEIGHBOR_ADVERT,
	                                        ICMP6_ROUTER_SOLICIT,   255};

	for (size_t i = 0; i < sizeof(errors); i++) {
		size_t len = mkpkt(pkt, ME, FAR, IPPROTO_ICMPV6_NUM, NULL, 0, errors[i], 40);

		assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_ERROR);
	}
	for (size_t i = 0; i < sizeof(informational); i++) {
		size_t len = mkpkt(pkt, ME, FAR, IPPROTO_ICMPV6_NUM, NULL, 0, informational[i], 40);

		assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_OK);
	}
}

static void
test_never_from_bad_sources_or_to_groups(void **state)
{
	uint8_t pkt[BIG], out[BIG];
	size_t n = 0, len;
	static const char *const bad_src[] = {"::", "ff02::1", "ff0e::1", "::1",
	                                      "::ffff:192.0.2.9"};

	for (size_t i = 0; i < sizeof(bad_src) / sizeof(bad_src[0]); i++) {
		len = echo(pkt, bad_src[i], FAR, 8);
		assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_SRC);
		/* The builder refuses the same, and writes nothing. */
		out[0] = 0xee;
		assert_int_equal(build(out, sizeof(out), ME, 0, pkt, len, &n), ICMP6ERR_SRC);
		assert_int_equal(out[0], 0xee);
	}
	len = echo(pkt, ME, "ff02::1", 8);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_DST_MCAST);
	len = echo(pkt, ME, "ff05::1:3", 8);
	assert_int_equal(build(out, sizeof(out), ME, 0, pkt, len, &n), ICMP6ERR_DST_MCAST);
	/* A UDP datagram is answered like an echo. */
	uint8_t udp[16] = {0x12, 0x34, 0x00, 0x35, 0, 16};
	len = tu_ipv6(pkt, ME, FAR, 17, 64, udp, sizeof(udp));
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_OK);
}

static void
test_not_whole_packets(void **state)
{
	uint8_t pkt[BIG];
	size_t len = echo(pkt, ME, FAR, 16);

	assert_int_equal(icmp6err_check(pkt, 39), ICMP6ERR_MALFORMED);
	assert_int_equal(icmp6err_check(pkt, len - 1), ICMP6ERR_MALFORMED); /* length disagrees */
	pkt[0] = 0x45;
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_MALFORMED);
}

/* A fragment header: next header, reserved, offset<<3 | M, identification. */
static void
frag(uint8_t *h, uint8_t next, uint16_t offset_units, bool more)
{
	uint16_t v = (uint16_t)(offset_units << 3 | (more ? 1 : 0));

	memset(h, 0, 8);
	h[0] = next;
	h[2] = (uint8_t)(v >> 8);
	h[3] = (uint8_t)v;
	h[7] = 0x42;
}

static void
test_only_first_fragments(void **state)
{
	uint8_t pkt[BIG], ext[8];
	size_t len;

	/* The first fragment of an echo (offset 0, more to come): answered. */
	frag(ext, IPPROTO_ICMPV6_NUM, 0, true);
	len = mkpkt(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, ext, 8, ICMP6_ECHO_REQUEST, 32);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_OK);
	/* Any later one: never, whatever it carries. */
	frag(ext, IPPROTO_ICMPV6_NUM, 1, true);
	len = mkpkt(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, ext, 8, ICMP6_ECHO_REQUEST, 32);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_FRAGMENT);
	frag(ext, IPPROTO_ICMPV6_NUM, 0x1fff, false);
	len = mkpkt(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, ext, 8, ICMP6_ECHO_REQUEST, 32);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_FRAGMENT);
	/* The last fragment of many (offset set, M clear). */
	frag(ext, 17, 185, false);
	len = mkpkt(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, ext, 8, 0, 32);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_FRAGMENT);
	/* The first fragment of an ICMPv6 error is still an error. */
	frag(ext, IPPROTO_ICMPV6_NUM, 0, true);
	len = mkpkt(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, ext, 8, 1, 32);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_ERROR);
	/* An atomic fragment (offset 0, M clear, RFC 6946) is a whole packet. */
	frag(ext, IPPROTO_ICMPV6_NUM, 0, false);
	len = mkpkt(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, ext, 8, ICMP6_ECHO_REQUEST, 32);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_OK);
}

static void
test_extension_header_walk(void **state)
{
	uint8_t pkt[BIG], ext[64];
	size_t len;

	/* Hop-by-hop, destination options, routing, fragment (offset 0),
	 * destination options, then an ICMPv6 error: walked to the end. */
	memset(ext, 0, sizeof(ext));
	ext[0] = IPPROTO_DSTOPTS_NUM; /* hop-by-hop, 8 octets */
	ext[8] = IPPROTO_ROUTING_NUM; /* dest opts, 16 octets */
	ext[9] = 1;
	ext[24] = IPPROTO_FRAGMENT_NUM; /* routing, 8 octets */
	frag(ext + 32, IPPROTO_DSTOPTS_NUM, 0, true);
	ext[40] = IPPROTO_ICMPV6_NUM; /* dest opts, 8 octets */
	len = mkpkt(pkt, ME, FAR, IPPROTO_HOPOPTS_NUM, ext, 48, 3, 16);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_ERROR);
	/* The same chain to an echo: answered. */
	len = mkpkt(pkt, ME, FAR, IPPROTO_HOPOPTS_NUM, ext, 48, ICMP6_ECHO_REQUEST, 16);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_OK);
	/* ... and to a later fragment: not. */
	frag(ext + 32, IPPROTO_DSTOPTS_NUM, 4, true);
	len = mkpkt(pkt, ME, FAR, IPPROTO_HOPOPTS_NUM, ext, 48, ICMP6_ECHO_REQUEST, 16);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_FRAGMENT);

	/* AH counts its length in 4-octet units, plus 2 (RFC 4302 §2.2):
	 * 4 -> 24 octets, then an ICMPv6 error behind it. */
	memset(ext, 0, sizeof(ext));
	ext[0] = IPPROTO_ICMPV6_NUM;
	ext[1] = 4;
	len = mkpkt(pkt, ME, FAR, IPPROTO_AH_NUM, ext, 24, 1, 8);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_ERROR);

	/* ESP and No Next Header hide what follows: answered. */
	len = mkpkt(pkt, ME, FAR, IPPROTO_ESP_NUM, NULL, 0, 1, 8);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_OK);
	len = mkpkt(pkt, ME, FAR, IPPROTO_NONE_NUM, NULL, 0, 1, 8);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_OK);
}

static void
test_malformed_chains(void **state)
{
	uint8_t pkt[BIG], ext[64];
	size_t len;

	/* Hop-by-hop anywhere but first (RFC 8200 §4.3). */
	memset(ext, 0, sizeof(ext));
	ext[0] = IPPROTO_HOPOPTS_NUM;
	ext[8] = IPPROTO_ICMPV6_NUM;
	len = mkpkt(pkt, ME, FAR, IPPROTO_DSTOPTS_NUM, ext, 16, ICMP6_ECHO_REQUEST, 8);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_MALFORMED);

	/* A header longer than the packet: 8 * (1 + 200) octets claimed. */
	memset(ext, 0, sizeof(ext));
	ext[0] = IPPROTO_ICMPV6_NUM;
	ext[1] = 200;
	len = mkpkt(pkt, ME, FAR, IPPROTO_DSTOPTS_NUM, ext, 8, ICMP6_ECHO_REQUEST, 8);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_MALFORMED);

	/* A header that ends exactly at the end, naming ICMPv6 after it:
	 * no type octet to read. */
	ext[1] = 0;
	len = tu_ipv6(pkt, ME, FAR, IPPROTO_DSTOPTS_NUM, 64, ext, 8);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_MALFORMED);

	/* One octet of an extension header: not even its length. */
	len = tu_ipv6(pkt, ME, FAR, IPPROTO_ROUTING_NUM, 64, ext, 1);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_MALFORMED);

	/* A fragment header cut short (6 of 8 octets). */
	frag(ext, IPPROTO_ICMPV6_NUM, 0, true);
	len = tu_ipv6(pkt, ME, FAR, IPPROTO_FRAGMENT_NUM, 64, ext, 6);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_MALFORMED);

	/* AH cut short. */
	memset(ext, 0, sizeof(ext));
	ext[0] = IPPROTO_ICMPV6_NUM;
	ext[1] = 4;
	len = tu_ipv6(pkt, ME, FAR, IPPROTO_AH_NUM, 64, ext, 20);
	assert_int_equal(icmp6err_check(pkt, len), ICMP6ERR_MALFORMED);

	/* Many small headers, each valid: walked, and the builder quotes the
	 * first 1232 octets of them. */
	uint8_t big[BIG] = {0}, out[BIG];
	for (size_t o = 0; o + 8 < 1600; o += 8)
		big[o] = IPPROTO_DSTOPTS_NUM;
	big[1592] = IPPROTO_ICMPV6_NUM;
	big[1600] = ICMP6_ECHO_REQUEST;
	len = tu_ipv6(pkt, ME, FAR, IPPROTO_DSTOPTS_NUM, 64, big, 1608);
	size_t n = 0;
	assert_int_equal(build(out, sizeof(out), ME, 0, pkt, len, &n), ICMP6ERR_OK);
	assert_int_equal(n, 1280);
}

/* ---- which drops, which codes ------------------------------------------------------ */

static void
test_codes(void **state)
{
	for (int v = 0; v < NH_VERDICT_COUNT; v++) {
		int want = v == NH_DROP_NO_ROUTE                                   ? 0
		           : v == NH_DROP_BOGUS_NEXTHOP || v == NH_DROP_NO_LOCATOR ? 3
		                                                                   : -1;

		assert_int_equal(icmp6err_code_for_verdict((enum nh_verdict)v), want);
	}
	assert_int_equal(icmp6err_code_for_verdict(NH_VERDICT_COUNT), -1);
	assert_int_equal(icmp6err_code_for_send(-EHOSTUNREACH), ICMP6_UNREACH_ADDR);
	assert_int_equal(icmp6err_code_for_send(-ENETUNREACH), ICMP6_UNREACH_ADDR);
	assert_int_equal(icmp6err_code_for_send(-EADDRNOTAVAIL), ICMP6_UNREACH_ADDR);
	assert_int_equal(icmp6err_code_for_send(0), -1);
	assert_int_equal(icmp6err_code_for_send(-ENOBUFS), -1);
	assert_int_equal(icmp6err_code_for_send(-EMSGSIZE), -1);
	assert_int_equal(icmp6err_code_for_send(-EPERM), -1);
	assert_int_equal(icmp6err_code_for_send(EHOSTUNREACH), -1);
}

/* ---- the source address ------------------------------------------------------------ */

static struct msg_addr
ma(const char *a, uint32_t preferred)
{
	struct msg_addr m = {
	        .addr = tu_a6(a), .plen = 64, .valid_lft = 0xffffffffu, .preferred_lft = preferred};

	return m;
}

static void
assert_src(const struct msg_addr *addrs, size_t n, const char *to, const char *want)
{
	struct in6_addr t = tu_a6(to), got, w;

	if (want == NULL) {
		assert_false(icmp6err_pick_src(addrs, n, &t, &got));
		return;
	}
	w = tu_a6(want);
	assert_true(icmp6err_pick_src(addrs, n, &t, &got));
	assert_memory_equal(&got, &w, sizeof(w));
}

static void
test_source_choice(void **state)
{
	struct msg_addr a[5];

	a[0] = ma("::", 0xffffffffu); /* never a source */
	a[1] = ma("2001:db8:1::5efe:c000:201", 0);
	a[2] = ma(ME_LL, 0xffffffffu);
	a[3] = ma("2001:db8:7::1", 3600);
	a[4] = ma("fe80::1", 0xffffffffu);
	/* Same scope as the sender: link-local for link-local, the first one. */
	assert_src(a, 5, "fe80::5efe:c000:202", ME_LL);
	/* A global sender: the first preferred global (a[1] is deprecated). */
	assert_src(a, 5, "2001:db8:1::5efe:c000:201", "2001:db8:7::1");
	/* Only a deprecated global: used. */
	assert_src(a, 3, "2001:db8:1::9", "2001:db8:1::5efe:c000:201");
	/* A link-local sender and no link-local address: the first global. */
	assert_src(a, 2, "fe80::9", "2001:db8:1::5efe:c000:201");
	/* A global sender and only link-local addresses: none. */
	assert_src(a + 2, 1, "2001:db8:1::9", NULL);
	assert_src(a, 1, "fe80::9", NULL);
	assert_src(a, 0, "fe80::9", NULL);
}

static void
test_reason_names(void **state)
{
	for (int r = 0; r < ICMP6ERR_REASON_COUNT; r++)
		assert_non_null(icmp6err_reason_name((enum icmp6err_reason)r));
	assert_string_equal(icmp6err_reason_name(ICMP6ERR_FRAGMENT), "fragment");
	assert_string_equal(icmp6err_reason_name(ICMP6ERR_REASON_COUNT), "invalid");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_exact_bytes),
	        cmocka_unit_test(test_code_and_source_as_given),
	        cmocka_unit_test(test_truncated_to_min_mtu),
	        cmocka_unit_test(test_small_buffer),
	        cmocka_unit_test(test_never_to_errors_or_redirects),
	        cmocka_unit_test(test_never_from_bad_sources_or_to_groups),
	        cmocka_unit_test(test_not_whole_packets),
	        cmocka_unit_test(test_only_first_fragments),
	        cmocka_unit_test(test_extension_header_walk),
	        cmocka_unit_test(test_malformed_chains),
	        cmocka_unit_test(test_codes),
	        cmocka_unit_test(test_source_choice),
	        cmocka_unit_test(test_reason_names),
	};

	return cmocka_run_group_tests_name("proto_icmp6err", tests, NULL, NULL);
}
