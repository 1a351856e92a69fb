/* proto/counters.c: the counter names the JSON API shows. */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "counters.h"
#include "msg.h"

static void
test_every_counter_named_once(void **state)
{
	(void)state;
	assert_true(DPC_COUNT <= MSG_COUNTERS_MAX);
	for (unsigned i = 0; i < DPC_COUNT; i++) {
		const char *n = dp_counter_name(i);

		if (n == NULL)
			fail_msg("counter %u has no name", i);
		/* snake_case: lower case, digits, underscores */
		for (const char *c = n; *c; c++)
			assert_true((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') ||
			            *c == '_');
		for (unsigned j = 0; j < i; j++)
			assert_string_not_equal(n, dp_counter_name(j));
	}
	assert_null(dp_counter_name(DPC_COUNT));
	assert_null(dp_counter_name(MSG_COUNTERS_MAX));
	assert_null(dp_counter_name(~0u));
}

/* "in_drop_" + decap_verdict_name(), "out_drop_" + nh_verdict_name(). */
static void
test_drop_names_follow_verdicts(void **state)
{
	char want[64];

	(void)state;
	for (int v = DECAP_DROP_NO_LOCATOR; v < DECAP_VERDICT_COUNT; v++) {
		snprintf(want, sizeof(want), "in_drop_%s",
		         decap_verdict_name((enum decap_verdict)v));
		assert_string_equal(dp_counter_name(DPC_DECAP_BASE + (unsigned)v), want);
	}
	for (int v = NH_DROP_SHORT; v < NH_VERDICT_COUNT; v++) {
		snprintf(want, sizeof(want), "out_drop_%s", nh_verdict_name((enum nh_verdict)v));
		assert_string_equal(dp_counter_name(DPC_NH_BASE + (unsigned)v), want);
	}
	assert_string_equal(dp_counter_name(DPC_DECAP_BASE + DECAP_DROP_SPOOFED_SRC),
	                    "in_drop_spoofed_src");
	assert_string_equal(dp_counter_name(DPC_NH_BASE + NH_DROP_NO_ROUTE), "out_drop_no_route");
	assert_string_equal(dp_counter_name(DPC_OUT_PACKETS), "out_packets");
	assert_string_equal(dp_counter_name(DPC_RS_SENT), "rs_sent");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_every_counter_named_once),
	        cmocka_unit_test(test_drop_names_follow_verdicts),
	};

	return cmocka_run_group_tests_name("proto_counters", tests, NULL, NULL);
}
