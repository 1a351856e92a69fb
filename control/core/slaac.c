/*
 * Addresses (RFC 4862 §5.5.3, RFC 5214 §6.1): the link-local
 * fe80::{0|200}:5efe:V4 of the locator, prefix::{0|200}:5efe:V4 for each
 * autonomous /64 prefix, and the addresses of a previous locator, kept
 * deprecated for retire_s after a change so that connections can drain
 * (make before break) while the host still has its IPv4 address, which
 * keeps it in the datapath's locator set (RFC 5214 §6.2), or removed at
 * once when it does not (slaac_host_v4()).
 *
 * Lifetimes belong to the prefix entry, so that a locator change derives
 * the new addresses with the lifetimes the routers gave.
 */
#include <string.h>

#include "core_int.h"

#define TWO_HOURS_MS ((uint64_t)SLAAC_TWO_HOURS_S * 1000)

static struct core_slaac *
slaac_find(struct core *c, const struct prefix6 *p)
{
	for (size_t i = 0; i < CORE_SLAAC_MAX; i++) {
		struct core_slaac *s = &c->slaac[i];

		if (s->used && s->prefix.plen == p->plen &&
		    memcmp(&s->prefix.addr, &p->addr, sizeof(p->addr)) == 0)
			return s;
	}
	return NULL;
}

static struct core_slaac *
slaac_alloc(struct core *c, const struct prefix6 *p)
{
	for (size_t i = 0; i < CORE_SLAAC_MAX; i++) {
		struct core_slaac *s = &c->slaac[i];

		if (!s->used) {
			memset(s, 0, sizeof(*s));
			s->used = true;
			s->prefix = *p;
			s->dirty = true;
			return s;
		}
	}
	core_count(c, CORE_C_TABLE_FULL);
	return NULL;
}

static void
slaac_set_preferred(struct core_slaac *s, uint64_t now, uint32_t preferred_s)
{
	s->preferred_until = core_expiry(now, preferred_s);
	if (s->preferred_until > s->valid_until)
		s->preferred_until = s->valid_until;
	s->deprecated = s->preferred_until <= now;
}

/*
 * An address the datapath holds when control (re)connects (reconcile.c).
 * A global ISATAP /64 address gives its prefix entry, with the lifetimes the
 * datapath reports, so nothing is torn down; the next RA refreshes it
 * through the two-hour rule like any other. One of another locator is also
 * retired (make before break across a restart). Anything else is left out,
 * and sync.c deletes it.
 */
void
slaac_adopt(struct core *c, uint64_t now, const struct msg_addr *a)
{
	struct in_addr loc = core_locator_eff(c), v4, none = {INADDR_ANY};
	bool ours;
	struct prefix6 p;
	struct core_slaac *s;

	if (!addr_is_isatap(&a->addr) || !addr_isatap_v4(&a->addr, &v4) || a->plen != 64)
		return;
	ours = core_v4_eq(v4, loc);
	for (size_t i = 0; i < CORE_RETIRED_MAX; i++)
		if (c->retired[i].used && memcmp(&c->retired[i].addr, &a->addr, 16) == 0)
			return; /* retired by this core already: nothing to learn */
	if (!ours)
		slaac_retire_addr(c, now, &a->addr, a->plen, none, core_expiry(now, a->valid_lft));
	if (addr_is_linklocal(&a->addr) || loc.s_addr == INADDR_ANY)
		return; /* the locator's link-local is always wanted */
	/* The prefix is the link's, whichever locator the address was made
	 * for: the locator's own address under it comes up now (the IPv4
	 * address changed while control was down), not at the next RA. */
	addr_prefix_make(&p, &a->addr, 64);
	if (slaac_find(c, &p) != NULL || (s = slaac_alloc(c, &p)) == NULL)
		return;
	s->router.s_addr = INADDR_ANY;
	s->valid_until = core_expiry(now, a->valid_lft);
	slaac_set_preferred(s, now, a->preferred_lft);
	s->dirty = !ours; /* the datapath has exactly ours */
}

/* A Prefix Information option with the A flag. */
void
slaac_pio(struct core *c, uint64_t now, struct in_addr router, const struct nd_prefix *p)
{
	uint64_t remaining, valid_ms;
	struct core_slaac *s;

	/* (b) link-local prefixes are not for SLAAC; (c) preferred > valid
	 * is nonsense; (d) the prefix and the 64-bit ISATAP identifier
	 * must make 128 bits. */
	if (addr_is_linklocal(&p->prefix.addr)) {
		core_count(c, CORE_C_PIO_LINKLOCAL);
		return;
	}
	if (p->preferred_lifetime > p->valid_lifetime) {
		core_count(c, CORE_C_PIO_BAD_LIFETIMES);
		return;
	}
	if (p->prefix.plen != 64) {
		core_count(c, CORE_C_PIO_BAD_PLEN);
		return;
	}

	/* An entry whose valid lifetime ended before the tick that would have
	 * removed it (the glue handles I/O before timers) is no entry: the
	 * two-hour rule protects a live address, it must not bring a dead one
	 * back for two hours. */
	if ((s = slaac_find(c, &p->prefix)) != NULL && s->valid_until <= now) {
		memset(s, 0, sizeof(*s));
		s = NULL;
	}
	if (s == NULL) {
		/* (d) a new prefix with a valid lifetime forms an address. */
		if (p->valid_lifetime == 0 || (s = slaac_alloc(c, &p->prefix)) == NULL)
			return;
		s->router = router;
		s->valid_until = core_expiry(now, p->valid_lifetime);
		slaac_set_preferred(s, now, p->preferred_lifetime);
		return;
	}

	/* (e) the two-hour rule: an unauthenticated RA may not cut a valid
	 * lifetime below two hours, so a forged RA cannot kill the address. */
	remaining =
	        s->valid_until == CORE_NO_DEADLINE ? UINT64_MAX : s->valid_until - now; /* > 0 */
	valid_ms = p->valid_lifetime == ND_INFINITE_LIFETIME ? UINT64_MAX
	                                                     : (uint64_t)p->valid_lifetime * 1000;
	if (valid_ms > TWO_HOURS_MS || valid_ms > remaining) {
		s->valid_until = core_expiry(now, p->valid_lifetime); /* (e) 1 */
	} else if (remaining <= TWO_HOURS_MS) {
		if (valid_ms < remaining) /* (e) 2: ignored */
			core_count(c, CORE_C_TWO_HOUR_RULE);
	} else {
		s->valid_until = now + TWO_HOURS_MS; /* (e) 3 */
		core_count(c, CORE_C_TWO_HOUR_RULE);
	}
	slaac_set_preferred(s, now, p->preferred_lifetime);
	s->router = router;
	s->dirty = true;
}

void
slaac_retire_addr(struct core *c, uint64_t now, const struct in6_addr *a, uint8_t plen,
                  struct in_addr router, uint64_t valid_until)
{
	struct core_retired *slot = NULL;
	uint64_t remove_at = now + (uint64_t)c->cfg.retire_s * 1000;

	if (valid_until < remove_at)
		remove_at = valid_until;
	for (size_t i = 0; i < CORE_RETIRED_MAX && slot == NULL; i++)
		if (c->retired[i].used && memcmp(&c->retired[i].addr, a, sizeof(*a)) == 0)
			slot = &c->retired[i];
	for (size_t i = 0; i < CORE_RETIRED_MAX && slot == NULL; i++)
		if (!c->retired[i].used)
			slot = &c->retired[i];
	if (slot == NULL) {
		/* Full after rapid locator flapping: the entry closest to its
		 * end makes room. */
		core_count(c, CORE_C_TABLE_FULL);
		slot = &c->retired[0];
		for (size_t i = 1; i < CORE_RETIRED_MAX; i++)
			if (c->retired[i].remove_at < slot->remove_at)
				slot = &c->retired[i];
	}
	slot->used = true;
	slot->addr = *a;
	slot->plen = plen;
	slot->router = router;
	slot->remove_at = remove_at;
}

static void
slaac_unretire(struct core *c, const struct in6_addr *a)
{
	for (size_t i = 0; i < CORE_RETIRED_MAX; i++)
		if (c->retired[i].used && memcmp(&c->retired[i].addr, a, sizeof(*a)) == 0)
			memset(&c->retired[i], 0, sizeof(c->retired[i]));
}

/* The old addresses are deprecated and retired, the new ones derived from
 * the same prefixes; sync.c adds the new ones before it deprecates the old. */
void
slaac_locator_change(struct core *c, uint64_t now, struct in_addr old, struct in_addr nu)
{
	struct in6_addr a;
	const struct in_addr any = {INADDR_ANY};

	if (old.s_addr != INADDR_ANY) {
		addr_isatap_linklocal(old, &a);
		slaac_retire_addr(c, now, &a, 64, any, CORE_NO_DEADLINE);
		for (size_t i = 0; i < CORE_SLAAC_MAX; i++) {
			struct core_slaac *s = &c->slaac[i];

			if (!s->used)
				continue;
			addr_isatap_compose(&s->prefix.addr, old, &a);
			slaac_retire_addr(c, now, &a, 64, s->router, s->valid_until);
		}
	}
	if (nu.s_addr != INADDR_ANY) {
		addr_isatap_linklocal(nu, &a);
		slaac_unretire(c, &a);
		for (size_t i = 0; i < CORE_SLAAC_MAX; i++) {
			if (!c->slaac[i].used)
				continue;
			addr_isatap_compose(&c->slaac[i].prefix.addr, nu, &a);
			slaac_unretire(c, &a);
			c->slaac[i].dirty = true;
		}
	}
}

/*
 * RFC 5214 §6.2: "when an IPv4 address is removed from an interface, the
 * corresponding locator SHOULD be removed from its associated locator
 * set". The addresses of a previous locator the host no longer has can
 * neither send nor receive (the datapath drops that locator from its set):
 * they are removed at once, so that applications see EADDRNOTAVAIL and
 * reconnect instead of timing out. Those of one the host still has stay
 * their retire_s, working (make-before-break).
 */
void
slaac_host_v4(struct core *c, uint64_t now, const struct in_addr *have, size_t n)
{
	struct in_addr loc = core_locator_eff(c), v4;

	for (size_t i = 0; i < CORE_RETIRED_MAX; i++) {
		struct core_retired *r = &c->retired[i];
		bool local = false;

		if (!r->used || !addr_isatap_v4(&r->addr, &v4) || core_v4_eq(v4, loc))
			continue;
		for (size_t k = 0; k < n && !local; k++)
			local = core_v4_eq(have[k], v4);
		if (!local && r->remove_at > now)
			r->remove_at = now;
	}
}

void
slaac_expire(struct core *c, uint64_t now)
{
	for (size_t i = 0; i < CORE_SLAAC_MAX; i++) {
		struct core_slaac *s = &c->slaac[i];

		if (!s->used)
			continue;
		if (s->valid_until <= now) {
			memset(s, 0, sizeof(*s));
			continue;
		}
		if (!s->deprecated && s->preferred_until <= now) {
			s->deprecated = true;
			s->dirty = true;
		}
	}
	for (size_t i = 0; i < CORE_RETIRED_MAX; i++)
		if (c->retired[i].used && c->retired[i].remove_at <= now)
			memset(&c->retired[i], 0, sizeof(c->retired[i]));
}

uint64_t
slaac_deadline(const struct core *c)
{
	uint64_t d = CORE_NO_DEADLINE;

	for (size_t i = 0; i < CORE_SLAAC_MAX; i++) {
		const struct core_slaac *s = &c->slaac[i];

		if (!s->used)
			continue;
		if (s->valid_until < d)
			d = s->valid_until;
		if (!s->deprecated && s->preferred_until < d)
			d = s->preferred_until;
	}
	for (size_t i = 0; i < CORE_RETIRED_MAX; i++)
		if (c->retired[i].used && c->retired[i].remove_at < d)
			d = c->retired[i].remove_at;
	return d;
}

static void
want(struct msg_addr *out, bool *dirty, size_t *n, size_t max, const struct in6_addr *a,
     uint32_t valid, uint32_t preferred, bool is_dirty)
{
	if (*n >= max)
		return;
	memset(&out[*n], 0, sizeof(out[*n]));
	out[*n].addr = *a;
	out[*n].plen = 64;
	out[*n].valid_lft = valid;
	out[*n].preferred_lft = preferred < valid ? preferred : valid;
	if (dirty != NULL)
		dirty[*n] = is_dirty;
	(*n)++;
}

/* The addresses the datapath should hold now, lifetimes rounded up. */
size_t
slaac_desired(const struct core *c, uint64_t now, struct msg_addr *out, bool *dirty, size_t max)
{
	struct in_addr loc = core_locator_eff(c);
	struct in6_addr a;
	size_t n = 0;

	if (loc.s_addr != INADDR_ANY) {
		addr_isatap_linklocal(loc, &a);
		want(out, dirty, &n, max, &a, CORE_INFINITE, CORE_INFINITE, false);
		for (size_t i = 0; i < CORE_SLAAC_MAX; i++) {
			const struct core_slaac *s = &c->slaac[i];

			if (!s->used)
				continue;
			addr_isatap_compose(&s->prefix.addr, loc, &a);
			want(out, dirty, &n, max, &a, core_remaining_ceil_s(now, s->valid_until),
			     s->deprecated ? 0 : core_remaining_ceil_s(now, s->preferred_until),
			     s->dirty);
		}
	}
	for (size_t i = 0; i < CORE_RETIRED_MAX; i++) {
		const struct core_retired *r = &c->retired[i];
		bool current = false;

		/* slaac_locator_change() unretires what becomes current again;
		 * this keeps one entry per address whatever happens. */
		for (size_t j = 0; j < n; j++)
			current |= memcmp(&out[j].addr, &r->addr, sizeof(r->addr)) == 0;
		if (r->used && !current)
			want(out, dirty, &n, max, &r->addr,
			     core_remaining_ceil_s(now, r->remove_at), 0, false);
	}
	return n;
}

void
slaac_clean(struct core *c)
{
	for (size_t i = 0; i < CORE_SLAAC_MAX; i++)
		c->slaac[i].dirty = false;
}

static struct core_ev_addr *
ev_find(struct core *c, const struct in6_addr *a)
{
	for (size_t i = 0; i < c->n_ev_addrs; i++)
		if (memcmp(&c->ev_addrs[i].addr, a, sizeof(*a)) == 0)
			return &c->ev_addrs[i];
	return NULL;
}

/* address_added / _deprecated / _removed for the API, in that order, by
 * diffing what is wanted against what was announced: independent of the
 * datapath being there. */
void
slaac_events(struct core *c, uint64_t now)
{
	struct msg_addr want_now[CORE_ADDRS_MAX];
	size_t n = slaac_desired(c, now, want_now, NULL, CORE_ADDRS_MAX);
	struct core_event *ev;
	struct core_ev_addr *e;

	for (size_t i = 0; i < n; i++) {
		if (ev_find(c, &want_now[i].addr) != NULL || c->n_ev_addrs == CORE_ADDRS_MAX)
			continue;
		e = &c->ev_addrs[c->n_ev_addrs++];
		e->addr = want_now[i].addr;
		e->plen = want_now[i].plen;
		e->deprecated = false;
		ev = core_push_event(c, CORE_EV_ADDRESS_ADDED);
		ev->address = e->addr;
		ev->prefix_len = e->plen;
	}
	for (size_t i = 0; i < n; i++) {
		bool dep = want_now[i].preferred_lft == 0;

		if ((e = ev_find(c, &want_now[i].addr)) == NULL)
			continue;
		if (dep && !e->deprecated) {
			ev = core_push_event(c, CORE_EV_ADDRESS_DEPRECATED);
			ev->address = e->addr;
		}
		e->deprecated = dep;
	}
	for (size_t i = 0; i < c->n_ev_addrs;) {
		bool wanted = false;

		for (size_t j = 0; j < n; j++)
			wanted |= memcmp(&want_now[j].addr, &c->ev_addrs[i].addr,
			                 sizeof(struct in6_addr)) == 0;
		if (wanted) {
			i++;
			continue;
		}
		ev = core_push_event(c, CORE_EV_ADDRESS_REMOVED);
		ev->address = c->ev_addrs[i].addr;
		c->ev_addrs[i] = c->ev_addrs[--c->n_ev_addrs];
	}
}
