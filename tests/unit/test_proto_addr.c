/* proto/addr.c: ISATAP address math (RFC 5214 §6.1) and RFC 5952 text. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "tests/unit/lib/tu.h"

static void
test_v4_is_global(void **state)
{
	/* Every block addr.h lists, at its first and last address. */
	static const char *const not_global[] = {
	        "0.0.0.0",         "0.255.255.255",   "10.0.0.0",       "10.255.255.255",
	        "100.64.0.0",      "100.127.255.255", "127.0.0.1",      "169.254.0.1",
	        "169.254.255.255", "172.16.0.0",      "172.31.255.255", "192.0.0.0",
	        "192.0.0.255",     "192.0.2.1",       "192.0.2.255",    "192.88.99.1",
	        "192.168.0.1",     "192.168.255.255", "198.18.0.0",     "198.19.255.255",
	        "198.51.100.7",    "203.0.113.9",     "224.0.0.1",      "239.255.255.255",
	        "240.0.0.1",       "255.255.255.255",
	};
	/* Their neighbours just outside. */
	static const char *const global[] = {
	        "1.0.0.0",      "9.255.255.255",   "11.0.0.0",     "100.63.255.255",
	        "100.128.0.0",  "126.255.255.255", "128.0.0.0",    "169.253.255.255",
	        "169.255.0.0",  "172.15.255.255",  "172.32.0.0",   "192.0.1.255",
	        "192.0.3.0",    "192.88.98.255",   "192.88.100.0", "192.167.255.255",
	        "192.169.0.0",  "198.17.255.255",  "198.20.0.0",   "198.51.99.255",
	        "198.51.101.0", "203.0.112.255",   "203.0.114.0",  "223.255.255.255",
	        "8.8.8.8",
	};

	(void)state;
	for (size_t i = 0; i < sizeof(not_global) / sizeof(not_global[0]); i++) {
		if (addr_v4_is_global(tu_a4(not_global[i])))
			fail_msg("%s should not be global", not_global[i]);
	}
	for (size_t i = 0; i < sizeof(global) / sizeof(global[0]); i++) {
		if (!addr_v4_is_global(tu_a4(global[i])))
			fail_msg("%s should be global", global[i]);
	}
}

static void
test_v4_is_bogus(void **state)
{
	(void)state;
	assert_true(addr_v4_is_bogus(tu_a4("0.0.0.0")));
	assert_true(addr_v4_is_bogus(tu_a4("0.1.2.3")));
	assert_true(addr_v4_is_bogus(tu_a4("127.0.0.1")));
	assert_true(addr_v4_is_bogus(tu_a4("224.0.0.1")));
	assert_true(addr_v4_is_bogus(tu_a4("239.1.1.1")));
	assert_true(addr_v4_is_bogus(tu_a4("240.0.0.1")));
	assert_true(addr_v4_is_bogus(tu_a4("255.255.255.255")));
	assert_false(addr_v4_is_bogus(tu_a4("192.0.2.1")));
	assert_false(addr_v4_is_bogus(tu_a4("10.0.0.1")));
	assert_false(addr_v4_is_bogus(tu_a4("1.0.0.0")));
	assert_false(addr_v4_is_bogus(tu_a4("223.255.255.255")));
	assert_false(addr_v4_is_bogus(tu_a4("128.0.0.1")));
}

static void
test_isatap_ifid(void **state)
{
	/* RFC 5214 §6.1 examples in spirit: private -> 0000:5efe, global -> 0200:5efe. */
	static const uint8_t priv[8] = {0x00, 0x00, 0x5e, 0xfe, 192, 0, 2, 1};
	static const uint8_t glob[8] = {0x02, 0x00, 0x5e, 0xfe, 8, 8, 4, 4};
	uint8_t ifid[8];

	(void)state;
	addr_isatap_ifid(tu_a4("192.0.2.1"), ifid);
	assert_memory_equal(ifid, priv, 8);
	addr_isatap_ifid(tu_a4("8.8.4.4"), ifid);
	assert_memory_equal(ifid, glob, 8);
}

static void
test_is_isatap_and_v4(void **state)
{
	struct in6_addr a;
	struct in_addr v4;

	(void)state;
	a = tu_a6("fe80::5efe:c000:201");
	assert_true(addr_is_isatap(&a));
	assert_true(addr_isatap_v4(&a, &v4));
	assert_int_equal(v4.s_addr, tu_a4("192.0.2.1").s_addr);

	a = tu_a6("2001:db8:1::200:5efe:808:404");
	assert_true(addr_is_isatap(&a));
	assert_true(addr_isatap_v4(&a, &v4));
	assert_int_equal(v4.s_addr, tu_a4("8.8.4.4").s_addr);

	/* g bit set: a group identifier, not ISATAP. */
	a = tu_a6("fe80::100:5efe:c000:201");
	assert_false(addr_is_isatap(&a));
	a = tu_a6("fe80::300:5efe:c000:201");
	assert_false(addr_is_isatap(&a));
	/* Any other bit in the OUI octet, or another OUI. */
	a = tu_a6("fe80::400:5efe:c000:201");
	assert_false(addr_is_isatap(&a));
	a = tu_a6("fe80::1:5efe:c000:201");
	assert_false(addr_is_isatap(&a));
	a = tu_a6("fe80::5eff:c000:201");
	assert_false(addr_is_isatap(&a));
	a = tu_a6("fe80::6efe:c000:201");
	assert_false(addr_is_isatap(&a));
	v4.s_addr = 0x5a5a5a5a;
	assert_false(addr_isatap_v4(&a, &v4));
	assert_int_equal(v4.s_addr, 0x5a5a5a5a); /* untouched */
}

static void
test_linklocal_and_compose(void **state)
{
	struct in6_addr a, want, prefix;

	(void)state;
	addr_isatap_linklocal(tu_a4("192.0.2.1"), &a);
	want = tu_a6("fe80::5efe:c000:201");
	assert_memory_equal(&a, &want, 16);

	addr_isatap_linklocal(tu_a4("8.8.4.4"), &a);
	want = tu_a6("fe80::200:5efe:808:404");
	assert_memory_equal(&a, &want, 16);

	addr_isatap_linklocal_u(tu_a4("192.0.2.1"), true, &a);
	want = tu_a6("fe80::200:5efe:c000:201");
	assert_memory_equal(&a, &want, 16);
	addr_isatap_linklocal_u(tu_a4("8.8.4.4"), false, &a);
	want = tu_a6("fe80::5efe:808:404");
	assert_memory_equal(&a, &want, 16);

	/* Only the upper 64 bits of the prefix count. */
	prefix = tu_a6("2001:db8:1:2:ffff:ffff:ffff:ffff");
	addr_isatap_compose(&prefix, tu_a4("192.0.2.1"), &a);
	want = tu_a6("2001:db8:1:2:0:5efe:c000:201");
	assert_memory_equal(&a, &want, 16);
	/* In place. */
	addr_isatap_compose(&prefix, tu_a4("8.8.4.4"), &prefix);
	want = tu_a6("2001:db8:1:2:200:5efe:808:404");
	assert_memory_equal(&prefix, &want, 16);
}

static void
test_prefix(void **state)
{
	struct in6_addr a = tu_a6("2001:db8:abcd:12ff::1"), want;
	struct prefix6 p;

	(void)state;
	addr_prefix_make(&p, &a, 52);
	want = tu_a6("2001:db8:abcd:1000::");
	assert_int_equal(p.plen, 52);
	assert_memory_equal(&p.addr, &want, 16);
	assert_true(addr_prefix_match(&p, &a));
	a = tu_a6("2001:db8:abcd:1fff:ffff::");
	assert_true(addr_prefix_match(&p, &a));
	a = tu_a6("2001:db8:abcd:2000::");
	assert_false(addr_prefix_match(&p, &a));
	a = tu_a6("2001:db8:abcc:1000::");
	assert_false(addr_prefix_match(&p, &a));

	addr_prefix_make(&p, &a, 0);
	assert_true(addr_is_unspecified(&p.addr));
	a = tu_a6("ffff::1");
	assert_true(addr_prefix_match(&p, &a)); /* ::/0 matches everything */

	a = tu_a6("2001:db8::1");
	addr_prefix_make(&p, &a, 128);
	assert_true(addr_prefix_match(&p, &a));
	want = tu_a6("2001:db8::2");
	assert_false(addr_prefix_match(&p, &want));
	addr_prefix_make(&p, &a, 200); /* capped */
	assert_int_equal(p.plen, 128);
	assert_memory_equal(&p.addr, &a, 16);

	addr_prefix_make(&p, &a, 1);
	want = tu_a6("::");
	assert_memory_equal(&p.addr, &want, 16);
	a = tu_a6("8000::");
	assert_false(addr_prefix_match(&p, &a));
}

static void
test_classes(void **state)
{
	struct in6_addr a;

	(void)state;
	a = tu_a6("fe80::1");
	assert_true(addr_is_linklocal(&a));
	assert_true(addr_is_linklocal64(&a));
	a = tu_a6("febf::1");
	assert_true(addr_is_linklocal(&a));
	assert_false(addr_is_linklocal64(&a));
	a = tu_a6("fe80:0:0:1::1");
	assert_true(addr_is_linklocal(&a));
	assert_false(addr_is_linklocal64(&a));
	a = tu_a6("fec0::1");
	assert_false(addr_is_linklocal(&a));
	a = tu_a6("ff02::1");
	assert_true(addr_is_multicast(&a));
	assert_false(addr_is_linklocal(&a));
	a = tu_a6("fe80::");
	assert_false(addr_is_multicast(&a));

	a = tu_a6("::");
	assert_true(addr_is_unspecified(&a));
	assert_false(addr_is_loopback(&a));
	assert_false(addr_is_v4compat(&a));
	a = tu_a6("::1");
	assert_true(addr_is_loopback(&a));
	assert_false(addr_is_unspecified(&a));
	assert_false(addr_is_v4compat(&a));
	a = tu_a6("::2");
	assert_true(addr_is_v4compat(&a));
	a = tu_a6("::192.0.2.1");
	assert_true(addr_is_v4compat(&a));
	assert_false(addr_is_v4mapped(&a));
	a = tu_a6("::ffff:192.0.2.1");
	assert_true(addr_is_v4mapped(&a));
	assert_false(addr_is_v4compat(&a));
	a = tu_a6("::1:ffff:192.0.2.1");
	assert_false(addr_is_v4mapped(&a));
	assert_false(addr_is_v4compat(&a));
	a = tu_a6("2001:db8::1");
	assert_false(addr_is_unspecified(&a) || addr_is_loopback(&a) || addr_is_v4compat(&a) ||
	             addr_is_v4mapped(&a) || addr_is_multicast(&a) || addr_is_linklocal(&a));
}

/* RFC 5952 §4 rules and its examples. */
static void
test_fmt6_rfc5952(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	        {"2001:0db8:0000:0000:0000:0000:0000:0001", "2001:db8::1"}, /* §4.1, §4.2.1 */
	        {"2001:db8:0:0:0:0:2:1", "2001:db8::2:1"},
	        {"2001:db8:0:1:1:1:1:1", "2001:db8:0:1:1:1:1:1"}, /* §4.2.2 single 0 */
	        {"2001:0:0:1:0:0:0:1", "2001:0:0:1::1"},          /* §4.2.3 longest */
	        {"2001:db8:0:0:1:0:0:1", "2001:db8::1:0:0:1"},    /* §4.2.3 first on tie */
	        {"2001:DB8::AAAA", "2001:db8::aaaa"},             /* §4.3 lower case */
	        {"0:0:0:0:0:0:0:0", "::"},
	        {"0:0:0:0:0:0:0:1", "::1"},
	        {"1:0:0:0:0:0:0:0", "1::"},
	        {"1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7:8"},
	        {"0:1:0:1:0:1:0:1", "0:1:0:1:0:1:0:1"},
	        {"1:0:0:2:0:0:0:3", "1:0:0:2::3"},
	        {"0:0:1:0:0:0:0:0", "0:0:1::"},
	        {"fe80::5efe:c000:201", "fe80::5efe:c000:201"},
	        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"}, /* §5 */
	        {"::192.0.2.1", "::c000:201"},            /* deprecated v4-compat: hex */
	        {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff",
	         "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"},
	};
	char buf[ADDR6_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in6_addr a = tu_a6(cases[i].in);
		assert_ptr_equal(addr_fmt6(&a, buf), buf);
		assert_string_equal(buf, cases[i].out);
	}
}

/* Against the C library on random addresses with many zero fields. */
static void
test_fmt6_matches_inet_ntop(void **state)
{
	char mine[ADDR6_STRLEN], libc[INET6_ADDRSTRLEN];
	unsigned seed = 5952;

	(void)state;
	for (int n = 0; n < 200000; n++) {
		struct in6_addr a, back;

		for (int i = 0; i < 16; i += 2) {
			seed = seed * 1103515245u + 12345u;
			unsigned r = seed >> 16;
			a.s6_addr[i] = (r & 3) ? 0 : (uint8_t)(r >> 2);
			a.s6_addr[i + 1] = (r & 3) ? 0 : (uint8_t)(r >> 10);
		}
		/* glibc writes ::/96 as deprecated v4-compatible dotted text. */
		if (addr_is_v4compat(&a))
			continue;
		addr_fmt6(&a, mine);
		assert_non_null(inet_ntop(AF_INET6, &a, libc, sizeof(libc)));
		assert_string_equal(mine, libc);
		assert_true(addr_parse6(mine, &back));
		assert_memory_equal(&a, &back, 16);
	}
}

static void
test_fmt6_mixed(void **state)
{
	static const struct {
		const char *in, *out;
	} cases[] = {
	        {"2001:db8::200:5efe:c000:201", "2001:db8::200:5efe:192.0.2.1"},
	        {"fe80::5efe:c000:201", "fe80::5efe:192.0.2.1"},
	        {"fe80::200:5efe:808:404", "fe80::200:5efe:8.8.4.4"},
	        {"2001:db8:1::5efe:c000:2fd", "2001:db8:1::5efe:192.0.2.253"},
	        {"::5efe:0:0", "::5efe:0.0.0.0"},
	        {"1:2:3:4:200:5efe:102:304", "1:2:3:4:200:5efe:1.2.3.4"},
	        {"2001:db8::1", "2001:db8::1"}, /* not ISATAP: plain RFC 5952 */
	        {"::ffff:192.0.2.1", "::ffff:192.0.2.1"},
	};
	char buf[ADDR6_STRLEN];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		struct in6_addr a = tu_a6(cases[i].in), back;
		assert_ptr_equal(addr_fmt6_mixed(&a, buf), buf);
		assert_string_equal(buf, cases[i].out);
		assert_true(addr_parse6(buf, &back));
		assert_memory_equal(&a, &back, 16);
	}
	/* The longest text fits ADDR6_STRLEN. */
	struct in6_addr a = tu_a6("ffff:ffff:ffff:ffff:200:5efe:ffff:ffff");
	addr_fmt6_mixed(&a, buf);
	assert_string_equal(buf, "ffff:ffff:ffff:ffff:200:5efe:255.255.255.255");
	assert_true(strlen(buf) < ADDR6_STRLEN);
}

static void
test_fmt4(void **state)
{
	char buf[ADDR4_STRLEN];

	(void)state;
	assert_ptr_equal(addr_fmt4(tu_a4("192.0.2.1"), buf), buf);
	assert_string_equal(buf, "192.0.2.1");
	addr_fmt4(tu_a4("0.0.0.0"), buf);
	assert_string_equal(buf, "0.0.0.0");
	addr_fmt4(tu_a4("255.255.255.255"), buf);
	assert_string_equal(buf, "255.255.255.255");
	addr_fmt4(tu_a4("10.100.9.0"), buf);
	assert_string_equal(buf, "10.100.9.0");
}

static void
test_parse4(void **state)
{
	static const char *const bad[] = {
	        "",         "1",         "1.2.3",     "1.2.3.4.5",  "256.0.0.1", "1.2.3.256",
	        "01.2.3.4", "1.2.3.04",  "1.2.3.4 ",  " 1.2.3.4",   "1.2.3.4\n", "1..3.4",
	        "1.2.3.",   ".1.2.3",    "0x1.2.3.4", "1.2.3.-4",   "+1.2.3.4",  "1234.1.1.1",
	        "1.2.3.4/", "1.2.3.4%x", "::1",       "1.2.3.1000",
	};
	struct in_addr a;

	(void)state;
	assert_true(addr_parse4("192.0.2.1", &a));
	assert_int_equal(a.s_addr, tu_a4("192.0.2.1").s_addr);
	assert_true(addr_parse4("0.0.0.0", &a));
	assert_int_equal(a.s_addr, 0);
	assert_true(addr_parse4("255.255.255.255", &a));
	assert_int_equal(a.s_addr, 0xffffffffu);
	assert_true(addr_parse4("10.0.100.0", &a));
	assert_int_equal(a.s_addr, tu_a4("10.0.100.0").s_addr);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		a.s_addr = 0x5a5a5a5a;
		if (addr_parse4(bad[i], &a))
			fail_msg("accepted \"%s\"", bad[i]);
		assert_int_equal(a.s_addr, 0x5a5a5a5a);
	}
}

static void
test_parse6(void **state)
{
	static const char *const good[] = {
	        "::",
	        "::1",
	        "2001:db8::1",
	        "2001:DB8:0:0:0:0:0:1",
	        "fe80::5efe:192.0.2.1",
	        "::ffff:192.0.2.1",
	        "1:2:3:4:5:6:7:8",
	        "1::",
	        "1:2:3:4:5:6:1.2.3.4",
	};
	static const char *const bad[] = {
	        "",
	        ":",
	        ":::",
	        "1:2:3:4:5:6:7:8:9",
	        "12345::",
	        "1::2::3",
	        "fe80::1%eth0",
	        "2001:db8::1/64",
	        " ::1",
	        "::1 ",
	        "::g",
	        "1.2.3.4",
	        "::1.2.3.04",
	        "1:2:3:4:5:6:7:1.2.3.4",
	        "0000:0000:0000:0000:0000:0000:0000:0000:",
	        "0000:0000:0000:0000:0000:ffff:255.255.255.255x",
	};
	struct in6_addr a;

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		struct in6_addr want = tu_a6(good[i]);
		if (!addr_parse6(good[i], &a))
			fail_msg("refused \"%s\"", good[i]);
		assert_memory_equal(&a, &want, 16);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (addr_parse6(bad[i], &a))
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

static void
test_parse_prefix6(void **state)
{
	static const char *const bad[] = {
	        "2001:db8::",     "2001:db8::/",    "2001:db8::/129",        "2001:db8::/-1",
	        "2001:db8::/032", "2001:db8::/32 ", "2001:db8::/3x",         "/32",
	        "2001:db8::1/64", "2001:db8::/1/2", "2001:db8:4000::/33",    "::/00",
	        "junk/64",        "2001:db8::/+32", "2001:db8::/4294967328",
	};
	struct prefix6 p;
	struct in6_addr want;

	(void)state;
	assert_true(addr_parse_prefix6("2001:db8::/32", &p));
	want = tu_a6("2001:db8::");
	assert_int_equal(p.plen, 32);
	assert_memory_equal(&p.addr, &want, 16);
	assert_true(addr_parse_prefix6("::/0", &p));
	assert_int_equal(p.plen, 0);
	assert_true(addr_parse_prefix6("2001:db8::1/128", &p));
	assert_int_equal(p.plen, 128);
	assert_true(addr_parse_prefix6("2001:db8:8000::/33", &p));
	assert_int_equal(p.plen, 33);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		if (addr_parse_prefix6(bad[i], &p))
			fail_msg("accepted \"%s\"", bad[i]);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_v4_is_global),
	        cmocka_unit_test(test_v4_is_bogus),
	        cmocka_unit_test(test_isatap_ifid),
	        cmocka_unit_test(test_is_isatap_and_v4),
	        cmocka_unit_test(test_linklocal_and_compose),
	        cmocka_unit_test(test_prefix),
	        cmocka_unit_test(test_classes),
	        cmocka_unit_test(test_fmt6_rfc5952),
	        cmocka_unit_test(test_fmt6_matches_inet_ntop),
	        cmocka_unit_test(test_fmt6_mixed),
	        cmocka_unit_test(test_fmt4),
	        cmocka_unit_test(test_parse4),
	        cmocka_unit_test(test_parse6),
	        cmocka_unit_test(test_parse_prefix6),
	};

	return cmocka_run_group_tests_name("proto_addr", tests, NULL, NULL);
}
