/*
 * Read-only views for `status` (docs/API.md): copies with lifetimes turned
 * into whole seconds remaining at now. Each fills out[0..max) and returns
 * the total, so a caller can size a second call.
 */
#include <string.h>

#include "core_int.h"

size_t
core_routers(const struct core *c, uint64_t now_ms, struct core_router_view *out, size_t max)
{
	for (size_t i = 0; i < c->n_routers && i < max; i++) {
		const struct core_router *r = &c->routers[i];
		struct core_router_view *v = &out[i];

		memset(v, 0, sizeof(*v));
		v->v4 = r->v4;
		v->origin = r->origin;
		strcpy(v->name, r->name);
		v->state = r->state;
		v->has_ra = r->has_ra;
		if (r->has_ra) {
			v->router_lifetime_s = core_remaining_s(now_ms, r->expires_ms);
			if (r->lifetime_s == 0)
				v->router_lifetime_s = 0; /* lifetime 0, or run out */
			v->preference = r->pref;
			v->last_ra_age_s =
			        now_ms > r->last_ra_ms ? (now_ms - r->last_ra_ms) / 1000 : 0;
		}
		v->has_next_solicit = c->rs_ready && r->rs_at != CORE_NO_DEADLINE;
		if (v->has_next_solicit)
			v->next_solicit_s =
			        r->rs_at > now_ms ? (r->rs_at - now_ms + 999) / 1000 : 0;
		v->is_default = c->has_default && core_v4_eq(c->default_router, r->v4);
		v->has_link_local = r->has_ra;
		v->link_local = r->ll;
		v->solicitations = r->solicitations;
		v->advertisements = r->advertisements;
	}
	return c->n_routers;
}

size_t
core_names(const struct core *c, uint64_t now_ms, struct core_name_view *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		const struct core_source *s = &c->sources[i];
		struct core_name_view *v;

		if (!s->used || s->is_static || n++ >= max)
			continue;
		v = &out[n - 1];
		memset(v, 0, sizeof(*v));
		strcpy(v->name, s->spec);
		strcpy(v->matched, s->matched);
		v->state = s->state;
		v->n_routers = s->n_addrs;
		v->resolving = s->resolving;
		if (!s->resolving)
			v->next_lookup_s =
			        s->refresh_at > now_ms ? (s->refresh_at - now_ms + 999) / 1000 : 0;
	}
	return n;
}

static void
addr_view(struct core_addr_view *v, const struct in6_addr *a, uint32_t valid_s,
          uint32_t preferred_s, bool deprecated, struct in_addr router)
{
	memset(v, 0, sizeof(*v));
	v->addr = *a;
	v->plen = 64;
	v->valid_s = valid_s;
	v->preferred_s = deprecated ? 0 : preferred_s < valid_s ? preferred_s : valid_s;
	v->state = deprecated ? CORE_ADDR_DEPRECATED : CORE_ADDR_PREFERRED;
	v->router = router;
}

/* Global addresses, current then retiring; the link-local is
 * core_link_local(). */
size_t
core_addresses(const struct core *c, uint64_t now_ms, struct core_addr_view *out, size_t max)
{
	struct in_addr loc = core_locator_eff(c);
	struct in6_addr a;
	size_t n = 0;

	for (size_t i = 0; i < CORE_SLAAC_MAX && loc.s_addr != INADDR_ANY; i++) {
		const struct core_slaac *s = &c->slaac[i];

		if (!s->used || n++ >= max)
			continue;
		addr_isatap_compose(&s->prefix.addr, loc, &a);
		addr_view(&out[n - 1], &a, core_remaining_s(now_ms, s->valid_until),
		          core_remaining_s(now_ms, s->preferred_until), s->deprecated, s->router);
	}
	for (size_t i = 0; i < CORE_RETIRED_MAX; i++) {
		const struct core_retired *r = &c->retired[i];

		if (!r->used || addr_is_linklocal(&r->addr) || n++ >= max)
			continue;
		addr_view(&out[n - 1], &r->addr, core_remaining_s(now_ms, r->remove_at), 0, true,
		          r->router);
	}
	return n;
}

size_t
core_routes(const struct core *c, uint64_t now_ms, struct core_route_view *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < c->n_routers; i++) {
		const struct core_router *r = &c->routers[i];
		struct core_route_view *v;

		if (!router_is_candidate(r, now_ms))
			continue;
		if (n++ >= max)
			continue;
		v = &out[n - 1];
		memset(v, 0, sizeof(*v));
		v->via = r->v4;
		v->lifetime_s = r->has_ra ? core_remaining_s(now_ms, r->expires_ms)
		                          : core_remaining_s(now_ms, r->adopt_until);
		v->preference = r->has_ra ? r->pref : r->adopted_pref;
		v->origin = CORE_ROUTE_DEFAULT;
		v->installed = c->has_default && core_v4_eq(c->default_router, r->v4);
	}
	for (size_t i = 0; i < CORE_RTABLE_MAX; i++) {
		const struct core_rentry *e = &c->rtable[i];
		struct core_route_view *v;

		if (!e->used || e->expires_ms <= now_ms)
			continue;
		if (n++ >= max)
			continue;
		v = &out[n - 1];
		memset(v, 0, sizeof(*v));
		v->prefix = e->prefix;
		v->via = e->via;
		v->lifetime_s = core_remaining_s(now_ms, e->expires_ms);
		v->preference = e->pref;
		v->origin = e->origin;
		v->installed = routes_rentry_installed(c, i, now_ms);
	}
	return n;
}

size_t
core_onlinks(const struct core *c, uint64_t now_ms, struct core_onlink_view *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < CORE_ONLINK_MAX; i++) {
		const struct core_onlink *e = &c->onlink[i];

		if (!e->used || e->valid_until <= now_ms)
			continue;
		if (n++ >= max)
			continue;
		out[n - 1].prefix = e->prefix;
		out[n - 1].valid_s = core_remaining_s(now_ms, e->valid_until);
		out[n - 1].router = e->router;
	}
	return n;
}

size_t
core_rdnss(const struct core *c, uint64_t now_ms, struct core_rdnss_view *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < CORE_RDNSS_MAX; i++) {
		const struct core_rdnss *e = &c->rdnss[i];

		if (!e->used || e->expires_ms <= now_ms)
			continue;
		if (n++ >= max)
			continue;
		out[n - 1].addr = e->addr;
		out[n - 1].lifetime_s = core_remaining_s(now_ms, e->expires_ms);
		out[n - 1].router = e->router;
	}
	return n;
}

size_t
core_dnssl(const struct core *c, uint64_t now_ms, struct core_dnssl_view *out, size_t max)
{
	size_t n = 0;

	for (size_t i = 0; i < CORE_DNSSL_MAX; i++) {
		const struct core_dnssl *e = &c->dnssl[i];

		if (!e->used || e->expires_ms <= now_ms)
			continue;
		if (n++ >= max)
			continue;
		memcpy(out[n - 1].domain, e->domain, sizeof(e->domain));
		out[n - 1].lifetime_s = core_remaining_s(now_ms, e->expires_ms);
		out[n - 1].router = e->router;
	}
	return n;
}

enum core_locator_source
core_locator(const struct core *c, struct in_addr *v4)
{
	*v4 = core_locator_eff(c);
	if (c->loc_src == CORE_LOC_NONE && v4->s_addr != INADDR_ANY)
		return CORE_LOC_STATIC; /* adopted from the datapath */
	return c->loc_src;
}

bool
core_link_local(const struct core *c, struct in6_addr *out)
{
	struct in_addr loc = core_locator_eff(c);

	if (loc.s_addr == INADDR_ANY)
		return false;
	addr_isatap_linklocal(loc, out);
	return true;
}

bool
core_default_router(const struct core *c, struct in_addr *out)
{
	if (!c->has_default)
		return false;
	*out = c->default_router;
	return true;
}

uint32_t
core_mtu(const struct core *c)
{
	return c->mtu > c->cfg.max_mtu ? c->cfg.max_mtu : c->mtu;
}

bool
core_dp_is_connected(const struct core *c)
{
	return c->dp_connected;
}

void
core_dp_sync(const struct core *c, uint64_t now_ms, struct core_dp_sync_view *out)
{
	memset(out, 0, sizeof(*out));
	out->in_sync = !c->resync_wanted && !c->resync_pending;
	out->refused = c->refused;
	out->has_last = c->refused > 0;
	if (!out->has_last)
		return;
	out->last_type = c->last_refused_type;
	out->last_error = c->last_refused_error;
	out->last_age_s = now_ms > c->last_refused_ms ? (now_ms - c->last_refused_ms) / 1000 : 0;
}
