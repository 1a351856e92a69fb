/*
 * ISATAP address math (RFC 5214 §6.1) and RFC 5952 text forms. Pure functions.
 * All addresses are in network byte order, as in struct in_addr / struct in6_addr.
 */
#ifndef ISATAP_PROTO_ADDR_H
#define ISATAP_PROTO_ADDR_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Longest text form: "ffff:ffff:ffff:ffff:ffff:ffff:255.255.255.255" + NUL. */
#define ADDR6_STRLEN 46
#define ADDR4_STRLEN 16

/* An IPv6 prefix. Bits past plen are zero (addr_prefix_make() ensures it). */
struct prefix6 {
	struct in6_addr addr;
	uint8_t plen;
};

/*
 * True when v4 is globally unique, so that the ISATAP interface identifier
 * gets the u bit (RFC 5214 §6.1, RFC 6890 special-purpose registry): false for
 * 0/8, 10/8, 100.64/10, 127/8, 169.254/16, 172.16/12, 192.0.0/24, 192.0.2/24,
 * 192.88.99/24, 192.168/16, 198.18/15, 198.51.100/24, 203.0.113/24, 224/4,
 * 240/4 and 255.255.255.255.
 */
bool addr_v4_is_global(struct in_addr v4);

/* True for addresses that can never be a unicast IPv4 peer or locator:
 * 0/8, 127/8, 224/4 (multicast), 240/4 including 255.255.255.255. */
bool addr_v4_is_bogus(struct in_addr v4);

/* The 8-octet ISATAP interface identifier for v4: {0|2}00:5efe:V4. */
void addr_isatap_ifid(struct in_addr v4, uint8_t ifid[8]);

/* True when the low 64 bits of a are an ISATAP identifier (u bit 0 or 1;
 * the g bit must be 0). */
bool addr_is_isatap(const struct in6_addr *a);

/* Extracts the IPv4 address embedded in an ISATAP address; false if a is none. */
bool addr_isatap_v4(const struct in6_addr *a, struct in_addr *v4);

/* fe80::{0|200}:5efe:V4 with the u bit chosen by addr_v4_is_global(). */
void addr_isatap_linklocal(struct in_addr v4, struct in6_addr *out);

/* The same with the u bit forced (RFC 5214 §8.3.4: a client may have to try both). */
void addr_isatap_linklocal_u(struct in_addr v4, bool u, struct in6_addr *out);

/* prefix (upper 64 bits of the given prefix) :: ISATAP ifid of v4. */
void addr_isatap_compose(const struct in6_addr *prefix, struct in_addr v4, struct in6_addr *out);

/* Prefix helpers. */
void addr_prefix_make(struct prefix6 *p, const struct in6_addr *a, uint8_t plen); /* masks */
bool addr_prefix_match(const struct prefix6 *p, const struct in6_addr *a);
bool addr_is_linklocal(const struct in6_addr *a);   /* fe80::/10 */
bool addr_is_linklocal64(const struct in6_addr *a); /* fe80::/64 exactly, RFC 4291 §2.5.6 */
bool addr_is_multicast(const struct in6_addr *a);   /* ff00::/8 */
bool addr_is_unspecified(const struct in6_addr *a); /* :: */
bool addr_is_loopback(const struct in6_addr *a);    /* ::1 */
bool addr_is_v4compat(const struct in6_addr *a);    /* ::/96 minus :: and ::1 */
bool addr_is_v4mapped(const struct in6_addr *a);    /* ::ffff:0:0/96 */

/*
 * RFC 5952 text: lower case, longest run of two or more zero fields
 * compressed (the first on a tie), no leading zeros. buf must hold
 * ADDR6_STRLEN bytes. Returns buf.
 */
char *addr_fmt6(const struct in6_addr *a, char *buf);

/* Mixed form for ISATAP addresses: "2001:db8::200:5efe:192.0.2.1"
 * (RFC 4291 §2.2 form 3; RFC 5952 §5). Falls back to addr_fmt6() for
 * non-ISATAP addresses. */
char *addr_fmt6_mixed(const struct in6_addr *a, char *buf);

char *addr_fmt4(struct in_addr a, char *buf); /* dotted quad; buf: ADDR4_STRLEN */

/* Strict parsers, for configuration and the API: false on any junk.
 * addr_parse6 accepts every RFC 4291 §2.2 form; addr_parse_prefix6
 * "addr/len" with len 0..128. */
bool addr_parse4(const char *s, struct in_addr *out);
bool addr_parse6(const char *s, struct in6_addr *out);
bool addr_parse_prefix6(const char *s, struct prefix6 *out);

#endif
