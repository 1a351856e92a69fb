/*
 * Router Advertisements and Redirects built option by option, for the
 * control core's tests: each test states the lifetimes it varies.
 */
#ifndef ISATAP_TESTS_TU_RA_H
#define ISATAP_TESTS_TU_RA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define TU_RA_MAX 1400

struct tu_ra {
	uint8_t icmp[TU_RA_MAX]; /* the ICMPv6 message */
	size_t len;
};

/* Header: router lifetime (s) and RFC 4191 preference (-1, 0, 1, or 2 for
 * the reserved value). */
void tu_ra_init(struct tu_ra *b, uint16_t router_lifetime, int pref);
/* Cur Hop Limit, Reachable Time, Retrans Timer (0 each after tu_ra_init()). */
void tu_ra_params(struct tu_ra *b, uint8_t cur_hop_limit, uint32_t reachable_ms,
                  uint32_t retrans_ms);
void tu_ra_pio(struct tu_ra *b, const char *prefix, uint8_t plen, bool onlink, bool autonomous,
               uint32_t valid, uint32_t preferred);
void tu_ra_mtu(struct tu_ra *b, uint32_t mtu);
void tu_ra_rio(struct tu_ra *b, const char *prefix, uint8_t plen, int pref, uint32_t lifetime);
void tu_ra_rdnss(struct tu_ra *b, const char *addr, uint32_t lifetime);
void tu_ra_dnssl(struct tu_ra *b, const char *domain, uint32_t lifetime);

/* The complete IPv6 packet (hop limit 255, checksum computed) into out,
 * which holds 40 + TU_RA_MAX bytes. Returns its length. */
size_t tu_ra_packet(const struct tu_ra *b, const char *src, const char *dst, uint8_t *out);

/* A Redirect (RFC 4861 §4.5) from src: dst is better reached via target. */
size_t tu_redirect(uint8_t *out, const char *src, const char *to, const char *target,
                   const char *dst);

#endif
