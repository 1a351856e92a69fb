/*
 * The datapath link. One fixed receive buffer holds at most one frame; every
 * payload is copied into an aligned union msg_payload and checked with
 * msg_check_hdr()/msg_check_payload() before it is looked at. The datapath
 * serves one stream in order, so replies come in the order of the requests:
 * a reply that is not for the oldest request in flight is a protocol error.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "dplink.h"
#include "log.h"

/* What a request is answered with. */
static uint16_t
dplink_reply_type(uint16_t req)
{
	switch (req) {
	case MSG_HELLO:
		return MSG_HELLO_REPLY;
	case MSG_GET_STATE:
		return MSG_STATE;
	case MSG_GET_COUNTERS:
		return MSG_COUNTERS;
	case MSG_GET_PRL_STATS:
		return MSG_PRL_STATS;
	case MSG_GET_FASTPATH:
		return MSG_FASTPATH;
	default:
		return MSG_RESULT;
	}
}

struct dplink_inflight {
	uint32_t seq;
	uint16_t type;
};

struct dplink_write {
	uv_write_t req;
	size_t len;
	uint8_t buf[]; /* header + payload */
};

struct dplink {
	uv_loop_t *loop;
	char path[108];
	const struct dplink_ops *ops;
	void *ctx;
	enum dplink_state state;
	bool closing; /* dplink_close() called */
	unsigned open_handles;

	uv_pipe_t pipe;
	bool pipe_open;
	uv_connect_t connect_req;
	uv_timer_t timer;     /* backoff and handshake deadline */
	uv_timer_t ctr_timer; /* GET_COUNTERS */
	uint64_t backoff_ms;

	uint32_t next_seq;
	struct dplink_inflight inflight[DPLINK_INFLIGHT_MAX];
	size_t inflight_head, n_inflight;

	uint8_t rbuf[sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD];
	size_t rlen;
	union msg_payload rpayload; /* the frame being handled, aligned */

	bool have_hello, have_counters, have_fastpath;
	struct msg_hello_reply hello;
	struct msg_counters dp_counters;
	struct msg_fastpath fastpath;
	struct dplink_counters counters;
	struct log_rate rate;
};

static const char *const dplink_state_names[DPLINK_STATE_COUNT] = {
        [DPLINK_IDLE] = "idle",   [DPLINK_CONNECTING] = "connecting",
        [DPLINK_HELLO] = "hello", [DPLINK_STATE] = "get_state",
        [DPLINK_READY] = "ready", [DPLINK_CLOSING] = "closing",
};

const char *
dplink_state_name(enum dplink_state s)
{
	return (unsigned)s < DPLINK_STATE_COUNT ? dplink_state_names[s] : "invalid";
}

static void dplink_connect(struct dplink *dl);
static void dplink_drop(struct dplink *dl, const char *why);

static void
dplink_retry(uv_timer_t *t)
{
	dplink_connect(t->data);
}

static void
dplink_maybe_free(struct dplink *dl)
{
	if (dl->closing && dl->open_handles == 0)
		free(dl);
}

static void
dplink_handle_closed(uv_handle_t *h)
{
	struct dplink *dl = h->data;

	if (h == (uv_handle_t *)&dl->pipe)
		dl->pipe_open = false;
	dl->open_handles--;
	if (h == (uv_handle_t *)&dl->pipe && !dl->closing) {
		/* Ready for the next attempt once the old pipe is gone. */
		uv_timer_start(&dl->timer, dplink_retry, dl->backoff_ms, 0);
		dl->backoff_ms = dl->backoff_ms * 2 > DPLINK_BACKOFF_MAX_MS ? DPLINK_BACKOFF_MAX_MS
		                                                            : dl->backoff_ms * 2;
	}
	dplink_maybe_free(dl);
}

/* Closes the connection and schedules a reconnect with backoff. */
static void
dplink_drop(struct dplink *dl, const char *why)
{
	bool was_ready = dl->state == DPLINK_READY;

	if (!dl->pipe_open || uv_is_closing((uv_handle_t *)&dl->pipe))
		return;
	if (why != NULL && log_ratelimit(&dl->rate, uv_now(dl->loop), NULL))
		log_warnx("datapath %s: %s", dl->path, why);
	dl->state = DPLINK_IDLE;
	dl->n_inflight = 0;
	dl->rlen = 0;
	dl->have_counters = false;
	dl->have_fastpath = false;
	uv_timer_stop(&dl->timer);
	uv_timer_stop(&dl->ctr_timer);
	uv_close((uv_handle_t *)&dl->pipe, dplink_handle_closed);
	if (was_ready) {
		dl->counters.disconnects++;
		dl->ops->disconnected(dl->ctx);
	}
}

static void
dplink_write_cb(uv_write_t *req, int status)
{
	struct dplink_write *w = (struct dplink_write *)req;
	struct dplink *dl = req->data;

	free(w);
	if (status < 0 && status != UV_ECANCELED)
		dplink_drop(dl, uv_strerror(status));
}

/* Frames and sends; records the request as in flight. */
static int
dplink_write(struct dplink *dl, uint16_t type, const void *payload, uint16_t len)
{
	struct msg_hdr h = {.type = type, .len = len};
	uv_stream_t *s = (uv_stream_t *)&dl->pipe;
	uint8_t frame[sizeof(h) + MSG_MAX_PAYLOAD];
	size_t total = sizeof(h) + len, done = 0;
	struct dplink_write *w;
	uv_buf_t b;
	int n;

	if (msg_payload_size(type) != (int)len)
		return -EINVAL;
	if (dl->n_inflight == DPLINK_INFLIGHT_MAX) {
		dplink_drop(dl, "too many requests in flight");
		return -ENOBUFS;
	}
	/* Never 0: unsolicited messages carry seq 0. */
	if (++dl->next_seq == 0)
		dl->next_seq = 1;
	h.seq = dl->next_seq;
	memcpy(frame, &h, sizeof(h));
	if (len > 0) /* GET_STATE and GET_COUNTERS have no payload (and pass NULL) */
		memcpy(frame + sizeof(h), payload, len);
	if (uv_stream_get_write_queue_size(s) == 0) {
		b = uv_buf_init((char *)frame, (unsigned)total);
		n = uv_try_write(s, &b, 1);
		if (n < 0 && n != UV_EAGAIN) {
			dplink_drop(dl, uv_strerror(n));
			return n;
		}
		if (n > 0)
			done = (size_t)n;
	}
	if (done < total) {
		w = malloc(sizeof(*w) + total - done);
		if (w == NULL) {
			dplink_drop(dl, "out of memory");
			return -ENOMEM;
		}
		memcpy(w->buf, frame + done, total - done);
		w->len = total - done;
		w->req.data = dl;
		b = uv_buf_init((char *)w->buf, (unsigned)w->len);
		n = uv_write(&w->req, s, &b, 1, dplink_write_cb);
		if (n < 0) {
			free(w);
			dplink_drop(dl, uv_strerror(n));
			return n;
		}
	}
	dl->inflight[(dl->inflight_head + dl->n_inflight) % DPLINK_INFLIGHT_MAX] =
	        (struct dplink_inflight){h.seq, type};
	dl->n_inflight++;
	dl->counters.requests++;
	return 0;
}

int
dplink_send(struct dplink *dl, uint16_t type, const void *payload, uint16_t len)
{
	if (dl->state != DPLINK_READY)
		return -ENOTCONN;
	return dplink_write(dl, type, payload, len);
}

static void
dplink_ctr_tick(uv_timer_t *t)
{
	struct dplink *dl = t->data;

	if (dplink_write(dl, MSG_GET_COUNTERS, NULL, 0) < 0)
		return;
	/* Per-router traffic, for router reachability (core_router_traffic). */
	if (dl->ops->prl_stats != NULL)
		dplink_write(dl, MSG_GET_PRL_STATS, NULL, 0);
	/* The kernel fast path's state, for status, from a datapath that
	 * has one to tell of. */
	if (dl->hello.flags & MSG_DP_FASTPATH)
		dplink_write(dl, MSG_GET_FASTPATH, NULL, 0);
}

static void
dplink_handshake_timeout(uv_timer_t *t)
{
	dplink_drop(t->data, "no answer to the handshake");
}

/* One reply, already checked: is it the answer to the oldest request? */
static int
dplink_reply(struct dplink *dl, const struct msg_hdr *h, const union msg_payload *p)
{
	struct dplink_inflight *f;

	if (dl->n_inflight == 0)
		return -EPROTO;
	f = &dl->inflight[dl->inflight_head];
	if (h->seq != f->seq || h->type != dplink_reply_type(f->type))
		return -EPROTO;
	if (h->type == MSG_RESULT && p->result.req_type != f->type)
		return -EPROTO;
	dl->inflight_head = (dl->inflight_head + 1) % DPLINK_INFLIGHT_MAX;
	dl->n_inflight--;

	switch (h->type) {
	case MSG_HELLO_REPLY:
		if (dl->state != DPLINK_HELLO)
			return -EPROTO;
		if (p->hello_reply.magic != MSG_MAGIC ||
		    p->hello_reply.version != MSG_PROTO_VERSION)
			return -EPROTONOSUPPORT;
		dl->hello = p->hello_reply;
		dl->hello.ifname[MSG_IFNAMSIZ - 1] = '\0';
		dl->have_hello = true;
		dl->state = DPLINK_STATE;
		return dplink_write(dl, MSG_GET_STATE, NULL, 0);
	case MSG_STATE:
		if (dl->state == DPLINK_READY) {
			/* The core's own GET_STATE, after a refusal. */
			if (dl->ops->state != NULL)
				dl->ops->state(dl->ctx, &p->state);
			return 0;
		}
		if (dl->state != DPLINK_STATE)
			return -EPROTO;
		uv_timer_stop(&dl->timer);
		dl->state = DPLINK_READY;
		dl->backoff_ms = DPLINK_BACKOFF_MIN_MS;
		dl->counters.connects++;
		log_info("datapath %s connected: %s (ifindex %u)%s", dl->path, dl->hello.ifname,
		         dl->hello.ifindex,
		         dl->hello.flags & MSG_DP_ROUTER_MODE ? ", router mode" : "");
		uv_timer_start(&dl->ctr_timer, dplink_ctr_tick, 0, DPLINK_COUNTERS_MS);
		dl->ops->connected(dl->ctx, &dl->hello, &p->state);
		return 0;
	case MSG_COUNTERS:
		dl->dp_counters = p->counters;
		dl->have_counters = true;
		return 0;
	case MSG_FASTPATH:
		dl->fastpath = p->fastpath;
		dl->have_fastpath = true;
		return 0;
	case MSG_PRL_STATS:
		if (dl->ops->prl_stats != NULL)
			dl->ops->prl_stats(dl->ctx, &p->prl_stats);
		return 0;
	case MSG_RESULT:
		if (p->result.error < 0) {
			dl->counters.results_failed++;
			if (log_ratelimit(&dl->rate, uv_now(dl->loop), NULL))
				log_warnx("datapath refused %s: %s", msg_type_name(f->type),
				          strerror(-p->result.error));
			/* Never as if applied: the core re-reads and retries. */
			if (dl->ops->refused != NULL)
				dl->ops->refused(dl->ctx, f->type, p->result.error);
		}
		return 0;
	default:
		return -EPROTO;
	}
}

/* One complete frame in dl->rbuf. */
static int
dplink_frame(struct dplink *dl, const struct msg_hdr *h, const uint8_t *payload, const char **why)
{
	union msg_payload *p = &dl->rpayload;
	const char *field = NULL;
	enum msg_reason r;

	memset(p, 0, sizeof(*p));
	memcpy(p, payload, h->len);
	r = msg_check_payload(h->type, p, &field);
	if (r != MSG_OK) {
		*why = field ? field : msg_reason_name(r);
		return -EBADMSG;
	}
	if (h->type == MSG_ND_RECV || h->type == MSG_LINK_EVENT) {
		/* The datapath passes ND up from its HELLO_REPLY on, so one may
		 * come before the STATE reply; the core takes it either way. */
		if (h->seq != 0 || (dl->state != DPLINK_READY && dl->state != DPLINK_STATE)) {
			*why = "unsolicited message out of place";
			return -EPROTO;
		}
		if (h->type == MSG_ND_RECV) {
			dl->counters.nd_recv++;
			dl->ops->nd_recv(dl->ctx, &p->nd_recv);
		} else {
			dl->ops->link_event(dl->ctx, &p->link_event);
		}
		return 0;
	}
	*why = "reply does not match the request in flight";
	return dplink_reply(dl, h, p);
}

static void
dplink_alloc_cb(uv_handle_t *h, size_t suggested, uv_buf_t *b)
{
	struct dplink *dl = h->data;

	*b = uv_buf_init((char *)dl->rbuf + dl->rlen, (unsigned)(sizeof(dl->rbuf) - dl->rlen));
}

static void
dplink_read_cb(uv_stream_t *s, ssize_t nread, const uv_buf_t *b)
{
	struct dplink *dl = s->data;
	size_t off = 0;

	if (nread < 0) {
		dplink_drop(dl,
		            nread == UV_EOF ? "closed by the datapath" : uv_strerror((int)nread));
		return;
	}
	dl->rlen += (size_t)nread;
	while (dl->state != DPLINK_IDLE && dl->rlen - off >= sizeof(struct msg_hdr)) {
		struct msg_hdr h;
		enum msg_reason r;
		const char *why = NULL;
		char buf[128];

		memcpy(&h, dl->rbuf + off, sizeof(h));
		r = msg_check_hdr(MSG_TO_CONTROL, &h);
		if (r != MSG_OK) {
			dl->counters.protocol_errors++;
			snprintf(buf, sizeof(buf), "bad message type %u len %u: %s", h.type, h.len,
			         msg_reason_name(r));
			dplink_drop(dl, buf);
			return;
		}
		if (dl->rlen - off < sizeof(h) + h.len)
			break;
		if (dplink_frame(dl, &h, dl->rbuf + off + sizeof(h), &why) < 0) {
			dl->counters.protocol_errors++;
			snprintf(buf, sizeof(buf), "bad %s: %s", msg_type_name(h.type), why);
			dplink_drop(dl, buf);
			return;
		}
		off += sizeof(h) + h.len;
	}
	if (dl->state == DPLINK_IDLE)
		return;
	memmove(dl->rbuf, dl->rbuf + off, dl->rlen - off);
	dl->rlen -= off;
}

static void
dplink_connect_cb(uv_connect_t *req, int status)
{
	struct dplink *dl = req->data;
	struct msg_hello hello = {.magic = MSG_MAGIC, .version = MSG_PROTO_VERSION};

	if (dl->closing || dl->state != DPLINK_CONNECTING)
		return;
	if (status < 0) {
		log_debug("datapath %s: %s; retrying in %llu ms", dl->path, uv_strerror(status),
		          (unsigned long long)dl->backoff_ms);
		dl->state = DPLINK_IDLE;
		uv_close((uv_handle_t *)&dl->pipe, dplink_handle_closed);
		return;
	}
	dl->state = DPLINK_HELLO;
	dl->next_seq = 0;
	if (uv_read_start((uv_stream_t *)&dl->pipe, dplink_alloc_cb, dplink_read_cb) < 0) {
		dplink_drop(dl, "read_start failed");
		return;
	}
	uv_timer_start(&dl->timer, dplink_handshake_timeout, DPLINK_HANDSHAKE_MS, 0);
	dplink_write(dl, MSG_HELLO, &hello, sizeof(hello));
}

static void
dplink_connect(struct dplink *dl)
{
	if (dl->closing || dl->pipe_open)
		return;
	uv_pipe_init(dl->loop, &dl->pipe, 0);
	dl->pipe.data = dl;
	dl->pipe_open = true;
	dl->open_handles++;
	dl->state = DPLINK_CONNECTING;
	dl->rlen = 0;
	dl->n_inflight = 0;
	dl->connect_req.data = dl;
	uv_pipe_connect(&dl->connect_req, &dl->pipe, dl->path, dplink_connect_cb);
}

int
dplink_new(uv_loop_t *loop, const char *path, const struct dplink_ops *ops, void *ctx,
           struct dplink **out)
{
	struct dplink *dl;

	if (strlen(path) >= sizeof(dl->path))
		return -ENAMETOOLONG;
	dl = calloc(1, sizeof(*dl));
	if (dl == NULL)
		return -ENOMEM;
	dl->loop = loop;
	dl->ops = ops;
	dl->ctx = ctx;
	dl->backoff_ms = DPLINK_BACKOFF_MIN_MS;
	dl->rate = (struct log_rate)LOG_RATE_INIT(5, 1);
	memcpy(dl->path, path, strlen(path) + 1);
	uv_timer_init(loop, &dl->timer);
	uv_timer_init(loop, &dl->ctr_timer);
	dl->timer.data = dl;
	dl->ctr_timer.data = dl;
	dl->open_handles = 2;
	dplink_connect(dl);
	*out = dl;
	return 0;
}

void
dplink_set_path(struct dplink *dl, const char *path)
{
	if (strcmp(path, dl->path) == 0 || strlen(path) >= sizeof(dl->path))
		return;
	memcpy(dl->path, path, strlen(path) + 1);
	dl->backoff_ms = DPLINK_BACKOFF_MIN_MS;
	if (dl->pipe_open)
		dplink_drop(dl, "socket path changed");
	else
		uv_timer_start(&dl->timer, dplink_retry, 0, 0);
}

void
dplink_close(struct dplink *dl)
{
	if (dl == NULL)
		return;
	dl->closing = true;
	if (dl->pipe_open && !uv_is_closing((uv_handle_t *)&dl->pipe))
		uv_close((uv_handle_t *)&dl->pipe, dplink_handle_closed);
	dl->state = DPLINK_CLOSING;
	uv_close((uv_handle_t *)&dl->timer, dplink_handle_closed);
	uv_close((uv_handle_t *)&dl->ctr_timer, dplink_handle_closed);
}

enum dplink_state
dplink_get_state(const struct dplink *dl)
{
	return dl->state;
}

const char *
dplink_path(const struct dplink *dl)
{
	return dl->path;
}

const struct msg_hello_reply *
dplink_hello(const struct dplink *dl)
{
	return dl->have_hello ? &dl->hello : NULL;
}

const struct msg_counters *
dplink_dp_counters(const struct dplink *dl)
{
	return dl->have_counters ? &dl->dp_counters : NULL;
}

const struct msg_fastpath *
dplink_fastpath(const struct dplink *dl)
{
	return dl->have_fastpath && dl->state == DPLINK_READY ? &dl->fastpath : NULL;
}

const struct dplink_counters *
dplink_get_counters(const struct dplink *dl)
{
	return &dl->counters;
}
