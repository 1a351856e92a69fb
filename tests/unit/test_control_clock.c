/*
 * Time across suspend (review finding 7): the clock control feeds its core
 * counts suspend (CLOCK_BOOTTIME), its wake-up is on that clock and fires
 * at once for a deadline already past (what a resume is), and the glue
 * (ctl_tick()) then expires what the time asleep ended. The glue runs here
 * with a clock of the test's (ctl.now_fn, ctl.arm_fn), where a "suspend"
 * moves the boot clock and not the monotonic one.
 */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <string.h>
#include <time.h>

#include <cmocka.h>

#include "control/clock.h"
#include "control/control.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_ra.h"

static uint64_t
clock_ms(clockid_t id)
{
	struct timespec ts;

	assert_int_equal(clock_gettime(id, &ts), 0);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
test_clock_counts_suspend(void **state)
{
	uint64_t b0 = clock_ms(CLOCK_BOOTTIME), c = ctl_clock_ms(), b1 = clock_ms(CLOCK_BOOTTIME);

	(void)state;
	assert_true(c >= b0 && c <= b1);
	/* CLOCK_MONOTONIC lags it by every suspend since boot. */
	assert_true(c + 1 >= clock_ms(CLOCK_MONOTONIC));
}

struct wake_fx {
	int fired;
	uint64_t at;
};

static void
on_wake(void *arg)
{
	struct wake_fx *f = arg;

	f->fired++;
	f->at = ctl_clock_ms();
}

/* Runs the loop until the wake-up fired or `ms` passed. */
static void
run_for(uv_loop_t *loop, struct wake_fx *f, uint64_t ms)
{
	uint64_t end = ctl_clock_ms() + ms;
	int before = f->fired;

	while (f->fired == before && ctl_clock_ms() < end)
		uv_run(loop, UV_RUN_NOWAIT);
}

static void
test_wake(void **state)
{
	uv_loop_t loop;
	struct ctl_wake *w;
	struct wake_fx f = {0};
	uint64_t t0;

	(void)state;
	assert_int_equal(uv_loop_init(&loop), 0);
	assert_int_equal(ctl_wake_open(&loop, on_wake, &f, &w), 0);
	/* On time, on the boot clock. */
	t0 = ctl_clock_ms();
	ctl_wake_at(w, t0 + 50);
	run_for(&loop, &f, 2000);
	assert_int_equal(f.fired, 1);
	assert_true(f.at >= t0 + 50 && f.at < t0 + 1000);
	/* A deadline already past (a resume after it): at once. */
	t0 = ctl_clock_ms();
	ctl_wake_at(w, t0 - 5000);
	run_for(&loop, &f, 2000);
	assert_int_equal(f.fired, 2);
	assert_true(f.at < t0 + 200);
	/* Re-armed later: the earlier deadline is gone; disarmed: never. */
	t0 = ctl_clock_ms();
	ctl_wake_at(w, t0 + 30);
	ctl_wake_at(w, t0 + 300);
	run_for(&loop, &f, 2000);
	assert_int_equal(f.fired, 3);
	assert_true(f.at >= t0 + 300);
	ctl_wake_at(w, ctl_clock_ms() + 50);
	ctl_wake_at(w, UINT64_MAX);
	run_for(&loop, &f, 300);
	assert_int_equal(f.fired, 3);
	ctl_wake_close(w);
	uv_run(&loop, UV_RUN_DEFAULT);
	assert_int_equal(uv_loop_close(&loop), 0);
}

/* ---- the glue across a "suspend" -------------------------------------------- */

static uint64_t boot_ms, mono_ms, armed;
static bool use_boot;

static uint64_t
fake_now(struct ctl *ctl)
{
	return use_boot ? boot_ms : mono_ms;
}

static void
fake_arm(struct ctl *ctl, uint64_t deadline)
{
	armed = deadline;
}

/*
 * Locator 192.0.2.1, an RA from 192.0.2.254 with router lifetime 300 and a
 * prefix valid 400 s; then the machine sleeps 600 s (the boot clock moves,
 * the monotonic one does not) and wakes: the deadline armed before has
 * passed on the boot clock, so the wake-up fires (test_wake), and the tick
 * must find the address gone. Returns how many addresses are left.
 */
static size_t
sleep_600s(bool boot)
{
	struct ctl ctl;
	struct core_config cfg;
	struct tu_ra b;
	uint8_t pkt[40 + TU_RA_MAX];
	size_t len, left;

	use_boot = boot;
	boot_ms = mono_ms = 5000000;
	armed = CORE_NO_DEADLINE;
	memset(&ctl, 0, sizeof(ctl));
	ctl.now_fn = fake_now;
	ctl.arm_fn = fake_arm;
	/* -l 192.0.2.1: the glue's locator re-evaluations keep it. */
	ctl.conf.locator = CONF_LOCATOR_STATIC;
	ctl.conf.locator_v4 = tu_a4("192.0.2.1");
	memset(&cfg, 0, sizeof(cfg));
	strcpy(cfg.routers[0], "192.0.2.254");
	cfg.n_routers = 1;
	ctl.core = core_new(&cfg, ctl_now(&ctl));
	assert_non_null(ctl.core);
	assert_int_equal(
	        core_set_locator(ctl.core, ctl_now(&ctl), tu_a4("192.0.2.1"), CORE_LOC_STATIC), 0);
	tu_ra_init(&b, 300, 0);
	tu_ra_pio(&b, "2001:db8:1::", 64, true, true, 400, 300);
	len = tu_ra_packet(&b, "fe80::5efe:c000:2fe", "fe80::5efe:c000:201", pkt);
	assert_int_equal(
	        core_nd_input(ctl.core, ctl_now(&ctl), tu_a4("192.0.2.254"), pkt, len, NULL),
	        CORE_ND_RA_ACCEPTED);
	ctl_run_core(&ctl);
	assert_int_equal(core_addresses(ctl.core, ctl_now(&ctl), NULL, 0), 1);
	assert_true(armed != CORE_NO_DEADLINE && armed <= boot_ms + 400000);
	/* Asleep 600 s, awake: on the boot clock the deadline is due, so the
	 * wake-up fires and the glue ticks. */
	boot_ms += 600000;
	ctl_tick(&ctl);
	left = core_addresses(ctl.core, ctl_now(&ctl), NULL, 0);
	core_free(ctl.core);
	return left;
}

static void
test_suspend_ages_address(void **state)
{
	(void)state;
	/* The boot clock: the valid lifetime ended during the sleep. */
	assert_int_equal(sleep_600s(true), 0);
	/* The monotonic clock (libuv's, what control used): the address
	 * outlives its lifetime by the time asleep (review finding 7). */
	assert_int_equal(sleep_600s(false), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
	        cmocka_unit_test(test_clock_counts_suspend),
	        cmocka_unit_test(test_wake),
	        cmocka_unit_test(test_suspend_ages_address),
	};

	return cmocka_run_group_tests_name("control_clock", tests, NULL, NULL);
}
