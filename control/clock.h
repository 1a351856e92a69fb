/*
 * The one clock isatap-control feeds its core, and the wake-up at the
 * core's next deadline on that clock. One file per system behind it:
 * clock_linux.c (CLOCK_BOOTTIME, a timerfd on it watched by the loop);
 * macOS: mach_continuous_time() (clock_darwin.c).
 *
 * Lifetimes (addresses, routers, routes, RDNSS, DNSSL) must age while the
 * machine sleeps, or a laptop that wakes after three hours keeps what
 * expired during them (review finding 7). CLOCK_MONOTONIC, libuv's clock,
 * stops during suspend; so do libuv's timers, which is why the wake-up is
 * not a uv_timer: it must fire at once when the machine resumes past it.
 */
#ifndef ISATAP_CONTROL_CLOCK_H
#define ISATAP_CONTROL_CLOCK_H

#include <stdint.h>
#include <uv.h>

/* Milliseconds since an arbitrary origin, counting time suspended. */
uint64_t ctl_clock_ms(void);

struct ctl_wake;

/* A wake-up on ctl_clock_ms()'s clock: cb(arg) runs on the loop when it is
 * due, also when the machine was asleep at the time. 0 or -errno. */
int ctl_wake_open(uv_loop_t *loop, void (*cb)(void *arg), void *arg, struct ctl_wake **out);
/* Arms it for deadline_ms (ctl_clock_ms() time; one in the past fires at
 * once), replacing any earlier one; UINT64_MAX disarms it. */
void ctl_wake_at(struct ctl_wake *w, uint64_t deadline_ms);
/* Stops it; the memory goes once the loop has closed its handle. */
void ctl_wake_close(struct ctl_wake *w);

#endif
