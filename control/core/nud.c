/*
 * Router reachability (RFC 5214 §8.4: hosts SHOULD do Neighbor
 * Unreachability Detection; RFC 4861 §7.3, §6.3.6: an unreachable router
 * SHOULD NOT be used). Without it a dead default router was noticed only
 * at its next scheduled solicitation, 0.8 x its lifetime later (24 minutes
 * with the shipped radvd example).
 *
 * The signals are the datapath's per-router traffic counts, polled every
 * second (core_router_traffic()): datagrams sent with the router as next
 * hop, and datagrams received from it. RFC 4861 §7.3.1's forward progress
 * is taken as "something came back from it" (or an RA answered us); the
 * states follow §7.3.2:
 *
 *   confirmed within ReachableTime -> nothing to do (REACHABLE);
 *   older, and traffic is being sent to it -> DELAY for
 *   DELAY_FIRST_PROBE_TIME, then PROBE: MAX_UNICAST_SOLICIT unicast Router
 *   Solicitations RetransTimer apart (what an ISATAP router answers: radvd
 *   with UnicastOnly; its RA is the confirmation); none answered ->
 *   unreachable: the default route moves to the next live router, and the
 *   router is solicited again with the RFC 7559 backoff until it answers.
 *
 * A router nothing is sent to is never probed, so a host with no traffic
 * sends no extra RS at all, and one whose traffic comes back sends none
 * either. Worst case from the last confirmation to the failover:
 * ReachableTime + DELAY_FIRST_PROBE_TIME + MAX_UNICAST_SOLICIT x
 * RetransTimer (30 + 5 + 3 s by default), plus a poll (1 s).
 */
#include "core_int.h"

static uint64_t
reachable_ms(const struct core *c)
{
	return c->nd_want.reachable_ms ? c->nd_want.reachable_ms : REACHABLE_TIME_MS;
}

static uint64_t
retrans_ms(const struct core *c)
{
	return c->nd_want.retrans_ms ? c->nd_want.retrans_ms : RETRANS_TIMER_MS;
}

/* Forward progress (an RA from it, or traffic from it). */
void
nud_confirmed(struct core_router *r, uint64_t now)
{
	r->nud_confirmed_ms = now;
	r->nud_phase = CORE_NUD_NONE;
	r->nud_probes = 0;
}

/* Only a router we would send through is worth probing. */
static bool
nud_watched(const struct core_router *r, uint64_t now)
{
	return r->has_ra && r->state == CORE_RTR_REACHABLE && router_is_live(r, now);
}

void
nud_traffic(struct core *c, uint64_t now, const struct msg_prl_stats *st)
{
	for (uint32_t i = 0; i < st->n && i < MSG_PRL_MAX; i++) {
		struct core_router *r = prl_find(c, st->e[i].v4);
		bool out, in;

		if (r == NULL)
			continue;
		/* The first sample, or counters that went back (a datapath
		 * restart): a base to compare the next one with. */
		if (!r->nud_sampled || st->e[i].out_packets < r->nud_out ||
		    st->e[i].in_packets < r->nud_in) {
			r->nud_sampled = true;
			r->nud_out = st->e[i].out_packets;
			r->nud_in = st->e[i].in_packets;
			continue;
		}
		out = st->e[i].out_packets > r->nud_out;
		in = st->e[i].in_packets > r->nud_in;
		r->nud_out = st->e[i].out_packets;
		r->nud_in = st->e[i].in_packets;
		if (in) {
			nud_confirmed(r, now);
			continue;
		}
		/* RFC 4861 §7.3.3: a packet sent to a STALE neighbour starts
		 * the DELAY state. */
		if (out && r->nud_phase == CORE_NUD_NONE && nud_watched(r, now) &&
		    now - r->nud_confirmed_ms >= reachable_ms(c)) {
			r->nud_phase = CORE_NUD_DELAY;
			r->nud_at = now + DELAY_FIRST_PROBE_TIME_MS;
			r->nud_probes = 0;
		}
	}
}

/* One probe: a unicast RS to the form of link-local the router answers
 * from (RFC 5214 §8.3.4), both until one did. */
static void
nud_probe(struct core *c, struct core_router *r)
{
	struct msg_send_rs m = {.router = r->v4};

	for (int u = r->u_form >= 0 ? r->u_form : 0; u <= (r->u_form >= 0 ? r->u_form : 1); u++) {
		m.u_bit = (uint32_t)u;
		core_push_dp(c, MSG_SEND_RS, &m, sizeof(m));
		r->solicitations++;
		core_count(c, CORE_C_RS_SENT);
	}
	core_count(c, CORE_C_NUD_PROBES);
}

/* Due DELAY and PROBE steps; the probes unanswered make the router
 * unreachable. Runs after sync_dp(): the RSs need the locator. */
void
nud_run(struct core *c, uint64_t now)
{
	for (size_t i = 0; i < c->n_routers; i++) {
		struct core_router *r = &c->routers[i];

		if (r->nud_phase == CORE_NUD_NONE || r->nud_at > now)
			continue;
		if (!nud_watched(r, now)) {
			r->nud_phase = CORE_NUD_NONE; /* gone, or no longer used */
			continue;
		}
		if (r->nud_probes < MAX_UNICAST_SOLICIT) {
			if (!c->rs_ready)
				continue; /* no datapath: nothing can be asked */
			r->nud_phase = CORE_NUD_PROBE;
			nud_probe(c, r);
			r->nud_probes++;
			r->nud_at = now + retrans_ms(c);
			continue;
		}
		/* RFC 4861 §7.3.3: no confirmation after the last probe. */
		r->nud_phase = CORE_NUD_NONE;
		r->nud_probes = 0;
		r->state = CORE_RTR_UNREACHABLE;
		r->adopted_default = false;
		core_count(c, CORE_C_NUD_UNREACHABLE);
		router_set_down(c, r, CORE_DOWN_UNREACHABLE);
		/* Keep asking, backing off, until it answers (solicit.c). */
		rs_keep_asking(c, r, now);
	}
}

uint64_t
nud_deadline(const struct core *c)
{
	uint64_t d = CORE_NO_DEADLINE;

	for (size_t i = 0; i < c->n_routers; i++)
		if (c->routers[i].nud_phase != CORE_NUD_NONE && c->routers[i].nud_at < d)
			d = c->routers[i].nud_at;
	return d;
}
