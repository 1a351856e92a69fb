/*
 * control/dns_rr.c: the records of an answer handed over one at a time, as
 * mDNSResponder's DNSServiceQueryRecord() callback does on macOS; the same
 * rules as dns_parse_answer() on Linux.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "control/dns_rr.h"
#include "tests/unit/lib/tu.h"

static void
a_rec(struct dns_rr_set *s, const char *a, uint32_t ttl, bool more)
{
	struct in_addr x = tu_a4(a);

	dns_rr_reply(s, 0, true, more, DNS_RR_A, DNS_RR_IN, &x, 4, ttl);
}

/* Two A records in one batch: both, the smaller TTL, done at the last. */
static void
test_batch(void **state)
{
	struct in_addr v4[4];
	struct dns_rr_set s;
	uint32_t ttl = 7;

	(void)state;
	dns_rr_init(&s, v4, 4);
	a_rec(&s, "192.0.2.254", 600, true);
	assert_false(s.done);
	a_rec(&s, "198.51.100.1", 300, false);
	assert_true(s.done);
	assert_int_equal(dns_rr_result(&s, &ttl), 2);
	assert_int_equal(ttl, 300);
	assert_int_equal(v4[0].s_addr, tu_a4("192.0.2.254").s_addr);
	assert_int_equal(v4[1].s_addr, tu_a4("198.51.100.1").s_addr);
	/* Nothing counts once done. */
	a_rec(&s, "203.0.113.1", 1, false);
	assert_int_equal(dns_rr_result(&s, &ttl), 2);
}

/* A CNAME first (kDNSServiceFlagsReturnIntermediates): not the end, and
 * its TTL counts; duplicates once; bogus addresses and other classes and
 * types are no routers; a removal (no Add flag) adds nothing. */
static void
test_rules(void **state)
{
	struct in_addr v4[4], x = tu_a4("192.0.2.9");
	struct dns_rr_set s;
	uint32_t ttl;

	(void)state;
	dns_rr_init(&s, v4, 4);
	dns_rr_reply(&s, 0, true, false, DNS_RR_CNAME, DNS_RR_IN, "\x03isatap", 8, 60);
	assert_false(s.done);
	dns_rr_reply(&s, 0, false, true, DNS_RR_A, DNS_RR_IN, &x, 4, 900);
	dns_rr_reply(&s, 0, true, true, DNS_RR_A, 3 /* CH */, &x, 4, 900);
	dns_rr_reply(&s, 0, true, true, 28 /* AAAA */, DNS_RR_IN, "0123456789abcdef", 16, 900);
	a_rec(&s, "127.0.0.1", 900, true);
	a_rec(&s, "224.0.0.1", 900, true);
	a_rec(&s, "0.1.2.3", 900, true);
	assert_int_equal(s.n, 0);
	a_rec(&s, "192.0.2.9", 900, true);
	a_rec(&s, "192.0.2.9", 900, false);
	assert_true(s.done);
	assert_int_equal(dns_rr_result(&s, &ttl), 1);
	assert_int_equal(ttl, 60);
}

/* A batch of bogus addresses alone is not the end: more may follow. */
static void
test_only_bogus(void **state)
{
	struct in_addr v4[2];
	struct dns_rr_set s;
	uint32_t ttl = 5;

	(void)state;
	dns_rr_init(&s, v4, 2);
	a_rec(&s, "127.0.0.1", 30, false);
	assert_false(s.done);
	dns_rr_reply(&s, -EAGAIN, false, false, 0, 0, NULL, 0, 0);
	assert_true(s.done);
	assert_int_equal(dns_rr_result(&s, &ttl), -EAGAIN);
}

static void
test_errors(void **state)
{
	struct in_addr v4[2];
	struct dns_rr_set s;
	uint32_t ttl = 5;

	(void)state;
	/* No such name / record. */
	dns_rr_init(&s, v4, 2);
	dns_rr_reply(&s, -ENOENT, false, false, DNS_RR_A, DNS_RR_IN, NULL, 0, 0);
	assert_true(s.done);
	assert_int_equal(dns_rr_result(&s, &ttl), -ENOENT);
	assert_int_equal(ttl, 0);
	/* A timeout after an answer keeps the answer. */
	dns_rr_init(&s, v4, 2);
	a_rec(&s, "192.0.2.1", 30, true);
	dns_rr_reply(&s, -EAGAIN, false, false, 0, 0, NULL, 0, 0);
	assert_int_equal(dns_rr_result(&s, &ttl), 1);
	assert_int_equal(ttl, 30);
	/* An A record that is not 4 octets spoils the answer (-EBADMSG). */
	dns_rr_init(&s, v4, 2);
	dns_rr_reply(&s, 0, true, false, DNS_RR_A, DNS_RR_IN, "\1\2\3", 3, 30);
	assert_true(s.done);
	assert_int_equal(dns_rr_result(&s, &ttl), -EBADMSG);
	dns_rr_init(&s, v4, 2);
	dns_rr_take(&s, DNS_RR_A, DNS_RR_IN, NULL, 4, 30);
	assert_int_equal(dns_rr_result(&s, &ttl), -EBADMSG);
}

/* No more than max addresses are kept. */
static void
test_bounded(void **state)
{
	struct in_addr v4[2];
	struct dns_rr_set s;
	uint32_t ttl;

	(void)state;
	dns_rr_init(&s, v4, 2);
	a_rec(&s, "192.0.2.1", 30, true);
	a_rec(&s, "192.0.2.2", 30, true);
	a_rec(&s, "192.0.2.3", 30, false);
	assert_int_equal(dns_rr_result(&s, &ttl), 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_batch),      cmocka_unit_test(test_rules),
	        cmocka_unit_test(test_only_bogus), cmocka_unit_test(test_errors),
	        cmocka_unit_test(test_bounded),
	};

	return cmocka_run_group_tests_name("control_dns_rr", tests, NULL, NULL);
}
