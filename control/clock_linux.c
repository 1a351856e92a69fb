/*
 * control/clock.h on Linux: CLOCK_BOOTTIME, which counts suspend, and a
 * timerfd on CLOCK_BOOTTIME with an absolute expiry, watched by the loop
 * (uv_poll): the kernel fires it as soon as the clock passes the deadline,
 * which after a suspend is at resume. Where the kernel has no timerfd (or
 * refuses one), a uv_timer for the remaining time is the fallback: right
 * while awake, late by the time asleep.
 */
#include <errno.h>
#include <stdlib.h>
#include <sys/timerfd.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

uint64_t
ctl_clock_ms(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_BOOTTIME, &ts) < 0)
		clock_gettime(CLOCK_MONOTONIC, &ts); /* never fails */
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

struct ctl_wake {
	void (*cb)(void *arg);
	void *arg;
	int fd; /* -1: the uv_timer fallback */
	union {
		uv_poll_t poll;
		uv_timer_t timer;
	} h;
};

static void wake_closed(uv_handle_t *h);

static void
wake_poll_cb(uv_poll_t *p, int status, int events)
{
	struct ctl_wake *w = p->data;
	uint64_t expirations;

	/* Drain it: a level-triggered fd would wake the loop again. */
	if (read(w->fd, &expirations, sizeof(expirations)) != sizeof(expirations))
		return; /* EAGAIN: re-armed in between, nothing due */
	w->cb(w->arg);
}

static void
wake_timer_cb(uv_timer_t *t)
{
	struct ctl_wake *w = t->data;

	w->cb(w->arg);
}

int
ctl_wake_open(uv_loop_t *loop, void (*cb)(void *arg), void *arg, struct ctl_wake **out)
{
	struct ctl_wake *w = calloc(1, sizeof(*w));
	int r;

	if (w == NULL)
		return -ENOMEM;
	w->cb = cb;
	w->arg = arg;
	w->fd = timerfd_create(CLOCK_BOOTTIME, TFD_NONBLOCK | TFD_CLOEXEC);
	if (w->fd >= 0 && (r = uv_poll_init(loop, &w->h.poll, w->fd)) == 0) {
		w->h.poll.data = w;
		if ((r = uv_poll_start(&w->h.poll, UV_READABLE, wake_poll_cb)) < 0) {
			uv_close((uv_handle_t *)&w->h.poll, wake_closed); /* closes fd, frees */
			return r;
		}
	} else {
		if (w->fd >= 0)
			close(w->fd);
		w->fd = -1;
		log_warn("timerfd on CLOCK_BOOTTIME; deadlines may fire late after a suspend");
		uv_timer_init(loop, &w->h.timer);
		w->h.timer.data = w;
	}
	*out = w;
	return 0;
}

void
ctl_wake_at(struct ctl_wake *w, uint64_t deadline_ms)
{
	struct itimerspec its = {{0, 0}, {0, 0}};
	uint64_t now;

	if (w->fd < 0) {
		if (deadline_ms == UINT64_MAX) {
			uv_timer_stop(&w->h.timer);
			return;
		}
		now = ctl_clock_ms();
		uv_timer_start(&w->h.timer, wake_timer_cb,
		               deadline_ms > now ? deadline_ms - now : 0, 0);
		return;
	}
	if (deadline_ms != UINT64_MAX) {
		/* Absolute on CLOCK_BOOTTIME; a zero value would disarm, and a
		 * time in the past fires at once. */
		its.it_value.tv_sec = (time_t)(deadline_ms / 1000);
		its.it_value.tv_nsec = (long)(deadline_ms % 1000) * 1000000;
		if (its.it_value.tv_sec == 0 && its.it_value.tv_nsec == 0)
			its.it_value.tv_nsec = 1;
	}
	if (timerfd_settime(w->fd, TFD_TIMER_ABSTIME, &its, NULL) < 0)
		log_warn("timerfd_settime");
}

static void
wake_closed(uv_handle_t *h)
{
	struct ctl_wake *w = h->data;

	if (w->fd >= 0)
		close(w->fd);
	free(w);
}

void
ctl_wake_close(struct ctl_wake *w)
{
	if (w == NULL)
		return;
	uv_close((uv_handle_t *)&w->h, wake_closed);
}
