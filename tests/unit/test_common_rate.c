/* common/rate.c: the token bucket behind the ICMPv6 error rate limit. */
#include <stdarg.h>
#include <setjmp.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "rate.h"

/* How many of n tries at now_ms get through. */
static unsigned
take(struct rate_bucket *b, uint64_t now_ms, unsigned n)
{
	unsigned got = 0;

	for (unsigned i = 0; i < n; i++)
		got += rate_take(b, now_ms);
	return got;
}

static void
test_burst_then_rate(void **state)
{
	struct rate_bucket b = RATE_BUCKET_INIT(10, 10);

	(void)state;
	/* Full at start, whatever the clock says. */
	assert_int_equal(take(&b, 5000000, 50), 10);
	/* 10 a second: one every 100 ms, not before. */
	assert_int_equal(take(&b, 5000099, 5), 0);
	assert_int_equal(take(&b, 5000100, 5), 1);
	assert_int_equal(take(&b, 5000350, 5), 2);
	/* A long pause refills to the burst, no further. */
	assert_int_equal(take(&b, 5100000, 50), 10);
}

/* The fraction of a token earned is kept: a try every 150 ms gets 10 in
 * 1.5 s (after the burst), not one per try. */
static void
test_fraction_kept(void **state)
{
	struct rate_bucket b = RATE_BUCKET_INIT(10, 10);
	unsigned got = 0;

	(void)state;
	assert_int_equal(take(&b, 1000, 10), 10);
	for (uint64_t t = 1150; t <= 4000; t += 150)
		got += take(&b, t, 2);
	/* 3000 ms at 10/s: 30 tokens, none lost to rounding. */
	assert_int_equal(got, 30);
}

static void
test_zero_rate_and_clock_edges(void **state)
{
	struct rate_bucket b = RATE_BUCKET_INIT(3, 0);
	struct rate_bucket c = RATE_BUCKET_INIT(2, 1000);

	(void)state;
	assert_int_equal(take(&b, 1, 10), 3);
	assert_int_equal(take(&b, UINT64_MAX, 10), 0);
	/* A clock that stands still or steps back earns nothing. */
	assert_int_equal(take(&c, 100, 5), 2);
	assert_int_equal(take(&c, 50, 5), 0);
	assert_int_equal(take(&c, 100, 5), 0);
	assert_int_equal(take(&c, 101, 5), 1);
	/* The largest gap cannot overflow: full again. */
	assert_int_equal(take(&c, UINT64_MAX, 5), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_burst_then_rate),
	        cmocka_unit_test(test_fraction_kept),
	        cmocka_unit_test(test_zero_rate_and_clock_edges),
	};

	return cmocka_run_group_tests_name("common_rate", tests, NULL, NULL);
}
