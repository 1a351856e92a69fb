/*
 * control/clock.h on macOS: mach_continuous_time(), which counts sleep
 * (mach_absolute_time() and libuv's clock do not), and a kqueue timer on
 * that clock (EVFILT_TIMER with NOTE_MACHTIME | NOTE_MACH_CONTINUOUS_TIME |
 * NOTE_ABSOLUTE: an absolute deadline on the continuous clock, which XNU
 * fires at wake when it passed during sleep; <sys/event.h>), in a kqueue of
 * its own watched by the loop (uv_poll). Written from the SDK's headers;
 * the macOS port owns it from here.
 */
#include <errno.h>
#include <mach/mach_time.h>
#include <stdlib.h>
#include <sys/event.h>
#include <unistd.h>

#include "clock.h"
#include "log.h"

static mach_timebase_info_data_t timebase;

static void
timebase_init(void)
{
	if (timebase.denom == 0 && mach_timebase_info(&timebase) != KERN_SUCCESS) {
		timebase.numer = 1;
		timebase.denom = 1;
	}
}

uint64_t
ctl_clock_ms(void)
{
	timebase_init();
	/* ticks x numer / denom = ns; in two steps, so that it does not
	 * overflow for centuries of uptime. */
	return mach_continuous_time() / 1000000 * timebase.numer / timebase.denom;
}

/* ms of ctl_clock_ms() as continuous-time ticks. */
static uint64_t
ms_to_ticks(uint64_t ms)
{
	timebase_init();
	return ms * 1000000 / timebase.numer * timebase.denom;
}

struct ctl_wake {
	void (*cb)(void *arg);
	void *arg;
	int kq;
	uv_poll_t poll;
};

static void
wake_poll_cb(uv_poll_t *p, int status, int events)
{
	struct ctl_wake *w = p->data;
	const struct timespec zero = {0, 0};
	struct kevent ev;

	/* The timer's event, consumed (a one-shot); none: re-armed meanwhile. */
	if (kevent(w->kq, NULL, 0, &ev, 1, &zero) != 1)
		return;
	w->cb(w->arg);
}

static void
wake_closed(uv_handle_t *h)
{
	struct ctl_wake *w = h->data;

	close(w->kq);
	free(w);
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
	if ((w->kq = kqueue()) < 0) {
		r = -errno;
		free(w);
		return r;
	}
	if ((r = uv_poll_init(loop, &w->poll, w->kq)) < 0) {
		close(w->kq);
		free(w);
		return r;
	}
	w->poll.data = w;
	if ((r = uv_poll_start(&w->poll, UV_READABLE, wake_poll_cb)) < 0) {
		uv_close((uv_handle_t *)&w->poll, wake_closed);
		return r;
	}
	*out = w;
	return 0;
}

void
ctl_wake_at(struct ctl_wake *w, uint64_t deadline_ms)
{
	struct kevent kev;

	/* One timer, replaced or removed (ENOENT: none was armed). */
	EV_SET(&kev, 1, EVFILT_TIMER, EV_DELETE, 0, 0, NULL);
	(void)kevent(w->kq, &kev, 1, NULL, 0, NULL);
	if (deadline_ms == UINT64_MAX)
		return;
	EV_SET(&kev, 1, EVFILT_TIMER, EV_ADD | EV_ONESHOT,
	       NOTE_ABSOLUTE | NOTE_MACHTIME | NOTE_MACH_CONTINUOUS_TIME,
	       (intptr_t)ms_to_ticks(deadline_ms), NULL);
	if (kevent(w->kq, &kev, 1, NULL, 0, NULL) < 0)
		log_warn("kevent EVFILT_TIMER");
}

void
ctl_wake_close(struct ctl_wake *w)
{
	if (w == NULL)
		return;
	uv_close((uv_handle_t *)&w->poll, wake_closed);
}
