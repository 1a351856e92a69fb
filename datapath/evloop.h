/*
 * The datapath's event loop: one small interface, one file per system
 * (evloop_linux.c: epoll and signalfd; evloop_kqueue.c: kqueue with
 * EVFILT_SIGNAL), so that main.c reads the same on Linux and macOS.
 *
 * Descriptors are registered once with a tag of the caller's choosing and
 * the poll(2) bits it wants (POLLIN, POLLOUT); a wake-up returns, per ready
 * descriptor, its tag and the poll(2) bits that happened (POLLIN, POLLOUT,
 * POLLHUP, POLLERR). The signals named at evl_open() are blocked (or, on
 * kqueue, ignored) and come back through the loop as events whose tag is
 * EVL_TAG_SIGNAL, never in the middle of forwarding.
 */
#ifndef ISATAP_DATAPATH_EVLOOP_H
#define ISATAP_DATAPATH_EVLOOP_H

#include <poll.h>

#define EVL_TAG_SIGNAL 0xffffu

struct evl_event {
	unsigned tag;
	short revents; /* poll(2) bits */
	int signo;     /* with EVL_TAG_SIGNAL */
};

struct evloop;

/* Creates the loop and takes over the signals sigs[0..n). Must run before
 * the sandbox: neither epoll_create1/signalfd nor kqueue is allowed after. */
int evl_open(struct evloop **out, const int *sigs, unsigned n);
/* Registers fd with tag, waiting for events (POLLIN and/or POLLOUT; 0 keeps
 * it registered but silent). -errno on failure. */
int evl_add(struct evloop *l, int fd, unsigned tag, short events);
/* Changes what fd waits for. */
int evl_mod(struct evloop *l, int fd, unsigned tag, short events);
/* Forgets fd; harmless when fd was already closed (which also removes it). */
void evl_del(struct evloop *l, int fd);
/* Waits up to timeout_ms (-1: for ever) and fills at most max events: how
 * many, 0 on timeout or interruption, or -errno. */
int evl_wait(struct evloop *l, struct evl_event *ev, int max, int timeout_ms);
void evl_close(struct evloop *l);

#endif
