/*
 * The fast path's verdicts against the user-space checks' on generated
 * packets (tests/unit/lib/tu_pktgen.h): random states of the kind control
 * pushes, and datagrams and IPv6 packets that are valid for them or
 * mutated away from valid, each run through the BPF program under
 * BPF_PROG_TEST_RUN and through decap_check() or nh_lookup(). The action,
 * every counter slot and the packet out must be what the user-space
 * verdict calls for (tu_fastpath.h). The seed is printed; TU_SEED=<n>
 * replays a run, TU_FP_PACKETS=<n> sets how many packets each direction
 * gets (default 10000). On a kernel with BPF_F_ADJ_ROOM_DECAP_L3_IPV6
 * ingress runs twice: with it, and as on a kernel before 6.3
 * (bpf_skb_change_proto()).
 */
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "decap.h"
#include "nexthop.h"
#include "tests/unit/lib/tu_fastpath.h"
#include "tests/unit/lib/tu_pktgen.h"

#ifdef HAVE_FASTPATH
#include "datapath/fastpath_linux.h"

#define DEFAULT_SEED    20261202u
#define DEFAULT_PACKETS 10000u
#define PER_WORLD       40 /* packets per state before a new one */

static struct tu_fp *fp;
static uint64_t seed;
static unsigned packets;

static unsigned long
env_num(const char *name, unsigned long dflt)
{
	const char *s = getenv(name);
	char *end;
	unsigned long v;

	if (s == NULL || *s == '\0')
		return dflt;
	v = strtoul(s, &end, 0);
	return *end == '\0' ? v : dflt;
}

static void
extra(struct tu_rng *r, const struct tu_world *w, struct tu_fp_extra *x)
{
	memset(x, 0, sizeof(*x));
	x->disabled = tu_rng_chance(r, 3);
	x->link_down = tu_rng_chance(r, 3);
	x->bcast = w->bcast;
	x->n_bcast = w->n_bcast;
	x->mtu = tu_rng_chance(r, 30) ? (tu_rng_chance(r, 50) ? 1280 : 100) : 0;
}

static void
test_ingress(void **state)
{
	static struct tu_world w;
	unsigned seen[DECAP_VERDICT_COUNT] = {0}, actions[8] = {0}, not_run = 0;
	struct tu_fp_extra x;
	struct tu_rng r;
	uint8_t buf[1700];
	char what[64];

	(void)state;
	tu_rng_seed(&r, seed);
	for (unsigned i = 0; i < packets; i++) {
		size_t n, off, ilen;
		struct in_addr src;
		int a;

		if (i % PER_WORLD == 0) {
			tu_gen_world(&r, &w);
			extra(&r, &w, &x);
			tu_fp_load_decap(fp, &w.decap, &x);
		}
		n = tu_gen_ingress(&r, &w, buf, sizeof(buf));
		snprintf(what, sizeof(what), "seed %llu packet %u", (unsigned long long)seed, i);
		a = tu_fp_check_ingress(fp, &w.decap, &x, buf, n, what);
		if (a == TU_FP_NOT_RUN) {
			not_run++;
			continue;
		}
		actions[a & 7]++;
		if (n >= 20 && buf[9] == 41 && buf[0] >> 4 == 4)
			seen[decap_check(&w.decap, buf, n, &off, &ilen, &src)]++;
	}
	printf("ingress: %u packets, seed %llu: %u redirected, %u dropped, %u left to the raw "
	       "socket, %u too short to run\n",
	       packets, (unsigned long long)seed, actions[TU_TC_ACT_REDIRECT],
	       actions[TU_TC_ACT_SHOT], actions[TU_TC_ACT_OK], not_run);
	for (int v = 0; v < DECAP_VERDICT_COUNT; v++)
		printf("  %-18s %u\n", decap_verdict_name(v), seen[v]);
	/* Not a test that passes by seeing nothing: the generator reaches
	 * every verdict in a run of the default length. */
	if (packets >= DEFAULT_PACKETS)
		for (int v = 0; v < DECAP_VERDICT_COUNT; v++)
			if (seen[v] == 0 && v != DECAP_DROP_OUTER_SHORT)
				fail_msg("verdict %s never generated", decap_verdict_name(v));
}

static void
test_egress(void **state)
{
	static struct tu_world w;
	unsigned seen[NH_VERDICT_COUNT] = {0}, actions[8] = {0}, not_run = 0;
	struct tu_fp_extra x;
	struct tu_rng r;
	uint8_t buf[1700];
	char what[64];

	(void)state;
	tu_rng_seed(&r, seed ^ 0x5a5a5a5a5a5a5a5aull);
	for (unsigned i = 0; i < packets; i++) {
		struct in_addr nh;
		size_t n;
		int a;

		if (i % PER_WORLD == 0) {
			tu_gen_world(&r, &w);
			extra(&r, &w, &x);
			tu_fp_load_nh(fp, &w.nh, &x);
		}
		n = tu_gen_egress(&r, &w, buf, sizeof(buf));
		snprintf(what, sizeof(what), "seed %llu packet %u", (unsigned long long)seed, i);
		a = tu_fp_check_egress(fp, &w.nh, &x, buf, n, what);
		if (a == TU_FP_NOT_RUN) {
			not_run++;
			continue;
		}
		actions[a & 7]++;
		seen[nh_lookup(&w.nh, buf, n, &nh)]++;
	}
	printf("egress: %u packets, seed %llu: %u encapsulated, %u left to the TUN reader, %u "
	       "too short to run\n",
	       packets, (unsigned long long)seed, actions[TU_TC_ACT_REDIRECT],
	       actions[TU_TC_ACT_OK], not_run);
	for (int v = 0; v < NH_VERDICT_COUNT; v++)
		printf("  %-18s %u\n", nh_verdict_name(v), seen[v]);
	if (packets >= DEFAULT_PACKETS)
		for (int v = 0; v < NH_VERDICT_COUNT; v++)
			if (seen[v] == 0 && v != NH_DROP_SHORT && v != NH_DROP_TOO_BIG)
				fail_msg("verdict %s never generated", nh_verdict_name(v));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_ingress),
	        cmocka_unit_test(test_egress),
	};
	const struct CMUnitTest ingress[] = {
	        cmocka_unit_test(test_ingress),
	};
	char why[256];
	int r;

	seed = env_num("TU_SEED", DEFAULT_SEED);
	packets = (unsigned)env_num("TU_FP_PACKETS", DEFAULT_PACKETS);
	if ((fp = tu_fp_open(why, sizeof(why))) == NULL)
		return tu_fp_skip("dp_fastpath_random", why);
	printf("dp_fastpath_random: seed %llu (TU_SEED=%llu replays it)\n",
	       (unsigned long long)seed, (unsigned long long)seed);
	r = cmocka_run_group_tests_name("dp_fastpath_random", tests, NULL, NULL);
	tu_fp_close(fp);
	if (r != 0)
		return r;
	/* Ingress again, decapsulating as on a kernel before 6.3, unless
	 * this is one and the run above did already. */
	if (fastpath_kernel_decap_flags() <= 0)
		return 0;
	if ((fp = tu_fp_open_decap(false, why, sizeof(why))) == NULL)
		return tu_fp_skip("dp_fastpath_random_change_proto", why);
	r = cmocka_run_group_tests_name("dp_fastpath_random_change_proto", ingress, NULL, NULL);
	tu_fp_close(fp);
	return r;
}

#else

int
main(void)
{
	return tu_fp_skip("dp_fastpath_random", "fast path not built: " FASTPATH_NOT_BUILT);
}

#endif
