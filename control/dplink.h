/*
 * The link to isatap-datapath (proto/msg.h) over its UNIX stream socket:
 * connect with backoff, HELLO, GET_STATE, then requests in order with their
 * RESULTs matched by seq, ND_RECV and LINK_EVENT passed up, and counters
 * polled for `status`. Anything malformed or unexpected from the datapath
 * closes the link (it means a bug or a compromise) and reconnects.
 */
#ifndef ISATAP_CONTROL_DPLINK_H
#define ISATAP_CONTROL_DPLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "msg.h"

#define DPLINK_BACKOFF_MIN_MS 100
#define DPLINK_BACKOFF_MAX_MS 5000
#define DPLINK_HANDSHAKE_MS   5000 /* HELLO and GET_STATE must be answered by then */
#define DPLINK_COUNTERS_MS    1000 /* GET_COUNTERS (and GET_PRL_STATS) period */
#define DPLINK_INFLIGHT_MAX   2048 /* requests awaiting their reply */

struct dplink_ops {
	/* HELLO and GET_STATE answered: requests may be sent from here on. */
	void (*connected)(void *ctx, const struct msg_hello_reply *hello,
	                  const struct msg_state *st);
	/* The link is gone (it reconnects by itself). */
	void (*disconnected)(void *ctx);
	void (*nd_recv)(void *ctx, const struct msg_nd_recv *m);
	void (*link_event)(void *ctx, const struct msg_link_event *ev);
	/* An error RESULT for a request of req_type (may be NULL). */
	void (*refused)(void *ctx, uint16_t req_type, int error);
	/* The STATE answering a GET_STATE sent once ready (may be NULL). */
	void (*state)(void *ctx, const struct msg_state *st);
	/* Per-router traffic, polled with the counters (may be NULL: then
	 * not polled). */
	void (*prl_stats)(void *ctx, const struct msg_prl_stats *st);
};

enum dplink_state {
	DPLINK_IDLE = 0,   /* waiting for the backoff timer */
	DPLINK_CONNECTING, /* connect() in progress */
	DPLINK_HELLO,      /* HELLO sent */
	DPLINK_STATE,      /* GET_STATE sent */
	DPLINK_READY,
	DPLINK_CLOSING,
	DPLINK_STATE_COUNT
};
const char *dplink_state_name(enum dplink_state s);

struct dplink_counters {
	uint64_t connects, disconnects, protocol_errors, requests, results_failed, nd_recv;
};

struct dplink;

int dplink_new(uv_loop_t *loop, const char *path, const struct dplink_ops *ops, void *ctx,
               struct dplink **out);
/* A new socket path (SIGHUP): reconnects when it differs. */
void dplink_set_path(struct dplink *dl, const char *path);
/* Stops everything; the memory goes with the last close callback. */
void dplink_close(struct dplink *dl);

/* Sends one request (type, exactly msg_payload_size(type) bytes of
 * payload). -ENOTCONN unless ready; other errors close the link. */
int dplink_send(struct dplink *dl, uint16_t type, const void *payload, uint16_t len);

enum dplink_state dplink_get_state(const struct dplink *dl);
const char *dplink_path(const struct dplink *dl);
const struct msg_hello_reply *dplink_hello(const struct dplink *dl); /* NULL until HELLO */
/* The last COUNTERS reply, or NULL. */
const struct msg_counters *dplink_dp_counters(const struct dplink *dl);
const struct dplink_counters *dplink_get_counters(const struct dplink *dl);
/* The last FASTPATH reply of the connected datapath, or NULL. */
const struct msg_fastpath *dplink_fastpath(const struct dplink *dl);

#endif
