/*
 * datapath/fwd.c and proto/decap.c with RFC 6040 (review finding 17): the
 * outer CE mark reaches an ECT inner packet on the way in, with and without
 * receive coalescing; a Not-ECT inner packet under CE is dropped and
 * counted; the ECN field of what we send is copied into the outer header
 * (normal mode, RFC 6040 §4.1).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/dp.h"
#include "ecn.h"
#include "isatap.h"
#include "pkt.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_dp.h"
#include "tests/unit/lib/tu_tcp6.h"

#define PKT_MAX 2048
#define PEER_LL "fe80::5efe:c000:202"
#define OUR_LL  "fe80::5efe:c000:201"

static int
setup_plain(void **state)
{
	*state = tu_dp_new(0);
	return 0;
}

/* The inner packet's ECN field (IPv6 traffic class, RFC 3168 §5). */
static uint8_t
ecn6(const uint8_t *p)
{
	return (p[1] >> 4) & ECN_MASK;
}

static void
set_ecn6(uint8_t *p, uint8_t ecn)
{
	p[1] = (uint8_t)((p[1] & 0xcf) | ecn << 4);
}

/* The last datagram tu_dp_network_sends() queued gets outer TOS tos. */
static void
set_outer_tos(struct tu_dp *f, uint8_t tos)
{
	uint8_t *o = f->raw.in[f->raw.n_in - 1];

	o[1] = tos;
	tu_ipv4_fix(o);
}

static void
test_in_ce_copied_into_ect(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len = tu_dp_echo(inner, PEER_LL, OUR_LL, 56);

	/* Outer CE (TOS 0x03) over ECT(0): the kernel gets CE. */
	set_ecn6(inner, ECN_ECT0);
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	set_outer_tos(f, 0x03);
	/* Outer ECT(0) over ECT(0): unchanged. */
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	set_outer_tos(f, 0x02);
	assert_int_equal(dp_fwd_in(&f->dp), 2);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), len);
	assert_int_equal(ecn6(got), ECN_CE);
	/* Nothing else of the packet changed. */
	set_ecn6(got, ECN_ECT0);
	assert_memory_equal(got, inner, len);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), len);
	assert_int_equal(ecn6(got), ECN_ECT0);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_ECN_CE), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), 2);
}

static void
test_in_ce_over_not_ect_dropped(void **state)
{
	struct tu_dp *f = *state;
	uint8_t inner[PKT_MAX], got[PKT_MAX];
	size_t len = tu_dp_echo(inner, PEER_LL, OUR_LL, 8);

	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	set_outer_tos(f, 0xb8 | ECN_CE);
	/* ECT(0) on the outer over Not-ECT: forwarded as Not-ECT, noticed. */
	tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", inner, len);
	set_outer_tos(f, ECN_ECT0);
	assert_int_equal(dp_fwd_in(&f->dp), 2);
	assert_int_equal(tu_dp_ctr(f, DPC_DECAP_BASE + DECAP_DROP_ECN_CE_NOT_ECT), 1);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), len);
	assert_int_equal(ecn6(got), ECN_NOT_ECT);
	assert_int_equal(tu_dp_kernel_gets(f, NULL, got, sizeof(got)), 0);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_ECN_UNUSED), 1);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_PACKETS), 1);
}

/* With receive coalescing, the mark is in place before the segment is
 * merged: a CE segment never hides inside a super-packet of ECT ones. */
static void
test_in_ce_with_gro(void **state)
{
	struct tu_dp *f = tu_dp_new(TU_DP_VNET);
	struct tu_tcp6 t = {.src = "2001:db8:1::5efe:c000:202",
	                    .dst = "2001:db8:1::5efe:c000:201",
	                    .seq = 1,
	                    .plen = 1000,
	                    .tclass = ECN_ECT0};
	uint8_t pkt[PKT_MAX];
	struct ofl_vnet_hdr vh;
	size_t len, n;

	(void)state;
	for (int i = 0; i < 3; i++) {
		t.seq = 1 + 1000 * (uint32_t)i;
		t.pattern = t.seq;
		len = tu_tcp6(pkt, &t);
		tu_dp_network_sends(f, "192.0.2.2", "192.0.2.1", pkt, len);
		if (i == 1)
			set_outer_tos(f, ECN_CE);
	}
	assert_int_equal(dp_fwd_in(&f->dp), 3);
	/* First segment alone (ECT(0)), then the CE one, which differs in
	 * its traffic class and so is not merged into it. */
	n = tu_dp_kernel_gets(f, &vh, f->big, sizeof(f->big));
	assert_true(n > 0);
	assert_int_equal(ecn6(f->big), ECN_ECT0);
	n = tu_dp_kernel_gets(f, &vh, f->big, sizeof(f->big));
	assert_true(n > 0);
	assert_int_equal(ecn6(f->big), ECN_CE);
	assert_int_equal(tu_dp_ctr(f, DPC_IN_ECN_CE), 1);
	tu_dp_free(f);
}

static void
test_out_ecn_copied(void **state)
{
	struct tu_dp *f = *state;
	static const uint8_t ecns[] = {ECN_NOT_ECT, ECN_ECT1, ECN_ECT0, ECN_CE};
	uint8_t pkt[PKT_MAX];
	struct pkt_ipv4 ip;
	size_t len;

	for (size_t i = 0; i < sizeof(ecns); i++) {
		len = tu_dp_echo(pkt, OUR_LL, PEER_LL, 8);
		/* DSCP 46 (EF) with each ECN value. */
		pkt[0] = 0x6b;
		pkt[1] = (uint8_t)(0x80 | ecns[i] << 4);
		tu_dp_kernel_sends(f, NULL, pkt, len);
	}
	assert_int_equal(dp_fwd_out(&f->dp), 4);
	for (size_t i = 0; i < sizeof(ecns); i++) {
		assert_int_equal(pkt_parse_ipv4(f->raw.out[i], f->raw.out_len[i], &ip), PKT_OK);
		assert_int_equal(ip.tos, 0xb8 | ecns[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
#define T(t) cmocka_unit_test_setup_teardown(t, setup_plain, tu_dp_teardown)
	        T(test_in_ce_copied_into_ect),
	        T(test_in_ce_over_not_ect_dropped),
	        cmocka_unit_test(test_in_ce_with_gro),
	        T(test_out_ecn_copied),
#undef T
	};

	return cmocka_run_group_tests_name("dp_fwd_ecn", tests, NULL, NULL);
}
