/*
 * RA processing (RFC 4861 §6.3.4, RFC 4191, RFC 8106, RFC 5214 §8.3.3):
 * the real radvd RA of the capture gives exactly the datapath requests and
 * events it implies; each kind of rejection gets its verdict and counter
 * and changes nothing.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"
#include "tests/unit/lib/vectors.h"

#define R1    VEC_ROUTER_V4
#define START 1000000ull

static struct tuc T;

static void
up(struct tuc *t, const char *routers)
{
	t->now = START;
	tuc_start_simple(t, 1, routers);
	tuc_locator(t, VEC_CLIENT_V4);
	tuc_connect(t);
	tuc_advance(t, MAX_RTR_SOLICITATION_DELAY_MS);
	tuc_clear(t);
}

static enum core_nd_verdict
feed_vector(struct tuc *t, const char *outer, enum nd_reason *why)
{
	enum core_nd_verdict v = core_nd_input(t->c, t->now, tu_a4(outer), vec_ra + VEC_INNER_OFF,
	                                       vec_ra_len - VEC_INNER_OFF, why);

	tuc_drain(t);
	return v;
}

static void
test_real_radvd_ra(void **state)
{
	enum nd_reason why;
	struct core_rdnss_view rd[4];
	struct core_dnssl_view sl[4];
	struct core_router_view rv;
	struct core_addr_view av[4];
	struct core_route_view rt[4];
	char buf[ADDR6_STRLEN];
	struct in_addr def;

	up(&T, R1);
	assert_int_equal(feed_vector(&T, R1, &why), CORE_ND_RA_ACCEPTED);
	assert_int_equal(why, ND_OK);
	tuc_expect(&T, (const char *[]){
	                       "EV router_up 192.0.2.254 1800",
	                       "EV default_router_changed 192.0.2.254 prev=0.0.0.0",
	                       "EV address_added 2001:db8:1::5efe:c000:201/64",
	                       "EV address_added 2001:db8:10::5efe:c000:201/64",
	                       "SET_MTU 1400",
	                       /* radvd's AdvCurHopLimit 64, RFC 4861 §6.3.4 */
	                       "SET_ND_PARAMS hop=64 reach=0 retrans=0",
	                       "ADDR_ADD 2001:db8:1::5efe:c000:201/64 v=86400 p=14400",
	                       "ADDR_ADD 2001:db8:10::5efe:c000:201/64 v=86400 p=14400",
	                       "ONLINK_ADD 2001:db8:1::/64",
	                       "ONLINK_ADD 2001:db8:10::/64",
	                       "ROUTE_ADD ::/0 via 192.0.2.254 m=1024",
	                       "ROUTE_ADD 2001:db8:3::/48 via 192.0.2.254 m=768",
	                       NULL,
	               });
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_RA_ACCEPTED], 1);

	/* What status shows, 5 s later. */
	tuc_advance(&T, 5000);
	assert_int_equal(core_routers(T.c, T.now, &rv, 1), 1);
	assert_string_equal(core_router_state_name(rv.state), "reachable");
	assert_int_equal(rv.router_lifetime_s, 1795);
	assert_int_equal(rv.last_ra_age_s, 5);
	assert_true(rv.is_default);
	assert_string_equal(core_pref_name(rv.preference), "medium");
	assert_string_equal(addr_fmt6(&rv.link_local, buf), "fe80::5efe:c000:2fe");
	assert_int_equal(rv.advertisements, 1);
	assert_true(core_default_router(T.c, &def));
	assert_int_equal(def.s_addr, tu_a4(R1).s_addr);
	assert_int_equal(core_mtu(T.c), 1400);

	assert_int_equal(core_addresses(T.c, T.now, av, 4), 2);
	assert_string_equal(addr_fmt6(&av[0].addr, buf), "2001:db8:1::5efe:c000:201");
	assert_int_equal(av[0].valid_s, 86395);
	assert_int_equal(av[0].preferred_s, 14395);
	assert_string_equal(core_addr_state_name(av[0].state), "preferred");
	assert_int_equal(av[0].router.s_addr, tu_a4(R1).s_addr);

	assert_int_equal(core_routes(T.c, T.now, rt, 4), 2);
	assert_string_equal(core_route_origin_name(rt[0].origin), "default");
	assert_int_equal(rt[0].lifetime_s, 1795);
	assert_true(rt[0].installed);
	assert_string_equal(core_route_origin_name(rt[1].origin), "rio");
	assert_string_equal(addr_fmt6(&rt[1].prefix.addr, buf), "2001:db8:3::");
	assert_int_equal(rt[1].prefix.plen, 48);
	assert_string_equal(core_pref_name(rt[1].preference), "high");
	assert_int_equal(rt[1].lifetime_s, 595);

	assert_int_equal(core_rdnss(T.c, T.now, rd, 4), 1);
	assert_string_equal(addr_fmt6(&rd[0].addr, buf), "2001:db8:2::53");
	assert_int_equal(rd[0].lifetime_s, 595);
	assert_int_equal(rd[0].router.s_addr, tu_a4(R1).s_addr);
	assert_int_equal(core_dnssl(T.c, T.now, sl, 4), 1);
	assert_string_equal(sl[0].domain, "example.test");

	/* RIO and DNS data run out at 600 s (the RA is not repeated: the
	 * re-solicitation goes unanswered here). */
	tuc_clear(&T);
	tuc_until(&T, START + MAX_RTR_SOLICITATION_DELAY_MS + 600000);
	assert_true(tuc_find(&T, "ROUTE_DEL 2001:db8:3::/48 via 192.0.2.254 m=768") >= 0);
	assert_int_equal(core_rdnss(T.c, T.now, rd, 4), 0);
	assert_int_equal(core_dnssl(T.c, T.now, sl, 4), 0);
	tuc_stop(&T);
	(void)state;
}

static void
test_rejects_change_nothing(void **state)
{
	uint8_t pkt[2000];
	enum nd_reason why;
	size_t len;
	const struct core_counters *k;

	up(&T, R1);
	k = core_get_counters(T.c);

	/* RFC 5214 §8.3.3: not from a PRL member. */
	assert_int_equal(feed_vector(&T, VEC_HOST_V4, &why), CORE_ND_NOT_FROM_PRL);
	assert_int_equal(k->v[CORE_C_ND_NOT_FROM_PRL], 1);

	/* A flipped bit: the parser's reason comes back. */
	memcpy(pkt, vec_ra + VEC_INNER_OFF, vec_ra_len - VEC_INNER_OFF);
	pkt[60] ^= 0x01;
	assert_int_equal(
	        core_nd_input(T.c, T.now, tu_a4(R1), pkt, vec_ra_len - VEC_INNER_OFF, &why),
	        CORE_ND_PARSE_ERROR);
	assert_int_equal(why, ND_BAD_CHECKSUM);
	assert_int_equal(k->nd_parse[ND_BAD_CHECKSUM], 1);

	/* Truncated to nothing useful. */
	assert_int_equal(core_nd_input(T.c, T.now, tu_a4(R1), pkt, 10, &why), CORE_ND_PARSE_ERROR);
	assert_int_not_equal(why, ND_OK);
	assert_int_equal(k->v[CORE_C_ND_PARSE_ERROR], 2);

	/* A Neighbor Solicitation: not ours to act on. */
	{
		uint8_t ns[24] = {ICMP6_NEIGHBOR_SOLICIT};

		len = tu_ipv6(pkt, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", IPPROTO_ICMPV6_NUM,
		              255, ns, sizeof(ns));
		assert_int_equal(core_nd_input(T.c, T.now, tu_a4(R1), pkt, len, NULL),
		                 CORE_ND_IGNORED_TYPE);
	}
	/* RA with hop limit 64: forwarded from off-link (RFC 4861 §6.1.2). */
	{
		struct tu_ra b;

		tu_ra_init(&b, 1800, 0);
		len = tu_ra_packet(&b, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", pkt);
		pkt[7] = 64;
		assert_int_equal(core_nd_input(T.c, T.now, tu_a4(R1), pkt, len, &why),
		                 CORE_ND_PARSE_ERROR);
		assert_int_equal(why, ND_BAD_HOPLIMIT);
	}
	tuc_drain(&T);
	tuc_expect(&T, (const char *[]){NULL});
	assert_int_equal(k->v[CORE_C_RA_ACCEPTED], 0);
	assert_false(core_default_router(T.c, &(struct in_addr){0}));
	tuc_stop(&T);
	(void)state;
}

static void
test_option_rules(void **state)
{
	const struct core_counters *k;
	struct core_config cfg;
	struct tu_ra b;

	T.now = START;
	tuc_config(&cfg, 1, R1);
	cfg.max_mtu = 1480;
	tuc_start(&T, &cfg);
	tuc_locator(&T, VEC_CLIENT_V4);
	tuc_connect(&T);
	tuc_clear(&T);
	k = core_get_counters(T.c);

	tu_ra_init(&b, 1800, 2); /* reserved preference: medium (RFC 4191 §2.2) */
	tu_ra_mtu(&b, 1200);     /* below IPv6's minimum: ignored */
	/* A with a /48: no address (RFC 4862 §5.5.3 d), but on-link holds. */
	tu_ra_pio(&b, "2001:db8:5::", 48, true, true, 3600, 1800);
	tu_ra_pio(&b, "fe80::", 64, true, true, 3600, 1800);       /* link-local: ignored */
	tu_ra_pio(&b, "2001:db8:6::", 64, false, true, 600, 1200); /* preferred > valid */
	tu_ra_pio(&b, "2001:db8:7::", 64, false, true, 0, 0);      /* new with 0: nothing */
	tu_ra_rio(&b, "2001:db8:8::", 48, 2, 600);                 /* reserved: ignored */
	tu_ra_rio(&b, "::", 0, 1, 600);             /* ::/0: the default route's (RFC 4191 §3.1) */
	tu_ra_rio(&b, "2001:db8:9::", 48, -1, 600); /* low */
	tu_ra_rdnss(&b, "2001:db8:2::53", 0);       /* lifetime 0: nothing */
	assert_int_equal(tuc_ra(&T, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	tuc_expect_only(&T, (const char *[]){"EV ", NULL},
	                (const char *[]){
	                        "ONLINK_ADD 2001:db8:5::/48",
	                        "ROUTE_ADD ::/0 via 192.0.2.254 m=768",
	                        "ROUTE_ADD 2001:db8:9::/48 via 192.0.2.254 m=1280",
	                        NULL,
	                });
	assert_int_equal(k->v[CORE_C_MTU_OUT_OF_RANGE], 1);
	assert_int_equal(k->v[CORE_C_PIO_BAD_PLEN], 1);
	assert_int_equal(k->v[CORE_C_PIO_LINKLOCAL], 1);
	assert_int_equal(k->v[CORE_C_PIO_BAD_LIFETIMES], 1);
	assert_int_equal(k->v[CORE_C_RIO_BAD], 1);
	assert_int_equal(core_rdnss(T.c, T.now, NULL, 0), 0);
	assert_string_equal(core_counter_name(CORE_C_PIO_BAD_PLEN), "pio_bad_plen");

	/* Above the configured maximum: ignored too; within: applied. */
	tuc_clear(&T);
	tu_ra_init(&b, 1800, 0);
	tu_ra_mtu(&b, 9000);
	tuc_ra(&T, R1, NULL, &b);
	assert_int_equal(k->v[CORE_C_MTU_OUT_OF_RANGE], 2);
	tu_ra_init(&b, 1800, 0);
	tu_ra_mtu(&b, 1480);
	tuc_ra(&T, R1, NULL, &b);
	/* (The header's medium preference again: no ::/0 option now.) */
	tuc_expect_only(&T, (const char *[]){"EV ", "ROUTE_", NULL},
	                (const char *[]){"SET_MTU 1480", NULL});

	/* Lifetime 0 on-link (RFC 4861 §6.3.4: time out now), RIO lifetime 0
	 * withdraws (RFC 4191 §3.1), router lifetime 0 leaves the Default
	 * Router List (§6.3.4) and the router is "not_default". */
	tuc_clear(&T);
	tu_ra_init(&b, 0, 1);
	tu_ra_pio(&b, "2001:db8:5::", 48, true, false, 0, 0);
	tu_ra_rio(&b, "2001:db8:9::", 48, -1, 0);
	tuc_ra(&T, R1, NULL, &b);
	tuc_expect(&T, (const char *[]){
	                       "EV default_router_changed 0.0.0.0 prev=192.0.2.254",
	                       "ROUTE_DEL 2001:db8:9::/48 via 192.0.2.254 m=1280",
	                       "ROUTE_DEL ::/0 via 192.0.2.254 m=1024",
	                       "ONLINK_DEL 2001:db8:5::/48",
	                       NULL,
	               });
	{
		struct core_router_view v;

		core_routers(T.c, T.now, &v, 1);
		assert_string_equal(core_router_state_name(v.state), "not_default");
		assert_int_equal(v.preference, 0); /* moot with lifetime 0 (RFC 4191 §2.2) */
	}
	tuc_stop(&T);
	(void)state;
}

/* Review finding 13: with the default bound, an MTU option no outer IPv4
 * datagram carries (65516..65535) is ignored (RFC 4861 §6.3.4); 65515,
 * the most one carries, is applied. */
static void
test_mtu_above_ipv4(void **state)
{
	const struct core_counters *k;
	struct core_config cfg;
	struct tu_ra b;

	T.now = START;
	tuc_config(&cfg, 1, R1);
	tuc_start(&T, &cfg);
	tuc_locator(&T, VEC_CLIENT_V4);
	tuc_connect(&T);
	tu_ra_init(&b, 1800, 0);
	tuc_ra(&T, R1, NULL, &b);
	tuc_clear(&T);
	k = core_get_counters(T.c);
	for (uint32_t mtu = 65516; mtu <= 65535; mtu += 19) {
		tu_ra_init(&b, 1800, 0);
		tu_ra_mtu(&b, mtu);
		tuc_ra(&T, R1, NULL, &b);
	}
	assert_int_equal(k->v[CORE_C_MTU_OUT_OF_RANGE], 2);
	tuc_expect_only(&T, (const char *[]){"EV ", NULL}, (const char *[]){NULL});
	tu_ra_init(&b, 1800, 0);
	tu_ra_mtu(&b, 65515);
	tuc_ra(&T, R1, NULL, &b);
	tuc_expect_only(&T, (const char *[]){"EV ", NULL}, (const char *[]){"SET_MTU 65515", NULL});
	tuc_stop(&T);
	(void)state;
}

static void
test_dns_options_lifetimes(void **state)
{
	struct core_rdnss_view rd[4];
	struct core_dnssl_view sl[4];
	struct tu_ra b;

	up(&T, R1);
	tu_ra_init(&b, 1800, 0);
	tu_ra_rdnss(&b, "2001:db8:2::53", 300);
	tu_ra_dnssl(&b, "corp.example.test", 300);
	tuc_ra(&T, R1, NULL, &b);
	assert_int_equal(core_rdnss(T.c, T.now, rd, 4), 1);
	assert_int_equal(core_dnssl(T.c, T.now, sl, 4), 1);
	assert_string_equal(sl[0].domain, "corp.example.test");
	assert_int_equal(sl[0].lifetime_s, 300);

	/* Withdrawn explicitly by lifetime 0 (RFC 8106 §5.1, §5.2). */
	tu_ra_init(&b, 1800, 0);
	tu_ra_rdnss(&b, "2001:db8:2::53", 0);
	tu_ra_dnssl(&b, "corp.example.test", 0);
	tuc_ra(&T, R1, NULL, &b);
	assert_int_equal(core_rdnss(T.c, T.now, rd, 4), 0);
	assert_int_equal(core_dnssl(T.c, T.now, sl, 4), 0);
	tuc_stop(&T);
	(void)state;
}

/*
 * Review finding 12, first half (RFC 8106 §5.1): with no periodic RAs on
 * ISATAP, DNS data lives only as long as the client re-solicits before it
 * runs out. Router lifetime 1800, prefix 86400/14400, RDNSS 1200 (radvd's
 * default with the shipped configuration): the RS is due at 0.8 x 1200 s,
 * not at 0.8 x 1800 s, and the server is still listed at +1300 s when the
 * router answers.
 */
static void
test_dns_lifetime_drives_resolicit(void **state)
{
	struct core_rdnss_view rd[4];
	struct core_router_view rv;
	struct tu_ra b;
	uint64_t ra_at;

	up(&T, R1);
	tu_ra_init(&b, 1800, 0);
	tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 86400, 14400);
	tu_ra_rdnss(&b, "2001:db8:2::53", 1200);
	assert_int_equal(tuc_ra(&T, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	ra_at = T.now;
	assert_int_equal(core_routers(T.c, T.now, &rv, 1), 1);
	assert_true(rv.has_next_solicit);
	assert_int_equal(rv.next_solicit_s, 960);
	tuc_clear(&T);
	tuc_until(&T, ra_at + 960000 - 1);
	assert_int_equal(tuc_count(&T, "SEND_RS"), 0);
	tuc_advance(&T, 1);
	assert_true(tuc_count(&T, "SEND_RS " R1) >= 1);
	/* The router answers: the server stays. */
	assert_int_equal(tuc_ra(&T, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	tuc_until(&T, ra_at + 1300000);
	assert_int_equal(core_rdnss(T.c, T.now, rd, 4), 1);
	tuc_stop(&T);
	(void)state;
}

/*
 * Review finding 12, second half: each RDNSS and DNSSL option carries its
 * own lifetime (RFC 8106 §5.1, §5.2), whatever the order in the RA.
 */
static void
test_dns_options_each_own_lifetime(void **state)
{
	struct core_rdnss_view rd[4];
	struct core_dnssl_view sl[4];
	char buf[ADDR6_STRLEN];
	struct tu_ra b;

	for (int order = 0; order < 2; order++) {
		up(&T, R1);
		/* Both known first, so that lifetime 0 is a withdrawal. */
		tu_ra_init(&b, 1800, 0);
		tu_ra_rdnss(&b, "2001:db8:2::a", 900);
		tu_ra_rdnss(&b, "2001:db8:2::b", 900);
		tu_ra_dnssl(&b, "a.example.test", 900);
		tu_ra_dnssl(&b, "b.example.test", 900);
		tuc_ra(&T, R1, NULL, &b);
		assert_int_equal(core_rdnss(T.c, T.now, rd, 4), 2);
		assert_int_equal(core_dnssl(T.c, T.now, sl, 4), 2);

		tu_ra_init(&b, 1800, 0);
		if (order == 0) {
			tu_ra_rdnss(&b, "2001:db8:2::a", 0);
			tu_ra_rdnss(&b, "2001:db8:2::b", 600);
			tu_ra_dnssl(&b, "a.example.test", 0);
			tu_ra_dnssl(&b, "b.example.test", 600);
		} else {
			tu_ra_rdnss(&b, "2001:db8:2::b", 600);
			tu_ra_rdnss(&b, "2001:db8:2::a", 0);
			tu_ra_dnssl(&b, "b.example.test", 600);
			tu_ra_dnssl(&b, "a.example.test", 0);
		}
		tuc_ra(&T, R1, NULL, &b);
		assert_int_equal(core_rdnss(T.c, T.now, rd, 4), 1);
		assert_string_equal(addr_fmt6(&rd[0].addr, buf), "2001:db8:2::b");
		assert_int_equal(rd[0].lifetime_s, 600);
		assert_int_equal(core_dnssl(T.c, T.now, sl, 4), 1);
		assert_string_equal(sl[0].domain, "b.example.test");
		assert_int_equal(sl[0].lifetime_s, 600);
		tuc_stop(&T);
	}
	(void)state;
}

/*
 * Issue 13 item 5 (review finding 9): an ND message the core ignores or
 * refuses makes no processing pass. Seen from outside: a route that has
 * expired (no tick yet) is not withdrawn by the arrival of an NS or of an
 * RA from outside the PRL; the next tick withdraws it, on time.
 */
static void
test_ignored_nd_makes_no_pass(void **state)
{
	uint8_t pkt[40 + TU_RA_MAX], ns[24] = {ICMP6_NEIGHBOR_SOLICIT};
	struct tu_ra b;
	size_t len;

	up(&T, R1);
	tu_ra_init(&b, 1800, 0);
	tu_ra_rio(&b, "2001:db8:3::", 48, 0, 300);
	assert_int_equal(tuc_ra(&T, R1, NULL, &b), CORE_ND_RA_ACCEPTED);
	tuc_clear(&T);
	T.now += 300001; /* past the route's lifetime, without a tick */
	len = tu_ipv6(pkt, "fe80::5efe:c000:202", "fe80::5efe:c000:201", IPPROTO_ICMPV6_NUM, 255,
	              ns, sizeof(ns));
	assert_int_equal(core_nd_input(T.c, T.now, tu_a4("192.0.2.2"), pkt, len, NULL),
	                 CORE_ND_IGNORED_TYPE);
	len = tu_ra_packet(&b, "fe80::5efe:c000:202", "fe80::5efe:c000:201", pkt);
	assert_int_equal(core_nd_input(T.c, T.now, tu_a4("192.0.2.2"), pkt, len, NULL),
	                 CORE_ND_NOT_FROM_PRL);
	pkt[45] ^= 1; /* a flipped bit: a parse error from a PRL member */
	assert_int_equal(core_nd_input(T.c, T.now, tu_a4(R1), pkt, len, NULL), CORE_ND_PARSE_ERROR);
	tuc_drain(&T);
	assert_int_equal(T.n, 0);
	core_tick(T.c, T.now);
	tuc_drain(&T);
	assert_true(tuc_find(&T, "ROUTE_DEL 2001:db8:3::/48 via " R1 " m=1024") >= 0);
	tuc_stop(&T);
	(void)state;
}

/*
 * Review finding 18, first half (RFC 4861 §6.3.4): non-zero Cur Hop
 * Limit, Reachable Time and Retrans Timer go to the datapath, each kept
 * until an RA gives another; times over RFC 4861 §6.2.1's hour are ignored
 * and counted; nothing is sent again when nothing changed.
 */
static void
test_ra_parameters_applied(void **state)
{
	struct tu_ra b;

	up(&T, R1);
	tu_ra_init(&b, 1800, 0);
	tu_ra_params(&b, 32, 20000, 1500);
	tuc_ra(&T, R1, NULL, &b);
	assert_int_equal(tuc_count(&T, "SET_ND_PARAMS hop=32 reach=20000 retrans=1500"), 1);
	assert_int_equal(T.nd.hop_limit, 32);
	tuc_clear(&T);
	tuc_ra(&T, R1, NULL, &b);
	assert_int_equal(tuc_count(&T, "SET_ND_PARAMS"), 0);
	/* Zero: unspecified by this router, the others stay. */
	tu_ra_params(&b, 0, 0, 3000);
	tuc_ra(&T, R1, NULL, &b);
	assert_int_equal(tuc_count(&T, "SET_ND_PARAMS hop=32 reach=20000 retrans=3000"), 1);
	tuc_clear(&T);
	tu_ra_params(&b, 0, 3600001, 0);
	tuc_ra(&T, R1, NULL, &b);
	assert_int_equal(tuc_count(&T, "SET_ND_PARAMS"), 0);
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_RA_PARAM_BAD], 1);
	/* A datapath that reconnects is told again (STATE does not say). */
	tuc_clear(&T);
	core_dp_disconnected(T.c, T.now);
	tuc_connect(&T);
	assert_int_equal(tuc_count(&T, "SET_ND_PARAMS hop=32 reach=20000 retrans=3000"), 1);
	tuc_stop(&T);
	(void)state;
}

/*
 * Review finding 18, second half (RFC 4191 §3.1, §4): a router that is a
 * default router for RFC 4191 hosts only, with router lifetime 0 in the
 * header and a ::/0 Route Information option: the default route is its,
 * with the option's lifetime and preference; a ::/0 with lifetime 0 takes
 * it away again.
 */
static void
test_default_route_from_rio(void **state)
{
	struct core_router_view rv;
	struct tu_ra b;

	up(&T, R1);
	tu_ra_init(&b, 0, 0);
	tu_ra_rio(&b, "::", 0, 1, 600);
	tuc_ra(&T, R1, NULL, &b);
	assert_true(tuc_find(&T, "ROUTE_ADD ::/0 via " R1 " m=768") >= 0);
	assert_int_equal(core_routers(T.c, T.now, &rv, 1), 1);
	assert_string_equal(core_router_state_name(rv.state), "reachable");
	assert_int_equal(rv.router_lifetime_s, 600);
	assert_true(rv.is_default);
	assert_int_equal(core_get_counters(T.c)->v[CORE_C_RIO_BAD], 0);
	/* It runs out with the option's lifetime. */
	tuc_clear(&T);
	tuc_advance(&T, 600000);
	assert_true(tuc_find(&T, "ROUTE_DEL ::/0 via " R1 " m=768") >= 0);
	/* Withdrawn by a ::/0 with lifetime 0, whatever the header says. */
	tu_ra_init(&b, 1800, 0);
	tuc_ra(&T, R1, NULL, &b);
	tuc_clear(&T);
	tu_ra_init(&b, 1800, 0);
	tu_ra_rio(&b, "::", 0, 0, 0);
	tuc_ra(&T, R1, NULL, &b);
	assert_true(tuc_find(&T, "ROUTE_DEL ::/0 via " R1 " m=1024") >= 0);
	assert_false(core_default_router(T.c, &rv.v4));
	tuc_stop(&T);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_real_radvd_ra),
	        cmocka_unit_test(test_rejects_change_nothing),
	        cmocka_unit_test(test_option_rules),
	        cmocka_unit_test(test_mtu_above_ipv4),
	        cmocka_unit_test(test_dns_options_lifetimes),
	        cmocka_unit_test(test_dns_lifetime_drives_resolicit),
	        cmocka_unit_test(test_dns_options_each_own_lifetime),
	        cmocka_unit_test(test_ignored_nd_makes_no_pass),
	        cmocka_unit_test(test_ra_parameters_applied),
	        cmocka_unit_test(test_default_route_from_rio),
	};

	return cmocka_run_group_tests_name("core_ra", tests, NULL, NULL);
}
