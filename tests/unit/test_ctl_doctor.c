/*
 * `isatapctl doctor`'s judgement, on canned status objects and a fake host
 * (resolver, /proc knobs, interface MTU): what it says and whether the
 * result is healthy.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "test_ctl_canned.h"

#include "ctl/doctor.h"

/* The fake host: a healthy one unless a test changes it. */
struct fake {
	const char *name;     /* the one name that resolves */
	const char *addrs[3]; /* its addresses */
	long knobs[6];        /* disable_ipv6 accept_ra autoconf addr_gen_mode dad forwarding */
	bool no_proc;         /* every knob read fails */
	unsigned v4_mtu;      /* 0: the lookup fails */
	const char *no_route; /* the one IPv4 address without a route */
	char resolved[8][64]; /* the names asked for */
	size_t n_resolved;
};

static const char *const knob_names[] = {"disable_ipv6",  "accept_ra",     "autoconf",
                                         "addr_gen_mode", "dad_transmits", "forwarding"};

static int
fake_resolve4(void *ctx, const char *name, struct in_addr *out, size_t max, const char **why)
{
	struct fake *fk = ctx;
	size_t n = 0;

	if (fk->n_resolved < 8)
		snprintf(fk->resolved[fk->n_resolved++], 64, "%s", name);
	if (fk->name == NULL || strcmp(name, fk->name) != 0) {
		*why = "no such name";
		return -1;
	}
	while (n < max && n < 3 && fk->addrs[n] != NULL) {
		assert_int_equal(inet_pton(AF_INET, fk->addrs[n], &out[n]), 1);
		n++;
	}
	return (int)n;
}

static int
fake_read_knob(void *ctx, const char *ifname, const char *knob, long *val)
{
	struct fake *fk = ctx;
	size_t i;

	assert_string_equal(ifname, "isatap0");
	if (fk->no_proc)
		return -ENOENT;
	for (i = 0; i < 6; i++)
		if (strcmp(knob, knob_names[i]) == 0) {
			*val = fk->knobs[i];
			return 0;
		}
	return -ENOENT;
}

static int
fake_v4_route(void *ctx, struct in_addr v4)
{
	struct fake *fk = ctx;
	struct in_addr bad;

	if (fk->no_route == NULL)
		return 0;
	assert_int_equal(inet_pton(AF_INET, fk->no_route, &bad), 1);
	return v4.s_addr == bad.s_addr ? -ENETUNREACH : 0;
}

static int
fake_v4_mtu(void *ctx, struct in_addr v4, char ifname[DOCTOR_IFNAMSIZ], unsigned *mtu)
{
	struct fake *fk = ctx;

	assert_int_equal(v4.s_addr, htonl(0xc0000201)); /* 192.0.2.1, the locator */
	if (fk->v4_mtu == 0)
		return -ENOENT;
	snprintf(ifname, DOCTOR_IFNAMSIZ, "isbr0");
	*mtu = fk->v4_mtu;
	return 0;
}

static void
fake_healthy(struct fake *fk)
{
	memset(fk, 0, sizeof(*fk));
	fk->name = "isatap.example.test";
	fk->addrs[0] = "192.0.2.254";
	fk->knobs[3] = 1; /* addr_gen_mode none */
	fk->v4_mtu = 1500;
}

static struct doctor_report
run(json_t *st, struct fake *fk)
{
	struct doctor_ops ops = {fake_resolve4, fake_read_knob, fake_v4_route, fake_v4_mtu, fk,
	                         NULL};
	struct doctor_report rep;

	doctor_run(st, &ops, &rep);
	json_decref(st);
	return rep;
}

/* The item of `check` whose text contains `needle`, or fail. */
static const struct doctor_item *
find(const struct doctor_report *rep, const char *check, const char *needle)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (strcmp(rep->items[i].check, check) == 0 && strstr(rep->items[i].text, needle))
			return &rep->items[i];
	for (i = 0; i < rep->n; i++)
		print_message("  %s %s %s\n", doctor_level_name(rep->items[i].level),
		              rep->items[i].check, rep->items[i].text);
	fail_msg("no %s item with '%s'", check, needle);
	return NULL;
}

static size_t
count(const struct doctor_report *rep, enum doctor_level l)
{
	size_t i, n = 0;

	for (i = 0; i < rep->n; i++)
		n += rep->items[i].level == l;
	return n;
}

static void
test_healthy(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	char *out = NULL;

	fake_healthy(&fk);
	rep = run(canned(canned_status), &fk);
	assert_true(doctor_healthy(&rep));
	assert_int_equal(count(&rep, DOCTOR_FAIL), 0);
	assert_int_equal(count(&rep, DOCTOR_WARN), 0);
	assert_int_equal(find(&rep, "datapath", "connected to isatap-datapath")->level, DOCTOR_OK);
	assert_int_equal(find(&rep, "locator", "not a global address")->level, DOCTOR_INFO);
	assert_int_equal(find(&rep, "router", "192.0.2.254 (isatap.example.test) answers")->level,
	                 DOCTOR_OK);
	assert_int_equal(find(&rep, "dns", "isatap.example.test resolves to 192.0.2.254")->level,
	                 DOCTOR_OK);
	assert_int_equal(find(&rep, "mtu", "fits in isbr0")->level, DOCTOR_OK);
	assert_int_equal(find(&rep, "kernel", "accept_ra 0, autoconf 0, addr_gen_mode 1")->level,
	                 DOCTOR_OK);
	/* Only the name the daemon used was looked up. */
	assert_int_equal(fk.n_resolved, 1);
	assert_string_equal(fk.resolved[0], "isatap.example.test");

	CAPTURE(out, doctor_print(f, &rep));
	assert_non_null(strstr(out, "ok    datapath  connected to isatap-datapath on "
	                            "/run/isatap/datapath.sock; isatap0 is up\n"));
	assert_non_null(strstr(out, "\nhealthy\n"));
	free(out);
	doctor_free(&rep);
}

static void
test_datapath_down(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	char *out = NULL;

	fake_healthy(&fk);
	rep = run(canned_status_with("datapath", canned("{\"connected\": false, \"socket\": "
	                                                "\"/run/isatap/datapath.sock\"}")),
	          &fk);
	assert_false(doctor_healthy(&rep));
	assert_int_equal(find(&rep, "datapath", "not connected")->level, DOCTOR_FAIL);
	CAPTURE(out, doctor_print(f, &rep));
	assert_non_null(strstr(out, "\n1 problem\n"));
	free(out);
	doctor_free(&rep);

	rep = run(canned_status_with("interface", canned("{\"name\": \"isatap0\", \"mtu\": 1280, "
	                                                 "\"state\": \"down\"}")),
	          &fk);
	assert_int_equal(find(&rep, "datapath", "isatap0 is down")->level, DOCTOR_FAIL);
	doctor_free(&rep);
}

static void
test_no_locator(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	fake_healthy(&fk);
	rep = run(canned_status_with("locator", canned("{\"ipv4\": null, \"source\": \"none\"}")),
	          &fk);
	assert_int_equal(find(&rep, "locator", "no IPv4 address")->level, DOCTOR_FAIL);
	assert_false(doctor_healthy(&rep));
	doctor_free(&rep);
}

/* A private locator and a global router: a NAT in between is likely. */
static void
test_nat(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	json_t *st = canned(canned_status);

	json_object_set_new(json_array_get(json_object_get(st, "prl"), 0), "ipv4",
	                    json_string("8.8.4.4"));
	fake_healthy(&fk);
	fk.addrs[0] = "8.8.4.4";
	rep = run(st, &fk);
	assert_int_equal(find(&rep, "locator", "router 8.8.4.4 is a global address")->level,
	                 DOCTOR_WARN);
	assert_true(doctor_healthy(&rep));
	doctor_free(&rep);
}

static void
test_router_silent(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	json_t *st = canned(canned_status);
	json_t *r = json_array_get(json_object_get(st, "prl"), 0);

	json_object_set_new(r, "state", json_string("probing"));
	json_object_set_new(r, "solicitations", json_integer(3));
	json_object_set_new(r, "advertisements", json_integer(0));
	json_object_set_new(r, "last_ra_age_s", json_null());
	fake_healthy(&fk);
	rep = run(st, &fk);
	assert_int_equal(find(&rep, "router", "has not answered 3 Router Solicitations")->level,
	                 DOCTOR_FAIL);
	assert_non_null(find(&rep, "router", "protocol 41"));
	assert_false(doctor_healthy(&rep));
	/* Routed: nothing said about routes. */
	for (size_t i = 0; i < rep.n; i++)
		assert_null(strstr(rep.items[i].text, "no IPv4 route"));
	doctor_free(&rep);
}

/* A silent router the host cannot even route to: said so, as a failure. */
static void
test_router_no_route(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	json_t *st = canned(canned_status);
	json_t *r = json_array_get(json_object_get(st, "prl"), 0);

	json_object_set_new(r, "state", json_string("unreachable"));
	json_object_set_new(r, "solicitations", json_integer(4));
	json_object_set_new(r, "advertisements", json_integer(0));
	fake_healthy(&fk);
	fk.no_route = "192.0.2.254";
	rep = run(st, &fk);
	assert_int_equal(find(&rep, "router",
	                      "no IPv4 route to 192.0.2.254 (Network is "
	                      "unreachable)")
	                         ->level,
	                 DOCTOR_FAIL);
	doctor_free(&rep);

	/* A reachable router is never asked about. */
	fake_healthy(&fk);
	fk.no_route = "192.0.2.254";
	rep = run(canned(canned_status), &fk);
	assert_true(doctor_healthy(&rep));
	doctor_free(&rep);
}

/* Two routers, one silent: degraded, still healthy. */
static void
test_one_of_two_routers(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	json_t *st = canned(canned_status);

	json_array_append_new(
	        json_object_get(st, "prl"),
	        canned("{\"ipv4\": \"192.0.2.252\", \"origin\": \"static\", \"name\": "
	               "null, \"state\": \"unreachable\", \"solicitations\": 5,"
	               " \"advertisements\": 2}"));
	fake_healthy(&fk);
	rep = run(st, &fk);
	assert_int_equal(find(&rep, "router", "192.0.2.252 stopped answering after 5")->level,
	                 DOCTOR_WARN);
	assert_true(doctor_healthy(&rep));
	doctor_free(&rep);
}

static void
test_empty_prl_and_blocked_name(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	const struct doctor_item *it;

	fake_healthy(&fk);
	fk.name = NULL; /* nothing resolves: a site DNS that blocks isatap */
	rep = run(canned_status_with("prl", json_array()), &fk);
	assert_int_equal(find(&rep, "router", "potential router list is empty")->level,
	                 DOCTOR_FAIL);
	it = find(&rep, "dns", "the name isatap does not resolve (no such name)");
	assert_int_equal(it->level, DOCTOR_FAIL);
	assert_non_null(strstr(it->text, "global query block list"));
	assert_non_null(strstr(it->text, "dnscmd /config /globalqueryblocklist"));
	assert_non_null(strstr(it->text, "RFC 6964"));
	assert_int_equal(fk.n_resolved, 1);
	assert_string_equal(fk.resolved[0], "isatap");
	doctor_free(&rep);
}

/* The name no longer resolves, but the router it gave still answers. */
static void
test_name_gone_router_alive(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	fake_healthy(&fk);
	fk.name = "other.example.test";
	rep = run(canned(canned_status), &fk);
	assert_int_equal(find(&rep, "dns", "isatap.example.test does not resolve")->level,
	                 DOCTOR_WARN);
	assert_true(doctor_healthy(&rep));
	doctor_free(&rep);
}

static void
test_name_gives_new_router(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	fake_healthy(&fk);
	fk.addrs[1] = "192.0.2.252";
	rep = run(canned(canned_status), &fk);
	assert_int_equal(
	        find(&rep, "dns", "resolves to 192.0.2.252, which is not in the potential")->level,
	        DOCTOR_WARN);
	doctor_free(&rep);
}

static void
test_mtu(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	fake_healthy(&fk);
	fk.v4_mtu = 1280; /* 1260 bytes of IPv6 per IPv4 packet */
	rep = run(canned(canned_status), &fk);
	assert_int_equal(find(&rep, "mtu", "carries only 1260 bytes")->level, DOCTOR_WARN);
	doctor_free(&rep);

	fake_healthy(&fk);
	rep = run(canned_status_with("interface", canned("{\"name\": \"isatap0\", \"mtu\": 1000, "
	                                                 "\"state\": \"up\"}")),
	          &fk);
	assert_int_equal(find(&rep, "mtu", "below the IPv6 minimum")->level, DOCTOR_FAIL);
	doctor_free(&rep);
}

static void
test_kernel_knobs(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	fake_healthy(&fk);
	fk.knobs[0] = 1;
	rep = run(canned(canned_status), &fk);
	assert_int_equal(find(&rep, "kernel", "IPv6 is disabled on isatap0")->level, DOCTOR_FAIL);
	doctor_free(&rep);

	fake_healthy(&fk);
	fk.knobs[3] = 3; /* random link-local */
	fk.knobs[4] = 1;
	fk.knobs[5] = 1;
	rep = run(canned(canned_status), &fk);
	assert_int_equal(find(&rep, "kernel", "addr_gen_mode 3")->level, DOCTOR_WARN);
	assert_int_equal(find(&rep, "kernel", "dad_transmits 1")->level, DOCTOR_INFO);
	assert_int_equal(find(&rep, "kernel", "RFC 6324")->level, DOCTOR_WARN);
	assert_true(doctor_healthy(&rep));
	doctor_free(&rep);

	fake_healthy(&fk);
	fk.no_proc = true;
	rep = run(canned(canned_status), &fk);
	assert_int_equal(
	        find(&rep, "kernel", "cannot read /proc/sys/net/ipv6/conf/isatap0/")->level,
	        DOCTOR_INFO);
	doctor_free(&rep);
}

/* An interface name from the daemon is never a path outside /proc/sys. */
static void
test_hostile_status(void **state)
{
	static const char *const bodies[] = {
	        "{}",
	        "[]",
	        "{\"interface\": {\"name\": \"../../../etc\"}, \"prl\": [1, null, {\"state\": 5}]}",
	        "{\"interface\": {\"name\": \"..\"}, \"locator\": {\"ipv4\": \"1.2.3\"}}",
	        ("{\"prl\": [{\"origin\": \"dns\", \"name\": \"a\\u001bb\", \"state\": "
	         "\"probing\", \"solicitations\": -3}]}"),
	};
	size_t i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		struct fake fk;
		struct doctor_report rep;
		size_t j, k;

		fake_healthy(&fk);
		fk.no_proc = true;
		rep = run(canned(bodies[i]), &fk);
		assert_false(doctor_healthy(&rep));
		for (j = 0; j < rep.n; j++)
			for (k = 0; rep.items[j].text[k] != '\0'; k++)
				assert_true(rep.items[j].text[k] >= 0x20 &&
				            rep.items[j].text[k] < 0x7f);
		doctor_free(&rep);
	}
}

static void
test_json(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	json_t *j, *first;

	fake_healthy(&fk);
	rep = run(canned_status_with("datapath", canned("{\"connected\": false}")), &fk);
	j = doctor_json(&rep);
	assert_non_null(j);
	assert_int_equal(json_integer_value(json_object_get(j, "version")), 1);
	assert_true(json_is_false(json_object_get(j, "healthy")));
	assert_int_equal(json_array_size(json_object_get(j, "checks")), rep.n);
	first = json_array_get(json_object_get(j, "checks"), 1);
	assert_string_equal(json_string_value(json_object_get(first, "check")), "datapath");
	assert_string_equal(json_string_value(json_object_get(first, "level")), "fail");
	assert_non_null(strstr(json_string_value(json_object_get(first, "text")), "not connected"));
	json_decref(j);
	doctor_free(&rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_healthy),
	        cmocka_unit_test(test_datapath_down),
	        cmocka_unit_test(test_no_locator),
	        cmocka_unit_test(test_nat),
	        cmocka_unit_test(test_router_silent),
	        cmocka_unit_test(test_router_no_route),
	        cmocka_unit_test(test_one_of_two_routers),
	        cmocka_unit_test(test_empty_prl_and_blocked_name),
	        cmocka_unit_test(test_name_gone_router_alive),
	        cmocka_unit_test(test_name_gives_new_router),
	        cmocka_unit_test(test_mtu),
	        cmocka_unit_test(test_kernel_knobs),
	        cmocka_unit_test(test_hostile_status),
	        cmocka_unit_test(test_json),
	};

	return cmocka_run_group_tests_name("ctl_doctor", tests, NULL, NULL);
}
