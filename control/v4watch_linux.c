/*
 * IPv4 address watch on Linux: an rtnetlink socket joined to the IPv4
 * address, IPv4 route and link groups. Joining these multicast groups needs
 * no privilege. The messages are only a trigger: after the debounce the
 * caller re-reads the kernel's current state, so a lost notification
 * (ENOBUFS) costs nothing but another re-read.
 */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "v4watch.h"

/* The kernel sends at most NLMSG_GOODSIZE (one page, <= 8 KiB) per datagram. */
#define V4WATCH_BUF 8192

struct v4watch {
	uv_loop_t *loop;
	struct mnl_socket *nl;
	uv_poll_t poll;
	uv_timer_t debounce;
	unsigned open_handles;
	v4watch_fn changed;
	void *ctx;
	struct v4watch_counters counters;
	uint8_t buf[V4WATCH_BUF];
};

static void
v4watch_fire(uv_timer_t *t)
{
	struct v4watch *w = t->data;

	w->changed(w->ctx);
}

static void
v4watch_kick(struct v4watch *w)
{
	w->counters.changes++;
	/* Restarting the timer is the debounce: only the last of a burst fires. */
	uv_timer_start(&w->debounce, v4watch_fire, V4WATCH_DEBOUNCE_MS, 0);
}

static int
v4watch_msg(const struct nlmsghdr *nlh, void *data)
{
	struct v4watch *w = data;

	switch (nlh->nlmsg_type) {
	case RTM_NEWADDR:
	case RTM_DELADDR: {
		const struct ifaddrmsg *ifa;

		if (mnl_nlmsg_get_payload_len(nlh) < sizeof(*ifa))
			return MNL_CB_OK;
		ifa = mnl_nlmsg_get_payload(nlh);
		if (ifa->ifa_family == AF_INET)
			v4watch_kick(w);
		break;
	}
	case RTM_NEWROUTE:
	case RTM_DELROUTE:
	case RTM_NEWLINK:
	case RTM_DELLINK:
		v4watch_kick(w);
		break;
	default:
		break;
	}
	return MNL_CB_OK;
}

static void
v4watch_readable(uv_poll_t *p, int status, int events)
{
	struct v4watch *w = p->data;

	for (;;) {
		ssize_t n = mnl_socket_recvfrom(w->nl, w->buf, sizeof(w->buf));

		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			if (errno == ENOBUFS) {
				/* The kernel dropped notifications: re-read all. */
				w->counters.overruns++;
				v4watch_kick(w);
				continue;
			}
			w->counters.errors++;
			log_warn("v4watch: recv");
			return;
		}
		w->counters.messages++;
		if (mnl_cb_run(w->buf, (size_t)n, 0, 0, v4watch_msg, w) < 0)
			w->counters.errors++;
	}
}

int
v4watch_new(uv_loop_t *loop, v4watch_fn changed, void *ctx, struct v4watch **out)
{
	struct v4watch *w = calloc(1, sizeof(*w));
	int r;

	if (w == NULL)
		return -ENOMEM;
	w->loop = loop;
	w->changed = changed;
	w->ctx = ctx;
	w->nl = mnl_socket_open2(NETLINK_ROUTE, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (w->nl == NULL) {
		r = -errno;
		free(w);
		return r;
	}
	if (mnl_socket_bind(w->nl, RTMGRP_IPV4_IFADDR | RTMGRP_IPV4_ROUTE | RTMGRP_LINK,
	                    MNL_SOCKET_AUTOPID) < 0) {
		r = -errno;
		mnl_socket_close(w->nl);
		free(w);
		return r;
	}
	r = uv_poll_init(loop, &w->poll, mnl_socket_get_fd(w->nl));
	if (r < 0) {
		mnl_socket_close(w->nl);
		free(w);
		return r;
	}
	uv_timer_init(loop, &w->debounce);
	w->poll.data = w;
	w->debounce.data = w;
	w->open_handles = 2;
	uv_poll_start(&w->poll, UV_READABLE, v4watch_readable);
	*out = w;
	return 0;
}

static void
v4watch_closed(uv_handle_t *h)
{
	struct v4watch *w = h->data;

	if (--w->open_handles == 0) {
		mnl_socket_close(w->nl);
		free(w);
	}
}

void
v4watch_close(struct v4watch *w)
{
	if (w == NULL)
		return;
	uv_close((uv_handle_t *)&w->poll, v4watch_closed);
	uv_close((uv_handle_t *)&w->debounce, v4watch_closed);
}

const struct v4watch_counters *
v4watch_get_counters(const struct v4watch *w)
{
	return &w->counters;
}
