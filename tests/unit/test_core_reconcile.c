/*
 * Reconciliation with the datapath's STATE: a control restart adopts what
 * the datapath holds and sends nothing that would interrupt forwarding; a
 * datapath restart gets everything again; what cannot be ours is removed.
 *
 * The "datapath" is the harness's model, filled by the requests a first
 * core made: exactly what a real datapath would report in MSG_STATE.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"
#include "tests/unit/lib/vectors.h"

#define R1    VEC_ROUTER_V4
#define START 1000000ull

static struct tuc T;

static void
radvd_ra(struct tuc *t)
{
	enum nd_reason why;

	assert_int_equal(core_nd_input(t->c, t->now, tu_a4(R1), vec_ra + VEC_INNER_OFF,
	                               vec_ra_len - VEC_INNER_OFF, &why),
	                 CORE_ND_RA_ACCEPTED);
	tuc_drain(t);
}

/* A first control: up, the radvd RA taken; returns the datapath's state. */
static void
first_life(struct tuc *t, const char *routers, struct msg_state *st)
{
	t->now = START;
	tuc_start_simple(t, 1, routers);
	if (strcmp(routers, "isatap") == 0)
		tuc_dns(t, "isatap", R1, 3600);
	tuc_locator(t, VEC_CLIENT_V4);
	tuc_connect(t);
	tuc_advance(t, MAX_RTR_SOLICITATION_DELAY_MS);
	radvd_ra(t);
	*st = t->dp;
	assert_int_equal(st->n_addrs, 3);
	assert_int_equal(st->n_routes, 2);
	assert_int_equal(st->n_onlink, 2);
	assert_int_equal(st->mtu, 1400);
	tuc_stop(t);
}

/* A second control starts later (SIGKILL and restart) on the same datapath. */
static void
second_life(struct tuc *t, const char *routers, const struct msg_state *st, uint64_t later)
{
	t->now = START + later;
	tuc_start_simple(t, 2, routers);
	t->dp = *st;
}

static const char *const no_dp_change[] = {"EV ", "SEND_RS", "RESOLVE", NULL};

static void
test_control_restart_changes_nothing(void **state)
{
	struct msg_state st;

	first_life(&T, R1, &st);
	second_life(&T, R1, &st, 5000);
	tuc_locator(&T, VEC_CLIENT_V4);
	tuc_clear(&T);
	tuc_connect(&T);
	/* Not one request: the datapath already holds what is wanted. */
	tuc_expect_only(&T, no_dp_change, (const char *[]){NULL});
	assert_int_equal(memcmp(&T.dp, &st, sizeof(st)), 0);
	{
		struct in_addr def;

		assert_true(core_default_router(T.c, &def));
		assert_int_equal(def.s_addr, tu_a4(R1).s_addr);
		assert_int_equal(core_mtu(T.c), 1400);
	}
	/* The router answers the new control: lifetimes refreshed in place,
	 * never a delete, never a second route. */
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	assert_true(tuc_count(&T, "SEND_RS " R1) >= 1);
	tuc_clear(&T);
	radvd_ra(&T);
	/* (And the RA parameters, not in STATE: the same values again.) */
	tuc_expect_only(&T, (const char *[]){"EV ", "SET_ND_PARAMS hop=64 ", NULL},
	                (const char *[]){
	                        "ADDR_ADD 2001:db8:1::5efe:c000:201/64 v=86400 p=14400",
	                        "ADDR_ADD 2001:db8:10::5efe:c000:201/64 v=86400 p=14400",
	                        NULL,
	                });
	tuc_stop(&T);
	(void)state;
}

static void
test_control_restart_before_locator_and_dns(void **state)
{
	struct msg_state st;

	/* The router is a DNS name and the locator is "auto" (it needs the
	 * PRL): both unknown when the datapath answers. Nothing is torn down. */
	first_life(&T, "isatap", &st);
	second_life(&T, "isatap", &st, 5000);
	tuc_clear(&T);
	tuc_connect(&T);
	tuc_expect_only(&T, no_dp_change, (const char *[]){NULL});
	{
		struct core_router_view v;
		struct in_addr loc;

		assert_int_equal(core_routers(T.c, T.now, &v, 1), 1);
		assert_string_equal(core_router_origin_name(v.origin), "datapath");
		assert_int_equal(core_locator(T.c, &loc), CORE_LOC_STATIC);
		assert_int_equal(loc.s_addr, tu_a4(VEC_CLIENT_V4).s_addr);
	}
	/* The adopted router is solicited at once (the locator is known). */
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	assert_true(tuc_count(&T, "SEND_RS " R1) >= 1);
	/* DNS and the locator confirm: still nothing to send. */
	tuc_clear(&T);
	tuc_dns(&T, "isatap", R1, 3600);
	tuc_locator(&T, VEC_CLIENT_V4);
	tuc_expect_only(&T, no_dp_change, (const char *[]){NULL});
	{
		struct core_router_view v;

		core_routers(T.c, T.now, &v, 1);
		assert_string_equal(core_router_origin_name(v.origin), "dns");
	}
	tuc_stop(&T);
	(void)state;
}

static void
test_adopted_router_that_moved_away(void **state)
{
	struct msg_state st;

	/* After the restart DNS names another router: the adopted one goes,
	 * with its routes. */
	first_life(&T, "isatap", &st);
	second_life(&T, "isatap", &st, 5000);
	tuc_connect(&T);
	tuc_clear(&T);
	tuc_dns(&T, "isatap", "192.0.2.252", 3600);
	tuc_expect_only(&T, (const char *[]){"EV ", NULL},
	                (const char *[]){
	                        "SET_PRL 192.0.2.252",
	                        "ROUTE_DEL ::/0 via " R1 " m=1024",
	                        "ROUTE_DEL 2001:db8:3::/48 via " R1 " m=768",
	                        NULL,
	                });
	tuc_stop(&T);
	(void)state;
}

static void
test_adopted_router_silent(void **state)
{
	struct msg_state st;
	uint64_t connected;

	/* A router that no longer answers: its adopted default route goes
	 * when the first round fails (0..1 s + 8 s + 4 s); its RIO route and
	 * on-link prefixes after the grace period; addresses keep their
	 * lifetimes. */
	first_life(&T, R1, &st);
	second_life(&T, R1, &st, 5000);
	tuc_locator(&T, VEC_CLIENT_V4);
	tuc_connect(&T);
	connected = T.now;
	tuc_clear(&T);
	tuc_until(&T, connected + MAX_RTR_SOLICITATION_DELAY_MS + 12000);
	tuc_expect_only(&T, (const char *[]){"SEND_RS", NULL},
	                (const char *[]){
	                        "EV default_router_changed 0.0.0.0 prev=" R1,
	                        "ROUTE_DEL ::/0 via " R1 " m=1024",
	                        "ROUTE_DEL 2001:db8:3::/48 via " R1 " m=768",
	                        NULL,
	                });
	tuc_clear(&T);
	tuc_until(&T, connected + 60000);
	tuc_expect_only(&T, (const char *[]){"SEND_RS", NULL},
	                (const char *[]){
	                        "ONLINK_DEL 2001:db8:1::/64",
	                        "ONLINK_DEL 2001:db8:10::/64",
	                        NULL,
	                });
	assert_int_equal(core_addresses(T.c, T.now, NULL, 0), 2);
	tuc_stop(&T);
	(void)state;
}

static void
test_locator_changed_while_down(void **state)
{
	struct msg_state st;

	/* The IPv4 address changed while control was down: the new addresses
	 * come up from the datapath's prefixes at once, the old ones are
	 * retired, routes are kept. */
	first_life(&T, R1, &st);
	second_life(&T, R1, &st, 5000);
	tuc_locator(&T, "192.0.2.2");
	tuc_clear(&T);
	tuc_connect(&T);
	tuc_expect_only(&T, (const char *[]){"EV ", NULL},
	                (const char *[]){
	                        "SET_LOCATOR 192.0.2.2",
	                        "ADDR_ADD fe80::5efe:c000:202/64 v=inf p=inf",
	                        "ADDR_ADD 2001:db8:1::5efe:c000:202/64 v=86400 p=14400",
	                        "ADDR_ADD 2001:db8:10::5efe:c000:202/64 v=86400 p=14400",
	                        "ADDR_ADD fe80::5efe:c000:201/64 v=60 p=0",
	                        "ADDR_ADD 2001:db8:1::5efe:c000:201/64 v=60 p=0",
	                        "ADDR_ADD 2001:db8:10::5efe:c000:201/64 v=60 p=0",
	                        NULL,
	                });
	tuc_stop(&T);
	(void)state;
}

static void
test_datapath_restart_gets_everything(void **state)
{
	struct tu_ra b;

	T.now = START;
	tuc_start_simple(&T, 1, R1);
	tuc_locator(&T, VEC_CLIENT_V4);
	tuc_connect(&T);
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	radvd_ra(&T);
	/* The datapath dies and comes back empty. */
	core_dp_disconnected(T.c, T.now);
	tuc_drain(&T);
	memset(&T.dp, 0, sizeof(T.dp));
	T.dp.mtu = 1280;
	tuc_advance(&T, 2000);
	tuc_clear(&T);
	tuc_connect(&T);
	tuc_expect_only(&T, (const char *[]){"SEND_RS", NULL},
	                (const char *[]){
	                        "EV datapath_connected",
	                        "SET_MTU 1400",
	                        "SET_LINK 1",
	                        "SET_LOCATOR 192.0.2.1",
	                        "SET_ND_PARAMS hop=64 reach=0 retrans=0",
	                        "SET_PRL " R1,
	                        "ADDR_ADD fe80::5efe:c000:201/64 v=inf p=inf",
	                        "ADDR_ADD 2001:db8:1::5efe:c000:201/64 v=86398 p=14398",
	                        "ADDR_ADD 2001:db8:10::5efe:c000:201/64 v=86398 p=14398",
	                        "ONLINK_ADD 2001:db8:1::/64",
	                        "ONLINK_ADD 2001:db8:10::/64",
	                        "ROUTE_ADD ::/0 via " R1 " m=1024",
	                        "ROUTE_ADD 2001:db8:3::/48 via " R1 " m=768",
	                        NULL,
	                });
	/* And a fresh round of solicitations. */
	tuc_clear(&T);
	tuc_advance(&T, MAX_RTR_SOLICITATION_DELAY_MS);
	assert_int_equal(tuc_count(&T, "SEND_RS " R1 " u=0"), 1);
	tu_ra_init(&b, 1800, 0);
	tuc_ra(&T, R1, NULL, &b);
	tuc_stop(&T);
	(void)state;
}

static void
test_foreign_state_removed(void **state)
{
	struct msg_state st;

	first_life(&T, R1, &st);
	/* Things a previous control under another locator, or a bug, left. */
	st.addrs[st.n_addrs].addr = tu_a6("2001:db8:99::1"); /* not ISATAP */
	st.addrs[st.n_addrs].plen = 64;
	st.addrs[st.n_addrs].valid_lft = st.addrs[st.n_addrs].preferred_lft = 600;
	st.n_addrs++;
	st.addrs[st.n_addrs].addr = tu_a6("2001:db8:1::5efe:c000:209"); /* old locator */
	st.addrs[st.n_addrs].plen = 64;
	st.addrs[st.n_addrs].valid_lft = st.addrs[st.n_addrs].preferred_lft = 600;
	st.n_addrs++;
	st.routes[st.n_routes].prefix = tu_a6("2001:db8:77::");
	st.routes[st.n_routes].plen = 48;
	st.routes[st.n_routes].via = tu_a4("192.0.2.77"); /* not in the PRL */
	st.routes[st.n_routes].metric = 1024;
	st.n_routes++;
	second_life(&T, R1, &st, 5000);
	tuc_locator(&T, VEC_CLIENT_V4);
	tuc_clear(&T);
	tuc_connect(&T);
	tuc_expect_only(&T, (const char *[]){"EV ", NULL},
	                (const char *[]){
	                        "ADDR_ADD 2001:db8:1::5efe:c000:209/64 v=60 p=0",
	                        "ROUTE_DEL 2001:db8:77::/48 via 192.0.2.77 m=1024",
	                        "ADDR_DEL 2001:db8:99::1/64",
	                        NULL,
	                });
	tuc_clear(&T);
	tuc_advance(&T, 60000);
	assert_int_equal(tuc_find(&T, "ADDR_DEL 2001:db8:1::5efe:c000:209/64") >= 0, 1);
	tuc_stop(&T);
	(void)state;
}

static void
test_two_routes_one_prefix(void **state)
{
	struct msg_state st;

	/* A datapath that keys routes by prefix and next hop may report two
	 * default routes: one is kept, the other withdrawn, never re-added. */
	first_life(&T, R1, &st);
	st.routes[st.n_routes] = st.routes[0];
	assert_int_equal(st.routes[0].plen, 0);
	st.routes[st.n_routes].via = tu_a4("192.0.2.252");
	st.n_routes++;
	second_life(&T, R1 ",192.0.2.252", &st, 5000);
	tuc_locator(&T, VEC_CLIENT_V4);
	tuc_clear(&T);
	core_dp_connected(T.c, T.now, &st);
	tuc_drain(&T);
	tuc_expect_only(&T, (const char *[]){"EV ", NULL},
	                (const char *[]){
	                        "SET_PRL " R1 ",192.0.2.252",
	                        "ROUTE_DEL ::/0 via 192.0.2.252 m=1024",
	                        NULL,
	                });
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_control_restart_changes_nothing),
	        cmocka_unit_test(test_control_restart_before_locator_and_dns),
	        cmocka_unit_test(test_adopted_router_that_moved_away),
	        cmocka_unit_test(test_adopted_router_silent),
	        cmocka_unit_test(test_locator_changed_while_down),
	        cmocka_unit_test(test_datapath_restart_gets_everything),
	        cmocka_unit_test(test_foreign_state_removed),
	        cmocka_unit_test(test_two_routes_one_prefix),
	};

	return cmocka_run_group_tests_name("core_reconcile", tests, NULL, NULL);
}
