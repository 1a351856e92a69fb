/*
 * PRL look-ups on macOS (RFC 5214 §8.3.2, RFC 6964 §5.4), with nothing but
 * libSystem: glibc's res_nquery() has no counterpart there (libresolv is a
 * library of its own, /usr/lib/libresolv.9.dylib), so
 *
 * - the search list and ndots are the default resolver's as configd
 *   publishes them (common/dnsinfo_darwin.c: what res_ninit() reads on a
 *   Mac, and `scutil --dns` shows as resolver #1), not /etc/resolv.conf's
 *   copy (isatap-control(8) says what that misses);
 * - each candidate is asked for through mDNSResponder with
 *   DNSServiceQueryRecord() (SDK dns_sd.h; libsystem_dnssd.dylib), which
 *   sends it where macOS sends any query for that name: a supplemental
 *   resolver's domain (/etc/resolver/NAME, a VPN's split DNS) goes to that
 *   resolver. kDNSServiceFlagsReturnIntermediates makes a negative answer
 *   come back (kDNSServiceErr_NoSuchRecord / NoSuchName: this candidate
 *   does not exist) instead of silence; kDNSServiceFlagsTimeout ends a
 *   query the daemon cannot answer (kDNSServiceErr_Timeout: try again), and
 *   so does DNS_DARWIN_WAIT_MS of our own. The TTL is what mDNSResponder
 *   reports (dns_rr.h says how far to trust it).
 *
 * The records are judged by control/dns_rr.c, dns_parse_answer()'s rules,
 * tested on Linux. This runs in a libuv thread-pool thread, as res_nquery()
 * does on Linux: each query has its own DNSServiceRef and its own wait.
 *
 * Not tried on a real Mac: dns_sd's behaviour as its header documents it.
 */
#include <dns_sd.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dns_darwin.h"
#include "dns_rr.h"
#include "dnsinfo.h"

#define DNS_DARWIN_WAIT_MS 10000
#define DNS_CANDIDATES_MAX (DNSINFO_SEARCH_MAX + 1)

static int
dns_sd_err(DNSServiceErrorType e)
{
	switch (e) {
	case kDNSServiceErr_NoError:
		return 0;
	case kDNSServiceErr_NoSuchRecord:
	case kDNSServiceErr_NoSuchName:
		return -ENOENT;
	case kDNSServiceErr_Timeout:
	case kDNSServiceErr_ServiceNotRunning:
	case kDNSServiceErr_DefunctConnection:
	case kDNSServiceErr_NoMemory:
		return -EAGAIN;
	default:
		return -EIO;
	}
}

static void DNSSD_API
dns_sd_reply(DNSServiceRef ref, DNSServiceFlags flags, uint32_t ifindex, DNSServiceErrorType e,
             const char *fullname, uint16_t rrtype, uint16_t rrclass, uint16_t rdlen,
             const void *rdata, uint32_t ttl, void *ctx)
{
	(void)ref;
	(void)ifindex;
	(void)fullname;
	dns_rr_reply(ctx, dns_sd_err(e), (flags & kDNSServiceFlagsAdd) != 0,
	             (flags & kDNSServiceFlagsMoreComing) != 0, rrtype, rrclass, rdata, rdlen, ttl);
}

static uint64_t
mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* One A query: the number of addresses (into a), or -ENOENT, -EAGAIN,
 * -EIO, -EBADMSG. */
static int
dns_darwin_query(const char *name, struct dns_answer *a)
{
	struct dns_rr_set s;
	DNSServiceRef ref;
	DNSServiceErrorType e;
	struct pollfd pfd;
	uint64_t until = mono_ms() + DNS_DARWIN_WAIT_MS;
	int n;

	dns_rr_init(&s, a->v4, DNS_ADDRS_MAX);
	e = DNSServiceQueryRecord(&ref,
	                          kDNSServiceFlagsReturnIntermediates | kDNSServiceFlagsTimeout, 0,
	                          name, kDNSServiceType_A, kDNSServiceClass_IN, dns_sd_reply, &s);
	if (e != kDNSServiceErr_NoError)
		return dns_sd_err(e) == 0 ? -EIO : dns_sd_err(e);
	pfd.fd = DNSServiceRefSockFD(ref);
	pfd.events = POLLIN;
	while (!s.done) {
		uint64_t now = mono_ms();

		if (now >= until || pfd.fd < 0) {
			dns_rr_reply(&s, -EAGAIN, false, false, 0, 0, NULL, 0, 0);
			break;
		}
		n = poll(&pfd, 1, (int)(until - now));
		if (n < 0 && errno != EINTR) {
			dns_rr_reply(&s, -EIO, false, false, 0, 0, NULL, 0, 0);
			break;
		}
		if (n > 0 && (e = DNSServiceProcessResult(ref)) != kDNSServiceErr_NoError)
			dns_rr_reply(&s, dns_sd_err(e) == 0 ? -EIO : dns_sd_err(e), false, false, 0,
			             0, NULL, 0, 0);
	}
	DNSServiceRefDeallocate(ref);
	n = dns_rr_result(&s, &a->ttl_s);
	if (n > 0)
		a->n = (size_t)n;
	return n;
}

void
dns_darwin_lookup(const char *name, uint32_t hosts_ttl_s,
                  bool (*hosts)(const char *cand, struct dns_answer *a), struct dns_answer *a)
{
	char cands[DNS_CANDIDATES_MAX][DNS_NAME_MAX];
	const char *domains[DNSINFO_SEARCH_MAX];
	struct dnsinfo di;
	size_t n_cands;
	int err = -ENOENT;

	/* Without configd's configuration: the name as given, alone. */
	(void)dnsinfo_read(&di);
	for (size_t i = 0; i < di.n_search; i++)
		domains[i] = di.search[i];
	n_cands = dns_candidates(name, domains, di.n_search, di.ndots, cands, DNS_CANDIDATES_MAX);

	/* /etc/hosts first, as on Linux (nsswitch's "files dns"). */
	for (size_t i = 0; i < n_cands; i++)
		if (hosts(cands[i], a)) {
			snprintf(a->matched, sizeof(a->matched), "%s", cands[i]);
			a->ttl_s = hosts_ttl_s;
			a->from_hosts = true;
			a->error = 0;
			return;
		}
	for (size_t i = 0; i < n_cands; i++) {
		int n = dns_darwin_query(cands[i], a);

		if (n > 0) {
			snprintf(a->matched, sizeof(a->matched), "%s", cands[i]);
			a->error = 0;
			return;
		}
		/* No such name: the next candidate. Anything else makes the
		 * whole answer "try again" (or a malformed one "-EIO"), as the
		 * Linux path decides it. */
		if (n == -EAGAIN)
			err = -EAGAIN;
		else if (n == -EBADMSG || n == -EIO)
			err = err == -EAGAIN ? err : -EIO;
	}
	a->error = err;
}
