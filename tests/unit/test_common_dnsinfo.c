/*
 * common/dnsinfo.c: configd's default resolver, as res_ninit() reads it on
 * macOS: the search list or else the domain, ndots from the options.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "dnsinfo.h"

static void
test_search_list(void **state)
{
	const char *const search[] = {"corp.example", NULL, "", "example"};
	struct dnsinfo d;

	(void)state;
	dnsinfo_fill(&d, "ignored.example", search, 4, NULL, true, false, 3, 2);
	assert_int_equal(d.n_search, 2);
	assert_string_equal(d.search[0], "corp.example");
	assert_string_equal(d.search[1], "example");
	assert_int_equal(d.ndots, 1);
	assert_true(d.request_a);
	assert_false(d.request_aaaa);
	assert_int_equal(d.n_other, 2);
	assert_int_equal(d.n_scoped, 2);
}

/* No search list: the domain; neither: nothing (the name alone). */
static void
test_domain_fallback(void **state)
{
	struct dnsinfo d;

	(void)state;
	dnsinfo_fill(&d, "example.test", NULL, 0, NULL, false, true, 1, 0);
	assert_int_equal(d.n_search, 1);
	assert_string_equal(d.search[0], "example.test");
	assert_true(d.request_aaaa);
	assert_int_equal(d.n_other, 0);
	dnsinfo_fill(&d, NULL, NULL, 0, NULL, false, false, 0, -1);
	assert_int_equal(d.n_search, 0);
	assert_int_equal(d.n_scoped, 0);
}

static void
test_ndots(void **state)
{
	struct dnsinfo d;

	(void)state;
	dnsinfo_fill(&d, NULL, NULL, 0, "ndots:3", false, false, 1, 0);
	assert_int_equal(d.ndots, 3);
	dnsinfo_fill(&d, NULL, NULL, 0, "timeout:2 ndots:2 attempts:3", false, false, 1, 0);
	assert_int_equal(d.ndots, 2);
	dnsinfo_fill(&d, NULL, NULL, 0, "xndots:5", false, false, 1, 0);
	assert_int_equal(d.ndots, 1);
	dnsinfo_fill(&d, NULL, NULL, 0, "ndots:99", false, false, 1, 0);
	assert_int_equal(d.ndots, 15);
}

/* At most DNSINFO_SEARCH_MAX names; one too long is skipped, not cut. */
static void
test_bounds(void **state)
{
	char longname[DNSINFO_NAME_MAX + 1];
	const char *search[DNSINFO_SEARCH_MAX + 3];
	struct dnsinfo d;

	(void)state;
	memset(longname, 'a', DNSINFO_NAME_MAX);
	longname[DNSINFO_NAME_MAX] = '\0';
	search[0] = longname;
	for (size_t i = 1; i < DNSINFO_SEARCH_MAX + 3; i++)
		search[i] = "d.example";
	dnsinfo_fill(&d, NULL, search, DNSINFO_SEARCH_MAX + 3, NULL, false, false, 1, 0);
	assert_int_equal(d.n_search, DNSINFO_SEARCH_MAX);
	assert_string_equal(d.search[0], "d.example");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_search_list),
	        cmocka_unit_test(test_domain_fallback),
	        cmocka_unit_test(test_ndots),
	        cmocka_unit_test(test_bounds),
	};

	return cmocka_run_group_tests_name("common_dnsinfo", tests, NULL, NULL);
}
