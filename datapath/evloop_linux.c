/*
 * evloop.h on Linux: epoll, and signals through a signalfd in the same set.
 *
 * epoll, not poll(): the descriptors are registered once, so a wake-up does
 * not set up and tear down a wait-queue entry on each of them, a cost paid
 * per packet whenever traffic is light (a ping, a request and its answer).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include "evloop.h"

#define EVL_MAX_BATCH 16

struct evloop {
	int ep;
	int sig_fd;
};

static uint32_t
to_epoll(short events)
{
	return (events & POLLIN ? EPOLLIN : 0) | (events & POLLOUT ? EPOLLOUT : 0);
}

int
evl_open(struct evloop **out, const int *sigs, unsigned n)
{
	struct epoll_event e = {.events = EPOLLIN, .data.u32 = EVL_TAG_SIGNAL};
	struct evloop *l;
	sigset_t mask;
	int err;

	if ((l = calloc(1, sizeof(*l))) == NULL)
		return -ENOMEM;
	l->sig_fd = -1;
	sigemptyset(&mask);
	for (unsigned i = 0; i < n; i++)
		sigaddset(&mask, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
	    (l->sig_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC)) < 0 ||
	    (l->ep = epoll_create1(EPOLL_CLOEXEC)) < 0 ||
	    epoll_ctl(l->ep, EPOLL_CTL_ADD, l->sig_fd, &e) < 0) {
		err = errno;
		if (l->sig_fd >= 0)
			close(l->sig_fd);
		free(l);
		return -err;
	}
	*out = l;
	return 0;
}

int
evl_add(struct evloop *l, int fd, unsigned tag, short events)
{
	struct epoll_event e = {.events = to_epoll(events), .data.u32 = tag};

	return epoll_ctl(l->ep, EPOLL_CTL_ADD, fd, &e) < 0 ? -errno : 0;
}

int
evl_mod(struct evloop *l, int fd, unsigned tag, short events)
{
	struct epoll_event e = {.events = to_epoll(events), .data.u32 = tag};

	return epoll_ctl(l->ep, EPOLL_CTL_MOD, fd, &e) < 0 ? -errno : 0;
}

void
evl_del(struct evloop *l, int fd)
{
	(void)epoll_ctl(l->ep, EPOLL_CTL_DEL, fd, NULL);
}

int
evl_wait(struct evloop *l, struct evl_event *ev, int max, int timeout_ms)
{
	struct epoll_event e[EVL_MAX_BATCH];
	int n, out = 0;

	if (max > EVL_MAX_BATCH)
		max = EVL_MAX_BATCH;
	if ((n = epoll_wait(l->ep, e, max, timeout_ms)) < 0)
		return errno == EINTR ? 0 : -errno;
	for (int i = 0; i < n; i++) {
		uint32_t got = e[i].events;

		if (e[i].data.u32 == EVL_TAG_SIGNAL) {
			struct signalfd_siginfo si;

			if (read(l->sig_fd, &si, sizeof(si)) != sizeof(si))
				continue;
			ev[out++] = (struct evl_event){.tag = EVL_TAG_SIGNAL,
			                               .signo = (int)si.ssi_signo};
			continue;
		}
		/* The EPOLL* bits are the POLL* ones on Linux; spelled out all the same. */
		ev[out++] = (struct evl_event){
		        .tag = e[i].data.u32,
		        .revents = (short)((got & EPOLLIN ? POLLIN : 0) |
		                           (got & EPOLLOUT ? POLLOUT : 0) |
		                           (got & EPOLLHUP ? POLLHUP : 0) |
		                           (got & EPOLLERR ? POLLERR : 0)),
		};
	}
	return out;
}

void
evl_close(struct evloop *l)
{
	if (l == NULL)
		return;
	close(l->ep);
	close(l->sig_fd);
	free(l);
}
