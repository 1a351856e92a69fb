/*
 * The core's vocabulary: every enum value has a name, names are unique, and
 * each is the word docs/API.md uses (so status, events and the document
 * cannot drift apart). And the action queue's bound: a glue that never
 * drains loses the newest actions, counted, and nothing else.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "control/core/core.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"

static char *api_md;

static int
load_api(void **state)
{
	FILE *f = fopen("docs/API.md", "r");
	long n;

	(void)state;
	if (f == NULL)
		return -1;
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	api_md = calloc(1, (size_t)n + 1);
	if (api_md == NULL || fread(api_md, 1, (size_t)n, f) != (size_t)n) {
		fclose(f);
		return -1;
	}
	fclose(f);
	return 0;
}

static int
free_api(void **state)
{
	(void)state;
	free(api_md);
	return 0;
}

/* The name appears in docs/API.md as "name" or `name`. */
static bool
documented(const char *name)
{
	char q[80], b[80];

	snprintf(q, sizeof(q), "\"%s\"", name);
	snprintf(b, sizeof(b), "`%s`", name);
	return strstr(api_md, q) != NULL || strstr(api_md, b) != NULL;
}

typedef const char *(*namer)(int);

static void
check_table(const char *what, namer f, int count, const char *const *extensions)
{
	for (int i = 0; i < count; i++) {
		const char *n = f(i);
		bool ext = false;

		assert_non_null(n);
		assert_string_not_equal(n, "invalid");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n, f(j));
		for (size_t k = 0; extensions != NULL && extensions[k] != NULL; k++)
			ext |= strcmp(extensions[k], n) == 0;
		if (!ext && !documented(n))
			fail_msg("%s name \"%s\" is not in docs/API.md", what, n);
	}
	assert_string_equal(f(count), "invalid");
	assert_string_equal(f(-1), "invalid");
}

/* Adapters from the typed name functions. */
static const char *
n_event(int i)
{
	return core_event_name((enum core_event_type)i);
}
static const char *
n_down(int i)
{
	return core_down_reason_name((enum core_down_reason)i);
}
static const char *
n_origin(int i)
{
	return core_router_origin_name((enum core_router_origin)i);
}
static const char *
n_rstate(int i)
{
	return core_router_state_name((enum core_router_state)i);
}
static const char *
n_astate(int i)
{
	return core_addr_state_name((enum core_addr_state)i);
}
static const char *
n_rorigin(int i)
{
	return core_route_origin_name((enum core_route_origin)i);
}
static const char *
n_locsrc(int i)
{
	return core_locator_source_name((enum core_locator_source)i);
}
static const char *
n_verdict(int i)
{
	return core_nd_verdict_name((enum core_nd_verdict)i);
}
static const char *
n_counter(int i)
{
	return core_counter_name((enum core_counter)i);
}

static void
test_names_match_api_doc(void **state)
{
	/* Values the core adds to the document's lists; the glue shows them
	 * and docs/API.md should list them (see the core's report). */
	static const char *const origin_ext[] = {"datapath", NULL};
	static const char *const route_ext[] = {"redirect", NULL};

	check_table("event", n_event, CORE_EV_COUNT, NULL);
	check_table("router_down reason", n_down, CORE_DOWN_REASON_COUNT, NULL);
	check_table("prl origin", n_origin, CORE_ORIGIN_COUNT, origin_ext);
	check_table("prl state", n_rstate, CORE_RTR_STATE_COUNT, NULL);
	check_table("address state", n_astate, CORE_ADDR_STATE_COUNT, NULL);
	check_table("route origin", n_rorigin, CORE_ROUTE_ORIGIN_COUNT, route_ext);
	check_table("locator source", n_locsrc, CORE_LOC_SOURCE_COUNT, NULL);
	/* Internal vocabularies: named and unique, not in the document. */
	{
		static const char *const all[] = {"ra_accepted",
		                                  "redirect_accepted",
		                                  "not_from_prl",
		                                  "parse_error",
		                                  "ignored_type",
		                                  "redirect_not_first_hop",
		                                  "redirect_target_unusable",
		                                  NULL};

		check_table("nd verdict", n_verdict, CORE_ND_VERDICT_COUNT, all);
	}
	for (int i = 0; i < CORE_C_COUNT; i++) {
		assert_string_not_equal(n_counter(i), "invalid");
		for (int j = 0; j < i; j++)
			assert_string_not_equal(n_counter(i), n_counter(j));
	}
	assert_string_equal(core_pref_name(1), "high");
	assert_string_equal(core_pref_name(0), "medium");
	assert_string_equal(core_pref_name(-1), "low");
	assert_string_equal(core_pref_name(2), "medium"); /* RFC 4191 §2.2 reserved */
	assert_true(documented("high") && documented("medium") && documented("low"));
	(void)state;
}

static void
test_queue_bound(void **state)
{
	struct core_config cfg;
	struct core *c;
	struct core_action a;
	struct msg_state empty;
	size_t n = 0;

	/* A datapath that keeps coming back empty, and a glue that never
	 * drains: each connect queues a full push. */
	tuc_config(&cfg, 1, "192.0.2.254");
	c = core_new(&cfg, 1000);
	assert_non_null(c);
	assert_int_equal(core_set_locator(c, 1000, tu_a4("192.0.2.1"), CORE_LOC_STATIC), 0);
	memset(&empty, 0, sizeof(empty));
	empty.mtu = 1280;
	for (int i = 0; i < 300; i++) {
		core_dp_connected(c, 1000, &empty);
		core_dp_disconnected(c, 1000);
	}
	assert_true(core_get_counters(c)->v[CORE_C_ACTION_OVERFLOW] > 0);
	/* The oldest are intact: start, locator, the first connect's push. */
	assert_true(core_next_action(c, &a));
	assert_int_equal(a.kind, CORE_ACT_EVENT);
	assert_int_equal(a.ev.type, CORE_EV_PRL_CHANGED);
	assert_true(core_next_action(c, &a));
	assert_int_equal(a.ev.type, CORE_EV_LOCATOR_CHANGED);
	assert_true(core_next_action(c, &a));
	assert_int_equal(a.ev.type, CORE_EV_ADDRESS_ADDED);
	assert_true(core_next_action(c, &a));
	assert_int_equal(a.ev.type, CORE_EV_DATAPATH_CONNECTED);
	assert_true(core_next_action(c, &a));
	assert_int_equal(a.kind, CORE_ACT_DP);
	assert_int_equal(a.dp.type, MSG_SET_LINK);
	n = 5;
	while (core_next_action(c, &a))
		n++;
	assert_int_equal(n, CORE_ACTION_MAX);
	core_free(c);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_names_match_api_doc),
	        cmocka_unit_test(test_queue_bound),
	};

	return cmocka_run_group_tests_name("core_names", tests, load_api, free_api);
}
