/*
 * datapath/fastpath_maps.c: the fast path's maps are the user-space path's
 * tables, filled through the same state.c requests control sends. Checks the
 * image entry by entry, the route tie rule against nh_lookup(), what a
 * rebuild deletes, and when there is nothing to write.
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/dp.h"
#include "datapath/fastpath.h"
#include "nexthop.h"
#include "tests/unit/lib/tu.h"

/* A host: locator 192.0.2.1, PRL 192.0.2.254 and 198.51.100.1, its two
 * ISATAP addresses, on-link 2001:db8:1::/64, TTL 64, MTU 1400, link up. */
static void
host(struct dp *dp)
{
	struct msg_prl prl = {.count = 2};
	struct msg_addr a = {.plen = 64,
	                     .valid_lft = ND_INFINITE_LIFETIME,
	                     .preferred_lft = ND_INFINITE_LIFETIME};
	struct msg_onlink ol = {.plen = 64};

	memset(dp, 0, sizeof(*dp));
	dp->ttl = 64;
	dp->ifindex = 7;
	dp->mtu = 1400;
	dp->link_up = true;
	assert_int_equal(dp_set_locator(dp, tu_a4("192.0.2.1")), 0);
	prl.v4[0] = tu_a4("192.0.2.254");
	prl.v4[1] = tu_a4("198.51.100.1");
	assert_int_equal(dp_set_prl(dp, &prl), 0);
	a.addr = tu_a6("fe80::5efe:c000:201");
	assert_int_equal(dp_addr_add(dp, &a), 0);
	a.addr = tu_a6("2001:db8:1::5efe:c000:201");
	assert_int_equal(dp_addr_add(dp, &a), 0);
	ol.prefix = tu_a6("2001:db8:1::");
	assert_int_equal(dp_onlink_add(dp, &ol), 0);
}

static void
route(struct dp *dp, bool add, const char *prefix, uint8_t plen, const char *via, uint32_t metric)
{
	struct msg_route m = {
	        .prefix = tu_a6(prefix), .plen = plen, .via = tu_a4(via), .metric = metric};

	assert_int_equal(add ? dp_route_add(dp, &m) : dp_route_del(dp, &m), 0);
}

static struct fp_lpm6
key(const char *prefix, uint32_t plen)
{
	struct fp_lpm6 k;
	struct in6_addr a = tu_a6(prefix);

	memset(&k, 0, sizeof(k));
	k.prefixlen = plen;
	memcpy(k.addr, &a, 16);
	return k;
}

/* The route the image holds for prefix/plen: its index, or -1. */
static int
image_route(const struct fp_image *im, const char *prefix, uint32_t plen)
{
	struct fp_lpm6 k = key(prefix, plen);

	for (size_t i = 0; i < im->n_routes; i++)
		if (memcmp(&im->route_key[i], &k, sizeof(k)) == 0)
			return (int)i;
	return -1;
}

static void
test_image_of_a_host(void **state)
{
	struct dp dp;
	struct fp_image im;
	const uint32_t ifs[] = {3};
	struct in6_addr ll = tu_a6("fe80::5efe:c000:201");
	struct fp_lpm6 ol = key("2001:db8:1::", 64);

	host(&dp);
	fp_image_build(&im, &dp, ifs, 1);
	/* The writer sets FP_F_ENABLED last: never in the image. */
	assert_int_equal(im.cfg.flags, FP_F_LINK_UP);
	assert_int_equal(im.cfg.tun_ifindex, 7);
	assert_int_equal(im.cfg.locator, tu_a4("192.0.2.1").s_addr);
	assert_int_equal(im.cfg.retired[0], 0);
	assert_int_equal(im.cfg.mtu, 1400);
	assert_int_equal(im.cfg.ttl, 64);
	assert_int_equal(im.n_prl, 2);
	assert_int_equal(im.prl[0], tu_a4("192.0.2.254").s_addr);
	assert_int_equal(im.prl[1], tu_a4("198.51.100.1").s_addr);
	assert_int_equal(im.n_local, 2);
	assert_memory_equal(im.local[0].a, &ll, 16);
	assert_int_equal(im.n_onlink, 1);
	assert_memory_equal(&im.onlink[0], &ol, sizeof(ol));
	assert_int_equal(im.n_routes, 0);
	assert_int_equal(im.n_ifaces, 1);
	assert_int_equal(im.ifaces[0], 3);
	assert_int_equal(im.n_bcast, 0);
	dp.bcast[dp.n_bcast++] = tu_a4("192.0.2.255");
	fp_image_build(&im, &dp, ifs, 1);
	assert_int_equal(im.n_bcast, 1);
	assert_int_equal(im.bcast[0], tu_a4("192.0.2.255").s_addr);

	dp.router_mode = true;
	dp.link_up = false;
	fp_image_build(&im, &dp, ifs, 1);
	assert_int_equal(im.cfg.flags, FP_F_ROUTER);
}

/* RFC 5214 §6.2: the previous locator stays in the set while its addresses
 * remain, and the programs accept traffic to it as user space does. */
static void
test_retired_locators(void **state)
{
	struct dp dp;
	struct fp_image im;

	host(&dp);
	/* No netcfg: dp_set_locator() takes the host to have every address. */
	assert_int_equal(dp_set_locator(&dp, tu_a4("198.51.100.7")), 0);
	fp_image_build(&im, &dp, NULL, 0);
	assert_int_equal(im.cfg.locator, tu_a4("198.51.100.7").s_addr);
	assert_int_equal(im.cfg.retired[0], tu_a4("192.0.2.1").s_addr);
	assert_int_equal(im.cfg.retired[1], 0);

	/* No locator: the programs punt everything (ABI: locator 0). */
	assert_int_equal(dp_set_locator(&dp, (struct in_addr){0}), 0);
	fp_image_build(&im, &dp, NULL, 0);
	assert_int_equal(im.cfg.locator, 0);
}

/*
 * One value per LPM key: the lowest metric's, and of equal metrics the
 * first listed, which is what nh_lookup() chooses from the same table.
 */
static void
test_route_tie_rule(void **state)
{
	struct dp dp;
	struct fp_image im;
	int i;

	host(&dp);
	route(&dp, true, "::", 0, "192.0.2.254", 10);
	route(&dp, true, "::", 0, "198.51.100.1", 5);
	route(&dp, true, "::", 0, "198.51.100.2", 5);
	route(&dp, true, "2001:db8:99::", 48, "198.51.100.2", 7);
	fp_image_build(&im, &dp, NULL, 0);
	assert_int_equal(im.n_routes, 2);
	assert_true((i = image_route(&im, "::", 0)) >= 0);
	assert_int_equal(im.route[i].via, tu_a4("198.51.100.1").s_addr);
	assert_int_equal(im.route[i].metric, 5);
	assert_true((i = image_route(&im, "2001:db8:99::", 48)) >= 0);
	assert_int_equal(im.route[i].via, tu_a4("198.51.100.2").s_addr);

	/* The same table through nh_lookup(): the same router for ::/0. */
	{
		struct nh_ctx ctx = {.locator = dp.locator,
		                     .onlink = dp.onlink,
		                     .n_onlink = dp.n_onlink,
		                     .routes = dp.routes,
		                     .n_routes = dp.n_routes};
		const uint8_t udp[8] = {0x04, 0x00, 0x00, 0x07, 0x00, 0x08, 0x00, 0x00};
		uint8_t pkt[64];
		size_t len = tu_ipv6(pkt, "2001:db8:1::5efe:c000:201", "2001:db8:77::1", 17, 64,
		                     udp, sizeof(udp));
		struct in_addr nh;

		assert_int_equal(nh_lookup(&ctx, pkt, len, &nh), NH_OK);
		assert_int_equal(nh.s_addr, tu_a4("198.51.100.1").s_addr);
	}

	/* The winner withdrawn: its equal takes over, then the worse one. */
	route(&dp, false, "::", 0, "198.51.100.1", 5);
	fp_image_build(&im, &dp, NULL, 0);
	i = image_route(&im, "::", 0);
	assert_int_equal(im.route[i].via, tu_a4("198.51.100.2").s_addr);
	route(&dp, false, "::", 0, "198.51.100.2", 5);
	fp_image_build(&im, &dp, NULL, 0);
	i = image_route(&im, "::", 0);
	assert_int_equal(im.route[i].via, tu_a4("192.0.2.254").s_addr);
	assert_int_equal(im.route[i].metric, 10);
}

/* A rebuild: what the new image lacks is deleted, nothing else. */
static void
test_rebuild_deletes_what_went(void **state)
{
	struct dp dp;
	struct fp_image old, nu;
	struct msg_prl prl = {.count = 1};
	struct msg_addr a = {.addr = tu_a6("2001:db8:1::5efe:c000:201"), .plen = 64};
	struct msg_onlink ol = {.prefix = tu_a6("2001:db8:1::"), .plen = 64};
	const uint32_t ifs_old[] = {3, 4}, ifs_new[] = {4};
	__u32 v4[FP_PRL_MAX], ifx[FP_IFACE_MAX];
	struct fp_in6 l[FP_LOCAL_MAX];
	struct fp_lpm6 k[FP_ROUTE_MAX];
	struct fp_lpm6 want;

	host(&dp);
	route(&dp, true, "::", 0, "192.0.2.254", 10);
	route(&dp, true, "2001:db8:99::", 48, "198.51.100.1", 1);
	dp.bcast[dp.n_bcast++] = tu_a4("192.0.2.255");
	dp.bcast[dp.n_bcast++] = tu_a4("198.51.100.255");
	fp_image_build(&old, &dp, ifs_old, 2);
	dp.bcast[0] = dp.bcast[--dp.n_bcast];

	prl.v4[0] = tu_a4("198.51.100.1");
	assert_int_equal(dp_set_prl(&dp, &prl), 0);
	assert_int_equal(dp_addr_del(&dp, &a), 0);
	assert_int_equal(dp_onlink_del(&dp, &ol), 0);
	route(&dp, false, "2001:db8:99::", 48, "198.51.100.1", 1);
	fp_image_build(&nu, &dp, ifs_new, 1);

	assert_int_equal(fp_image_gone_prl(&old, &nu, v4), 1);
	assert_int_equal(v4[0], tu_a4("192.0.2.254").s_addr);
	assert_int_equal(fp_image_gone_local(&old, &nu, l), 1);
	assert_memory_equal(l[0].a, &a.addr, 16);
	assert_int_equal(fp_image_gone_onlink(&old, &nu, k), 1);
	want = key("2001:db8:1::", 64);
	assert_memory_equal(&k[0], &want, sizeof(want));
	assert_int_equal(fp_image_gone_routes(&old, &nu, k), 1);
	want = key("2001:db8:99::", 48);
	assert_memory_equal(&k[0], &want, sizeof(want));
	assert_int_equal(fp_image_gone_ifaces(&old, &nu, ifx), 1);
	assert_int_equal(ifx[0], 3);
	assert_int_equal(fp_image_gone_bcast(&old, &nu, v4), 1);
	assert_int_equal(v4[0], tu_a4("192.0.2.255").s_addr);
	/* Backwards: only what was added since. */
	assert_int_equal(fp_image_gone_prl(&nu, &old, v4), 0);
	assert_int_equal(fp_image_gone_routes(&nu, &old, k), 0);
	assert_false(fp_image_same(&old, &nu));
}

/* Nothing changed (the generation aside): nothing to write, no pause. */
static void
test_same(void **state)
{
	struct dp dp;
	struct fp_image a, b;
	const uint32_t ifs[] = {3, 3, 0}; /* duplicates and 0 are ignored */

	host(&dp);
	fp_image_build(&a, &dp, ifs, 3);
	assert_int_equal(a.n_ifaces, 1);
	fp_image_build(&b, &dp, ifs, 1);
	b.cfg.generation = 9;
	b.cfg.flags |= FP_F_ENABLED;
	assert_true(fp_image_same(&a, &b));
	/* Every field counts: the MTU, ... */
	dp.mtu = 1280;
	fp_image_build(&b, &dp, ifs, 1);
	assert_false(fp_image_same(&a, &b));
	/* ... a route's metric alone. */
	dp.mtu = 1400;
	route(&dp, true, "::", 0, "192.0.2.254", 10);
	fp_image_build(&a, &dp, ifs, 1);
	route(&dp, true, "::", 0, "192.0.2.254", 11);
	fp_image_build(&b, &dp, ifs, 1);
	assert_false(fp_image_same(&a, &b));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_image_of_a_host),
	        cmocka_unit_test(test_retired_locators),
	        cmocka_unit_test(test_route_tie_rule),
	        cmocka_unit_test(test_rebuild_deletes_what_went),
	        cmocka_unit_test(test_same),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
