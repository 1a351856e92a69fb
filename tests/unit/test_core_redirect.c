/*
 * Redirects (RFC 4861 §8.1, §8.3) on ISATAP: accepted only from the current
 * first hop for the destination; the target must embed the IPv4 address to
 * send to; the /128 route it gives ages out.
 */
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
up(struct tuc *t)
{
	struct tu_ra b;

	t->now = START;
	tuc_start_simple(t, 1, R1 "," R2);
	tuc_locator(t, "192.0.2.1");
	tuc_connect(t);
	tuc_advance(t, MAX_RTR_SOLICITATION_DELAY_MS);
	tu_ra_init(&b, 1800, 0);
	tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 86400, 14400);
	tuc_ra(t, R1, NULL, &b);
	tu_ra_init(&b, 1800, 0);
	tu_ra_rio(&b, "2001:db8:4::", 48, 1, 3600); /* R2 is first hop for 2001:db8:4::/48 */
	tuc_ra(t, R2, NULL, &b);
	tuc_clear(t);
}

static enum core_nd_verdict
redirect(struct tuc *t, const char *from_v4, const char *from_ll, const char *target,
         const char *dst)
{
	uint8_t pkt[128];
	size_t len = tu_redirect(pkt, from_ll, "fe80::5efe:c000:201", target, dst);
	enum core_nd_verdict v = core_nd_input(t->c, t->now, tu_a4(from_v4), pkt, len, NULL);

	tuc_drain(t);
	return v;
}

static void
test_from_first_hop(void **state)
{
	uint64_t at;

	up(&T);
	/* R1, the default router, says 2001:db8:2::2 is better reached via
	 * the ISATAP host 192.0.2.253. */
	assert_int_equal(
	        redirect(&T, R1, "fe80::5efe:c000:2fe", "fe80::5efe:c000:2fd", "2001:db8:2::2"),
	        CORE_ND_REDIRECT_ACCEPTED);
	at = T.now;
	tuc_expect(&T,
	           (const char *[]){"ROUTE_ADD 2001:db8:2::2/128 via 192.0.2.253 m=1024", NULL});
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_REDIRECT_ACCEPTED], 1);
	{
		struct core_route_view v[4];

		assert_int_equal(core_routes(T.c, T.now, v, 4), 4);
		assert_string_equal(core_route_origin_name(v[3].origin), "redirect");
	}
	/* Aged out after CORE's redirect lifetime (600 s). The default
	 * route's refresh RSs are answered meanwhile by nobody, so look only
	 * at the host route. */
	tuc_clear(&T);
	tuc_until(&T, at + 600000 - 1);
	assert_int_equal(tuc_count(&T, "ROUTE_DEL 2001:db8:2::2/128"), 0);
	tuc_advance(&T, 1);
	assert_int_equal(tuc_find(&T, "ROUTE_DEL 2001:db8:2::2/128 via 192.0.2.253 m=1024"), 0);
	tuc_stop(&T);
	(void)state;
}

static void
test_first_hop_by_longest_match(void **state)
{
	up(&T);
	/* For 2001:db8:4::1 the first hop is R2 (its /48), not R1. */
	assert_int_equal(
	        redirect(&T, R1, "fe80::5efe:c000:2fe", "fe80::5efe:c000:2fd", "2001:db8:4::1"),
	        CORE_ND_REDIRECT_NOT_FIRST_HOP);
	assert_int_equal(
	        redirect(&T, R2, "fe80::5efe:c000:2fc", "fe80::5efe:c000:2fd", "2001:db8:4::1"),
	        CORE_ND_REDIRECT_ACCEPTED);
	/* And for the rest R1, not R2. */
	assert_int_equal(
	        redirect(&T, R2, "fe80::5efe:c000:2fc", "fe80::5efe:c000:2fd", "2001:db8:2::2"),
	        CORE_ND_REDIRECT_NOT_FIRST_HOP);
	tuc_expect(&T,
	           (const char *[]){"ROUTE_ADD 2001:db8:4::1/128 via 192.0.2.253 m=1024", NULL});
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_REDIRECT_NOT_FIRST_HOP], 2);
	tuc_stop(&T);
	(void)state;
}

static void
test_unusable(void **state)
{
	up(&T);
	/* Not from the PRL at all. */
	assert_int_equal(redirect(&T, "192.0.2.253", "fe80::5efe:c000:2fd", "fe80::5efe:c000:2fd",
	                          "2001:db8:2::2"),
	                 CORE_ND_NOT_FROM_PRL);
	/* A target with no IPv4 in it. */
	assert_int_equal(redirect(&T, R1, "fe80::5efe:c000:2fe", "fe80::1", "2001:db8:2::2"),
	                 CORE_ND_REDIRECT_TARGET_UNUSABLE);
	/* To ourselves. */
	assert_int_equal(
	        redirect(&T, R1, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", "2001:db8:2::2"),
	        CORE_ND_REDIRECT_TARGET_UNUSABLE);
	/* A link-local destination has no first hop but itself. */
	assert_int_equal(redirect(&T, R1, "fe80::5efe:c000:2fe", "fe80::5efe:c000:2fd",
	                          "fe80::5efe:c000:2fd"),
	                 CORE_ND_REDIRECT_NOT_FIRST_HOP);
	/* An on-link ISATAP destination is reached directly, not via R1. */
	assert_int_equal(redirect(&T, R1, "fe80::5efe:c000:2fe", "2001:db8:1::5efe:c000:2fd",
	                          "2001:db8:1::5efe:c000:2fd"),
	                 CORE_ND_REDIRECT_NOT_FIRST_HOP);
	tuc_expect(&T, (const char *[]){NULL});
	tuc_stop(&T);
	(void)state;
}

static void
test_target_is_destination(void **state)
{
	up(&T);
	/* RFC 4861 §8.1: target == destination means "it is on-link": an
	 * ISATAP destination outside the on-link prefixes. */
	assert_int_equal(redirect(&T, R1, "fe80::5efe:c000:2fe", "2001:db8:9::5efe:c000:2fd",
	                          "2001:db8:9::5efe:c000:2fd"),
	                 CORE_ND_REDIRECT_ACCEPTED);
	tuc_expect(&T, (const char *[]){
	                       "ROUTE_ADD 2001:db8:9::5efe:c000:2fd/128 via 192.0.2.253 m=1024",
	                       NULL,
	               });
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_from_first_hop),
	        cmocka_unit_test(test_first_hop_by_longest_match),
	        cmocka_unit_test(test_unusable),
	        cmocka_unit_test(test_target_is_destination),
	};

	return cmocka_run_group_tests_name("core_redirect", tests, NULL, NULL);
}
