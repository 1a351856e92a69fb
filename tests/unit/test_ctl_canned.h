/*
 * Canned isatap-control results for the isatapctl unit tests, shaped as in
 * docs/API.md (schema version 1): one client 192.0.2.1 behind the ISATAP
 * router 192.0.2.254 of tests/integration (the peer's addresses).
 */
#ifndef ISATAP_TESTS_CTL_CANNED_H
#define ISATAP_TESTS_CTL_CANNED_H

#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

static const char canned_status[] __attribute__((unused)) =
        "{\"version\": 1,"
        " \"daemon\": {\"pid\": 1234, \"uptime_s\": 60, \"software\": \"0.1.0\"},"
        " \"interface\": {\"name\": \"isatap0\", \"ifindex\": 7, \"mtu\": 1280, \"state\": \"up\"},"
        " \"locator\": {\"ipv4\": \"192.0.2.1\", \"source\": \"auto\", \"is_global\": false},"
        " \"link_local\": \"fe80::5efe:c000:201\","
        " \"addresses\": [{\"address\": \"2001:db8:1::5efe:c000:201\", \"prefix_len\": 64,"
        "   \"valid_lifetime_s\": 86395, \"preferred_lifetime_s\": 14395,"
        "   \"state\": \"preferred\", \"router\": \"192.0.2.254\"}],"
        " \"prl\": [{\"ipv4\": \"192.0.2.254\", \"origin\": \"dns\", \"name\": "
        "\"isatap.example.test\","
        "   \"state\": \"reachable\", \"router_lifetime_s\": 1795, \"preference\": \"medium\","
        "   \"last_ra_age_s\": 5, \"next_solicit_s\": 1431, \"is_default\": true,"
        "   \"link_local\": \"fe80::5efe:c000:2fe\", \"solicitations\": 1, \"advertisements\": 1}],"
        " \"default_router\": \"192.0.2.254\","
        " \"routes\": ["
        "   {\"prefix\": \"::/0\", \"via\": \"192.0.2.254\", \"lifetime_s\": 1795,"
        "    \"preference\": \"medium\", \"origin\": \"default\"},"
        "   {\"prefix\": \"2001:db8:3::/48\", \"via\": \"192.0.2.254\", \"lifetime_s\": 595,"
        "    \"preference\": \"high\", \"origin\": \"rio\"}],"
        " \"onlink_prefixes\": [{\"prefix\": \"2001:db8:1::/64\", \"valid_lifetime_s\": 86395}],"
        " \"dns\": {"
        "   \"rdnss\": [{\"address\": \"2001:db8:2::53\", \"lifetime_s\": 595, \"router\": "
        "\"192.0.2.254\"}],"
        "   \"dnssl\": [{\"domain\": \"example.test\", \"lifetime_s\": 595, \"router\": "
        "\"192.0.2.254\"}]},"
        " \"datapath\": {\"connected\": true, \"socket\": \"/run/isatap/datapath.sock\","
        "   \"router_mode\": false},"
        " \"counters\": {\"out_packets\": 10, \"out_bytes\": 1040, \"in_packets\": 10,"
        "   \"in_bytes\": 1040, \"nd_up\": 2, \"rs_sent\": 1,"
        "   \"drops\": {\"in_spoofed_src\": 3, \"in_not_ours\": 0, \"out_no_route\": 1}}}";

/* Parses canned JSON, failing the test on a typo in the fixture. */
static inline json_t *
canned(const char *text)
{
	json_error_t e;
	json_t *j = json_loads(text, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &e);

	if (j == NULL)
		fail_msg("canned JSON: %s at %d:%d", e.text, e.line, e.column);
	return j;
}

/* The status with one member replaced (jansson path "a.b" not needed). */
static inline json_t *
canned_status_with(const char *key, json_t *value)
{
	json_t *st = canned(canned_status);

	json_object_set_new(st, key, value);
	return st;
}

/* Output of fn(f, arg) as a string the caller frees. */
#define CAPTURE(out, call)                                   \
	do {                                                 \
		size_t cap_len_;                             \
		FILE *f = open_memstream(&(out), &cap_len_); \
		assert_non_null(f);                          \
		call;                                        \
		assert_int_equal(fclose(f), 0);              \
	} while (0)

#endif
