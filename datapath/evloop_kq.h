/*
 * The bookkeeping of evloop_kqueue.c, apart from kqueue itself so that it is
 * tested here: which filters each registered descriptor has in the kqueue,
 * the changes that evl_add/evl_mod/evl_del come to, and how a wake-up's
 * kevents fold into evloop.h's one event per descriptor with poll(2) bits.
 *
 * kqueue keeps reading and writing apart (one EVFILT_READ, one EVFILT_WRITE
 * knote per descriptor: SDK sys/event.h; XNU bsd/man/man2/kqueue.2), and a
 * delete of a filter that is not there fails with ENOENT: hence the table.
 * EV_EOF on a socket is the peer's hang-up (POLLHUP; POLLERR when fflags
 * holds a socket error), as poll(2) reports it on XNU (bsd/kern/sys_generic.c
 * poll_callback).
 */
#ifndef ISATAP_DATAPATH_EVLOOP_KQ_H
#define ISATAP_DATAPATH_EVLOOP_KQ_H

#include <stddef.h>

#include "evloop.h"

#define EVKQ_FDS_MAX 16 /* main.c registers five */

enum evkq_filter { EVKQ_READ, EVKQ_WRITE, EVKQ_SIGNAL };

/* One change for the kqueue: add or delete one filter of ident. */
struct evkq_change {
	int ident;
	enum evkq_filter filter;
	int add;
};

/* One kevent returned by a wait, reduced to what matters here. */
struct evkq_got {
	int ident;
	enum evkq_filter filter;
	int eof; /* EV_EOF */
	int err; /* EV_ERROR, or an EV_EOF with a socket error in fflags */
};

struct evkq {
	struct {
		int fd;
		unsigned tag;
		short events; /* POLLIN | POLLOUT */
	} fds[EVKQ_FDS_MAX];
	unsigned n;
};

#define EVKQ_CHANGES_MAX 2

void evkq_init(struct evkq *t);
/*
 * Registers fd (add) or changes what it waits for (mod): the changes to
 * send (at most EVKQ_CHANGES_MAX) into ch, their number into *n. -EEXIST
 * for an add of a known fd, -ENOENT for a mod of an unknown one, -ENOSPC
 * past EVKQ_FDS_MAX. The table is updated: call evkq_undo() when the
 * kqueue refuses the changes.
 */
int evkq_set(struct evkq *t, int fd, unsigned tag, short events, int add, struct evkq_change *ch,
             unsigned *n);
/* Puts fd back as it was before the last evkq_set() (prev_events < 0: it
 * was not registered). */
void evkq_undo(struct evkq *t, int fd, unsigned prev_tag, short prev_events);
/* Forgets fd; the deletions its filters need (none when unknown). */
unsigned evkq_del(struct evkq *t, int fd, struct evkq_change *ch);
/* The registration of fd: 0 and its tag and events, or -ENOENT. */
int evkq_get(const struct evkq *t, int fd, unsigned *tag, short *events);
/*
 * Folds n kevents into at most max evloop events, one per descriptor (its
 * tag and the poll(2) bits of all its kevents), and one per signal
 * (EVL_TAG_SIGNAL, signo = ident). Kevents of a descriptor no longer
 * registered are dropped. Returns how many events were written.
 */
int evkq_fold(const struct evkq *t, const struct evkq_got *got, unsigned n, struct evl_event *ev,
              int max);

#endif
