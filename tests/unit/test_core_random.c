/*
 * Long random runs of the control core: RAs with random options and
 * lifetimes from PRL members and strangers, mutated packets, DNS answers and
 * failures, locator changes, datapath losses and restarts, Redirects and API
 * calls, with time jumping between them. Seeded, so a failure replays.
 *
 * The harness checks every datapath request as it goes (msg_check_payload,
 * nothing deleted that is not there, one route per prefix, RSs only to PRL
 * members with a locator, deadlines never in the past). Every few steps the
 * datapath reconnects with the model's tables: the core must then find
 * nothing to change, i.e. its idea of the datapath is exactly the datapath.
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "isatap.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"
#include "tests/unit/lib/vectors.h"

static struct tuc T;
static uint64_t rng;
/* What the runs went through, so that they cannot pass by doing nothing. */
static uint64_t n_checks, n_ra, n_redirect, n_parse_err, n_two_hour, n_addr_adds;

static uint32_t
rnd(uint32_t n)
{
	/* xorshift64: the test's own dice, apart from the core's PRNG. */
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng % n);
}

static const char *const routers[] = {"192.0.2.254", "192.0.2.252", "192.0.2.250", "192.0.2.9"};
static const char *const lls[] = {"fe80::5efe:c000:2fe", "fe80::5efe:c000:2fc",
                                  "fe80::200:5efe:c000:2fa", "fe80::5efe:c000:209"};
static const char *const prefixes[] = {
        "2001:db8:1::", "2001:db8:2::", "2001:db8:3::", "2001:db8:4::"};
static const uint32_t lifetimes[] = {0, 1, 30, 60, 600, 3600, 7201, 86400, ND_INFINITE_LIFETIME};

static uint32_t
lifetime(void)
{
	return lifetimes[rnd(sizeof(lifetimes) / sizeof(lifetimes[0]))];
}

static void
random_ra(void)
{
	unsigned who = rnd(4);
	struct tu_ra b;
	uint8_t pkt[40 + TU_RA_MAX];
	size_t len;
	static const uint16_t rl[] = {0, 30, 100, 1800, 9000};

	tu_ra_init(&b, rl[rnd(5)], (int)rnd(4) - 1);
	for (unsigned i = rnd(4); i > 0; i--) {
		uint32_t v = lifetime(), p = rnd(3) ? lifetime() : v;

		tu_ra_pio(&b, prefixes[rnd(4)], rnd(8) ? 64 : 48, rnd(2), rnd(4) != 0, v, p);
	}
	for (unsigned i = rnd(3); i > 0; i--)
		tu_ra_rio(&b, prefixes[rnd(4)], (uint8_t)(48 + rnd(3) * 8), (int)rnd(4) - 1,
		          lifetime());
	if (rnd(3) == 0)
		tu_ra_mtu(&b, 1000 + rnd(1000));
	if (rnd(3) == 0)
		tu_ra_rdnss(&b, "2001:db8:2::53", lifetime());
	if (rnd(4) == 0)
		tu_ra_dnssl(&b, "example.test", lifetime());
	len = tu_ra_packet(&b, lls[who], "fe80::5efe:c000:201", pkt);
	core_nd_input(T.c, T.now, tu_a4(routers[who]), pkt, len, NULL);
	tuc_drain(&T);
}

static void
mutated_packet(void)
{
	uint8_t pkt[256];
	size_t len = vec_ra_len - VEC_INNER_OFF;
	enum nd_reason why;

	memcpy(pkt, vec_ra + VEC_INNER_OFF, len);
	for (unsigned i = rnd(4) + 1; i > 0; i--)
		pkt[rnd((uint32_t)len)] ^= (uint8_t)(1u << rnd(8));
	if (rnd(4) == 0)
		len = rnd((uint32_t)len);
	core_nd_input(T.c, T.now, tu_a4(routers[rnd(4)]), pkt, len, &why);
	tuc_drain(&T);
}

static void
random_redirect(void)
{
	static const char *const targets[] = {"fe80::5efe:c000:2fd", "fe80::1",
	                                      "2001:db8:7::5efe:c000:2f0", "fe80::5efe:c000:201"};
	static const char *const dsts[] = {"2001:db8:7::5efe:c000:2f0", "2001:db8:3::1",
	                                   "2001:db8:1::99", "2001:db8:2::2"};
	unsigned who = rnd(4), d = rnd(4);
	uint8_t pkt[128];
	const char *target = rnd(3) ? targets[rnd(4)] : dsts[d];
	size_t len;

	if (strcmp(target, dsts[d]) != 0 && strncmp(target, "fe80", 4) != 0)
		target = "fe80::5efe:c000:2fd"; /* the parser's rule: link-local or == dst */
	len = tu_redirect(pkt, lls[who], "fe80::5efe:c000:201", target, dsts[d]);
	core_nd_input(T.c, T.now, tu_a4(routers[who]), pkt, len, NULL);
	tuc_drain(&T);
}

static void
random_dns(void)
{
	struct in_addr a[4];
	size_t n = 0;

	for (unsigned i = 0; i < 4; i++)
		if (rnd(2))
			a[n++] = tu_a4(routers[i]);
	core_dns_result(T.c, T.now, "isatap", NULL, a, n, rnd(4000), rnd(5) == 0 ? -5 : 0);
	tuc_drain(&T);
}

/* The datapath reconnects reporting exactly what it holds: nothing to do. */
static void
check_consistent(void)
{
	if (!core_dp_is_connected(T.c))
		return;
	core_dp_disconnected(T.c, T.now);
	tuc_drain(&T);
	n_addr_adds += tuc_count(&T, "ADDR_ADD 2001:");
	tuc_clear(&T);
	tuc_connect(&T);
	/* RA parameters are not in STATE: they are given again on every
	 * connect, the same values (idempotent). */
	tuc_expect_only(&T, (const char *[]){"EV ", "SEND_RS", "RESOLVE", "SET_ND_PARAMS", NULL},
	                (const char *[]){NULL});
	n_checks++;
}

static void
run(uint64_t seed, unsigned steps)
{
	static const char *const locators[] = {"192.0.2.1", "192.0.2.2", "192.0.2.3"};
	bool connected = true;

	rng = seed * 0x9e3779b97f4a7c15ull + 1;
	T.now = 1000000;
	tuc_start_simple(&T, seed, "192.0.2.254,isatap");
	tuc_locator(&T, "192.0.2.1");
	tuc_connect(&T);
	for (unsigned step = 0; step < steps; step++) {
		if (T.n > TUC_ACTS_MAX / 2) {
			n_addr_adds += tuc_count(&T, "ADDR_ADD 2001:");
			tuc_clear(&T);
		}
		switch (rnd(16)) {
		case 0:
		case 1:
		case 2:
			tuc_advance(&T, rnd(4) ? rnd(20000) : rnd(4000000));
			break;
		case 3:
		case 4:
		case 5:
		case 6:
			random_ra();
			break;
		case 7:
			mutated_packet();
			break;
		case 8:
			random_dns();
			break;
		case 9:
			if (rnd(4) == 0)
				assert_int_equal(core_set_locator(T.c, T.now,
				                                  (struct in_addr){INADDR_ANY},
				                                  CORE_LOC_NONE),
				                 0);
			else
				assert_int_equal(core_set_locator(T.c, T.now,
				                                  tu_a4(locators[rnd(3)]),
				                                  CORE_LOC_AUTO),
				                 0);
			tuc_drain(&T);
			break;
		case 10:
			if (connected) {
				core_dp_disconnected(T.c, T.now);
				tuc_drain(&T);
				if (rnd(2)) { /* the datapath restarted empty */
					memset(&T.dp, 0, sizeof(T.dp));
					T.dp.mtu = 1280;
				}
			} else {
				tuc_connect(&T);
			}
			connected = !connected;
			break;
		case 11:
			random_redirect();
			break;
		case 12: {
			struct in_addr out[8];

			core_solicit(T.c, T.now,
			             rnd(2) ? tu_a4(routers[rnd(4)]) : (struct in_addr){INADDR_ANY},
			             out, 8);
			tuc_drain(&T);
			break;
		}
		case 13:
			if (rnd(2))
				core_router_add(T.c, T.now, routers[rnd(4)]);
			else
				core_router_remove(T.c, T.now, routers[rnd(4)]);
			tuc_drain(&T);
			break;
		case 14:
			core_prl_refresh(T.c, T.now);
			tuc_drain(&T);
			break;
		default:
			check_consistent();
			break;
		}
		/* Views never disagree with their own counts. */
		assert_true(core_routers(T.c, T.now, NULL, 0) <= CORE_ROUTERS_MAX);
		assert_true(core_addresses(T.c, T.now, NULL, 0) <= CORE_ADDRS_MAX);
	}
	if (!connected)
		tuc_connect(&T);
	check_consistent();
	{
		const struct core_counters *k = core_get_counters(T.c);

		n_ra += k->v[CORE_C_RA_ACCEPTED];
		n_redirect += k->v[CORE_C_REDIRECT_ACCEPTED];
		n_parse_err += k->v[CORE_C_ND_PARSE_ERROR];
		n_two_hour += k->v[CORE_C_TWO_HOUR_RULE];
	}
	tuc_stop(&T);
}

static void
test_random_runs(void **state)
{
	for (uint64_t seed = 1; seed <= 200; seed++)
		run(seed, 800);
	print_message("%llu consistency checks, %llu RAs and %llu Redirects accepted, "
	              "%llu parse errors, %llu two-hour rules, %llu global ADDR_ADDs\n",
	              (unsigned long long)n_checks, (unsigned long long)n_ra,
	              (unsigned long long)n_redirect, (unsigned long long)n_parse_err,
	              (unsigned long long)n_two_hour, (unsigned long long)n_addr_adds);
	assert_true(n_checks > 3000);
	assert_true(n_ra > 10000);
	assert_true(n_redirect > 100);
	assert_true(n_parse_err > 1000);
	assert_true(n_two_hour > 100);
	assert_true(n_addr_adds > 1000);
	(void)state;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_random_runs),
	};

	return cmocka_run_group_tests_name("core_random", tests, NULL, NULL);
}
