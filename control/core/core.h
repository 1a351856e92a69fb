/*
 * The pure core of isatap-control (DESIGN.md, "Control plane"): the
 * Potential Router List, the Router Solicitation schedule, RA processing and
 * SLAAC, router choice and failover, locator changes and reconciliation with
 * the datapath's state.
 *
 * It makes no system call and includes no <uv.h>. The glue feeds it events
 * together with the monotonic time now_ms, then:
 *   - drains the actions it queued with core_next_action() and performs them
 *     (datapath requests, DNS lookups, API notifications), in order;
 *   - re-arms one timer for core_next_deadline() and calls core_tick() when
 *     it fires.
 * Drain the queue after every call into the core: one call queues at most
 * CORE_ACTION_MAX actions (a full reconcile is the worst case).
 *
 * Randomness (RS delays, PRL refresh jitter) comes from a PRNG seeded with
 * core_config.seed, so that tests replay exactly.
 */
#ifndef ISATAP_CONTROL_CORE_H
#define ISATAP_CONTROL_CORE_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "addr.h"
#include "msg.h"
#include "nd.h"

#define CORE_NAME_MAX    256 /* a DNS name (253 octets of text) or a dotted quad, NUL included */
#define CORE_SOURCES_MAX 16  /* router specs: static IPv4s and DNS names */
#define CORE_ROUTERS_MAX MSG_PRL_MAX
#define CORE_ADDRS_MAX   MSG_ADDR_MAX
#define CORE_ROUTES_MAX  MSG_ROUTE_MAX
#define CORE_ONLINK_MAX  MSG_ONLINK_MAX
#define CORE_RDNSS_MAX   16
#define CORE_DNSSL_MAX   16
#define CORE_ACTION_MAX  1024
#define CORE_NO_DEADLINE UINT64_MAX
#define CORE_INFINITE    0xffffffffu /* remaining lifetime "infinite" (RFC 4861 §4.6.2) */

/* Default for core_config.retire_s: how long the addresses of a previous
 * locator stay (deprecated) after a locator change. */
#define CORE_RETIRE_DEFAULT_S 60

struct core_config {
	/* Routers: each a dotted quad (static) or a DNS name resolved to A
	 * records (e.g. "isatap"). Empty strings are ignored. */
	char routers[CORE_SOURCES_MAX][CORE_NAME_MAX];
	size_t n_routers;
	uint32_t max_mtu;       /* 1280..65535; SET_MTU never exceeds it; 0 = ISATAP_MAX_MTU */
	uint32_t prl_refresh_s; /* PrlRefreshInterval, 0 = PRL_REFRESH_INTERVAL_S (3600) */
	uint32_t retire_s;      /* 0 = CORE_RETIRE_DEFAULT_S */
	uint64_t seed;          /* PRNG seed */
	/* Optional allocator (tests pass CMocka's test_calloc / test_free);
	 * NULL means calloc / free. core_new() allocates one block. */
	void *(*calloc_fn)(size_t nmemb, size_t size);
	void (*free_fn)(void *p);
};

struct core;

/* NULL on allocation failure or when a router spec is neither a unicast
 * dotted quad nor a host name. Queues the first DNS lookups; RSs and link
 * setup wait for a locator and a datapath. */
struct core *core_new(const struct core_config *cfg, uint64_t now_ms);
void core_free(struct core *c);

/* SIGHUP: new router specs (added ones solicited, vanished ones withdrawn),
 * limits and intervals. The seed is not reset. */
int core_reconfigure(struct core *c, uint64_t now_ms, const struct core_config *cfg);

/* ---- inputs --------------------------------------------------------------- */

enum core_locator_source {
	CORE_LOC_NONE = 0,
	CORE_LOC_AUTO,
	CORE_LOC_INTERFACE,
	CORE_LOC_STATIC,
	CORE_LOC_SOURCE_COUNT
};
const char *core_locator_source_name(enum core_locator_source s); /* "none", "auto", ... */

/* The host's IPv4 locator, or INADDR_ANY when it has none. A change is made
 * before break: the new link-local and global addresses come up first, the old
 * ones are deprecated and removed retire_s later (at once when the host no
 * longer has the old IPv4 address: core_host_v4()); every router is solicited
 * at once and the PRL refreshed. Returns -EINVAL for a bogus address. */
int core_set_locator(struct core *c, uint64_t now_ms, struct in_addr v4,
                     enum core_locator_source src);

/* The host's IPv4 addresses now, on every interface (after each change):
 * the addresses of a previous locator the host no longer has are removed
 * at once (RFC 5214 §6.2); those of one it still has keep their retire_s,
 * usable, as the datapath keeps that locator in its set. */
void core_host_v4(struct core *c, uint64_t now_ms, const struct in_addr *v4s, size_t n);

/* The answer to a CORE_ACT_RESOLVE for name. matched is the name that answered
 * (through a search domain, e.g. "isatap.example.test"), or NULL for name.
 * error < 0 (negative errno / EAI mapped by the glue) or no address: the last
 * good addresses are kept and the lookup retried after 60 s, backing off to
 * prl_refresh_s. ttl_s is the smallest TTL of the answer. Unusable addresses
 * (0/8, 127/8, multicast, class E) are dropped. */
void core_dns_result(struct core *c, uint64_t now_ms, const char *name, const char *matched,
                     const struct in_addr *v4s, size_t n, uint32_t ttl_s, int error);

/* API routers.add / routers.remove: spec is a dotted quad or a DNS name.
 * 0, -EINVAL (bad spec), -EEXIST, -ENOSPC, -ENOENT. */
int core_router_add(struct core *c, uint64_t now_ms, const char *spec);
int core_router_remove(struct core *c, uint64_t now_ms, const char *spec);

/* API prl.refresh: re-resolve every DNS name now. */
void core_prl_refresh(struct core *c, uint64_t now_ms);

/* API solicit: restart solicitation of router (or of every router when
 * INADDR_ANY). Writes the routers solicited to out[0..max) and returns their
 * number, or -ENOENT when router is not in the PRL. */
int core_solicit(struct core *c, uint64_t now_ms, struct in_addr router, struct in_addr *out,
                 size_t max);

/* What happened to an ND message handed to core_nd_input(). */
enum core_nd_verdict {
	CORE_ND_RA_ACCEPTED = 0,
	CORE_ND_REDIRECT_ACCEPTED,
	CORE_ND_NOT_FROM_PRL,             /* outer IPv4 source not in the PRL (RFC 5214 §8.3.3) */
	CORE_ND_PARSE_ERROR,              /* nd_parse_*() refused it; see *why */
	CORE_ND_IGNORED_TYPE,             /* an ND type the client does not act on (RS, NS, NA) */
	CORE_ND_REDIRECT_NOT_FIRST_HOP,   /* RFC 4861 §8.1: source is not our first hop for dst */
	CORE_ND_REDIRECT_TARGET_UNUSABLE, /* target is neither an ISATAP address nor dst */
	CORE_ND_VERDICT_COUNT
};
const char *core_nd_verdict_name(enum core_nd_verdict v); /* "ra_accepted", "not_from_prl", ... */

/*
 * An ND message passed up by the datapath (MSG_ND_RECV): the inner IPv6 packet
 * pkt[0..len) and the outer IPv4 source. RAs update routers, prefixes,
 * addresses, routes, MTU and DNS data; Redirects install /128 routes. Option
 * problems inside an accepted RA (PIO with A and a prefix length != 64, MTU
 * out of range, the two-hour rule) are counted in core_counters. why receives
 * the parser's reason (ND_OK unless CORE_ND_PARSE_ERROR); it may be NULL.
 * Only an accepted message ends with the processing pass (and may queue
 * actions); any other verdict changes nothing but a counter.
 */
enum core_nd_verdict core_nd_input(struct core *c, uint64_t now_ms, struct in_addr outer_src,
                                   const uint8_t *pkt, size_t len, enum nd_reason *why);

/* The datapath (re)connected and reported its state (MSG_STATE, already
 * checked by msg_check_payload): the core diffs what it wants against what
 * the datapath holds and queues only the needed requests, so forwarding is
 * not interrupted by a control restart. */
void core_dp_connected(struct core *c, uint64_t now_ms, const struct msg_state *st);
/* The datapath went away: no datapath request is queued until it is back. */
void core_dp_disconnected(struct core *c, uint64_t now_ms);

/*
 * The datapath's traffic counts per PRL router (MSG_PRL_STATS, checked),
 * polled about every second: a router that traffic is sent to and nothing
 * comes back from for ReachableTime is probed with unicast RSs and, when
 * they go unanswered, marked unreachable so that the default route moves
 * (RFC 5214 §8.4, RFC 4861 §7.3). Routers nothing is sent to are never
 * probed.
 */
void core_router_traffic(struct core *c, uint64_t now_ms, const struct msg_prl_stats *st);

/*
 * The datapath refused a request of req_type with error (an error RESULT,
 * a negative errno). What the core believes the datapath holds is then
 * wrong, so it is never recorded as applied: the core stops sending state
 * requests, queues a GET_STATE after a backoff (1 s, doubling to 60 s while
 * refusals recur), and core_dp_state() with the reply makes the next diff
 * send again what is still missing. The refusal shows in core_dp_sync().
 */
void core_dp_refused(struct core *c, uint64_t now_ms, uint16_t req_type, int error);
/* The STATE answering the core's own GET_STATE (a CORE_ACT_DP of type
 * MSG_GET_STATE, len 0), already checked by msg_check_payload(). */
void core_dp_state(struct core *c, uint64_t now_ms, const struct msg_state *st);
/* Something that may end a refusal happened outside (an IPv4 address came
 * or went): when a refusal is outstanding, re-read the state now. */
void core_dp_retry(struct core *c, uint64_t now_ms);

/* Timers: expire lifetimes, send due solicitations, start due DNS refreshes. */
void core_tick(struct core *c, uint64_t now_ms);
/* The earliest time core_tick() has work, or CORE_NO_DEADLINE. */
uint64_t core_next_deadline(const struct core *c);

/* ---- outputs: the action queue -------------------------------------------- */

/* A request ready to send: a struct msg_hdr {type, len, seq chosen by the glue}
 * followed by len bytes of u. */
struct core_dp_req {
	uint16_t type; /* enum msg_type, a control -> datapath request */
	uint16_t len;  /* == msg_payload_size(type) */
	union {
		struct msg_locator locator;
		struct msg_prl prl;
		struct msg_addr addr;
		struct msg_route route;
		struct msg_onlink onlink;
		struct msg_mtu mtu;
		struct msg_link link;
		struct msg_send_rs send_rs;
		struct msg_nd_params nd_params;
	} u;
};

/* docs/API.md "Notifications"; names in core_event_name(). */
enum core_event_type {
	CORE_EV_ROUTER_UP = 0,
	CORE_EV_ROUTER_DOWN,
	CORE_EV_DEFAULT_ROUTER_CHANGED,
	CORE_EV_ADDRESS_ADDED,
	CORE_EV_ADDRESS_DEPRECATED,
	CORE_EV_ADDRESS_REMOVED,
	CORE_EV_LOCATOR_CHANGED,
	CORE_EV_PRL_CHANGED,
	CORE_EV_DATAPATH_CONNECTED,
	CORE_EV_DATAPATH_DISCONNECTED,
	CORE_EV_COUNT
};
const char *core_event_name(enum core_event_type t); /* "router_up", ... */

enum core_down_reason {
	CORE_DOWN_LIFETIME_EXPIRED = 0,
	CORE_DOWN_UNREACHABLE,
	CORE_DOWN_REMOVED,
	/* its DNS name answered NXDOMAIN or NODATA (RFC 2308): ISATAP is off
	 * for it, or this is another site */
	CORE_DOWN_NO_SUCH_NAME,
	CORE_DOWN_REASON_COUNT
};
const char *core_down_reason_name(enum core_down_reason r); /* "lifetime_expired", ... */

struct core_event {
	enum core_event_type type;
	/* router_up / router_down / default_router_changed (INADDR_ANY = null);
	 * locator_changed: the new locator */
	struct in_addr router;
	/* default_router_changed, locator_changed (INADDR_ANY = null) */
	struct in_addr previous;
	uint32_t lifetime_s;          /* router_up */
	enum core_down_reason reason; /* router_down */
	struct in6_addr address;      /* address_* */
	uint8_t prefix_len;           /* address_added */
	uint32_t n_routers;           /* prl_changed */
	struct in_addr routers[CORE_ROUTERS_MAX];
};

enum core_action_kind {
	CORE_ACT_DP = 1,  /* send dp to the datapath */
	CORE_ACT_RESOLVE, /* look up resolve_name's A records, then core_dns_result() */
	CORE_ACT_EVENT,   /* notify API subscribers */
};

struct core_action {
	enum core_action_kind kind;
	union {
		struct core_dp_req dp;
		char resolve_name[CORE_NAME_MAX];
		struct core_event ev;
	};
};

/* Pops the oldest queued action into *out; false when the queue is empty. */
bool core_next_action(struct core *c, struct core_action *out);

/* ---- read-only views for `status` (docs/API.md) ---------------------------- */

/* Remaining lifetimes are whole seconds at now_ms (rounded down), or
 * CORE_INFINITE. */

/* CORE_ORIGIN_DATAPATH: found in the datapath's PRL when control (re)started,
 * kept until the router specs have been resolved (then claimed or withdrawn). */
enum core_router_origin {
	CORE_ORIGIN_STATIC = 0,
	CORE_ORIGIN_DNS,
	CORE_ORIGIN_DATAPATH,
	CORE_ORIGIN_COUNT
};
const char *core_router_origin_name(enum core_router_origin o); /* "static", "dns", "datapath" */

enum core_router_state {
	CORE_RTR_PROBING = 0, /* soliciting, no RA yet */
	CORE_RTR_REACHABLE,   /* valid RA, router lifetime running */
	CORE_RTR_UNREACHABLE, /* solicitations unanswered, backing off */
	CORE_RTR_NOT_DEFAULT, /* answers with router lifetime 0 */
	CORE_RTR_STATE_COUNT
};
const char *core_router_state_name(enum core_router_state s); /* "probing", ... */

/* RFC 4191 §2.2 preference -1/0/+1 -> "low", "medium", "high". */
const char *core_pref_name(int8_t pref);

struct core_router_view {
	struct in_addr v4;
	enum core_router_origin origin;
	char name[CORE_NAME_MAX]; /* the DNS name that matched; "" for static */
	enum core_router_state state;
	bool has_ra;                /* lifetime, preference, last_ra_age_s valid */
	uint32_t router_lifetime_s; /* remaining */
	int8_t preference;
	uint64_t last_ra_age_s;
	bool has_next_solicit;
	uint64_t next_solicit_s; /* from now, rounded up */
	bool is_default;
	bool has_link_local; /* the form that answered (RFC 5214 §8.3.4) */
	struct in6_addr link_local;
	uint32_t solicitations, advertisements;
};

/* Where the lookup of one router name stands (core_names()). */
enum core_name_state {
	CORE_NAME_PENDING = 0,  /* never answered yet */
	CORE_NAME_RESOLVED,     /* the last answer listed routers */
	CORE_NAME_NO_SUCH_NAME, /* NXDOMAIN or NODATA: its routers were withdrawn */
	CORE_NAME_FAILING,      /* the last lookup failed (timeout, SERVFAIL, an unusable
	                         * answer): the last good routers are kept */
	CORE_NAME_STATE_COUNT
};
const char *core_name_state_name(enum core_name_state s); /* "pending", ... */

struct core_name_view {
	char name[CORE_NAME_MAX];    /* as configured */
	char matched[CORE_NAME_MAX]; /* the candidate that answered last; "" */
	enum core_name_state state;
	size_t n_routers;       /* addresses it gives the PRL */
	bool resolving;         /* a lookup is out */
	uint64_t next_lookup_s; /* from now, rounded up, when not resolving */
};

enum core_addr_state {
	CORE_ADDR_PREFERRED = 0,
	CORE_ADDR_DEPRECATED, /* preferred lifetime over, or a previous locator's, retiring */
	CORE_ADDR_REMOVING,   /* named for docs/API.md; the core deletes on time, never shows it */
	CORE_ADDR_STATE_COUNT
};
const char *core_addr_state_name(enum core_addr_state s);

struct core_addr_view {
	struct in6_addr addr;
	uint8_t plen;
	uint32_t valid_s, preferred_s; /* remaining */
	enum core_addr_state state;
	struct in_addr router; /* the router whose RA made it; INADDR_ANY for the link-local */
};

enum core_route_origin {
	CORE_ROUTE_DEFAULT = 0, /* "default": router lifetime */
	CORE_ROUTE_RIO,         /* "rio": RFC 4191 Route Information */
	CORE_ROUTE_REDIRECT,    /* "redirect": RFC 4861 §8 */
	CORE_ROUTE_ORIGIN_COUNT
};
const char *core_route_origin_name(enum core_route_origin o);

struct core_route_view {
	struct prefix6 prefix;
	struct in_addr via;
	uint32_t lifetime_s;
	int8_t preference;
	enum core_route_origin origin;
	bool installed; /* pushed to the datapath (only the best default route is) */
};

struct core_onlink_view {
	struct prefix6 prefix;
	uint32_t valid_s;
	struct in_addr router;
};

struct core_rdnss_view {
	struct in6_addr addr;
	uint32_t lifetime_s;
	struct in_addr router;
};

struct core_dnssl_view {
	char domain[ND_DNSSL_NAMELEN + 1];
	uint32_t lifetime_s;
	struct in_addr router;
};

/* Each fills out[0..max) and returns the total number of entries. */
size_t core_routers(const struct core *c, uint64_t now_ms, struct core_router_view *out,
                    size_t max);
/* The DNS router names (static routers are not listed). */
size_t core_names(const struct core *c, uint64_t now_ms, struct core_name_view *out, size_t max);
size_t core_addresses(const struct core *c, uint64_t now_ms, struct core_addr_view *out,
                      size_t max);
size_t core_routes(const struct core *c, uint64_t now_ms, struct core_route_view *out, size_t max);
size_t core_onlinks(const struct core *c, uint64_t now_ms, struct core_onlink_view *out,
                    size_t max);
size_t core_rdnss(const struct core *c, uint64_t now_ms, struct core_rdnss_view *out, size_t max);
size_t core_dnssl(const struct core *c, uint64_t now_ms, struct core_dnssl_view *out, size_t max);

/* The locator and where it came from (INADDR_ANY / CORE_LOC_NONE when none).
 * A locator adopted from a running datapath, before core_set_locator() is
 * called, reports CORE_LOC_STATIC. */
enum core_locator_source core_locator(const struct core *c, struct in_addr *v4);
/* fe80::{0|200}:5efe:locator; false without a locator. */
bool core_link_local(const struct core *c, struct in6_addr *out);
/* The router the default route goes through; false when none. */
bool core_default_router(const struct core *c, struct in_addr *out);
/* The link MTU the core asked for. */
uint32_t core_mtu(const struct core *c);
bool core_dp_is_connected(const struct core *c);

/* Whether the datapath holds what the core asked for, as far as it knows,
 * and the refusals that said otherwise. */
struct core_dp_sync_view {
	bool in_sync;     /* no refusal outstanding */
	uint64_t refused; /* refusals since start */
	bool has_last;    /* the fields below are valid */
	uint16_t last_type;
	int last_error; /* a negative errno */
	uint64_t last_age_s;
};
void core_dp_sync(const struct core *c, uint64_t now_ms, struct core_dp_sync_view *out);

/* ---- counters --------------------------------------------------------------- */

enum core_counter {
	CORE_C_RS_SENT = 0,
	CORE_C_RA_ACCEPTED,
	CORE_C_REDIRECT_ACCEPTED,
	CORE_C_ND_NOT_FROM_PRL,
	CORE_C_ND_PARSE_ERROR,
	CORE_C_ND_IGNORED_TYPE,
	CORE_C_REDIRECT_NOT_FIRST_HOP,
	CORE_C_REDIRECT_TARGET_UNUSABLE,
	CORE_C_PIO_BAD_PLEN, /* autonomous PIO with prefix length != 64: no address (RFC 4862 §5.5.3
	                        d) */
	CORE_C_PIO_LINKLOCAL, /* PIO for fe80::/10 ignored (RFC 4861 §6.3.4, RFC 4862 §5.5.3 b) */
	CORE_C_PIO_BAD_LIFETIMES, /* preferred > valid (RFC 4862 §5.5.3 c) */
	CORE_C_TWO_HOUR_RULE,     /* valid lifetime clamped (RFC 4862 §5.5.3 e 3) */
	CORE_C_MTU_OUT_OF_RANGE,  /* MTU option < 1280 ignored, or clamped to max_mtu */
	CORE_C_RIO_BAD,           /* Route Information for fe80::/10 or multicast ignored */
	CORE_C_TABLE_FULL,        /* an address, route, on-link prefix or DNS entry not kept */
	CORE_C_DNS_FAILURES,
	CORE_C_ACTION_OVERFLOW, /* queue full: a bug, the glue must drain after each call */
	CORE_C_DP_REFUSED,      /* requests the datapath refused (core_dp_refused) */
	CORE_C_DP_RESYNCS,      /* GET_STATEs sent to repair the shadow after a refusal */
	CORE_C_RA_PARAM_BAD,    /* Reachable Time or Retrans Timer over 1 h ignored (§6.2.1) */
	CORE_C_NUD_PROBES,      /* reachability probes (unicast RS) to routers used, silent */
	CORE_C_NUD_UNREACHABLE, /* routers found unreachable by them (RFC 4861 §7.3) */
	/* an authoritative NXDOMAIN or NODATA for a router name: its routers
	 * left the PRL (not a failure: dns_failures counts outages) */
	CORE_C_DNS_NO_SUCH_NAME,
	CORE_C_COUNT
};
const char *core_counter_name(enum core_counter i); /* snake_case */

struct core_counters {
	uint64_t v[CORE_C_COUNT];
	uint64_t nd_parse[ND_REASON_COUNT]; /* CORE_C_ND_PARSE_ERROR by nd_reason */
};
const struct core_counters *core_get_counters(const struct core *c);

#endif
