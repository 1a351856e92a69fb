/* datapath/offload.c, offload_tso.c: virtio-net header, checksums,
 * completing partial checksums, segmenting TCP super-packets. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/offload.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_tcp6.h"

#define BUF 70000

static uint8_t in[BUF], out[BUF + OFL_TSO_MAX_SEGS * 100];
static struct ofl_seg segs[OFL_TSO_MAX_SEGS];

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static struct ofl_vnet_hdr
gso6(uint16_t gso_size)
{
	struct ofl_vnet_hdr vh = {.flags = OFL_VNET_F_NEEDS_CSUM,
	                          .gso_type = OFL_GSO_TCPV6,
	                          .gso_size = gso_size,
	                          .csum_start = 40,
	                          .csum_offset = 16};
	return vh;
}

/* The virtio-net header is little-endian on the wire whatever the host. */
static void
test_vnet_layout(void **state)
{
	const uint8_t b[OFL_VNET_HDR_LEN] = {0x01, 0x04, 0x48, 0x00, 0x80,
	                                     0x05, 0x28, 0x00, 0x10, 0x00};
	struct ofl_vnet_hdr h;
	uint8_t back[OFL_VNET_HDR_LEN];

	(void)state;
	ofl_vnet_decode(b, &h);
	assert_int_equal(h.flags, OFL_VNET_F_NEEDS_CSUM);
	assert_int_equal(h.gso_type, OFL_GSO_TCPV6);
	assert_int_equal(h.hdr_len, 72);
	assert_int_equal(h.gso_size, 1408);
	assert_int_equal(h.csum_start, 40);
	assert_int_equal(h.csum_offset, 16);
	ofl_vnet_encode(back, &h);
	assert_memory_equal(back, b, sizeof(b));
}

/* The fast sum agrees with proto/pkt.c's byte-wise one for every length and
 * alignment, odd ones included. */
static void
test_csum_matches_reference(void **state)
{
	static uint8_t data[600];

	(void)state;
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 131 + 7);
	memset(data + 300, 0xff, 64); /* carries */
	for (size_t off = 0; off < 8; off++) {
		for (size_t len = 0; len + off <= sizeof(data); len += 1 + len / 16) {
			uint16_t fast = ofl_csum_fold(ofl_csum_add(0, data + off, len));
			uint16_t ref =
			        htons((uint16_t)~pkt_csum_fold(pkt_csum_add(0, data + off, len)));

			assert_int_equal(fast, ref);
		}
	}
}

/* Long runs of all ones carry out of every accumulator on every add. */
static void
test_csum_long_carries(void **state)
{
	(void)state;
	memset(in, 0xff, BUF);
	for (size_t len = 65535 - 40; len <= 65535; len += 7) {
		uint16_t fast = ofl_csum_fold(ofl_csum_add(0, in + 1, len));
		uint16_t ref = htons((uint16_t)~pkt_csum_fold(pkt_csum_add(0, in + 1, len)));

		assert_int_equal(fast, ref);
	}
	for (size_t i = 0; i < BUF; i++)
		in[i] = (uint8_t)(i * 2654435761u >> 13);
	assert_int_equal(ofl_csum_fold(ofl_csum_add(0, in, 65535)),
	                 htons((uint16_t)~pkt_csum_fold(pkt_csum_add(0, in, 65535))));
}

/* A UDP packet whose checksum field holds the pseudo-header sum, as the
 * kernel hands it over with VIRTIO_NET_HDR_F_NEEDS_CSUM, is completed. */
static void
test_csum_complete_udp(void **state)
{
	static const uint8_t payload[8 + 37] = {0x9c, 0x40, 0x00, 0x35, 0x00, 45,
	                                        0,    0,    'd',  'n',  's'};
	struct ofl_vnet_hdr vh = {
	        .flags = OFL_VNET_F_NEEDS_CSUM, .csum_start = 40, .csum_offset = 6};
	uint8_t pkt[40 + sizeof(payload)];
	size_t len =
	        tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::2", 17, 64, payload, sizeof(payload));
	uint16_t partial = ofl_csum_fold(ofl_pseudo6(pkt + 8, pkt + 24, (uint32_t)(len - 40), 17));
	uint8_t tail[8] = {0, 0, 0, (uint8_t)(len - 40), 0, 0, 0, 17};
	uint32_t sum;

	(void)state;
	memcpy(pkt + 46, &partial, 2);
	assert_int_equal(ofl_csum_complete(pkt, len, &vh), OFL_OK);
	sum = pkt_csum_add(pkt_csum_add(pkt_csum_add(0, pkt + 8, 32), tail, 8), pkt + 40, len - 40);
	assert_int_equal(pkt_csum_fold(sum), 0);
}

/* A TCP packet with a partial checksum is completed; without the flag
 * nothing is touched; offsets past the end are refused. */
static void
test_csum_complete_tcp(void **state)
{
	struct tu_tcp6 t = {.seq = 1, .plen = 333, .pattern = 9};
	struct ofl_vnet_hdr vh = {
	        .flags = OFL_VNET_F_NEEDS_CSUM, .csum_start = 40, .csum_offset = 16};
	size_t len = tu_tcp6(in, &t);
	uint16_t partial = ofl_csum_fold(ofl_pseudo6(in + 8, in + 24, (uint32_t)(len - 40), 6));
	uint8_t copy[BUF];

	(void)state;
	memcpy(in + 56, &partial, 2);
	assert_false(tu_tcp6_csum_ok(in, len));
	memcpy(copy, in, len);
	vh.flags = 0;
	assert_int_equal(ofl_csum_complete(in, len, &vh), OFL_OK);
	assert_memory_equal(in, copy, len);
	vh.flags = OFL_VNET_F_NEEDS_CSUM;
	assert_int_equal(ofl_csum_complete(in, len, &vh), OFL_OK);
	assert_true(tu_tcp6_csum_ok(in, len));

	vh.csum_start = (uint16_t)len;
	assert_int_equal(ofl_csum_complete(in, len, &vh), OFL_BAD_CSUM_OFFSET);
	vh.csum_start = (uint16_t)(len - 2);
	vh.csum_offset = 1;
	assert_int_equal(ofl_csum_complete(in, len, &vh), OFL_BAD_CSUM_OFFSET);
}

/* A complement of zero goes out as all ones (RFC 8200 §8.1 for UDP). */
static void
test_csum_complete_zero(void **state)
{
	struct ofl_vnet_hdr vh = {
	        .flags = OFL_VNET_F_NEEDS_CSUM, .csum_start = 40, .csum_offset = 6};
	uint8_t payload[8 + 4] = {0x12, 0x34, 0x00, 0x35, 0, 12, 0, 0, 0, 0, 0, 0};
	uint8_t pkt[40 + sizeof(payload)];
	size_t len =
	        tu_ipv6(pkt, "2001:db8:1::1", "2001:db8:1::2", 17, 64, payload, sizeof(payload));
	uint16_t partial = ofl_csum_fold(ofl_pseudo6(pkt + 8, pkt + 24, (uint32_t)(len - 40), 17));
	uint16_t fill, c;

	(void)state;
	/* Choose the last two payload octets so that everything sums to
	 * all ones: the complement would be zero. */
	memcpy(pkt + 46, &partial, 2);
	fill = (uint16_t)~ofl_csum_fold(ofl_csum_add(0, pkt + 40, len - 40));
	memcpy(pkt + len - 2, &fill, 2);
	assert_int_equal(ofl_csum_complete(pkt, len, &vh), OFL_OK);
	memcpy(&c, pkt + 46, 2);
	assert_int_equal(c, 0xffff);
}

/* Checks segments against the super-packet they came from: lengths,
 * sequence numbers, the headers they share, the payload in order, the
 * checksum of each. Returns the flags of each segment in flags[]. */
static void
check_segments(const uint8_t *super, size_t len, int n, size_t mss, uint8_t *flags)
{
	size_t thl = (size_t)(super[52] >> 4) * 4, hl = 40 + thl, payload = len - hl, done = 0;
	uint32_t seq0 = get32(super + 44);

	assert_true(n >= 1);
	for (int i = 0; i < n; i++) {
		const uint8_t *s = out + segs[i].off;
		size_t plen = segs[i].len - hl;

		assert_true(i == 0 || segs[i].off == segs[i - 1].off + segs[i - 1].len);
		assert_int_equal(plen, i + 1 < n ? mss : payload - done);
		assert_int_equal(get16(s + 4), thl + plen);
		assert_memory_equal(s, super, 4);           /* version, class, label */
		assert_memory_equal(s + 6, super + 6, 34);  /* nh, hlim, addresses */
		assert_memory_equal(s + 40, super + 40, 4); /* ports */
		assert_int_equal(get32(s + 44), seq0 + (uint32_t)done);
		assert_memory_equal(s + 48, super + 48, 5);        /* ack, offset */
		assert_memory_equal(s + 54, super + 54, 2);        /* window */
		assert_memory_equal(s + 58, super + 58, thl - 18); /* urg, options */
		assert_memory_equal(s + hl, super + hl + done, plen);
		assert_true(tu_tcp6_csum_ok(s, segs[i].len));
		flags[i] = s[53];
		done += plen;
	}
	assert_int_equal(done, payload);
}

/* A 64 KiB super-packet with timestamps becomes gso_size segments and a
 * short last one. */
static void
test_tso_full(void **state)
{
	uint8_t ts[12], flags[OFL_TSO_MAX_SEGS];
	struct tu_tcp6 t = {.seq = 1000,
	                    .ack = 77,
	                    .opts = ts,
	                    .optlen = 12,
	                    .plen = 65535 - 32,
	                    .pattern = 3,
	                    .tclass = 0x02,
	                    .flow_label = 0x12345};
	struct ofl_vnet_hdr vh = gso6(1408);
	size_t len;
	int n;

	(void)state;
	tu_tcp_ts_opts(ts, 1111, 2222);
	len = tu_tcp6(in, &t);
	n = ofl_tso_segment(in, len, &vh, 1480, out, sizeof(out), segs, OFL_TSO_MAX_SEGS);
	assert_int_equal(n, (65535 - 32 + 1407) / 1408);
	check_segments(in, len, n, 1408, flags);
	for (int i = 0; i < n; i++)
		assert_int_equal(flags[i], TU_TCP_ACK);
}

/* FIN and PSH only on the last segment, CWR only on the first; ECE on all. */
static void
test_tso_flags(void **state)
{
	uint8_t flags[OFL_TSO_MAX_SEGS];
	struct tu_tcp6 t = {.seq = 5,
	                    .flags = TU_TCP_ACK | TU_TCP_PSH | TU_TCP_FIN | TU_TCP_CWR | TU_TCP_ECE,
	                    .plen = 4000,
	                    .pattern = 11};
	struct ofl_vnet_hdr vh = gso6(1000);
	size_t len = tu_tcp6(in, &t);
	int n;

	(void)state;
	vh.gso_type |= OFL_GSO_ECN;
	n = ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_TSO_MAX_SEGS);
	assert_int_equal(n, 4);
	check_segments(in, len, n, 1000, flags);
	assert_int_equal(flags[0], TU_TCP_ACK | TU_TCP_CWR | TU_TCP_ECE);
	assert_int_equal(flags[1], TU_TCP_ACK | TU_TCP_ECE);
	assert_int_equal(flags[2], TU_TCP_ACK | TU_TCP_ECE);
	assert_int_equal(flags[3], TU_TCP_ACK | TU_TCP_PSH | TU_TCP_FIN | TU_TCP_ECE);
}

/* A payload that is an exact multiple of gso_size ends with a full segment,
 * not an empty one; one smaller than gso_size is one segment. */
static void
test_tso_exact_and_single(void **state)
{
	uint8_t flags[OFL_TSO_MAX_SEGS];
	struct tu_tcp6 t = {.seq = 9, .plen = 3 * 1200, .pattern = 1};
	struct ofl_vnet_hdr vh = gso6(1200);
	size_t len = tu_tcp6(in, &t);
	int n;

	(void)state;
	n = ofl_tso_segment(in, len, &vh, 1500, out, sizeof(out), segs, OFL_TSO_MAX_SEGS);
	assert_int_equal(n, 3);
	check_segments(in, len, n, 1200, flags);

	t.plen = 999;
	t.flags = TU_TCP_ACK | TU_TCP_PSH;
	len = tu_tcp6(in, &t);
	n = ofl_tso_segment(in, len, &vh, 1500, out, sizeof(out), segs, OFL_TSO_MAX_SEGS);
	assert_int_equal(n, 1);
	check_segments(in, len, n, 1200, flags);
	assert_int_equal(flags[0], TU_TCP_ACK | TU_TCP_PSH);
}

/*
 * A peer with MSS 536 (review finding 14): a 64 KiB super-packet with
 * timestamps is 123 segments, more than one buffer of the datapath's size
 * (DP_SEGBUF_LEN: 64 KiB + 56 x 128) holds. ofl_tso_segment() refuses it
 * whole; ofl_tso_segment_from() cuts it in passes, every segment exactly
 * what one pass would have made.
 */
static void
test_tso_small_mss_in_passes(void **state)
{
	enum { SEGBUF = 65536 + 64 + 56 * 128, MAXSEG = 128, MSS = 536 };
	static struct ofl_seg pass[MAXSEG];
	uint8_t ts[12];
	struct tu_tcp6 t = {.seq = 4242,
	                    .flags = TU_TCP_ACK | TU_TCP_PSH | TU_TCP_FIN | TU_TCP_CWR,
	                    .opts = ts,
	                    .optlen = 12,
	                    .plen = 65535 - 32,
	                    .pattern = 9};
	struct ofl_vnet_hdr vh = gso6(MSS);
	size_t len, done = 0, hl = 40 + 32;
	unsigned first = 0, total = 0, passes = 0;
	int n;

	(void)state;
	tu_tcp_ts_opts(ts, 1, 2);
	len = tu_tcp6(in, &t);
	assert_int_equal(len, 65575);
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, SEGBUF, pass, MAXSEG),
	                 -OFL_NO_ROOM);
	do {
		n = ofl_tso_segment_from(in, len, &vh, 1280, first, out, SEGBUF, pass, MAXSEG,
		                         &total);
		assert_true(n >= 1);
		passes++;
		for (int i = 0; i < n; i++) {
			const uint8_t *sg = out + pass[i].off;
			unsigned idx = first + (unsigned)i;
			size_t plen = pass[i].len - hl;
			uint8_t fl = TU_TCP_ACK;

			assert_int_equal(plen, idx + 1 < total ? MSS : 65503 - done);
			assert_int_equal(get32(sg + 44), 4242u + (uint32_t)done);
			assert_memory_equal(sg + hl, in + hl + done, plen);
			assert_true(tu_tcp6_csum_ok(sg, pass[i].len));
			if (idx == 0)
				fl |= TU_TCP_CWR;
			if (idx + 1 == total)
				fl |= TU_TCP_PSH | TU_TCP_FIN;
			assert_int_equal(sg[53], fl);
			done += plen;
		}
		first += (unsigned)n;
	} while (first < total);
	assert_int_equal(total, (65503 + MSS - 1) / MSS);
	assert_int_equal(done, 65503);
	assert_true(passes >= 2);
	/* Past the end: nothing more. */
	assert_int_equal(
	        ofl_tso_segment_from(in, len, &vh, 1280, total, out, SEGBUF, pass, MAXSEG, &total),
	        -OFL_NO_ROOM);
}

/* A gso_size too large for the tunnel MTU gives MTU-sized segments. */
static void
test_tso_mtu_caps_segments(void **state)
{
	uint8_t flags[OFL_TSO_MAX_SEGS];
	struct tu_tcp6 t = {.seq = 0, .plen = 10001, .pattern = 5};
	struct ofl_vnet_hdr vh = gso6(1440);
	size_t len = tu_tcp6(in, &t);
	int n;

	(void)state;
	n = ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, OFL_TSO_MAX_SEGS);
	assert_int_equal(n, (10001 + 1219) / 1220);
	check_segments(in, len, n, 1220, flags);
	for (int i = 0; i < n; i++)
		assert_true(segs[i].len <= 1280);
}

/* Sequence numbers wrap modulo 2^32 (RFC 9293 §3.4); odd-sized segments
 * get correct checksums. */
static void
test_tso_seq_wrap_odd(void **state)
{
	uint8_t flags[OFL_TSO_MAX_SEGS];
	struct tu_tcp6 t = {.seq = 0xffffffffu - 1500, .plen = 5 * 1001 + 3, .pattern = 77};
	struct ofl_vnet_hdr vh = gso6(1001);
	size_t len = tu_tcp6(in, &t);
	int n;

	(void)state;
	n = ofl_tso_segment(in, len, &vh, 1500, out, sizeof(out), segs, OFL_TSO_MAX_SEGS);
	assert_int_equal(n, 6);
	check_segments(in, len, n, 1001, flags);
	assert_int_equal(get32(out + segs[2].off + 44), 2002 - 1501);
}

/* Everything that is not a well-formed IPv6/TCP super-packet is refused
 * with its reason, and nothing is written past the buffers. */
static void
test_tso_rejects(void **state)
{
	struct tu_tcp6 t = {.seq = 1, .plen = 3000};
	struct ofl_vnet_hdr vh = gso6(1000);
	size_t len = tu_tcp6(in, &t);

	(void)state;
	vh.gso_type = OFL_GSO_TCPV4;
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_UNSUPPORTED);
	vh.gso_type = OFL_GSO_UDP;
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_UNSUPPORTED);
	vh = gso6(1000);

	in[6] = 17;
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_NOT_TCP6);
	in[6] = 6;
	in[0] = 0x40;
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_NOT_TCP6);
	in[0] = 0x60;
	assert_int_equal(ofl_tso_segment(in, 59, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_NOT_TCP6);

	assert_int_equal(ofl_tso_segment(in, len - 1, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_BAD_HDR);
	in[52] = 0x40; /* data offset 4 */
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_BAD_HDR);
	in[52] = 0x50;

	vh.gso_size = 0;
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_BAD_SIZE);
	vh.gso_size = 1000;
	assert_int_equal(ofl_tso_segment(in, len, &vh, 60, out, sizeof(out), segs, 56),
	                 -OFL_GSO_BAD_SIZE);

	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 2),
	                 -OFL_NO_ROOM);
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, 3000 + 2 * 60, segs, 56),
	                 -OFL_NO_ROOM);
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, 3000 + 3 * 60, segs, 56), 3);
}

/* A data offset that runs past a short packet is refused, not read. */
static void
test_tso_doff_past_end(void **state)
{
	struct tu_tcp6 t = {.seq = 1, .plen = 8};
	struct ofl_vnet_hdr vh = gso6(1000);
	size_t len = tu_tcp6(in, &t);

	(void)state;
	in[52] = 0xf0; /* 60-octet header in a 68-octet packet */
	assert_int_equal(ofl_tso_segment(in, len, &vh, 1280, out, sizeof(out), segs, 56),
	                 -OFL_GSO_BAD_HDR);
}

static void
test_reason_names(void **state)
{
	(void)state;
	for (int r = 0; r < OFL_REASON_COUNT; r++)
		assert_non_null(ofl_reason_name(r));
	assert_string_equal(ofl_reason_name(OFL_GSO_NOT_TCP6), "gso_not_tcp6");
	assert_string_equal(ofl_reason_name(OFL_REASON_COUNT), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_vnet_layout),
	        cmocka_unit_test(test_csum_matches_reference),
	        cmocka_unit_test(test_csum_long_carries),
	        cmocka_unit_test(test_csum_complete_udp),
	        cmocka_unit_test(test_csum_complete_tcp),
	        cmocka_unit_test(test_csum_complete_zero),
	        cmocka_unit_test(test_tso_full),
	        cmocka_unit_test(test_tso_small_mss_in_passes),
	        cmocka_unit_test(test_tso_flags),
	        cmocka_unit_test(test_tso_exact_and_single),
	        cmocka_unit_test(test_tso_mtu_caps_segments),
	        cmocka_unit_test(test_tso_seq_wrap_odd),
	        cmocka_unit_test(test_tso_rejects),
	        cmocka_unit_test(test_tso_doff_past_end),
	        cmocka_unit_test(test_reason_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
