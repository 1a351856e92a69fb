/* control/status.c: the event notifications of docs/API.md, member by member. */
#include <setjmp.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/control.h"
#include "tests/unit/lib/tu.h"

static void
expect_json(const struct core_event *ev, const char *want)
{
	json_t *o = status_event_json(ev, 1795600000);
	char *s = json_dumps(o, JSON_COMPACT);

	assert_non_null(s);
	assert_string_equal(s, want);
	free(s);
	json_decref(o);
}

static void
test_events(void **state)
{
	struct core_event ev;

	(void)state;
	memset(&ev, 0, sizeof(ev));
	ev.type = CORE_EV_ROUTER_UP;
	ev.router = tu_a4("192.0.2.254");
	ev.lifetime_s = 1800;
	expect_json(&ev, "{\"event\":\"router_up\",\"time\":1795600000,\"router\":\"192.0.2.254\","
	                 "\"lifetime_s\":1800}");

	ev.type = CORE_EV_ROUTER_DOWN;
	ev.reason = CORE_DOWN_UNREACHABLE;
	expect_json(&ev,
	            "{\"event\":\"router_down\",\"time\":1795600000,\"router\":\"192.0.2.254\","
	            "\"reason\":\"unreachable\"}");

	/* No router left: null, not "0.0.0.0". */
	ev.type = CORE_EV_DEFAULT_ROUTER_CHANGED;
	ev.previous = ev.router;
	ev.router.s_addr = INADDR_ANY;
	expect_json(&ev,
	            "{\"event\":\"default_router_changed\",\"time\":1795600000,\"router\":null,"
	            "\"previous\":\"192.0.2.254\"}");

	/* RFC 5952 text. */
	ev.type = CORE_EV_ADDRESS_ADDED;
	ev.address = tu_a6("2001:0db8:0001:0000:0000:5efe:c000:0201");
	ev.prefix_len = 64;
	expect_json(&ev,
	            "{\"event\":\"address_added\",\"time\":1795600000,\"address\":\"2001:db8:1::"
	            "5efe:c000:201\",\"prefix_len\":64}");
	ev.type = CORE_EV_ADDRESS_DEPRECATED;
	expect_json(&ev, "{\"event\":\"address_deprecated\",\"time\":1795600000,\"address\":"
	                 "\"2001:db8:1::5efe:c000:201\"}");
	ev.type = CORE_EV_ADDRESS_REMOVED;
	expect_json(&ev, "{\"event\":\"address_removed\",\"time\":1795600000,\"address\":"
	                 "\"2001:db8:1::5efe:c000:201\"}");

	ev.type = CORE_EV_LOCATOR_CHANGED;
	ev.router = tu_a4("192.0.2.10");
	ev.previous = tu_a4("192.0.2.1");
	expect_json(&ev,
	            "{\"event\":\"locator_changed\",\"time\":1795600000,\"ipv4\":\"192.0.2.10\","
	            "\"previous\":\"192.0.2.1\"}");

	ev.type = CORE_EV_PRL_CHANGED;
	ev.n_routers = 2;
	ev.routers[0] = tu_a4("192.0.2.254");
	ev.routers[1] = tu_a4("192.0.2.252");
	expect_json(&ev,
	            "{\"event\":\"prl_changed\",\"time\":1795600000,\"routers\":[\"192.0.2.254\","
	            "\"192.0.2.252\"]}");
	/* A count past the array is bounded, never read beyond it. */
	ev.n_routers = 1000;
	{
		json_t *o = status_event_json(&ev, 0);

		assert_int_equal(json_array_size(json_object_get(o, "routers")), CORE_ROUTERS_MAX);
		json_decref(o);
	}

	ev.type = CORE_EV_DATAPATH_CONNECTED;
	expect_json(&ev, "{\"event\":\"datapath_connected\",\"time\":1795600000}");
	ev.type = CORE_EV_DATAPATH_DISCONNECTED;
	expect_json(&ev, "{\"event\":\"datapath_disconnected\",\"time\":1795600000}");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_events),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
