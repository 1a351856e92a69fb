/*
 * `isatapctl doctor`'s macOS checks (ctl/doctor_utun.c) on canned status
 * objects and a fake Mac: a utun, a routing table, configd's AAAA flag.
 */
#include <arpa/inet.h>
#include <errno.h>

#include "test_ctl_canned.h"

#include "ctl/doctor.h"

/* The fake Mac: healthy unless a test changes it. */
struct fake {
	bool no_if, down;
	unsigned mtu;
	/* routes: prefix text -> interface ("" for none) */
	const char *rt_prefix[8];
	const char *rt_if[8];
	int aaaa; /* 1 yes, 0 no, -1 no DNS configuration */
	unsigned route_calls;
};

static int
fake_resolve4(void *ctx, const char *name, struct in_addr *out, size_t max, const char **why)
{
	(void)ctx;
	(void)max;
	if (strcmp(name, "isatap.example.test") != 0) {
		*why = "no such name";
		return -1;
	}
	assert_int_equal(inet_pton(AF_INET, "192.0.2.254", out), 1);
	return 1;
}

static int
fake_v4_route(void *ctx, struct in_addr v4)
{
	return 0;
}

static int
fake_v4_mtu(void *ctx, struct in_addr v4, char ifname[DOCTOR_IFNAMSIZ], unsigned *mtu)
{
	snprintf(ifname, DOCTOR_IFNAMSIZ, "en0");
	*mtu = 1500;
	return 0;
}

static int
fake_link(void *ctx, const char *ifname, bool *up, unsigned *mtu)
{
	struct fake *fk = ctx;

	assert_string_equal(ifname, "utun5");
	if (fk->no_if)
		return -ENXIO;
	*up = !fk->down;
	*mtu = fk->mtu;
	return 0;
}

static int
fake_route6(void *ctx, const struct in6_addr *prefix, unsigned plen, char ifname[DOCTOR_IFNAMSIZ])
{
	struct fake *fk = ctx;
	char text[INET6_ADDRSTRLEN + 8], a[INET6_ADDRSTRLEN];

	fk->route_calls++;
	inet_ntop(AF_INET6, prefix, a, sizeof(a));
	snprintf(text, sizeof(text), "%s/%u", a, plen);
	for (size_t i = 0; i < 8 && fk->rt_prefix[i] != NULL; i++)
		if (strcmp(fk->rt_prefix[i], text) == 0) {
			snprintf(ifname, DOCTOR_IFNAMSIZ, "%s", fk->rt_if[i]);
			return 0;
		}
	return -ESRCH;
}

static int
fake_dns_aaaa(void *ctx, bool *aaaa)
{
	struct fake *fk = ctx;

	if (fk->aaaa < 0)
		return -ENOENT;
	*aaaa = fk->aaaa == 1;
	return 0;
}

static const struct doctor_utun_ops fake_utun = {fake_link, fake_route6, fake_dns_aaaa};

static void
fake_healthy(struct fake *fk)
{
	memset(fk, 0, sizeof(*fk));
	fk->mtu = 1280;
	fk->rt_prefix[0] = "::/1";
	fk->rt_if[0] = "utun5";
	fk->rt_prefix[1] = "8000::/1";
	fk->rt_if[1] = "utun5";
	fk->rt_prefix[2] = "2001:db8:1::/64";
	fk->rt_if[2] = "utun5";
	fk->aaaa = 1;
}

/* The canned status, on a Mac: the interface is utun5 and the default
 * route installed. */
static json_t *
mac_status(void)
{
	json_t *st = canned(canned_status);

	json_object_set_new(st, "interface",
	                    canned("{\"name\": \"utun5\", \"ifindex\": 17, \"mtu\": 1280, "
	                           "\"state\": \"up\"}"));
	json_object_set_new(st, "routes",
	                    canned("[{\"prefix\": \"::/0\", \"via\": \"192.0.2.254\", "
	                           "\"installed\": true, \"origin\": \"default\"}]"));
	return st;
}

static struct doctor_report
run(json_t *st, struct fake *fk)
{
	struct doctor_ops ops = {fake_resolve4, NULL, fake_v4_route, fake_v4_mtu, fk, &fake_utun};
	struct doctor_report rep;

	doctor_run(st, &ops, &rep);
	json_decref(st);
	return rep;
}

static const struct doctor_item *
find(const struct doctor_report *rep, const char *check, const char *needle)
{
	for (size_t i = 0; i < rep->n; i++)
		if (strcmp(rep->items[i].check, check) == 0 && strstr(rep->items[i].text, needle))
			return &rep->items[i];
	for (size_t i = 0; i < rep->n; i++)
		print_message("  %s %s %s\n", doctor_level_name(rep->items[i].level),
		              rep->items[i].check, rep->items[i].text);
	fail_msg("no %s item with '%s'", check, needle);
	return NULL;
}

static bool
has_check(const struct doctor_report *rep, const char *check)
{
	for (size_t i = 0; i < rep->n; i++)
		if (strcmp(rep->items[i].check, check) == 0)
			return true;
	return false;
}

static void
test_healthy(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	(void)state;
	fake_healthy(&fk);
	rep = run(mac_status(), &fk);
	assert_true(doctor_healthy(&rep));
	assert_int_equal(find(&rep, "kernel", "utun5 is up, MTU 1280")->level, DOCTOR_OK);
	assert_int_equal(find(&rep, "routes", "::/1 + 8000::/1")->level, DOCTOR_OK);
	assert_int_equal(find(&rep, "dns", "asks for AAAA")->level, DOCTOR_OK);
	/* No Linux knob is read on a Mac (read_knob is NULL: it would crash). */
	assert_false(strstr(find(&rep, "kernel", "utun5")->text, "/proc") != NULL);
	doctor_free(&rep);
}

static void
test_utun_gone_or_down(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	(void)state;
	fake_healthy(&fk);
	fk.no_if = true;
	rep = run(mac_status(), &fk);
	assert_false(doctor_healthy(&rep));
	assert_int_equal(find(&rep, "kernel", "utun5 does not exist")->level, DOCTOR_FAIL);
	doctor_free(&rep);
	fake_healthy(&fk);
	fk.down = true;
	rep = run(mac_status(), &fk);
	assert_int_equal(find(&rep, "kernel", "utun5 is down")->level, DOCTOR_FAIL);
	doctor_free(&rep);
}

/* Native IPv6 holds ::/0: said, not a fault. */
static void
test_native_default(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	(void)state;
	fake_healthy(&fk);
	fk.rt_prefix[0] = "::/0";
	fk.rt_if[0] = "en0";
	fk.rt_prefix[1] = "2001:db8:1::/64";
	fk.rt_if[1] = "utun5";
	fk.rt_prefix[2] = NULL;
	rep = run(mac_status(), &fk);
	assert_true(doctor_healthy(&rep));
	assert_int_equal(
	        find(&rep, "routes", "native IPv6 has the default route (through en0)")->level,
	        DOCTOR_INFO);
	doctor_free(&rep);
}

/* Another VPN's ::/1; a missing half; an on-link prefix elsewhere. */
static void
test_route_trouble(void **state)
{
	struct fake fk;
	struct doctor_report rep;

	(void)state;
	fake_healthy(&fk);
	fk.rt_if[0] = "utun3";
	fk.rt_if[2] = "en0";
	rep = run(mac_status(), &fk);
	assert_int_equal(find(&rep, "routes", "::/1 goes through utun3, not utun5")->level,
	                 DOCTOR_WARN);
	assert_int_equal(find(&rep, "routes", "2001:db8:1::/64 goes through en0")->level,
	                 DOCTOR_WARN);
	doctor_free(&rep);
	fake_healthy(&fk);
	fk.rt_prefix[1] = "2001:db8:1::/64";
	fk.rt_prefix[2] = NULL;
	rep = run(mac_status(), &fk);
	assert_int_equal(find(&rep, "routes", "no 8000::/1")->level, DOCTOR_WARN);
	doctor_free(&rep);
}

/* No default router: the routes are not judged, only said. */
static void
test_no_default(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	json_t *st = mac_status();

	(void)state;
	fake_healthy(&fk);
	json_object_set_new(st, "routes", json_array());
	rep = run(st, &fk);
	assert_int_equal(find(&rep, "routes", "no default router yet")->level, DOCTOR_INFO);
	doctor_free(&rep);
}

/* configd asks for no AAAA: a warning, with the way out; not asked about
 * when there is no ISATAP address. */
static void
test_no_aaaa(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	json_t *st;

	(void)state;
	fake_healthy(&fk);
	fk.aaaa = 0;
	rep = run(mac_status(), &fk);
	assert_true(doctor_healthy(&rep));
	assert_int_equal(find(&rep, "dns", "asks for no AAAA records")->level, DOCTOR_WARN);
	doctor_free(&rep);
	st = mac_status();
	json_object_set_new(st, "addresses", json_array());
	rep = run(st, &fk);
	assert_false(strstr(find(&rep, "dns", "isatap")->text, "AAAA") != NULL);
	doctor_free(&rep);
	fake_healthy(&fk);
	fk.aaaa = -1;
	rep = run(mac_status(), &fk);
	assert_int_equal(find(&rep, "dns", "no DNS configuration")->level, DOCTOR_INFO);
	doctor_free(&rep);
}

/* Linux ops (no utun): the knobs' check runs, and none of these. */
static int
fake_read_knob(void *ctx, const char *ifname, const char *knob, long *val)
{
	return -ENOENT;
}

static void
test_linux_unchanged(void **state)
{
	struct fake fk;
	struct doctor_report rep;
	struct doctor_ops ops = {fake_resolve4, fake_read_knob, fake_v4_route, fake_v4_mtu, &fk,
	                         NULL};
	json_t *st = mac_status();

	(void)state;
	fake_healthy(&fk);
	doctor_run(st, &ops, &rep);
	json_decref(st);
	assert_false(has_check(&rep, "routes"));
	assert_int_equal(fk.route_calls, 0);
	assert_int_equal(find(&rep, "kernel", "cannot read /proc/sys/net/ipv6/conf/utun5/")->level,
	                 DOCTOR_INFO);
	doctor_free(&rep);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_healthy),         cmocka_unit_test(test_utun_gone_or_down),
	        cmocka_unit_test(test_native_default),  cmocka_unit_test(test_route_trouble),
	        cmocka_unit_test(test_no_default),      cmocka_unit_test(test_no_aaaa),
	        cmocka_unit_test(test_linux_unchanged),
	};

	return cmocka_run_group_tests_name("ctl_doctor_utun", tests, NULL, NULL);
}
