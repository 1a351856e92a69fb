/* datapath/offload_uso.c: cutting IPv6/UDP GSO super-packets from a TUN
 * with USO into the datagrams they stand for. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/offload.h"
#include "tests/unit/lib/tu_tcp6.h"
#include "tests/unit/lib/tu_udp6.h"

#define BUF 70000

static uint8_t in[BUF], out[BUF + OFL_USO_MAX_SEGS * 48];
static struct ofl_seg segs[OFL_USO_MAX_SEGS + 1];

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* The header the kernel puts before a UDP GSO packet (hdr_len: the
 * headers, its smallest legal hint). */
static struct ofl_vnet_hdr
uso(uint16_t gso_size)
{
	struct ofl_vnet_hdr vh = {.flags = OFL_VNET_F_NEEDS_CSUM,
	                          .gso_type = OFL_GSO_UDP_L4,
	                          .hdr_len = 48,
	                          .gso_size = gso_size,
	                          .csum_start = 40,
	                          .csum_offset = 6};
	return vh;
}

/* A super-packet of `payload` octets of pattern 7, as udp_send_skb() makes
 * it: lengths of the whole; the checksum field is never read. */
static size_t
super(size_t payload)
{
	struct tu_udp6 u = {.plen = payload, .pattern = 7, .tclass = 0xb8, .flow_label = 0x12345};

	return tu_udp6(in, &u);
}

/* n datagrams: each a valid UDP datagram in its own right, headers copied
 * but for the lengths, the payload in order, gso_size octets but the last. */
static void
check_segments(int n, size_t payload, size_t size, uint32_t mtu)
{
	size_t done = 0;

	for (int i = 0; i < n; i++) {
		const uint8_t *s = out + segs[i].off;
		size_t plen = segs[i].len - 48;

		assert_int_equal(plen, i + 1 < n ? size : payload - done);
		assert_true(segs[i].len <= mtu);
		assert_int_equal(get16(s + 4), 8 + plen);
		assert_int_equal(get16(s + 44), 8 + plen);
		assert_memory_equal(s, in, 4);          /* version, class, flow label */
		assert_memory_equal(s + 6, in + 6, 38); /* next header .. ports */
		assert_true(tu_udp6_csum_ok(s, segs[i].len));
		for (size_t k = 0; k < plen; k++)
			assert_int_equal(s[48 + k], tu_tcp6_byte(7, done + k));
		if (i > 0)
			assert_int_equal(segs[i].off, segs[i - 1].off + segs[i - 1].len);
		done += plen;
	}
	assert_int_equal(done, payload);
}

/* 10 000 octets in 1000-octet datagrams: 10 of them. */
static void
test_uso_even(void **state)
{
	struct ofl_vnet_hdr vh = uso(1000);
	size_t len = super(10000);
	int n;

	(void)state;
	n = ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS);
	assert_int_equal(n, 10);
	check_segments(n, 10000, 1000, 1280);
}

/* The last datagram carries what is left; a payload of one segment or less
 * makes one datagram; so does an empty one. */
static void
test_uso_last_short(void **state)
{
	static const size_t payloads[] = {2500, 1001, 1000, 999, 1, 0};
	static const int counts[] = {3, 2, 1, 1, 1, 1};
	struct ofl_vnet_hdr vh = uso(1000);

	(void)state;
	for (size_t i = 0; i < sizeof(payloads) / sizeof(payloads[0]); i++) {
		size_t len = super(payloads[i]);
		int n = ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs,
		                        OFL_USO_MAX_SEGS);

		assert_int_equal(n, counts[i]);
		check_segments(n, payloads[i], 1000, 1280);
	}
}

/* Without NEEDS_CSUM (the kernel always sets it, but nothing depends on
 * it) the checksums are computed all the same. */
static void
test_uso_no_partial_flag(void **state)
{
	struct ofl_vnet_hdr vh = uso(600);
	size_t len = super(1500);
	int n;

	(void)state;
	vh.flags = 0;
	vh.csum_start = vh.csum_offset = 0;
	n = ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS);
	assert_int_equal(n, 3);
	check_segments(n, 1500, 600, 1280);
}

/* A datagram whose checksum computes to 0 is sent with 0xffff (RFC 8200
 * §8.1: 0 would mean "no checksum", which IPv6 forbids). */
static void
test_uso_zero_checksum_as_ffff(void **state)
{
	struct ofl_vnet_hdr vh = uso(100);
	struct tu_udp6 one = {.plen = 100, .pattern = 7, .tclass = 0xb8, .flow_label = 0x12345};
	uint8_t d[200];
	size_t len = super(300);
	uint32_t w;
	int n;

	(void)state;
	/* The first datagram alone sums to ~c over everything but its
	 * checksum c; adding c into its first payload word makes that sum
	 * all ones, so its checksum computes to 0. */
	tu_udp6(d, &one);
	w = (uint32_t)get16(in + 48) + get16(d + 46);
	w = (w & 0xffff) + (w >> 16);
	in[48] = (uint8_t)(w >> 8);
	in[49] = (uint8_t)w;
	n = ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS);
	assert_int_equal(n, 3);
	assert_int_equal(get16(out + segs[0].off + 46), 0xffff);
	assert_true(tu_udp6_csum_ok(out + segs[0].off, segs[0].len));
	assert_int_not_equal(get16(out + segs[1].off + 46), 0xffff);
	assert_true(tu_udp6_csum_ok(out + segs[1].off, segs[1].len));
}

/* Datagram boundaries are the application's: a segment size that does not
 * fit the MTU with its headers is refused, never cut smaller. */
static void
test_uso_mtu(void **state)
{
	struct ofl_vnet_hdr vh = uso(1433);
	size_t len = super(5000);
	int n;

	(void)state;
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1480, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_BAD_SIZE);
	vh.gso_size = 1432; /* 40 + 8 + 1432 = 1480 */
	n = ofl_uso_segment(in, len, &vh, 1480, out, sizeof(out), segs, OFL_USO_MAX_SEGS);
	assert_int_equal(n, 4);
	check_segments(n, 5000, 1432, 1480);
	assert_int_equal(segs[0].len, 1480);
	vh.gso_size = 0;
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1480, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_BAD_SIZE);
	vh.gso_size = 100;
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 48, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_BAD_SIZE);
}

/* hdr_len is a hint of the kernel's, but never below the headers nor past
 * the packet; a partial checksum announced elsewhere than UDP's is wrong. */
static void
test_uso_bad_hdr_len(void **state)
{
	struct ofl_vnet_hdr vh = uso(1000);
	size_t len = super(3000);

	(void)state;
	vh.hdr_len = (uint16_t)len; /* the whole linear packet: fine */
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS), 3);
	vh.hdr_len = 1048; /* headers and one payload: fine */
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS), 3);
	static const uint16_t bad[] = {0, 40, 47, 3049, 65535};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		vh.hdr_len = bad[i];
		assert_int_equal(ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs,
		                                 OFL_USO_MAX_SEGS),
		                 -OFL_GSO_BAD_HDR);
	}
	vh = uso(1000);
	vh.csum_offset = 16; /* TCP's */
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_BAD_HDR);
	vh = uso(1000);
	vh.csum_start = 34;
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_BAD_HDR);
}

/* Lengths that do not describe the packet: truncated reads, an IPv6 or UDP
 * length of one datagram (or of anything else) instead of the whole. */
static void
test_uso_bad_lengths(void **state)
{
	struct ofl_vnet_hdr vh = uso(1000);
	size_t len = super(3000);

	(void)state;
	vh.hdr_len = 48;
	/* truncated: shorter than the headers, or than the lengths say */
	assert_int_equal(
	        ofl_uso_segment(in, 47, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_NOT_UDP6);
	assert_int_equal(
	        ofl_uso_segment(in, 0, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_NOT_UDP6);
	assert_int_equal(
	        ofl_uso_segment(in, len - 1, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_BAD_HDR);
	/* the UDP length of one datagram */
	in[44] = 1008 >> 8;
	in[45] = 1008 & 0xff;
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_BAD_HDR);
	/* an IPv6 payload length of 0 (jumbogram) */
	len = super(3000);
	in[4] = in[5] = 0;
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_BAD_HDR);
}

/* Not IPv6 + UDP: another protocol, UDP behind extension headers, IPv4;
 * other GSO types are not this function's. */
static void
test_uso_not_udp6(void **state)
{
	static const uint8_t nxt[] = {6, 0, 43, 44, 60, 58};
	struct ofl_vnet_hdr vh = uso(1000);
	size_t len;

	(void)state;
	for (size_t i = 0; i < sizeof(nxt); i++) {
		len = super(3000);
		in[6] = nxt[i];
		assert_int_equal(ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs,
		                                 OFL_USO_MAX_SEGS),
		                 -OFL_GSO_NOT_UDP6);
	}
	len = super(3000);
	in[0] = 0x45;
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_NOT_UDP6);
	len = super(3000);
	static const uint8_t types[] = {OFL_GSO_NONE, OFL_GSO_TCPV4, OFL_GSO_UDP, OFL_GSO_TCPV6,
	                                OFL_GSO_UDP_L4 | OFL_GSO_ECN};
	for (size_t i = 0; i < sizeof(types); i++) {
		vh.gso_type = types[i];
		assert_int_equal(ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs,
		                                 OFL_USO_MAX_SEGS),
		                 -OFL_GSO_UNSUPPORTED);
	}
	/* and a UDP GSO packet is not the TCP segmenter's */
	vh = uso(1000);
	assert_int_equal(
	        ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_GSO_UNSUPPORTED);
	assert_string_equal(ofl_reason_name(OFL_GSO_NOT_UDP6), "gso_not_udp6");
}

/* As many datagrams as Linux puts in one packet fit the table; more, or a
 * too-small output buffer, are refused rather than overrun. */
static void
test_uso_room(void **state)
{
	struct ofl_vnet_hdr vh = uso(10);
	size_t len = super(OFL_USO_MAX_SEGS * 10);
	int n;

	(void)state;
	n = ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS);
	assert_int_equal(n, OFL_USO_MAX_SEGS);
	check_segments(n, OFL_USO_MAX_SEGS * 10, 10, 1280);
	len = super(OFL_USO_MAX_SEGS * 10 + 1);
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_USO_MAX_SEGS),
	        -OFL_NO_ROOM);
	len = super(3000);
	vh.gso_size = 1000;
	assert_int_equal(
	        ofl_uso_segment(in, len, &vh, 1280, out, 3 * 1048 - 1, segs, OFL_USO_MAX_SEGS),
	        -OFL_NO_ROOM);
	assert_int_equal(ofl_uso_segment(in, len, &vh, 1280, out, 3 * 1048, segs, OFL_USO_MAX_SEGS),
	                 3);
	assert_int_equal(ofl_uso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 2),
	                 -OFL_NO_ROOM);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_uso_even),
	        cmocka_unit_test(test_uso_last_short),
	        cmocka_unit_test(test_uso_no_partial_flag),
	        cmocka_unit_test(test_uso_zero_checksum_as_ffff),
	        cmocka_unit_test(test_uso_mtu),
	        cmocka_unit_test(test_uso_bad_hdr_len),
	        cmocka_unit_test(test_uso_bad_lengths),
	        cmocka_unit_test(test_uso_not_udp6),
	        cmocka_unit_test(test_uso_room),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
