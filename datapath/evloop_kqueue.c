/*
 * evloop.h on macOS: one kqueue for the descriptors and the signals
 * (EVFILT_READ, EVFILT_WRITE, EVFILT_SIGNAL; SDK sys/event.h). The
 * bookkeeping (which filters each descriptor has, folding a wake-up's
 * kevents into one event per descriptor) is evloop_kq.c, tested on Linux.
 *
 * Signals: EVFILT_SIGNAL records a delivery even when the signal is
 * ignored (kqueue(2): "even if the signal has been marked as SIG_IGN"),
 * and the disposition is what stops it from killing us. So evl_open()
 * ignores them, the counterpart of epoll's blocked signals and signalfd.
 *
 * A kqueue is not inherited across fork() (kqueue(2)): main.c creates the
 * loop after daemon(). Changes are sent one kevent() call at a time, apart
 * from the waits, so that a refusal is this call's error.
 */
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/event.h>
#include <sys/time.h>
#include <unistd.h>

#include "evloop.h"
#include "evloop_kq.h"

#define EVL_MAX_BATCH 16

struct evloop {
	int kq;
	struct evkq t;
};

static int16_t
kq_filter(enum evkq_filter f)
{
	return f == EVKQ_READ ? EVFILT_READ : f == EVKQ_WRITE ? EVFILT_WRITE : EVFILT_SIGNAL;
}

static int
apply(struct evloop *l, const struct evkq_change *ch, unsigned n)
{
	struct kevent kev[EVKQ_CHANGES_MAX];

	if (n == 0)
		return 0;
	for (unsigned i = 0; i < n; i++)
		EV_SET(&kev[i], (uintptr_t)ch[i].ident, kq_filter(ch[i].filter),
		       ch[i].add ? EV_ADD : EV_DELETE, 0, 0, NULL);
	return kevent(l->kq, kev, (int)n, NULL, 0, NULL) < 0 ? -errno : 0;
}

int
evl_open(struct evloop **out, const int *sigs, unsigned n)
{
	struct evloop *l;
	int err;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -ENOMEM;
	evkq_init(&l->t);
	if ((l->kq = kqueue()) < 0)
		goto fail;
	for (unsigned i = 0; i < n; i++) {
		struct kevent kev;

		EV_SET(&kev, (uintptr_t)sigs[i], EVFILT_SIGNAL, EV_ADD, 0, 0, NULL);
		if (signal(sigs[i], SIG_IGN) == SIG_ERR ||
		    kevent(l->kq, &kev, 1, NULL, 0, NULL) < 0)
			goto fail;
	}
	*out = l;
	return 0;
fail:
	err = errno;
	if (l->kq >= 0)
		close(l->kq);
	free(l);
	return -err;
}

static int
set(struct evloop *l, int fd, unsigned tag, short events, int add)
{
	struct evkq_change ch[EVKQ_CHANGES_MAX];
	unsigned n, prev_tag = 0;
	short prev_events = -1;
	int r;

	(void)evkq_get(&l->t, fd, &prev_tag, &prev_events);
	if ((r = evkq_set(&l->t, fd, tag, events, add, ch, &n)) < 0)
		return r;
	if ((r = apply(l, ch, n)) < 0)
		evkq_undo(&l->t, fd, prev_tag, prev_events);
	return r;
}

int
evl_add(struct evloop *l, int fd, unsigned tag, short events)
{
	return set(l, fd, tag, events, 1);
}

int
evl_mod(struct evloop *l, int fd, unsigned tag, short events)
{
	return set(l, fd, tag, events, 0);
}

void
evl_del(struct evloop *l, int fd)
{
	struct evkq_change ch[EVKQ_CHANGES_MAX];
	unsigned n = evkq_del(&l->t, fd, ch);

	/* Closing fd already removed its knotes: ENOENT/EBADF are fine. */
	(void)apply(l, ch, n);
}

int
evl_wait(struct evloop *l, struct evl_event *ev, int max, int timeout_ms)
{
	struct kevent kev[EVL_MAX_BATCH];
	struct evkq_got got[EVL_MAX_BATCH];
	struct timespec ts, *tp = NULL;
	int n;

	if (max > EVL_MAX_BATCH)
		max = EVL_MAX_BATCH;
	if (timeout_ms >= 0) {
		ts.tv_sec = timeout_ms / 1000;
		ts.tv_nsec = (long)(timeout_ms % 1000) * 1000000;
		tp = &ts;
	}
	/* At most max kevents: folding never makes more events than it is
	 * given, so none (a signal's above all) is lost for want of room. */
	if ((n = kevent(l->kq, NULL, 0, kev, max, tp)) < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++)
		got[i] = (struct evkq_got){
		        .ident = (int)kev[i].ident,
		        .filter = kev[i].filter == EVFILT_READ    ? EVKQ_READ
		                  : kev[i].filter == EVFILT_WRITE ? EVKQ_WRITE
		                                                  : EVKQ_SIGNAL,
		        .eof = (kev[i].flags & EV_EOF) != 0,
		        .err = (kev[i].flags & EV_ERROR) != 0 ||
		               ((kev[i].flags & EV_EOF) && kev[i].fflags != 0),
		};
	return evkq_fold(&l->t, got, (unsigned)n, ev, max);
}

void
evl_close(struct evloop *l)
{
	if (l == NULL)
		return;
	close(l->kq);
	free(l);
}
