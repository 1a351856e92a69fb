/* datapath/offload_gro.c: receive coalescing of TCP segments into
 * super-packets for a TUN with IFF_VNET_HDR. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/offload.h"
#include "tests/unit/lib/tu_tcp6.h"

#define NPKT 80
#define PKT  1600

static uint8_t pkts[NPKT][PKT];
static size_t lens[NPKT];
static struct ofl_gro gro;
static uint8_t flat[70000];

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t
get32(const uint8_t *b)
{
	return (uint32_t)get16(b) << 16 | get16(b + 2);
}

/* Segment i of a bulk stream: seq = base + i * size, pattern follows. */
static struct tu_tcp6
seg(uint32_t i, size_t size)
{
	struct tu_tcp6 t = {.seq = 1000 + i * (uint32_t)size,
	                    .ack = 4242,
	                    .plen = size,
	                    .pattern = 1000 + i * (uint32_t)size};
	return t;
}

static size_t
add(int i, const struct tu_tcp6 *t)
{
	lens[i] = tu_tcp6(pkts[i], t);
	assert_int_equal(ofl_gro_add(&gro, pkts[i], lens[i]), OFL_OK);
	return lens[i];
}

/* Output packet k as the kernel would read it from writev(): the header,
 * decoded, and the IPv6 packet flattened into flat[]. Returns its length. */
static size_t
output(unsigned k, struct ofl_vnet_hdr *vh)
{
	struct iovec iov[OFL_GRO_MAX_SEGS + 1];
	unsigned n = ofl_gro_iov(&gro, k, iov);
	size_t len = 0;

	assert_true(n >= 2 && n <= OFL_GRO_MAX_SEGS + 1);
	assert_true(iov[0].iov_len >= OFL_VNET_HDR_LEN);
	ofl_vnet_decode(iov[0].iov_base, vh);
	memcpy(flat, (uint8_t *)iov[0].iov_base + OFL_VNET_HDR_LEN,
	       iov[0].iov_len - OFL_VNET_HDR_LEN);
	len = iov[0].iov_len - OFL_VNET_HDR_LEN;
	for (unsigned i = 1; i < n; i++) {
		memcpy(flat + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	return len;
}

/* A super-packet made of n segments of stream `first`...: one IPv6 header
 * whose length is right, the data in order, a partial checksum that the
 * kernel's completion turns into a valid one, and the GSO fields. */
static void
check_super(unsigned k, uint32_t first, unsigned n, size_t size, size_t last_size, uint8_t flags)
{
	struct ofl_vnet_hdr vh;
	size_t len = output(k, &vh), payload = (n - 1) * size + last_size;
	uint32_t base = 1000 + first * (uint32_t)size;

	assert_int_equal(vh.flags, OFL_VNET_F_NEEDS_CSUM);
	assert_int_equal(vh.gso_type, OFL_GSO_TCPV6);
	assert_int_equal(vh.gso_size, size);
	assert_int_equal(vh.hdr_len, 60);
	assert_int_equal(vh.csum_start, 40);
	assert_int_equal(vh.csum_offset, 16);
	assert_int_equal(len, 60 + payload);
	assert_int_equal(get16(flat + 4), 20 + payload);
	assert_int_equal(get32(flat + 44), base);
	assert_int_equal(flat[53], flags);
	for (size_t i = 0; i < payload; i++)
		assert_int_equal(flat[60 + i], tu_tcp6_byte(base, i));
	assert_false(tu_tcp6_csum_ok(flat, len));
	assert_int_equal(ofl_csum_complete(flat, len, &vh), OFL_OK);
	assert_true(tu_tcp6_csum_ok(flat, len));
}

/* Output k is packet i, unchanged, with an empty virtio-net header. */
static void
check_alone(unsigned k, int i)
{
	struct ofl_vnet_hdr vh;
	size_t len = output(k, &vh);

	assert_int_equal(vh.flags, 0);
	assert_int_equal(vh.gso_type, OFL_GSO_NONE);
	assert_int_equal(vh.gso_size, 0);
	assert_int_equal(len, lens[i]);
	assert_memory_equal(flat, pkts[i], len);
}

static int
setup(void **state)
{
	(void)state;
	ofl_gro_init(&gro);
	return 0;
}

/* Consecutive full-sized segments of one flow become one super-packet; the
 * short last one joins and closes it. */
static void
test_gro_bulk(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 10; i++) {
		struct tu_tcp6 t = seg(i, 1400);

		if (i == 9)
			t.plen = 123;
		add((int)i, &t);
	}
	assert_int_equal(gro.n, 1);
	assert_int_equal(gro.coalesced, 9);
	check_super(0, 0, 10, 1400, 123, TU_TCP_ACK);
}

/* One segment of a flow goes alone, as received. */
static void
test_gro_single(void **state)
{
	struct tu_tcp6 t = seg(0, 1400);

	(void)state;
	add(0, &t);
	assert_int_equal(gro.n, 1);
	check_alone(0, 0);
}

/* Interleaved flows are coalesced each on its own, in first-seen order. */
static void
test_gro_two_flows(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 6; i++) {
		struct tu_tcp6 t = seg(i / 2, 1000);

		if (i % 2)
			t.sport = 40001;
		add((int)i, &t);
	}
	assert_int_equal(gro.n, 2);
	check_super(0, 0, 3, 1000, 1000, TU_TCP_ACK);
	check_super(1, 0, 3, 1000, 1000, TU_TCP_ACK);
	assert_int_equal(get16(flat + 40), 40001);
}

/* A gap (a lost segment) and a retransmission are never bridged. */
static void
test_gro_gap_and_overlap(void **state)
{
	struct tu_tcp6 a = seg(0, 1000), b = seg(2, 1000), c = seg(2, 1000);

	(void)state;
	add(0, &a);
	add(1, &b); /* segment 1 missing */
	add(2, &c); /* segment 2 again */
	assert_int_equal(gro.n, 3);
	check_alone(0, 0);
	check_alone(1, 1);
	check_alone(2, 2);
}

/* PSH joins and ends the super-packet; what follows starts another. */
static void
test_gro_psh_closes(void **state)
{
	struct tu_tcp6 t;

	(void)state;
	for (uint32_t i = 0; i < 4; i++) {
		t = seg(i, 1000);
		if (i == 1)
			t.flags = TU_TCP_ACK | TU_TCP_PSH;
		add((int)i, &t);
	}
	assert_int_equal(gro.n, 2);
	check_super(0, 0, 2, 1000, 1000, TU_TCP_ACK | TU_TCP_PSH);
	check_super(1, 2, 2, 1000, 1000, TU_TCP_ACK);
}

/* FIN, SYN, RST, URG and CWR segments and pure ACKs go alone, and close
 * the flow's super-packet so that nothing overtakes them. */
static void
test_gro_flags_alone(void **state)
{
	static const uint8_t odd[] = {TU_TCP_ACK | TU_TCP_FIN, TU_TCP_ACK | TU_TCP_RST,
	                              TU_TCP_ACK | TU_TCP_URG, TU_TCP_ACK | TU_TCP_CWR,
	                              TU_TCP_SYN | TU_TCP_ACK, TU_TCP_PSH};

	(void)state;
	for (size_t f = 0; f < sizeof(odd); f++) {
		struct tu_tcp6 t;

		ofl_gro_init(&gro);
		for (uint32_t i = 0; i < 4; i++) {
			t = seg(i, 1000);
			if (i == 2)
				t.flags = odd[f];
			add((int)i, &t);
		}
		assert_int_equal(gro.n, 3);
		check_super(0, 0, 2, 1000, 1000, TU_TCP_ACK);
		check_alone(1, 2);
		check_alone(2, 3); /* continues segment 2, which stood alone */
	}

	/* A pure ACK of the flow (no payload) in the middle. */
	struct tu_tcp6 a = seg(0, 1000), ack = seg(1, 0), b = seg(1, 1000);

	ofl_gro_init(&gro);
	add(0, &a);
	add(1, &ack);
	add(2, &b);
	assert_int_equal(gro.n, 3);
	check_alone(0, 0);
	check_alone(1, 1);
	check_alone(2, 2);
}

/* ECE the same on every segment may coalesce; a change of it may not. */
static void
test_gro_ece(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 3; i++) {
		struct tu_tcp6 t = seg(i, 1000);

		t.flags = TU_TCP_ACK | TU_TCP_ECE;
		if (i == 2)
			t.flags = TU_TCP_ACK;
		add((int)i, &t);
	}
	assert_int_equal(gro.n, 2);
	check_super(0, 0, 2, 1000, 1000, TU_TCP_ACK | TU_TCP_ECE);
	check_alone(1, 2);
}

/* Options must be identical: a new timestamp starts a new super-packet. */
static void
test_gro_options(void **state)
{
	uint8_t ts1[12], ts2[12];

	(void)state;
	tu_tcp_ts_opts(ts1, 100, 200);
	tu_tcp_ts_opts(ts2, 101, 200);
	for (uint32_t i = 0; i < 4; i++) {
		struct tu_tcp6 t = seg(i, 1000);

		t.opts = i < 2 ? ts1 : ts2;
		t.optlen = 12;
		add((int)i, &t);
	}
	assert_int_equal(gro.n, 2);
	for (unsigned k = 0; k < 2; k++) {
		struct ofl_vnet_hdr vh;
		size_t len = output(k, &vh);

		assert_int_equal(vh.gso_type, OFL_GSO_TCPV6);
		assert_int_equal(vh.hdr_len, 72);
		assert_int_equal(len, 72 + 2000);
		assert_memory_equal(flat + 60, k ? ts2 : ts1, 12);
		assert_int_equal(ofl_csum_complete(flat, len, &vh), OFL_OK);
		assert_true(tu_tcp6_csum_ok(flat, len));
	}

	/* No options after options. */
	struct tu_tcp6 a = seg(0, 1000), b = seg(1, 1000);

	ofl_gro_init(&gro);
	a.opts = ts1;
	a.optlen = 12;
	add(0, &a);
	add(1, &b);
	assert_int_equal(gro.n, 2);
}

/* A different ACK number, window, hop limit, traffic class or flow label
 * ends the run: the super-packet has one header for all. */
static void
test_gro_header_fields(void **state)
{
	(void)state;
	for (int f = 0; f < 5; f++) {
		struct tu_tcp6 a = seg(0, 1000), b = seg(1, 1000);

		ofl_gro_init(&gro);
		switch (f) {
		case 0:
			b.ack = a.ack + 1;
			break;
		case 1:
			b.window = 1024;
			break;
		case 2:
			b.hop_limit = 63;
			break;
		case 3:
			b.tclass = 0x03;
			break; /* ECN CE */
		case 4:
			b.flow_label = 7;
			break;
		}
		add(0, &a);
		add(1, &b);
		assert_int_equal(gro.n, 2);
		check_alone(0, 0);
		check_alone(1, 1);
	}
}

/* A bad checksum is never coalesced: it goes alone, unflagged, for the
 * kernel to reject and count, and closes the run before it. */
static void
test_gro_bad_checksum(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 4; i++) {
		struct tu_tcp6 t = seg(i, 1000);

		lens[i] = tu_tcp6(pkts[i], &t);
		if (i == 2)
			pkts[i][60 + 500] ^= 0x01;
		assert_int_equal(ofl_gro_add(&gro, pkts[i], lens[i]), OFL_OK);
	}
	assert_int_equal(gro.bad_csum, 1);
	assert_int_equal(gro.n, 3);
	check_super(0, 0, 2, 1000, 1000, TU_TCP_ACK);
	check_alone(1, 2);
	assert_false(tu_tcp6_csum_ok(flat, lens[2]));
	check_alone(2, 3);

	/* A bad first segment does not take the next one in. */
	ofl_gro_init(&gro);
	struct tu_tcp6 a = seg(0, 1000), b = seg(1, 1000);

	lens[0] = tu_tcp6(pkts[0], &a);
	pkts[0][57] ^= 0x80;
	assert_int_equal(ofl_gro_add(&gro, pkts[0], lens[0]), OFL_OK);
	add(1, &b);
	assert_int_equal(gro.n, 2);
	check_alone(0, 0);
	check_alone(1, 1);
}

/* A segment shorter than the first ends the run; a longer one cannot join. */
static void
test_gro_sizes(void **state)
{
	struct tu_tcp6 a = seg(0, 1000), b = seg(1, 1000), c, d;

	(void)state;
	b.plen = 500;
	c = b;
	c.seq = b.seq + 500;
	c.pattern = c.seq;
	c.plen = 500;
	add(0, &a);
	add(1, &b);
	add(2, &c);
	assert_int_equal(gro.n, 2);
	check_super(0, 0, 2, 1000, 500, TU_TCP_ACK);
	check_alone(1, 2);

	ofl_gro_init(&gro);
	a.plen = 500;
	d = seg(0, 1000);
	d.seq = a.seq + 500;
	d.pattern = d.seq;
	add(0, &a);
	add(1, &d);
	assert_int_equal(gro.n, 2);
}

/* Other protocols pass through, unflagged, and do not break a TCP run. */
static void
test_gro_other_protocols(void **state)
{
	struct tu_tcp6 a = seg(0, 1000), b = seg(1, 1000);

	(void)state;
	add(0, &a);
	lens[1] = tu_tcp6(pkts[1], &a);
	pkts[1][6] = 17; /* UDP now, same addresses */
	assert_int_equal(ofl_gro_add(&gro, pkts[1], lens[1]), OFL_OK);
	lens[2] = 30; /* runt */
	memset(pkts[2], 0x60, 30);
	assert_int_equal(ofl_gro_add(&gro, pkts[2], lens[2]), OFL_OK);
	add(3, &b);
	assert_int_equal(gro.n, 3);
	check_super(0, 0, 2, 1000, 1000, TU_TCP_ACK);
	check_alone(1, 1);
	check_alone(2, 2);
}

/* A segment of the flow hidden behind an extension header or a fragment
 * header, or with a malformed TCP header, ends the runs between the same
 * two addresses: a later segment must not overtake it. Other protocols
 * between them do not. */
static void
test_gro_hidden_tcp(void **state)
{
	static const uint8_t hidden[] = {0, 6, 43, 44, 60};

	(void)state;
	for (size_t h = 0; h < sizeof(hidden); h++) {
		struct tu_tcp6 a = seg(0, 1000), b = seg(1, 1000), c = b;

		ofl_gro_init(&gro);
		add(0, &a);
		lens[1] = tu_tcp6(pkts[1], &b);
		pkts[1][6] = hidden[h];
		if (hidden[h] == 6)
			pkts[1][52] = 0x40; /* data offset 4 */
		assert_int_equal(ofl_gro_add(&gro, pkts[1], lens[1]), OFL_OK);
		add(2, &c);
		assert_int_equal(gro.n, 3);
		check_alone(0, 0);
		check_alone(1, 1);
		check_alone(2, 2);
	}
}

/* A super-packet holds at most OFL_GRO_MAX_SEGS segments and 65535 octets
 * of IPv6 payload; the batch at most OFL_GRO_MAX_PKTS packets. */
static void
test_gro_limits(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < OFL_GRO_MAX_SEGS + 1; i++) {
		struct tu_tcp6 t = seg(i, 100);

		add((int)i, &t);
	}
	assert_int_equal(gro.n, 2);
	check_super(0, 0, OFL_GRO_MAX_SEGS, 100, 100, TU_TCP_ACK);
	check_alone(1, OFL_GRO_MAX_SEGS);

	/* 1500-octet segments: 43 fit in 65535 - 20. */
	ofl_gro_init(&gro);
	for (uint32_t i = 0; i < 45; i++) {
		struct tu_tcp6 t = seg(i, 1500);

		add((int)i, &t);
	}
	assert_int_equal(gro.n, 2);
	check_super(0, 0, 43, 1500, 1500, TU_TCP_ACK);
	check_super(1, 43, 2, 1500, 1500, TU_TCP_ACK);

	/* Distinct flows fill the batch. */
	ofl_gro_init(&gro);
	for (uint32_t i = 0; i < OFL_GRO_MAX_PKTS; i++) {
		struct tu_tcp6 t = seg(0, 100);

		t.sport = (uint16_t)(1000 + i);
		add((int)(i % NPKT), &t);
	}
	/* A full batch still takes a segment that joins an open flow... */
	struct tu_tcp6 t = seg(1, 100);
	int last = OFL_GRO_MAX_PKTS;

	t.sport = 1005;
	add(last, &t);
	assert_int_equal(gro.n, OFL_GRO_MAX_PKTS);
	assert_int_equal(gro.coalesced, 1);
	/* ...but not one that needs an output packet of its own. */
	t = seg(0, 100);
	lens[last + 1] = tu_tcp6(pkts[last + 1], &t);
	assert_int_equal(ofl_gro_add(&gro, pkts[last + 1], lens[last + 1]), OFL_NO_ROOM);
	assert_int_equal(gro.n, OFL_GRO_MAX_PKTS);
	check_super(5, 0, 2, 100, 100, TU_TCP_ACK);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_gro_bulk, setup),
	        cmocka_unit_test_setup(test_gro_single, setup),
	        cmocka_unit_test_setup(test_gro_two_flows, setup),
	        cmocka_unit_test_setup(test_gro_gap_and_overlap, setup),
	        cmocka_unit_test_setup(test_gro_psh_closes, setup),
	        cmocka_unit_test_setup(test_gro_flags_alone, setup),
	        cmocka_unit_test_setup(test_gro_ece, setup),
	        cmocka_unit_test_setup(test_gro_options, setup),
	        cmocka_unit_test_setup(test_gro_header_fields, setup),
	        cmocka_unit_test_setup(test_gro_bad_checksum, setup),
	        cmocka_unit_test_setup(test_gro_sizes, setup),
	        cmocka_unit_test_setup(test_gro_other_protocols, setup),
	        cmocka_unit_test_setup(test_gro_hidden_tcp, setup),
	        cmocka_unit_test_setup(test_gro_limits, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
