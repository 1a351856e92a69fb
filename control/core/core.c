/*
 * The core's lifecycle, its entry points, the action queue and the one
 * processing pass every entry point ends with:
 *
 *   expire what is due (DNS refresh, unanswered RS rounds, router lifetimes,
 *   routes, addresses) -> choose the default router -> announce address
 *   changes -> diff desired state against the datapath -> send due RSs.
 *
 * Sending RSs last guarantees that SET_LOCATOR and SET_PRL reach the
 * datapath before an RS that needs them.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "core_int.h"

static void
core_apply_defaults(struct core_config *cfg)
{
	if (cfg->max_mtu == 0 || cfg->max_mtu > ISATAP_MAX_MTU)
		cfg->max_mtu = ISATAP_MAX_MTU;
	if (cfg->max_mtu < IPV6_MIN_MTU)
		cfg->max_mtu = IPV6_MIN_MTU;
	if (cfg->prl_refresh_s == 0)
		cfg->prl_refresh_s = PRL_REFRESH_INTERVAL_S;
	if (cfg->prl_refresh_s < PRL_MIN_REFRESH_INTERVAL_S)
		cfg->prl_refresh_s = PRL_MIN_REFRESH_INTERVAL_S;
	if (cfg->retire_s == 0)
		cfg->retire_s = CORE_RETIRE_DEFAULT_S;
}

struct core *
core_new(const struct core_config *cfg, uint64_t now_ms)
{
	void *(*cfn)(size_t, size_t) = cfg->calloc_fn ? cfg->calloc_fn : calloc;
	struct core *c = cfn(1, sizeof(*c));

	if (c == NULL)
		return NULL;
	c->free_fn = cfg->free_fn ? cfg->free_fn : free;
	c->cfg = *cfg;
	core_apply_defaults(&c->cfg);
	rand_seed(&c->rng, cfg->seed);
	c->mtu = ISATAP_DEFAULT_MTU;
	if (prl_set_specs(c, now_ms, cfg) < 0) {
		c->free_fn(c);
		return NULL;
	}
	core_process(c, now_ms);
	return c;
}

void
core_free(struct core *c)
{
	if (c != NULL)
		c->free_fn(c);
}

int
core_reconfigure(struct core *c, uint64_t now_ms, const struct core_config *cfg)
{
	struct core_config nc = *cfg;
	int rv;

	core_apply_defaults(&nc);
	if ((rv = prl_set_specs(c, now_ms, &nc)) < 0)
		return rv;
	nc.seed = c->cfg.seed;
	nc.calloc_fn = c->cfg.calloc_fn;
	nc.free_fn = c->cfg.free_fn;
	c->cfg = nc;
	if (c->mtu > c->cfg.max_mtu)
		c->mtu = c->cfg.max_mtu;
	core_process(c, now_ms);
	return 0;
}

/* ---- time ---- */

uint64_t
core_expiry(uint64_t now, uint32_t lifetime_s)
{
	if (lifetime_s == ND_INFINITE_LIFETIME)
		return CORE_NO_DEADLINE;
	return now + (uint64_t)lifetime_s * 1000;
}

uint32_t
core_remaining_s(uint64_t now, uint64_t until)
{
	uint64_t s;

	if (until == CORE_NO_DEADLINE)
		return CORE_INFINITE;
	if (until <= now)
		return 0;
	s = (until - now) / 1000;
	return s >= CORE_INFINITE ? CORE_INFINITE - 1 : (uint32_t)s;
}

/* For the datapath: rounded up, so the kernel never drops an address or
 * route before the core does. */
uint32_t
core_remaining_ceil_s(uint64_t now, uint64_t until)
{
	uint64_t s;

	if (until == CORE_NO_DEADLINE)
		return CORE_INFINITE;
	if (until <= now)
		return 0;
	s = (until - now + 999) / 1000;
	return s >= CORE_INFINITE ? CORE_INFINITE - 1 : (uint32_t)s;
}

/* ---- the action queue ---- */

struct core_action *
core_push(struct core *c, enum core_action_kind kind)
{
	struct core_action *a;

	if (c->q_len == CORE_ACTION_MAX) {
		/* Only a glue that does not drain can get here; the oldest
		 * action is kept, the newest dropped and counted. */
		core_count(c, CORE_C_ACTION_OVERFLOW);
		return NULL;
	}
	a = &c->queue[(c->q_head + c->q_len) % CORE_ACTION_MAX];
	c->q_len++;
	memset(a, 0, sizeof(*a));
	a->kind = kind;
	return a;
}

void
core_push_dp(struct core *c, uint16_t type, const void *payload, size_t len)
{
	struct core_action *a;

	if (!c->dp_connected)
		return;
	if ((a = core_push(c, CORE_ACT_DP)) == NULL)
		return;
	a->dp.type = type;
	a->dp.len = (uint16_t)len;
	if (len > 0) /* GET_STATE has none */
		memcpy(&a->dp.u, payload, len);
}

struct core_event *
core_push_event(struct core *c, enum core_event_type type)
{
	struct core_action *a = core_push(c, CORE_ACT_EVENT);

	if (a == NULL) {
		/* Written and never read: callers need not check. */
		memset(&c->ev_sink, 0, sizeof(c->ev_sink));
		return &c->ev_sink;
	}
	a->ev.type = type;
	return &a->ev;
}

bool
core_next_action(struct core *c, struct core_action *out)
{
	if (c->q_len == 0)
		return false;
	*out = c->queue[c->q_head];
	c->q_head = (c->q_head + 1) % CORE_ACTION_MAX;
	c->q_len--;
	return true;
}

/* ---- the processing pass ---- */

struct in_addr
core_locator_eff(const struct core *c)
{
	if (c->loc_src != CORE_LOC_NONE)
		return c->locator;
	return c->adopted_locator;
}

void
core_process(struct core *c, uint64_t now)
{
	prl_run(c, now);
	rs_expire(c, now);
	ra_expire(c, now);
	routes_expire(c, now);
	slaac_expire(c, now);
	routes_choose(c, now);
	slaac_events(c, now);
	sync_dp(c, now);
	rs_run(c, now);
	nud_run(c, now);
}

static uint64_t
min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

uint64_t
core_next_deadline(const struct core *c)
{
	uint64_t d = CORE_NO_DEADLINE;

	d = min64(d, prl_deadline(c));
	d = min64(d, rs_deadline(c));
	d = min64(d, ra_deadline(c));
	d = min64(d, routes_deadline(c));
	d = min64(d, slaac_deadline(c));
	d = min64(d, sync_deadline(c));
	d = min64(d, nud_deadline(c));
	return d;
}

void
core_tick(struct core *c, uint64_t now_ms)
{
	core_process(c, now_ms);
}

/* ---- inputs ---- */

int
core_set_locator(struct core *c, uint64_t now_ms, struct in_addr v4, enum core_locator_source src)
{
	struct in_addr old = core_locator_eff(c);
	struct core_event *ev;

	if (v4.s_addr != INADDR_ANY && addr_v4_is_bogus(v4))
		return -EINVAL;
	if ((unsigned)src >= CORE_LOC_SOURCE_COUNT)
		return -EINVAL;
	if (v4.s_addr == INADDR_ANY)
		src = CORE_LOC_NONE;
	else if (src == CORE_LOC_NONE)
		src = CORE_LOC_STATIC;

	c->locator = v4;
	c->loc_src = src;
	c->locator_set = true;
	c->adopted_locator.s_addr = INADDR_ANY;
	if (!core_v4_eq(old, v4)) {
		ev = core_push_event(c, CORE_EV_LOCATOR_CHANGED);
		ev->router = v4;
		ev->previous = old;
		slaac_locator_change(c, now_ms, old, v4);
		/* A changed locator invalidates what every router knows of
		 * us: solicit them all at once and look the routers up again. */
		if (old.s_addr != INADDR_ANY && v4.s_addr != INADDR_ANY && c->rs_ready)
			rs_start_all(c, now_ms, 0);
	}
	/* Another site's names may say otherwise (prl.c). */
	prl_locator_changed(c, now_ms, v4);
	core_process(c, now_ms);
	return 0;
}

void
core_host_v4(struct core *c, uint64_t now_ms, const struct in_addr *v4s, size_t n)
{
	slaac_host_v4(c, now_ms, v4s, n);
	core_process(c, now_ms);
}

void
core_dns_result(struct core *c, uint64_t now_ms, const char *name, const char *matched,
                const struct in_addr *v4s, size_t n, uint32_t ttl_s, int error)
{
	prl_dns_result(c, now_ms, name, matched, v4s, n, ttl_s, error);
	core_process(c, now_ms);
}

int
core_router_add(struct core *c, uint64_t now_ms, const char *spec)
{
	int rv = spec != NULL ? prl_add_spec(c, now_ms, spec, true) : -EINVAL;

	if (rv == 0) {
		prl_rebuild(c, now_ms);
		core_process(c, now_ms);
	}
	return rv;
}

int
core_router_remove(struct core *c, uint64_t now_ms, const char *spec)
{
	int rv = spec != NULL ? prl_remove_spec(c, spec) : -ENOENT;

	if (rv == 0) {
		prl_rebuild(c, now_ms);
		core_process(c, now_ms);
	}
	return rv;
}

void
core_prl_refresh(struct core *c, uint64_t now_ms)
{
	prl_refresh_all(c, now_ms);
	core_process(c, now_ms);
}

int
core_solicit(struct core *c, uint64_t now_ms, struct in_addr router, struct in_addr *out,
             size_t max)
{
	size_t n = 0;

	if (router.s_addr != INADDR_ANY && prl_find(c, router) == NULL)
		return -ENOENT;
	for (size_t i = 0; i < c->n_routers; i++) {
		struct core_router *r = &c->routers[i];

		if (router.s_addr != INADDR_ANY && !core_v4_eq(router, r->v4))
			continue;
		if (c->rs_ready)
			rs_start(c, r, now_ms, MAX_RTR_SOLICITATION_DELAY_MS);
		if (n < max)
			out[n] = r->v4;
		n++;
	}
	core_process(c, now_ms);
	return (int)(n > max ? max : n);
}

enum core_nd_verdict
core_nd_input(struct core *c, uint64_t now_ms, struct in_addr outer_src, const uint8_t *pkt,
              size_t len, enum nd_reason *why)
{
	enum nd_reason dummy;
	enum core_nd_verdict v;
	struct core_router *r;
	int type;

	if (why == NULL)
		why = &dummy;
	*why = ND_OK;
	type = nd_type(pkt, len);
	if (type == 0) {
		/* Not a well-formed ND packet at all: let the RA parser name why. */
		*why = nd_parse_ra(pkt, len, &c->scratch_ra);
		if (*why == ND_OK)
			*why = ND_WRONG_TYPE;
		v = CORE_ND_PARSE_ERROR;
	} else if (type != ICMP6_ROUTER_ADVERT && type != ICMP6_REDIRECT) {
		v = CORE_ND_IGNORED_TYPE;
	} else if ((r = prl_find(c, outer_src)) == NULL) {
		/* RFC 5214 §8.3.3: RAs only from PRL members; Redirects only
		 * from a router, which on ISATAP means the same. */
		v = CORE_ND_NOT_FROM_PRL;
	} else if (type == ICMP6_ROUTER_ADVERT) {
		v = ra_input(c, now_ms, r, pkt, len, why);
	} else {
		v = redirect_input(c, now_ms, r, pkt, len, why);
	}

	switch (v) {
	case CORE_ND_RA_ACCEPTED:
		core_count(c, CORE_C_RA_ACCEPTED);
		break;
	case CORE_ND_REDIRECT_ACCEPTED:
		core_count(c, CORE_C_REDIRECT_ACCEPTED);
		break;
	case CORE_ND_NOT_FROM_PRL:
		core_count(c, CORE_C_ND_NOT_FROM_PRL);
		break;
	case CORE_ND_PARSE_ERROR:
		core_count(c, CORE_C_ND_PARSE_ERROR);
		if ((unsigned)*why < ND_REASON_COUNT)
			c->counters.nd_parse[*why]++;
		break;
	case CORE_ND_IGNORED_TYPE:
		core_count(c, CORE_C_ND_IGNORED_TYPE);
		break;
	case CORE_ND_REDIRECT_NOT_FIRST_HOP:
		core_count(c, CORE_C_REDIRECT_NOT_FIRST_HOP);
		break;
	case CORE_ND_REDIRECT_TARGET_UNUSABLE:
		core_count(c, CORE_C_REDIRECT_TARGET_UNUSABLE);
		break;
	case CORE_ND_VERDICT_COUNT:
		break;
	}
	/* Only what was accepted changed anything: a message ignored or
	 * refused costs its parse and a counter, never a pass over every
	 * table (review finding 9: a flood of them must not). */
	if (v == CORE_ND_RA_ACCEPTED || v == CORE_ND_REDIRECT_ACCEPTED)
		core_process(c, now_ms);
	return v;
}

static void
core_set_shadow(struct core *c, const struct msg_state *st)
{
	c->shadow = *st;
	/* msg_check_payload() has bounded these; the diff indexes by them. */
	if (c->shadow.n_prl > MSG_PRL_MAX)
		c->shadow.n_prl = MSG_PRL_MAX;
	if (c->shadow.n_addrs > MSG_ADDR_MAX)
		c->shadow.n_addrs = MSG_ADDR_MAX;
	if (c->shadow.n_routes > MSG_ROUTE_MAX)
		c->shadow.n_routes = MSG_ROUTE_MAX;
	if (c->shadow.n_onlink > MSG_ONLINK_MAX)
		c->shadow.n_onlink = MSG_ONLINK_MAX;
}

void
core_dp_connected(struct core *c, uint64_t now_ms, const struct msg_state *st)
{
	c->dp_connected = true;
	sync_reset(c);
	core_set_shadow(c, st);
	memset(&c->nd_sent, 0, sizeof(c->nd_sent));
	core_push_event(c, CORE_EV_DATAPATH_CONNECTED);
	reconcile_adopt(c, now_ms, st);
	core_process(c, now_ms);
}

void
core_dp_disconnected(struct core *c, uint64_t now_ms)
{
	if (!c->dp_connected)
		return;
	c->dp_connected = false;
	sync_reset(c);
	memset(&c->shadow, 0, sizeof(c->shadow));
	core_push_event(c, CORE_EV_DATAPATH_DISCONNECTED);
	core_process(c, now_ms);
}

void
core_router_traffic(struct core *c, uint64_t now_ms, const struct msg_prl_stats *st)
{
	nud_traffic(c, now_ms, st);
	core_process(c, now_ms);
}

void
core_dp_refused(struct core *c, uint64_t now_ms, uint16_t req_type, int error)
{
	sync_refused(c, now_ms, req_type, error);
	core_process(c, now_ms);
}

void
core_dp_state(struct core *c, uint64_t now_ms, const struct msg_state *st)
{
	bool locator_was_missing;

	if (!c->dp_connected || !c->resync_pending)
		return; /* no GET_STATE of ours is out: nothing to take */
	locator_was_missing = !core_v4_eq(st->locator, core_locator_eff(c));
	sync_reset(c);
	core_set_shadow(c, st);
	/* The locator is what every RS needs: if it is sent again now, the
	 * routers whose solicitations it made fail hear from us at once,
	 * not at the end of their backoff. */
	if (locator_was_missing && core_locator_eff(c).s_addr != INADDR_ANY && c->rs_ready)
		rs_start_all(c, now_ms, MAX_RTR_SOLICITATION_DELAY_MS);
	core_process(c, now_ms);
}

void
core_dp_retry(struct core *c, uint64_t now_ms)
{
	if (!c->resync_wanted)
		return;
	sync_retry(c, now_ms);
	core_process(c, now_ms);
}

const struct core_counters *
core_get_counters(const struct core *c)
{
	return &c->counters;
}
