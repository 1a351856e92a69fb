/* The control core's test harness: see tu_core.h. */
#include <errno.h>
#include <stdarg.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "addr.h"
#include "msg.h"
#include "tests/unit/lib/tu.h"
#include "tests/unit/lib/tu_core.h"

static void *
tuc_calloc(size_t n, size_t size)
{
	return test_calloc(n, size);
}

static void
tuc_free(void *p)
{
	test_free(p);
}

void
tuc_config(struct core_config *cfg, uint64_t seed, const char *routers)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->seed = seed;
	cfg->calloc_fn = tuc_calloc;
	cfg->free_fn = tuc_free;
	while (routers != NULL && *routers) {
		const char *comma = strchr(routers, ',');
		size_t l = comma ? (size_t)(comma - routers) : strlen(routers);

		assert_true(cfg->n_routers < CORE_SOURCES_MAX && l < CORE_NAME_MAX);
		memcpy(cfg->routers[cfg->n_routers], routers, l);
		cfg->routers[cfg->n_routers++][l] = '\0';
		routers += l + (comma != NULL);
	}
}

void
tuc_start(struct tuc *t, const struct core_config *cfg)
{
	uint64_t now = t->now;

	memset(t, 0, sizeof(*t));
	t->now = now;
	t->dp.mtu = 1280;
	t->c = core_new(cfg, t->now);
	assert_non_null(t->c);
	tuc_drain(t);
}

void
tuc_start_simple(struct tuc *t, uint64_t seed, const char *routers)
{
	struct core_config cfg;

	tuc_config(&cfg, seed, routers);
	tuc_start(t, &cfg);
}

void
tuc_stop(struct tuc *t)
{
	for (size_t i = 0; i < t->n_replies; i++)
		if (t->reply[i].state != NULL)
			test_free(t->reply[i].state);
	t->n_replies = 0;
	core_free(t->c);
	t->c = NULL;
}

static const char *
fmt4(struct in_addr a, char *buf)
{
	return addr_fmt4(a, buf);
}

static void
lifetime(char *buf, size_t len, uint32_t v)
{
	if (v == CORE_INFINITE)
		snprintf(buf, len, "inf");
	else
		snprintf(buf, len, "%u", v);
}

/* ---- the datapath model ---- */

static bool
in6_eq(const struct in6_addr *a, const struct in6_addr *b)
{
	return memcmp(a, b, sizeof(*a)) == 0;
}

static void
reply_refused(struct tuc *t, uint16_t type, int error)
{
	assert_true(t->n_replies < TUC_REPLIES);
	t->reply[t->n_replies].type = type;
	t->reply[t->n_replies].error = error;
	t->reply[t->n_replies++].state = NULL;
}

static void
model_apply(struct tuc *t, const struct core_dp_req *r)
{
	struct msg_state *s = &t->dp;
	uint32_t i;

	if (r->type < TUC_TYPES && t->refuse[r->type] < 0) {
		reply_refused(t, r->type, t->refuse[r->type]);
		return;
	}
	switch (r->type) {
	case MSG_SET_LOCATOR:
		s->locator = r->u.locator.v4;
		break;
	case MSG_SET_PRL:
		s->n_prl = r->u.prl.count;
		memcpy(s->prl, r->u.prl.v4, sizeof(s->prl));
		break;
	case MSG_ADDR_ADD:
		for (i = 0; i < s->n_addrs && !in6_eq(&s->addrs[i].addr, &r->u.addr.addr); i++)
			;
		if (i == s->n_addrs) {
			assert_true(s->n_addrs < MSG_ADDR_MAX);
			s->n_addrs++;
		}
		s->addrs[i] = r->u.addr;
		break;
	case MSG_ADDR_DEL:
		for (i = 0; i < s->n_addrs && !in6_eq(&s->addrs[i].addr, &r->u.addr.addr); i++)
			;
		assert_true(i < s->n_addrs); /* never delete what is not there */
		s->addrs[i] = s->addrs[--s->n_addrs];
		break;
	case MSG_ROUTE_ADD:
		for (i = 0; i < s->n_routes; i++) /* one route per prefix */
			assert_false(s->routes[i].plen == r->u.route.plen &&
			             in6_eq(&s->routes[i].prefix, &r->u.route.prefix));
		assert_true(s->n_routes < MSG_ROUTE_MAX);
		s->routes[s->n_routes++] = r->u.route;
		break;
	case MSG_ROUTE_DEL:
		for (i = 0;
		     i < s->n_routes && memcmp(&s->routes[i], &r->u.route, sizeof(r->u.route)); i++)
			;
		assert_true(i < s->n_routes);
		s->routes[i] = s->routes[--s->n_routes];
		break;
	case MSG_ONLINK_ADD:
		for (i = 0; i < s->n_onlink; i++)
			assert_false(memcmp(&s->onlink[i], &r->u.onlink, sizeof(r->u.onlink)) == 0);
		assert_true(s->n_onlink < MSG_ONLINK_MAX);
		s->onlink[s->n_onlink++] = r->u.onlink;
		break;
	case MSG_ONLINK_DEL:
		for (i = 0; i < s->n_onlink &&
		            memcmp(&s->onlink[i], &r->u.onlink, sizeof(r->u.onlink)) != 0;
		     i++)
			;
		assert_true(i < s->n_onlink);
		s->onlink[i] = s->onlink[--s->n_onlink];
		break;
	case MSG_SET_MTU:
		s->mtu = r->u.mtu.mtu;
		break;
	case MSG_SET_LINK:
		s->link_up = r->u.link.up;
		break;
	case MSG_SEND_RS: {
		bool in_prl = false;

		if (t->real_rs && s->locator.s_addr == 0) {
			reply_refused(t, r->type, -EADDRNOTAVAIL);
			break;
		}
		for (i = 0; i < s->n_prl; i++)
			in_prl |= s->prl[i].s_addr == r->u.send_rs.router.s_addr;
		assert_true(in_prl);
		assert_int_not_equal(s->locator.s_addr, 0);
		assert_int_equal(s->link_up, 1);
		break;
	}
	case MSG_SET_ND_PARAMS:
		t->nd = r->u.nd_params;
		break;
	case MSG_GET_STATE:
		assert_true(t->n_replies < TUC_REPLIES);
		t->reply[t->n_replies].type = r->type;
		t->reply[t->n_replies].state = test_malloc(sizeof(*s));
		*t->reply[t->n_replies++].state = *s;
		break;
	default:
		fail_msg("core sent request type %u", r->type);
	}
}

static void
render_dp(const struct core_dp_req *r, char *out)
{
	char a[ADDR6_STRLEN], b[ADDR4_STRLEN], v[16], p[16];
	const char *name = msg_type_name(r->type);
	size_t off;

	switch (r->type) {
	case MSG_SET_LOCATOR:
		snprintf(out, TUC_LINE, "%s %s", name, fmt4(r->u.locator.v4, b));
		break;
	case MSG_SET_PRL:
		off = (size_t)snprintf(out, TUC_LINE, "%s", name);
		for (uint32_t i = 0; i < r->u.prl.count; i++)
			off += (size_t)snprintf(out + off, TUC_LINE - off, "%s%s", i ? "," : " ",
			                        fmt4(r->u.prl.v4[i], b));
		break;
	case MSG_ADDR_ADD:
		lifetime(v, sizeof(v), r->u.addr.valid_lft);
		lifetime(p, sizeof(p), r->u.addr.preferred_lft);
		snprintf(out, TUC_LINE, "%s %s/%u v=%s p=%s", name, addr_fmt6(&r->u.addr.addr, a),
		         r->u.addr.plen, v, p);
		break;
	case MSG_ADDR_DEL:
		snprintf(out, TUC_LINE, "%s %s/%u", name, addr_fmt6(&r->u.addr.addr, a),
		         r->u.addr.plen);
		break;
	case MSG_ROUTE_ADD:
	case MSG_ROUTE_DEL:
		snprintf(out, TUC_LINE, "%s %s/%u via %s m=%u", name,
		         addr_fmt6(&r->u.route.prefix, a), r->u.route.plen, fmt4(r->u.route.via, b),
		         r->u.route.metric);
		break;
	case MSG_ONLINK_ADD:
	case MSG_ONLINK_DEL:
		snprintf(out, TUC_LINE, "%s %s/%u", name, addr_fmt6(&r->u.onlink.prefix, a),
		         r->u.onlink.plen);
		break;
	case MSG_SET_MTU:
		snprintf(out, TUC_LINE, "%s %u", name, r->u.mtu.mtu);
		break;
	case MSG_SET_LINK:
		snprintf(out, TUC_LINE, "%s %u", name, r->u.link.up);
		break;
	case MSG_SEND_RS:
		snprintf(out, TUC_LINE, "%s %s u=%u", name, fmt4(r->u.send_rs.router, b),
		         r->u.send_rs.u_bit);
		break;
	case MSG_GET_STATE:
		snprintf(out, TUC_LINE, "%s", name);
		break;
	case MSG_SET_ND_PARAMS:
		snprintf(out, TUC_LINE, "%s hop=%u reach=%u retrans=%u", name,
		         r->u.nd_params.hop_limit, r->u.nd_params.reachable_ms,
		         r->u.nd_params.retrans_ms);
		break;
	default:
		snprintf(out, TUC_LINE, "type-%u", r->type);
	}
}

static void
render_ev(const struct core_event *e, char *out)
{
	char a[ADDR6_STRLEN], b[ADDR4_STRLEN], b2[ADDR4_STRLEN];
	const char *name = core_event_name(e->type);
	size_t off;

	switch (e->type) {
	case CORE_EV_ROUTER_UP:
		snprintf(out, TUC_LINE, "EV %s %s %u", name, fmt4(e->router, b), e->lifetime_s);
		break;
	case CORE_EV_ROUTER_DOWN:
		snprintf(out, TUC_LINE, "EV %s %s %s", name, fmt4(e->router, b),
		         core_down_reason_name(e->reason));
		break;
	case CORE_EV_DEFAULT_ROUTER_CHANGED:
	case CORE_EV_LOCATOR_CHANGED:
		snprintf(out, TUC_LINE, "EV %s %s prev=%s", name, fmt4(e->router, b),
		         fmt4(e->previous, b2));
		break;
	case CORE_EV_ADDRESS_ADDED:
		snprintf(out, TUC_LINE, "EV %s %s/%u", name, addr_fmt6(&e->address, a),
		         e->prefix_len);
		break;
	case CORE_EV_ADDRESS_DEPRECATED:
	case CORE_EV_ADDRESS_REMOVED:
		snprintf(out, TUC_LINE, "EV %s %s", name, addr_fmt6(&e->address, a));
		break;
	case CORE_EV_PRL_CHANGED:
		off = (size_t)snprintf(out, TUC_LINE, "EV %s", name);
		for (uint32_t i = 0; i < e->n_routers; i++)
			off += (size_t)snprintf(out + off, TUC_LINE - off, "%s%s", i ? "," : " ",
			                        fmt4(e->routers[i], b));
		break;
	default:
		snprintf(out, TUC_LINE, "EV %s", name);
	}
}

/* The datapath's answers the core must hear, in the order it gives them:
 * refusals (RESULT errors) and the STATE of a GET_STATE. */
static bool
deliver_replies(struct tuc *t)
{
	size_t n = t->n_replies;

	if (n == 0)
		return false;
	t->n_replies = 0;
	for (size_t i = 0; i < n; i++) {
		if (t->reply[i].state != NULL) {
			core_dp_state(t->c, t->now, t->reply[i].state);
			test_free(t->reply[i].state);
		} else {
			core_dp_refused(t->c, t->now, t->reply[i].type, t->reply[i].error);
		}
	}
	return true;
}

static void drain_once(struct tuc *t);

void
tuc_drain(struct tuc *t)
{
	do
		drain_once(t);
	while (deliver_replies(t));
}

static void
drain_once(struct tuc *t)
{
	struct core_action a;

	while (core_next_action(t->c, &a)) {
		char *line;

		assert_true(t->n < TUC_ACTS_MAX);
		line = t->act[t->n];
		t->at[t->n++] = t->now;
		switch (a.kind) {
		case CORE_ACT_DP: {
			union msg_payload p;
			const char *field = NULL;

			assert_int_equal(a.dp.len, msg_payload_size(a.dp.type));
			memset(&p, 0, sizeof(p));
			memcpy(&p, &a.dp.u, a.dp.len);
			if (msg_check_payload(a.dp.type, &p, &field) != MSG_OK)
				fail_msg("core sent a bad %s (%s)", msg_type_name(a.dp.type),
				         field ? field : "?");
			render_dp(&a.dp, line);
			model_apply(t, &a.dp);
			break;
		}
		case CORE_ACT_RESOLVE:
			snprintf(line, TUC_LINE, "RESOLVE %s", a.resolve_name);
			break;
		case CORE_ACT_EVENT:
			render_ev(&a.ev, line);
			break;
		default:
			fail_msg("unknown action kind %d", a.kind);
		}
	}
	assert_int_equal(core_get_counters(t->c)->v[CORE_C_ACTION_OVERFLOW], 0);
}

void
tuc_clear(struct tuc *t)
{
	t->n = 0;
}

void
tuc_until(struct tuc *t, uint64_t to)
{
	uint64_t d;

	assert_true(to >= t->now);
	while ((d = core_next_deadline(t->c)) <= to) {
		/* A deadline in the past would spin the glue's timer. */
		assert_true(d >= t->now);
		t->now = d;
		core_tick(t->c, t->now);
		tuc_drain(t);
		/* The deadline that fired has been dealt with. */
		assert_true(core_next_deadline(t->c) > t->now);
	}
	t->now = to;
}

void
tuc_advance(struct tuc *t, uint64_t ms)
{
	tuc_until(t, t->now + ms);
}

void
tuc_connect(struct tuc *t)
{
	struct msg_state st = t->dp;

	core_dp_connected(t->c, t->now, &st);
	tuc_drain(t);
}

void
tuc_locator(struct tuc *t, const char *v4)
{
	assert_int_equal(core_set_locator(t->c, t->now, tu_a4(v4), CORE_LOC_AUTO), 0);
	tuc_drain(t);
}

enum core_nd_verdict
tuc_ra(struct tuc *t, const char *v4, const char *src, const struct tu_ra *b)
{
	uint8_t pkt[40 + TU_RA_MAX];
	char ll[ADDR6_STRLEN];
	struct in6_addr a;
	enum core_nd_verdict v;
	enum nd_reason why;
	size_t len;

	if (src == NULL) {
		addr_isatap_linklocal_u(tu_a4(v4), false, &a);
		src = addr_fmt6(&a, ll);
	}
	len = tu_ra_packet(b, src, "fe80::5efe:c000:201", pkt);
	v = core_nd_input(t->c, t->now, tu_a4(v4), pkt, len, &why);
	if (v == CORE_ND_PARSE_ERROR)
		fail_msg("RA refused: %s", nd_reason_name(why));
	tuc_drain(t);
	return v;
}

void
tuc_dns(struct tuc *t, const char *name, const char *v4s, uint32_t ttl_s)
{
	struct in_addr a[CORE_ROUTERS_MAX];
	size_t n = 0;
	char buf[256];

	snprintf(buf, sizeof(buf), "%s", v4s);
	for (char *s = strtok(buf, ","); s != NULL; s = strtok(NULL, ","))
		a[n++] = tu_a4(s);
	core_dns_result(t->c, t->now, name, NULL, a, n, ttl_s, 0);
	tuc_drain(t);
}

size_t
tuc_count(const struct tuc *t, const char *prefix)
{
	size_t n = 0;

	for (size_t i = 0; i < t->n; i++)
		n += strncmp(t->act[i], prefix, strlen(prefix)) == 0;
	return n;
}

int
tuc_find(const struct tuc *t, const char *line)
{
	for (size_t i = 0; i < t->n; i++)
		if (strcmp(t->act[i], line) == 0)
			return (int)i;
	return -1;
}

int
tuc_find_prefix(const struct tuc *t, const char *prefix)
{
	for (size_t i = 0; i < t->n; i++)
		if (strncmp(t->act[i], prefix, strlen(prefix)) == 0)
			return (int)i;
	return -1;
}

void
tuc_dump(const struct tuc *t)
{
	for (size_t i = 0; i < t->n; i++)
		fprintf(stderr, "  [%8llu ms] %s\n", (unsigned long long)t->at[i], t->act[i]);
}

static bool
skipped(const char *line, const char *const *skip)
{
	for (size_t i = 0; skip != NULL && skip[i] != NULL; i++)
		if (strncmp(line, skip[i], strlen(skip[i])) == 0)
			return true;
	return false;
}

void
tuc_expect_only(const struct tuc *t, const char *const *skip, const char *const *want)
{
	size_t w = 0, i = 0;
	bool ok = true;

	for (; i < t->n; i++) {
		if (skipped(t->act[i], skip))
			continue;
		if (want[w] == NULL || strcmp(want[w], t->act[i]) != 0) {
			ok = false;
			break;
		}
		w++;
	}
	if (ok && want[w] != NULL)
		ok = false;
	if (!ok) {
		fprintf(stderr, "expected:\n");
		for (size_t k = 0; want[k] != NULL; k++)
			fprintf(stderr, "  %s\n", want[k]);
		fprintf(stderr, "got:\n");
		tuc_dump(t);
		fail_msg("actions differ");
	}
}

void
tuc_expect(const struct tuc *t, const char *const *want)
{
	tuc_expect_only(t, NULL, want);
}
