/*
 * Datapath refusals (review finding 5): a request the datapath refuses is
 * never taken as applied. The core re-reads the datapath's state, backing
 * off while refusals recur, and sends again what is missing; an IPv4 change
 * retries at once, so a static locator assigned after start takes effect
 * without a restart; status says so meanwhile.
 */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"

#define R1    "192.0.2.254"
#define LOC   "192.0.2.99"
#define START 1000000ull
/* control/core/core_int.h CORE_RESYNC_MAX_MS: the ceiling of the backoff. */
#define CORE_RESYNC_MAX_MS_FOR_TEST 60000

static struct tuc T;

static void
up_refusing(struct tuc *t)
{
	t->now = START;
	tuc_start_simple(t, 1, R1);
	/* The datapath: 192.0.2.99 is not (yet) an address of the host. */
	t->refuse[MSG_SET_LOCATOR] = -EADDRNOTAVAIL;
	t->real_rs = true;
	tuc_connect(t);
	assert_int_equal(core_set_locator(t->c, t->now, tu_a4(LOC), CORE_LOC_STATIC), 0);
	tuc_drain(t);
}

static void
test_refused_locator_retried_with_backoff(void **state)
{
	struct core_dp_sync_view sv;

	up_refusing(&T);
	assert_int_equal(tuc_count(&T, "SET_LOCATOR " LOC), 1);
	assert_int_equal(T.dp.locator.s_addr, 0);
	/* Not taken as applied: status says so. */
	core_dp_sync(T.c, T.now, &sv);
	assert_false(sv.in_sync);
	assert_true(sv.has_last);
	assert_int_equal(sv.last_type, MSG_SET_LOCATOR);
	assert_int_equal(sv.last_error, -EADDRNOTAVAIL);
	/* Re-read after 1 s, 2 s, 4 s, 8 s...: each time the locator is sent
	 * again (and refused again). */
	tuc_clear(&T);
	tuc_until(&T, START + 1000 - 1);
	assert_int_equal(tuc_count(&T, "GET_STATE"), 0);
	tuc_advance(&T, 1);
	assert_int_equal(tuc_count(&T, "GET_STATE"), 1);
	assert_int_equal(tuc_count(&T, "SET_LOCATOR " LOC), 1);
	tuc_until(&T, START + 1000 + 2000 + 4000 + 8000);
	assert_int_equal(tuc_count(&T, "GET_STATE"), 4);
	assert_int_equal(tuc_count(&T, "SET_LOCATOR " LOC), 4);
	/* Then 16 s, 32 s, and once a minute however long it lasts. */
	tuc_clear(&T);
	tuc_until(&T, T.now + 10 * 60000);
	{
		uint64_t prev = 0, gap[16] = {0};
		size_t n = 0;

		for (size_t i = 0; i < T.n && n < 16; i++)
			if (strcmp(T.act[i], "GET_STATE") == 0) {
				if (prev != 0)
					gap[n++] = T.at[i] - prev;
				prev = T.at[i];
			}
		assert_true(n >= 9);
		assert_int_equal(gap[0], 32000);
		for (size_t i = 1; i < n; i++)
			assert_int_equal(gap[i], CORE_RESYNC_MAX_MS_FOR_TEST);
	}
	tuc_stop(&T);
	(void)state;
}

static void
test_ipv4_change_retries_at_once(void **state)
{
	struct core_dp_sync_view sv;
	int set, rs;

	up_refusing(&T);
	tuc_advance(&T, 20000); /* refused a few times, backing off */
	/* The address is assigned now: the glue's IPv4 watch says so. */
	T.refuse[MSG_SET_LOCATOR] = 0;
	tuc_clear(&T);
	core_dp_retry(T.c, T.now);
	tuc_drain(&T);
	assert_int_equal(tuc_find(&T, "GET_STATE"), 0);
	set = tuc_find(&T, "SET_LOCATOR " LOC);
	assert_true(set > 0);
	assert_int_equal(T.dp.locator.s_addr, tu_a4(LOC).s_addr);
	core_dp_sync(T.c, T.now, &sv);
	assert_true(sv.in_sync);
	/* And the routers are solicited within the usual first delay, not at
	 * the end of the backoff their refused RSs ran into. */
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	rs = tuc_find_prefix(&T, "SEND_RS " R1);
	assert_true(rs > set);
	/* Nothing more to retry: no further GET_STATE. */
	tuc_clear(&T);
	tuc_advance(&T, 120000);
	assert_int_equal(tuc_count(&T, "GET_STATE"), 0);
	tuc_stop(&T);
	(void)state;
}

/* The datapath refuses the link-local of a locator it does not hold, as it
 * refuses the locator: status names the refusal to act on, the locator's,
 * not its consequence, and counts both. It failed before: the last
 * refusal, the address's, hid the cause. */
static void
test_status_names_the_first_refusal(void **state)
{
	struct core_dp_sync_view sv;

	T.now = START;
	tuc_start_simple(&T, 1, R1);
	T.refuse[MSG_SET_LOCATOR] = -EADDRNOTAVAIL;
	T.refuse[MSG_ADDR_ADD] = -EADDRNOTAVAIL;
	T.real_rs = true;
	tuc_connect(&T);
	assert_int_equal(core_set_locator(T.c, T.now, tu_a4(LOC), CORE_LOC_STATIC), 0);
	tuc_drain(&T);
	assert_true(tuc_find(&T, "SET_LOCATOR " LOC) <
	            tuc_find_prefix(&T, "ADDR_ADD fe80::5efe:c000:263"));
	core_dp_sync(T.c, T.now, &sv);
	assert_false(sv.in_sync);
	assert_int_equal(sv.refused, 2);
	assert_int_equal(sv.last_type, MSG_SET_LOCATOR);
	/* The next round starts with the locator again. */
	tuc_advance(&T, 1000);
	core_dp_sync(T.c, T.now, &sv);
	assert_true(sv.refused > 2);
	assert_int_equal(sv.last_type, MSG_SET_LOCATOR);
	assert_int_equal(sv.last_age_s, 0);
	tuc_stop(&T);
	(void)state;
}

/* An address the kernel refuses is added again after the re-read, and no
 * state request goes out between the GET_STATE and its reply. */
static void
test_refused_address_sent_again(void **state)
{
	struct tu_ra b;
	uint64_t at;

	T.now = START;
	tuc_start_simple(&T, 1, R1);
	tuc_locator(&T, "192.0.2.1");
	tuc_connect(&T);
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	T.refuse[MSG_ADDR_ADD] = -ENOBUFS;
	tu_ra_init(&b, 1800, 0);
	tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 86400, 14400);
	tuc_clear(&T);
	assert_int_equal(tuc_ra(&T, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	assert_int_equal(tuc_count(&T, "ADDR_ADD 2001:db8:1::5efe:c000:201/64"), 1);
	assert_int_equal(T.dp.n_addrs, 1); /* the link-local only */
	T.refuse[MSG_ADDR_ADD] = 0;
	tuc_clear(&T);
	at = T.now;
	tuc_advance(&T, 1000);
	assert_int_equal(tuc_find(&T, "GET_STATE"), 0);
	assert_int_equal(tuc_count(&T, "ADDR_ADD 2001:db8:1::5efe:c000:201/64"), 1);
	assert_int_equal(T.dp.n_addrs, 2);
	assert_int_equal(T.at[0], at + 1000);
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_refused_locator_retried_with_backoff),
	        cmocka_unit_test(test_ipv4_change_retries_at_once),
	        cmocka_unit_test(test_status_names_the_first_refusal),
	        cmocka_unit_test(test_refused_address_sent_again),
	};

	return cmocka_run_group_tests_name("core_refusal", tests, NULL, NULL);
}
