/*
 * datapath/kroute.c: a kernel route the datapath would add, judged against
 * each route the kernel already has for the prefix. Ours (interface 7,
 * protocol 41) at metric 1000001024.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "datapath/dp.h"

#define IFX    7
#define PROTO  41
#define METRIC 1000001024u

static enum dp_kroute_verdict
judge(unsigned oif, uint8_t protocol, uint32_t metric)
{
	struct dp_kroute_seen r = {.oif = oif, .protocol = protocol, .metric = metric};

	return dp_kroute_judge(&r, IFX, PROTO, METRIC);
}

static void
test_host_routes_better_than_ours_coexist(void **state)
{
	(void)state;
	/* The kernel's RA default route (proto ra, 1024), a static one, a
	 * NetworkManager one: each keeps winning, ours waits behind it. */
	assert_int_equal(judge(2, 9, 1024), DP_KROUTE_FREE);
	assert_int_equal(judge(2, 4, 1024), DP_KROUTE_FREE);
	assert_int_equal(judge(3, 3, 100), DP_KROUTE_FREE);
	assert_int_equal(judge(2, 2, 256), DP_KROUTE_FREE);
	assert_int_equal(judge(0, 4, 1024), DP_KROUTE_FREE); /* multipath */
	assert_int_equal(judge(2, 4, METRIC - 1), DP_KROUTE_FREE);
}

static void
test_host_routes_we_would_replace_or_hide_clash(void **state)
{
	(void)state;
	/* Same metric: IPv6 would replace it (NLM_F_REPLACE) or tie with it. */
	assert_int_equal(judge(2, 4, METRIC), DP_KROUTE_CLASH);
	/* Worse than ours: ours would take its traffic. */
	assert_int_equal(judge(2, 4, METRIC + 1), DP_KROUTE_CLASH);
	assert_int_equal(judge(2, 4, UINT32_MAX), DP_KROUTE_CLASH);
	assert_int_equal(judge(0, 4, METRIC), DP_KROUTE_CLASH); /* multipath */
	/* Our protocol number on another interface is not ours. */
	assert_int_equal(judge(2, PROTO, METRIC), DP_KROUTE_CLASH);
	/* Someone else's route on our interface (ip route add ... dev
	 * isatap0) is not ours either. */
	assert_int_equal(judge(IFX, 4, METRIC), DP_KROUTE_CLASH);
	assert_int_equal(judge(IFX, 4, METRIC + 5), DP_KROUTE_CLASH);
}

static void
test_ours(void **state)
{
	(void)state;
	assert_int_equal(judge(IFX, PROTO, METRIC), DP_KROUTE_OURS);
	/* Ours for the same prefix at another preference: both stay. */
	assert_int_equal(judge(IFX, PROTO, METRIC + 256), DP_KROUTE_FREE);
	assert_int_equal(judge(IFX, PROTO, METRIC - 256), DP_KROUTE_FREE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_host_routes_better_than_ours_coexist),
	        cmocka_unit_test(test_host_routes_we_would_replace_or_hide_clash),
	        cmocka_unit_test(test_ours),
	};

	return cmocka_run_group_tests_name("dp_kroute", tests, NULL, NULL);
}
