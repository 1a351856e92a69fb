/*
 * PRL name resolution (RFC 5214 §8.3.2, RFC 6964 §5.4) in libuv's thread
 * pool, with the libc resolver so that the answer's TTL is known: the
 * /etc/hosts file first, then DNS A records, for the name as given and
 * through each search domain of /etc/resolv.conf (in resolv.conf's ndots
 * order).
 */
#ifndef ISATAP_CONTROL_DNS_H
#define ISATAP_CONTROL_DNS_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#define DNS_NAME_MAX    256 /* text of a name, NUL included */
#define DNS_ADDRS_MAX   16  /* A records kept from one answer */
#define DNS_PENDING_MAX 32

struct dns_answer {
	char matched[DNS_NAME_MAX]; /* the candidate that answered */
	struct in_addr v4[DNS_ADDRS_MAX];
	size_t n;
	uint32_t ttl_s; /* smallest TTL in the answer; hosts_ttl_s for /etc/hosts */
	bool from_hosts;
	/* 0, -ENOENT (no such name), -EAGAIN (try again), -EMSGSIZE (an
	 * answer longer than the buffer), -EIO */
	int error;
};

/* name is the name asked for (as passed to dns_resolve). */
typedef void (*dns_done_fn)(void *ctx, const char *name, const struct dns_answer *a);

struct dns;

int dns_new(uv_loop_t *loop, dns_done_fn done, void *ctx, struct dns **out);
/* Starts a lookup; -EBUSY while the same name is already being looked up,
 * -ENOBUFS past DNS_PENDING_MAX. */
int dns_resolve(struct dns *d, const char *name, uint32_t hosts_ttl_s);
/* Cancels what has not started; frees once running lookups are back. */
void dns_close(struct dns *d);

/* ---- pure helpers, exposed for tests ---------------------------------------- */

/*
 * The names to try for name, in order: an absolute name ("a.b.") alone; one
 * with at least ndots dots first as given, then through each domain; a
 * shorter one through each domain first. Returns the number written.
 */
size_t dns_candidates(const char *name, const char *const *domains, size_t n_domains,
                      unsigned ndots, char out[][DNS_NAME_MAX], size_t max);

/*
 * Looks for name in one /etc/hosts line (modified in place) and appends its
 * IPv4 address to v4[*n] (max entries, no duplicates). Returns true on a
 * match.
 */
bool dns_hosts_line(char *line, const char *name, struct in_addr *v4, size_t *n, size_t max);

/*
 * Parses a DNS response (RFC 1035 §4.1) for the A records of the answer
 * section; ttl_s gets the smallest TTL of the records used (RFC 2181 §5.2),
 * CNAMEs of the chain included. msg is the resolver's buffer of cap octets
 * and len the length the resolver returned, as it returned it: glibc's
 * res_nquery() gives the whole length of a TCP answer that did not fit
 * (send_vc reads cap octets, drops the rest), so every platform's lookup
 * passes its raw return here and nothing past cap is ever read. Returns the
 * number of addresses (0 for NXDOMAIN or no usable A record: there is none),
 * -EMSGSIZE when len exceeds cap (or is negative), -EAGAIN for another
 * error rcode (SERVFAIL, REFUSED: the server said nothing about the name),
 * or -EBADMSG.
 */
int dns_parse_answer(const uint8_t *msg, size_t cap, long len, struct in_addr *v4, size_t max,
                     uint32_t *ttl_s);

#endif
