/*
 * The doctor's judgement. Each check reads the daemon's status (docs/API.md)
 * and, through the ops, the host, and adds one or more items: a level and a
 * sentence a person can act on. Healthy means no item failed.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "addr.h"
#include "ctl.h"
#include "doctor.h"
#include "fmt.h"
#include "isatap.h"

#define DOCTOR_NAMES_MAX 8 /* DNS names checked; the daemon holds at most MSG_PRL_MAX */

static const char *const doctor_level_names[] = {
        [DOCTOR_OK] = "ok",
        [DOCTOR_INFO] = "info",
        [DOCTOR_WARN] = "warn",
        [DOCTOR_FAIL] = "fail",
};

const char *
doctor_level_name(enum doctor_level l)
{
	if ((unsigned)l >= sizeof(doctor_level_names) / sizeof(doctor_level_names[0]))
		return "?";
	return doctor_level_names[l];
}

void
doctor_add(struct doctor_report *rep, enum doctor_level level, const char *check, const char *fmt,
           ...)
{
	struct doctor_item *it;
	va_list ap;

	if (rep->n == rep->cap) {
		size_t ncap = rep->cap == 0 ? 16 : rep->cap * 2;
		struct doctor_item *ni = realloc(rep->items, ncap * sizeof(*ni));

		if (ni == NULL)
			fatalx(CTL_EXIT_FAIL, "out of memory");
		rep->items = ni;
		rep->cap = ncap;
	}
	it = &rep->items[rep->n++];
	it->level = level;
	snprintf(it->check, sizeof(it->check), "%s", check);
	va_start(ap, fmt);
	vsnprintf(it->text, sizeof(it->text), fmt, ap);
	va_end(ap);
	/* Names and addresses in the text came from the daemon or the resolver. */
	fmt_safe(it->text, it->text, sizeof(it->text));
}

static void
doctor_daemon(const json_t *st, struct doctor_report *rep)
{
	const json_t *d = j_obj(st, "daemon");
	char ub[FMT_BUFLEN];
	long long pid = -1, up = -1;

	j_int(d, "pid", &pid);
	j_int(d, "uptime_s", &up);
	doctor_add(rep, DOCTOR_OK, "daemon", "isatap-control %s answers (pid %lld, up %s)",
	           fmt_or(j_str(d, "software"), "?"), pid, fmt_dur(up, ub));
}

static void
doctor_datapath(const json_t *st, struct doctor_report *rep)
{
	const json_t *dp = j_obj(st, "datapath"), *ifc = j_obj(st, "interface");
	const char *sock = fmt_or(j_str(dp, "socket"), "its socket");
	const char *ifname = fmt_or(j_str(ifc, "name"), "the tunnel interface");
	const char *state = j_str(ifc, "state");

	if (!j_true(dp, "connected")) {
		doctor_add(rep, DOCTOR_FAIL, "datapath",
		           "isatap-control is not connected to isatap-datapath on %s: without it "
		           "nothing is sent or received. Is isatap-datapath running, and does it "
		           "accept isatap-control's user (its -U option)?",
		           sock);
		return;
	}
	if (state == NULL || strcmp(state, "up") != 0) {
		doctor_add(rep, DOCTOR_FAIL, "datapath",
		           "connected to isatap-datapath on %s, but interface %s is %s", sock,
		           ifname, fmt_or(state, "in an unknown state"));
		return;
	}
	/* A refusal outstanding: what control asked for is not all applied. */
	if (json_is_false(json_object_get(dp, "in_sync"))) {
		const json_t *last = j_obj(dp, "last_refused");

		doctor_add(rep, DOCTOR_WARN, "datapath",
		           "isatap-datapath refused %s (%s); isatap-control re-reads its state "
		           "and retries, at once when an IPv4 address comes or goes",
		           fmt_or(j_str(last, "request"), "a request"),
		           fmt_or(j_str(last, "error"), "no reason given"));
		return;
	}
	doctor_add(rep, DOCTOR_OK, "datapath", "connected to isatap-datapath on %s; %s is up%s",
	           sock, ifname, j_true(dp, "router_mode") ? " (router mode)" : "");
}

static bool
doctor_v4(const char *s, struct in_addr *out)
{
	return s != NULL && addr_parse4(s, out);
}

static void
doctor_locator(const json_t *st, struct doctor_report *rep)
{
	const json_t *loc = j_obj(st, "locator"), *r;
	const char *v4 = j_str(loc, "ipv4"), *src = fmt_or(j_str(loc, "source"), "?");
	struct in_addr a, ra;
	bool global;
	size_t i;

	if (v4 == NULL || !doctor_v4(v4, &a)) {
		doctor_add(rep, DOCTOR_FAIL, "locator",
		           "no IPv4 address to tunnel from (locator source %s): the host has no "
		           "IPv4 address toward the routers. Check the IPv4 configuration, or name "
		           "the address or interface with isatap-control -l",
		           src);
		return;
	}
	global = json_is_boolean(json_object_get(loc, "is_global")) ? j_true(loc, "is_global")
	                                                            : addr_v4_is_global(a);
	if (global) {
		doctor_add(rep, DOCTOR_OK, "locator", "%s (%s), a global address", v4, src);
		return;
	}
	doctor_add(rep, DOCTOR_INFO, "locator",
	           "%s (%s) is not a global address: the routers must be inside the same IPv4 site "
	           "(interface identifier 0:5efe:%s, RFC 5214 section 6.1)",
	           v4, src, v4);
	/* A private locator facing a global router: a NAT is almost certainly in
	 * between, and NATs do not pass IPv4 protocol 41. */
	json_array_foreach(j_arr(st, "prl"), i, r)
	{
		const char *rv4 = j_str(r, "ipv4");

		if (doctor_v4(rv4, &ra) && addr_v4_is_global(ra))
			doctor_add(rep, DOCTOR_WARN, "locator",
			           "%s is private but router %s is a global address: if a NAT "
			           "sits between them, it drops or mangles protocol 41 and ISATAP "
			           "cannot work through it",
			           v4, rv4);
	}
}

/* A silent router may simply be out of the host's IPv4 reach. */
static void
doctor_route(const json_t *r, enum doctor_level level, const struct doctor_ops *ops,
             struct doctor_report *rep)
{
	const char *v4 = j_str(r, "ipv4");
	struct in_addr a;
	int rc;

	if (!doctor_v4(v4, &a) || (rc = ops->v4_route(ops->ctx, a)) == 0)
		return;
	doctor_add(rep, level, "router",
	           "this host has no IPv4 route to %s (%s): check the IPv4 routes, or the "
	           "router's address",
	           v4, strerror(-rc));
}

static void
doctor_router(const json_t *r, bool another_ok, const struct doctor_ops *ops,
              struct doctor_report *rep)
{
	const char *v4 = fmt_or(j_str(r, "ipv4"), "?"), *state = fmt_or(j_str(r, "state"), "?");
	const char *name = j_str(r, "name");
	char who[DOCTOR_TEXT_MAX / 2], ab[FMT_BUFLEN], lb[FMT_BUFLEN];
	long long rs = 0, ra = 0, age;
	enum doctor_level silent = another_ok ? DOCTOR_WARN : DOCTOR_FAIL;

	snprintf(who, sizeof(who), "router %s%s%s%s", v4, name != NULL ? " (" : "",
	         name != NULL ? name : "", name != NULL ? ")" : "");
	j_int(r, "solicitations", &rs);
	j_int(r, "advertisements", &ra);
	if (strcmp(state, "reachable") == 0) {
		doctor_add(
		        rep, DOCTOR_OK, "router",
		        "%s answers: last advertisement %s ago, router lifetime %s, preference %s",
		        who, j_int(r, "last_ra_age_s", &age) ? fmt_dur(age, ab) : "?",
		        fmt_lifetime(r, "router_lifetime_s", "?", lb),
		        fmt_or(j_str(r, "preference"), "?"));
	} else if (strcmp(state, "not_default") == 0) {
		doctor_add(rep, DOCTOR_WARN, "router",
		           "%s answers with router lifetime 0: it is not offering to be a default "
		           "router, so only its on-link prefixes and routes are used",
		           who);
	} else if (strcmp(state, "probing") == 0 && rs == 0) {
		doctor_add(rep, DOCTOR_INFO, "router", "%s: the first Router Solicitation is due",
		           who);
	} else if (strcmp(state, "probing") == 0 || strcmp(state, "unreachable") == 0) {
		doctor_add(
		        rep, silent, "router",
		        "%s %s %lld Router Solicitation%s (%lld advertisement%s in all): either "
		        "it is not an ISATAP router, or something on the way (a firewall, a NAT, "
		        "an IPv4 ACL) drops IPv4 protocol 41 between here and there",
		        who, ra > 0 ? "stopped answering after" : "has not answered", rs,
		        rs == 1 ? "" : "s", ra, ra == 1 ? "" : "s");
		doctor_route(r, silent, ops, rep);
	} else {
		doctor_add(rep, DOCTOR_INFO, "router", "%s is in state %s", who, state);
	}
}

static void
doctor_routers(const json_t *st, const struct doctor_ops *ops, struct doctor_report *rep)
{
	const json_t *prl = j_arr(st, "prl"), *r;
	size_t i, reachable = 0;

	if (json_array_size(prl) == 0) {
		doctor_add(
		        rep, DOCTOR_FAIL, "router",
		        "the potential router list is empty: no router name resolved and no "
		        "router is configured (isatap-control -r ROUTER, or isatapctl router add "
		        "ROUTER)");
		return;
	}
	json_array_foreach(prl, i, r)
	{
		const char *s = j_str(r, "state");

		if (s != NULL && strcmp(s, "reachable") == 0)
			reachable++;
	}
	json_array_foreach(prl, i, r) doctor_router(r, reachable > 0, ops, rep);
	if (reachable > 0 && j_str(st, "default_router") == NULL)
		doctor_add(rep, DOCTOR_WARN, "router",
		           "%zu router%s reachable but none is the default router: IPv6 beyond "
		           "the advertised prefixes is unreachable",
		           reachable, reachable == 1 ? " is" : "s are");
}

/* True when name's first label is "isatap": the name sites block. */
static bool
doctor_is_isatap_name(const char *name)
{
	return strncasecmp(name, "isatap", 6) == 0 && (name[6] == '\0' || name[6] == '.');
}

static bool
doctor_in_prl(const json_t *st, struct in_addr a)
{
	const json_t *r;
	struct in_addr ra;
	size_t i;

	json_array_foreach(j_arr(st, "prl"), i, r)
	{
		if (doctor_v4(j_str(r, "ipv4"), &ra) && ra.s_addr == a.s_addr)
			return true;
	}
	return false;
}

static void
doctor_name(const json_t *st, const char *name, bool from_prl, bool have_router,
            const struct doctor_ops *ops, struct doctor_report *rep)
{
	struct in_addr addrs[DOCTOR_RESOLVE_MAX];
	char list[DOCTOR_RESOLVE_MAX * ADDR4_STRLEN] = "", b[ADDR4_STRLEN];
	const char *why = "no address";
	int n, i;

	n = ops->resolve4(ops->ctx, name, addrs, DOCTOR_RESOLVE_MAX, &why);
	if (n <= 0) {
		/* Routers already found keep working: a DNS failure then only
		 * hurts at the next PRL refresh. Without one it is the fault. */
		enum doctor_level l = have_router ? DOCTOR_WARN : DOCTOR_FAIL;

		if (!from_prl && have_router)
			l = DOCTOR_INFO; /* not a name this daemon relies on */
		if (doctor_is_isatap_name(name))
			doctor_add(
			        rep, l, "dns",
			        "the name %s does not resolve (%s). Many sites block it: "
			        "Windows DNS servers refuse to answer 'isatap' (and 'wpad') "
			        "through their global query block list unless an administrator "
			        "removes it (dnscmd /config /globalqueryblocklist wpad). Ask for "
			        "the name to be served (RFC 6964), or give the router's address: "
			        "isatap-control -r ROUTER, or isatapctl router add ROUTER",
			        name, why);
		else
			doctor_add(rep, l, "dns", "the name %s does not resolve (%s)", name, why);
		return;
	}
	for (i = 0; i < n; i++) {
		size_t off = strlen(list);

		snprintf(list + off, sizeof(list) - off, "%s%s", i > 0 ? " " : "",
		         addr_fmt4(addrs[i], b));
	}
	doctor_add(rep, DOCTOR_OK, "dns", "%s resolves to %s", name, list);
	for (i = 0; i < n; i++)
		if (!doctor_in_prl(st, addrs[i]))
			doctor_add(rep, DOCTOR_WARN, "dns",
			           "%s resolves to %s, which is not in the potential router list "
			           "yet; isatapctl refresh re-reads the names now",
			           name, addr_fmt4(addrs[i], b));
}

static void
doctor_dns(const json_t *st, const struct doctor_ops *ops, struct doctor_report *rep)
{
	const char *names[DOCTOR_NAMES_MAX];
	const json_t *r;
	size_t n = 0, i, j;
	bool have_router = false;

	json_array_foreach(j_arr(st, "prl"), i, r)
	{
		const char *name = j_str(r, "name"), *origin = j_str(r, "origin");
		const char *s = j_str(r, "state");

		if (s != NULL && strcmp(s, "reachable") == 0)
			have_router = true;
		if (name == NULL || origin == NULL || strcmp(origin, "dns") != 0 || name[0] == '\0')
			continue;
		for (j = 0; j < n && strcmp(names[j], name) != 0; j++)
			;
		if (j == n && n < DOCTOR_NAMES_MAX)
			names[n++] = name;
	}
	for (i = 0; i < n; i++)
		doctor_name(st, names[i], true, have_router, ops, rep);
	/* No router came from DNS: check the default name isatap-control uses
	 * when no router is configured (RFC 5214 section 8.3.2). */
	if (n == 0)
		doctor_name(st, "isatap", false, have_router, ops, rep);
}

static void
doctor_mtu(const json_t *st, const struct doctor_ops *ops, struct doctor_report *rep)
{
	const json_t *ifc = j_obj(st, "interface");
	const char *ifname = fmt_or(j_str(ifc, "name"), "the tunnel");
	char v4if[DOCTOR_IFNAMSIZ] = "";
	struct in_addr loc;
	unsigned v4mtu = 0;
	long long mtu;

	if (!j_int(ifc, "mtu", &mtu)) {
		doctor_add(rep, DOCTOR_INFO, "mtu", "the MTU of %s is not known", ifname);
		return;
	}
	if (mtu < IPV6_MIN_MTU) {
		doctor_add(rep, DOCTOR_FAIL, "mtu",
		           "%s has MTU %lld, below the IPv6 minimum of %d (RFC 8200 section 5)",
		           ifname, mtu, IPV6_MIN_MTU);
		return;
	}
	if (doctor_v4(j_str(j_obj(st, "locator"), "ipv4"), &loc) &&
	    ops->v4_mtu(ops->ctx, loc, v4if, &v4mtu) == 0 && v4mtu > IPV4_HDR_MIN) {
		v4if[DOCTOR_IFNAMSIZ - 1] = '\0';
		if (mtu > (long long)v4mtu - IPV4_HDR_MIN) {
			doctor_add(rep, DOCTOR_WARN, "mtu",
			           "%s has MTU %lld but one IPv4 packet on %s carries only %u "
			           "bytes of IPv6: larger packets are fragmented in IPv4, which "
			           "firewalls often drop (RFC 4213 section 3.2)",
			           ifname, mtu, v4if, v4mtu - IPV4_HDR_MIN);
			return;
		}
		doctor_add(rep, DOCTOR_OK, "mtu", "%s MTU %lld fits in %s (IPv4 MTU %u)", ifname,
		           mtu, v4if, v4mtu);
		return;
	}
	doctor_add(rep, DOCTOR_OK, "mtu", "%s MTU %lld", ifname, mtu);
}

/*
 * The kernel's own IPv6 settings of the tunnel interface. Router
 * Advertisements never reach the kernel (the datapath hands them to
 * isatap-control), so accept_ra and autoconf are reported, not judged.
 */
static void
doctor_kernel(const json_t *st, const struct doctor_ops *ops, struct doctor_report *rep)
{
	static const char *const knobs[] = {"disable_ipv6",  "accept_ra",     "autoconf",
	                                    "addr_gen_mode", "dad_transmits", "forwarding"};
	const char *ifname = j_str(j_obj(st, "interface"), "name");
	long val[sizeof(knobs) / sizeof(knobs[0])];
	bool have[sizeof(knobs) / sizeof(knobs[0])];
	char list[256] = "";
	size_t i, n_have = 0;

	if (ifname == NULL || ifname[0] == '\0' || strchr(ifname, '/') != NULL ||
	    strcmp(ifname, ".") == 0 || strcmp(ifname, "..") == 0) {
		doctor_add(rep, DOCTOR_INFO, "kernel", "no interface name to check");
		return;
	}
	for (i = 0; i < sizeof(knobs) / sizeof(knobs[0]); i++) {
		have[i] = ops->read_knob(ops->ctx, ifname, knobs[i], &val[i]) == 0;
		if (have[i]) {
			size_t off = strlen(list);

			snprintf(list + off, sizeof(list) - off, "%s%s %ld", n_have > 0 ? ", " : "",
			         knobs[i], val[i]);
			n_have++;
		}
	}
	if (n_have == 0) {
		doctor_add(rep, DOCTOR_INFO, "kernel",
		           "cannot read /proc/sys/net/ipv6/conf/%s/ (not Linux, or no such "
		           "interface)",
		           ifname);
		return;
	}
	if (have[0] && val[0] != 0) {
		doctor_add(rep, DOCTOR_FAIL, "kernel",
		           "IPv6 is disabled on %s (net.ipv6.conf.%s.disable_ipv6 = %ld): "
		           "sysctl -w net.ipv6.conf.%s.disable_ipv6=0",
		           ifname, ifname, val[0], ifname);
		return;
	}
	/* addr_gen_mode 1 (none): no kernel link-local beside the ISATAP one,
	 * whose identifier a peer could not check against our IPv4 address. */
	if (have[3] && val[3] != 1)
		doctor_add(rep, DOCTOR_WARN, "kernel",
		           "%s has addr_gen_mode %ld: the kernel adds its own link-local address, "
		           "which is not an ISATAP address; peers drop packets sent from it "
		           "(RFC 5214 section 7.3). Expected 1 (none)",
		           ifname, val[3]);
	if (have[4] && val[4] > 0)
		doctor_add(rep, DOCTOR_INFO, "kernel",
		           "%s has dad_transmits %ld: each new address stays tentative for about "
		           "%ld s before it can be used",
		           ifname, val[4], val[4]);
	if (have[5] && val[5] != 0 && !j_true(j_obj(st, "datapath"), "router_mode"))
		doctor_add(rep, DOCTOR_WARN, "kernel",
		           "%s forwards IPv6 (forwarding %ld) but isatap-datapath runs as a host: "
		           "an ISATAP host that forwards can be turned into a routing loop "
		           "(RFC 6324)",
		           ifname, val[5]);
	doctor_add(rep, DOCTOR_OK, "kernel", "%s: %s", ifname, list);
}

void
doctor_run(const json_t *st, const struct doctor_ops *ops, struct doctor_report *rep)
{
	memset(rep, 0, sizeof(*rep));
	doctor_daemon(st, rep);
	doctor_datapath(st, rep);
	doctor_locator(st, rep);
	doctor_routers(st, ops, rep);
	doctor_dns(st, ops, rep);
	doctor_mtu(st, ops, rep);
	if (ops->utun != NULL)
		doctor_utun(st, ops, rep);
	else
		doctor_kernel(st, ops, rep);
}

void
doctor_free(struct doctor_report *rep)
{
	free(rep->items);
	memset(rep, 0, sizeof(*rep));
}

bool
doctor_healthy(const struct doctor_report *rep)
{
	size_t i;

	for (i = 0; i < rep->n; i++)
		if (rep->items[i].level == DOCTOR_FAIL)
			return false;
	return true;
}

void
doctor_print(FILE *f, const struct doctor_report *rep)
{
	size_t i, fails = 0, warns = 0;

	for (i = 0; i < rep->n; i++) {
		const struct doctor_item *it = &rep->items[i];

		fails += it->level == DOCTOR_FAIL;
		warns += it->level == DOCTOR_WARN;
		fprintf(f, "%-4s  %-8s  %s\n", doctor_level_name(it->level), it->check, it->text);
	}
	if (fails == 0)
		fputs("healthy", f);
	else
		fprintf(f, "%zu problem%s", fails, fails == 1 ? "" : "s");
	if (warns > 0)
		fprintf(f, ", %zu warning%s", warns, warns == 1 ? "" : "s");
	fputc('\n', f);
}

json_t *
doctor_json(const struct doctor_report *rep)
{
	json_t *checks = json_array(), *o;
	size_t i;

	if (checks == NULL)
		return NULL;
	for (i = 0; i < rep->n; i++) {
		const struct doctor_item *it = &rep->items[i];

		if (json_array_append_new(checks, json_pack("{s:s, s:s, s:s}", "check", it->check,
		                                            "level", doctor_level_name(it->level),
		                                            "text", it->text)) != 0) {
			json_decref(checks);
			return NULL;
		}
	}
	o = json_pack("{s:i, s:b, s:o}", "version", 1, "healthy", doctor_healthy(rep), "checks",
	              checks);
	return o;
}
