/*
 * isatapctl's readable output of status, routers and stats from canned
 * results (docs/API.md), its JSON output, and its behaviour on results that
 * are not what the schema says: never a crash, never a control byte out.
 */
#include "test_ctl_canned.h"

#include "ctl/fmt.h"
#include "ctl/show.h"

static const char status_text[] =
        "interface:       isatap0 (index 7), up, mtu 1280\n"
        "locator:         192.0.2.1 (auto, not global)\n"
        "link-local:      fe80::5efe:c000:201\n"
        "address:         2001:db8:1::5efe:c000:201/64 preferred, valid 23h59m55s, preferred "
        "3h59m55s, from 192.0.2.254\n"
        "on-link:         2001:db8:1::/64 (valid 23h59m55s)\n"
        "default router:  192.0.2.254\n"
        "dns server:      2001:db8:2::53 (9m55s, from 192.0.2.254)\n"
        "dns search:      example.test (9m55s, from 192.0.2.254)\n"
        "datapath:        connected (/run/isatap/datapath.sock)\n"
        "daemon:          isatap-control 0.1.0, pid 1234, up 1m, schema 1\n"
        "\n"
        "ROUTER       STATE      DEFAULT  PREF    LIFETIME  LAST RA  NEXT RS  RS/RA  SOURCE\n"
        "192.0.2.254  reachable  yes      medium  29m55s    5s ago   23m51s   1/1    dns "
        "isatap.example.test\n"
        "\n"
        "routes:\n"
        "  ::/0             via 192.0.2.254  29m55s  medium  default\n"
        "  2001:db8:3::/48  via 192.0.2.254  9m55s   high    rio\n"
        "\n"
        "counters:\n"
        "  sent:      10 packets, 1.0 KiB\n"
        "  received:  10 packets, 1.0 KiB\n"
        "  nd:        2 messages received, 1 solicitations sent\n"
        "  dropped:   4 (in_spoofed_src 3, out_no_route 1)\n";

static void
test_status_text(void **state)
{
	json_t *st = canned(canned_status);
	char *out = NULL;

	CAPTURE(out, show_status(f, st));
	assert_string_equal(out, status_text);
	free(out);
	json_decref(st);
}

/* Infinite lifetimes are null with "infinite": true; a router that never
 * answered has nulls for its ages. */
static void
test_status_infinite_and_unknown(void **state)
{
	json_t *st = canned_status_with(
	        "addresses",
	        canned("[{\"address\": \"2001:db8:1::5efe:c000:201\", \"prefix_len\": 64,"
	               " \"valid_lifetime_s\": null, \"preferred_lifetime_s\": null,"
	               " \"infinite\": true, \"state\": \"preferred\", \"router\": null}]"));
	char *out = NULL;

	json_object_set_new(
	        st, "prl",
	        canned("[{\"ipv4\": \"192.0.2.252\", \"origin\": \"static\", \"name\": null,"
	               " \"state\": \"probing\", \"router_lifetime_s\": null, \"preference\": "
	               "\"medium\", \"last_ra_age_s\": null, \"next_solicit_s\": 0,"
	               " \"is_default\": false, \"link_local\": \"fe80::5efe:c000:2fc\","
	               " \"solicitations\": 0, \"advertisements\": 0}]"));
	json_object_set_new(st, "default_router", json_null());
	CAPTURE(out, show_status(f, st));
	assert_non_null(strstr(out, "address:         2001:db8:1::5efe:c000:201/64 preferred, "
	                            "valid forever, preferred forever\n"));
	assert_non_null(strstr(out, "default router:  none\n"));
	assert_non_null(strstr(out, "192.0.2.252  probing  no       medium  -         never    now "
	                            "     0/0    static\n"));
	free(out);
	json_decref(st);
}

/* The kernel fast path: one line, active with its interfaces or off with
 * why; a hostile ingress list (not strings, too long) never overflows. */
static void
test_status_fastpath(void **state)
{
	json_t *st = canned_status_with(
	        "fastpath",
	        canned("{\"active\": true, \"reason\": \"attached\", \"egress\": "
	               "\"isatap0\", \"ingress\": [\"eth0\", \"eth1\"], \"generation\": 7,"
	               " \"counters\": {\"out_packets\": 3}}"));
	char *out = NULL;
	json_t *in = json_array();

	CAPTURE(out, show_status(f, st));
	assert_non_null(
	        strstr(out, "fast path:       active on isatap0 / eth0, eth1 (generation 7)\n"));
	free(out);
	json_object_set_new(st, "fastpath",
	                    canned("{\"active\": false, \"reason\": \"--no-fastpath\", \"egress\": "
	                           "null, \"ingress\": [], \"generation\": 0, \"counters\": {}}"));
	CAPTURE(out, show_status(f, st));
	assert_non_null(strstr(out, "fast path:       off (--no-fastpath)\n"));
	free(out);
	for (int i = 0; i < 100; i++)
		json_array_append_new(in, i % 2 ? json_integer(i) : json_string("ifname0123456"));
	json_object_set_new(
	        st, "fastpath",
	        json_pack("{s:b, s:s, s:o}", "active", 1, "egress", "isatap0", "ingress", in));
	CAPTURE(out, show_status(f, st));
	assert_non_null(strstr(out, "fast path:       active on isatap0 / ifname0123456, "));
	free(out);
	json_decref(st);
}

static void
test_status_no_locator_no_datapath(void **state)
{
	json_t *st = canned_status_with(
	        "locator", canned("{\"ipv4\": null, \"source\": \"none\", \"is_global\": false}"));
	char *out = NULL;

	json_object_set_new(st, "datapath",
	                    canned("{\"connected\": false, \"socket\": \"/run/x.sock\","
	                           " \"router_mode\": false}"));
	json_object_set_new(st, "addresses", json_array());
	json_object_set_new(st, "prl", json_array());
	CAPTURE(out, show_status(f, st));
	assert_non_null(strstr(out, "locator:         none (none)\n"));
	assert_non_null(strstr(out, "address:         none\n"));
	assert_non_null(strstr(out, "datapath:        not connected (/run/x.sock)\n"));
	assert_non_null(strstr(out, "routers: none\n"));
	free(out);
	json_decref(st);
}

static void
assert_printable(const char *s)
{
	for (; *s != '\0'; s++)
		if (*s != '\n')
			assert_true(*s >= 0x20 && *s < 0x7f);
}

/* A name that answered NXDOMAIN says why its routers are gone; a failing
 * one says the last good ones are kept; resolved names are not listed. */
static void
test_status_names(void **state)
{
	json_t *st = canned("{\"prl\": [], \"names\": ["
	                    "{\"name\": \"isatap\", \"matched\": null, \"state\": \"no_such_name\","
	                    " \"routers\": 0, \"next_lookup_s\": 57},"
	                    "{\"name\": \"isatap.b.test\", \"matched\": \"isatap.b.test\","
	                    " \"state\": \"failing\", \"routers\": 2, \"next_lookup_s\": null},"
	                    "{\"name\": \"isatap.c.test\", \"state\": \"resolved\", \"routers\": 1,"
	                    " \"next_lookup_s\": 300}]}");
	char *out = NULL;

	CAPTURE(out, show_status(f, st));
	assert_non_null(strstr(out,
	                       "isatap         no_such_name  0        57s          (NXDOMAIN or "
	                       "NODATA: its routers were withdrawn)\n"));
	assert_non_null(strstr(out, "isatap.b.test  failing       2        in progress  (lookups "
	                            "fail: the last good routers are kept)\n"));
	assert_null(strstr(out, "isatap.c.test"));
	free(out);
	json_decref(st);
	(void)state;
}

/* Whatever the daemon sends, the text shows "-" and carries no escapes. */
static void
test_status_hostile(void **state)
{
	static const char *const bodies[] = {
	        "{}",
	        "[]",
	        "null",
	        ("{\"interface\": 5, \"locator\": [], \"prl\": {\"a\": 1}, \"addresses\": [1, "
	         "\"x\", null, {}], \"dns\": {\"rdnss\": 7}, \"counters\": {\"drops\": [1]}}"),
	        ("{\"interface\": {\"name\": \"\\u001b[2Jevil\\u0007\", \"mtu\": \"1280\"},"
	         " \"link_local\": \"\\u009b31m\\u00E9\", \"prl\": [{\"ipv4\": 3, \"state\": "
	         "{}, \"name\": \"\\r\"}], \"counters\": {\"out_packets\": 9223372036854775807,"
	         " \"out_bytes\": -5, \"drops\": {\"\\u001b\": 1}}}"),
	        ("{\"addresses\": [{\"valid_lifetime_s\": -1, \"prefix_len\": 1e300}],"
	         " \"daemon\": {\"uptime_s\": -9223372036854775807}}"),
	};
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		json_t *st = canned(bodies[i]);
		char *out = NULL;

		CAPTURE(out, show_status(f, st));
		assert_printable(out);
		assert_non_null(strstr(out, "interface:"));
		free(out);
		CAPTURE(out, show_stats(f, st));
		assert_printable(out);
		free(out);
		CAPTURE(out, show_routers(f, st));
		assert_printable(out);
		free(out);
		json_decref(st);
	}
}

static void
test_routers_text(void **state)
{
	json_t *st = canned(canned_status);
	json_t *res = json_pack("{s:O}", "routers", json_object_get(st, "prl"));
	char *out = NULL;

	CAPTURE(out, show_routers(f, res));
	assert_string_equal(out, "router:              192.0.2.254\n"
	                         "origin:              dns, isatap.example.test\n"
	                         "state:               reachable, default router\n"
	                         "preference:          medium\n"
	                         "router lifetime:     29m55s\n"
	                         "last advertisement:  5s ago\n"
	                         "next solicitation:   in 23m51s\n"
	                         "link-local:          fe80::5efe:c000:2fe\n"
	                         "messages:            1 solicitations sent, 1 advertisements "
	                         "received\n");
	free(out);
	json_decref(res);
	res = canned("{\"routers\": []}");
	CAPTURE(out, show_routers(f, res));
	assert_string_equal(out, "no routers\n");
	free(out);
	json_decref(res);
	json_decref(st);
}

static void
test_stats_text(void **state)
{
	json_t *res = canned("{\"version\": 1, \"counters\": {\"out_packets\": 10, \"in_packets\": "
	                     "12345678901, \"drops\": {\"in_spoofed_src\": 3, \"out_mld\": 0},"
	                     " \"control\": {\"dns_errors\": 1, \"api\": {\"clients\": 2},"
	                     " \"nd_parse_errors\": {}}}}");
	char *out = NULL;

	CAPTURE(out, show_stats(f, res));
	assert_string_equal(out, "counters:\n"
	                         "  out_packets  10\n"
	                         "  in_packets   12345678901\n"
	                         "\n"
	                         "drops:\n"
	                         "  in_spoofed_src  3\n"
	                         "  out_mld         0\n"
	                         "\n"
	                         "control:\n"
	                         "  dns_errors  1\n"
	                         "\n"
	                         "control.api:\n"
	                         "  clients  2\n");
	free(out);
	json_decref(res);
}

/* --json prints the daemon's object as it came, keys in its order. */
static void
test_json_modes(void **state)
{
	json_t *res = canned("{\"z\": 1, \"a\": {\"y\": [1, 2], \"b\": \"\\u00E9\"}}");
	char *out = NULL;

	CAPTURE(out, assert_int_equal(show_json(f, res, CTL_JSON_SHORT, true), 0));
	assert_string_equal(out, "{\"z\":1,\"a\":{\"y\":[1,2],\"b\":\"\\u00E9\"}}\n");
	free(out);
	CAPTURE(out, assert_int_equal(show_json(f, res, CTL_JSON_AUTO, false), 0));
	assert_string_equal(out, "{\"z\":1,\"a\":{\"y\":[1,2],\"b\":\"\\u00E9\"}}\n");
	free(out);
	CAPTURE(out, assert_int_equal(show_json(f, res, CTL_JSON_AUTO, true), 0));
	assert_string_equal(out, "{\n  \"z\": 1,\n  \"a\": {\n    \"y\": [\n      1,\n      2\n"
	                         "    ],\n    \"b\": \"\\u00E9\"\n  }\n}\n");
	free(out);
	CAPTURE(out, assert_int_equal(show_json(f, res, CTL_JSON_PRETTY, false), 0));
	assert_true(strncmp(out, "{\n  \"z\": 1,", 11) == 0);
	free(out);
	json_decref(res);
}

static void
test_fmt(void **state)
{
	char b[FMT_BUFLEN];
	json_t *o;

	assert_string_equal(fmt_dur(0, b), "0s");
	assert_string_equal(fmt_dur(59, b), "59s");
	assert_string_equal(fmt_dur(60, b), "1m");
	assert_string_equal(fmt_dur(3600, b), "1h");
	assert_string_equal(fmt_dur(3605, b), "1h0m5s");
	assert_string_equal(fmt_dur(93784, b), "1d2h3m4s");
	assert_string_equal(fmt_dur(-1, b), "?");
	assert_string_equal(fmt_dur(9223372036854775807LL, b), "106751991167300d15h30m7s");
	assert_string_equal(fmt_bytes(0, b), "0 B");
	assert_string_equal(fmt_bytes(1023, b), "1023 B");
	assert_string_equal(fmt_bytes(1536, b), "1.5 KiB");
	assert_string_equal(fmt_bytes(3LL << 30, b), "3.0 GiB");
	assert_string_equal(fmt_bytes(5LL << 50, b), "5120.0 TiB");
	assert_string_equal(fmt_bytes(-1, b), "?");
	o = canned("{\"a\": 90, \"b\": null, \"infinite\": true, \"c\": \"90\"}");
	assert_string_equal(fmt_lifetime(o, "a", "-", b), "1m30s");
	assert_string_equal(fmt_lifetime(o, "b", "-", b), "forever");
	assert_string_equal(fmt_lifetime(o, "c", "-", b), "-");
	assert_string_equal(fmt_lifetime(o, "missing", "-", b), "-");
	json_object_set_new(o, "infinite", json_false());
	assert_string_equal(fmt_lifetime(o, "b", "none", b), "none");
	assert_string_equal(fmt_safe("a\x1b[b\x80", b, sizeof(b)), "a?[b?");
	assert_string_equal(fmt_safe("abcdef", b, 4), "abc");
	json_decref(o);
}

static void
test_table(void **state)
{
	struct tbl t;
	char *out = NULL;

	tbl_init(&t, 3);
	tbl_add(&t, "a");
	tbl_add(&t, "bbbb");
	tbl_add(&t, "c");
	tbl_add(&t, "dddd");
	tbl_add(&t, "e");
	tbl_add(&t, "%s", "");
	tbl_add(&t, "tab\there");
	CAPTURE(out, tbl_print(&t, f, "> "));
	/* No trailing blanks after an empty last cell; a short last row. */
	assert_string_equal(out, "> a         bbbb  c\n"
	                         "> dddd      e\n"
	                         "> tab?here\n");
	free(out);
	tbl_free(&t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_status_text),
	        cmocka_unit_test(test_status_names),
	        cmocka_unit_test(test_status_infinite_and_unknown),
	        cmocka_unit_test(test_status_fastpath),
	        cmocka_unit_test(test_status_no_locator_no_datapath),
	        cmocka_unit_test(test_status_hostile),
	        cmocka_unit_test(test_routers_text),
	        cmocka_unit_test(test_stats_text),
	        cmocka_unit_test(test_json_modes),
	        cmocka_unit_test(test_fmt),
	        cmocka_unit_test(test_table),
	};

	return cmocka_run_group_tests_name("ctl_show", tests, NULL, NULL);
}
