/*
 * datapath/kroutes.c: what the datapath sends to XNU's routing table. The
 * test plays the kernel: it answers each planned op, and checks what the
 * table holds afterwards.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>

#include <cmocka.h>

#include "datapath/kroutes.h"
#include "tests/unit/lib/tu.h"

static struct prefix6
pfx(const char *a, uint8_t plen)
{
	return (struct prefix6){.addr = tu_a6(a), .plen = plen};
}

/* A kernel table: the routes present, and whose. */
struct ktab {
	struct prefix6 r[64];
	bool ours[64];
	size_t n;
};

static ssize_t
kfind(const struct ktab *t, const struct prefix6 *p)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->r[i].plen == p->plen && memcmp(&t->r[i].addr, &p->addr, 16) == 0)
			return (ssize_t)i;
	return -1;
}

/* Runs the plan against t as XNU would answer; returns how many ops. */
static size_t
run_ops(struct kroutes *kr, struct ktab *t, const struct kr_op *ops, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		ssize_t at = kfind(t, &ops[i].p);
		int err = 0;

		if (ops[i].add) {
			if (at >= 0) {
				err = -EEXIST;
			} else {
				t->ours[t->n] = true;
				t->r[t->n++] = ops[i].p;
			}
		} else if (at < 0) {
			err = -ESRCH;
		} else {
			/* Only ever our own. */
			assert_true(t->ours[at]);
			t->r[at] = t->r[--t->n];
			t->ours[at] = t->ours[t->n];
		}
		kr_done(kr, &ops[i], err);
	}
	return n;
}

static size_t
run(struct kroutes *kr, struct ktab *t)
{
	struct kr_op ops[KR_OPS_MAX];

	return run_ops(kr, t, ops, kr_plan(kr, ops, KR_OPS_MAX));
}

static bool
has(const struct ktab *t, const char *a, uint8_t plen)
{
	struct prefix6 p = pfx(a, plen);

	return kfind(t, &p) >= 0;
}

/* One kernel route per prefix, whatever the metrics. */
static void
test_metrics_share(void **state)
{
	struct kroutes kr;
	struct ktab t = {0};
	struct prefix6 p = pfx("2001:db8:1::", 64);

	(void)state;
	kr_init(&kr);
	assert_int_equal(kr_set(&kr, true, &p, 256), 0);
	assert_int_equal(run(&kr, &t), 1);
	assert_true(has(&t, "2001:db8:1::", 64));
	assert_int_equal(kr_set(&kr, true, &p, 1024), 0);
	assert_int_equal(run(&kr, &t), 0);
	/* A repeated add changes nothing. */
	assert_int_equal(kr_set(&kr, true, &p, 1024), 0);
	assert_int_equal(kr_set(&kr, false, &p, 256), 0);
	assert_int_equal(run(&kr, &t), 0);
	assert_true(has(&t, "2001:db8:1::", 64));
	assert_int_equal(kr_set(&kr, false, &p, 1024), 0);
	assert_int_equal(run(&kr, &t), 1);
	assert_int_equal(t.n, 0);
	assert_int_equal(kr_set(&kr, false, &p, 1024), -ENOENT);
}

static void
test_default_is_two_halves(void **state)
{
	struct kroutes kr;
	struct ktab t = {0};
	struct prefix6 def = pfx("::", 0);

	(void)state;
	kr_init(&kr);
	kr_set(&kr, true, &def, 1024);
	assert_int_equal(run(&kr, &t), 2);
	assert_true(has(&t, "::", 1));
	assert_true(has(&t, "8000::", 1));
	assert_false(has(&t, "::", 0));
	assert_true(kr_installed(&kr, &def));
	kr_set(&kr, false, &def, 1024);
	assert_int_equal(run(&kr, &t), 2);
	assert_int_equal(t.n, 0);
	assert_false(kr_installed(&kr, &def));
}

/* Native IPv6 comes and goes: the halves make way for it, and come back,
 * the other routes untouched. */
static void
test_foreign_default_yields(void **state)
{
	struct kroutes kr;
	struct ktab t = {0};
	struct prefix6 def = pfx("::", 0), on = pfx("2001:db8:1::", 64);
	struct kr_op ops[KR_OPS_MAX];
	size_t n;

	(void)state;
	kr_init(&kr);
	kr_set(&kr, true, &def, 1024);
	kr_set(&kr, true, &on, 256);
	assert_int_equal(run(&kr, &t), 3);
	kr_foreign_default(&kr, true);
	n = kr_plan(&kr, ops, KR_OPS_MAX);
	assert_int_equal(n, 2);
	assert_false(ops[0].add);
	assert_false(ops[1].add);
	run_ops(&kr, &t, ops, n);
	assert_int_equal(t.n, 1);
	assert_true(has(&t, "2001:db8:1::", 64));
	/* Asked for while native IPv6 holds ::/0: nothing to do. */
	kr_set(&kr, false, &def, 1024);
	kr_set(&kr, true, &def, 768);
	assert_int_equal(run(&kr, &t), 0);
	kr_foreign_default(&kr, false);
	assert_int_equal(run(&kr, &t), 2);
	assert_true(has(&t, "::", 1) && has(&t, "8000::", 1));
}

/* Another VPN's ::/1 is there first: ours is 8000::/1 alone, and its ::/1
 * is never deleted, not when we leave, not on a flush. */
static void
test_anothers_route_kept(void **state)
{
	struct kroutes kr;
	struct ktab t = {.r = {pfx("::", 1)}, .ours = {false}, .n = 1};
	struct prefix6 def = pfx("::", 0);
	struct kr_op ops[KR_OPS_MAX];

	(void)state;
	kr_init(&kr);
	kr_set(&kr, true, &def, 1024);
	assert_int_equal(run(&kr, &t), 2);
	assert_int_equal(t.n, 2);
	/* Found there: not asked for again, not deleted. */
	assert_int_equal(run(&kr, &t), 0);
	assert_int_equal(run_ops(&kr, &t, ops, kr_flush(&kr, ops, KR_OPS_MAX)), 1);
	assert_int_equal(t.n, 1);
	assert_true(has(&t, "::", 1));
	/* After someone else changed the table, worth asking again. */
	kr_set(&kr, true, &def, 1024);
	assert_int_equal(run(&kr, &t), 2); /* ::/1 EEXIST, 8000::/1 added */
	t.n = 0;                           /* the other VPN and ours went away */
	kr_recheck(&kr);
	assert_int_equal(run(&kr, &t), 1);
	assert_true(has(&t, "::", 1));
}

/* An explicit ::/1 and the default share the kernel route. */
static void
test_explicit_half_and_default(void **state)
{
	struct kroutes kr;
	struct ktab t = {0};
	struct prefix6 def = pfx("::", 0), half = pfx("::", 1);

	(void)state;
	kr_init(&kr);
	kr_set(&kr, true, &half, 1024);
	kr_set(&kr, true, &def, 1024);
	assert_int_equal(run(&kr, &t), 2);
	kr_set(&kr, false, &def, 1024);
	assert_int_equal(run(&kr, &t), 1);
	assert_true(has(&t, "::", 1));
	assert_false(has(&t, "8000::", 1));
}

/* Link down: ours go (XNU would keep them), the wishes with them; a
 * failed send is asked for again by the next plan. */
static void
test_flush_and_failures(void **state)
{
	struct kroutes kr;
	struct ktab t = {0};
	struct prefix6 a = pfx("2001:db8:1::", 64), b = pfx("2001:db8:2::", 48);
	struct kr_op ops[KR_OPS_MAX];
	size_t n;

	(void)state;
	kr_init(&kr);
	kr_set(&kr, true, &a, 256);
	kr_set(&kr, true, &b, 1024);
	n = kr_plan(&kr, ops, KR_OPS_MAX);
	assert_int_equal(n, 2);
	/* The first goes in; the kernel is out of buffers for the second. */
	run_ops(&kr, &t, ops, 1);
	kr_done(&kr, &ops[1], -ENOBUFS);
	assert_int_equal(kr_plan(&kr, ops, KR_OPS_MAX), 1);
	assert_true(ops[0].add);
	assert_int_equal(ops[0].p.plen, 48);
	assert_int_equal(run(&kr, &t), 1);
	assert_int_equal(t.n, 2);
	n = kr_flush(&kr, ops, KR_OPS_MAX);
	assert_int_equal(n, 2);
	run_ops(&kr, &t, ops, n);
	assert_int_equal(t.n, 0);
	assert_int_equal(kr_plan(&kr, ops, KR_OPS_MAX), 0);
	assert_int_equal(kr_set(&kr, false, &a, 256), -ENOENT);
}

static void
test_table_full(void **state)
{
	struct kroutes kr;
	struct prefix6 p = pfx("2001:db8::", 64);

	(void)state;
	kr_init(&kr);
	for (unsigned i = 0; i < KR_WANT_MAX; i++) {
		p.addr.s6_addr[4] = (uint8_t)i;
		assert_int_equal(kr_set(&kr, true, &p, 1024), 0);
	}
	p.addr.s6_addr[5] = 1;
	assert_int_equal(kr_set(&kr, true, &p, 1024), -ENOSPC);
	/* The plan bound holds even then. */
	struct kr_op ops[KR_OPS_MAX];
	assert_int_equal(kr_plan(&kr, ops, KR_OPS_MAX), KR_WANT_MAX);
	assert_int_equal(kr_plan(&kr, ops, 3), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_metrics_share),
	        cmocka_unit_test(test_default_is_two_halves),
	        cmocka_unit_test(test_foreign_default_yields),
	        cmocka_unit_test(test_anothers_route_kept),
	        cmocka_unit_test(test_explicit_half_and_default),
	        cmocka_unit_test(test_flush_and_failures),
	        cmocka_unit_test(test_table_full),
	};

	return cmocka_run_group_tests_name("dp_kroutes", tests, NULL, NULL);
}
