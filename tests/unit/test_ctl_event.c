/*
 * `isatapctl monitor` lines: each event of docs/API.md "Notifications" in
 * words, unknown events as key=value, nothing unprintable.
 */
#include <time.h>

#include "test_ctl_canned.h"

#include "ctl/show.h"

static int
utc(void **state)
{
	setenv("TZ", "UTC", 1);
	tzset();
	return 0;
}

static void
expect_line(const char *event_json, const char *want)
{
	json_t *ev = canned(event_json);
	char *out = NULL;

	CAPTURE(out, show_event(f, ev));
	assert_string_equal(out, want);
	free(out);
	json_decref(ev);
}

static void
test_known_events(void **state)
{
	expect_line("{\"event\": \"router_up\", \"time\": 1700000000, \"router\": \"192.0.2.254\","
	            " \"lifetime_s\": 1800}",
	            "2023-11-14 22:13:20 router_up router 192.0.2.254 up, lifetime 30m\n");
	expect_line(
	        "{\"event\": \"router_down\", \"time\": 1700000000, \"router\": \"192.0.2.254\","
	        " \"reason\": \"lifetime_expired\"}",
	        "2023-11-14 22:13:20 router_down router 192.0.2.254 down: lifetime_expired\n");
	expect_line("{\"event\": \"default_router_changed\", \"time\": 1700000000, \"router\": "
	            "\"192.0.2.252\", \"previous\": null}",
	            "2023-11-14 22:13:20 default_router_changed default router 192.0.2.252 (was "
	            "none)\n");
	expect_line("{\"event\": \"address_added\", \"time\": 1700000000, \"address\": "
	            "\"2001:db8:1::5efe:c000:201\", \"prefix_len\": 64}",
	            "2023-11-14 22:13:20 address_added address 2001:db8:1::5efe:c000:201/64 "
	            "added\n");
	expect_line("{\"event\": \"address_deprecated\", \"time\": 1700000000, \"address\": "
	            "\"2001:db8:1::5efe:c000:201\"}",
	            "2023-11-14 22:13:20 address_deprecated address 2001:db8:1::5efe:c000:201 "
	            "deprecated\n");
	expect_line("{\"event\": \"address_removed\", \"time\": 1700000000, \"address\": "
	            "\"2001:db8:1::5efe:c000:201\"}",
	            "2023-11-14 22:13:20 address_removed address 2001:db8:1::5efe:c000:201 "
	            "removed\n");
	expect_line("{\"event\": \"locator_changed\", \"time\": 1700000000, \"ipv4\": "
	            "\"192.0.2.7\", \"previous\": \"192.0.2.1\"}",
	            "2023-11-14 22:13:20 locator_changed locator 192.0.2.7 (was 192.0.2.1)\n");
	expect_line("{\"event\": \"datapath_connected\", \"time\": 1700000000}",
	            "2023-11-14 22:13:20 datapath_connected datapath connected\n");
	expect_line("{\"event\": \"datapath_disconnected\", \"time\": 1700000000}",
	            "2023-11-14 22:13:20 datapath_disconnected datapath disconnected\n");
	expect_line("{\"event\": \"prl_changed\", \"time\": 1700000000, \"routers\": "
	            "[\"192.0.2.254\", \"192.0.2.252\"]}",
	            "2023-11-14 22:13:20 prl_changed potential router list: 192.0.2.254 "
	            "192.0.2.252\n");
	expect_line("{\"event\": \"prl_changed\", \"time\": 1700000000, \"routers\": []}",
	            "2023-11-14 22:13:20 prl_changed potential router list: empty\n");
}

/* A member missing or of the wrong type still gives one line. */
static void
test_partial_events(void **state)
{
	expect_line("{\"event\": \"router_up\", \"time\": 1700000000}",
	            "2023-11-14 22:13:20 router_up router - up, lifetime -\n");
	expect_line("{\"event\": \"router_up\", \"time\": 1700000000, \"router\": [1, {\"a\": "
	            "true}], \"lifetime_s\": \"x\"}",
	            "2023-11-14 22:13:20 router_up router 1 {\"a\":true} up, lifetime x\n");
}

static void
test_unknown_event(void **state)
{
	expect_line("{\"event\": \"flux_capacitor\", \"time\": 1700000000, \"speed_s\": 88,"
	            " \"who\": \"doc\", \"on\": true}",
	            "2023-11-14 22:13:20 flux_capacitor speed_s=1m28s who=doc on=true\n");
}

static void
test_hostile_event(void **state)
{
	expect_line("{\"event\": \"router_up\\u001b[31m\", \"time\": 1700000000, \"x\": "
	            "\"a\\nb\\u009bc\"}",
	            "2023-11-14 22:13:20 router_up?[31m x=a?b??c\n");
	expect_line("{\"event\": \"router_up\", \"time\": 1700000000, \"router\": "
	            "\"%{router}\"}",
	            "2023-11-14 22:13:20 router_up router %{router} up, lifetime -\n");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_known_events),
	        cmocka_unit_test(test_partial_events),
	        cmocka_unit_test(test_unknown_event),
	        cmocka_unit_test(test_hostile_event),
	};

	return cmocka_run_group_tests_name("ctl_event", tests, utc, NULL);
}
