/*
 * The Potential Router List (RFC 5214 §8.3.2, RFC 6964): static IPv4
 * routers plus the A records of DNS names, refreshed every
 * min(PrlRefreshInterval, TTL) with jitter. A failed lookup (timeout,
 * SERVFAIL, an unusable answer) keeps the last good answer: a DNS outage
 * must not take the routers away. An authoritative "no such name" or "no
 * address" (NXDOMAIN, NODATA) is no outage but the answer that ISATAP is
 * off for that name, or that this is another site: the name's routers
 * leave at once. Routers that a good answer no longer lists are withdrawn
 * with their routes. A locator change looks every name up again at once,
 * and an answer to a lookup made before it is the old site's: it is set
 * aside and the name asked again.
 */
#include <errno.h>
#include <string.h>
#include <strings.h>

#include "core_int.h"

/* A host name as RFC 1123 §2.1 allows: labels of letters, digits and
 * hyphens, 1..63 octets, 253 in all; one trailing dot is allowed. The last
 * label may not be all digits (RFC 3696 §2), which also refuses a mistyped
 * dotted quad such as 192.0.2.256. */
static bool
prl_valid_name(const char *s)
{
	size_t len = strnlen(s, CORE_NAME_MAX), label = 0;
	bool numeric = true;

	if (len == 0 || len >= CORE_NAME_MAX || len > 254 || (len == 254 && s[253] != '.'))
		return false;
	for (size_t i = 0; i < len; i++) {
		char ch = s[i];

		if (ch == '.') {
			if (label == 0 || s[i - 1] == '-')
				return false;
			label = 0;
			if (i + 1 < len)
				numeric = true;
			continue;
		}
		if (ch < '0' || ch > '9')
			numeric = false;
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-'))
			return false;
		if (ch == '-' && label == 0)
			return false;
		if (++label > 63)
			return false;
	}
	return !numeric && (label == 0 || s[len - 1] != '-');
}

/* Parses a spec into src (not marked used). -EINVAL when it is neither a
 * unicast dotted quad nor a host name. */
static int
prl_parse_spec(const char *spec, struct core_source *src)
{
	memset(src, 0, sizeof(*src));
	if (strnlen(spec, CORE_NAME_MAX) >= CORE_NAME_MAX)
		return -EINVAL;
	if (addr_parse4(spec, &src->v4)) {
		if (addr_v4_is_bogus(src->v4))
			return -EINVAL;
		src->is_static = true;
	} else if (!prl_valid_name(spec)) {
		return -EINVAL;
	}
	strcpy(src->spec, spec);
	return 0;
}

static struct core_source *
prl_find_spec(struct core *c, const char *spec)
{
	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		struct core_source *s = &c->sources[i];

		if (s->used && strcasecmp(s->spec, spec) == 0)
			return s;
	}
	return NULL;
}

static void
prl_insert(struct core *c, uint64_t now, struct core_source *slot, const struct core_source *src,
           bool from_api)
{
	*slot = *src;
	slot->used = true;
	slot->from_api = from_api;
	slot->refresh_at = now; /* DNS: look it up at once */
}

int
prl_add_spec(struct core *c, uint64_t now, const char *spec, bool from_api)
{
	struct core_source src;
	int rv;

	if ((rv = prl_parse_spec(spec, &src)) < 0)
		return rv;
	if (prl_find_spec(c, spec) != NULL)
		return -EEXIST;
	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		if (!c->sources[i].used) {
			prl_insert(c, now, &c->sources[i], &src, from_api);
			return 0;
		}
	}
	return -ENOSPC;
}

int
prl_remove_spec(struct core *c, const char *spec)
{
	struct core_source *s = prl_find_spec(c, spec);

	if (s == NULL)
		return -ENOENT;
	memset(s, 0, sizeof(*s));
	return 0;
}

/*
 * SIGHUP: the configured specs replace the previous configured ones; those
 * added through the API stay; a name kept keeps its last answer. Checked in
 * full before anything changes.
 */
int
prl_set_specs(struct core *c, uint64_t now, const struct core_config *cfg)
{
	struct core_source next[CORE_SOURCES_MAX];
	size_t n = 0;
	int rv;

	memset(next, 0, sizeof(next));
	if (cfg->n_routers > CORE_SOURCES_MAX)
		return -ENOSPC;
	for (size_t i = 0; i < cfg->n_routers; i++) {
		struct core_source src, *old;
		bool dup = false;

		if (cfg->routers[i][0] == '\0')
			continue;
		if ((rv = prl_parse_spec(cfg->routers[i], &src)) < 0)
			return rv;
		for (size_t j = 0; j < n; j++)
			dup |= strcasecmp(next[j].spec, src.spec) == 0;
		if (dup)
			continue;
		if ((old = prl_find_spec(c, src.spec)) != NULL) {
			next[n] = *old;
			next[n].from_api = false;
		} else {
			prl_insert(c, now, &next[n], &src, false);
		}
		n++;
	}
	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		const struct core_source *s = &c->sources[i];
		bool dup = false;

		if (!s->used || !s->from_api)
			continue;
		for (size_t j = 0; j < n; j++)
			dup |= strcasecmp(next[j].spec, s->spec) == 0;
		if (dup)
			continue;
		if (n == CORE_SOURCES_MAX)
			return -ENOSPC;
		next[n++] = *s;
	}
	memcpy(c->sources, next, sizeof(next));
	prl_rebuild(c, now);
	return 0;
}

struct core_router *
prl_find(struct core *c, struct in_addr v4)
{
	for (size_t i = 0; i < c->n_routers; i++)
		if (core_v4_eq(c->routers[i].v4, v4))
			return &c->routers[i];
	return NULL;
}

/* Every name has been answered at least once: the PRL is what the
 * configuration says, and routers adopted from the datapath can go. */
bool
prl_settled(const struct core *c)
{
	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		const struct core_source *s = &c->sources[i];

		if (s->used && !s->is_static && !s->answered)
			return false;
	}
	return true;
}

static void
router_init(struct core_router *r, struct in_addr v4)
{
	memset(r, 0, sizeof(*r));
	r->v4 = v4;
	r->state = CORE_RTR_PROBING;
	r->u_form = -1;
	r->rs_at = CORE_NO_DEADLINE;
	r->dead_at = CORE_NO_DEADLINE;
	r->expires_ms = CORE_NO_DEADLINE;
	r->adopt_until = CORE_NO_DEADLINE;
}

/* Adds v4 to next[] unless present; false when next[] is full. */
static bool
prl_claim(struct core *c, struct core_router *next, size_t *n, struct in_addr v4,
          enum core_router_origin origin, const char *name)
{
	struct core_router *r, *old;

	for (size_t i = 0; i < *n; i++) {
		if (core_v4_eq(next[i].v4, v4)) {
			/* Static beats DNS for the origin shown. */
			if (origin == CORE_ORIGIN_STATIC && next[i].origin != CORE_ORIGIN_STATIC) {
				next[i].origin = origin;
				next[i].name[0] = '\0';
			}
			return true;
		}
	}
	if (*n == CORE_ROUTERS_MAX) {
		core_count(c, CORE_C_TABLE_FULL);
		return false;
	}
	r = &next[(*n)++];
	if ((old = prl_find(c, v4)) != NULL)
		*r = *old;
	else
		router_init(r, v4);
	r->origin = origin;
	r->adopted_prl = origin == CORE_ORIGIN_DATAPATH;
	if (name != NULL)
		strcpy(r->name, name);
	else
		r->name[0] = '\0';
	return true;
}

/* The PRL from the sources (and, until they are settled, what the
 * datapath had): routers that stay keep their state, vanished ones are
 * withdrawn (router_down for why), new ones solicited. */
static void
prl_rebuild_why(struct core *c, uint64_t now, enum core_down_reason why)
{
	struct core_router next[CORE_ROUTERS_MAX];
	bool is_new[CORE_ROUTERS_MAX];
	size_t n = 0;
	bool changed;
	struct core_event *ev;

	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		const struct core_source *s = &c->sources[i];

		if (!s->used)
			continue;
		if (s->is_static) {
			prl_claim(c, next, &n, s->v4, CORE_ORIGIN_STATIC, NULL);
			continue;
		}
		for (size_t j = 0; j < s->n_addrs; j++)
			prl_claim(c, next, &n, s->addrs[j], CORE_ORIGIN_DNS,
			          s->matched[0] ? s->matched : s->spec);
	}
	if (!prl_settled(c))
		for (size_t i = 0; i < c->n_routers; i++)
			if (c->routers[i].adopted_prl)
				prl_claim(c, next, &n, c->routers[i].v4, CORE_ORIGIN_DATAPATH,
				          NULL);

	changed = n != c->n_routers;
	for (size_t i = 0; i < c->n_routers; i++) {
		struct core_router *old = &c->routers[i];
		bool kept = false;

		for (size_t j = 0; j < n; j++)
			kept |= core_v4_eq(next[j].v4, old->v4);
		if (kept)
			continue;
		changed = true;
		router_set_down(c, old, why);
		routes_router_gone(c, old->v4);
	}
	for (size_t j = 0; j < n; j++) {
		is_new[j] = prl_find(c, next[j].v4) == NULL;
		changed |= is_new[j] || !core_v4_eq(next[j].v4, c->routers[j].v4);
	}

	memcpy(c->routers, next, n * sizeof(next[0]));
	c->n_routers = n;
	if (!changed)
		return;

	/* RFC 5214 §8.3.4: solicit each new PRL member. */
	for (size_t i = 0; i < n; i++)
		if (is_new[i] && c->rs_ready)
			rs_start(c, &c->routers[i], now, MAX_RTR_SOLICITATION_DELAY_MS);
	ev = core_push_event(c, CORE_EV_PRL_CHANGED);
	ev->n_routers = (uint32_t)n;
	for (size_t i = 0; i < n; i++)
		ev->routers[i] = c->routers[i].v4;
}

void
prl_rebuild(struct core *c, uint64_t now)
{
	prl_rebuild_why(c, now, CORE_DOWN_REMOVED);
}

void
prl_refresh_all(struct core *c, uint64_t now)
{
	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		struct core_source *s = &c->sources[i];

		if (s->used && !s->is_static && !s->resolving)
			s->refresh_at = now;
	}
}

/*
 * Another locator may be another site, whose names say something else:
 * every name is looked up again at once, and a lookup in flight was asked
 * at the old site (its answer is set aside, the name asked again). The
 * site is the last locator the host had: losing it for a while and getting
 * it back is no move; the first one is no move either.
 */
void
prl_locator_changed(struct core *c, uint64_t now, struct in_addr v4)
{
	if (v4.s_addr == INADDR_ANY)
		return;
	if (c->prl_locator.s_addr != INADDR_ANY && !core_v4_eq(c->prl_locator, v4)) {
		for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
			struct core_source *s = &c->sources[i];

			if (!s->used || s->is_static)
				continue;
			if (s->resolving)
				s->requery = true;
			else
				s->refresh_at = now;
		}
	}
	c->prl_locator = v4;
}

/* base_s with ±10 % jitter, never below PRL_MIN_REFRESH_INTERVAL_S. */
static uint64_t
prl_next_refresh(struct core *c, uint64_t now, uint32_t base_s)
{
	uint64_t base = (uint64_t)base_s * 1000;
	int64_t at = (int64_t)base + rand_jitter(&c->rng, base / 10);

	if (at < (int64_t)PRL_MIN_REFRESH_INTERVAL_S * 1000)
		at = (int64_t)PRL_MIN_REFRESH_INTERVAL_S * 1000;
	return now + (uint64_t)at;
}

/* The next lookup after one that listed no router: PRL_MIN_REFRESH_INTERVAL_S,
 * doubling up to PrlRefreshInterval. */
static void
prl_backoff(struct core *c, uint64_t now, struct core_source *s)
{
	s->retry_s = s->retry_s == 0 ? PRL_MIN_REFRESH_INTERVAL_S : s->retry_s * 2;
	if (s->retry_s > c->cfg.prl_refresh_s)
		s->retry_s = c->cfg.prl_refresh_s;
	s->refresh_at = prl_next_refresh(c, now, s->retry_s);
}

void
prl_dns_result(struct core *c, uint64_t now, const char *name, const char *matched,
               const struct in_addr *v4s, size_t n, uint32_t ttl_s, int error)
{
	struct core_source *s;
	size_t kept = 0;

	if (name == NULL || (s = prl_find_spec(c, name)) == NULL || s->is_static || !s->resolving)
		return; /* an answer for a name removed meanwhile */
	s->resolving = false;
	if (s->requery) {
		/* Asked before the locator changed: the old site's answer,
		 * whatever it says. Ask again now. */
		s->requery = false;
		s->refresh_at = now;
		return;
	}

	if (error == -ENOENT || (error == 0 && n == 0)) {
		/*
		 * NXDOMAIN or NODATA for every candidate (dns.c): the name's
		 * routers are no longer trusted (review finding 2), at once.
		 * No grace: whoever can forge this answer could as well
		 * forge one naming their own router. Looked up again on the
		 * failure backoff, so that ISATAP turned back on is found.
		 */
		core_count(c, CORE_C_DNS_NO_SUCH_NAME);
		s->state = CORE_NAME_NO_SUCH_NAME;
		s->answered = true;
		s->n_addrs = 0;
		s->matched[0] = '\0';
		prl_backoff(c, now, s);
		prl_rebuild_why(c, now, CORE_DOWN_NO_SUCH_NAME);
		return;
	}
	if (error < 0 || n == 0) {
		/* An outage: keep the last good PRL; retry sooner than a full
		 * interval, backing off to it. */
		core_count(c, CORE_C_DNS_FAILURES);
		s->state = CORE_NAME_FAILING;
		prl_backoff(c, now, s);
		return;
	}
	s->state = CORE_NAME_RESOLVED;
	s->retry_s = 0;
	for (size_t i = 0; i < n && kept < CORE_ROUTERS_MAX; i++) {
		bool dup = false;

		if (addr_v4_is_bogus(v4s[i]))
			continue;
		for (size_t j = 0; j < kept; j++)
			dup |= core_v4_eq(s->addrs[j], v4s[i]);
		if (!dup)
			s->addrs[kept++] = v4s[i];
	}
	s->n_addrs = kept;
	s->answered = true;
	if (matched != NULL && strnlen(matched, CORE_NAME_MAX) < CORE_NAME_MAX)
		strcpy(s->matched, matched);
	else
		s->matched[0] = '\0';
	s->refresh_at = prl_next_refresh(
	        c, now, ttl_s < c->cfg.prl_refresh_s ? ttl_s : c->cfg.prl_refresh_s);
	prl_rebuild(c, now);
}

void
prl_run(struct core *c, uint64_t now)
{
	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		struct core_source *s = &c->sources[i];
		struct core_action *a;

		if (!s->used || s->is_static || s->resolving || s->refresh_at > now)
			continue;
		if ((a = core_push(c, CORE_ACT_RESOLVE)) == NULL)
			return;
		strcpy(a->resolve_name, s->spec);
		s->resolving = true;
	}
}

uint64_t
prl_deadline(const struct core *c)
{
	uint64_t d = CORE_NO_DEADLINE;

	for (size_t i = 0; i < CORE_SOURCES_MAX; i++) {
		const struct core_source *s = &c->sources[i];

		if (s->used && !s->is_static && !s->resolving && s->refresh_at < d)
			d = s->refresh_at;
	}
	return d;
}
