/*
 * Router choice and failover (RFC 4861 §6.3.6, RFC 4191 §3.2): the default
 * route follows the best live router, by preference then first seen; a
 * router whose lifetime runs out or who stops answering is withdrawn and
 * the route moves, at the exact moment the rules say.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"

#define R1    "192.0.2.254"
#define R2    "192.0.2.252"
#define START 1000000ull

static struct tuc T;

static void
up(struct tuc *t)
{
	t->now = START;
	tuc_start_simple(t, 1, R1 "," R2);
	tuc_locator(t, "192.0.2.1");
	tuc_connect(t);
	tuc_advance(t, MAX_RTR_SOLICITATION_DELAY_MS);
	tuc_clear(t);
}

static void
ra(struct tuc *t, const char *router, uint16_t lifetime, int pref, const char *rio, int rio_pref)
{
	struct tu_ra b;

	tu_ra_init(&b, lifetime, pref);
	if (rio != NULL)
		tu_ra_rio(&b, rio, 48, rio_pref, 3600);
	assert_int_equal(tuc_ra(t, router, NULL, &b), CORE_ND_RA_ACCEPTED);
}

/* Runs the clock to `to`, with `router` answering every RS sent to it. */
static void
run_answering(struct tuc *t, uint64_t to, const char *router, uint16_t lifetime, const char *rio,
              int rio_pref)
{
	char line[64];
	size_t seen = t->n;
	uint64_t d;

	snprintf(line, sizeof(line), "SEND_RS %s ", router);
	while ((d = core_next_deadline(t->c)) <= to) {
		bool asked = false;

		tuc_until(t, d);
		for (; seen < t->n; seen++)
			asked |= strncmp(t->act[seen], line, strlen(line)) == 0;
		if (asked)
			ra(t, router, lifetime, 0, rio, rio_pref);
		seen = t->n;
	}
	tuc_until(t, to);
}

static const char *const only_routes[] = {"SEND_RS", "EV address", NULL};

static void
test_preference_then_first_seen(void **state)
{
	up(&T);
	ra(&T, R1, 1800, 0, NULL, 0);
	ra(&T, R2, 1800, 0, NULL, 0);
	tuc_expect(&T, (const char *[]){
	                       "EV router_up " R1 " 1800",
	                       "EV default_router_changed " R1 " prev=0.0.0.0",
	                       "ROUTE_ADD ::/0 via " R1 " m=1024",
	                       "EV router_up " R2 " 1800",
	                       NULL,
	               });
	/* R2 now says "high": it wins. */
	tuc_clear(&T);
	ra(&T, R2, 1800, 1, NULL, 0);
	tuc_expect(&T, (const char *[]){
	                       "EV default_router_changed " R2 " prev=" R1,
	                       "ROUTE_DEL ::/0 via " R1 " m=1024",
	                       "ROUTE_ADD ::/0 via " R2 " m=768",
	                       NULL,
	               });
	/* Back to medium: equal preference, R1 was seen first. */
	tuc_clear(&T);
	ra(&T, R2, 1800, 0, NULL, 0);
	tuc_expect(&T, (const char *[]){
	                       "EV default_router_changed " R1 " prev=" R2,
	                       "ROUTE_DEL ::/0 via " R2 " m=768",
	                       "ROUTE_ADD ::/0 via " R1 " m=1024",
	                       NULL,
	               });
	/* R1 says "low": R2 is better. */
	tuc_clear(&T);
	ra(&T, R1, 1800, -1, NULL, 0);
	assert_int_equal(tuc_find(&T, "ROUTE_ADD ::/0 via " R2 " m=1024"), 2);
	tuc_stop(&T);
	(void)state;
}

static void
test_lifetime_expiry_moves_default(void **state)
{
	uint64_t ra1;

	up(&T);
	ra(&T, R1, 100, 0, NULL, 0);
	ra1 = T.now;
	ra(&T, R2, 1800, 0, NULL, 0);
	tuc_clear(&T);
	tuc_until(&T, ra1 + 100000 - 1);
	assert_int_equal(T.n, 0);
	tuc_advance(&T, 1);
	tuc_expect(&T, (const char *[]){
	                       "EV router_down " R1 " lifetime_expired",
	                       "EV default_router_changed " R2 " prev=" R1,
	                       "ROUTE_DEL ::/0 via " R1 " m=1024",
	                       "ROUTE_ADD ::/0 via " R2 " m=1024",
	                       NULL,
	               });
	tuc_stop(&T);
	(void)state;
}

static void
test_silent_router_withdrawn(void **state)
{
	uint64_t ra1;

	up(&T);
	ra(&T, R1, 1800, 0, NULL, 0);
	ra1 = T.now;
	ra(&T, R2, 1800, 0, NULL, 0);
	tuc_clear(&T);
	/* R1 falls silent; R2 answers. R1 is re-solicited at 0.8 x 1800 s,
	 * three RSs 4 s apart, and withdrawn 4 s after the last. */
	run_answering(&T, ra1 + 1440000 + 12000 - 1, R2, 1800, NULL, 0);
	assert_int_equal(tuc_count(&T, "SEND_RS " R1), 3);
	assert_int_equal(tuc_count(&T, "EV router_down"), 0);
	tuc_clear(&T);
	run_answering(&T, ra1 + 1440000 + 12000, R2, 1800, NULL, 0);
	tuc_expect_only(&T, only_routes,
	                (const char *[]){
	                        "EV router_down " R1 " unreachable",
	                        "EV default_router_changed " R2 " prev=" R1,
	                        "ROUTE_DEL ::/0 via " R1 " m=1024",
	                        "ROUTE_ADD ::/0 via " R2 " m=1024",
	                        NULL,
	                });
	{
		struct core_router_view v[2];

		assert_int_equal(core_routers(T.c, T.now, v, 2), 2);
		assert_string_equal(core_router_state_name(v[0].state), "unreachable");
		assert_false(v[0].is_default);
		assert_true(v[1].is_default);
	}
	/* R1 keeps being solicited with backoff and comes back. */
	tuc_clear(&T);
	run_answering(&T, T.now + 20000, R2, 1800, NULL, 0);
	assert_true(tuc_count(&T, "SEND_RS " R1) >= 1);
	tuc_clear(&T);
	ra(&T, R1, 1800, 0, NULL, 0);
	tuc_expect(&T, (const char *[]){
	                       "EV router_up " R1 " 1800",
	                       "EV default_router_changed " R1 " prev=" R2,
	                       "ROUTE_DEL ::/0 via " R2 " m=1024",
	                       "ROUTE_ADD ::/0 via " R1 " m=1024",
	                       NULL,
	               });
	tuc_stop(&T);
	(void)state;
}

static void
test_rio_follows_live_router(void **state)
{
	uint64_t ra1;

	up(&T);
	ra(&T, R1, 1800, 0, "2001:db8:3::", 1);
	ra1 = T.now;
	ra(&T, R2, 1800, 0, "2001:db8:3::", 0);
	assert_int_equal(tuc_count(&T, "ROUTE_ADD 2001:db8:3::/48"), 1);
	assert_int_equal(tuc_find(&T, "ROUTE_ADD 2001:db8:3::/48 via " R1 " m=768"), 3);
	tuc_clear(&T);
	/* R1 falls silent: its RIO route moves to R2 with the default. */
	run_answering(&T, ra1 + 1452000, R2, 1800, "2001:db8:3::", 0);
	tuc_expect_only(&T, only_routes,
	                (const char *[]){
	                        "EV router_down " R1 " unreachable",
	                        "EV default_router_changed " R2 " prev=" R1,
	                        "ROUTE_DEL ::/0 via " R1 " m=1024",
	                        "ROUTE_ADD ::/0 via " R2 " m=1024",
	                        "ROUTE_DEL 2001:db8:3::/48 via " R1 " m=768",
	                        "ROUTE_ADD 2001:db8:3::/48 via " R2 " m=1024",
	                        NULL,
	                });
	tuc_stop(&T);
	(void)state;
}

static void
test_no_router_left(void **state)
{
	uint64_t ra1;

	up(&T);
	ra(&T, R1, 1800, 0, NULL, 0);
	ra1 = T.now;
	tuc_clear(&T);
	tuc_until(&T, ra1 + 1452000);
	tuc_expect_only(&T, only_routes,
	                (const char *[]){
	                        "EV router_down " R1 " unreachable",
	                        "EV default_router_changed 0.0.0.0 prev=" R1,
	                        "ROUTE_DEL ::/0 via " R1 " m=1024",
	                        NULL,
	                });
	assert_false(core_default_router(T.c, &(struct in_addr){0}));
	tuc_stop(&T);
	(void)state;
}

/* ---- router reachability (RFC 5214 §8.4, RFC 4861 §7.3; review finding 6) ---- */

/* The datapath's traffic counts, as polled every second. */
static uint64_t out1, in1, out2, in2;

static void
traffic(struct tuc *t)
{
	struct msg_prl_stats st;

	memset(&st, 0, sizeof(st));
	st.n = 2;
	st.e[0].v4 = tu_a4(R1);
	st.e[0].out_packets = out1;
	st.e[0].in_packets = in1;
	st.e[1].v4 = tu_a4(R2);
	st.e[1].out_packets = out2;
	st.e[1].in_packets = in2;
	core_router_traffic(t->c, t->now, &st);
	tuc_drain(t);
}

/*
 * To `to`, one second at a time: each router in `answering` answers the RSs
 * sent to it; traffic goes to the default router (`flowing`), and comes
 * back from it only while it answers.
 */
static void
run_traffic(struct tuc *t, uint64_t to, bool r1_answers, bool flowing)
{
	while (t->now < to) {
		size_t seen = t->n;
		struct in_addr def;
		uint64_t next = t->now + 1000 < to ? t->now + 1000 : to;

		tuc_until(t, next);
		for (; seen < t->n; seen++) {
			if (strncmp(t->act[seen], "SEND_RS " R2 " ", strlen("SEND_RS " R2 " ")) ==
			    0)
				ra(t, R2, 1800, 0, NULL, 0);
			if (r1_answers && strncmp(t->act[seen], "SEND_RS " R1 " ",
			                          strlen("SEND_RS " R1 " ")) == 0)
				ra(t, R1, 1800, 1, NULL, 0);
		}
		if (flowing && core_default_router(t->c, &def)) {
			bool one = def.s_addr == tu_a4(R1).s_addr;

			*(one ? &out1 : &out2) += 10;
			if (!one || r1_answers)
				*(one ? &in1 : &in2) += 10;
		}
		traffic(t);
	}
}

/*
 * The review's demonstration: A (high preference) and B both answer with
 * router lifetime 1800; at t = 10 s A stops answering while traffic goes
 * to it. The default router is B by t = 60 s (it used to be t = 1452 s),
 * after three unicast RSs to A; A comes back when it answers again.
 */
static void
test_dead_default_router_noticed(void **state)
{
	uint64_t t0, switched = 0;

	up(&T);
	out1 = in1 = out2 = in2 = 0;
	t0 = T.now;
	ra(&T, R1, 1800, 1, NULL, 0);
	ra(&T, R2, 1800, 0, NULL, 0);
	run_traffic(&T, t0 + 10000, true, true);
	tuc_clear(&T);
	run_traffic(&T, t0 + 60000, false, true);
	for (size_t i = 0; i < T.n; i++)
		if (strcmp(T.act[i], "ROUTE_ADD ::/0 via " R2 " m=1024") == 0 && switched == 0)
			switched = T.at[i];
	assert_true(switched > 0);
	assert_true(switched - t0 <= 60000);
	/* Within ReachableTime + DELAY_FIRST_PROBE_TIME + 3 x RetransTimer
	 * (+ one poll) of the last answer. */
	assert_true(switched - t0 <= 10000 + 30000 + 5000 + 3000 + 1000);
	assert_int_equal(tuc_count(&T, "EV router_down " R1 " unreachable"), 1);
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_NUD_PROBES], 3);
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_NUD_UNREACHABLE], 1);
	printf("default router B %.1f s after A fell silent at t = 10 s\n",
	       (double)(switched - t0 - 10000) / 1000);
	/* A is solicited again, backing off, and comes back when it answers. */
	tuc_clear(&T);
	run_traffic(&T, T.now + 30000, true, true);
	assert_true(tuc_find(&T, "ROUTE_ADD ::/0 via " R1 " m=768") >= 0);
	tuc_stop(&T);
	(void)state;
}

/* No steady RS stream: a router nothing is sent to is never probed, and
 * neither is one whose traffic comes back. */
static void
test_no_probe_without_need(void **state)
{
	uint64_t t0;

	up(&T);
	out1 = in1 = out2 = in2 = 0;
	t0 = T.now;
	ra(&T, R1, 1800, 1, NULL, 0);
	ra(&T, R2, 1800, 0, NULL, 0);
	tuc_clear(&T);
	run_traffic(&T, t0 + 600000, true, false); /* idle ten minutes */
	assert_int_equal(tuc_count(&T, "SEND_RS"), 0);
	run_traffic(&T, t0 + 1200000, true, true); /* busy, answered */
	assert_int_equal(tuc_count(&T, "SEND_RS"), 0);
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_NUD_PROBES], 0);
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_preference_then_first_seen),
	        cmocka_unit_test(test_lifetime_expiry_moves_default),
	        cmocka_unit_test(test_silent_router_withdrawn),
	        cmocka_unit_test(test_rio_follows_live_router),
	        cmocka_unit_test(test_no_router_left),
	        cmocka_unit_test(test_dead_default_router_noticed),
	        cmocka_unit_test(test_no_probe_without_need),
	};

	return cmocka_run_group_tests_name("core_failover", tests, NULL, NULL);
}
