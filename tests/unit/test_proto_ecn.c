/*
 * proto/ecn.c: RFC 6040 §4.2 Figure 4 cell by cell, and §4.1 normal mode.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "ecn.h"

static void
test_decap_table(void **state)
{
	/* [inner][outer] as the RFC's figure lays it out: columns Not-ECT,
	 * ECT(0), ECT(1), CE; -1 drop; +0x10 a "(!!!)" combination. */
	static const uint8_t outer[4] = {ECN_NOT_ECT, ECN_ECT0, ECN_ECT1, ECN_CE};
	static const struct {
		uint8_t inner;
		int want[4];
	} rows[] = {
	        {ECN_NOT_ECT, {ECN_NOT_ECT, ECN_NOT_ECT | 0x10, ECN_NOT_ECT | 0x10, -1}},
	        {ECN_ECT0, {ECN_ECT0, ECN_ECT0, ECN_ECT1, ECN_CE}},
	        {ECN_ECT1, {ECN_ECT1, ECN_ECT1, ECN_ECT1, ECN_CE}},
	        {ECN_CE, {ECN_CE, ECN_CE, ECN_CE | 0x10, ECN_CE}},
	};

	(void)state;
	for (size_t r = 0; r < sizeof(rows) / sizeof(rows[0]); r++) {
		for (int c = 0; c < 4; c++) {
			int w = rows[r].want[c];
			uint8_t got = 0xee;
			enum ecn_verdict v = ecn_decap(outer[c], rows[r].inner, &got);

			if (w < 0) {
				assert_int_equal(v, ECN_DROP);
				continue;
			}
			assert_int_equal(v, (w & 0x10) ? ECN_UNUSED : ECN_FORWARD);
			assert_int_equal(got, w & ECN_MASK);
		}
	}
}

static void
test_decap_ignores_dscp(void **state)
{
	uint8_t got;

	/* Whole TOS / traffic class octets may be passed: only the ECN bits count. */
	(void)state;
	assert_int_equal(ecn_decap(0xb8 | ECN_CE, 0xb8 | ECN_ECT0, &got), ECN_FORWARD);
	assert_int_equal(got, ECN_CE);
	assert_int_equal(ecn_decap(0xfc | ECN_CE, 0x04, &got), ECN_DROP);
}

static void
test_encap_normal_mode(void **state)
{
	(void)state;
	assert_int_equal(ecn_encap(ECN_NOT_ECT), ECN_NOT_ECT);
	assert_int_equal(ecn_encap(ECN_ECT0), ECN_ECT0);
	assert_int_equal(ecn_encap(ECN_ECT1), ECN_ECT1);
	assert_int_equal(ecn_encap(ECN_CE), ECN_CE);
	assert_int_equal(ecn_encap(0xb9), ECN_ECT1);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(ecn_verdict_name(ECN_DROP), "drop");
	assert_string_equal(ecn_verdict_name(ECN_VERDICT_COUNT), "invalid");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_decap_table),
	        cmocka_unit_test(test_decap_ignores_dscp),
	        cmocka_unit_test(test_encap_normal_mode),
	        cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests_name("proto_ecn", tests, NULL, NULL);
}
