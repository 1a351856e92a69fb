/*
 * dns_rr.h: an answer's records, one at a time.
 */
#include <errno.h>
#include <string.h>

#include "addr.h"
#include "dns_rr.h"

void
dns_rr_init(struct dns_rr_set *s, struct in_addr *v4, size_t max)
{
	memset(s, 0, sizeof(*s));
	s->v4 = v4;
	s->max = max;
	s->ttl_s = UINT32_MAX;
}

void
dns_rr_take(struct dns_rr_set *s, uint16_t type, uint16_t rclass, const void *rdata, uint16_t rdlen,
            uint32_t ttl)
{
	struct in_addr a;

	if (rclass != DNS_RR_IN)
		return;
	if (type == DNS_RR_CNAME) {
		s->ttl_s = ttl < s->ttl_s ? ttl : s->ttl_s;
		return;
	}
	if (type != DNS_RR_A)
		return;
	if (rdlen != sizeof(a) || rdata == NULL) {
		s->malformed = true;
		return;
	}
	memcpy(&a, rdata, sizeof(a));
	if (addr_v4_is_bogus(a))
		return;
	s->ttl_s = ttl < s->ttl_s ? ttl : s->ttl_s;
	for (size_t i = 0; i < s->n; i++)
		if (s->v4[i].s_addr == a.s_addr)
			return;
	if (s->n < s->max)
		s->v4[s->n++] = a;
}

void
dns_rr_reply(struct dns_rr_set *s, int err, bool add, bool more, uint16_t type, uint16_t rclass,
             const void *rdata, uint16_t rdlen, uint32_t ttl)
{
	if (s->done)
		return;
	if (err != 0) {
		/* What came before an error stands (a timeout after some
		 * records ends the wait, it does not undo them). */
		s->err = s->n > 0 ? 0 : err;
		s->done = true;
		return;
	}
	if (add)
		dns_rr_take(s, type, rclass, rdata, rdlen, ttl);
	if (!more && (s->n > 0 || s->malformed))
		s->done = true;
}

int
dns_rr_result(const struct dns_rr_set *s, uint32_t *ttl_s)
{
	if (s->malformed)
		return -EBADMSG;
	*ttl_s = s->n > 0 ? s->ttl_s : 0;
	if (s->n > 0)
		return (int)s->n;
	return s->err;
}
