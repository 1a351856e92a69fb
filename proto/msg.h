/*
 * The datapath <-> control message catalogue (../DESIGN.md, "Datapath ⇄ control
 * messages"). Framed over a stream socket: struct msg_hdr, then exactly
 * msg_hdr.len bytes of one fixed-layout payload. Both ends run on one host,
 * so integers are in host byte order; addresses are in network byte order.
 *
 * Message numbers are explicit and are never renumbered. A new message gets
 * a new number and MSG_PROTO_VERSION goes up.
 *
 * Every request from control gets exactly one reply carrying its seq:
 * HELLO -> HELLO_REPLY, GET_STATE -> STATE, GET_COUNTERS -> COUNTERS,
 * GET_PRL_STATS -> PRL_STATS, GET_FASTPATH -> FASTPATH, everything else -> RESULT. ND_RECV and
 * LINK_EVENT are unsolicited (seq 0).
 */
#ifndef ISATAP_PROTO_MSG_H
#define ISATAP_PROTO_MSG_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define MSG_MAGIC         0x49534154u /* "ISAT" */
#define MSG_PROTO_VERSION 2u

/* Bounds on everything control can make the datapath hold. */
#define MSG_PRL_MAX      16
#define MSG_ADDR_MAX     32
#define MSG_ROUTE_MAX    64
#define MSG_ONLINK_MAX   16
#define MSG_ND_MAX       1500 /* largest ND packet passed up; larger ones are dropped */
#define MSG_COUNTERS_MAX 128
#define MSG_IFNAMSIZ     16
/* Route metrics are preferences among the tunnel's own routes; the
 * datapath puts them in a kernel band of its own (isatap-datapath(8)). */
#define MSG_ROUTE_METRIC_MAX 65535

enum msg_type {
	/* control -> datapath */
	MSG_HELLO = 1,
	MSG_SET_LOCATOR = 2,
	MSG_SET_PRL = 3,
	MSG_ADDR_ADD = 4,
	MSG_ADDR_DEL = 5,
	MSG_ROUTE_ADD = 6,
	MSG_ROUTE_DEL = 7,
	MSG_ONLINK_ADD = 8,
	MSG_ONLINK_DEL = 9,
	MSG_SET_MTU = 10,
	MSG_SET_LINK = 11,
	MSG_SEND_RS = 12,
	MSG_GET_STATE = 13,
	MSG_GET_COUNTERS = 14,
	/* 15..19: reserved for the safety branch */
	MSG_SET_ND_PARAMS = 20,
	MSG_GET_PRL_STATS = 21,
	/* 30..34: the kernel fast path */
	MSG_GET_FASTPATH = 30,
	/* datapath -> control */
	MSG_HELLO_REPLY = 64,
	MSG_RESULT = 65,
	MSG_STATE = 66,
	MSG_COUNTERS = 67,
	MSG_ND_RECV = 68,
	MSG_LINK_EVENT = 69,
	/* 70..74: reserved for the safety branch */
	MSG_PRL_STATS = 75,
	/* 85..89: the kernel fast path */
	MSG_FASTPATH = 85,
};

struct msg_hdr {
	uint16_t type;
	uint16_t len; /* payload bytes after this header */
	uint32_t seq;
};
_Static_assert(sizeof(struct msg_hdr) == 8, "msg_hdr layout");

struct msg_hello { /* MSG_HELLO */
	uint32_t magic;
	uint32_t version;
};
_Static_assert(sizeof(struct msg_hello) == 8, "msg_hello layout");

#define MSG_DP_ROUTER_MODE 0x1u
/* HELLO_REPLY: this datapath answers GET_FASTPATH (one that predates the
 * kernel fast path would close the connection on it). */
#define MSG_DP_FASTPATH 0x2u
struct msg_hello_reply { /* MSG_HELLO_REPLY */
	uint32_t magic;
	uint32_t version;
	uint32_t flags; /* MSG_DP_* */
	uint32_t ifindex;
	char ifname[MSG_IFNAMSIZ]; /* NUL-terminated */
};
_Static_assert(sizeof(struct msg_hello_reply) == 32, "msg_hello_reply layout");

struct msg_locator { /* MSG_SET_LOCATOR; INADDR_ANY withdraws it */
	struct in_addr v4;
};
_Static_assert(sizeof(struct msg_locator) == 4, "msg_locator layout");

struct msg_prl { /* MSG_SET_PRL: replaces the whole list */
	uint32_t count;
	struct in_addr v4[MSG_PRL_MAX]; /* entries past count are zero */
};
_Static_assert(sizeof(struct msg_prl) == 4 + 4 * MSG_PRL_MAX, "msg_prl layout");

struct msg_addr { /* MSG_ADDR_ADD, MSG_ADDR_DEL */
	struct in6_addr addr;
	uint8_t plen;
	uint8_t pad[3];         /* zero */
	uint32_t valid_lft;     /* seconds, 0xffffffff forever; ignored by ADDR_DEL */
	uint32_t preferred_lft; /* <= valid_lft; 0 = deprecated */
};
_Static_assert(sizeof(struct msg_addr) == 28, "msg_addr layout");

struct msg_route {              /* MSG_ROUTE_ADD, MSG_ROUTE_DEL */
	struct in6_addr prefix; /* host bits zero */
	uint8_t plen;
	uint8_t pad[3];
	struct in_addr via; /* the router's IPv4 */
	uint32_t metric;    /* 0..MSG_ROUTE_METRIC_MAX, lower wins */
};
_Static_assert(sizeof(struct msg_route) == 28, "msg_route layout");

struct msg_onlink {             /* MSG_ONLINK_ADD, MSG_ONLINK_DEL */
	struct in6_addr prefix; /* host bits zero; never fe80::/10 or multicast */
	uint8_t plen;           /* 1..128 */
	uint8_t pad[3];
};
_Static_assert(sizeof(struct msg_onlink) == 20, "msg_onlink layout");

struct msg_mtu {      /* MSG_SET_MTU */
	uint32_t mtu; /* IPV6_MIN_MTU..ISATAP_MAX_MTU */
};

struct msg_link {    /* MSG_SET_LINK */
	uint32_t up; /* 0 or 1 */
};

struct msg_send_rs {           /* MSG_SEND_RS */
	struct in_addr router; /* must be in the PRL */
	uint32_t u_bit;        /* 0 or 1: destination fe80::{0|200}:5efe:router */
};
_Static_assert(sizeof(struct msg_send_rs) == 8, "msg_send_rs layout");

/* MSG_SET_ND_PARAMS: the RA parameters RFC 4861 §6.3.4 says a host applies
 * to the interface; 0 leaves one as it is. */
#define MSG_ND_TIME_MAX_MS 3600000 /* RFC 4861 §6.2.1: AdvReachableTime <= 1 h */
struct msg_nd_params {
	uint32_t hop_limit;    /* CurHopLimit, 0..255 */
	uint32_t reachable_ms; /* BaseReachableTime, 0..MSG_ND_TIME_MAX_MS */
	uint32_t retrans_ms;   /* RetransTimer, 0..MSG_ND_TIME_MAX_MS */
};
_Static_assert(sizeof(struct msg_nd_params) == 12, "msg_nd_params layout");

/* MSG_PRL_STATS: traffic per PRL router, for router reachability (RFC 4861
 * §7.3.1 forward progress): datagrams sent with the router as IPv4 next
 * hop, and datagrams accepted from it (outer source), since the router
 * entered the PRL. Entries in PRL order; past n, zero. */
struct msg_prl_stat {
	struct in_addr v4;
	uint32_t pad; /* zero */
	uint64_t out_packets, in_packets;
};
struct msg_prl_stats {
	uint32_t n; /* <= MSG_PRL_MAX */
	uint32_t pad;
	struct msg_prl_stat e[MSG_PRL_MAX];
};
_Static_assert(sizeof(struct msg_prl_stats) == 8 + 24 * MSG_PRL_MAX, "msg_prl_stats layout");

/*
 * MSG_FASTPATH: the kernel fast path (isatap-datapath(8), KERNEL FAST PATH):
 * whether it carries traffic, and if not why; the interfaces its programs
 * sit on; and its own share of the counters (indices as MSG_COUNTERS, whose
 * values already include it). Strings NUL-terminated, zero after the NUL;
 * entries past n_ingress and v[] past n zero.
 */
#define MSG_FP_REASON_MAX 128
#define MSG_FP_IFACE_MAX  16
struct msg_fastpath {
	uint32_t active;     /* 0 or 1 */
	uint32_t generation; /* of the maps, bumped on every rebuild */
	char reason[MSG_FP_REASON_MAX];
	char egress[MSG_IFNAMSIZ]; /* "" when not active */
	uint32_t n_ingress;        /* <= MSG_FP_IFACE_MAX */
	uint32_t n;                /* <= MSG_COUNTERS_MAX */
	char ingress[MSG_FP_IFACE_MAX][MSG_IFNAMSIZ];
	uint64_t v[MSG_COUNTERS_MAX];
};
_Static_assert(sizeof(struct msg_fastpath) == 16 + MSG_FP_REASON_MAX + MSG_IFNAMSIZ +
                                                      MSG_FP_IFACE_MAX * MSG_IFNAMSIZ +
                                                      8 * MSG_COUNTERS_MAX,
               "msg_fastpath layout");

struct msg_result {        /* MSG_RESULT */
	int32_t error;     /* 0 or a negative errno */
	uint16_t req_type; /* type of the request answered */
	uint16_t pad;
};
_Static_assert(sizeof(struct msg_result) == 8, "msg_result layout");

struct msg_state {      /* MSG_STATE: everything the datapath holds */
	uint32_t flags; /* MSG_DP_* */
	uint32_t ifindex;
	char ifname[MSG_IFNAMSIZ];
	uint32_t link_up;
	uint32_t mtu;
	struct in_addr locator;
	uint32_t n_prl, n_addrs, n_routes, n_onlink;
	struct in_addr prl[MSG_PRL_MAX];
	struct msg_addr addrs[MSG_ADDR_MAX];
	struct msg_route routes[MSG_ROUTE_MAX];
	struct msg_onlink onlink[MSG_ONLINK_MAX];
};
_Static_assert(sizeof(struct msg_state) == 52 + 4 * MSG_PRL_MAX + 28 * MSG_ADDR_MAX +
                                                   28 * MSG_ROUTE_MAX + 20 * MSG_ONLINK_MAX,
               "msg_state layout");

struct msg_counters { /* MSG_COUNTERS; indices are enum dp_counter (counters.h) */
	uint32_t n;
	uint32_t pad;
	uint64_t v[MSG_COUNTERS_MAX];
};
_Static_assert(sizeof(struct msg_counters) == 8 + 8 * MSG_COUNTERS_MAX, "msg_counters layout");

struct msg_nd_recv { /* MSG_ND_RECV: an RA or Redirect from a PRL router */
	struct in_addr outer_src;
	uint32_t len;            /* bytes used in pkt; <= MSG_ND_MAX */
	uint8_t pkt[MSG_ND_MAX]; /* the inner IPv6 packet; bytes past len are zero */
};
_Static_assert(sizeof(struct msg_nd_recv) == 8 + MSG_ND_MAX, "msg_nd_recv layout");

struct msg_link_event { /* MSG_LINK_EVENT */
	uint32_t ifindex;
	uint32_t up;
	uint32_t mtu;
};

/* An aligned home for any payload: copy received bytes here before use. */
union msg_payload {
	struct msg_hello hello;
	struct msg_hello_reply hello_reply;
	struct msg_locator locator;
	struct msg_prl prl;
	struct msg_addr addr;
	struct msg_route route;
	struct msg_onlink onlink;
	struct msg_mtu mtu;
	struct msg_link link;
	struct msg_send_rs send_rs;
	struct msg_result result;
	struct msg_state state;
	struct msg_counters counters;
	struct msg_nd_recv nd_recv;
	struct msg_link_event link_event;
	struct msg_nd_params nd_params;
	struct msg_prl_stats prl_stats;
	struct msg_fastpath fastpath;
};
#define MSG_MAX_PAYLOAD sizeof(union msg_payload)
_Static_assert(MSG_MAX_PAYLOAD <= UINT16_MAX, "payload length must fit msg_hdr.len");

enum msg_dir {
	MSG_TO_DATAPATH, /* requests */
	MSG_TO_CONTROL,  /* replies and events */
};

enum msg_reason {
	MSG_OK = 0,
	MSG_UNKNOWN_TYPE,
	MSG_WRONG_DIRECTION, /* a known type, but not one this side accepts */
	MSG_BAD_LENGTH,      /* not exactly the size of the type's payload */
	MSG_BAD_FIELD,       /* a field out of range; see the field name */
	MSG_REASON_COUNT
};
const char *msg_reason_name(enum msg_reason r);

/* The name of a message type ("SET_PRL"), or NULL when unknown. */
const char *msg_type_name(uint16_t type);

/* The exact payload size of a known type, or -1. */
int msg_payload_size(uint16_t type);

/*
 * Checks a header before its payload is read: type known, meant for this
 * side, length exactly right. Anything else must close the connection.
 */
enum msg_reason msg_check_hdr(enum msg_dir dir, const struct msg_hdr *h);

/*
 * Checks every field of a payload already copied into p (msg_check_hdr() has
 * passed): ranges, zero padding, unicast where unicast is required, counts
 * within their arrays. On MSG_BAD_FIELD, *field names the culprit.
 */
enum msg_reason msg_check_payload(uint16_t type, const union msg_payload *p, const char **field);

/* Both, for a complete frame in buf[0..len) (used by the fuzz target and
 * tests): the header, then the payload copied into an aligned local. */
enum msg_reason msg_decode(enum msg_dir dir, const uint8_t *buf, size_t len, struct msg_hdr *h,
                           union msg_payload *p, const char **field);

#endif
