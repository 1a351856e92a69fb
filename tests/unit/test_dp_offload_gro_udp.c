/* datapath/offload_gro.c with USO (g->udp): consecutive same-sized UDP
 * datagrams of one flow coalesced into one UDP GSO packet for the TUN. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/offload.h"
#include "tests/unit/lib/tu_tcp6.h"
#include "tests/unit/lib/tu_udp6.h"

#define NPKT 80
#define PKT  1600

static uint8_t pkts[NPKT][PKT];
static size_t lens[NPKT];
static struct ofl_gro gro;
static uint8_t flat[70000], cut[70000 + OFL_USO_MAX_SEGS * 48];
static struct ofl_seg segs[OFL_USO_MAX_SEGS];

static uint16_t
get16(const uint8_t *b)
{
	return (uint16_t)(b[0] << 8 | b[1]);
}

/* Datagram i of a flow whose payloads follow one pattern. */
static struct tu_udp6
dgram(uint32_t i, size_t size)
{
	struct tu_udp6 u = {.plen = size, .pattern = 5000 + i * (uint32_t)size};
	return u;
}

static void
add(int i, const struct tu_udp6 *u)
{
	lens[i] = tu_udp6(pkts[i], u);
	assert_int_equal(ofl_gro_add(&gro, pkts[i], lens[i]), OFL_OK);
}

/* Packet i as given, for tests that corrupt it first. */
static void
add_raw(int i)
{
	assert_int_equal(ofl_gro_add(&gro, pkts[i], lens[i]), OFL_OK);
}

/* Output packet k as the kernel would read it from writev(). */
static size_t
output(unsigned k, struct ofl_vnet_hdr *vh)
{
	struct iovec iov[OFL_GRO_MAX_SEGS + 1];
	unsigned n = ofl_gro_iov(&gro, k, iov);
	size_t len;

	assert_true(n >= 2 && n <= OFL_GRO_MAX_SEGS + 1);
	ofl_vnet_decode(iov[0].iov_base, vh);
	len = iov[0].iov_len - OFL_VNET_HDR_LEN;
	memcpy(flat, (uint8_t *)iov[0].iov_base + OFL_VNET_HDR_LEN, len);
	for (unsigned i = 1; i < n; i++) {
		memcpy(flat + len, iov[i].iov_base, iov[i].iov_len);
		len += iov[i].iov_len;
	}
	return len;
}

/*
 * Output k is a UDP GSO packet of the n datagrams idx[0..n):
 * exact GSO fields, the lengths of the whole, the pseudo-header sum in the
 * checksum field (which the kernel's completion turns into a valid
 * checksum), and, cut again as the kernel will, exactly those datagrams.
 */
static void
check_run(unsigned k, const int *idx, unsigned n, size_t size)
{
	struct ofl_vnet_hdr vh;
	size_t len = output(k, &vh), payload = 0;
	uint16_t pseudo;
	int cn, first = idx[0];

	for (unsigned i = 0; i < n; i++)
		payload += lens[idx[i]] - 48;
	assert_int_equal(vh.flags, OFL_VNET_F_NEEDS_CSUM);
	assert_int_equal(vh.gso_type, OFL_GSO_UDP_L4);
	assert_int_equal(vh.gso_size, size);
	assert_int_equal(vh.hdr_len, 48);
	assert_int_equal(vh.csum_start, 40);
	assert_int_equal(vh.csum_offset, 6);
	assert_int_equal(len, 48 + payload);
	assert_int_equal(get16(flat + 4), 8 + payload);
	assert_int_equal(get16(flat + 44), 8 + payload);
	assert_memory_equal(flat, pkts[first], 4);
	assert_memory_equal(flat + 6, pkts[first] + 6, 38);
	pseudo = ofl_csum_fold(ofl_pseudo6(flat + 8, flat + 24, (uint32_t)(8 + payload), 17));
	assert_memory_equal(flat + 46, &pseudo, 2);

	cn = ofl_uso_segment(flat, len, &vh, 65535, cut, sizeof(cut), segs, OFL_USO_MAX_SEGS);
	assert_int_equal(cn, n);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(segs[i].len, lens[idx[i]]);
		assert_memory_equal(cut + segs[i].off, pkts[idx[i]], segs[i].len);
	}

	assert_int_equal(ofl_csum_complete(flat, len, &vh), OFL_OK);
	assert_true(tu_udp6_csum_ok(flat, len));
}

/* The same for the n consecutive datagrams from index first on. */
static void
check_super(unsigned k, int first, unsigned n, size_t size)
{
	int idx[OFL_GRO_MAX_SEGS];

	for (unsigned i = 0; i < n; i++)
		idx[i] = first + (int)i;
	check_run(k, idx, n, size);
}

/* Output k is packet i, unchanged, with an empty virtio-net header. */
static void
check_alone(unsigned k, int i)
{
	struct ofl_vnet_hdr vh;
	size_t len = output(k, &vh);

	assert_int_equal(vh.flags, 0);
	assert_int_equal(vh.gso_type, OFL_GSO_NONE);
	assert_int_equal(len, lens[i]);
	assert_memory_equal(flat, pkts[i], len);
}

static int
setup(void **state)
{
	(void)state;
	ofl_gro_init(&gro);
	gro.udp = true;
	return 0;
}

/* Same-sized datagrams of one flow become one UDP GSO packet. */
static void
test_udp_flow_joins(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 10; i++) {
		struct tu_udp6 u = dgram(i, 1000);

		add((int)i, &u);
	}
	assert_int_equal(gro.n, 1);
	assert_int_equal(gro.coalesced, 9);
	assert_int_equal(gro.pkt[0].nsegs, 10);
	check_super(0, 0, 10, 1000);

	/* The small ones of a 64-octet flood too. */
	ofl_gro_init(&gro);
	for (uint32_t i = 0; i < 19; i++) {
		struct tu_udp6 u = dgram(i, 64);

		add((int)i, &u);
	}
	assert_int_equal(gro.n, 1);
	check_super(0, 0, 19, 64);
}

/* ofl_gro_init() starts a batch; it leaves the TUN's USO setting alone.
 * Without it, UDP passes as any other protocol: each datagram alone. */
static void
test_udp_off(void **state)
{
	(void)state;
	ofl_gro_init(&gro);
	assert_true(gro.udp);
	gro.udp = false;
	for (uint32_t i = 0; i < 3; i++) {
		struct tu_udp6 u = dgram(i, 1000);

		add((int)i, &u);
	}
	assert_int_equal(gro.n, 3);
	assert_int_equal(gro.coalesced, 0);
	for (unsigned k = 0; k < 3; k++)
		check_alone(k, (int)k);
}

/* The super-packet has one IPv6 and one UDP header: a different port,
 * address, traffic class (ECN included), flow label or hop limit is
 * another flow or another header, and does not join. */
static void
test_udp_header_fields(void **state)
{
	(void)state;
	for (int f = 0; f < 7; f++) {
		struct tu_udp6 a = dgram(0, 1000), b = dgram(1, 1000);

		ofl_gro_init(&gro);
		switch (f) {
		case 0:
			b.sport = 40001;
			break;
		case 1:
			b.dport = 5202;
			break;
		case 2:
			b.src = "2001:db8:1::3";
			break;
		case 3:
			b.dst = "2001:db8:1::3";
			break;
		case 4:
			b.tclass = 0x01; /* ECT(1) */
			break;
		case 5:
			b.flow_label = 1;
			break;
		case 6:
			b.hop_limit = 63;
			break;
		}
		add(0, &a);
		add(1, &b);
		assert_int_equal(gro.n, 2);
		check_alone(0, 0);
		check_alone(1, 1);
	}
}

/* A bad checksum, or none (0, which IPv6 forbids), is never merged: the
 * datagram goes alone for the kernel to judge, closing the run before it. */
static void
test_udp_bad_and_zero_checksum(void **state)
{
	struct tu_udp6 u;

	(void)state;
	for (int z = 0; z < 2; z++) {
		ofl_gro_init(&gro);
		for (uint32_t i = 0; i < 4; i++) {
			u = dgram(i, 1000);
			u.no_csum = z && i == 2;
			lens[i] = tu_udp6(pkts[i], &u);
			if (!z && i == 2)
				pkts[i][48 + 300] ^= 0x10;
			add_raw((int)i);
		}
		assert_int_equal(gro.bad_csum, 1);
		assert_int_equal(gro.n, 3);
		check_super(0, 0, 2, 1000);
		check_alone(1, 2);
		check_alone(2, 3);
	}

	/* A bad first datagram takes no other in. */
	ofl_gro_init(&gro);
	u = dgram(0, 1000);
	u.no_csum = true;
	add(0, &u);
	u = dgram(1, 1000);
	add(1, &u);
	u = dgram(2, 1000);
	add(2, &u);
	assert_int_equal(gro.n, 2);
	check_alone(0, 0);
	check_super(1, 1, 2, 1000);
}

/* A larger payload than the first cannot join: it closes the run and
 * starts its own. A shorter one joins as the last and closes it. */
static void
test_udp_sizes(void **state)
{
	struct tu_udp6 a = dgram(0, 500), b = dgram(1, 1000), c = dgram(2, 1000);
	struct tu_udp6 d = dgram(3, 999), e = dgram(4, 1000);

	(void)state;
	add(0, &a);
	add(1, &b);
	add(2, &c);
	add(3, &d);
	add(4, &e);
	assert_int_equal(gro.n, 3);
	check_alone(0, 0);
	check_super(1, 1, 3, 1000);
	check_alone(2, 4);
}

/* A datagram with no payload goes alone, and closes its flow's run. */
static void
test_udp_empty(void **state)
{
	struct tu_udp6 a = dgram(0, 100), b = dgram(1, 0), c = dgram(2, 100), d = dgram(3, 100);

	(void)state;
	add(0, &a);
	add(1, &b);
	add(2, &c);
	add(3, &d);
	assert_int_equal(gro.n, 3);
	check_alone(0, 0);
	check_alone(1, 1);
	check_super(2, 2, 2, 100);
}

/* A UDP length shorter than the IPv6 payload (trailing octets the kernel
 * trims) is a valid datagram of the flow but not one to merge: it goes
 * alone and closes the run. */
static void
test_udp_length_mismatch(void **state)
{
	struct tu_udp6 a = dgram(0, 100), b = dgram(1, 100), c = dgram(2, 100);

	(void)state;
	add(0, &a);
	lens[1] = tu_udp6(pkts[1], &b);
	pkts[1][45] -= 4;
	add_raw(1);
	add(2, &c);
	assert_int_equal(gro.n, 3);
	check_alone(0, 0);
	check_alone(1, 1);
	check_alone(2, 2);
}

/* Interleaved flows are coalesced each on its own, each in order; the
 * outputs come in the order the flows were first seen. */
static void
test_udp_interleaved(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 9; i++) {
		struct tu_udp6 u = dgram(i, 200);

		u.sport = (uint16_t)(40000 + i % 3);
		add((int)i, &u);
	}
	assert_int_equal(gro.n, 3);
	for (int k = 0; k < 3; k++) {
		const int idx[] = {k, k + 3, k + 6};

		check_run((unsigned)k, idx, 3, 200);
		assert_int_equal(get16(flat + 40), 40000 + k);
	}
}

/* TCP and UDP between the same addresses and ports are two flows; each
 * coalesces on its own. */
static void
test_udp_and_tcp_apart(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < 6; i++) {
		if (i % 2) {
			struct tu_tcp6 t = {.seq = 1 + (i / 2) * 1000,
			                    .ack = 9,
			                    .plen = 1000,
			                    .pattern = 1 + (i / 2) * 1000};

			lens[i] = tu_tcp6(pkts[i], &t);
			add_raw((int)i);
		} else {
			struct tu_udp6 u = dgram(i / 2, 1000);

			add((int)i, &u);
		}
	}
	assert_int_equal(gro.n, 2);
	assert_int_equal(gro.coalesced, 4);
	const int udp[] = {0, 2, 4};
	struct ofl_vnet_hdr vh;
	size_t len;

	check_run(0, udp, 3, 1000);
	len = output(1, &vh);
	assert_int_equal(vh.gso_type, OFL_GSO_TCPV6);
	assert_int_equal(vh.gso_size, 1000);
	assert_int_equal(len, 60 + 3000);
	assert_int_equal(ofl_csum_complete(flat, len, &vh), OFL_OK);
	assert_true(tu_tcp6_csum_ok(flat, len));
}

/* A packet that may hide a datagram of the flow (extension headers,
 * fragments, or a UDP header that does not parse) closes every run between
 * the same two addresses: nothing may overtake it. Between other
 * addresses it changes nothing. */
static void
test_udp_hidden(void **state)
{
	static const uint8_t hidden[] = {0, 43, 44, 60, 17};

	(void)state;
	for (size_t h = 0; h < sizeof(hidden); h++) {
		struct tu_udp6 a = dgram(0, 500), b = dgram(1, 500), c = dgram(2, 500);

		ofl_gro_init(&gro);
		add(0, &a);
		lens[1] = tu_udp6(pkts[1], &b);
		pkts[1][6] = hidden[h];
		if (hidden[h] == 17)
			pkts[1][5] ^= 1; /* IPv6 length off by one */
		add_raw(1);
		add(2, &c);
		assert_int_equal(gro.n, 3);
		check_alone(0, 0);
		check_alone(1, 1);
		check_alone(2, 2);
	}

	struct tu_udp6 a = dgram(0, 500), b = dgram(1, 500), c = dgram(2, 500);

	ofl_gro_init(&gro);
	add(0, &a);
	b.src = "2001:db8:1::7";
	lens[1] = tu_udp6(pkts[1], &b);
	pkts[1][6] = 44;
	add_raw(1);
	add(2, &c);
	assert_int_equal(gro.n, 2);
	const int run[] = {0, 2};

	check_run(0, run, 2, 500);
	check_alone(1, 1);
}

/* At most OFL_GRO_MAX_SEGS datagrams and 65535 octets of IPv6 payload. */
static void
test_udp_limits(void **state)
{
	(void)state;
	for (uint32_t i = 0; i < OFL_GRO_MAX_SEGS + 1; i++) {
		struct tu_udp6 u = dgram(i, 100);

		add((int)i, &u);
	}
	assert_int_equal(gro.n, 2);
	check_super(0, 0, OFL_GRO_MAX_SEGS, 100);
	check_alone(1, OFL_GRO_MAX_SEGS);

	/* 1400-octet datagrams: 8 + 46 * 1400 = 64408 fits, 47 do not. */
	ofl_gro_init(&gro);
	for (uint32_t i = 0; i < 48; i++) {
		struct tu_udp6 u = dgram(i, 1400);

		add((int)i, &u);
	}
	assert_int_equal(gro.n, 2);
	check_super(0, 0, 46, 1400);
	check_super(1, 46, 2, 1400);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test_setup(test_udp_flow_joins, setup),
	        cmocka_unit_test_setup(test_udp_off, setup),
	        cmocka_unit_test_setup(test_udp_header_fields, setup),
	        cmocka_unit_test_setup(test_udp_bad_and_zero_checksum, setup),
	        cmocka_unit_test_setup(test_udp_sizes, setup),
	        cmocka_unit_test_setup(test_udp_empty, setup),
	        cmocka_unit_test_setup(test_udp_length_mismatch, setup),
	        cmocka_unit_test_setup(test_udp_interleaved, setup),
	        cmocka_unit_test_setup(test_udp_and_tcp_apart, setup),
	        cmocka_unit_test_setup(test_udp_hidden, setup),
	        cmocka_unit_test_setup(test_udp_limits, setup),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
