/*
 * datapath/fwd.c with TUN offloads (io.vnet): TCP super-packets from the TUN
 * leave as tunnel-MTU segments, inbound segments reach the TUN coalesced,
 * every TUN read and write carries a virtio-net header; with USO (io.uso)
 * the same for UDP. The TUN and raw socket are those of tu_dp.h.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/dp.h"
#include "datapath/offload.h"
#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_dp.h"
#include "tests/unit/lib/tu_tcp6.h"
#include "tests/unit/lib/tu_udp6.h"

#define PKT_MAX 2048

#define ME   "2001:db8:1::5efe:c000:201"
#define PEER "2001:db8:1::5efe:c000:202"

/* One packet the datapath wrote into the TUN, into f->big: its length, 0
 * when nothing was written (tu_dp_kernel_gets()). */
static size_t
kernel_gets(struct tu_dp *f, struct ofl_vnet_hdr *vh)
{
	return tu_dp_kernel_gets(f, vh, f->big, sizeof(f->big));
}

/* A TCP super-packet leaves as MTU-sized segments, each in its own
 * protocol-41 datagram to the peer's embedded IPv4, in order. */
static void
test_out_super_packet(void **state)
{
	struct tu_dp *f = *state;
	struct tu_tcp6 t = {.src = ME, .dst = PEER, .seq = 7, .plen = 5000, .pattern = 7};
	struct ofl_vnet_hdr vh = tu_dp_vnet_tcp6(1220);
	size_t len = tu_tcp6(f->big, &t), done = 0;

	tu_dp_kernel_sends(f, &vh, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 5);
	for (unsigned i = 0; i < 5; i++) {
		const uint8_t *o = f->raw.out[i], *in = o + DP_OUTER_HDR;
		struct pkt_ipv4 v4;
		size_t plen = f->raw.out_len[i] - DP_OUTER_HDR - 60;

		assert_int_equal(f->raw.dst[i].s_addr, tu_a4("192.0.2.2").s_addr);
		assert_int_equal(pkt_parse_ipv4(o, f->raw.out_len[i], &v4), PKT_OK);
		assert_true(f->raw.out_len[i] - DP_OUTER_HDR <= 1280);
		assert_true(tu_tcp6_csum_ok(in, f->raw.out_len[i] - DP_OUTER_HDR));
		for (size_t k = 0; k < plen; k++)
			assert_int_equal(in[60 + k], tu_tcp6_byte(7, done + k));
		done += plen;
	}
	assert_int_equal(done, 5000);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_TSO_PACKETS), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), 5);
}

/*
 * Review finding 14: with a peer's MSS of 536 a 64 KiB super-packet with
 * timestamps is 123 segments, more than segbuf holds at once. It leaves
 * whole, in passes, none dropped.
 */
static void
test_out_small_mss(void **state)
{
	struct tu_dp *f = *state;
	uint8_t ts[12];
	struct tu_tcp6 t = {.src = ME,
	                    .dst = PEER,
	                    .seq = 100,
	                    .opts = ts,
	                    .optlen = 12,
	                    .plen = 65535 - 32,
	                    .pattern = 5};
	struct ofl_vnet_hdr vh = tu_dp_vnet_tcp6(536);
	size_t len, done = 0;
	unsigned want = (65503 + 535) / 536;

	tu_tcp_ts_opts(ts, 7, 8);
	len = tu_tcp6(f->big, &t);
	vh.hdr_len = 72;
	tu_dp_kernel_sends(f, &vh, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_DROP_OFFLOAD), 0);
	assert_int_equal(f->raw.n_out, want);
	for (unsigned i = 0; i < want; i++) {
		const uint8_t *in = f->raw.out[i] + DP_OUTER_HDR;
		size_t plen = f->raw.out_len[i] - DP_OUTER_HDR - 72;

		assert_true(tu_tcp6_csum_ok(in, f->raw.out_len[i] - DP_OUTER_HDR));
		assert_int_equal((uint32_t)in[44] << 24 | (uint32_t)in[45] << 16 |
		                         (uint32_t)in[46] << 8 | in[47],
		                 100 + done);
		assert_int_equal(in[72], tu_tcp6_byte(5, done));
		done += plen;
	}
	assert_int_equal(done, 65503);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_TSO_PACKETS), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), want);
}

/* What the batch held before a super-packet leaves before it. */
static void
test_out_order_kept(void **state)
{
	struct tu_dp *f = *state;
	struct tu_tcp6 a = {.src = ME, .dst = PEER, .seq = 1, .plen = 100, .pattern = 1};
	struct tu_tcp6 b = {.src = ME, .dst = PEER, .seq = 101, .plen = 3000, .pattern = 101};
	struct ofl_vnet_hdr none = {0}, gso = {.gso_type = OFL_GSO_TCPV6, .gso_size = 1220};
	uint8_t small[PKT_MAX];
	size_t len = tu_tcp6(small, &a);

	tu_dp_kernel_sends(f, &none, small, len);
	len = tu_tcp6(f->big, &b);
	tu_dp_kernel_sends(f, &gso, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 2);
	assert_int_equal(f->raw.n_out, 4);
	for (unsigned i = 0; i < 4; i++) {
		const uint8_t *th = f->raw.out[i] + DP_OUTER_HDR + 40;
		uint32_t seq = (uint32_t)th[4] << 24 | (uint32_t)th[5] << 16 | th[6] << 8 | th[7];

		assert_int_equal(seq, i == 0 ? 1 : 101 + (i - 1) * 1220);
	}
}

/* A packet with only a partial checksum (CHECKSUM_PARTIAL) is completed. */
static void
test_out_partial_checksum(void **state)
{
	struct tu_dp *f = *state;
	struct tu_tcp6 t = {.src = ME, .dst = PEER, .seq = 1, .plen = 777, .pattern = 3};
	struct ofl_vnet_hdr vh = {
	        .flags = OFL_VNET_F_NEEDS_CSUM, .csum_start = 40, .csum_offset = 16};
	uint8_t pkt[PKT_MAX];
	size_t len = tu_tcp6(pkt, &t);
	uint16_t partial = ofl_csum_fold(ofl_pseudo6(pkt + 8, pkt + 24, (uint32_t)(len - 40), 6));

	memcpy(pkt + 56, &partial, 2);
	tu_dp_kernel_sends(f, &vh, pkt, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 1);
	assert_true(tu_tcp6_csum_ok(f->raw.out[0] + DP_OUTER_HDR, len));
}

/* What cannot be segmented or completed is dropped and counted; a super-
 * packet with no next hop counts each of its segments as such. */
static void
test_out_refused(void **state)
{
	struct tu_dp *f = *state;
	struct tu_tcp6 t = {.src = ME, .dst = PEER, .seq = 1, .plen = 3000};
	struct ofl_vnet_hdr udp = {.gso_type = OFL_GSO_UDP, .gso_size = 1000};
	struct ofl_vnet_hdr bad = {.flags = OFL_VNET_F_NEEDS_CSUM, .csum_start = 4000};
	struct ofl_vnet_hdr gso = {.gso_type = OFL_GSO_TCPV6, .gso_size = 1000};
	size_t len = tu_tcp6(f->big, &t);

	tu_dp_kernel_sends(f, &udp, f->big, len);
	tu_dp_kernel_sends(f, &bad, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 2);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_DROP_OFFLOAD), 2);

	/* ...and so does one to the subnet broadcast address. */
	f->dp.bcast[0] = tu_a4("192.0.2.255");
	f->dp.n_bcast = 1;
	t.dst = "2001:db8:1::5efe:c000:2ff";
	len = tu_tcp6(f->big, &t);
	tu_dp_kernel_sends(f, &gso, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_BOGUS_NEXTHOP), 3);

	t.dst = "2001:db8:99::1";
	len = tu_tcp6(f->big, &t);
	tu_dp_kernel_sends(f, &gso, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_NO_ROUTE), 3);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), 0);
}

/* In-order segments of one flow reach the TUN as one super-packet, other
 * packets alone with an empty header; a corrupted segment is never merged. */
static void
test_in_coalesced(void **state)
{
	struct tu_dp *f = *state;
	struct ofl_vnet_hdr vh;
	uint8_t pkt[PKT_MAX];
	size_t len;

	for (uint32_t i = 0; i < 6; i++) {
		struct tu_tcp6 t = {.src = PEER,
		                    .dst = ME,
		                    .seq = 1000 + i * 1200,
		                    .plen = 1200,
		                    .pattern = 1000 + i * 1200};

		len = tu_tcp6(pkt, &t);
		if (i == 4)
			pkt[100] ^= 0x40;
		tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", pkt, len);
	}
	assert_int_equal(dp_fwd_in(&f->dp), 6);

	len = kernel_gets(f, &vh);
	assert_int_equal(vh.gso_type, OFL_GSO_TCPV6);
	assert_int_equal(vh.gso_size, 1200);
	assert_int_equal(len, 60 + 4 * 1200);
	for (size_t k = 0; k < 4 * 1200; k++)
		assert_int_equal(f->big[60 + k], tu_tcp6_byte(1000, k));
	assert_int_equal(ofl_csum_complete(f->big, len, &vh), OFL_OK);
	assert_true(tu_tcp6_csum_ok(f->big, len));

	len = kernel_gets(f, &vh); /* the corrupted one, for the kernel to refuse */
	assert_int_equal(vh.gso_type, OFL_GSO_NONE);
	assert_int_equal(vh.flags, 0);
	assert_false(tu_tcp6_csum_ok(f->big, len));
	len = kernel_gets(f, &vh);
	assert_int_equal(vh.gso_type, OFL_GSO_NONE);
	assert_true(tu_tcp6_csum_ok(f->big, len));
	assert_int_equal(kernel_gets(f, &vh), 0);

	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), 6);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_GRO_MERGED), 3);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_BYTES), 6 * (60 + 1200));
}

/* A burst of small datagrams of one flow reaches the TUN in one writev(),
 * as one UDP GSO packet that cuts back into exactly those datagrams. */
static void
test_in_udp_burst(void **state)
{
	static uint8_t sent[20][PKT_MAX], cut[TU_DP_BIG + OFL_USO_MAX_SEGS * 48];
	struct tu_dp *f = *state;
	struct ofl_seg segs[OFL_USO_MAX_SEGS];
	struct ofl_vnet_hdr vh;
	size_t len, lens[20];
	int n;

	for (uint32_t i = 0; i < 20; i++) {
		struct tu_udp6 u = {.src = PEER, .dst = ME, .plen = 64, .pattern = i * 64};

		lens[i] = tu_udp6(sent[i], &u);
		tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", sent[i], lens[i]);
	}
	assert_int_equal(dp_fwd_in(&f->dp), 20);

	len = kernel_gets(f, &vh);
	assert_int_equal(vh.flags, OFL_VNET_F_NEEDS_CSUM);
	assert_int_equal(vh.gso_type, OFL_GSO_UDP_L4);
	assert_int_equal(vh.gso_size, 64);
	assert_int_equal(vh.hdr_len, 48);
	assert_int_equal(vh.csum_start, 40);
	assert_int_equal(vh.csum_offset, 6);
	assert_int_equal(len, 48 + 20 * 64);
	assert_int_equal(kernel_gets(f, &vh), 0); /* one write for all */

	n = ofl_uso_segment(f->big, len, &vh, 1280, cut, sizeof(cut), segs, OFL_USO_MAX_SEGS);
	assert_int_equal(n, 20);
	for (int i = 0; i < 20; i++) {
		assert_int_equal(segs[i].len, lens[i]);
		assert_memory_equal(cut + segs[i].off, sent[i], lens[i]);
	}
	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), 20);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_GRO_MERGED), 19);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_BYTES), 20 * (48 + 64));
}

/* Without USO the TUN cannot take UDP GSO: each datagram alone. */
static void
test_in_udp_without_uso(void **state)
{
	struct tu_dp *f = *state;
	struct ofl_vnet_hdr vh;
	uint8_t pkt[PKT_MAX];
	size_t len;

	for (uint32_t i = 0; i < 5; i++) {
		struct tu_udp6 u = {.src = PEER, .dst = ME, .plen = 64, .pattern = i * 64};

		len = tu_udp6(pkt, &u);
		tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", pkt, len);
	}
	assert_int_equal(dp_fwd_in(&f->dp), 5);
	for (uint32_t i = 0; i < 5; i++) {
		assert_int_equal(kernel_gets(f, &vh), 48 + 64);
		assert_int_equal(vh.gso_type, OFL_GSO_NONE);
		assert_true(tu_udp6_csum_ok(f->big, 48 + 64));
	}
	assert_int_equal(kernel_gets(f, &vh), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_GRO_MERGED), 0);
}

/* A UDP GSO packet from the TUN leaves as the datagrams it stands for,
 * each in its own protocol-41 datagram, in order. */
static void
test_out_udp_gso(void **state)
{
	struct tu_dp *f = *state;
	struct tu_udp6 u = {.src = ME, .dst = PEER, .plen = 4500, .pattern = 9};
	struct ofl_vnet_hdr vh = {.flags = OFL_VNET_F_NEEDS_CSUM,
	                          .gso_type = OFL_GSO_UDP_L4,
	                          .hdr_len = 48,
	                          .gso_size = 1000,
	                          .csum_start = 40,
	                          .csum_offset = 6};
	size_t len = tu_udp6(f->big, &u), done = 0;

	tu_dp_kernel_sends(f, &vh, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 5);
	for (unsigned i = 0; i < 5; i++) {
		const uint8_t *in = f->raw.out[i] + DP_OUTER_HDR;
		size_t ilen = f->raw.out_len[i] - DP_OUTER_HDR, plen = ilen - 48;

		assert_int_equal(f->raw.dst[i].s_addr, tu_a4("192.0.2.2").s_addr);
		assert_int_equal(plen, i < 4 ? 1000 : 500);
		assert_true(tu_udp6_csum_ok(in, ilen));
		for (size_t k = 0; k < plen; k++)
			assert_int_equal(in[48 + k], tu_tcp6_byte(9, done + k));
		done += plen;
	}
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_TSO_PACKETS), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), 5);
}

/* A datagram size that does not fit the MTU is dropped, not cut smaller;
 * so is UDP GSO when USO is off (the kernel should not send it then). */
static void
test_out_udp_gso_refused(void **state)
{
	struct tu_dp *f = *state;
	struct tu_udp6 u = {.src = ME, .dst = PEER, .plen = 4000};
	struct ofl_vnet_hdr big = {.gso_type = OFL_GSO_UDP_L4, .hdr_len = 48, .gso_size = 1233};
	struct ofl_vnet_hdr ok = {.gso_type = OFL_GSO_UDP_L4, .hdr_len = 48, .gso_size = 1232};
	size_t len = tu_udp6(f->big, &u);

	tu_dp_kernel_sends(f, &big, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_DROP_OFFLOAD), 1);
	assert_int_equal(f->raw.n_out, 0);

	f->dp.io.uso = false;
	tu_dp_kernel_sends(f, &ok, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_DROP_OFFLOAD), 2);
	assert_int_equal(f->raw.n_out, 0);

	f->dp.io.uso = true; /* 40 + 8 + 1232 = 1280: fits */
	tu_dp_kernel_sends(f, &ok, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(f->raw.n_out, 4);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_TSO_PACKETS), 1);
}

/*
 * The largest UDP GSO packet Linux hands a TUN: a 64 KiB IPv6 packet (the
 * kernel segments anything of 65536 octets or more itself, below
 * gso_max_size), 65545 octets with the virtio-net header. It is cut into
 * MTU-sized datagrams like any other, not read short and dropped whole
 * because it could not fit one outer IPv4 datagram, which it never has to.
 */
static void
test_out_udp_gso_64k(void **state)
{
	struct tu_dp *f = *state;
	struct tu_udp6 u = {.src = ME, .dst = PEER, .plen = 65535 - 8, .pattern = 3};
	struct ofl_vnet_hdr vh = {.flags = OFL_VNET_F_NEEDS_CSUM,
	                          .gso_type = OFL_GSO_UDP_L4,
	                          .hdr_len = 48,
	                          .gso_size = 1232,
	                          .csum_start = 40,
	                          .csum_offset = 6};
	size_t len = tu_udp6(f->big, &u), done = 0;

	assert_int_equal(len, 40 + 65535);
	tu_dp_kernel_sends(f, &vh, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_DROP_OFFLOAD), 0);
	assert_int_equal(f->raw.n_out, 54); /* 53 * 1232 + 231 */
	for (unsigned i = 0; i < 54; i++) {
		const uint8_t *in = f->raw.out[i] + DP_OUTER_HDR;
		size_t ilen = f->raw.out_len[i] - DP_OUTER_HDR, plen = ilen - 48;

		assert_int_equal(plen, i < 53 ? 1232 : 231);
		assert_true(tu_udp6_csum_ok(in, ilen));
		assert_int_equal(in[48], tu_tcp6_byte(3, done));
		assert_int_equal(in[48 + plen - 1], tu_tcp6_byte(3, done + plen - 1));
		done += plen;
	}
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_PACKETS), 54);
}

/* What still cannot be sent: a packet too long for one outer IPv4
 * datagram (a kernel MTU above 65515 set behind our back allows one), or
 * a super-packet whose segments would be. */
static void
test_out_too_long_for_ipv4(void **state)
{
	struct tu_dp *f = *state;
	struct tu_udp6 u = {.src = ME, .dst = PEER, .plen = 65535 - 8};
	struct ofl_vnet_hdr one = {.gso_type = OFL_GSO_UDP_L4, .hdr_len = 48, .gso_size = 65527};
	size_t len = tu_udp6(f->big, &u);

	f->dp.mtu = ISATAP_MAX_MTU;
	tu_dp_kernel_sends(f, NULL, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_NH_BASE + NH_DROP_TOO_BIG), 1);
	tu_dp_kernel_sends(f, &one, f->big, len);
	assert_int_equal(dp_fwd_out(&f->dp), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_DROP_OFFLOAD), 1);
	assert_int_equal(f->raw.n_out, 0);
	assert_int_equal(tu_dp_ctr(f, DPC_OUT_SEND_ERRORS), 0);
}

#define T(t)  cmocka_unit_test_setup_teardown(t, tu_dp_setup_vnet, tu_dp_teardown)
#define TU(t) cmocka_unit_test_setup_teardown(t, tu_dp_setup_uso, tu_dp_teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        /* TCP */
	        T(test_out_super_packet),
	        T(test_out_small_mss),
	        T(test_out_order_kept),
	        T(test_out_partial_checksum),
	        T(test_out_refused),
	        T(test_in_coalesced),
	        /* UDP (TU: with USO) */
	        TU(test_in_udp_burst),
	        T(test_in_udp_without_uso),
	        TU(test_out_udp_gso),
	        TU(test_out_udp_gso_refused),
	        TU(test_out_udp_gso_64k),
	        TU(test_out_too_long_for_ipv4),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
