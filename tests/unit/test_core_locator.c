/*
 * IPv4 locator changes (DESIGN.md "IPv4 change"): make before break. The
 * new addresses come up with the lifetimes the routers gave, the old ones
 * are deprecated and removed retire_s later, every router is solicited at
 * once and DNS names are looked up again; the tunnel is never re-created.
 */
#include <stdarg.h>
#include <errno.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"

#define R1    "192.0.2.254"
#define START 1000000ull

static struct tuc T;

static void
up(struct tuc *t, const char *routers, uint32_t retire_s)
{
	struct core_config cfg;
	struct tu_ra b;

	t->now = START;
	tuc_config(&cfg, 1, routers);
	cfg.retire_s = retire_s;
	tuc_start(t, &cfg);
	tuc_locator(t, "192.0.2.1");
	tuc_connect(t);
	if (strchr(routers, '.') != NULL && routers[0] >= '0' && routers[0] <= '9') {
		tuc_advance(t, MAX_RTR_SOLICITATION_DELAY_MS);
		tu_ra_init(&b, 1800, 0);
		tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 86400, 14400);
		assert_int_equal(tuc_ra(t, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	}
	tuc_clear(t);
}

static void
test_make_before_break(void **state)
{
	uint64_t changed;

	up(&T, R1, 30);
	tuc_locator(&T, "192.0.2.2");
	changed = T.now;
	tuc_expect(&T, (const char *[]){
	                       "EV locator_changed 192.0.2.2 prev=192.0.2.1",
	                       "EV address_added fe80::5efe:c000:202/64",
	                       "EV address_added 2001:db8:1::5efe:c000:202/64",
	                       "EV address_deprecated fe80::5efe:c000:201",
	                       "EV address_deprecated 2001:db8:1::5efe:c000:201",
	                       "SET_LOCATOR 192.0.2.2",
	                       "ADDR_ADD fe80::5efe:c000:202/64 v=inf p=inf",
	                       "ADDR_ADD 2001:db8:1::5efe:c000:202/64 v=86400 p=14400",
	                       "ADDR_ADD fe80::5efe:c000:201/64 v=30 p=0",
	                       "ADDR_ADD 2001:db8:1::5efe:c000:201/64 v=30 p=0",
	                       "SEND_RS " R1 " u=0",
	                       NULL,
	               });
	{
		struct core_addr_view v[4];
		char buf[ADDR6_STRLEN];

		assert_int_equal(core_addresses(T.c, T.now, v, 4), 2);
		assert_string_equal(addr_fmt6(&v[0].addr, buf), "2001:db8:1::5efe:c000:202");
		assert_string_equal(core_addr_state_name(v[0].state), "preferred");
		assert_string_equal(addr_fmt6(&v[1].addr, buf), "2001:db8:1::5efe:c000:201");
		assert_string_equal(core_addr_state_name(v[1].state), "deprecated");
	}
	/* The router answers the new locator's RS. */
	{
		struct tu_ra b;

		tu_ra_init(&b, 1800, 0);
		tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 86400, 14400);
		assert_int_equal(tuc_ra(&T, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	}
	/* retire_s later, the old addresses go. The route, the on-link
	 * prefix and the link were never touched. */
	tuc_clear(&T);
	tuc_until(&T, changed + 30000 - 1);
	assert_int_equal(tuc_count(&T, "ADDR_DEL"), 0);
	tuc_advance(&T, 1);
	tuc_expect_only(&T, (const char *[]){"SEND_RS", NULL},
	                (const char *[]){
	                        "EV address_removed fe80::5efe:c000:201",
	                        "EV address_removed 2001:db8:1::5efe:c000:201",
	                        "ADDR_DEL fe80::5efe:c000:201/64",
	                        "ADDR_DEL 2001:db8:1::5efe:c000:201/64",
	                        NULL,
	                });
	tuc_stop(&T);
	(void)state;
}

/*
 * RFC 5214 §6.2 (review finding 8): the old IPv4 address is gone from the
 * host (a DHCP renumbering): its locator leaves the set, and its addresses
 * are removed at once rather than left deprecated and dead. While the host
 * still has it, they stay their retire_s.
 */
static void
test_old_locator_gone_removes_at_once(void **state)
{
	struct in_addr both[2] = {tu_a4("192.0.2.1"), tu_a4("192.0.2.2")};

	up(&T, R1, 30);
	tuc_locator(&T, "192.0.2.2");
	core_host_v4(T.c, T.now, both, 2);
	tuc_drain(&T);
	tuc_clear(&T);
	tuc_advance(&T, 10000);
	core_host_v4(T.c, T.now, both, 2);
	tuc_drain(&T);
	assert_int_equal(tuc_count(&T, "ADDR_DEL"), 0);
	assert_int_equal(core_addresses(T.c, T.now, NULL, 0), 2);
	/* 192.0.2.1 leaves the host. */
	core_host_v4(T.c, T.now, &both[1], 1);
	tuc_drain(&T);
	tuc_expect_only(&T, (const char *[]){"SEND_RS", NULL},
	                (const char *[]){
	                        "EV address_removed fe80::5efe:c000:201",
	                        "EV address_removed 2001:db8:1::5efe:c000:201",
	                        "ADDR_DEL fe80::5efe:c000:201/64",
	                        "ADDR_DEL 2001:db8:1::5efe:c000:201/64",
	                        NULL,
	                });
	assert_int_equal(core_addresses(T.c, T.now, NULL, 0), 1);
	/* The current locator's addresses are never touched by this. */
	tuc_clear(&T);
	core_host_v4(T.c, T.now, NULL, 0);
	tuc_drain(&T);
	assert_int_equal(tuc_count(&T, "ADDR_DEL"), 0);
	tuc_stop(&T);
	(void)state;
}

static void
test_back_before_retired(void **state)
{
	up(&T, R1, 60);
	tuc_locator(&T, "192.0.2.2");
	tuc_advance(&T, 10000);
	tuc_clear(&T);
	/* DHCP gives the old address back: it is preferred again, the one in
	 * between is retired in turn. */
	tuc_locator(&T, "192.0.2.1");
	tuc_expect_only(&T, (const char *[]){"EV ", "SEND_RS", NULL},
	                (const char *[]){
	                        "SET_LOCATOR 192.0.2.1",
	                        "ADDR_ADD fe80::5efe:c000:201/64 v=inf p=inf",
	                        "ADDR_ADD 2001:db8:1::5efe:c000:201/64 v=86390 p=14390",
	                        "ADDR_ADD fe80::5efe:c000:202/64 v=60 p=0",
	                        "ADDR_ADD 2001:db8:1::5efe:c000:202/64 v=60 p=0",
	                        NULL,
	                });
	tuc_clear(&T);
	tuc_advance(&T, 60000);
	assert_int_equal(tuc_count(&T, "ADDR_DEL"), 2);
	assert_int_equal(tuc_count(&T, "ADDR_DEL fe80::5efe:c000:202/64"), 1);
	tuc_stop(&T);
	(void)state;
}

static void
test_change_refreshes_prl(void **state)
{
	up(&T, "isatap", 60);
	assert_int_equal(tuc_count(&T, "RESOLVE"), 0); /* already out since start */
	tuc_dns(&T, "isatap", R1, 3600);
	tuc_clear(&T);
	tuc_locator(&T, "192.0.2.2");
	assert_int_equal(tuc_count(&T, "RESOLVE isatap"), 1);
	tuc_stop(&T);
	(void)state;
}

static void
test_locator_lost(void **state)
{
	up(&T, R1, 60);
	assert_int_equal(core_set_locator(T.c, T.now, (struct in_addr){INADDR_ANY}, CORE_LOC_NONE),
	                 0);
	tuc_drain(&T);
	tuc_expect_only(&T, (const char *[]){"EV ", NULL},
	                (const char *[]){
	                        "SET_LOCATOR 0.0.0.0",
	                        "ADDR_ADD fe80::5efe:c000:201/64 v=60 p=0",
	                        "ADDR_ADD 2001:db8:1::5efe:c000:201/64 v=60 p=0",
	                        NULL,
	                });
	/* No RS without a locator; the link stays up. */
	tuc_clear(&T);
	tuc_advance(&T, 3600000);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 0);
	assert_int_equal(tuc_count(&T, "SET_LINK"), 0);
	/* And a bogus locator is refused. */
	assert_int_equal(core_set_locator(T.c, T.now, tu_a4("127.0.0.1"), CORE_LOC_STATIC),
	                 -EINVAL);
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_make_before_break),
	        cmocka_unit_test(test_old_locator_gone_removes_at_once),
	        cmocka_unit_test(test_back_before_retired),
	        cmocka_unit_test(test_change_refreshes_prl),
	        cmocka_unit_test(test_locator_lost),
	};

	return cmocka_run_group_tests_name("core_locator", tests, NULL, NULL);
}
