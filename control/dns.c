/*
 * PRL lookups. uv_getaddrinfo() would hide the TTL that RFC 5214 §8.3.2
 * wants the refresh to follow, so each lookup runs the libc stub resolver
 * (res_nquery, with its own res_state: thread safe) in libuv's thread pool.
 * Everything a lookup needs is copied into its work item; the loop thread
 * only sees the finished answer.
 */
#include <arpa/nameser.h>
#include <errno.h>
#include <limits.h>
#include <netdb.h>
#include <resolv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/queue.h>

#include "addr.h"
#include "dns.h"
#include "log.h"
#ifdef __APPLE__
#include "dns_darwin.h"
#endif

#define DNS_CANDIDATES_MAX (MAXDNSRCH + 1)
#define DNS_HOSTS_FILE     "/etc/hosts"
#define DNS_ANSWER_MAX     4096

struct dns_work {
	uv_work_t req;
	struct dns *dns;
	LIST_ENTRY(dns_work) entry;
	char name[DNS_NAME_MAX];
	uint32_t hosts_ttl_s;
	struct dns_answer answer;
};

struct dns {
	uv_loop_t *loop;
	dns_done_fn done;
	void *ctx;
	LIST_HEAD(, dns_work) pending;
	size_t n_pending;
	bool closing;
};

/* Two names are the same regardless of case and of a trailing dot. */
static bool
dns_name_eq(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);

	if (la > 0 && a[la - 1] == '.')
		la--;
	if (lb > 0 && b[lb - 1] == '.')
		lb--;
	return la == lb && strncasecmp(a, b, la) == 0;
}

static size_t
dns_add_candidate(char out[][DNS_NAME_MAX], size_t n, size_t max, const char *name,
                  const char *domain)
{
	int len;

	if (n >= max)
		return n;
	if (domain == NULL)
		len = snprintf(out[n], DNS_NAME_MAX, "%s", name);
	else
		len = snprintf(out[n], DNS_NAME_MAX, "%s.%s", name, domain);
	/* RFC 1035 §2.3.4: a name that would be too long is not a candidate. */
	if (len < 0 || len >= DNS_NAME_MAX - 2)
		return n;
	return n + 1;
}

size_t
dns_candidates(const char *name, const char *const *domains, size_t n_domains, unsigned ndots,
               char out[][DNS_NAME_MAX], size_t max)
{
	size_t n = 0, len = strlen(name);
	unsigned dots = 0;

	if (len == 0)
		return 0;
	if (name[len - 1] == '.')
		return dns_add_candidate(out, 0, max, name, NULL);
	for (size_t i = 0; i < len; i++)
		dots += name[i] == '.';
	/* resolv.conf(5) "ndots": enough dots means try the name as is first. */
	if (dots >= ndots)
		n = dns_add_candidate(out, n, max, name, NULL);
	for (size_t i = 0; i < n_domains; i++)
		if (domains[i] != NULL && domains[i][0] != '\0')
			n = dns_add_candidate(out, n, max, name, domains[i]);
	if (dots < ndots)
		n = dns_add_candidate(out, n, max, name, NULL);
	return n;
}

static void
dns_add_v4(struct in_addr *v4, size_t *n, size_t max, struct in_addr a)
{
	for (size_t i = 0; i < *n; i++)
		if (v4[i].s_addr == a.s_addr)
			return;
	if (*n < max)
		v4[(*n)++] = a;
}

bool
dns_hosts_line(char *line, const char *name, struct in_addr *v4, size_t *n, size_t max)
{
	char *save = NULL, *tok, *hash = strchr(line, '#');
	struct in_addr a;
	bool match = false;

	if (hash != NULL)
		*hash = '\0';
	tok = strtok_r(line, " \t\r\n", &save);
	if (tok == NULL || !addr_parse4(tok, &a))
		return false; /* blank, comment, or an IPv6 line */
	while ((tok = strtok_r(NULL, " \t\r\n", &save)) != NULL)
		if (dns_name_eq(tok, name))
			match = true;
	if (match && !addr_v4_is_bogus(a))
		dns_add_v4(v4, n, max, a);
	return match;
}

#ifndef __APPLE__ /* macOS has no libresolv in libSystem: dns_darwin.c, dns_rr.c */
int
dns_parse_answer(const uint8_t *msg, size_t cap, long len, struct in_addr *v4, size_t max,
                 uint32_t *ttl_s)
{
	ns_msg handle;
	ns_rr rr;
	size_t n = 0;
	uint32_t ttl = UINT32_MAX;
	int count;

	/* Review finding 10: the resolver's length may be the answer's, not
	 * what it put in the buffer. */
	if (len < 0 || (unsigned long)len > cap || cap > INT_MAX)
		return -EMSGSIZE;
	if (ns_initparse(msg, (int)len, &handle) < 0)
		return -EBADMSG;
	/* RFC 1035 §4.1.1, RFC 2308: NXDOMAIN says there is no such name;
	 * SERVFAIL, REFUSED and the rest say nothing about it. */
	if (ns_msg_getflag(handle, ns_f_rcode) == ns_r_nxdomain)
		return 0;
	if (ns_msg_getflag(handle, ns_f_rcode) != ns_r_noerror)
		return -EAGAIN;
	count = ns_msg_count(handle, ns_s_an);
	for (int i = 0; i < count; i++) {
		struct in_addr a;

		if (ns_parserr(&handle, ns_s_an, i, &rr) < 0)
			return -EBADMSG;
		if (ns_rr_class(rr) != ns_c_in)
			continue;
		if (ns_rr_type(rr) == ns_t_cname) {
			ttl = ns_rr_ttl(rr) < ttl ? ns_rr_ttl(rr) : ttl;
			continue;
		}
		if (ns_rr_type(rr) != ns_t_a)
			continue;
		if (ns_rr_rdlen(rr) != sizeof(a))
			return -EBADMSG;
		memcpy(&a, ns_rr_rdata(rr), sizeof(a));
		/* A name that points at 0/8, loopback or multicast is not a router. */
		if (addr_v4_is_bogus(a))
			continue;
		ttl = ns_rr_ttl(rr) < ttl ? ns_rr_ttl(rr) : ttl;
		dns_add_v4(v4, &n, max, a);
	}
	*ttl_s = n > 0 ? ttl : 0;
	return (int)n;
}
#endif

static bool
dns_lookup_hosts(const char *cand, struct dns_answer *a)
{
	char line[1024];
	FILE *f = fopen(DNS_HOSTS_FILE, "re");

	if (f == NULL)
		return false;
	while (fgets(line, sizeof(line), f) != NULL)
		dns_hosts_line(line, cand, a->v4, &a->n, DNS_ADDRS_MAX);
	fclose(f);
	return a->n > 0;
}

#ifdef __APPLE__
/* Runs in a thread-pool thread: macOS asks mDNSResponder (dns_darwin.c). */
static void
dns_work_cb(uv_work_t *req)
{
	struct dns_work *w = (struct dns_work *)req;

	dns_darwin_lookup(w->name, w->hosts_ttl_s, dns_lookup_hosts, &w->answer);
}
#else
/* Runs in a thread-pool thread: no libuv call, no shared state. */
static void
dns_work_cb(uv_work_t *req)
{
	struct dns_work *w = (struct dns_work *)req;
	struct dns_answer *a = &w->answer;
	char cands[DNS_CANDIDATES_MAX][DNS_NAME_MAX];
	const char *domains[MAXDNSRCH];
	struct __res_state st;
	uint8_t msg[DNS_ANSWER_MAX];
	size_t n_cands, n_domains = 0;
	int err = -ENOENT;

	memset(&st, 0, sizeof(st));
	if (res_ninit(&st) < 0) {
		a->error = -EIO;
		return;
	}
	for (size_t i = 0; i < MAXDNSRCH && st.dnsrch[i] != NULL; i++)
		domains[n_domains++] = st.dnsrch[i];
	n_cands = dns_candidates(w->name, domains, n_domains, st.ndots, cands, DNS_CANDIDATES_MAX);

	/* nsswitch's usual "files dns": /etc/hosts wins. */
	for (size_t i = 0; i < n_cands; i++)
		if (dns_lookup_hosts(cands[i], a)) {
			snprintf(a->matched, sizeof(a->matched), "%s", cands[i]);
			a->ttl_s = w->hosts_ttl_s;
			a->from_hosts = true;
			a->error = 0;
			goto out;
		}
	/*
	 * -ENOENT only when every candidate got an answer saying there is
	 * none (NXDOMAIN: HOST_NOT_FOUND, NODATA: NO_DATA, or no usable A
	 * record): the PRL then lets the name's routers go. A candidate that
	 * timed out, got SERVFAIL or an unusable answer leaves it unknown,
	 * and the first such failure is the result.
	 */
	for (size_t i = 0; i < n_cands; i++) {
		int len = res_nquery(&st, cands[i], ns_c_in, ns_t_a, msg, sizeof(msg));
		int n;

		if (len < 0) {
			if (err == -ENOENT && st.res_h_errno != HOST_NOT_FOUND &&
			    st.res_h_errno != NO_DATA)
				err = st.res_h_errno == TRY_AGAIN || st.res_h_errno == NO_RECOVERY
				              ? -EAGAIN
				              : -EIO;
			continue;
		}
		n = dns_parse_answer(msg, sizeof(msg), len, a->v4, DNS_ADDRS_MAX, &a->ttl_s);
		if (n < 0) {
			/* Too large, malformed or a server failure: an answer
			 * we cannot use, not one saying there is none. */
			if (err == -ENOENT)
				err = n == -EMSGSIZE || n == -EAGAIN ? n : -EIO;
			continue;
		}
		if (n > 0) {
			a->n = (size_t)n;
			snprintf(a->matched, sizeof(a->matched), "%s", cands[i]);
			a->error = 0;
			goto out;
		}
	}
	a->error = err;
out:
	res_nclose(&st);
}
#endif

static void
dns_after_cb(uv_work_t *req, int status)
{
	struct dns_work *w = (struct dns_work *)req;
	struct dns *d = w->dns;

	LIST_REMOVE(w, entry);
	d->n_pending--;
	if (!d->closing) {
		if (status < 0)
			w->answer.error = status;
		d->done(d->ctx, w->name, &w->answer);
	}
	free(w);
	if (d->closing && d->n_pending == 0)
		free(d);
}

int
dns_new(uv_loop_t *loop, dns_done_fn done, void *ctx, struct dns **out)
{
	struct dns *d = calloc(1, sizeof(*d));

	if (d == NULL)
		return -ENOMEM;
	d->loop = loop;
	d->done = done;
	d->ctx = ctx;
	LIST_INIT(&d->pending);
	*out = d;
	return 0;
}

int
dns_resolve(struct dns *d, const char *name, uint32_t hosts_ttl_s)
{
	struct dns_work *w;
	int r;

	if (strlen(name) >= DNS_NAME_MAX)
		return -ENAMETOOLONG;
	LIST_FOREACH(w, &d->pending, entry)
	if (strcmp(w->name, name) == 0)
		return -EBUSY;
	if (d->n_pending >= DNS_PENDING_MAX)
		return -ENOBUFS;
	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return -ENOMEM;
	w->dns = d;
	w->hosts_ttl_s = hosts_ttl_s;
	memcpy(w->name, name, strlen(name) + 1);
	r = uv_queue_work(d->loop, &w->req, dns_work_cb, dns_after_cb);
	if (r < 0) {
		free(w);
		return r;
	}
	LIST_INSERT_HEAD(&d->pending, w, entry);
	d->n_pending++;
	return 0;
}

void
dns_close(struct dns *d)
{
	struct dns_work *w;

	if (d == NULL)
		return;
	d->closing = true;
	if (d->n_pending == 0) {
		free(d);
		return;
	}
	/* Queued ones come back at once with UV_ECANCELED; a running one
	 * finishes its query first (res_nquery's own timeouts bound it). */
	LIST_FOREACH(w, &d->pending, entry)
	uv_cancel((uv_req_t *)&w->req);
}
