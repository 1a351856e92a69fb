/*
 * The Router Solicitation schedule (RFC 5214 §8.3.4, RFC 4861 §6.3.7,
 * RFC 7559) under a simulated clock: initial delay, three tries four
 * seconds apart, backoff, re-solicitation before lifetimes run out with the
 * MinRouterSolicitInterval floor, and the u-bit forms.
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
#define START 5000000ull

static struct tuc T;

/* A core with router R1, a locator and a datapath; actions cleared. */
static void
up(struct tuc *t, uint64_t seed, const char *routers)
{
	t->now = START;
	tuc_start_simple(t, seed, routers);
	tuc_locator(t, "192.0.2.1");
	tuc_connect(t);
	tuc_clear(t);
}

/* The times of the SEND_RS u=0 actions so far. */
static size_t
rs_times(const struct tuc *t, uint64_t *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n && n < max; i++)
		if (strcmp(t->act[i], "SEND_RS " R1 " u=0") == 0)
			out[n++] = t->at[i];
	return n;
}

static void
test_link_setup_order(void **state)
{
	struct core_config cfg;

	/* The link comes up with the locator: link, locator, PRL and the
	 * link-local address, before any RS. */
	T.now = START;
	tuc_start_simple(&T, 1, R1);
	tuc_locator(&T, "192.0.2.1");
	tuc_clear(&T);
	tuc_connect(&T);
	tuc_expect(&T, (const char *[]){
	                       "EV datapath_connected",
	                       "SET_LINK 1",
	                       "SET_LOCATOR 192.0.2.1",
	                       "SET_PRL " R1,
	                       "ADDR_ADD fe80::5efe:c000:201/64 v=inf p=inf",
	                       NULL,
	               });
	tuc_stop(&T);

	/* A datapath already running at 1500: kept (a control restart must
	 * not change the MTU) until an RA says otherwise... */
	T.now = START;
	tuc_start_simple(&T, 1, R1);
	tuc_locator(&T, "192.0.2.1");
	T.dp.mtu = 1500;
	tuc_clear(&T);
	tuc_connect(&T);
	assert_int_equal(tuc_count(&T, "SET_MTU"), 0);
	assert_int_equal(core_mtu(T.c), 1500);
	tuc_stop(&T);

	/* ...unless it is above the configured maximum. */
	T.now = START;
	tuc_config(&cfg, 1, R1);
	cfg.max_mtu = 1480;
	tuc_start(&T, &cfg);
	tuc_locator(&T, "192.0.2.1");
	T.dp.mtu = 1500;
	tuc_clear(&T);
	tuc_connect(&T);
	assert_int_equal(tuc_find(&T, "SET_MTU 1280"), 1);
	tuc_stop(&T);
	(void)state;
}

static void
test_initial_three_then_backoff(void **state)
{
	uint64_t at[64] = {0}, d;
	size_t n;

	up(&T, 7, R1);
	/* First RS after a random 0..MAX_RTR_SOLICITATION_DELAY. */
	d = core_next_deadline(T.c);
	assert_true(d >= START && d <= START + MAX_RTR_SOLICITATION_DELAY_MS);
	tuc_until(&T, d - (d > START));
	assert_int_equal(tuc_count(&T, "SEND_RS"), d > START ? 0 : 2);
	tuc_until(&T, d);
	/* Both u-bit forms while the router's form is unknown. */
	tuc_expect(&T, (const char *[]){"SEND_RS " R1 " u=0", "SEND_RS " R1 " u=1", NULL});

	/* Two more, RTR_SOLICITATION_INTERVAL apart. */
	tuc_advance(&T, RTR_SOLICITATION_INTERVAL_MS - 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 2);
	tuc_advance(&T, 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 4);
	tuc_advance(&T, RTR_SOLICITATION_INTERVAL_MS);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 6);

	/* Unanswered RTR_SOLICITATION_INTERVAL after the third: unreachable
	 * (never up, so no router_down). */
	tuc_advance(&T, RTR_SOLICITATION_INTERVAL_MS);
	{
		struct core_router_view v;

		assert_int_equal(core_routers(T.c, T.now, &v, 1), 1);
		assert_int_equal(v.state, CORE_RTR_UNREACHABLE);
		assert_string_equal(core_router_state_name(v.state), "unreachable");
	}
	assert_int_equal(tuc_count(&T, "EV router_down"), 0);

	/* RFC 7559: backoff RT = 2 RTprev ± 10 %, capped at
	 * MAX_RTR_SOLICITATION_INTERVAL ± 10 %, forever. */
	tuc_advance(&T, 30ull * 3600 * 1000);
	n = rs_times(&T, at, 64);
	assert_true(n > 15);
	assert_int_equal(at[1] - at[0], RTR_SOLICITATION_INTERVAL_MS);
	assert_int_equal(at[2] - at[1], RTR_SOLICITATION_INTERVAL_MS);
	{
		uint64_t prev = RTR_SOLICITATION_INTERVAL_MS;
		bool capped = false;

		for (size_t i = 3; i < n; i++) {
			uint64_t rt = at[i] - at[i - 1];
			uint64_t lo = 2 * prev - prev / 10, hi = 2 * prev + prev / 10;

			if (lo > MAX_RTR_SOLICITATION_INTERVAL_MS)
				capped = true;
			if (capped || hi > MAX_RTR_SOLICITATION_INTERVAL_MS) {
				/* Either doubling landed under the cap or the cap applied. */
				assert_true((rt >= lo && rt <= hi) ||
				            (rt >= MAX_RTR_SOLICITATION_INTERVAL_MS * 9 / 10 &&
				             rt <= MAX_RTR_SOLICITATION_INTERVAL_MS * 11 / 10));
			} else {
				assert_in_range(rt, lo, hi);
			}
			prev = rt;
		}
		/* The last intervals sit at the cap. */
		assert_in_range(at[n - 1] - at[n - 2], MAX_RTR_SOLICITATION_INTERVAL_MS * 9 / 10,
		                MAX_RTR_SOLICITATION_INTERVAL_MS * 11 / 10);
	}
	tuc_stop(&T);
	(void)state;
}

static void
test_seeded_schedule_replays(void **state)
{
	uint64_t a[32] = {0}, b[32] = {0}, first_min = UINT64_MAX, first_max = 0;
	size_t na, nb;

	/* The same seed replays exactly. */
	up(&T, 42, R1);
	tuc_advance(&T, 600000);
	na = rs_times(&T, a, 32);
	tuc_stop(&T);
	up(&T, 42, R1);
	tuc_advance(&T, 600000);
	nb = rs_times(&T, b, 32);
	tuc_stop(&T);
	assert_int_equal(na, nb);
	assert_memory_equal(a, b, na * sizeof(a[0]));

	/* Different seeds spread the first RS over the 0..1 s window. */
	for (uint64_t seed = 1; seed <= 40; seed++) {
		uint64_t d;

		up(&T, seed, R1);
		d = core_next_deadline(T.c) - START;
		assert_true(d <= MAX_RTR_SOLICITATION_DELAY_MS);
		first_min = d < first_min ? d : first_min;
		first_max = d > first_max ? d : first_max;
		tuc_stop(&T);
	}
	assert_true(first_max - first_min > 600);
	(void)state;
}

static void
answer(struct tuc *t, uint16_t lifetime)
{
	struct tu_ra b;

	tu_ra_init(&b, lifetime, 0);
	assert_int_equal(tuc_ra(t, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
}

static void
test_resolicit_floor_120s(void **state)
{
	uint64_t ra_at;

	up(&T, 3, R1);
	tuc_advance(&T, 1000); /* first RS out */
	answer(&T, 100);
	ra_at = T.now;
	tuc_clear(&T);

	/* 0.8 x 100 s = 80 s is below MinRouterSolicitInterval: 120 s. The
	 * router lifetime runs out first, at 100 s. */
	tuc_until(&T, ra_at + 100000 - 1);
	assert_int_equal(T.n, 0);
	tuc_advance(&T, 1);
	tuc_expect(&T, (const char *[]){
	                       "EV router_down " R1 " lifetime_expired",
	                       "EV default_router_changed 0.0.0.0 prev=" R1,
	                       "ROUTE_DEL ::/0 via " R1 " m=1024",
	                       NULL,
	               });
	tuc_clear(&T);
	tuc_until(&T, ra_at + 119999);
	assert_int_equal(T.n, 0);
	tuc_advance(&T, 1);
	/* Only the form the router answered from (fe80::5efe:c000:2fe). */
	tuc_expect(&T, (const char *[]){"SEND_RS " R1 " u=0", NULL});
	tuc_stop(&T);
	(void)state;
}

static void
test_resolicit_at_08_lifetime(void **state)
{
	struct tu_ra b;
	uint64_t ra_at;

	up(&T, 3, R1);
	tuc_advance(&T, 1000);
	answer(&T, 1800);
	ra_at = T.now;
	tuc_clear(&T);
	/* 0.8 x 1800 s = 1440 s. */
	tuc_until(&T, ra_at + 1440000 - 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 0);
	tuc_advance(&T, 1);
	tuc_expect(&T, (const char *[]){"SEND_RS " R1 " u=0", NULL});

	/* A prefix whose preferred lifetime is the shortest one that matters:
	 * 0.8 x 300 s = 240 s. */
	tu_ra_init(&b, 1800, 0);
	tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 600, 300);
	assert_int_equal(tuc_ra(&T, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	ra_at = T.now;
	tuc_clear(&T);
	tuc_until(&T, ra_at + 240000 - 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 0);
	tuc_advance(&T, 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 1);

	/* Zero and infinite lifetimes do not count: lifetime 0 router with an
	 * infinite prefix re-solicits after MAX_RTR_SOLICITATION_INTERVAL. */
	tu_ra_init(&b, 0, 0);
	tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 0xffffffffu, 0xffffffffu);
	assert_int_equal(tuc_ra(&T, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	ra_at = T.now;
	tuc_clear(&T);
	tuc_until(&T, ra_at + MAX_RTR_SOLICITATION_INTERVAL_MS - 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 0);
	tuc_advance(&T, 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 1);
	tuc_stop(&T);
	(void)state;
}

static void
test_keeps_u_form_that_answers(void **state)
{
	up(&T, 5, R1);
	tuc_advance(&T, 1000);
	assert_int_equal(tuc_count(&T, "SEND_RS " R1 " u=1"), 1);
	{
		struct tu_ra b;

		/* The router answers from its u=1 link-local. */
		tu_ra_init(&b, 1800, 0);
		assert_int_equal(tuc_ra(&T, R1, "fe80::200:5efe:c000:2fe", &b),
		                 CORE_ND_RA_ACCEPTED);
	}
	tuc_clear(&T);
	tuc_advance(&T, 1440000);
	tuc_expect(&T, (const char *[]){"SEND_RS " R1 " u=1", NULL});
	{
		struct core_router_view v;
		struct in6_addr ll = tu_a6("fe80::200:5efe:c000:2fe");

		core_routers(T.c, T.now, &v, 1);
		assert_true(v.has_link_local);
		assert_memory_equal(&v.link_local, &ll, sizeof(ll));
	}
	tuc_stop(&T);
	(void)state;
}

static void
test_unanswered_refresh_marks_unreachable(void **state)
{
	uint64_t ra_at;

	up(&T, 9, R1);
	tuc_advance(&T, 1000);
	answer(&T, 1800);
	ra_at = T.now;
	tuc_clear(&T);
	/* The refresh round at 1440 s goes unanswered: RSs at +0, +4, +8 s,
	 * and at +12 s the router is withdrawn, well within its lifetime. */
	tuc_until(&T, ra_at + 1440000 + 12000 - 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 3);
	assert_int_equal(tuc_count(&T, "EV router_down"), 0);
	tuc_advance(&T, 1);
	assert_int_equal(tuc_find(&T, "EV router_down " R1 " unreachable"), 3);
	assert_true(tuc_find(&T, "ROUTE_DEL ::/0 via " R1 " m=1024") > 3);
	tuc_stop(&T);
	(void)state;
}

static void
test_no_rs_without_locator_or_datapath(void **state)
{
	T.now = START;
	tuc_start_simple(&T, 1, R1);
	tuc_connect(&T);
	tuc_advance(&T, 60000);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 0);
	assert_int_equal(tuc_count(&T, "SET_LINK"), 0);
	tuc_locator(&T, "192.0.2.1");
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 2);
	core_dp_disconnected(T.c, T.now);
	tuc_drain(&T);
	tuc_clear(&T);
	tuc_advance(&T, 3600000);
	tuc_expect(&T, (const char *[]){NULL});
	tuc_stop(&T);
	(void)state;
}

static void
test_api_solicit(void **state)
{
	struct in_addr out[4];
	uint64_t d;

	up(&T, 11, R1 ",192.0.2.253");
	tuc_advance(&T, 1000);
	answer(&T, 1800);
	tuc_clear(&T);
	assert_int_equal(core_solicit(T.c, T.now, tu_a4("192.0.2.9"), out, 4), -ENOENT);
	assert_int_equal(core_solicit(T.c, T.now, tu_a4(R1), out, 4), 1);
	assert_int_equal(out[0].s_addr, tu_a4(R1).s_addr);
	tuc_drain(&T);
	d = core_next_deadline(T.c);
	assert_true(d <= T.now + MAX_RTR_SOLICITATION_DELAY_MS);
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	assert_int_equal(tuc_count(&T, "SEND_RS " R1), 1);
	assert_int_equal(core_solicit(T.c, T.now, (struct in_addr){INADDR_ANY}, out, 4), 2);
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_link_setup_order),
	        cmocka_unit_test(test_initial_three_then_backoff),
	        cmocka_unit_test(test_seeded_schedule_replays),
	        cmocka_unit_test(test_resolicit_floor_120s),
	        cmocka_unit_test(test_resolicit_at_08_lifetime),
	        cmocka_unit_test(test_keeps_u_form_that_answers),
	        cmocka_unit_test(test_unanswered_refresh_marks_unreachable),
	        cmocka_unit_test(test_no_rs_without_locator_or_datapath),
	        cmocka_unit_test(test_api_solicit),
	};

	return cmocka_run_group_tests_name("core_solicit", tests, NULL, NULL);
}
