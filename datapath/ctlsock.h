/*
 * The datapath's message server: one control connection at a time on a
 * UNIX stream socket, the peer's uid checked, HELLO first, every frame
 * decoded strictly by proto/msg.h, exactly one reply per request.
 */
#ifndef ISATAP_DATAPATH_CTLSOCK_H
#define ISATAP_DATAPATH_CTLSOCK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "dp.h"
#include "log.h"
#include "msg.h"

#define CTL_FRAME_MAX (sizeof(struct msg_hdr) + MSG_MAX_PAYLOAD)
/* Queued output when control reads slower than we write. A request is read
 * only when its largest reply fits, so replies are never lost; events that
 * do not fit are dropped and counted. */
#define CTL_OUTQ (64 * 1024)

struct ctl_srv {
	struct dp *dp;
	int lfd;      /* listening socket, -1 when none (tests) */
	int cfd;      /* the control connection, -1 when none */
	unsigned gen; /* bumped whenever cfd changes: fd numbers are reused */
	uid_t allowed_uid;
	bool hello_done;
	uint32_t hello_flags;
	char path[108];

	uint8_t in[CTL_FRAME_MAX];
	size_t in_len;
	uint8_t out[CTL_OUTQ];
	size_t out_len;

	uint64_t refused, closed_bad; /* for the logs */
	struct log_rate rl;
};

void ctl_init(struct ctl_srv *s, struct dp *dp, uid_t allowed_uid);
/* Binds path (a stale socket there is replaced, an impostor's taken back):
 * owned by owner, group root, with mode 0600 when we are root, else ours
 * with mode 0660. */
int ctl_listen(struct ctl_srv *s, const char *path, uid_t owner);
/* Accepts one pending connection: refused unless no other is open and its
 * SO_PEERCRED uid is allowed_uid. */
void ctl_accept(struct ctl_srv *s);
/* Adopts an already connected fd whose peer is known to be allowed. */
void ctl_attach(struct ctl_srv *s, int fd);
/* The poll events the control fd needs now (0 when none is open); the
 * EPOLL* bits have the same values. */
short ctl_events(const struct ctl_srv *s);
/* Handles poll results on the control fd. */
void ctl_handle(struct ctl_srv *s, short revents);
/* dp->nd_up: passes an ND packet up as MSG_ND_RECV. */
int ctl_nd_up(void *h, struct in_addr outer_src, const uint8_t *pkt, size_t len);
/* Sends MSG_LINK_EVENT when connected. */
void ctl_link_event(struct ctl_srv *s, bool up, uint32_t mtu);
void ctl_drop(struct ctl_srv *s, const char *why);
/* Closes everything and removes the socket file. */
void ctl_close(struct ctl_srv *s);

#endif
