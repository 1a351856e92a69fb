/*
 * Readable output of status, routers and stats. The layout is for people
 * and may change; scripts use --json, whose fields are documented in
 * isatapctl(8) and never reordered.
 */
#include <stdlib.h>
#include <string.h>

#include "fmt.h"
#include "show.h"

#define NONE "-"

static void
show_interface(struct tbl *t, const json_t *st)
{
	const json_t *ifc = j_obj(st, "interface");
	const json_t *loc = j_obj(st, "locator");
	const char *v4 = j_str(loc, "ipv4");
	long long idx, mtu;
	char ib[FMT_BUFLEN] = "", mb[FMT_BUFLEN] = "";

	if (j_int(ifc, "ifindex", &idx))
		snprintf(ib, sizeof(ib), " (index %lld)", idx);
	if (j_int(ifc, "mtu", &mtu))
		snprintf(mb, sizeof(mb), ", mtu %lld", mtu);
	tbl_add(t, "interface:");
	tbl_add(t, "%s%s, %s%s", fmt_or(j_str(ifc, "name"), NONE), ib,
	        fmt_or(j_str(ifc, "state"), "unknown"), mb);

	tbl_add(t, "locator:");
	if (v4 == NULL)
		tbl_add(t, "none (%s)", fmt_or(j_str(loc, "source"), NONE));
	else
		tbl_add(t, "%s (%s, %s)", v4, fmt_or(j_str(loc, "source"), NONE),
		        j_true(loc, "is_global") ? "global" : "not global");

	tbl_add(t, "link-local:");
	tbl_add(t, "%s", fmt_or(j_str(st, "link_local"), "none"));
}

static void
show_addresses(struct tbl *t, const json_t *st)
{
	const json_t *addrs = j_arr(st, "addresses");
	const json_t *a;
	size_t i;

	json_array_foreach(addrs, i, a)
	{
		char vb[FMT_BUFLEN], pb[FMT_BUFLEN], lb[FMT_BUFLEN] = "";
		const char *rtr = j_str(a, "router");
		long long plen;

		if (j_int(a, "prefix_len", &plen))
			snprintf(lb, sizeof(lb), "/%lld", plen);
		tbl_add(t, "%s", i == 0 ? "address:" : "");
		tbl_add(t, "%s%s %s, valid %s, preferred %s%s%s", fmt_or(j_str(a, "address"), NONE),
		        lb, fmt_or(j_str(a, "state"), NONE),
		        fmt_lifetime(a, "valid_lifetime_s", NONE, vb),
		        fmt_lifetime(a, "preferred_lifetime_s", NONE, pb),
		        rtr != NULL ? ", from " : "", fmt_or(rtr, ""));
	}
	if (json_array_size(addrs) == 0) {
		tbl_add(t, "address:");
		tbl_add(t, "none");
	}
}

static void
show_onlink(struct tbl *t, const json_t *st)
{
	const json_t *p;
	size_t i;

	json_array_foreach(j_arr(st, "onlink_prefixes"), i, p)
	{
		char vb[FMT_BUFLEN];

		tbl_add(t, "%s", i == 0 ? "on-link:" : "");
		tbl_add(t, "%s (valid %s)", fmt_or(j_str(p, "prefix"), NONE),
		        fmt_lifetime(p, "valid_lifetime_s", NONE, vb));
	}
}

static void
show_dns(struct tbl *t, const json_t *st)
{
	const json_t *dns = j_obj(st, "dns");
	static const struct {
		const char *list, *key, *label;
	} kinds[] = {{"rdnss", "address", "dns server:"}, {"dnssl", "domain", "dns search:"}};
	size_t k, i;

	for (k = 0; k < sizeof(kinds) / sizeof(kinds[0]); k++) {
		const json_t *e;

		json_array_foreach(j_arr(dns, kinds[k].list), i, e)
		{
			char lb[FMT_BUFLEN];
			const char *rtr = j_str(e, "router");

			tbl_add(t, "%s", i == 0 ? kinds[k].label : "");
			tbl_add(t, "%s (%s%s%s)", fmt_or(j_str(e, kinds[k].key), NONE),
			        fmt_lifetime(e, "lifetime_s", NONE, lb),
			        rtr != NULL ? ", from " : "", fmt_or(rtr, ""));
		}
	}
}

/* One line: "active on isatap0 / eth0, eth1 (generation 7)", or "off
 * (why)". Nothing from a daemon that predates the fast path. */
static void
show_fastpath(struct tbl *t, const json_t *st)
{
	const json_t *fp = j_obj(st, "fastpath"), *in = j_arr(fp, "ingress"), *v;
	char names[4 * FMT_BUFLEN] = "";
	long long gen = 0;
	size_t i, n = 0;

	if (fp == NULL)
		return;
	tbl_add(t, "fast path:");
	if (!j_true(fp, "active")) {
		tbl_add(t, "off (%s)", fmt_or(j_str(fp, "reason"), "no reason given"));
		return;
	}
	json_array_foreach(in, i, v)
	{
		if (json_is_string(v) && n < sizeof(names))
			n += (size_t)snprintf(names + n, sizeof(names) - n, "%s%s", n ? ", " : "",
			                      json_string_value(v));
	}
	j_int(fp, "generation", &gen);
	tbl_add(t, "active on %s / %s (generation %lld)", fmt_or(j_str(fp, "egress"), NONE),
	        names[0] ? names : "no IPv4 interface yet", gen);
}

static void
show_daemon(struct tbl *t, const json_t *st)
{
	const json_t *dp = j_obj(st, "datapath");
	const json_t *d = j_obj(st, "daemon");
	char ub[FMT_BUFLEN];
	long long pid = -1, up = -1, ver = -1;

	tbl_add(t, "datapath:");
	if (dp == NULL)
		tbl_add(t, NONE);
	else
		tbl_add(t, "%s (%s)%s%s%s", j_true(dp, "connected") ? "connected" : "not connected",
		        fmt_or(j_str(dp, "socket"), NONE),
		        j_true(dp, "router_mode") ? ", router mode" : "",
		        json_is_false(json_object_get(dp, "in_sync")) ? ", refused " : "",
		        json_is_false(json_object_get(dp, "in_sync"))
		                ? fmt_or(j_str(j_obj(dp, "last_refused"), "request"), "a request")
		                : "");
	show_fastpath(t, st);
	j_int(d, "pid", &pid);
	j_int(d, "uptime_s", &up);
	j_int(st, "version", &ver);
	tbl_add(t, "daemon:");
	tbl_add(t, "isatap-control %s, pid %lld, up %s, schema %lld",
	        fmt_or(j_str(d, "software"), NONE), pid, fmt_dur(up, ub), ver);
}

/* The drops with a non-zero count, "in_spoofed_src 3, out_no_route 1". */
static void
show_drops(const json_t *drops, char *buf, size_t len, long long *total)
{
	const char *k;
	json_t *v;
	size_t off = 0;

	buf[0] = '\0';
	*total = 0;
	json_object_foreach((json_t *)drops, k, v)
	{
		long long n = json_is_integer(v) ? json_integer_value(v) : 0;
		int w;

		if (n <= 0)
			continue;
		*total += n;
		if (off >= len)
			continue;
		w = snprintf(buf + off, len - off, "%s%s %lld", off > 0 ? ", " : "", k, n);
		if (w > 0)
			off += (size_t)w;
	}
}

static void
show_key_counters(FILE *f, const json_t *c)
{
	static const char *const dirs[][3] = {{"sent:", "out_packets", "out_bytes"},
	                                      {"received:", "in_packets", "in_bytes"}};
	struct tbl t;
	char bb[FMT_BUFLEN], drops[512];
	long long p, b, total;
	size_t i;

	tbl_init(&t, 2);
	for (i = 0; i < 2; i++) {
		tbl_add(&t, "%s", dirs[i][0]);
		if (j_int(c, dirs[i][1], &p) && j_int(c, dirs[i][2], &b))
			tbl_add(&t, "%lld packets, %s", p, fmt_bytes(b, bb));
		else
			tbl_add(&t, NONE);
	}
	tbl_add(&t, "nd:");
	if (j_int(c, "nd_up", &p) && j_int(c, "rs_sent", &b))
		tbl_add(&t, "%lld messages received, %lld solicitations sent", p, b);
	else
		tbl_add(&t, NONE);
	show_drops(j_obj(c, "drops"), drops, sizeof(drops), &total);
	tbl_add(&t, "dropped:");
	tbl_add(&t, "%lld%s%s%s", total, total > 0 ? " (" : "", drops, total > 0 ? ")" : "");
	fputs("counters:\n", f);
	tbl_print(&t, f, "  ");
	tbl_free(&t);
}

static void
show_routes(FILE *f, const json_t *st)
{
	const json_t *routes = j_arr(st, "routes"), *r;
	struct tbl t;
	size_t i;

	if (json_array_size(routes) == 0)
		return;
	tbl_init(&t, 5);
	json_array_foreach(routes, i, r)
	{
		char lb[FMT_BUFLEN];

		tbl_add(&t, "%s", fmt_or(j_str(r, "prefix"), NONE));
		tbl_add(&t, "via %s", fmt_or(j_str(r, "via"), NONE));
		tbl_add(&t, "%s", fmt_lifetime(r, "lifetime_s", NONE, lb));
		tbl_add(&t, "%s", fmt_or(j_str(r, "preference"), NONE));
		tbl_add(&t, "%s", fmt_or(j_str(r, "origin"), NONE));
	}
	fputs("routes:\n", f);
	tbl_print(&t, f, "  ");
	tbl_free(&t);
}

void
show_router_table(FILE *f, const json_t *prl)
{
	const json_t *r;
	struct tbl t;
	size_t i;

	if (json_array_size(prl) == 0) {
		fputs("routers: none\n", f);
		return;
	}
	tbl_init(&t, 9);
	tbl_add(&t, "ROUTER");
	tbl_add(&t, "STATE");
	tbl_add(&t, "DEFAULT");
	tbl_add(&t, "PREF");
	tbl_add(&t, "LIFETIME");
	tbl_add(&t, "LAST RA");
	tbl_add(&t, "NEXT RS");
	tbl_add(&t, "RS/RA");
	tbl_add(&t, "SOURCE");
	json_array_foreach(prl, i, r)
	{
		char lb[FMT_BUFLEN], ab[FMT_BUFLEN], nb[FMT_BUFLEN];
		long long age, next, rs, ra;
		const char *origin = j_str(r, "origin");

		tbl_add(&t, "%s", fmt_or(j_str(r, "ipv4"), NONE));
		tbl_add(&t, "%s", fmt_or(j_str(r, "state"), NONE));
		tbl_add(&t, "%s", j_true(r, "is_default") ? "yes" : "no");
		tbl_add(&t, "%s", fmt_or(j_str(r, "preference"), NONE));
		tbl_add(&t, "%s", fmt_lifetime(r, "router_lifetime_s", NONE, lb));
		if (j_int(r, "last_ra_age_s", &age))
			tbl_add(&t, "%s ago", fmt_dur(age, ab));
		else
			tbl_add(&t, "never");
		if (j_int(r, "next_solicit_s", &next))
			tbl_add(&t, "%s", next == 0 ? "now" : fmt_dur(next, nb));
		else
			tbl_add(&t, NONE);
		if (j_int(r, "solicitations", &rs) && j_int(r, "advertisements", &ra))
			tbl_add(&t, "%lld/%lld", rs, ra);
		else
			tbl_add(&t, NONE);
		if (origin != NULL && strcmp(origin, "dns") == 0)
			tbl_add(&t, "dns %s", fmt_or(j_str(r, "name"), NONE));
		else
			tbl_add(&t, "%s", fmt_or(origin, NONE));
	}
	tbl_print(&t, f, "");
	tbl_free(&t);
}

/* The router names whose lookups give no router or are failing, and why:
 * a name that answered NXDOMAIN is why its routers left (docs/API.md). */
static void
show_names(FILE *f, const json_t *st)
{
	const json_t *names = j_arr(st, "names"), *n;
	struct tbl t;
	size_t i, shown = 0;

	tbl_init(&t, 5);
	tbl_add(&t, "NAME");
	tbl_add(&t, "LOOKUP");
	tbl_add(&t, "ROUTERS");
	tbl_add(&t, "NEXT LOOKUP");
	tbl_add(&t, "%s", "");
	json_array_foreach(names, i, n)
	{
		const char *state = j_str(n, "state");
		char nb[FMT_BUFLEN];
		long long routers, next;

		if (state != NULL && strcmp(state, "resolved") == 0)
			continue;
		shown++;
		tbl_add(&t, "%s", fmt_or(j_str(n, "name"), NONE));
		tbl_add(&t, "%s", fmt_or(state, NONE));
		if (j_int(n, "routers", &routers))
			tbl_add(&t, "%lld", routers);
		else
			tbl_add(&t, NONE);
		if (j_int(n, "next_lookup_s", &next))
			tbl_add(&t, "%s", next == 0 ? "now" : fmt_dur(next, nb));
		else
			tbl_add(&t, "in progress");
		if (state != NULL && strcmp(state, "no_such_name") == 0)
			tbl_add(&t, "(NXDOMAIN or NODATA: its routers were withdrawn)");
		else if (state != NULL && strcmp(state, "failing") == 0)
			tbl_add(&t, "(lookups fail: the last good routers are kept)");
		else
			tbl_add(&t, "%s", "");
	}
	if (shown > 0) {
		fputc('\n', f);
		tbl_print(&t, f, "");
	}
	tbl_free(&t);
}

void
show_status(FILE *f, const json_t *st)
{
	struct tbl t;

	tbl_init(&t, 2);
	show_interface(&t, st);
	show_addresses(&t, st);
	show_onlink(&t, st);
	tbl_add(&t, "default router:");
	tbl_add(&t, "%s", fmt_or(j_str(st, "default_router"), "none"));
	show_dns(&t, st);
	show_daemon(&t, st);
	tbl_print(&t, f, "");
	tbl_free(&t);

	fputc('\n', f);
	show_router_table(f, j_arr(st, "prl"));
	show_names(f, st);
	if (json_array_size(j_arr(st, "routes")) > 0) {
		fputc('\n', f);
		show_routes(f, st);
	}
	if (j_obj(st, "counters") != NULL) {
		fputc('\n', f);
		show_key_counters(f, j_obj(st, "counters"));
	}
}

void
show_routers(FILE *f, const json_t *result)
{
	const json_t *prl = j_arr(result, "routers"), *r;
	size_t i;

	if (json_array_size(prl) == 0) {
		fputs("no routers\n", f);
		return;
	}
	json_array_foreach(prl, i, r)
	{
		char b[FMT_BUFLEN];
		long long v, v2;
		struct tbl t;
		const char *name = j_str(r, "name");

		if (i > 0)
			fputc('\n', f);
		tbl_init(&t, 2);
		tbl_add(&t, "router:");
		tbl_add(&t, "%s", fmt_or(j_str(r, "ipv4"), NONE));
		tbl_add(&t, "origin:");
		tbl_add(&t, "%s%s%s", fmt_or(j_str(r, "origin"), NONE), name != NULL ? ", " : "",
		        fmt_or(name, ""));
		tbl_add(&t, "state:");
		tbl_add(&t, "%s%s", fmt_or(j_str(r, "state"), NONE),
		        j_true(r, "is_default") ? ", default router" : "");
		tbl_add(&t, "preference:");
		tbl_add(&t, "%s", fmt_or(j_str(r, "preference"), NONE));
		tbl_add(&t, "router lifetime:");
		tbl_add(&t, "%s", fmt_lifetime(r, "router_lifetime_s", NONE, b));
		tbl_add(&t, "last advertisement:");
		if (j_int(r, "last_ra_age_s", &v))
			tbl_add(&t, "%s ago", fmt_dur(v, b));
		else
			tbl_add(&t, "never");
		tbl_add(&t, "next solicitation:");
		if (j_int(r, "next_solicit_s", &v))
			tbl_add(&t, "%s%s", v == 0 ? "" : "in ", v == 0 ? "now" : fmt_dur(v, b));
		else
			tbl_add(&t, "none scheduled");
		tbl_add(&t, "link-local:");
		tbl_add(&t, "%s", fmt_or(j_str(r, "link_local"), NONE));
		tbl_add(&t, "messages:");
		if (j_int(r, "solicitations", &v) && j_int(r, "advertisements", &v2))
			tbl_add(&t, "%lld solicitations sent, %lld advertisements received", v, v2);
		else
			tbl_add(&t, NONE);
		tbl_print(&t, f, "");
		tbl_free(&t);
	}
}

/*
 * One group of counters: its integers as a table, then each nested group
 * (the datapath's "drops", the daemon's "control" and its parts) under a
 * dotted title, in the daemon's order. Nesting deeper than a few levels is
 * not in any schema and is not followed.
 */
static void
show_counter_group(FILE *f, const char *title, const json_t *c, int depth)
{
	char tb[2 * FMT_BUFLEN];
	struct tbl t;
	const char *k;
	json_t *v;

	tbl_init(&t, 2);
	json_object_foreach((json_t *)c, k, v)
	{
		if (!json_is_integer(v))
			continue;
		tbl_add(&t, "%s", k);
		tbl_add(&t, "%lld", (long long)json_integer_value(v));
	}
	if (t.n > 0) {
		if (depth > 0)
			fputc('\n', f);
		fprintf(f, "%s:\n", fmt_safe(title, tb, sizeof(tb)));
		tbl_print(&t, f, "  ");
	}
	tbl_free(&t);
	if (depth >= 3)
		return;
	json_object_foreach((json_t *)c, k, v)
	{
		char sub[2 * FMT_BUFLEN];

		if (!json_is_object(v))
			continue;
		if (depth == 0)
			snprintf(sub, sizeof(sub), "%s", k);
		else
			snprintf(sub, sizeof(sub), "%s.%s", title, k);
		show_counter_group(f, sub, v, depth + 1);
	}
}

void
show_stats(FILE *f, const json_t *result)
{
	const json_t *c = j_obj(result, "counters");

	if (c == NULL) {
		fputs("no counters\n", f);
		return;
	}
	show_counter_group(f, "counters", c, 0);
}

int
show_json(FILE *f, const json_t *v, enum ctl_json mode, bool tty)
{
	size_t flags = JSON_PRESERVE_ORDER | JSON_ENSURE_ASCII;

	if (mode == CTL_JSON_PRETTY || (mode == CTL_JSON_AUTO && tty))
		flags |= JSON_INDENT(2);
	else
		flags |= JSON_COMPACT;
	if (json_dumpf(v, f, flags) != 0 || fputc('\n', f) == EOF || fflush(f) != 0)
		return -1;
	return 0;
}
