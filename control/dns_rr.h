/*
 * A DNS answer's records as they are handed over one by one, by
 * mDNSResponder's DNSServiceQueryRecord() callback on macOS
 * (control/dns_darwin.c) where Linux parses a whole message (dns.c
 * dns_parse_answer()): the same rules for each record, in platform-neutral
 * code so that they are tested here.
 *
 * The rules are dns_parse_answer()'s: class IN only; an A record of any
 * other length than 4 is malformed; an address in 0/8, loopback or
 * multicast is no router (addr_v4_is_bogus()); duplicates are kept once;
 * the TTL is the smallest of the records used, CNAMEs of the chain included
 * (RFC 2181 §5.2). mDNSResponder's own warning applies to the TTLs it
 * reports from its cache (SDK dns_sd.h, DNSServiceQueryRecordReply: "the
 * ttl value is not updated when the daemon answers from the cache").
 */
#ifndef ISATAP_CONTROL_DNS_RR_H
#define ISATAP_CONTROL_DNS_RR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DNS_RR_A     1 /* RFC 1035 §3.2.2 */
#define DNS_RR_CNAME 5
#define DNS_RR_IN    1 /* RFC 1035 §3.2.4 */

/* One query's answer being collected. */
struct dns_rr_set {
	struct in_addr *v4; /* room for max */
	size_t n, max;
	uint32_t ttl_s; /* smallest TTL so far; UINT32_MAX for none */
	bool malformed; /* a record broke the rules: the answer is -EBADMSG */
	bool done;      /* a complete answer, an error, or the end came */
	int err;        /* 0, -ENOENT (no such name or record), -EAGAIN, -EIO */
};

void dns_rr_init(struct dns_rr_set *s, struct in_addr *v4, size_t max);

/*
 * One record (added: not a removal, which dns_sd says by a missing
 * kDNSServiceFlagsAdd). Applies the rules above.
 */
void dns_rr_take(struct dns_rr_set *s, uint16_t type, uint16_t rclass, const void *rdata,
                 uint16_t rdlen, uint32_t ttl);

/*
 * One dns_sd callback: err is its DNSServiceErrorType mapped by the caller
 * (0, -ENOENT for kDNSServiceErr_NoSuchRecord / NoSuchName, -EAGAIN for a
 * timeout or no daemon, -EIO otherwise); more is kDNSServiceFlagsMoreComing,
 * add kDNSServiceFlagsAdd. The answer is done on an error, or when a batch
 * ends (more clear) with at least one usable A record; a CNAME alone is an
 * intermediate result (kDNSServiceFlagsReturnIntermediates), not the end.
 */
void dns_rr_reply(struct dns_rr_set *s, int err, bool add, bool more, uint16_t type,
                  uint16_t rclass, const void *rdata, uint16_t rdlen, uint32_t ttl);

/* The number of addresses, or -EBADMSG / the error, with *ttl_s set as
 * dns_parse_answer() sets it (0 when there are none). */
int dns_rr_result(const struct dns_rr_set *s, uint32_t *ttl_s);

#endif
