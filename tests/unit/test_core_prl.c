/*
 * The Potential Router List (RFC 5214 §8.3.2): DNS answers, refresh at
 * min(PrlRefreshInterval, TTL) ± 10 % but never below
 * PRL_MIN_REFRESH_INTERVAL_S, the last good list kept while DNS fails but
 * not after an authoritative NXDOMAIN or NODATA, a locator change looked up
 * again at once,
 * vanished routers withdrawn with their routes, SET_PRL on every change,
 * and the API's routers.add / routers.remove.
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
#define R2    "192.0.2.252"
#define START 1000000ull

static struct tuc T;

static void
up(struct tuc *t, const char *routers)
{
	t->now = START;
	tuc_start_simple(t, 1, routers);
	tuc_locator(t, "192.0.2.1");
	tuc_connect(t);
}

/* Runs deadline by deadline to the next RESOLVE and returns its time. */
static uint64_t
next_resolve(struct tuc *t)
{
	int i;

	tuc_clear(t);
	while ((i = tuc_find_prefix(t, "RESOLVE")) < 0) {
		assert_true(core_next_deadline(t->c) != CORE_NO_DEADLINE);
		tuc_until(t, core_next_deadline(t->c));
	}
	return t->at[i];
}

static void
test_lookup_then_solicit(void **state)
{
	struct core_router_view v[2];

	T.now = START;
	tuc_start_simple(&T, 1, "isatap");
	tuc_expect(&T, (const char *[]){"RESOLVE isatap", NULL});
	tuc_locator(&T, "192.0.2.1");
	tuc_connect(&T);
	tuc_clear(&T);
	core_dns_result(T.c, T.now, "isatap", "isatap.example.test",
	                (struct in_addr[]){tu_a4(R1), tu_a4(R2)}, 2, 300, 0);
	tuc_drain(&T);
	tuc_expect(&T, (const char *[]){"EV prl_changed " R1 "," R2, "SET_PRL " R1 "," R2, NULL});
	assert_int_equal(core_routers(T.c, T.now, v, 2), 2);
	assert_string_equal(core_router_origin_name(v[0].origin), "dns");
	assert_string_equal(v[0].name, "isatap.example.test");
	assert_string_equal(core_router_state_name(v[1].state), "probing");
	/* Both solicited within MAX_RTR_SOLICITATION_DELAY. */
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	assert_int_equal(tuc_count(&T, "SEND_RS " R1 " u=0"), 1);
	assert_int_equal(tuc_count(&T, "SEND_RS " R2 " u=0"), 1);
	tuc_stop(&T);
	(void)state;
}

static void
test_refresh_interval(void **state)
{
	uint64_t at, answered;

	/* TTL 300 s: 300 s ± 10 %. */
	up(&T, "isatap");
	answered = T.now;
	tuc_dns(&T, "isatap", R1, 300);
	at = next_resolve(&T);
	assert_in_range(at - answered, 270000, 330000);
	tuc_stop(&T);

	/* TTL 10 s: the floor, PRL_MIN_REFRESH_INTERVAL_S. */
	up(&T, "isatap");
	answered = T.now;
	tuc_dns(&T, "isatap", R1, 10);
	at = next_resolve(&T);
	assert_int_equal(at - answered, PRL_MIN_REFRESH_INTERVAL_S * 1000);
	tuc_stop(&T);

	/* TTL longer than PrlRefreshInterval: the interval, ± 10 %. */
	up(&T, "isatap");
	answered = T.now;
	tuc_dns(&T, "isatap", R1, 86400);
	at = next_resolve(&T);
	assert_in_range(at - answered, PRL_REFRESH_INTERVAL_S * 900, PRL_REFRESH_INTERVAL_S * 1100);
	tuc_stop(&T);
	(void)state;
}

static void
test_dns_failure_keeps_last_good(void **state)
{
	uint64_t at, failed;

	up(&T, "isatap");
	tuc_dns(&T, "isatap", R1 "," R2, 300);
	next_resolve(&T);
	tuc_clear(&T);
	failed = T.now;
	core_dns_result(T.c, T.now, "isatap", NULL, NULL, 0, 0, -EAGAIN);
	tuc_drain(&T);
	tuc_expect(&T, (const char *[]){NULL});
	assert_int_equal(core_routers(T.c, T.now, NULL, 0), 2);
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_DNS_FAILURES], 1);
	/* Retried after 60 s ± 10 %, then backing off. */
	at = next_resolve(&T);
	assert_in_range(at - failed, 54000, 66000);
	failed = T.now;
	core_dns_result(T.c, T.now, "isatap", NULL, NULL, 0, 0, -EAGAIN);
	tuc_drain(&T);
	at = next_resolve(&T);
	assert_in_range(at - failed, 108000, 132000);
	/* An answer for a name nobody asked about is ignored. */
	tuc_dns(&T, "other", "192.0.2.77", 300);
	assert_int_equal(core_routers(T.c, T.now, NULL, 0), 2);
	tuc_stop(&T);
	(void)state;
}

static void
test_vanished_router_withdrawn(void **state)
{
	struct tu_ra b;

	up(&T, "isatap");
	tuc_dns(&T, "isatap", R1 "," R2, 300);
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	tu_ra_init(&b, 1800, 0);
	tu_ra_rio(&b, "2001:db8:3::", 48, 1, 600);
	tu_ra_rdnss(&b, "2001:db8:2::53", 600);
	tuc_ra(&T, R1, NULL, &b);
	tu_ra_init(&b, 1800, 0);
	tuc_ra(&T, R2, NULL, &b);
	next_resolve(&T);
	tuc_clear(&T);
	/* R1 is gone from DNS: withdrawn with its routes and DNS data. */
	tuc_dns(&T, "isatap", R2, 300);
	tuc_expect(&T, (const char *[]){
	                       "EV router_down " R1 " removed",
	                       "EV prl_changed " R2,
	                       "EV default_router_changed " R2 " prev=" R1,
	                       "SET_PRL " R2,
	                       "ROUTE_DEL ::/0 via " R1 " m=1024",
	                       "ROUTE_ADD ::/0 via " R2 " m=1024",
	                       "ROUTE_DEL 2001:db8:3::/48 via " R1 " m=768",
	                       NULL,
	               });
	assert_int_equal(core_rdnss(T.c, T.now, NULL, 0), 0);
	/* Later RAs from R1 are not accepted. */
	tu_ra_init(&b, 1800, 0);
	{
		uint8_t pkt[200];
		size_t len = tu_ra_packet(&b, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", pkt);

		assert_int_equal(core_nd_input(T.c, T.now, tu_a4(R1), pkt, len, NULL),
		                 CORE_ND_NOT_FROM_PRL);
	}
	tuc_stop(&T);
	(void)state;
}

/* The routers a name gives, and its lookup state. */
static void
assert_name(const char *state_name, size_t n_routers)
{
	struct core_name_view v[1];

	assert_int_equal(core_names(T.c, T.now, v, 1), 1);
	assert_string_equal(core_name_state_name(v[0].state), state_name);
	assert_int_equal(v[0].n_routers, n_routers);
}

static enum core_nd_verdict
ra_from(const char *v4, const char *src_ll)
{
	struct tu_ra b;
	uint8_t pkt[200];
	size_t len;

	tu_ra_init(&b, 1800, 0);
	len = tu_ra_packet(&b, src_ll, "fe80::5efe:c000:201", pkt);
	return core_nd_input(T.c, T.now, tu_a4(v4), pkt, len, NULL);
}

/*
 * Review finding 2: an authoritative NXDOMAIN (or NODATA) is no outage. The
 * laptop that left site A (isatap -> 10.0.0.1) must stop trusting 10.0.0.1:
 * it leaves the PRL at once, with an empty SET_PRL, router_down
 * "no_such_name", its default route withdrawn, its RAs no longer
 * counted; status says why. The name is looked up again on the backoff,
 * and comes back when ISATAP is turned on again.
 */
static void
test_no_such_name_withdraws(void **state)
{
	const struct core_counters *k;
	uint64_t at, answered;
	struct tu_ra b;

	up(&T, "isatap");
	k = core_get_counters(T.c);
	core_dns_result(T.c, T.now, "isatap", "isatap.a.example",
	                (struct in_addr[]){tu_a4("10.0.0.1")}, 1, 300, 0);
	tuc_drain(&T);
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	tu_ra_init(&b, 1800, 0);
	assert_int_equal(tuc_ra(&T, "10.0.0.1", NULL, &b), CORE_ND_RA_ACCEPTED);
	assert_name("resolved", 1);
	next_resolve(&T);
	tuc_clear(&T);
	answered = T.now;
	core_dns_result(T.c, T.now, "isatap", NULL, NULL, 0, 0, -ENOENT);
	tuc_drain(&T);
	tuc_expect(&T, (const char *[]){
	                       "EV router_down 10.0.0.1 no_such_name",
	                       "EV prl_changed",
	                       "EV default_router_changed 0.0.0.0 prev=10.0.0.1",
	                       "SET_PRL",
	                       "ROUTE_DEL ::/0 via 10.0.0.1 m=1024",
	                       NULL,
	               });
	assert_int_equal(core_routers(T.c, T.now, NULL, 0), 0);
	assert_int_equal(T.dp.n_prl, 0);
	assert_int_equal(k->v[CORE_C_DNS_NO_SUCH_NAME], 1);
	assert_int_equal(k->v[CORE_C_DNS_FAILURES], 0);
	assert_name("no_such_name", 0);
	assert_string_equal(core_down_reason_name(CORE_DOWN_NO_SUCH_NAME), "no_such_name");
	/* Whoever holds or spoofs 10.0.0.1 now is no router of ours. */
	assert_int_equal(ra_from("10.0.0.1", "fe80::5efe:a00:1"), CORE_ND_NOT_FROM_PRL);
	/* Asked again after 60 s ± 10 %; NODATA (no error, no address) is the
	 * same answer. */
	at = next_resolve(&T);
	assert_in_range(at - answered, 54000, 66000);
	core_dns_result(T.c, T.now, "isatap", NULL, NULL, 0, 0, 0);
	tuc_drain(&T);
	assert_int_equal(k->v[CORE_C_DNS_NO_SUCH_NAME], 2);
	assert_name("no_such_name", 0);
	/* ISATAP is back: so is the router. */
	next_resolve(&T);
	tuc_clear(&T);
	tuc_dns(&T, "isatap", "10.0.0.1", 300);
	assert_true(tuc_find(&T, "SET_PRL 10.0.0.1") >= 0);
	assert_name("resolved", 1);
	tuc_stop(&T);
	(void)state;
}

/* A timeout or SERVFAIL (-EAGAIN), or an unusable answer (-EIO,
 * -EMSGSIZE), keeps the last good list: status says "failing". */
static void
test_outage_keeps_and_says_so(void **state)
{
	static const int errs[] = {-EAGAIN, -EIO, -EMSGSIZE};

	up(&T, "isatap");
	tuc_dns(&T, "isatap", R1, 300);
	for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
		next_resolve(&T);
		tuc_clear(&T);
		core_dns_result(T.c, T.now, "isatap", NULL, NULL, 0, 0, errs[i]);
		tuc_drain(&T);
		tuc_expect(&T, (const char *[]){NULL});
		assert_int_equal(core_routers(T.c, T.now, NULL, 0), 1);
		assert_name("failing", 1);
	}
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_DNS_NO_SUCH_NAME], 0);
	tuc_stop(&T);
	(void)state;
}

/*
 * The review's demonstration after core_set_locator(new): the move to
 * another site looks the name up at once, and the new site's answer
 * prunes what it no longer names, NXDOMAIN included.
 */
static void
test_locator_change_reresolves_and_prunes(void **state)
{
	up(&T, "isatap");
	tuc_dns(&T, "isatap", "10.0.0.1," R1, 300);
	tuc_clear(&T);
	tuc_locator(&T, "198.51.100.7");
	assert_true(tuc_find(&T, "RESOLVE isatap") >= 0);
	tuc_clear(&T);
	tuc_dns(&T, "isatap", R1, 300);
	tuc_expect_only(&T, (const char *[]){"SEND_RS", "EV router_", NULL},
	                (const char *[]){"EV prl_changed " R1, "SET_PRL " R1, NULL});
	/* And once more, to a site with no ISATAP at all. */
	tuc_clear(&T);
	tuc_locator(&T, "203.0.113.5");
	assert_true(tuc_find(&T, "RESOLVE isatap") >= 0);
	core_dns_result(T.c, T.now, "isatap", NULL, NULL, 0, 0, -ENOENT);
	tuc_drain(&T);
	assert_int_equal(core_routers(T.c, T.now, NULL, 0), 0);
	assert_int_equal(T.dp.n_prl, 0);
	tuc_stop(&T);
	(void)state;
}

/* A lookup made at the old site and answered after the move is the old
 * site's answer: set aside, and the name asked again. Losing the locator
 * for a while and getting the same one back is no move. */
static void
test_answer_from_before_the_move_set_aside(void **state)
{
	up(&T, "isatap");
	tuc_dns(&T, "isatap", R1, 300);
	next_resolve(&T); /* a lookup is out, asked at 192.0.2.1's site */
	tuc_clear(&T);
	tuc_locator(&T, "198.51.100.7");
	assert_int_equal(tuc_count(&T, "RESOLVE"), 0); /* one is out already */
	tuc_dns(&T, "isatap", R1 ",10.0.0.1", 300);    /* the old site's answer */
	assert_int_equal(core_routers(T.c, T.now, NULL, 0), 1);
	assert_true(tuc_find(&T, "RESOLVE isatap") >= 0);
	tuc_dns(&T, "isatap", R2, 300);
	assert_true(tuc_find(&T, "SET_PRL " R2) >= 0);
	/* none, then the same locator: nothing to look up again. */
	tuc_clear(&T);
	tuc_locator(&T, "0.0.0.0");
	tuc_locator(&T, "198.51.100.7");
	assert_int_equal(tuc_count(&T, "RESOLVE"), 0);
	/* none, then another: at once. */
	tuc_locator(&T, "0.0.0.0");
	tuc_locator(&T, "203.0.113.5");
	assert_int_equal(tuc_count(&T, "RESOLVE isatap"), 1);
	tuc_stop(&T);
	(void)state;
}

static void
test_answers_are_checked(void **state)
{
	struct core_router_view v[4];
	char buf[ADDR4_STRLEN];

	/* Unusable addresses are dropped, duplicates merged; a name and a
	 * static entry for the same router show it as static. */
	up(&T, "isatap," R2);
	tuc_dns(&T, "isatap", "0.0.0.0,127.0.0.1,224.0.0.5,255.255.255.255," R1 "," R1 "," R2, 300);
	assert_int_equal(core_routers(T.c, T.now, v, 4), 2);
	assert_string_equal(addr_fmt4(v[0].v4, buf), R1);
	assert_string_equal(addr_fmt4(v[1].v4, buf), R2);
	assert_string_equal(core_router_origin_name(v[1].origin), "static");
	assert_string_equal(v[1].name, "");
	tuc_stop(&T);
	(void)state;
}

static void
test_api_add_remove(void **state)
{
	up(&T, R1);
	tuc_clear(&T);
	assert_int_equal(core_router_add(T.c, T.now, "192.0.2.9"), 0);
	tuc_drain(&T);
	tuc_expect(&T, (const char *[]){"EV prl_changed " R1 ",192.0.2.9",
	                                "SET_PRL " R1 ",192.0.2.9", NULL});
	assert_int_equal(core_router_add(T.c, T.now, "192.0.2.9"), -EEXIST);
	assert_int_equal(core_router_add(T.c, T.now, "224.0.0.1"), -EINVAL);
	assert_int_equal(core_router_add(T.c, T.now, "bad name!"), -EINVAL);
	assert_int_equal(core_router_add(T.c, T.now, "-lead.example"), -EINVAL);
	assert_int_equal(core_router_add(T.c, T.now, "a..b"), -EINVAL);
	assert_int_equal(core_router_add(T.c, T.now, ""), -EINVAL);
	{
		char label[70];

		memset(label, 'a', 64);
		label[64] = '\0';
		assert_int_equal(core_router_add(T.c, T.now, label), -EINVAL);
		label[63] = '\0';
		assert_int_equal(core_router_add(T.c, T.now, label), 0);
	}
	assert_int_equal(core_router_remove(T.c, T.now, "nope.example"), -ENOENT);
	tuc_drain(&T);
	tuc_clear(&T);
	assert_int_equal(core_router_remove(T.c, T.now, "192.0.2.9"), 0);
	tuc_drain(&T);
	tuc_expect(&T, (const char *[]){"EV prl_changed " R1, "SET_PRL " R1, NULL});
	/* A name added through the API is looked up at once. */
	tuc_clear(&T);
	assert_int_equal(core_router_add(T.c, T.now, "isatap.example.test"), 0);
	tuc_drain(&T);
	tuc_expect(&T, (const char *[]){"RESOLVE isatap.example.test", NULL});
	tuc_stop(&T);
	(void)state;
}

static void
test_reconfigure(void **state)
{
	struct core_config cfg;

	up(&T, R1 ",isatap");
	tuc_dns(&T, "isatap", R2, 300);
	assert_int_equal(core_router_add(T.c, T.now, "192.0.2.9"), 0);
	tuc_clear(&T);
	/* SIGHUP: R1 dropped, "isatap" kept with its answer, the API's entry
	 * kept, 192.0.2.7 new. */
	tuc_config(&cfg, 99, "isatap,192.0.2.7");
	assert_int_equal(core_reconfigure(T.c, T.now, &cfg), 0);
	tuc_drain(&T);
	assert_true(tuc_find(&T, "SET_PRL " R2 ",192.0.2.7,192.0.2.9") >= 0);
	assert_int_equal(tuc_count(&T, "RESOLVE"), 0);
	/* A bad spec changes nothing. */
	tuc_config(&cfg, 99, "isatap,999.1.1.1");
	assert_int_equal(core_reconfigure(T.c, T.now, &cfg), -EINVAL);
	assert_int_equal(core_routers(T.c, T.now, NULL, 0), 3);
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_lookup_then_solicit),
	        cmocka_unit_test(test_refresh_interval),
	        cmocka_unit_test(test_dns_failure_keeps_last_good),
	        cmocka_unit_test(test_vanished_router_withdrawn),
	        cmocka_unit_test(test_no_such_name_withdraws),
	        cmocka_unit_test(test_outage_keeps_and_says_so),
	        cmocka_unit_test(test_locator_change_reresolves_and_prunes),
	        cmocka_unit_test(test_answer_from_before_the_move_set_aside),
	        cmocka_unit_test(test_answers_are_checked),
	        cmocka_unit_test(test_api_add_remove),
	        cmocka_unit_test(test_reconfigure),
	};

	return cmocka_run_group_tests_name("core_prl", tests, NULL, NULL);
}
