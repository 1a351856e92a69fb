/*
 * The Router Solicitation schedule, per PRL member (RFC 5214 §8.3.4,
 * RFC 4861 §6.3.7, RFC 7559):
 *
 *   a round starts (start, PRL change, API request, datapath or locator
 *   back): the first RS after a random 0..MAX_RTR_SOLICITATION_DELAY;
 *   then RTR_SOLICITATION_INTERVAL apart until MAX_RTR_SOLICITATIONS went
 *   out; a round unanswered RTR_SOLICITATION_INTERVAL after its last RS marks
 *   the router unreachable; RSs go on with the RFC 3315 §14 backoff
 *   RT = 2 RTprev ± 10 %, capped at MAX_RTR_SOLICITATION_INTERVAL ± 10 %.
 *
 * A valid RA ends the round; ra.c schedules the next one before the
 * lifetimes it gave run out. Each RS is unicast to the router's ISATAP
 * link-local address; both u-bit forms are tried until an RA shows which
 * one the router uses.
 */
#include "core_int.h"

void
router_set_down(struct core *c, struct core_router *r, enum core_down_reason why)
{
	struct core_event *ev;

	if (!r->up)
		return;
	r->up = false;
	ev = core_push_event(c, CORE_EV_ROUTER_DOWN);
	ev->router = r->v4;
	ev->reason = why;
}

void
rs_start(struct core *c, struct core_router *r, uint64_t now, uint32_t max_delay_ms)
{
	r->rs_round = 0;
	r->rs_rt_ms = 0;
	r->dead_at = CORE_NO_DEADLINE;
	r->rs_at = now + (max_delay_ms ? rand_below(&c->rng, (uint64_t)max_delay_ms + 1) : 0);
	/* An unreachable router stays so until it answers: soliciting it
	 * again is no reason to route through it. */
}

void
rs_start_all(struct core *c, uint64_t now, uint32_t max_delay_ms)
{
	for (size_t i = 0; i < c->n_routers; i++)
		rs_start(c, &c->routers[i], now, max_delay_ms);
}

void
rs_stop(struct core_router *r)
{
	r->rs_at = CORE_NO_DEADLINE;
	r->dead_at = CORE_NO_DEADLINE;
	r->rs_round = 0;
	r->rs_rt_ms = 0;
}

void
rs_answered(struct core *c, struct core_router *r, uint64_t now, uint64_t next_ms)
{
	r->rs_round = 0;
	r->rs_rt_ms = 0;
	r->dead_at = CORE_NO_DEADLINE;
	r->rs_at = c->rs_ready ? now + next_ms : CORE_NO_DEADLINE;
}

/* RFC 3315 §14, as RFC 7559 §2 applies it to RSs. */
static uint64_t
rs_backoff(struct core *c, uint64_t prev)
{
	const uint64_t mrt = MAX_RTR_SOLICITATION_INTERVAL_MS;
	uint64_t rt = (uint64_t)((int64_t)(2 * prev) + rand_jitter(&c->rng, prev / 10));

	if (rt > mrt)
		rt = (uint64_t)((int64_t)mrt + rand_jitter(&c->rng, mrt / 10));
	return rt;
}

static void
rs_send(struct core *c, struct core_router *r, uint64_t now)
{
	struct msg_send_rs m = {.router = r->v4};
	int first = 0, last = 0;

	/* RFC 5214 §8.3.4: a router whose IPv4 is global may use either form
	 * of link-local address. So may others in practice: Linux sets the u
	 * bit for every address outside the private ranges, documentation
	 * prefixes included, where RFC 6890 says "not global". An RS to the
	 * wrong form is dropped by the router, so both go out until an RA
	 * shows the form, which is then kept. */
	if (r->u_form >= 0)
		first = last = r->u_form;
	else
		last = 1;
	for (int u = first; u <= last; u++) {
		m.u_bit = (uint32_t)u;
		core_push_dp(c, MSG_SEND_RS, &m, sizeof(m));
		r->solicitations++;
		core_count(c, CORE_C_RS_SENT);
	}

	r->rs_round++;
	if (r->rs_round < MAX_RTR_SOLICITATIONS) {
		r->rs_at = now + RTR_SOLICITATION_INTERVAL_MS;
		return;
	}
	if (r->rs_round == MAX_RTR_SOLICITATIONS)
		r->dead_at = now + RTR_SOLICITATION_INTERVAL_MS;
	r->rs_rt_ms = rs_backoff(c, r->rs_rt_ms ? r->rs_rt_ms : RTR_SOLICITATION_INTERVAL_MS);
	r->rs_at = now + r->rs_rt_ms;
}

/* Found unreachable otherwise (nud.c): solicit it again from where an
 * unanswered round leaves off, the RFC 7559 backoff (first RS one
 * RTR_SOLICITATION_INTERVAL later, then doubling), until it answers. */
void
rs_keep_asking(struct core *c, struct core_router *r, uint64_t now)
{
	r->dead_at = CORE_NO_DEADLINE;
	r->rs_round = MAX_RTR_SOLICITATIONS;
	r->rs_rt_ms = 0;
	r->rs_at = now + RTR_SOLICITATION_INTERVAL_MS;
}

/* A round that went unanswered: the router is unreachable (RFC 4861
 * §6.3.6 has hosts stop using a router they cannot reach). */
void
rs_expire(struct core *c, uint64_t now)
{
	for (size_t i = 0; i < c->n_routers; i++) {
		struct core_router *r = &c->routers[i];

		if (r->dead_at > now)
			continue;
		r->dead_at = CORE_NO_DEADLINE;
		r->state = CORE_RTR_UNREACHABLE;
		r->adopted_default = false;
		router_set_down(c, r, CORE_DOWN_UNREACHABLE);
	}
}

void
rs_run(struct core *c, uint64_t now)
{
	bool ready = c->dp_connected && core_locator_eff(c).s_addr != INADDR_ANY;

	if (ready != c->rs_ready) {
		c->rs_ready = ready;
		for (size_t i = 0; i < c->n_routers; i++) {
			if (ready)
				rs_start(c, &c->routers[i], now, MAX_RTR_SOLICITATION_DELAY_MS);
			else
				rs_stop(&c->routers[i]);
		}
	}
	if (!ready)
		return;
	for (size_t i = 0; i < c->n_routers; i++)
		if (c->routers[i].rs_at <= now)
			rs_send(c, &c->routers[i], now);
}

uint64_t
rs_deadline(const struct core *c)
{
	uint64_t d = CORE_NO_DEADLINE;

	for (size_t i = 0; i < c->n_routers; i++) {
		const struct core_router *r = &c->routers[i];

		if (c->rs_ready && r->rs_at < d)
			d = r->rs_at;
		if (r->dead_at < d)
			d = r->dead_at;
	}
	return d;
}
