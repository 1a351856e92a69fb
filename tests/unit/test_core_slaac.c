/*
 * Address lifetimes (RFC 4862 §5.5.3, §5.5.4): deprecation and removal to
 * the millisecond, and every case of the two-hour rule (e) 1-3.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"

#define R1    "192.0.2.254"
#define ADDR  "2001:db8:1::5efe:c000:201"
#define START 1000000ull
#define HOUR  3600u

static struct tuc T;

static void
up(struct tuc *t)
{
	t->now = START;
	tuc_start_simple(t, 1, R1);
	tuc_locator(t, "192.0.2.1");
	tuc_connect(t);
	tuc_advance(t, MAX_RTR_SOLICITATION_DELAY_MS);
	tuc_clear(t);
}

/* An RA from R1: router lifetime 9000 s (so that only the prefix matters)
 * and one prefix, on-link and autonomous. */
static void
pio(struct tuc *t, uint32_t valid, uint32_t preferred)
{
	struct tu_ra b;

	tu_ra_init(&b, 9000, 0);
	tu_ra_pio(&b, "2001:db8:1::", 64, true, true, valid, preferred);
	assert_int_equal(tuc_ra(t, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
}

static uint32_t
valid_s(const struct tuc *t)
{
	struct core_addr_view v;

	assert_int_equal(core_addresses(t->c, t->now, &v, 1), 1);
	return v.valid_s;
}

static const char *const skip_rs_ev[] = {"SEND_RS", "EV router", "EV default", NULL};

static void
test_deprecated_then_removed_on_time(void **state)
{
	uint64_t ra_at;
	struct core_addr_view v;

	up(&T);
	pio(&T, 120, 60);
	ra_at = T.now;
	tuc_expect_only(&T, skip_rs_ev,
	                (const char *[]){
	                        "EV address_added " ADDR "/64",
	                        "ADDR_ADD " ADDR "/64 v=120 p=60",
	                        "ONLINK_ADD 2001:db8:1::/64",
	                        "ROUTE_ADD ::/0 via " R1 " m=1024",
	                        NULL,
	                });
	tuc_clear(&T);
	tuc_until(&T, ra_at + 60000 - 1);
	assert_int_equal(T.n, 0);
	tuc_advance(&T, 1);
	tuc_expect(&T, (const char *[]){
	                       "EV address_deprecated " ADDR,
	                       "ADDR_ADD " ADDR "/64 v=60 p=0",
	                       NULL,
	               });
	assert_int_equal(core_addresses(T.c, T.now, &v, 1), 1);
	assert_string_equal(core_addr_state_name(v.state), "deprecated");
	assert_int_equal(v.preferred_s, 0);
	assert_int_equal(v.valid_s, 60);

	tuc_clear(&T);
	tuc_until(&T, ra_at + 120000 - 1);
	assert_int_equal(T.n, 0);
	tuc_advance(&T, 1);
	/* Removed at 120 s exactly, with its on-link prefix; the
	 * re-solicitation falls due at the same moment (120 s floor). */
	tuc_expect(&T, (const char *[]){
	                       "EV address_removed " ADDR,
	                       "ONLINK_DEL 2001:db8:1::/64",
	                       "ADDR_DEL " ADDR "/64",
	                       "SEND_RS " R1 " u=0",
	                       NULL,
	               });
	assert_int_equal(core_addresses(T.c, T.now, &v, 1), 0);

	/* The same prefix again: a new address. */
	tuc_clear(&T);
	pio(&T, 120, 60);
	assert_int_equal(tuc_count(&T, "ADDR_ADD " ADDR "/64 v=120 p=60"), 1);
	tuc_stop(&T);
	(void)state;
}

static void
test_preferred_zero_deprecates_at_once(void **state)
{
	up(&T);
	pio(&T, 3 * HOUR, HOUR);
	tuc_clear(&T);
	pio(&T, 3 * HOUR, 0);
	tuc_expect_only(&T, skip_rs_ev,
	                (const char *[]){
	                        "EV address_deprecated " ADDR,
	                        "ADDR_ADD " ADDR "/64 v=10800 p=0",
	                        NULL,
	                });
	/* And back: preferred again. */
	tuc_clear(&T);
	pio(&T, 3 * HOUR, HOUR);
	tuc_expect_only(&T, skip_rs_ev,
	                (const char *[]){"ADDR_ADD " ADDR "/64 v=10800 p=3600", NULL});
	tuc_stop(&T);
	(void)state;
}

static void
test_two_hour_rule_e1(void **state)
{
	const struct core_counters *k;

	up(&T);
	k = core_get_counters(T.c);
	/* (e) 1: more than two hours is taken, even if shorter than what remains. */
	pio(&T, 24 * HOUR, HOUR);
	tuc_advance(&T, 1000);
	pio(&T, 3 * HOUR, HOUR);
	assert_int_equal(valid_s(&T), 3 * HOUR);
	assert_int_equal(k->v[CORE_C_TWO_HOUR_RULE], 0);
	tuc_stop(&T);

	/* (e) 1: longer than what remains is taken, even under two hours. */

	up(&T);
	k = core_get_counters(T.c);
	pio(&T, HOUR, HOUR / 2);
	tuc_advance(&T, 10000);
	pio(&T, HOUR + 1, HOUR / 2); /* 3601 s > 3590 s remaining */
	assert_int_equal(valid_s(&T), HOUR + 1);
	assert_int_equal(k->v[CORE_C_TWO_HOUR_RULE], 0);
	tuc_stop(&T);
	(void)state;
}

static void
test_two_hour_rule_e2(void **state)
{
	const struct core_counters *k;

	/* (e) 2: with two hours or less remaining, a shorter valid lifetime
	 * is ignored, so a forged RA cannot cut the address short. */
	up(&T);
	k = core_get_counters(T.c);
	pio(&T, HOUR, HOUR / 2);
	tuc_advance(&T, 10000);
	tuc_clear(&T);
	pio(&T, 60, 30);
	assert_int_equal(valid_s(&T), HOUR - 10);
	assert_int_equal(k->v[CORE_C_TWO_HOUR_RULE], 1);
	/* The preferred lifetime is taken as advertised. */
	tuc_expect_only(&T, skip_rs_ev, (const char *[]){"ADDR_ADD " ADDR "/64 v=3590 p=30", NULL});
	/* Even valid 0 cannot remove it. */
	pio(&T, 0, 0);
	assert_int_equal(valid_s(&T), HOUR - 10);
	tuc_stop(&T);
	(void)state;
}

static void
test_two_hour_rule_e3(void **state)
{
	const struct core_counters *k;

	/* (e) 3: otherwise the valid lifetime becomes two hours. */
	up(&T);
	k = core_get_counters(T.c);
	pio(&T, 24 * HOUR, HOUR);
	tuc_clear(&T);
	pio(&T, 600, 300);
	assert_int_equal(valid_s(&T), SLAAC_TWO_HOURS_S);
	assert_int_equal(k->v[CORE_C_TWO_HOUR_RULE], 1);
	tuc_expect_only(&T, skip_rs_ev,
	                (const char *[]){"ADDR_ADD " ADDR "/64 v=7200 p=300", NULL});
	pio(&T, 0, 0);
	assert_int_equal(valid_s(&T), SLAAC_TWO_HOURS_S);
	tuc_stop(&T);

	/* An infinite address meets a short lifetime: two hours. */
	up(&T);
	pio(&T, ND_INFINITE_LIFETIME, ND_INFINITE_LIFETIME);
	assert_int_equal(valid_s(&T), CORE_INFINITE);
	assert_int_equal(tuc_count(&T, "ADDR_ADD " ADDR "/64 v=inf p=inf"), 1);
	pio(&T, 600, 300);
	assert_int_equal(valid_s(&T), SLAAC_TWO_HOURS_S);
	tuc_stop(&T);
	(void)state;
}

/*
 * An RA handled after the prefix expired but before the tick that would
 * remove it (the glue runs I/O before timers): the entry is gone, not two
 * hours from its end (review finding 15: valid_until - now underflowed).
 */
static void
test_two_hour_rule_after_expiry(void **state)
{
	uint8_t pkt[40 + TU_RA_MAX];
	struct tu_ra b;
	struct in_addr r1 = tu_a4(R1);
	size_t len;

	up(&T);
	pio(&T, 10, 10);
	assert_int_equal(core_addresses(T.c, T.now, NULL, 0), 1);
	/* No core_tick() in between: straight to the RA at +10.001 s. */
	T.now += 10001;
	tu_ra_init(&b, 9000, 0);
	tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 0, 0);
	len = tu_ra_packet(&b, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", pkt);
	assert_int_equal(core_nd_input(T.c, T.now, r1, pkt, len, NULL), CORE_ND_RA_ACCEPTED);
	tuc_drain(&T);
	assert_int_equal(core_addresses(T.c, T.now, NULL, 0), 0);
	assert_int_equal(tuc_count(&T, "ADDR_DEL " ADDR "/64"), 1);
	/* And a fresh lifetime after expiry starts a new address, not two hours. */
	T.now += 1000;
	pio(&T, 600, 300);
	assert_int_equal(valid_s(&T), 600);
	tuc_stop(&T);
	(void)state;
}

static void
test_new_prefix_with_zero_lifetime(void **state)
{
	/* RFC 4862 §5.5.3 d: a new prefix with valid lifetime 0 forms nothing. */
	up(&T);
	pio(&T, 0, 0);
	assert_int_equal(tuc_count(&T, "ADDR_ADD"), 0);
	assert_int_equal(core_addresses(T.c, T.now, NULL, 0), 0);
	tuc_stop(&T);
	(void)state;
}

static void
test_global_locator_sets_u_bit(void **state)
{
	struct core_addr_view v;
	struct in6_addr ll;
	char buf[ADDR6_STRLEN];

	/* RFC 5214 §6.1: a global IPv4 gives 200:5efe. No packet leaves a
	 * unit test, so a global address is safe to use here. */
	T.now = START;
	tuc_start_simple(&T, 1, R1);
	tuc_locator(&T, "8.8.4.4");
	tuc_connect(&T);
	assert_true(core_link_local(T.c, &ll));
	assert_string_equal(addr_fmt6(&ll, buf), "fe80::200:5efe:808:404");
	pio(&T, 600, 300);
	assert_int_equal(core_addresses(T.c, T.now, &v, 1), 1);
	assert_string_equal(addr_fmt6(&v.addr, buf), "2001:db8:1:0:200:5efe:808:404");
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_deprecated_then_removed_on_time),
	        cmocka_unit_test(test_preferred_zero_deprecates_at_once),
	        cmocka_unit_test(test_two_hour_rule_e1),
	        cmocka_unit_test(test_two_hour_rule_e2),
	        cmocka_unit_test(test_two_hour_rule_e3),
	        cmocka_unit_test(test_two_hour_rule_after_expiry),
	        cmocka_unit_test(test_new_prefix_with_zero_lifetime),
	        cmocka_unit_test(test_global_locator_sets_u_bit),
	};

	return cmocka_run_group_tests_name("core_slaac", tests, NULL, NULL);
}
