/*
 * The JSON views of docs/API.md (schema version 1): status, the router list,
 * counters and event notifications. Keys and their order follow API.md and
 * never change within a schema version; new keys are only appended.
 */
#include <string.h>
#include <unistd.h>

#include "addr.h"
#include "control.h"
#include "counters.h"
#include "isatap.h"

#define STATUS_SCHEMA_VERSION 1

static json_t *
j_v4(struct in_addr a)
{
	char b[ADDR4_STRLEN];

	return a.s_addr == INADDR_ANY ? json_null() : json_string(addr_fmt4(a, b));
}

static json_t *
j_v6(const struct in6_addr *a)
{
	char b[ADDR6_STRLEN];

	return json_string(addr_fmt6(a, b));
}

static json_t *
j_prefix(const struct prefix6 *p)
{
	char b[ADDR6_STRLEN + 4];

	addr_fmt6(&p->addr, b);
	snprintf(b + strlen(b), sizeof(b) - strlen(b), "/%u", p->plen);
	return json_string(b);
}

/* Durations: integer seconds, null when infinite (docs/API.md conventions). */
static json_t *
j_lifetime(uint32_t s)
{
	return s == CORE_INFINITE ? json_null() : json_integer(s);
}

static json_t *
status_daemon(struct ctl *ctl)
{
	return json_pack("{s:I, s:I, s:s}", "pid", (json_int_t)getpid(), "uptime_s",
	                 (json_int_t)((ctl_now(ctl) - ctl->start_ms) / 1000), "software",
	                 ISATAP_VERSION_STRING);
}

static json_t *
status_interface(struct ctl *ctl)
{
	const struct msg_hello_reply *h = ctl->dl ? dplink_hello(ctl->dl) : NULL;
	const char *state = !ctl->have_link ? "unknown" : ctl->link_up ? "up" : "down";

	return json_pack("{s:o, s:o, s:I, s:s}", "name", h ? json_string(h->ifname) : json_null(),
	                 "ifindex", h ? json_integer(h->ifindex) : json_null(), "mtu",
	                 (json_int_t)(ctl->have_link ? ctl->link_mtu : core_mtu(ctl->core)),
	                 "state", state);
}

static json_t *
status_locator(struct ctl *ctl)
{
	struct in_addr v4;
	enum core_locator_source src = core_locator(ctl->core, &v4);

	return json_pack("{s:o, s:s, s:b}", "ipv4", j_v4(v4), "source",
	                 core_locator_source_name(src), "is_global",
	                 v4.s_addr != INADDR_ANY && addr_v4_is_global(v4));
}

static json_t *
status_addresses(struct ctl *ctl, uint64_t now)
{
	struct core_addr_view v[CORE_ADDRS_MAX];
	size_t n = core_addresses(ctl->core, now, v, CORE_ADDRS_MAX);
	json_t *arr = json_array();

	for (size_t i = 0; i < n && i < CORE_ADDRS_MAX; i++) {
		json_t *o = json_pack(
		        "{s:o, s:i, s:o, s:o, s:s, s:o}", "address", j_v6(&v[i].addr), "prefix_len",
		        v[i].plen, "valid_lifetime_s", j_lifetime(v[i].valid_s),
		        "preferred_lifetime_s", j_lifetime(v[i].preferred_s), "state",
		        core_addr_state_name(v[i].state), "router", j_v4(v[i].router));

		if (o != NULL && v[i].valid_s == CORE_INFINITE)
			json_object_set_new(o, "infinite", json_true());
		json_array_append_new(arr, o);
	}
	return arr;
}

static json_t *
status_router(const struct core_router_view *r)
{
	return json_pack(
	        "{s:o, s:s, s:o, s:s, s:o, s:o, s:o, s:o, s:b, s:o, s:I, s:I}", "ipv4", j_v4(r->v4),
	        "origin", core_router_origin_name(r->origin), "name",
	        r->name[0] ? json_string(r->name) : json_null(), "state",
	        core_router_state_name(r->state), "router_lifetime_s",
	        r->has_ra ? json_integer(r->router_lifetime_s) : json_null(), "preference",
	        r->has_ra ? json_string(core_pref_name(r->preference)) : json_null(),
	        "last_ra_age_s",
	        r->has_ra ? json_integer((json_int_t)r->last_ra_age_s) : json_null(),
	        "next_solicit_s",
	        r->has_next_solicit ? json_integer((json_int_t)r->next_solicit_s) : json_null(),
	        "is_default", r->is_default, "link_local",
	        r->has_link_local ? j_v6(&r->link_local) : json_null(), "solicitations",
	        (json_int_t)r->solicitations, "advertisements", (json_int_t)r->advertisements);
}

/* The DNS router names and where their lookups stand: why a name gives
 * the PRL no router (review finding 2). */
static json_t *
status_names(struct ctl *ctl, uint64_t now)
{
	struct core_name_view v[CORE_SOURCES_MAX];
	size_t n = core_names(ctl->core, now, v, CORE_SOURCES_MAX);
	json_t *arr = json_array();

	for (size_t i = 0; i < n && i < CORE_SOURCES_MAX; i++)
		json_array_append_new(
		        arr,
		        json_pack("{s:s, s:o, s:s, s:I, s:o}", "name", v[i].name, "matched",
		                  v[i].matched[0] ? json_string(v[i].matched) : json_null(),
		                  "state", core_name_state_name(v[i].state), "routers",
		                  (json_int_t)v[i].n_routers, "next_lookup_s",
		                  v[i].resolving ? json_null()
		                                 : json_integer((json_int_t)v[i].next_lookup_s)));
	return arr;
}

json_t *
status_routers_json(struct ctl *ctl)
{
	struct core_router_view v[CORE_ROUTERS_MAX];
	size_t n = core_routers(ctl->core, ctl_now(ctl), v, CORE_ROUTERS_MAX);
	json_t *arr = json_array();

	for (size_t i = 0; i < n && i < CORE_ROUTERS_MAX; i++)
		json_array_append_new(arr, status_router(&v[i]));
	return arr;
}

static json_t *
status_routes(struct ctl *ctl, uint64_t now)
{
	struct core_route_view v[CORE_ROUTES_MAX];
	size_t n = core_routes(ctl->core, now, v, CORE_ROUTES_MAX);
	json_t *arr = json_array();

	for (size_t i = 0; i < n && i < CORE_ROUTES_MAX; i++)
		json_array_append_new(arr, json_pack("{s:o, s:o, s:o, s:s, s:s, s:b}", "prefix",
		                                     j_prefix(&v[i].prefix), "via", j_v4(v[i].via),
		                                     "lifetime_s", j_lifetime(v[i].lifetime_s),
		                                     "preference", core_pref_name(v[i].preference),
		                                     "origin", core_route_origin_name(v[i].origin),
		                                     "installed", v[i].installed));
	return arr;
}

static json_t *
status_onlink(struct ctl *ctl, uint64_t now)
{
	struct core_onlink_view v[CORE_ONLINK_MAX];
	size_t n = core_onlinks(ctl->core, now, v, CORE_ONLINK_MAX);
	json_t *arr = json_array();

	for (size_t i = 0; i < n && i < CORE_ONLINK_MAX; i++)
		json_array_append_new(arr,
		                      json_pack("{s:o, s:o, s:o}", "prefix", j_prefix(&v[i].prefix),
		                                "valid_lifetime_s", j_lifetime(v[i].valid_s),
		                                "router", j_v4(v[i].router)));
	return arr;
}

static json_t *
status_dns(struct ctl *ctl, uint64_t now)
{
	struct core_rdnss_view r[CORE_RDNSS_MAX];
	struct core_dnssl_view d[CORE_DNSSL_MAX];
	size_t nr = core_rdnss(ctl->core, now, r, CORE_RDNSS_MAX);
	size_t nd = core_dnssl(ctl->core, now, d, CORE_DNSSL_MAX);
	json_t *ra = json_array(), *da = json_array();

	for (size_t i = 0; i < nr && i < CORE_RDNSS_MAX; i++)
		json_array_append_new(ra, json_pack("{s:o, s:o, s:o}", "address", j_v6(&r[i].addr),
		                                    "lifetime_s", j_lifetime(r[i].lifetime_s),
		                                    "router", j_v4(r[i].router)));
	for (size_t i = 0; i < nd && i < CORE_DNSSL_MAX; i++)
		json_array_append_new(da, json_pack("{s:s, s:o, s:o}", "domain", d[i].domain,
		                                    "lifetime_s", j_lifetime(d[i].lifetime_s),
		                                    "router", j_v4(d[i].router)));
	return json_pack("{s:o, s:o}", "rdnss", ra, "dnssl", da);
}

/* Whether the datapath holds what control asked for (review finding 5: a
 * refusal used to pass as applied), and the last refusal. */
static json_t *
status_datapath(struct ctl *ctl, uint64_t now)
{
	const struct msg_hello_reply *h = dplink_hello(ctl->dl);
	struct core_dp_sync_view sv;
	json_t *last = json_null();

	core_dp_sync(ctl->core, now, &sv);
	if (sv.has_last)
		last = json_pack("{s:s, s:i, s:s, s:I}", "request",
		                 msg_type_name(sv.last_type) ? msg_type_name(sv.last_type) : "?",
		                 "errno", -sv.last_error, "error", strerror(-sv.last_error),
		                 "age_s", (json_int_t)sv.last_age_s);
	return json_pack("{s:b, s:s, s:b, s:b, s:I, s:o}", "connected",
	                 dplink_get_state(ctl->dl) == DPLINK_READY, "socket", dplink_path(ctl->dl),
	                 "router_mode", h != NULL && (h->flags & MSG_DP_ROUTER_MODE), "in_sync",
	                 sv.in_sync, "refused", (json_int_t)sv.refused, "last_refused", last);
}

/* The drop counters as docs/API.md names them: "in_drop_spoofed_src" is
 * shown as "in_spoofed_src" inside "drops". */
static void
status_drop(json_t *drops, const char *name, uint64_t v)
{
	const char *rest = strstr(name, "_drop_");
	char key[64];

	if (rest == NULL)
		return;
	snprintf(key, sizeof(key), "%.*s_%s", (int)(rest - name), name, rest + 6);
	json_object_set_new(drops, key, json_integer((json_int_t)v));
}

static json_t *
status_control_counters(struct ctl *ctl)
{
	const struct core_counters *cc = core_get_counters(ctl->core);
	const struct dplink_counters *dc = dplink_get_counters(ctl->dl);
	const struct api_counters *ac = api_get_counters(ctl->api);
	json_t *o = json_object(), *nd = json_object();

	for (unsigned i = 0; i < CORE_C_COUNT; i++)
		json_object_set_new(o, core_counter_name(i), json_integer((json_int_t)cc->v[i]));
	for (unsigned i = 1; i < ND_REASON_COUNT; i++)
		json_object_set_new(nd, nd_reason_name(i),
		                    json_integer((json_int_t)cc->nd_parse[i]));
	json_object_set_new(o, "nd_parse_errors", nd);
	json_object_set_new(
	        o, "datapath_link",
	        json_pack("{s:I, s:I, s:I, s:I, s:I}", "connects", (json_int_t)dc->connects,
	                  "disconnects", (json_int_t)dc->disconnects, "protocol_errors",
	                  (json_int_t)dc->protocol_errors, "requests", (json_int_t)dc->requests,
	                  "requests_failed", (json_int_t)dc->results_failed));
	json_object_set_new(
	        o, "api",
	        json_pack("{s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I, s:I}", "clients",
	                  (json_int_t)api_n_clients(ctl->api), "accepted", (json_int_t)ac->accepted,
	                  "refused_full", (json_int_t)ac->refused_full, "requests",
	                  (json_int_t)ac->requests, "errors", (json_int_t)ac->errors, "too_long",
	                  (json_int_t)ac->too_long, "slow_dropped", (json_int_t)ac->slow_dropped,
	                  "refused_uid", (json_int_t)ac->refused_uid, "idle_closed",
	                  (json_int_t)ac->idle_closed, "cred_failures",
	                  (json_int_t)ac->cred_failures));
	json_object_set_new(o, "dns_errors", json_integer((json_int_t)ctl->counters.dns_errors));
	json_object_set_new(o, "locator_errors",
	                    json_integer((json_int_t)ctl->counters.locator_errors));
	if (ctl->v4w != NULL) {
		const struct v4watch_counters *vc = v4watch_get_counters(ctl->v4w);

		json_object_set_new(o, "ipv4_changes", json_integer((json_int_t)vc->changes));
		json_object_set_new(o, "netlink_overruns", json_integer((json_int_t)vc->overruns));
	}
	return o;
}

/*
 * The kernel fast path (docs/API.md "fastpath"): whether it carries the
 * traffic and why not, where its programs sit, and its own share of the
 * counters (non-zero ones, by name; "counters" already includes them).
 */
static json_t *
status_fastpath(struct ctl *ctl)
{
	const struct msg_fastpath *f = dplink_fastpath(ctl->dl);
	const struct msg_hello_reply *h = dplink_hello(ctl->dl);
	json_t *o, *in, *c;
	const char *why;

	if (f == NULL) {
		if (dplink_get_state(ctl->dl) != DPLINK_READY)
			why = "datapath not connected";
		else if (h != NULL && !(h->flags & MSG_DP_FASTPATH))
			why = "the datapath predates the kernel fast path";
		else
			why = "not known yet";
		return json_pack("{s:b, s:s, s:n, s:[], s:n, s:{}}", "active", 0, "reason", why,
		                 "egress", "ingress", "generation", "counters");
	}
	in = json_array();
	for (uint32_t i = 0; i < f->n_ingress; i++)
		json_array_append_new(in, json_string(f->ingress[i]));
	c = json_object();
	for (uint32_t i = 0; i < f->n && i < DPC_COUNT; i++) {
		const char *name = dp_counter_name(i);

		if (name != NULL && f->v[i] != 0)
			json_object_set_new(c, name, json_integer((json_int_t)f->v[i]));
	}
	o = json_pack("{s:b, s:s, s:o, s:o, s:I, s:o}", "active", f->active != 0, "reason",
	              f->reason, "egress", f->egress[0] ? json_string(f->egress) : json_null(),
	              "ingress", in, "generation", (json_int_t)f->generation, "counters", c);
	return o;
}

json_t *
status_counters_json(struct ctl *ctl, bool with_control)
{
	const struct msg_counters *m = dplink_dp_counters(ctl->dl);
	json_t *o = json_object(), *drops = json_object();

	/* The datapath's counters: zero until the first COUNTERS reply. */
	for (unsigned i = 0; i < DPC_COUNT; i++) {
		const char *name = dp_counter_name(i);
		uint64_t v = m != NULL && i < m->n ? m->v[i] : 0;

		if (name == NULL)
			continue;
		if (i < DPC_DECAP_BASE ||
		    (i >= DPC_OUT_TSO_PACKETS && strstr(name, "_drop_") == NULL))
			json_object_set_new(o, name, json_integer((json_int_t)v));
		else
			status_drop(drops, name, v);
	}
	json_object_set_new(o, "drops", drops);
	if (with_control)
		json_object_set_new(o, "control", status_control_counters(ctl));
	return o;
}

json_t *
status_json(struct ctl *ctl)
{
	uint64_t now = ctl_now(ctl);
	struct in6_addr ll;
	struct in_addr dr;
	bool have_ll = core_link_local(ctl->core, &ll);
	bool have_dr = core_default_router(ctl->core, &dr);

	json_t *o = json_pack("{s:i, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o, s:o}",
	                      "version", STATUS_SCHEMA_VERSION, "daemon", status_daemon(ctl),
	                      "interface", status_interface(ctl), "locator", status_locator(ctl),
	                      "link_local", have_ll ? j_v6(&ll) : json_null(), "addresses",
	                      status_addresses(ctl, now), "prl", status_routers_json(ctl),
	                      "default_router", have_dr ? j_v4(dr) : json_null(), "routes",
	                      status_routes(ctl, now), "onlink_prefixes", status_onlink(ctl, now),
	                      "dns", status_dns(ctl, now), "datapath", status_datapath(ctl, now),
	                      "counters", status_counters_json(ctl, false));

	/* Appended: keys are never reordered within a schema version. */
	if (o != NULL) {
		json_object_set_new(o, "names", status_names(ctl, now));
		json_object_set_new(o, "fastpath", status_fastpath(ctl));
	}
	return o;
}

json_t *
status_event_json(const struct core_event *ev, time_t now)
{
	json_t *o = json_pack("{s:s, s:I}", "event", core_event_name(ev->type), "time",
	                      (json_int_t)now);
	json_t *arr;

	if (o == NULL)
		return NULL;
	switch (ev->type) {
	case CORE_EV_ROUTER_UP:
		json_object_set_new(o, "router", j_v4(ev->router));
		json_object_set_new(o, "lifetime_s", json_integer(ev->lifetime_s));
		break;
	case CORE_EV_ROUTER_DOWN:
		json_object_set_new(o, "router", j_v4(ev->router));
		json_object_set_new(o, "reason", json_string(core_down_reason_name(ev->reason)));
		break;
	case CORE_EV_DEFAULT_ROUTER_CHANGED:
		json_object_set_new(o, "router", j_v4(ev->router));
		json_object_set_new(o, "previous", j_v4(ev->previous));
		break;
	case CORE_EV_ADDRESS_ADDED:
		json_object_set_new(o, "address", j_v6(&ev->address));
		json_object_set_new(o, "prefix_len", json_integer(ev->prefix_len));
		break;
	case CORE_EV_ADDRESS_DEPRECATED:
	case CORE_EV_ADDRESS_REMOVED:
		json_object_set_new(o, "address", j_v6(&ev->address));
		break;
	case CORE_EV_LOCATOR_CHANGED:
		json_object_set_new(o, "ipv4", j_v4(ev->router));
		json_object_set_new(o, "previous", j_v4(ev->previous));
		break;
	case CORE_EV_PRL_CHANGED:
		arr = json_array();
		for (uint32_t i = 0; i < ev->n_routers && i < CORE_ROUTERS_MAX; i++)
			json_array_append_new(arr, j_v4(ev->routers[i]));
		json_object_set_new(o, "routers", arr);
		break;
	default:
		break;
	}
	return o;
}
