/*
 * The glue between the pure core and the I/O edges. Each callback reads the
 * clock (ctl_now(): the clock of clock.h, which counts suspend), makes one
 * call into the core, then ctl_run_core().
 */
#include <errno.h>
#include <grp.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "addr.h"
#include "clock.h"
#include "control.h"
#include "group.h"
#include "locator.h"
#include "log.h"

/* IPv4 addresses of the host looked at after a change. With this many or
 * more the list may be cut short, and nothing is removed for want of an
 * address in it (the retiring addresses then keep their retire_s). */
#define CTL_HOST_V4_MAX 64

uint64_t
ctl_now(struct ctl *ctl)
{
	return ctl->now_fn != NULL ? ctl->now_fn(ctl) : ctl_clock_ms();
}

/* The next core deadline: the wake-up of clock.h, which fires on time
 * across a suspend (a libuv timer would not). */
static void
ctl_arm(struct ctl *ctl, uint64_t deadline)
{
	if (ctl->arm_fn != NULL)
		ctl->arm_fn(ctl, deadline);
	else if (ctl->wake != NULL)
		ctl_wake_at(ctl->wake, deadline == CORE_NO_DEADLINE ? UINT64_MAX : deadline);
}

void
ctl_core_config(const struct conf *conf, struct core_config *cc, uint64_t seed)
{
	memset(cc, 0, sizeof(*cc));
	for (unsigned i = 0; i < conf_n_routers(conf) && i < CORE_SOURCES_MAX; i++)
		snprintf(cc->routers[cc->n_routers++], CORE_NAME_MAX, "%s", conf_router(conf, i));
	cc->max_mtu = conf->max_mtu;
	cc->prl_refresh_s = conf->prl_refresh_interval_s;
	cc->seed = seed;
}

/* ---- the core's actions ------------------------------------------------------ */

static void
ctl_resolve(struct ctl *ctl, const char *name)
{
	int r = dns_resolve(ctl->dns, name, ctl->conf.prl_refresh_interval_s);

	if (r == -EBUSY)
		return; /* the answer on its way serves this request too */
	if (r < 0) {
		struct dns_answer a = {.error = r};

		ctl->counters.dns_errors++;
		log_warnx("dns: cannot look up %s: %s", name, strerror(-r));
		core_dns_result(ctl->core, ctl_now(ctl), name, NULL, a.v4, 0, 0, r);
	}
}

static void
ctl_event(struct ctl *ctl, const struct core_event *ev)
{
	char a[ADDR6_STRLEN], b[ADDR4_STRLEN];

	switch (ev->type) {
	case CORE_EV_ROUTER_UP:
		log_info("router %s up, lifetime %u s", addr_fmt4(ev->router, b), ev->lifetime_s);
		break;
	case CORE_EV_ROUTER_DOWN:
		log_info("router %s down: %s", addr_fmt4(ev->router, b),
		         core_down_reason_name(ev->reason));
		break;
	case CORE_EV_DEFAULT_ROUTER_CHANGED:
		log_info("default router %s",
		         ev->router.s_addr ? addr_fmt4(ev->router, b) : "none");
		break;
	case CORE_EV_ADDRESS_ADDED:
	case CORE_EV_ADDRESS_DEPRECATED:
	case CORE_EV_ADDRESS_REMOVED:
		log_info("%s %s", core_event_name(ev->type), addr_fmt6(&ev->address, a));
		break;
	case CORE_EV_LOCATOR_CHANGED:
		log_debug("locator %s", ev->router.s_addr ? addr_fmt4(ev->router, b) : "none");
		break;
	case CORE_EV_PRL_CHANGED:
		/* auto: the locator follows the first router. */
		if (ctl->conf.locator == CONF_LOCATOR_AUTO)
			ctl_locator_update(ctl);
		break;
	default:
		break;
	}
	if (ctl->api != NULL)
		api_notify(ctl->api, status_event_json(ev, time(NULL)));
}

void
ctl_run_core(struct ctl *ctl)
{
	struct core_action act;

	if (ctl->core == NULL || ctl->stopping)
		return;
	while (core_next_action(ctl->core, &act)) {
		switch (act.kind) {
		case CORE_ACT_DP: {
			int r = dplink_send(ctl->dl, act.dp.type, &act.dp.u, act.dp.len);

			/* -ENOTCONN: the core learns of it by core_dp_disconnected()
			 * and re-pushes everything on the next connect. */
			if (r < 0 && r != -ENOTCONN) {
				ctl->counters.dp_send_errors++;
				log_debug("datapath %s: %s", msg_type_name(act.dp.type),
				          strerror(-r));
			}
			break;
		}
		case CORE_ACT_RESOLVE:
			ctl_resolve(ctl, act.resolve_name);
			break;
		case CORE_ACT_EVENT:
			ctl_event(ctl, &act.ev);
			break;
		}
		if (ctl->stopping)
			return;
	}
	ctl_arm(ctl, core_next_deadline(ctl->core));
}

void
ctl_tick(struct ctl *ctl)
{
	if (ctl->core == NULL || ctl->stopping)
		return;
	core_tick(ctl->core, ctl_now(ctl));
	ctl_run_core(ctl);
}

static void
ctl_wake_cb(void *arg)
{
	ctl_tick(arg);
}

/* ---- inputs ------------------------------------------------------------------ */

void
ctl_locator_update(struct ctl *ctl)
{
	static const enum core_locator_source src_of[] = {
	        [CONF_LOCATOR_AUTO] = CORE_LOC_AUTO,
	        [CONF_LOCATOR_IFACE] = CORE_LOC_INTERFACE,
	        [CONF_LOCATOR_STATIC] = CORE_LOC_STATIC,
	};
	struct core_router_view rv[CORE_ROUTERS_MAX];
	struct in_addr router = {0}, cur, v4 = {0};
	enum core_locator_source cur_src, src = src_of[ctl->conf.locator];
	char b[ADDR4_STRLEN];
	size_t n, i;
	int r;

	if (ctl->core == NULL)
		return;
	n = core_routers(ctl->core, ctl_now(ctl), rv, CORE_ROUTERS_MAX);
	if (n > 0)
		router = rv[0].v4;
	r = locator_find(&ctl->conf, router, &v4);
	if (r < 0 && ctl->conf.locator == CONF_LOCATOR_AUTO && n > 1) {
		/*
		 * auto: a router the host cannot route to (say one just added
		 * through the API) must not take the locator away from the
		 * routers it can reach. Try the default router, then the others
		 * in PRL order, and keep the first that has a route.
		 */
		for (i = 0; i < n && r < 0; i++)
			if (rv[i].is_default)
				r = locator_find(&ctl->conf, rv[i].v4, &v4);
		for (i = 1; i < n && r < 0; i++)
			r = locator_find(&ctl->conf, rv[i].v4, &v4);
	}
	if (r < 0) {
		/* auto before the PRL is known: nothing to look at yet. */
		if (!(r == -EHOSTUNREACH && router.s_addr == INADDR_ANY)) {
			ctl->counters.locator_errors++;
			if (log_ratelimit(&ctl->rate, ctl_now(ctl), NULL))
				log_warnx("locator (%s): %s", conf_locator_name(ctl->conf.locator),
				          strerror(-r));
		}
		v4.s_addr = INADDR_ANY;
		src = CORE_LOC_NONE;
	}
	cur_src = core_locator(ctl->core, &cur);
	if (cur.s_addr == v4.s_addr && cur_src == src)
		return;
	if (v4.s_addr == INADDR_ANY && cur.s_addr != INADDR_ANY && r == -EHOSTUNREACH &&
	    router.s_addr == INADDR_ANY)
		return; /* the PRL emptied: keep the locator we have */
	log_info("locator %s (%s)", v4.s_addr ? addr_fmt4(v4, b) : "none",
	         core_locator_source_name(src));
	r = core_set_locator(ctl->core, ctl_now(ctl), v4, src);
	if (r < 0)
		log_warnx("locator %s refused: %s", addr_fmt4(v4, b), strerror(-r));
	ctl_run_core(ctl);
}

static void
ctl_v4_changed(void *arg)
{
	struct ctl *ctl = arg;

	struct in_addr have[CTL_HOST_V4_MAX];
	int n;

	ctl_locator_update(ctl);
	if (ctl->core == NULL || ctl->stopping)
		return;
	/* A previous locator the host no longer has takes its addresses with
	 * it, now (RFC 5214 §6.2). */
	if ((n = locator_host_v4(have, CTL_HOST_V4_MAX)) >= 0 && n < CTL_HOST_V4_MAX)
		core_host_v4(ctl->core, ctl_now(ctl), have, (size_t)n);
	/* A refused request may succeed now (say the static locator was
	 * assigned only after we started): retry at once. */
	core_dp_retry(ctl->core, ctl_now(ctl));
	ctl_run_core(ctl);
}

static void
ctl_dns_done(void *arg, const char *name, const struct dns_answer *a)
{
	struct ctl *ctl = arg;
	char b[ADDR4_STRLEN];

	if (a->error == -EMSGSIZE) {
		/* Someone who answers for the name sent more than any PRL
		 * needs; worth saying, and no more often than lookups run. */
		ctl->counters.dns_errors++;
		log_warnx("dns: %s: answer too large for the resolver's buffer, ignored", name);
	} else if (a->error < 0) {
		ctl->counters.dns_errors++;
		log_debug("dns: %s: %s", name, strerror(-a->error));
	} else {
		log_debug("dns: %s -> %s %s (%zu, ttl %u s%s)", name, a->matched,
		          a->n ? addr_fmt4(a->v4[0], b) : "", a->n, a->ttl_s,
		          a->from_hosts ? ", /etc/hosts" : "");
	}
	if (ctl->core == NULL || ctl->stopping)
		return;
	core_dns_result(ctl->core, ctl_now(ctl), name, a->error < 0 ? NULL : a->matched, a->v4,
	                a->n, a->ttl_s, a->error);
	ctl_run_core(ctl);
}

static void
ctl_dp_connected(void *arg, const struct msg_hello_reply *hello, const struct msg_state *st)
{
	struct ctl *ctl = arg;

	ctl->have_link = true;
	ctl->link_up = st->link_up != 0;
	ctl->link_mtu = st->mtu;
	core_dp_connected(ctl->core, ctl_now(ctl), st);
	ctl_run_core(ctl);
}

static void
ctl_dp_disconnected(void *arg)
{
	struct ctl *ctl = arg;

	ctl->have_link = false;
	log_warnx("datapath disconnected; reconnecting");
	core_dp_disconnected(ctl->core, ctl_now(ctl));
	ctl_run_core(ctl);
}

static void
ctl_nd_recv(void *arg, const struct msg_nd_recv *m)
{
	struct ctl *ctl = arg;
	enum nd_reason why = ND_OK;
	enum core_nd_verdict v;
	char b[ADDR4_STRLEN];

	v = core_nd_input(ctl->core, ctl_now(ctl), m->outer_src, m->pkt, m->len, &why);
	if (v == CORE_ND_RA_ACCEPTED || v == CORE_ND_REDIRECT_ACCEPTED) {
		ctl_run_core(ctl);
		return;
	}
	/* Counted by the core, which queued nothing; logged only when rate
	 * allows (hostile input). */
	if (v != CORE_ND_IGNORED_TYPE && log_ratelimit(&ctl->rate, ctl_now(ctl), NULL))
		log_info("nd from %s: %s%s%s", addr_fmt4(m->outer_src, b), core_nd_verdict_name(v),
		         v == CORE_ND_PARSE_ERROR ? " " : "",
		         v == CORE_ND_PARSE_ERROR ? nd_reason_name(why) : "");
}

static void
ctl_link_event(void *arg, const struct msg_link_event *ev)
{
	struct ctl *ctl = arg;

	ctl->link_up = ev->up != 0;
	ctl->link_mtu = ev->mtu;
}

static void
ctl_dp_refused(void *arg, uint16_t req_type, int error)
{
	struct ctl *ctl = arg;

	core_dp_refused(ctl->core, ctl_now(ctl), req_type, error);
	ctl_run_core(ctl);
}

static void
ctl_dp_state(void *arg, const struct msg_state *st)
{
	struct ctl *ctl = arg;

	core_dp_state(ctl->core, ctl_now(ctl), st);
	ctl_run_core(ctl);
}

static void
ctl_dp_prl_stats(void *arg, const struct msg_prl_stats *st)
{
	struct ctl *ctl = arg;

	core_router_traffic(ctl->core, ctl_now(ctl), st);
	ctl_run_core(ctl);
}

static const struct dplink_ops ctl_dplink_ops = {
        .connected = ctl_dp_connected,
        .disconnected = ctl_dp_disconnected,
        .nd_recv = ctl_nd_recv,
        .link_event = ctl_link_event,
        .refused = ctl_dp_refused,
        .state = ctl_dp_state,
        .prl_stats = ctl_dp_prl_stats,
};

/* ---- configuration ---------------------------------------------------------- */

static void
ctl_group_done(void *arg, const char *name, bool found, gid_t gid, int error)
{
	struct ctl *ctl = arg;

	/* Stopped meanwhile, or a later reload asks for another group. */
	if (ctl->stopping || ctl->api == NULL || strcmp(name, ctl->conf.api_group) != 0)
		return;
	if (!found) {
		log_warnx("api_group %s: %s; only root may change state", name,
		          error < 0 ? strerror(-error) : "no such group");
		api_set_group(ctl->api, false, 0);
		return;
	}
	api_set_group(ctl->api, true, gid);
}

/*
 * The group is looked up off the loop (group.c): NSS may block. Until the
 * answer comes, the group in force stays (none at start: only root may
 * change state for those few milliseconds).
 */
static void
ctl_apply_group(struct ctl *ctl)
{
	int r;

	if (ctl->api == NULL)
		return;
	if (ctl->conf.api_group[0] == '\0') {
		api_set_group(ctl->api, false, 0);
		return;
	}
	if ((r = group_lookup(ctl->loop, ctl->conf.api_group, ctl_group_done, ctl)) < 0) {
		log_warnx("api_group %s: %s; only root may change state", ctl->conf.api_group,
		          strerror(-r));
		api_set_group(ctl->api, false, 0);
	}
}

void
ctl_reload(struct ctl *ctl)
{
	struct conf nc;
	struct core_config cc;
	char err[512];
	int r;

	r = conf_load(&nc, ctl->conf_path, ctl->conf_missing_ok, &ctl->cmdline, err, sizeof(err));
	if (r < 0) {
		log_warnx("reload: %s; keeping the running configuration", err);
		return;
	}
	if (strcmp(nc.api_socket, ctl->conf.api_socket) != 0)
		log_warnx("reload: api_socket changes at the next start");
	nc.foreground = ctl->conf.foreground;
	ctl->conf = nc;
	log_setverbose(nc.verbose);
	ctl_core_config(&ctl->conf, &cc, 0);
	r = core_reconfigure(ctl->core, ctl_now(ctl), &cc);
	if (r < 0)
		log_warnx("reload: routers refused: %s", strerror(-r));
	ctl_apply_group(ctl);
	dplink_set_path(ctl->dl, ctl->conf.datapath_socket);
	log_info("configuration reloaded from %s", ctl->conf_path);
	ctl_run_core(ctl);
	ctl_locator_update(ctl);
}

/* ---- signals and lifecycle --------------------------------------------------- */

static void
ctl_signal_cb(uv_signal_t *s, int signum)
{
	struct ctl *ctl = s->data;

	if (signum == SIGHUP) {
		ctl_reload(ctl);
		return;
	}
	log_info("%s: exiting", strsignal(signum));
	ctl_stop(ctl);
}

static uint64_t
ctl_seed(void)
{
	uint64_t seed;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) != sizeof(seed))
		seed = uv_hrtime() ^ ((uint64_t)getpid() << 32);
	return seed;
}

int
ctl_start(struct ctl *ctl, uv_loop_t *loop)
{
	struct core_config cc;
	int r;

	ctl->loop = loop;
	ctl->start_ms = ctl_now(ctl);
	ctl->start_time = time(NULL);
	ctl->rate = (struct log_rate)LOG_RATE_INIT(10, 1);
	if ((r = ctl_wake_open(loop, ctl_wake_cb, ctl, &ctl->wake)) < 0) {
		log_warnx("timer: %s", strerror(-r));
		return r;
	}
	uv_signal_init(loop, &ctl->sig_hup);
	uv_signal_init(loop, &ctl->sig_term);
	uv_signal_init(loop, &ctl->sig_int);
	ctl->sig_hup.data = ctl->sig_term.data = ctl->sig_int.data = ctl;
	uv_signal_start(&ctl->sig_hup, ctl_signal_cb, SIGHUP);
	uv_signal_start(&ctl->sig_term, ctl_signal_cb, SIGTERM);
	uv_signal_start(&ctl->sig_int, ctl_signal_cb, SIGINT);

	ctl_core_config(&ctl->conf, &cc, ctl_seed());
	ctl->core = core_new(&cc, ctl_now(ctl));
	if (ctl->core == NULL) {
		log_warnx("core: cannot start (routers %s...)", cc.routers[0]);
		return -ENOMEM;
	}
	r = api_open(loop, ctl->conf.api_socket, &ctl_api_ops, ctl, &ctl->api);
	if (r < 0) {
		log_warnx("api socket %s: %s", ctl->conf.api_socket, strerror(-r));
		return r;
	}
	ctl_apply_group(ctl);
	if ((r = dns_new(loop, ctl_dns_done, ctl, &ctl->dns)) < 0 ||
	    (r = dplink_new(loop, ctl->conf.datapath_socket, &ctl_dplink_ops, ctl, &ctl->dl)) < 0) {
		log_warnx("start: %s", strerror(-r));
		return r;
	}
	r = v4watch_new(loop, ctl_v4_changed, ctl, &ctl->v4w);
	if (r < 0)
		log_warnx("v4watch: %s; IPv4 changes are not followed", strerror(-r));
	ctl_run_core(ctl);
	ctl_locator_update(ctl);
	return 0;
}

void
ctl_stop(struct ctl *ctl)
{
	if (ctl->stopping)
		return;
	ctl->stopping = true;
	api_close(ctl->api);
	ctl->api = NULL;
	dplink_close(ctl->dl);
	ctl->dl = NULL;
	dns_close(ctl->dns);
	ctl->dns = NULL;
	v4watch_close(ctl->v4w);
	ctl->v4w = NULL;
	ctl_wake_close(ctl->wake);
	ctl->wake = NULL;
	uv_close((uv_handle_t *)&ctl->sig_hup, NULL);
	uv_close((uv_handle_t *)&ctl->sig_term, NULL);
	uv_close((uv_handle_t *)&ctl->sig_int, NULL);
}
