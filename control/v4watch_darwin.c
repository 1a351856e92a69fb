/*
 * IPv4 address watch on macOS: a routing socket (PF_ROUTE), which any user
 * may open and read (XNU bsd/net/rtsock.c: only changes need SS_PRIV). As
 * on Linux the messages are only a trigger: after the debounce the caller
 * asks the kernel for its current state.
 *
 * What starts a re-read (XNU bsd/net/rtsock.c rt_newaddrmsg, rt_ifmsg;
 * SDK net/route.h, net/if.h; parsing and choice: common/rtmsg.c
 * rtmsg_ipv4_change()):
 * - RTM_NEWADDR / RTM_DELADDR of an IPv4 address (DHCP, moving networks);
 * - RTM_IFINFO: an interface went up or down;
 * - an IPv4 route to a network changing, the default route above all: on a
 *   Mac the addresses may stay while the primary interface changes (Wi-Fi
 *   to Ethernet), and `locator auto` follows the route to the router. Host
 *   entries (RTF_HOST, ARP's RTF_LLINFO, cloned RTF_WASCLONED) come and go
 *   all the time and change nothing here: ignored. macOS keeps a scoped
 *   default per interface (RTF_IFSCOPE) beside the primary one; those count
 *   too, they change with the interfaces (tailscale
 *   net/netmon/interfaces_bsd.go isDefaultGateway reads the same flags).
 *
 * The socket is opened unfiltered (family 0): RTM_IFINFO carries no family
 * and a socket opened for AF_INET would not get it (XNU raw_usrreq.c
 * raw_input matches sp_protocol). XNU drops what does not fit the receive
 * buffer without a word (raw_input: sbappendaddr failing), where Linux says
 * ENOBUFS: the buffer is made large, and the periodic PRL refresh catches
 * up with what was lost.
 *
 * Not tried on a real Mac: run-time behaviour as read in the sources above.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "log.h"
#include "rtmsg.h"
#include "v4watch.h"

#define V4WATCH_BUF    4096
#define V4WATCH_RCVBUF (256 * 1024)

struct v4watch {
	uv_loop_t *loop;
	int fd;
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

static void
v4watch_readable(uv_poll_t *p, int status, int events)
{
	struct v4watch *w = p->data;

	for (;;) {
		ssize_t n = recv(w->fd, w->buf, sizeof(w->buf), MSG_DONTWAIT);
		struct rtmsg m;
		size_t used;

		if (n <= 0) {
			if (n == 0 || errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR)
				return;
			w->counters.errors++;
			log_warn("v4watch: recv");
			return;
		}
		w->counters.messages++;
		switch (rtmsg_parse(w->buf, (size_t)n, &m, &used)) {
		case RTMSG_OK:
			if (rtmsg_ipv4_change(&m))
				v4watch_kick(w);
			break;
		case RTMSG_UNKNOWN:
			break;
		default:
			w->counters.errors++;
			break;
		}
	}
}

int
v4watch_new(uv_loop_t *loop, v4watch_fn changed, void *ctx, struct v4watch **out)
{
	struct v4watch *w = calloc(1, sizeof(*w));
	int r, size = V4WATCH_RCVBUF;

	if (w == NULL)
		return -ENOMEM;
	w->loop = loop;
	w->changed = changed;
	w->ctx = ctx;
	if ((w->fd = socket(PF_ROUTE, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, AF_UNSPEC)) < 0) {
		r = -errno;
		free(w);
		return r;
	}
	(void)setsockopt(w->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	if ((r = uv_poll_init(loop, &w->poll, w->fd)) < 0) {
		close(w->fd);
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
		close(w->fd);
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
