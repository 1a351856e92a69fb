/*
 * Internals of the control core, shared by its files only (the glue sees
 * core.h). One concern per file:
 *   core.c      lifecycle, the action queue, the processing pass, deadlines
 *   names.c     enum name tables (they appear in logs and in status)
 *   rand.c      the seeded PRNG
 *   prl.c       router specs, DNS answers, the Potential Router List
 *   solicit.c   the Router Solicitation schedule
 *   nud.c       router reachability from the datapath's traffic counts
 *   ra.c        Router Advertisement and Redirect input
 *   slaac.c     addresses: SLAAC prefixes, lifetimes, locator changes
 *   routes.c    default router choice, Route Information, Redirect routes,
 *               on-link prefixes, RDNSS / DNSSL
 *   sync.c      the diff of desired state against what the datapath holds
 *   reconcile.c adopting the datapath's state when control (re)connects
 *   view.c      read-only views for `status`
 */
#ifndef ISATAP_CONTROL_CORE_INT_H
#define ISATAP_CONTROL_CORE_INT_H

#include "core.h"
#include "isatap.h"

/* How long state adopted from a running datapath (after a control restart)
 * is kept without being confirmed by an RA from its router. The routers are
 * solicited at once, so a live router confirms it within about a second. */
#define CORE_ADOPT_GRACE_MS (60 * 1000)
/* RFC 4861 §8.3 gives a Redirect no lifetime; the destination cache entry it
 * creates is ours to age. */
#define CORE_REDIRECT_LIFETIME_S 600
/* Route metrics from RFC 4191 preferences: lower wins in the datapath. */
#define CORE_METRIC_MEDIUM 1024
#define CORE_METRIC_STEP   256
/* A datapath refusal is retried by re-reading its state: after 1 s, then
 * twice as long each time it recurs, up to a minute; a minute without one
 * starts over (sync.c). */
#define CORE_RESYNC_MIN_MS 1000
#define CORE_RESYNC_MAX_MS 60000
/* Re-solicit a router that gave no lifetime worth refreshing this often. */
#define CORE_IDLE_RESOLICIT_MS ((uint64_t)MAX_RTR_SOLICITATION_INTERVAL_MS)
/* RIO and Redirect entries: one slot is left for the default route so that
 * everything fits the datapath's table (MSG_ROUTE_MAX). */
#define CORE_RTABLE_MAX (CORE_ROUTES_MAX - 1)
/* Addresses: the link-local, one per autonomous prefix, and those being
 * retired must together fit the datapath's table (MSG_ADDR_MAX). */
#define CORE_SLAAC_MAX   16
#define CORE_RETIRED_MAX (CORE_ADDRS_MAX - CORE_SLAAC_MAX - 1)

struct core_source {
	bool used;
	bool from_api; /* routers.add, kept across SIGHUP */
	bool is_static;
	char spec[CORE_NAME_MAX];
	struct in_addr v4; /* static */
	/* DNS (prl.c) */
	char matched[CORE_NAME_MAX];
	struct in_addr addrs[CORE_ROUTERS_MAX];
	size_t n_addrs;
	bool answered;  /* at least one good answer (or an authoritative none) */
	bool resolving; /* a CORE_ACT_RESOLVE is out */
	bool requery;   /* ... asked before the locator changed: its answer is
	                 * the old site's, look again */
	enum core_name_state state;
	uint64_t refresh_at;
	uint32_t retry_s; /* failure backoff */
};

/* Router reachability (nud.c, RFC 4861 §7.3.2 states). */
enum core_nud_phase {
	CORE_NUD_NONE = 0, /* reachable, or nothing sent to it: not watched */
	CORE_NUD_DELAY,    /* traffic sent, nothing back for ReachableTime */
	CORE_NUD_PROBE,    /* unicast RSs out */
};

struct core_router {
	struct in_addr v4;
	enum core_router_origin origin;
	char name[CORE_NAME_MAX];
	enum core_router_state state;
	bool up; /* router_up announced, router_down not yet */
	/* solicitation (solicit.c) */
	uint64_t rs_at;    /* next RS; CORE_NO_DEADLINE when none */
	uint64_t dead_at;  /* a round ends unanswered */
	uint32_t rs_round; /* RSs sent in the current round */
	uint64_t rs_rt_ms; /* RFC 7559 retransmission interval once backing off */
	int u_form;        /* -1: both forms; 0 or 1: the form that answered */
	uint32_t solicitations, advertisements;
	/* from its RAs (ra.c) */
	bool has_ra;
	uint64_t last_ra_ms;
	uint32_t lifetime_s; /* the RA header's, or a ::/0 Route Information's (RFC 4191) */
	uint64_t expires_ms; /* router lifetime end (lifetime_s > 0) */
	int8_t pref;
	struct in6_addr ll;
	uint64_t seq; /* first seen; 0 until then */
	/* reachability (nud.c) */
	enum core_nud_phase nud_phase;
	uint64_t nud_at;           /* the next step, when nud_phase != NONE */
	uint64_t nud_confirmed_ms; /* last forward progress */
	unsigned nud_probes;
	bool nud_sampled; /* nud_out, nud_in hold a sample */
	uint64_t nud_out, nud_in;
	/* adopted from the datapath (reconcile.c) */
	bool adopted_prl;     /* from the datapath's PRL, not (yet) claimed by a spec */
	bool adopted_default; /* the datapath's default route went through it */
	uint64_t adopt_until;
	int8_t adopted_pref;
};

/* An autonomous prefix (RFC 4862 §5.5.3): the address is prefix::ifid(locator). */
struct core_slaac {
	bool used;
	struct prefix6 prefix; /* /64 */
	struct in_addr router; /* INADDR_ANY when adopted */
	uint64_t valid_until, preferred_until;
	bool deprecated; /* preferred_until has passed */
	bool dirty;      /* lifetimes changed: the datapath must hear them */
};

/* An address of a previous locator, deprecated until removed (make before break). */
struct core_retired {
	bool used;
	struct in6_addr addr;
	uint8_t plen;
	struct in_addr router;
	uint64_t remove_at;
};

struct core_rentry { /* RIO and Redirect routes */
	bool used;
	enum core_route_origin origin;
	struct prefix6 prefix;
	struct in_addr via;
	int8_t pref;
	uint64_t expires_ms;
};

struct core_onlink {
	bool used;
	struct prefix6 prefix;
	struct in_addr router;
	uint64_t valid_until;
};

struct core_rdnss {
	bool used;
	struct in6_addr addr;
	struct in_addr router;
	uint64_t expires_ms;
};

struct core_dnssl {
	bool used;
	char domain[ND_DNSSL_NAMELEN + 1];
	struct in_addr router;
	uint64_t expires_ms;
};

/* What the API has been told about an address (for address_* events). */
struct core_ev_addr {
	struct in6_addr addr;
	uint8_t plen;
	bool deprecated;
};

struct core {
	struct core_config cfg; /* defaults applied */
	void (*free_fn)(void *);
	uint64_t rng;

	struct core_source sources[CORE_SOURCES_MAX];
	struct core_router routers[CORE_ROUTERS_MAX]; /* PRL order, compact */
	size_t n_routers;
	uint64_t router_seq;

	struct in_addr locator;
	enum core_locator_source loc_src;
	bool locator_set;               /* core_set_locator() was called: never adopt */
	struct in_addr adopted_locator; /* the datapath's, until core_set_locator() */
	struct in_addr prl_locator;     /* the last locator the PRL's names were asked under */

	struct core_slaac slaac[CORE_SLAAC_MAX];
	struct core_retired retired[CORE_RETIRED_MAX];
	struct core_rentry rtable[CORE_RTABLE_MAX];
	struct core_onlink onlink[CORE_ONLINK_MAX];
	struct core_rdnss rdnss[CORE_RDNSS_MAX];
	struct core_dnssl dnssl[CORE_DNSSL_MAX];
	uint32_t mtu;
	bool mtu_from_ra;

	bool has_default;
	struct in_addr default_router;

	bool rs_ready; /* datapath and locator present: RSs can go out */
	bool dp_connected;
	struct msg_state shadow; /* what the datapath holds, as far as we know */
	/* A refused request (sync.c) leaves the shadow wrong: from then until
	 * a STATE reply replaces it, no state request is sent. */
	bool resync_wanted;  /* GET_STATE due at resync_at */
	bool resync_pending; /* GET_STATE sent, STATE not yet back */
	uint64_t resync_at, resync_backoff_ms;
	uint64_t refused, last_refused_ms;
	uint16_t last_refused_type;
	int last_refused_error;

	/* RFC 4861 §6.3.4 RA parameters for the interface (0: none given
	 * yet), and what the datapath was last sent. */
	struct msg_nd_params nd_want, nd_sent;

	struct core_ev_addr ev_addrs[CORE_ADDRS_MAX];
	size_t n_ev_addrs;

	struct core_counters counters;
	struct nd_ra scratch_ra;
	struct core_event ev_sink;

	size_t q_head, q_len;
	struct core_action queue[CORE_ACTION_MAX];
};

/* ---- core.c ---- */
struct core_action *core_push(struct core *c, enum core_action_kind kind);
void core_push_dp(struct core *c, uint16_t type, const void *payload, size_t len);
struct core_event *core_push_event(struct core *c, enum core_event_type type);
void core_process(struct core *c, uint64_t now);
struct in_addr core_locator_eff(const struct core *c);
uint64_t core_expiry(uint64_t now, uint32_t lifetime_s);
uint32_t core_remaining_s(uint64_t now, uint64_t until);
uint32_t core_remaining_ceil_s(uint64_t now, uint64_t until);
static inline void
core_count(struct core *c, enum core_counter i)
{
	c->counters.v[i]++;
}
static inline bool
core_v4_eq(struct in_addr a, struct in_addr b)
{
	return a.s_addr == b.s_addr;
}

/* ---- rand.c ---- */
void rand_seed(uint64_t *state, uint64_t seed);
uint64_t rand_next(uint64_t *state);
uint64_t rand_below(uint64_t *state, uint64_t n);    /* uniform in [0, n) */
int64_t rand_jitter(uint64_t *state, uint64_t span); /* uniform in [-span, +span] */

/* ---- prl.c ---- */
int prl_set_specs(struct core *c, uint64_t now, const struct core_config *cfg);
int prl_add_spec(struct core *c, uint64_t now, const char *spec, bool from_api);
int prl_remove_spec(struct core *c, const char *spec);
void prl_rebuild(struct core *c, uint64_t now);
void prl_refresh_all(struct core *c, uint64_t now);
/* The locator is now v4 (INADDR_ANY: none): re-resolves for another site. */
void prl_locator_changed(struct core *c, uint64_t now, struct in_addr v4);
void prl_dns_result(struct core *c, uint64_t now, const char *name, const char *matched,
                    const struct in_addr *v4s, size_t n, uint32_t ttl_s, int error);
void prl_run(struct core *c, uint64_t now);
uint64_t prl_deadline(const struct core *c);
struct core_router *prl_find(struct core *c, struct in_addr v4);
bool prl_settled(const struct core *c);

/* ---- solicit.c ---- */
void rs_start(struct core *c, struct core_router *r, uint64_t now, uint32_t max_delay_ms);
void rs_start_all(struct core *c, uint64_t now, uint32_t max_delay_ms);
void rs_stop(struct core_router *r);
void rs_answered(struct core *c, struct core_router *r, uint64_t now, uint64_t next_ms);
void rs_expire(struct core *c, uint64_t now);
void rs_run(struct core *c, uint64_t now);
uint64_t rs_deadline(const struct core *c);
void router_set_down(struct core *c, struct core_router *r, enum core_down_reason why);

void rs_keep_asking(struct core *c, struct core_router *r, uint64_t now);

/* ---- nud.c ---- */
void nud_confirmed(struct core_router *r, uint64_t now);
void nud_traffic(struct core *c, uint64_t now, const struct msg_prl_stats *st);
void nud_run(struct core *c, uint64_t now);
uint64_t nud_deadline(const struct core *c);

/* ---- ra.c ---- */
enum core_nd_verdict ra_input(struct core *c, uint64_t now, struct core_router *r,
                              const uint8_t *pkt, size_t len, enum nd_reason *why);
enum core_nd_verdict redirect_input(struct core *c, uint64_t now, struct core_router *r,
                                    const uint8_t *pkt, size_t len, enum nd_reason *why);
void ra_expire(struct core *c, uint64_t now);
uint64_t ra_deadline(const struct core *c);

/* ---- slaac.c ---- */
void slaac_pio(struct core *c, uint64_t now, struct in_addr router, const struct nd_prefix *p);
void slaac_locator_change(struct core *c, uint64_t now, struct in_addr old, struct in_addr nu);
void slaac_adopt(struct core *c, uint64_t now, const struct msg_addr *a);
void slaac_retire_addr(struct core *c, uint64_t now, const struct in6_addr *a, uint8_t plen,
                       struct in_addr router, uint64_t valid_until);
void slaac_host_v4(struct core *c, uint64_t now, const struct in_addr *have, size_t n);
void slaac_expire(struct core *c, uint64_t now);
uint64_t slaac_deadline(const struct core *c);
size_t slaac_desired(const struct core *c, uint64_t now, struct msg_addr *out, bool *dirty,
                     size_t max);
void slaac_clean(struct core *c);
void slaac_events(struct core *c, uint64_t now);

/* ---- routes.c ---- */
void onlink_update(struct core *c, uint64_t now, struct in_addr router, const struct nd_prefix *p);
void rio_update(struct core *c, uint64_t now, struct in_addr router, const struct nd_route *rt);
struct core_rentry *rtable_set(struct core *c, enum core_route_origin origin,
                               const struct prefix6 *p, struct in_addr via, int8_t pref,
                               uint64_t expires_ms);
void dns_update(struct core *c, uint64_t now, struct in_addr router, const struct nd_ra *ra);
void routes_router_gone(struct core *c, struct in_addr router);
void routes_expire(struct core *c, uint64_t now);
uint64_t routes_deadline(const struct core *c);
bool router_is_candidate(const struct core_router *r, uint64_t now);
bool router_is_live(const struct core_router *r, uint64_t now);
bool routes_rentry_installed(const struct core *c, size_t i, uint64_t now);
void routes_choose(struct core *c, uint64_t now);
size_t routes_desired(const struct core *c, uint64_t now, struct msg_route *out, size_t max);
bool routes_first_hop(const struct core *c, uint64_t now, const struct in6_addr *dst,
                      struct in_addr *via);
uint32_t pref_metric(int8_t pref);
int8_t metric_pref(uint32_t metric);
size_t onlink_desired(const struct core *c, uint64_t now, struct msg_onlink *out, size_t max);

/* ---- sync.c ---- */
void sync_dp(struct core *c, uint64_t now);
void sync_refused(struct core *c, uint64_t now, uint16_t type, int error);
void sync_retry(struct core *c, uint64_t now);
uint64_t sync_deadline(const struct core *c);
void sync_reset(struct core *c);

/* ---- reconcile.c ---- */
void reconcile_adopt(struct core *c, uint64_t now, const struct msg_state *st);

#endif
